"""The internal call event every PBX adapter produces, and the request it reads."""

import dataclasses
import datetime

KINDS = ("ringing", "answered", "hangup")
DIRECTIONS = ("inbound", "outbound", "internal")
# how a call ended, as the PBX says it (hangup events)
REASONS = ("normal", "busy", "no_answer", "failed", "cancel")


class Refused(Exception):
    """A request that is not accepted: not authentic, stale, replayed, too big.

    ``status`` is the HTTP status the PBX expects, ``reason`` what the log says.
    """

    def __init__(self, status, reason):
        super().__init__(reason)
        self.status = status
        self.reason = reason


class Malformed(Refused):
    """An authentic request whose payload cannot be read (HTTP 400 by default)."""

    def __init__(self, reason, status=400):
        super().__init__(status, reason)


@dataclasses.dataclass(frozen=True)
class PbxRequest:
    """What an adapter may read of an HTTP request: the raw body, the headers
    (names in lower case), the form fields (for form-encoded bodies) and the
    path after the connection's URL (a vendor posting to ``<url>/events/call``
    gives ``events/call``)."""

    body: bytes
    headers: dict
    form: dict = dataclasses.field(default_factory=dict)
    path: str = ""


@dataclasses.dataclass(frozen=True)
class CallEvent:
    """One thing that happened to one call.

    :param kind: ``ringing``, ``answered`` or ``hangup``
    :param call_id: the PBX's id of the call (idempotency: one call per id,
        one event per kind)
    :param direction: ``inbound``, ``outbound`` or ``internal``
    :param caller: the calling number as the PBX sent it (never normalised here)
    :param called: the called number as the PBX sent it
    :param extension: the internal extension that rings, answered or calls
    :param at: when it happened, a naive UTC datetime
    :param reason: on ``hangup``, how the call ended (one of :data:`REASONS`)
    :param recording_url: on ``hangup``, where the PBX keeps the recording
    :param ring_extensions: on ``ringing``, every extension the call rings
        (a queue); ``extension`` alone when empty
    """

    kind: str
    call_id: str
    direction: str
    caller: str
    called: str
    at: datetime.datetime
    extension: str = ""
    reason: str = ""
    recording_url: str = ""
    ring_extensions: tuple = ()

    def __post_init__(self):
        if self.kind not in KINDS:
            raise Malformed(f"unknown event kind {self.kind!r}")
        if self.direction not in DIRECTIONS:
            raise Malformed(f"unknown call direction {self.direction!r}")
        if not self.call_id or len(self.call_id) > 128:
            raise Malformed("a call id of 1 to 128 characters is required")
        if self.reason and self.reason not in REASONS:
            raise Malformed(f"unknown hangup reason {self.reason!r}")
