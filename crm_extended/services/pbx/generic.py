"""The generic JSON format: any PBX or middleware that can POST JSON.

Request: ``POST /crm_extended/pbx/<connection token>`` with
``Content-Type: application/json`` and two headers:

- ``X-Crm-Timestamp``: the sending time, Unix seconds;
- ``X-Crm-Signature``: ``sha256=`` and the hex HMAC-SHA256 of
  ``<timestamp>.<body>`` keyed with the connection's secret.

The body is one event object or a list of them::

    {"event": "ringing", "call_id": "1701.42", "direction": "inbound",
     "from": "8 (912) 345-67-89", "to": "+74951234567", "extension": "101",
     "timestamp": "2026-11-30T09:15:02Z", "ring_extensions": ["101", "102"]}

``event`` is ``ringing``, ``answered`` or ``hangup``; ``timestamp`` an
ISO 8601 time (UTC unless it carries an offset) or Unix seconds; on
``hangup``, ``reason`` (``normal``, ``busy``, ``no_answer``, ``failed``,
``cancel``) and ``recording_url`` may follow. A request older or newer than
five minutes is refused (a replay); the same event of the same call sent
twice is accepted once (a retry).
"""

import datetime
import hashlib
import hmac
import json

from .event import CallEvent, Malformed, Refused

MAX_SKEW = 300  # seconds a request's timestamp may differ from ours
TIMESTAMP_HEADER = "x-crm-timestamp"
SIGNATURE_HEADER = "x-crm-signature"


def signature(secret, timestamp, body):
    """The ``X-Crm-Signature`` value of ``body`` sent at ``timestamp``."""
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(secret, body, timestamp):
    """The headers a sender adds to ``body`` (bytes) sent at ``timestamp`` (Unix seconds)."""
    timestamp = int(timestamp)
    return {
        "Content-Type": "application/json",
        "X-Crm-Timestamp": str(timestamp),
        "X-Crm-Signature": signature(secret, timestamp, body),
    }


def verify(request, secret, now):
    """Refuse (401) an unsigned, badly signed or stale request; ``now`` in Unix seconds."""
    stamp = request.headers.get(TIMESTAMP_HEADER)
    given = request.headers.get(SIGNATURE_HEADER)
    if not stamp or not given:
        raise Refused(401, "unsigned request: X-Crm-Timestamp and X-Crm-Signature are required")
    try:
        timestamp = int(stamp)
    except ValueError:
        raise Refused(401, f"X-Crm-Timestamp is not Unix seconds: {stamp[:40]!r}") from None
    if abs(now - timestamp) > MAX_SKEW:
        raise Refused(401, f"stale or replayed request: sent {int(now - timestamp)} s from now")
    if not hmac.compare_digest(given.encode(), signature(secret, timestamp, request.body).encode()):
        raise Refused(401, "bad signature")


def _time(value):
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.datetime.fromtimestamp(value, datetime.timezone.utc).replace(tzinfo=None)
    if isinstance(value, str) and value:
        try:
            moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise Malformed(f"timestamp is neither ISO 8601 nor Unix seconds: {value[:40]!r}") from None
        if moment.tzinfo:
            moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return moment
    raise Malformed("timestamp is required")


def _text(item, key, required=False, size=256):
    value = item.get(key)
    if value is None or value == "":
        if required:
            raise Malformed(f"{key!r} is required")
        return ""
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise Malformed(f"{key!r} must be text")
    return str(value)[:size]


def parse(request):
    """The events of a generic JSON body (one object or a list of them)."""
    try:
        payload = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise Malformed("the body is not JSON") from None
    items = payload if isinstance(payload, list) else [payload]
    if not items or not all(isinstance(item, dict) for item in items):
        raise Malformed("the body must be an event object or a list of them")
    events = []
    for item in items:
        ring = item.get("ring_extensions") or ()
        if not isinstance(ring, list | tuple) or not all(isinstance(ext, str | int) for ext in ring):
            raise Malformed("'ring_extensions' must be a list of extensions")
        events.append(
            CallEvent(
                kind=_text(item, "event", required=True),
                call_id=_text(item, "call_id", required=True),
                direction=_text(item, "direction") or "inbound",
                caller=_text(item, "from"),
                called=_text(item, "to"),
                at=_time(item.get("timestamp")),
                extension=_text(item, "extension"),
                reason=_text(item, "reason"),
                recording_url=_text(item, "recording_url", size=2048),
                ring_extensions=tuple(str(ext)[:32] for ext in ring),
            )
        )
    return events


def answer(accepted, duplicates):
    """200 with a JSON summary: how many events were new and how many repeated."""
    body = json.dumps({"accepted": accepted, "duplicates": duplicates})
    return 200, "application/json", body
