"""Asterisk Manager Interface (AMI): a client, and a tracker turning a call's events into generic events.

Plain Python, standard library only, no Odoo import: ``bin/crm_ami_bridge.py``
runs it outside Odoo (as the top-level package ``pbx``), the add-on uses
:func:`originate` for click to dial.

The protocol, as the AMI v2 specification and "AMI Command Syntax" describe it
(https://docs.asterisk.org/Configuration/Interfaces/Asterisk-Manager-Interface-AMI/AMI-v2-Specification/,
https://docs.asterisk.org/Configuration/Interfaces/Asterisk-Manager-Interface-AMI/AMI-Command-Syntax/)
and Asterisk's main/manager.c writes it: on connection Asterisk sends one line
``Asterisk Call Manager/<AMI version>`` (5.0.x in Asterisk 16, 7.0.x in 18);
then both sides send packets of ``Key: Value`` lines ended by an empty line
(CRLF). A client packet starts with ``Action:``; Asterisk answers each with a
``Response:`` packet carrying the client's ``ActionID`` and sends ``Event:``
packets at any time. ``Action: Login`` with ``Username``/``Secret`` answers
``Response: Success`` / ``Message: Authentication accepted`` or
``Response: Error`` / ``Message: Authentication failed`` (and Asterisk closes
the connection). With ``timestampevents = yes`` in manager.conf every event
carries ``Timestamp: <Unix seconds>.<microseconds>``.
"""

from __future__ import annotations  # the bridge runs on Python 3.9 too (Debian 11, RHEL 9)

import collections
import contextlib
import dataclasses
import datetime
import itertools
import logging
import os
import re
import socket
import time

_logger = logging.getLogger(__name__)

BANNER = "Asterisk Call Manager/"
MAX_LINE = 64 * 1024  # bytes; a longer line is cut (a CallerIDName never is that long)
MAX_PACKET_LINES = 4096  # a packet without its empty line after that many lines is garbage


class AmiError(Exception):
    """Asterisk refused an action, the connection failed or the peer is not Asterisk."""


class AmiAuthError(AmiError):
    """Login refused: wrong user name or secret, or this host not permitted in manager.conf."""


class AmiUnreachable(AmiError):
    """No connection to the manager port: Asterisk down, wrong host or port, a firewall."""


class Packet(dict):
    """One AMI packet: the first value of each key; ``pairs`` keeps every line in order.

    A key may repeat (``ChanVariable`` once per variable): :meth:`getall`.
    ``malformed`` counts the lines that were not ``Key: Value``.
    """

    def __init__(self, pairs=(), malformed=0):
        super().__init__()
        self.pairs = list(pairs)
        self.malformed = malformed
        for key, value in self.pairs:
            self.setdefault(key, value)

    def getall(self, key):
        return [value for name, value in self.pairs if name == key]


def parse_packet(lines):
    """The :class:`Packet` of ``lines`` (text lines without their line ends)."""
    pairs, malformed = [], 0
    for line in lines:
        key, colon, value = line.partition(":")
        key = key.strip()
        if not colon or not key:
            malformed += 1
            continue
        pairs.append((key, value[1:] if value.startswith(" ") else value))
    return Packet(pairs, malformed)


def split_packets(text):
    """The packets of an AMI text (a capture): blank lines separate them."""
    packets, lines = [], []
    for line in text.splitlines():
        if line.strip():
            lines.append(line)
        elif lines:
            packets.append(parse_packet(lines))
            lines = []
    if lines:
        packets.append(parse_packet(lines))
    return packets


def _clean(value):
    # a CR or LF inside a value would end the line or the packet: a partner's name
    # must never be able to add an AMI header (header injection)
    return re.sub(r"[\r\n]+", " ", str(value))


def format_action(action, fields=()):
    """The bytes of an ``Action:`` packet; ``fields`` are ``(key, value)`` pairs."""
    lines = [f"Action: {_clean(action)}"]
    lines += [f"{_clean(key)}: {_clean(value)}" for key, value in fields]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


class Backoff:
    """Delays between attempts: ``initial``, doubled each time, at most ``maximum`` seconds."""

    def __init__(self, initial=1.0, maximum=60.0, factor=2.0):
        self.initial, self.maximum, self.factor = initial, maximum, factor
        self.delay = initial

    def next(self):
        delay = self.delay
        self.delay = min(self.delay * self.factor, self.maximum)
        return delay

    def reset(self):
        self.delay = self.initial


class AmiClient:
    """One AMI connection: log in, send actions, read events.

    Not thread-safe: one thread reads and writes. Events that arrive while
    :meth:`request` waits for its response are kept for :meth:`next_event`.
    """

    _ids = itertools.count(1)

    def __init__(self, host, port=5038, username="", secret="", timeout=10.0, events="on"):
        self.host, self.port = host, int(port)
        self.username, self.secret = username, secret
        self.timeout = timeout
        self.events_mask = events  # Login's "Events": "on", "off" or classes ("call,agent")
        self.version = ""
        self.sock = None
        self._buffer = bytearray()
        self._partial = []  # lines of a packet not yet ended
        self._pending = collections.deque()

    # connection -----------------------------------------------------------------

    def connect(self):
        """Open the connection, check the banner and log in (:class:`AmiAuthError` if refused)."""
        self.close()
        self.sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        banner = self._readline(time.monotonic() + self.timeout)
        if banner is None or not banner.startswith(BANNER):
            self.close()
            raise AmiError(f"{self.host}:{self.port} is not an Asterisk manager (it said {banner!r})")
        self.version = banner[len(BANNER) :].strip()
        fields = [("Username", self.username), ("Secret", self.secret), ("Events", self.events_mask)]
        response = self.request("Login", fields)
        if response.get("Response") != "Success":
            self.close()
            raise AmiAuthError(
                f"Asterisk at {self.host}:{self.port} refused the login of {self.username!r}: "
                f"{response.get('Message') or response.get('Response')}"
            )
        return self

    def close(self):
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.close()
        self.sock = None
        self._buffer.clear()
        self._partial = []

    def logoff(self):
        """Say goodbye (``Action: Logoff``, answered ``Response: Goodbye``) and close."""
        if self.sock is not None:
            try:
                self.request("Logoff", timeout=2.0)
            except (OSError, AmiError) as error:
                _logger.debug("AMI: no goodbye from %s:%s: %s", self.host, self.port, error)
        self.close()

    def __enter__(self):
        return self.connect()

    def __exit__(self, *exc):
        self.logoff()

    # actions --------------------------------------------------------------------

    def send_action(self, action, fields=()):
        """Send an action; its ``ActionID``."""
        if self.sock is None:
            raise AmiError("not connected")
        action_id = f"crm-{os.getpid()}-{next(self._ids)}"
        self.sock.sendall(format_action(action, [("ActionID", action_id), *fields]))
        return action_id

    def request(self, action, fields=(), timeout=None):
        """Send an action and wait for its response (events read meanwhile are kept)."""
        action_id = self.send_action(action, fields)
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            packet = self.read_packet(deadline)
            if packet is None:
                raise AmiError(
                    f"no answer to {action} within {self.timeout if timeout is None else timeout} s"
                )
            if "Event" in packet:
                self._pending.append(packet)
            elif packet.get("ActionID") == action_id:
                return packet

    def originate(self, channel, exten, context, caller_id="", priority=1, ring_timeout=30, variables=None):
        """``Action: Originate``: ring ``channel`` (a phone), then dial ``exten`` in ``context``.

        Asynchronous (``Async: true``): Asterisk answers ``Originate successfully
        queued`` at once, before the phone is picked up
        (https://docs.asterisk.org/Asterisk_18_Documentation/API_Documentation/AMI_Actions/Originate/).
        """
        fields = [
            ("Channel", channel),
            ("Exten", exten),
            ("Context", context),
            ("Priority", priority),
            ("Timeout", int(ring_timeout * 1000)),
            ("Async", "true"),
        ]
        if caller_id:
            fields.append(("CallerID", caller_id))
        fields += [("Variable", f"{name}={value}") for name, value in (variables or {}).items()]
        response = self.request("Originate", fields)
        if response.get("Response") != "Success":
            raise AmiError(f"Asterisk refused to dial {exten}: {response.get('Message') or response}")
        return response

    # reading --------------------------------------------------------------------

    def _readline(self, deadline):
        """One line (without its CRLF), or None when ``deadline`` passes first."""
        while True:
            end = self._buffer.find(b"\n")
            if end >= 0:
                raw = bytes(self._buffer[:end])
                del self._buffer[: end + 1]
                # names come in UTF-8 (or in a trunk's legacy code page): never fail on bytes
                return raw[:MAX_LINE].rstrip(b"\r").decode("utf-8", errors="replace")
            if len(self._buffer) > MAX_LINE:
                self._buffer = self._buffer[-MAX_LINE:]
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:  # noqa: UP041 (Python 3.9: not yet an alias of TimeoutError)
                return None
            if not chunk:
                raise ConnectionError(f"Asterisk at {self.host}:{self.port} closed the connection")
            self._buffer += chunk

    def read_packet(self, deadline):
        """The next packet (event or response), or None when ``deadline`` (monotonic) passes first."""
        if self.sock is None:
            raise AmiError("not connected")
        while True:
            line = self._readline(deadline)
            if line is None:
                return None  # the lines read so far stay in self._partial
            if line.strip():
                self._partial.append(line)
                if len(self._partial) < MAX_PACKET_LINES:
                    continue
                _logger.warning("AMI: a packet of over %s lines without an end; dropped", MAX_PACKET_LINES)
                self._partial = []
                continue
            if self._partial:
                packet, self._partial = parse_packet(self._partial), []
                if packet.malformed:
                    _logger.warning(
                        "AMI: %s malformed line(s) in a %r packet ignored",
                        packet.malformed,
                        packet.get("Event") or packet.get("Response"),
                    )
                if packet.pairs:
                    return packet

    def next_event(self, timeout):
        """The next event (responses are skipped), or None after ``timeout`` seconds."""
        if self._pending:
            return self._pending.popleft()
        deadline = time.monotonic() + timeout
        while True:
            packet = self.read_packet(deadline)
            if packet is None or "Event" in packet:
                return packet

    def events(self, stop, ping_interval=30.0, poll=0.5):
        """Yield events until ``stop`` (a threading.Event) is set.

        After ``ping_interval`` seconds of silence a ``Ping`` goes out; no answer
        in as long again means the connection is dead (:class:`AmiError`).
        """
        last_heard = time.monotonic()
        ping_sent = None
        while not stop.is_set():
            if self._pending:
                yield self._pending.popleft()
                continue
            packet = self.read_packet(time.monotonic() + poll)
            now = time.monotonic()
            if packet is None:
                if ping_sent is not None and now - ping_sent > ping_interval:
                    raise AmiError(f"Asterisk at {self.host}:{self.port} stopped answering (no Pong)")
                if ping_sent is None and now - last_heard > ping_interval:
                    self.send_action("Ping")
                    ping_sent = now
                continue
            last_heard, ping_sent = now, None
            if "Event" in packet:
                yield packet


def follow(client_factory, stop, handle, backoff=None, ping_interval=30.0):
    """Stay connected to Asterisk until ``stop`` is set, handing every event to ``handle``.

    A lost or refused connection is retried after :class:`Backoff` delays (back
    to the shortest once a connection held a minute); a handler that fails on an
    event is logged and the next event follows.
    """
    backoff = backoff or Backoff()
    while not stop.is_set():
        client = client_factory()
        connected_at = None
        try:
            client.connect()
            connected_at = time.monotonic()
            _logger.info(
                "AMI: logged in to %s:%s as %r (Asterisk Call Manager/%s)",
                client.host,
                client.port,
                client.username,
                client.version,
            )
            for packet in client.events(stop, ping_interval):
                try:
                    handle(packet)
                except Exception:  # an event we cannot follow must not stop the others
                    _logger.exception("AMI: the %r event could not be handled; going on", packet.get("Event"))
        except AmiAuthError as error:
            _logger.error("AMI: %s; check the user's secret and permit= in manager.conf", error)
        except (OSError, AmiError) as error:
            _logger.warning("AMI: connection to %s:%s lost or refused: %s", client.host, client.port, error)
        except Exception:  # whatever broke, the bridge reconnects rather than dies
            _logger.exception("AMI: unexpected error on the connection to %s:%s", client.host, client.port)
        finally:
            if stop.is_set():
                client.logoff()
            else:
                client.close()
        if stop.is_set():
            break
        if connected_at is not None and time.monotonic() - connected_at > 60:
            backoff.reset()
        delay = backoff.next()
        _logger.info("AMI: reconnecting in %.1f s", delay)
        stop.wait(delay)


def dial_number(number):
    """The digits (and ``+*#``) of a phone number as the dialplan receives them."""
    return re.sub(r"[^0-9+*#]", "", str(number or ""))


def originate(
    host,
    port,
    username,
    secret,
    channel,
    exten,
    context="from-internal",
    caller_id="",
    timeout=10.0,
    ring_timeout=30,
    variables=None,
):
    """Click to dial: log in, ring ``channel`` (``PJSIP/101``), then dial ``exten`` in ``context``.

    Every failure is an :class:`AmiError` whose message (English) says what to
    fix; its class tells a caller which one to translate: :class:`AmiUnreachable`,
    :class:`AmiAuthError`, else a refused action or no number to dial.
    """
    number = dial_number(exten)
    if not number:
        raise AmiError(f"no number to dial in {exten!r}")
    if not host or not username:
        raise AmiError("the AMI host and user are not set")
    client = AmiClient(host, port, username, secret, timeout=timeout, events="off")
    try:
        client.connect()
        response = client.originate(
            channel, number, context, caller_id=caller_id, ring_timeout=ring_timeout, variables=variables
        )
    except OSError as error:
        raise AmiUnreachable(f"Asterisk at {host}:{port} is unreachable: {error}") from None
    finally:
        client.logoff()
    return response.get("ActionID", "")


# -- the call tracker ------------------------------------------------------------------
#
# Events followed, as Asterisk 13+ emits them with chan_pjsip or chan_sip
# (Asterisk 18 reference: https://docs.asterisk.org/Asterisk_18_Documentation/API_Documentation/AMI_Events/,
# pages Newchannel, Newstate, DialBegin, DialState, DialEnd, BridgeEnter,
# BridgeLeave, Hangup, VarSet, BlindTransfer, AttendedTransfer,
# QueueCallerJoin, QueueCallerAbandon, AgentCalled, AgentConnect):
#
# - every channel event carries the channel's snapshot: Channel, ChannelState,
#   CallerIDNum, Context, Exten, Uniqueid and Linkedid ("Uniqueid of the oldest
#   channel associated with this channel"); DialBegin/DialEnd/AgentCalled add the
#   dialled channel's with the prefix "Dest"; numbers unknown read "<unknown>";
# - a call is its Linkedid: a dialled channel inherits it, and a bridge copies
#   the oldest Linkedid onto every channel in it (main/bridge_channel.c,
#   bridge_channel_update_linkedids), so an attended transfer moves channels
#   from the consultation call into the client's call;
# - DialBegin without a caller is Originate ringing our phone (click to dial,
#   main/manager_channels.c channel_dial_cb); app_queue sends DialBegin/DialEnd
#   for every member it rings, next to AgentCalled;
# - with "channelvars = MIXMONITOR_FILENAME" in manager.conf each snapshot adds
#   "ChanVariable: MIXMONITOR_FILENAME=<file>"; with read=dialplan a VarSet
#   event says it once.

INTERNAL_PATTERN = r"^\d{2,5}$"
INTERNAL_CONTEXTS = ("from-internal", "from-internal-xfer", "from-users", "internal", "phones")
EXTERNAL_CONTEXTS = ("from-external", "from-trunk", "from-pstn", "from-did", "incoming")
RECORDING_VARIABLES = ("MIXMONITOR_FILENAME",)
# DialEnd's DialStatus for a call nobody answered -> generic hangup reason
DIAL_STATUS_REASONS = {
    "BUSY": "busy",
    "NOANSWER": "no_answer",
    "CANCEL": "cancel",
    "CHANUNAVAIL": "failed",
    "CONGESTION": "failed",
    "ABORT": "failed",
}
# Q.850 cause of the first Hangup (include/asterisk/causes.h) for a call nobody
# answered and no dial ended -> generic reason; anything else is "failed"
CAUSE_REASONS = {
    16: "cancel",  # Normal Clearing before any answer: the caller gave up
    17: "busy",  # User busy
    18: "no_answer",  # No user responding
    19: "no_answer",  # User alerting, no answer
    20: "no_answer",  # Subscriber absent
    21: "failed",  # Call Rejected
    31: "cancel",  # Normal, unspecified
}
_SPECIAL_EXTENS = {"", "s", "h", "i", "t", "T", "o", "a", "e"}
_CHANNEL = re.compile(r"^(?P<tech>[^/]+)/(?P<resource>.+?)(?:-[0-9a-fA-F]+)?(?:;[12])?$")


@dataclasses.dataclass
class Rules:
    """How the tracker reads a call; every rule an administrator may change.

    - *internal extension*: a number matching ``internal_pattern``; a phone is a
      channel ``<tech>/<resource>-<n>`` whose resource is one (``PJSIP/101-0000001a``);
    - *direction*: the caller is internal when the call's first channel starts in
      one of ``internal_contexts``, external in one of ``external_contexts``, else
      when it is a phone or its number is an internal extension. An external
      caller makes the call ``inbound``; an internal caller makes it ``internal``
      when the dialled channel is a phone, else ``outbound``;
    - *recording*: the last value of a ``recording_variables`` variable, given as
      ``recording_url`` with ``{value}``, ``{basename}``, ``{linkedid}``;
    - *reason* of a call nobody answered: queue abandon or cancelled dial ->
      ``cancel``, else the last DialStatus by ``dial_status_reasons``, else the
      first Hangup cause by ``cause_reasons``; an answered call ends ``normal``.
    """

    internal_pattern: str = INTERNAL_PATTERN
    internal_contexts: tuple = INTERNAL_CONTEXTS
    external_contexts: tuple = EXTERNAL_CONTEXTS
    recording_variables: tuple = RECORDING_VARIABLES
    recording_url: str = "{value}"
    call_id_prefix: str = ""
    dial_status_reasons: dict = dataclasses.field(default_factory=lambda: dict(DIAL_STATUS_REASONS))
    cause_reasons: dict = dataclasses.field(default_factory=lambda: dict(CAUSE_REASONS))
    # an inbound call that ended before any phone rang (IVR, empty queue) is still
    # reported (ringing without extension, then hangup): nobody took it
    report_unreached: bool = True
    stale_after: float = 6 * 3600.0  # seconds without an event before a call is given up

    def __post_init__(self):
        self._internal = re.compile(self.internal_pattern)

    def is_internal(self, number):
        return bool(number) and bool(self._internal.match(number))


@dataclasses.dataclass
class _Channel:
    uniqueid: str
    name: str
    linkedid: str
    first_context: str
    extension: str = ""  # the internal extension in the channel's name
    local: bool = False  # a Local/ channel: a dialplan detour, never a phone
    caller: str = ""
    dialled: str = ""  # the first real Exten the channel ran
    state: str = ""

    @property
    def phone(self):
        return bool(self.extension) and not self.local


@dataclasses.dataclass
class _Call:
    linkedid: str
    started: float
    origin: str  # uniqueid of the call's first channel
    origin_context: str = ""
    origin_phone: str = ""
    caller: str = ""
    dialled: str = ""
    live: set = dataclasses.field(default_factory=set)
    originated: bool = False  # click to dial: Originate rang our phone first
    seen_start: bool = False  # its first channel's Newchannel was seen (not joined midway)
    callee_internal: bool | None = None
    candidates: dict = dataclasses.field(default_factory=dict)  # uniqueid -> extension rung
    ring_at: float | None = None
    emitted: set = dataclasses.field(default_factory=set)
    answered: str = ""  # the extension that answered first
    last: str = ""  # the extension that held the call last (after transfers)
    recording: str = ""
    cancelled: bool = False
    dial_status: str = ""
    first_cause: int | None = None
    last_seen: float = 0.0


class CallTracker:
    """Follow calls through their AMI events; give the generic events they make.

    :meth:`feed` takes one event packet and returns the generic event dicts it
    completes (the JSON objects of ``generic.py``), in order, at most one
    ``ringing``, one ``answered`` and one ``hangup`` per call (its Linkedid):

    - ``ringing``: inbound or internal, when a phone the call dialled starts
      ringing (Newstate 5 / DialState RINGING), naming every phone dialled so far
      (``ring_extensions`` when more than one); outbound, when the call dials out
      (DialBegin towards a non-phone);
    - ``answered``: when a bridge holds a phone and the other party (two phones
      for an internal call), or on AgentConnect;
    - ``hangup``: once, when the call's last channel hangs up, with the reason,
      the recording and the extension that held the call last (after a transfer,
      the transfer's target; for an unanswered call only when one phone rang).
    """

    def __init__(self, rules=None, clock=time.time):
        self.rules = rules or Rules()
        self.clock = clock
        self.channels = {}
        self.calls = {}
        self.bridges = {}
        self._gone = collections.OrderedDict()  # uniqueids hung up (late events must not revive them)
        self._handlers = {
            "Newchannel": self._on_newchannel,
            "Newstate": self._on_newstate,
            "DialBegin": self._on_dial_begin,
            "DialState": self._on_dial_state,
            "DialEnd": self._on_dial_end,
            "AgentCalled": self._on_agent_called,
            "AgentConnect": self._on_agent_connect,
            "QueueCallerAbandon": self._on_queue_abandon,
            "BridgeEnter": self._on_bridge_enter,
            "BridgeLeave": self._on_bridge_leave,
            "BridgeDestroy": self._on_bridge_destroy,
            "BridgeMerge": self._on_bridge_merge,
            "VarSet": self._on_var_set,
            "BlindTransfer": self._on_blind_transfer,
            "AttendedTransfer": self._on_attended_transfer,
            "Hangup": self._on_hangup,
        }

    def feed(self, packet):
        """The generic events ``packet`` completes; never raises (a bad event is logged)."""
        name = packet.get("Event")
        if not name:
            return []
        out = []
        try:
            at = self._time(packet)
            handler = self._handlers.get(name)
            if handler:
                handler(packet, at, out)
            else:  # any other channel event still tells where a channel is (or moved)
                self._touch(packet, "", at, out)
        except Exception:  # a packet we cannot read must not lose the calls around it
            _logger.exception("AMI tracker: the %r event could not be followed; ignored", name)
        return out

    def expire(self, now=None):
        """Give up calls without an event for ``rules.stale_after`` seconds (a missed Hangup)."""
        now = self.clock() if now is None else now
        out = []
        for call in [c for c in self.calls.values() if now - c.last_seen > self.rules.stale_after]:
            _logger.warning(
                "AMI tracker: call %s silent since %s; closed", call.linkedid, _iso(call.last_seen)
            )
            for uniqueid in call.live:
                self._forget(uniqueid)
            call.live.clear()
            self._finish(call, call.last_seen, out)
        return out

    # snapshots ----------------------------------------------------------------------

    def _time(self, packet):
        try:
            return float(packet["Timestamp"])
        except (KeyError, ValueError):
            return self.clock()

    def _touch(self, packet, prefix, at, out):
        """The channel a snapshot (keys after ``prefix``) describes, created or updated."""
        uniqueid = packet.get(prefix + "Uniqueid")
        linkedid = packet.get(prefix + "Linkedid")
        name = packet.get(prefix + "Channel")
        if not uniqueid or not linkedid or not name or uniqueid in self._gone:
            return None
        context = packet.get(prefix + "Context", "")
        channel = self.channels.get(uniqueid)
        if channel is None:
            channel = self._new_channel(uniqueid, name, linkedid, context, at)
        elif channel.linkedid != linkedid and _age(linkedid) < _age(channel.linkedid):
            # Asterisk only ever gives a channel an older Linkedid; a newer one is stale news
            self._move(channel, linkedid, at, out)
        channel.name = name
        channel.state = packet.get(prefix + "ChannelState", channel.state)
        number = _number(packet.get(prefix + "CallerIDNum"))
        channel.caller = channel.caller or number
        exten = packet.get(prefix + "Exten", "")
        if not channel.dialled and exten not in _SPECIAL_EXTENS:
            channel.dialled = exten
        call = self.calls[channel.linkedid]
        call.last_seen = max(call.last_seen, at)
        if uniqueid == call.origin:
            call.caller = call.caller or channel.caller
            call.dialled = call.dialled or channel.dialled
        for variable in packet.getall(prefix + "ChanVariable"):
            variable_name, _eq, value = variable.partition("=")
            self._recording(call, variable_name, value)
        return channel

    def _new_channel(self, uniqueid, name, linkedid, context, at):
        match = _CHANNEL.match(name)
        tech, resource = (match["tech"], match["resource"]) if match else ("", "")
        local = tech.lower() == "local"
        number = resource.split("@")[0] if local else resource
        channel = _Channel(
            uniqueid,
            name,
            linkedid,
            first_context=context,
            extension=number if self.rules.is_internal(number) else "",
            local=local,
        )
        self.channels[uniqueid] = channel
        self._join(channel, linkedid, at)
        return channel

    def _join(self, channel, linkedid, at):
        channel.linkedid = linkedid
        call = self.calls.get(linkedid)
        if call is None:
            call = self.calls[linkedid] = _Call(linkedid, started=at, origin=channel.uniqueid, last_seen=at)
            call.origin_context = channel.first_context
            call.origin_phone = channel.extension if channel.phone else ""
        call.live.add(channel.uniqueid)
        return call

    def _move(self, channel, linkedid, at, out):
        """Bridging gave ``channel`` an older Linkedid: it now belongs to that call."""
        old = self.calls.get(channel.linkedid)
        if old is not None:
            old.live.discard(channel.uniqueid)
            if not old.live:
                self._finish(old, at, out)
        self._join(channel, linkedid, at)

    def _unify(self, bridge_id, at, out):
        """Give every channel in the bridge its oldest Linkedid, as Asterisk does on a bridge join."""
        members = [self.channels[uid] for uid in self.bridges.get(bridge_id, ()) if uid in self.channels]
        oldest = min((m.linkedid for m in members), key=_age, default=None)
        for member in members:
            if member.linkedid != oldest:
                self._move(member, oldest, at, out)

    def _forget(self, uniqueid):
        channel = self.channels.pop(uniqueid, None)
        for members in self.bridges.values():
            if uniqueid in members:
                members.remove(uniqueid)
        self._gone[uniqueid] = True
        while len(self._gone) > 10000:
            self._gone.popitem(last=False)
        return channel

    # call logic ---------------------------------------------------------------------

    def _caller_internal(self, call):
        if call.originated:
            return True
        if call.origin_context in self.rules.internal_contexts:
            return True
        if call.origin_context in self.rules.external_contexts:
            return False
        return bool(call.origin_phone) or self.rules.is_internal(call.caller)

    def _direction(self, call):
        if not self._caller_internal(call):
            return "inbound"
        callee_internal = call.callee_internal
        if callee_internal is None:
            callee_internal = self.rules.is_internal(call.dialled)
        return "internal" if callee_internal else "outbound"

    def _recording(self, call, name, value):
        if name in self.rules.recording_variables and value:
            call.recording = value

    def _candidate(self, call, channel, extension, at):
        if channel.uniqueid != call.origin and extension:
            call.candidates.setdefault(channel.uniqueid, extension)
            if call.ring_at is None:
                call.ring_at = at

    def _ring(self, channel, at, out):
        call = self.calls.get(channel.linkedid)
        if call is None or channel.uniqueid not in call.candidates:
            return
        if self._direction(call) in ("inbound", "internal"):
            self._emit_ringing(call, at, out, first=call.candidates[channel.uniqueid])

    def _extensions(self, call):
        return list(dict.fromkeys(call.candidates.values()))

    def _emit_ringing(self, call, at, out, first=""):
        if "ringing" in call.emitted:
            return
        direction = self._direction(call)
        extra = {}
        if direction == "outbound":
            extension = call.origin_phone or call.last
        else:
            rung = self._extensions(call)
            extension = first or (rung[0] if rung else "")
            if len(rung) > 1:
                extra["ring_extensions"] = rung
        self._emit(call, "ringing", at, out, extension, **extra)

    def _answer(self, call, extension, at, out):
        call.last = extension
        if "answered" in call.emitted:
            return
        self._emit_ringing(call, call.ring_at or call.started, out)
        call.answered = extension
        direction = self._direction(call)
        self._emit(call, "answered", at, out, call.origin_phone if direction == "outbound" else extension)

    def _check_bridge(self, bridge_id, call, at, out):
        """A bridge holding a phone and the other party answers the call."""
        members = [
            self.channels[uid]
            for uid in self.bridges.get(bridge_id, ())
            if uid in self.channels and self.channels[uid].linkedid == call.linkedid
        ]
        if len(members) < 2:
            return
        phones = [m for m in members if m.phone]
        if self._direction(call) == "internal":
            called = [m for m in phones if m.uniqueid != call.origin]
            if len(phones) >= 2 and called:
                self._answer(call, called[-1].extension, at, out)
        elif phones and any(not m.phone and not m.local for m in members):
            self._answer(call, phones[-1].extension, at, out)

    def _reason(self, call):
        if call.answered:
            return "normal"
        if call.cancelled:
            return "cancel"
        if call.dial_status:
            return self.rules.dial_status_reasons.get(call.dial_status, "failed")
        return self.rules.cause_reasons.get(call.first_cause, "failed")

    def _finish(self, call, at, out):
        """The call's last channel is gone: ringing if never said, then hangup."""
        self.calls.pop(call.linkedid, None)
        if "ringing" not in call.emitted:
            direction = self._direction(call)
            unreached = direction == "inbound" and call.seen_start and self.rules.report_unreached
            if not call.candidates and not unreached:
                return  # never reached anybody: a feature code, a test, a call joined after a reconnection
            self._emit_ringing(call, call.ring_at or call.started, out)
        extension = call.last
        if not extension:
            rung = self._extensions(call)
            if self._direction(call) == "outbound":
                extension = call.origin_phone
            elif len(rung) == 1:
                extension = rung[0]
        extra = {"reason": self._reason(call)}
        if call.recording:
            extra["recording_url"] = self.rules.recording_url.format(
                value=call.recording, basename=call.recording.rsplit("/", 1)[-1], linkedid=call.linkedid
            )
        self._emit(call, "hangup", at, out, extension, **extra)

    def _emit(self, call, kind, at, out, extension, **extra):
        call.emitted.add(kind)
        event = {
            "event": kind,
            "call_id": self.rules.call_id_prefix + call.linkedid,
            "direction": self._direction(call),
            "from": call.caller,
            "to": call.dialled,
            "timestamp": _iso(at),
        }
        if extension:
            event["extension"] = extension
        event.update(extra)
        out.append(event)

    # handlers -----------------------------------------------------------------------

    def _on_newchannel(self, packet, at, out):
        channel = self._touch(packet, "", at, out)
        if channel is not None and channel.uniqueid == self.calls[channel.linkedid].origin:
            self.calls[channel.linkedid].seen_start = True

    def _on_newstate(self, packet, at, out):
        channel = self._touch(packet, "", at, out)
        if channel is not None and channel.state == "5":  # Ringing
            self._ring(channel, at, out)

    def _dial(self, packet, at, out):
        caller = self._touch(packet, "", at, out)
        dest = self._touch(packet, "Dest", at, out)
        if dest is None:
            return None, None, None
        return caller, dest, self.calls[dest.linkedid]

    def _on_dial_begin(self, packet, at, out):
        caller, dest, call = self._dial(packet, at, out)
        if dest is None:
            return
        if caller is None:
            if dest.uniqueid == call.origin:
                call.originated = True  # Originate rings our phone first
            return
        if dest.local:
            return
        if dest.phone:
            if call.callee_internal is None:
                call.callee_internal = True
            self._candidate(call, dest, dest.extension, at)
            return
        if call.callee_internal is None:
            call.callee_internal = False
        if self._direction(call) == "outbound":
            call.ring_at = call.ring_at or at
            self._emit_ringing(call, at, out)

    def _on_dial_state(self, packet, at, out):
        _caller, dest, _call = self._dial(packet, at, out)
        if dest is not None and packet.get("DialStatus") == "RINGING":
            self._ring(dest, at, out)

    def _on_dial_end(self, packet, at, out):
        _caller, dest, call = self._dial(packet, at, out)
        if dest is None:
            return
        status = packet.get("DialStatus", "")
        if status == "CANCEL":
            call.cancelled = True
        elif status and status not in ("ANSWER", "CONTINUE") and not status.startswith("GOTO"):
            call.dial_status = status

    def _agent_extension(self, packet, dest):
        if dest.phone:
            return dest.extension
        interface = packet.get("Interface", "")  # PJSIP/101, Local/101@from-queue/n
        match = re.match(r"^[^/]+/([^@/]+)", interface)
        number = match.group(1) if match else ""
        return number if self.rules.is_internal(number) else ""

    def _on_agent_called(self, packet, at, out):
        _caller, dest, call = self._dial(packet, at, out)
        if dest is not None:
            self._candidate(call, dest, self._agent_extension(packet, dest), at)

    def _on_agent_connect(self, packet, at, out):
        _caller, dest, call = self._dial(packet, at, out)
        extension = self._agent_extension(packet, dest) if dest is not None else ""
        if extension:
            self._answer(call, extension, at, out)

    def _on_queue_abandon(self, packet, at, out):
        channel = self._touch(packet, "", at, out)
        if channel is not None:
            self.calls[channel.linkedid].cancelled = True

    def _on_bridge_enter(self, packet, at, out):
        channel = self._touch(packet, "", at, out)
        bridge_id = packet.get("BridgeUniqueid")
        if channel is None or not bridge_id:
            return
        members = self.bridges.setdefault(bridge_id, [])
        swapped = packet.get("SwapUniqueid")
        if swapped in members:
            members.remove(swapped)
        if channel.uniqueid not in members:
            members.append(channel.uniqueid)
        self._unify(bridge_id, at, out)
        self._check_bridge(bridge_id, self.calls[channel.linkedid], at, out)

    def _on_bridge_merge(self, packet, at, out):
        # BridgeMerge: every channel of the "From" bridge now is in the "To" bridge
        target, source = packet.get("ToBridgeUniqueid"), packet.get("FromBridgeUniqueid")
        if not target or not source:
            return
        members = self.bridges.setdefault(target, [])
        members += [uid for uid in self.bridges.pop(source, []) if uid not in members]
        self._unify(target, at, out)
        for linkedid in {self.channels[uid].linkedid for uid in members if uid in self.channels}:
            self._check_bridge(target, self.calls[linkedid], at, out)

    def _on_bridge_leave(self, packet, at, out):
        channel = self._touch(packet, "", at, out)
        members = self.bridges.get(packet.get("BridgeUniqueid"), [])
        if channel is not None and channel.uniqueid in members:
            members.remove(channel.uniqueid)

    def _on_bridge_destroy(self, packet, at, out):
        self.bridges.pop(packet.get("BridgeUniqueid"), None)

    def _on_var_set(self, packet, at, out):
        channel = self._touch(packet, "", at, out)
        if channel is not None:
            self._recording(self.calls[channel.linkedid], packet.get("Variable", ""), packet.get("Value", ""))

    def _on_blind_transfer(self, packet, at, out):
        self._touch(packet, "Transferer", at, out)
        transferee = self._touch(packet, "Transferee", at, out)
        _logger.info(
            "AMI tracker: call %s blind-transferred by %s to %s@%s: %s",
            transferee.linkedid if transferee else "?",
            packet.get("TransfererChannel"),
            packet.get("Extension"),
            packet.get("Context"),
            packet.get("Result"),
        )

    def _on_attended_transfer(self, packet, at, out):
        for prefix in ("OrigTransferer", "SecondTransferer", "Transferee", "TransferTarget"):
            self._touch(packet, prefix, at, out)
        _logger.info(
            "AMI tracker: attended transfer by %s to %s: %s",
            packet.get("OrigTransfererChannel"),
            packet.get("SecondTransfererChannel"),
            packet.get("Result"),
        )

    def _on_hangup(self, packet, at, out):
        channel = self._touch(packet, "", at, out)
        if channel is None:
            return
        call = self.calls[channel.linkedid]
        if call.first_cause is None:
            cause = packet.get("Cause", "")
            call.first_cause = int(cause) if cause.isdigit() else 0
        self._forget(channel.uniqueid)
        call.live.discard(channel.uniqueid)
        if not call.live:
            self._finish(call, at, out)


def _number(value):
    value = (value or "").strip()
    return "" if value == "<unknown>" else value


def _age(linkedid):
    # a Uniqueid is "[<system name>-]<Unix seconds>.<counter>": older sorts first
    match = re.search(r"(\d+)\.(\d+)$", linkedid or "")
    return (int(match[1]), int(match[2]), linkedid) if match else (float("inf"), 0, linkedid or "")


def _iso(at):
    moment = datetime.datetime.fromtimestamp(at, datetime.timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
