"""Mango Office Virtual PBX: its notifications in, click to dial out.

Follows "API MANGO OFFICE", version 1.9 (MangoOffice_VPBX_API_v1.9.pdf,
https://www.mango-office.ru/upload/api/MangoOffice_VPBX_API_v1.9.pdf, linked
from Mango's page "General questions on the Virtual PBX API",
https://www.mango-office.ru/support/integratsiya-api/spisok_integratsiy/obshchie_voprosy_po_api_vats_mango_office/):

- §2.1.1 and §2.4.3: every request, from Mango and to Mango, is a form POST
  of ``vpbx_api_key`` (the PBX's unique code), ``json`` and
  ``sign = sha256(vpbx_api_key + json + vpbx_api_salt)`` in hex; a
  notification expects nothing back but its HTTP status (200). Mango posts
  to ``<connection URL>/events/<event>``.
- §3.1.2 ``events/call``: one notification per state of one *leg* of a call
  (``call_id``); ``entry_id`` names the whole call, transfers and
  forwardings included. States: Appeared, Connected, OnHold, Disconnected;
  ``location``: ivr, queue or abonent (an employee).
- §3.1.6 ``events/summary``: the final notification of the whole call
  (direction, create/talk/end times, ``entry_result``, ``disconnect_reason``).
- §3.2.1 ``POST <api>/commands/callback``: the PBX rings the employee's
  extension, then the number (the behaviour examples, pp. 329-331, show
  the legs it makes); result codes from the list of result codes, pp. 322-327.

Mapping, with ``entry_id`` as the call id of every event:

=============================================  ===========================
Mango notification                             CallEvent
=============================================  ===========================
events/call Appeared at an employee            ringing
events/call Connected at an employee           answered
events/summary                                 ringing (create_time),
                                               answered (talk_time, when
                                               someone talked), hangup
                                               (end_time, disconnect_reason)
events/call in ivr or queue, OnHold,           none (accepted, ignored)
Disconnected of a leg; events/recording,
events/record/added, events/dtmf, events/sms,
result/* and anything else
=============================================  ===========================

A leg's Disconnected does not end the call (a queue rings several
employees, each in a leg of its own, so several ringing events of one call
id come with different extensions; a transfer opens a new leg): the
summary does. It repeats the
call's ringing and answer with their own times, so that a call whose
events/call were lost (or which never reached an employee: ended in the
voice menu) is complete; when events/call came, they are duplicates.
Direction: the summary's ``call_direction``; for a leg, a command's call
(``command_id`` or ``callback_initiator``) is outbound, else an extension on
both sides is internal, on the calling side outbound, else inbound. The
first leg of a callback rings our employee with the client as its caller
(pp. 329-331): it is read the other way round, and its Connected (the
employee picked up, the client is not called yet) is no answer.

Numbers are kept as Mango sends them; for an inbound call the called number
is the company's line (``line_number``). Mango gives no recording URL in
its notifications (only a ``recording_id``, fetched through its API, §3.5),
so ``recording_url`` stays empty.

Replays: Mango's signature covers no request time and no nonce, but the
signed json carries the event's own time (``timestamp``, or ``end_time`` of
a summary; the documentation calls them "UTC+3" times, they are read as
Unix seconds): an event older than ``max_age`` (10 minutes) is refused, and
within that window a replayed event is a duplicate of its (call id, kind),
which the caller applies once. Requests with no time in them (result/*,
events/sms) carry no call event, so replaying them changes nothing.
Refusals: Mango documents no answer but the HTTP status, and answers bad
requests to its own API with 4xx; we answer 401 to a request that is not
authentic or fresh, 400 to one that cannot be read.
"""

import datetime
import hashlib
import hmac
import http.client
import json
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid

from .event import CallEvent, Malformed, Refused

DEFAULT_API_URL = "https://app.mango-office.ru/vpbx/"  # §2.1.1
MAX_AGE = 600  # seconds an event may be old when it arrives
TIMEOUT = 10  # seconds click to dial waits for Mango
MAX_ANSWER = 64 * 1024  # bytes read of Mango's answer to a command
DIRECTIONS = {0: "internal", 1: "inbound", 2: "outbound"}  # summary's call_direction
LATEST = 253402300799  # 9999-12-31: a later time is not a time
# disconnect_reason (or its class, by prefix, as the code list asks) -> how a call
# nobody talked in ended; the most specific first
HANGUP_REASONS = (
    ("1110", "cancel"),  # ended by the caller
    ("1111", "no_answer"),  # not answered in time
    ("1171", "failed"),  # forwarding scheme misconfigured
    ("112", "busy"),  # ended, busy, declined or "do not disturb" at the called side
    ("1193", "busy"),  # called number busy and set to reject
    ("113", "failed"),  # called number barred, unavailable, not served, nonexistent
    ("114", "failed"),  # calls to the region barred
    ("115", "failed"),  # calling number barred (black or white list)
    ("118", "cancel"),  # ended by a command or taken by another operator
    ("11", "no_answer"),  # normal end; group, queue or scheme end; number inactive
    ("1", "no_answer"),
    ("2", "failed"),  # billing
    ("3", "failed"),  # wrong number
    ("4", "failed"),  # subscriber unreachable
    ("5", "failed"),  # overload, technical problem
)


def signature(api_key, payload, api_salt):
    """The ``sign`` of the ``json`` field ``payload`` (text), §2.4.3."""
    return hashlib.sha256((api_key + payload + api_salt).encode()).hexdigest()


def signed_form(api_key, api_salt, data):
    """The form fields of a request carrying ``data``: compact JSON, as §2.4.4 asks."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return {"vpbx_api_key": api_key, "sign": signature(api_key, payload, api_salt), "json": payload}


# notifications


def verify(request, secret, now, *, api_key=None, max_age=MAX_AGE):
    """Refuse a notification that is not the connection's PBX's, or is stale.

    :param secret: the connection's ``vpbx_api_salt`` (Mango's signature key)
    :param now: Unix seconds
    :param api_key: the connection's ``vpbx_api_key`` (the PBX's unique code); the
        request's must be the same
    :param max_age: seconds an event may be old
    """
    if not api_key or not secret:
        raise Refused(401, "the connection has no Mango Office vpbx_api_key and vpbx_api_salt")
    form = _fields(request)
    key, sign, payload = (_field(form, name) for name in ("vpbx_api_key", "sign", "json"))
    if not key or not sign:
        raise Refused(401, "unsigned request: vpbx_api_key and sign are required")
    if payload is None:
        raise Malformed("the json field is required")
    if not hmac.compare_digest(key.encode(), api_key.encode()):
        raise Refused(401, "vpbx_api_key is not this connection's")
    if not hmac.compare_digest(sign.strip().lower().encode(), signature(api_key, payload, secret).encode()):
        raise Refused(401, "bad sign")
    item = _load(payload)
    moment = _integer(item, "timestamp")
    if moment is None:
        moment = _integer(item, "end_time")
    if moment is not None and now - moment > max_age:
        raise Refused(401, f"stale or replayed notification: its event is {int(now - moment)} s old")


def parse(request):
    """The call events of a notification (an empty list for those the CRM does not use)."""
    path = request.path.strip("/").lower()
    if path not in ("events/call", "events/summary"):
        return []
    item = _load(_field(_fields(request), "json"))
    if path == "events/call":
        return _leg_events(item)
    return _summary_events(item)


def answer(accepted, duplicates):
    """200 with an empty body: all a notification expects (§2.1.1)."""
    return 200, "text/plain; charset=utf-8", ""


def _fields(request):
    if request.form or not request.body:
        return request.form or {}
    try:  # a form the caller did not decode
        return dict(urllib.parse.parse_qsl(request.body.decode(), keep_blank_values=True))
    except (UnicodeDecodeError, ValueError):
        raise Malformed("the body is not a form") from None


def _field(form, name):
    value = form.get(name)
    if value is not None and not isinstance(value, str):
        raise Malformed(f"the {name} field must be text")
    return value


def _load(payload):
    if payload is None:
        raise Malformed("the json field is required")
    try:
        item = json.loads(payload)
    except (ValueError, RecursionError):
        raise Malformed("the json field is not JSON") from None
    if not isinstance(item, dict):
        raise Malformed("the json field must be an object")
    return item


def _integer(item, key):
    value = item.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdecimal():
        value = int(value)  # Mango's examples send "1399906976" as well as 1399906976
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= LATEST:
        raise Malformed(f"{key!r} is not a number: {str(value)[:40]!r}")
    return value


def _at(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).replace(tzinfo=None)


def _text(item, key, size=128):
    value = item.get(key)
    if value is None or value == "":
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise Malformed(f"{key!r} must be text")
    return str(value)[:size] if size else str(value)


def _party(item, key):
    value = item.get(key) or {}
    if not isinstance(value, dict):
        raise Malformed(f"{key!r} must be an object")
    return value


def _event(kind, item, direction, caller, called, at, reason=""):
    """A CallEvent of the call ``item`` belongs to; ``caller`` and ``called`` are
    Mango's from/to objects, the calling one first."""
    if direction == "outbound":
        extension, called_number = _text(caller, "extension"), _text(called, "number")
    elif direction == "inbound":
        extension = _text(called, "extension")
        called_number = _text(called, "line_number") or _text(item, "line_number") or _text(called, "number")
    else:
        extension = _text(called, "extension")
        called_number = _text(called, "number") or extension
    caller_number = _text(caller, "number")
    if direction == "internal":
        caller_number = caller_number or _text(caller, "extension")
    return CallEvent(
        kind=kind,
        call_id=_text(item, "entry_id", size=0),
        direction=direction,
        caller=caller_number,
        called=called_number,
        at=at,
        extension=extension,
        reason=reason,
    )


def _leg_events(item):
    """events/call: a leg that rings an employee, or starts talking."""
    state = _text(item, "call_state")
    if state not in ("Appeared", "Connected") or (_text(item, "location") or "abonent") != "abonent":
        return []
    caller, called = _party(item, "from"), _party(item, "to")
    commanded = bool(_text(item, "command_id") or _text(item, "callback_initiator"))
    if commanded and not _text(caller, "taken_from_call_id") and _text(called, "extension"):
        # a callback's first leg rings our employee, the client as its caller
        if state == "Connected":
            return []
        caller, called = called, caller
    if commanded:
        direction = "outbound"
    elif _text(caller, "extension"):
        direction = "internal" if _text(called, "extension") else "outbound"
    else:
        direction = "inbound"
    seconds = _integer(item, "timestamp")
    if seconds is None:
        raise Malformed("'timestamp' is required")
    kind = "ringing" if state == "Appeared" else "answered"
    return [_event(kind, item, direction, caller, called, _at(seconds))]


def _summary_events(item):
    """events/summary: the whole call, from its start to its end."""
    direction = DIRECTIONS.get(_integer(item, "call_direction"))
    if direction is None:
        raise Malformed("'call_direction' must be 0, 1 or 2")
    caller, called = _party(item, "from"), _party(item, "to")
    created, talked, ended = (_integer(item, key) for key in ("create_time", "talk_time", "end_time"))
    if not ended:
        raise Malformed("'end_time' is required")
    events = []
    if created:
        events.append(_event("ringing", item, direction, caller, called, _at(created)))
    if talked:
        events.append(_event("answered", item, direction, caller, called, _at(talked)))
    reason = _hangup_reason(_integer(item, "disconnect_reason"), bool(talked))
    events.append(_event("hangup", item, direction, caller, called, _at(ended), reason=reason))
    return events


def _hangup_reason(code, talked):
    if talked:
        return "normal"
    code = str(int(code)) if code is not None else ""
    return next((reason for prefix, reason in HANGUP_REASONS if code.startswith(prefix)), "no_answer")


# click to dial


class DialError(Exception):
    """Mango Office did not place a call.

    ``kind`` says why: no_credentials, bad_url, no_extension, no_number (nothing
    was sent); unreachable, auth, extension, number, billing, rate, unavailable,
    server, refused (Mango's answer). ``code`` is Mango's result code when it
    gave one, ``str(error)`` the line for the log, and :meth:`message` what to
    tell the user.
    """

    def __init__(self, kind, detail, code=None, **params):
        super().__init__(detail)
        self.kind = kind
        self.code = code
        self.params = params

    def message(self, env):
        """What the user can do about it, in ``env``'s language."""
        params = self.params
        kind = self.kind
        if kind == "no_credentials":
            return env._(
                "The Mango Office connection has no unique PBX code (vpbx_api_key) or signature key "
                "(vpbx_api_salt): an administrator must enter them on the connection."
            )
        if kind == "bad_url":
            return env._(
                "The Mango Office API address %(url)s is not an http(s) address: "
                "an administrator must correct it on the connection.",
                **params,
            )
        if kind == "no_extension":
            return env._(
                "You have no phone extension: set yours in your preferences to dial through Mango Office."
            )
        if kind == "no_number":
            return env._("There is no phone number to call.")
        if kind == "unreachable":
            return env._(
                "Mango Office cannot be reached at %(url)s (%(error)s): check the connection's API address "
                "and this server's Internet access.",
                **params,
            )
        if kind == "auth":
            return env._(
                "Mango Office refused the connection's unique PBX code or signature (%(answer)s): "
                "an administrator must check the vpbx_api_key and vpbx_api_salt on the connection.",
                **params,
            )
        if kind == "extension":
            return env._(
                "Mango Office cannot call %(number)s from extension %(extension)s (%(answer)s): "
                "check that this extension exists in the virtual PBX and that the number is complete.",
                **params,
            )
        if kind == "number":
            return env._("Mango Office does not accept the number %(number)s (%(answer)s).", **params)
        if kind == "billing":
            return env._(
                "Mango Office refused the call for a billing reason (%(answer)s): the account may be "
                "blocked, over its limit or out of funds; see the Mango Office personal account.",
                **params,
            )
        if kind == "rate":
            return env._(
                "Mango Office is receiving too many requests (%(answer)s): try again in a few seconds.",
                **params,
            )
        if kind == "unavailable":
            return env._(
                "Mango Office cannot place this call now (%(answer)s): try again in a moment.", **params
            )
        if kind == "server":
            return env._("Mango Office reports an error on its side (%(answer)s): try again later.", **params)
        return env._("Mango Office refused the call (%(answer)s).", **params)


def dialable(number):
    """``number`` as Mango dials it: the digits of a phone number
    (``+7 (495) 540-44-44`` gives ``74955404444``); anything else (a SIP
    address) as given. Mango applies the PBX's own number rules (§3.2.1)."""
    number = str(number or "").strip()
    if re.fullmatch(r"[\d\s()+.\-]+", number):
        return re.sub(r"\D", "", number)
    return number


def originate(
    api_url, api_key, api_salt, extension, number, *, command_id="", line_number="", timeout=TIMEOUT
):
    """Have Mango Office call ``number`` from the employee at ``extension``
    (``commands/callback``, §3.2.1): the PBX rings the extension, then the
    number. Returns the ``command_id`` its notifications will carry.

    :param api_url: the API's base, :data:`DEFAULT_API_URL` unless testing
    :raise DialError: say ``error.message(env)`` to the user
    """
    if not api_key or not api_salt:
        raise DialError("no_credentials", "no vpbx_api_key or vpbx_api_salt")
    extension = str(extension or "").strip()
    if not extension:
        raise DialError("no_extension", "no extension")
    to_number = dialable(number)
    if not to_number:
        raise DialError("no_number", "no number")
    url = (api_url or DEFAULT_API_URL).rstrip("/") + "/commands/callback"
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise DialError("bad_url", f"API address {url!r} is not http(s)", url=url)
    data = {"command_id": command_id or f"crm_extended.{uuid.uuid4().hex}", "from": {"extension": extension}}
    data["to_number"] = to_number
    if line_number:
        data["line_number"] = line_number
    status, result = _post(url, signed_form(api_key, api_salt, data), timeout)
    code = _result_code(result)
    if code is not None and 1000 <= code < 2000:
        return data["command_id"]
    raise _dial_error(status, code, url, extension, to_number)


def _post(url, form, timeout):
    """POST ``form`` to ``url``: Mango's HTTP status and its JSON answer ({} if none)."""
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode(form).encode(),
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, _json_answer(response.read(MAX_ANSWER))
    except urllib.error.HTTPError as error:
        with error:
            return error.code, _json_answer(error.read(MAX_ANSWER))
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as error:
        reason = str(getattr(error, "reason", error))
        raise DialError("unreachable", f"POST {url}: {reason}", url=url, error=reason) from None


def _json_answer(body):
    try:
        result = json.loads(body.decode())
    except (UnicodeDecodeError, ValueError, RecursionError):
        return {}
    return result if isinstance(result, dict) else {}


def _result_code(result):
    code = result.get("result")
    if isinstance(code, str) and code.strip().isdecimal():
        code = int(code)
    return code if isinstance(code, int) and not isinstance(code, bool) else None


def _dial_error(status, code, url, extension, number):
    """The DialError for Mango's answer: HTTP ``status``, result ``code`` (the list of result codes)."""
    said = f"HTTP {status}" + (f" / {code}" if code is not None else "")
    family = code // 1000 if code is not None else 0
    if status == 429 or code == 4290:
        kind = "rate"
    elif code in (3102, 3105, 3127) or (code is None and status in (401, 403)):
        kind = "auth"  # sign or key refused (or too many refused requests: HTTP 401, §1.4.1)
    elif code in (3200, 3136):
        kind = "number"
    elif code in (3100, 3103, 3104) or (code is not None and 3300 <= code < 3400):
        kind = "extension"  # parameters the PBX cannot execute: mostly an extension it does not have
    elif family == 2:
        kind = "billing"
    elif family == 4:
        kind = "unavailable"
    elif family == 5 or (code is None and status >= 500):
        kind = "server"
    else:
        kind = "refused"
    detail = f"POST {url}: Mango Office answered {said}"
    return DialError(kind, detail, code=code, answer=said, number=number, extension=extension)
