"""PBX adapters: each vendor's webhook payload in, one internal call event out.

An adapter is a module with:

- ``verify(request, secret, now)``: raise :class:`~.event.Refused` (with the
  HTTP status the vendor expects and a reason for the log) unless the request
  is authentic and fresh;
- ``parse(request)``: the :class:`~.event.CallEvent` list the request carries
  (raise :class:`~.event.Malformed` for a payload that cannot be read);
- ``answer(accepted, duplicates)``: the ``(status, content_type, body)`` the
  vendor expects back for an accepted request (how many events were new, how
  many repeated).

Adapters are plain Python (no ORM): the controller hands them a
:class:`~.event.PbxRequest` and feeds the events to ``crm.phone.call``.
"""
