"""SMS gateways that replace Odoo's IAP: the interface and its implementations.

Plain Python, no ORM. A provider is built with its configuration (a dict of
plain values, credentials included, read by ``crm.sms.provider`` in sudo) and
offers:

- ``send(batch)``: ``batch`` is a list of :class:`Message`; the answer is one
  :class:`Result` per message (same uuid), never fewer: a message the
  provider did not mention is an error saying so, a request the provider
  could not take (outage, rate limit) is ``retry`` for every message in it;
- ``balance()``: the account's balance as a float (raises :class:`ProviderError`);
- ``status(ids)``: ``{provider id: Report}`` for the provider's message ids;
- ``parse_delivery_report(request)``: the :class:`Report` list a signed
  webhook request carries, after checking its signature (raises
  :class:`Refused`), and ``report_answer()``: the body the provider expects back.

States of a :class:`Result` and a :class:`Report` use ``sms.sms``'s own
words: ``pending`` (taken by the provider), ``sent`` (delivered), ``error``
(with one of ``sms.sms``'s failure types) and, for results only, ``retry``
(stay queued: the provider asks to come back later).
"""

from .base import Message, ProviderError, Refused, Report, Result, WebhookRequest
from . import generic, smsru

PROVIDERS = {"smsru": smsru.SmsRuProvider, "generic": generic.GenericProvider}

__all__ = ["PROVIDERS", "Message", "ProviderError", "Refused", "Report", "Result", "WebhookRequest"]
