"""Asterisk: the AMI call tracker, the AMI client and the bridge program (issue #11).

Asterisk is not installable here: ``ami_server.ReplayAmiServer`` speaks AMI on
a loopback port and replays recorded call flows (``data/ami/*.ami``), and a
loopback HTTP server stands in for Odoo's endpoint, checking each request with
the real generic adapter (``generic.verify`` and ``generic.parse``).
"""

import contextlib
import http.server
import importlib.util
import json
import logging
import os
import socket
import sys
import threading
import time

from odoo.tests import BaseCase, tagged

from ..services.pbx import ami, generic
from ..services.pbx.event import PbxRequest, Refused
from . import ami_server

BRIDGE = os.path.join(os.path.dirname(os.path.dirname(__file__)), "bin", "crm_ami_bridge.py")
SECRET = "whsec_3f9a1c7e"  # the connection's secret (generic signature)


def _event(kind, call_id, direction, caller, called, at, extension="", **extra):
    event = {
        "event": kind,
        "call_id": call_id,
        "direction": direction,
        "from": caller,
        "to": called,
        "timestamp": at,
    }
    if extension:
        event["extension"] = extension
    event.update(extra)
    return event


IN_REC = "/var/spool/asterisk/monitor/2023/11/30/in-74951234567-79123456789-1701336902.18.wav"
OUT_REC = "/var/spool/asterisk/monitor/2023/11/30/out-89123456789-101-1701338212.40.wav"
INBOUND_ANSWERED = [
    _event(
        "ringing", "1701336902.18", "inbound", "79123456789", "74951234567", "2023-11-30T09:35:03.130Z", "101"
    ),
    _event(
        "answered",
        "1701336902.18",
        "inbound",
        "79123456789",
        "74951234567",
        "2023-11-30T09:35:09.144Z",
        "101",
    ),
    _event(
        "hangup",
        "1701336902.18",
        "inbound",
        "79123456789",
        "74951234567",
        "2023-11-30T09:36:43.154Z",
        "101",
        reason="normal",
        recording_url=IN_REC,
    ),
]
INBOUND_MISSED = [
    _event(
        "ringing",
        "1701337800.22",
        "inbound",
        "74957778899",
        "74951234567",
        "2023-11-30T09:50:01.132Z",
        "101",
        ring_extensions=["101", "102"],
    ),
    _event(
        "hangup",
        "1701337800.22",
        "inbound",
        "74957778899",
        "74951234567",
        "2023-11-30T09:50:18.149Z",
        reason="cancel",
    ),
]
OUTBOUND_ANSWERED = [
    _event("ringing", "1701338212.40", "outbound", "101", "89123456789", "2023-11-30T09:56:52.120Z", "101"),
    _event("answered", "1701338212.40", "outbound", "101", "89123456789", "2023-11-30T09:57:06.133Z", "101"),
    _event(
        "hangup",
        "1701338212.40",
        "outbound",
        "101",
        "89123456789",
        "2023-11-30T10:00:29.142Z",
        "101",
        reason="normal",
        recording_url=OUT_REC,
    ),
]
INBOUND_TRANSFER = [
    _event(
        "ringing", "1701340211.55", "inbound", "79031112233", "74951234567", "2023-11-30T10:30:12.123Z", "101"
    ),
    _event(
        "answered",
        "1701340211.55",
        "inbound",
        "79031112233",
        "74951234567",
        "2023-11-30T10:30:16.135Z",
        "101",
    ),
    _event(
        "hangup",
        "1701340211.55",
        "inbound",
        "79031112233",
        "74951234567",
        "2023-11-30T10:33:04.171Z",
        "102",
        reason="normal",
    ),
]
RECORDINGS = {
    "inbound_answered.ami": INBOUND_ANSWERED,
    "inbound_missed_queue.ami": INBOUND_MISSED,
    "outbound_answered.ami": OUTBOUND_ANSWERED,
    "inbound_transfer.ami": INBOUND_TRANSFER,
}


def _track(packets, tracker=None):
    """The generic events a tracker makes of AMI packets (raw texts or dicts)."""
    tracker = tracker or ami.CallTracker()
    events = []
    for packet in packets:
        if isinstance(packet, str):
            packet = ami.split_packets(packet)[0]
        elif not isinstance(packet, ami.Packet):
            packet = ami.Packet(packet.items())
        events += tracker.feed(packet)
    return events


def _snap(prefix, name, uniqueid, linkedid, context="from-internal", exten="s", number="<unknown>", state=0):
    return {
        f"{prefix}Channel": name,
        f"{prefix}ChannelState": str(state),
        f"{prefix}CallerIDNum": number,
        f"{prefix}Context": context,
        f"{prefix}Exten": exten,
        f"{prefix}Uniqueid": uniqueid,
        f"{prefix}Linkedid": linkedid,
    }


class _Flow:
    """A hand-made AMI event flow with a clock: ``flow.add("Newstate", at=1, **snapshot)``."""

    def __init__(self, start=1701345600.0):
        self.now = start
        self.packets = []

    def add(self, event, after=0.0, *snapshots, **fields):
        self.now += after
        packet = {"Event": event, "Privilege": "call,all", "Timestamp": f"{self.now:.6f}"}
        for snapshot in snapshots:
            packet.update(snapshot)
        packet.update(fields)
        self.packets.append(packet)


@tagged("post_install", "-at_install")
class TestAmiTracker(BaseCase):
    """services/pbx/ami.py CallTracker: recorded Asterisk call flows in, generic events out."""

    def _recording(self, name):
        return _track(ami_server.load_capture(name))

    def test_inbound_answered(self):
        """An inbound call answered by 101: ringing, answered, hangup (normal, with the recording)."""
        self.assertEqual(self._recording("inbound_answered.ami"), INBOUND_ANSWERED)

    def test_inbound_missed_queue(self):
        """The caller hangs up while a queue rings 101 and 102: ringing naming both, hangup cancel."""
        self.assertEqual(self._recording("inbound_missed_queue.ami"), INBOUND_MISSED)

    def test_outbound_answered(self):
        """101 calls out: ringing when the trunk is dialled, answered on the bridge, with the recording."""
        self.assertEqual(self._recording("outbound_answered.ami"), OUTBOUND_ANSWERED)

    def test_blind_transfer(self):
        """101 answers and blind-transfers to 102: one call, still inbound, ended by 102."""
        self.assertEqual(self._recording("inbound_transfer.ami"), INBOUND_TRANSFER)

    def test_every_event_parses_as_generic(self):
        """Each event the tracker makes is a valid generic JSON body (generic.parse)."""
        for name, expected in RECORDINGS.items():
            for event in expected:
                body = json.dumps(event).encode()
                (parsed,) = generic.parse(PbxRequest(body=body, headers={}))
                self.assertEqual(
                    (parsed.kind, parsed.call_id, parsed.extension),
                    (event["event"], event["call_id"], event.get("extension", "")),
                    name,
                )

    def test_internal_call(self):
        """101 calls 102: direction internal, the called extension rings and answers."""
        flow = _Flow()
        caller = _snap(
            "", "PJSIP/101-00000050", "1701345600.80", "1701345600.80", exten="102", number="101", state=4
        )
        callee = _snap("Dest", "PJSIP/102-00000051", "1701345600.81", "1701345600.80", exten="102")
        flow.add("Newchannel", 0, caller)
        flow.add("DialBegin", 0.01, caller, callee, DialString="102")
        callee_own = {key[4:]: value for key, value in callee.items()}
        flow.add("Newstate", 0.5, callee_own, ChannelState="5")
        flow.add("Newstate", 3, callee_own, ChannelState="6")
        flow.add("BridgeEnter", 0.01, caller, BridgeUniqueid="b-1")
        flow.add("BridgeEnter", 0.01, callee_own, BridgeUniqueid="b-1")
        flow.add("Hangup", 30, callee_own, Cause="16")
        flow.add("Hangup", 0.01, caller, Cause="16")
        events = _track(flow.packets)
        self.assertEqual(
            [(e["event"], e["direction"], e["from"], e["to"], e.get("extension")) for e in events],
            [
                ("ringing", "internal", "101", "102", "102"),
                ("answered", "internal", "101", "102", "102"),
                ("hangup", "internal", "101", "102", "102"),
            ],
        )
        self.assertEqual(events[-1]["reason"], "normal")

    def test_outbound_busy(self):
        """An outbound call to a busy number: ringing then hangup busy, never answered."""
        flow = _Flow()
        phone = _snap(
            "",
            "PJSIP/101-00000060",
            "1701345600.90",
            "1701345600.90",
            exten="84957778899",
            number="101",
            state=4,
        )
        trunk = _snap(
            "Dest", "PJSIP/sipnet-00000061", "1701345600.91", "1701345600.90", "from-external", "84957778899"
        )
        flow.add("Newchannel", 0, phone)
        flow.add("DialBegin", 0.01, phone, trunk, DialString="84957778899@sipnet")
        flow.add("DialEnd", 2, phone, trunk, DialStatus="BUSY")
        flow.add("Hangup", 0.01, {key[4:]: value for key, value in trunk.items()}, Cause="17")
        flow.add("Hangup", 0.01, phone, Cause="17")
        events = _track(flow.packets)
        self.assertEqual([e["event"] for e in events], ["ringing", "hangup"])
        self.assertEqual(
            (events[1]["direction"], events[1]["reason"], events[1]["extension"]), ("outbound", "busy", "101")
        )

    def test_click_to_dial(self):
        """Originate rings 101 first (DialBegin without caller): no inbound ringing; then an outbound call."""
        flow = _Flow()
        leg = _snap("", "PJSIP/101-00000070", "1701345600.95", "1701345600.95", number="101")
        flow.add("Newchannel", 0, leg)
        flow.add(
            "DialBegin",
            0.01,
            _snap("Dest", "PJSIP/101-00000070", "1701345600.95", "1701345600.95", number="101"),
            DialString="101",
        )
        flow.add("Newstate", 0.3, leg, ChannelState="5")
        flow.add("Newstate", 2, leg, ChannelState="6")
        flow.add(
            "DialEnd",
            0,
            _snap("Dest", "PJSIP/101-00000070", "1701345600.95", "1701345600.95"),
            DialStatus="ANSWER",
        )
        dialling = dict(leg, Exten="89123456789", ChannelState="6")
        flow.add("Newexten", 0.01, dialling, Application="Dial")
        trunk = _snap("Dest", "PJSIP/sipnet-00000071", "1701345600.96", "1701345600.95", "from-external")
        flow.add("DialBegin", 0.01, dialling, trunk, DialString="89123456789@sipnet")
        flow.add("DialEnd", 9, dialling, trunk, DialStatus="NOANSWER")
        flow.add("Hangup", 0.01, {key[4:]: value for key, value in trunk.items()}, Cause="19")
        flow.add("Hangup", 0.01, dialling, Cause="16")
        events = _track(flow.packets)
        self.assertEqual(
            [(e["event"], e["direction"], e["from"], e["to"], e.get("reason")) for e in events],
            [
                ("ringing", "outbound", "101", "89123456789", None),
                ("hangup", "outbound", "101", "89123456789", "no_answer"),
            ],
        )

    def test_attended_transfer_moves_channels(self):
        """An attended transfer: the bridge gives 102 the client's older Linkedid; each call ends once."""
        flow = _Flow()
        trunk = _snap(
            "",
            "PJSIP/sipnet-00000080",
            "1701345600.60",
            "1701345600.60",
            "from-external",
            "74951234567",
            "79261234567",
            4,
        )
        first = _snap("", "PJSIP/101-00000081", "1701345600.61", "1701345600.60")
        flow.add("Newchannel", 0, trunk)
        flow.add("DialBegin", 0.01, trunk, {"Dest" + k: v for k, v in first.items()}, DialString="101")
        flow.add("Newstate", 1, first, ChannelState="5")
        flow.add("BridgeEnter", 3, trunk, BridgeUniqueid="b-1")
        flow.add("BridgeEnter", 0.01, first, BridgeUniqueid="b-1")
        consult = _snap(
            "", "PJSIP/101-00000082", "1701345620.62", "1701345620.62", exten="102", number="101", state=4
        )
        target = _snap("", "PJSIP/102-00000083", "1701345620.63", "1701345620.62", exten="102")
        flow.add("Newchannel", 20, consult)
        flow.add("DialBegin", 0.01, consult, {"Dest" + k: v for k, v in target.items()}, DialString="102")
        flow.add("Newstate", 1, target, ChannelState="5")
        flow.add("BridgeEnter", 2, consult, BridgeUniqueid="b-2")
        flow.add("BridgeEnter", 0.01, target, BridgeUniqueid="b-2")
        flow.add("BridgeLeave", 10, first, BridgeUniqueid="b-1")
        flow.add("BridgeLeave", 0.01, trunk, BridgeUniqueid="b-1")
        flow.add("BridgeEnter", 0.01, trunk, BridgeUniqueid="b-2", SwapUniqueid="1701345620.62")
        flow.add(
            "AttendedTransfer",
            0.01,
            Result="Success",
            OrigTransfererChannel="PJSIP/101-00000081",
            SecondTransfererChannel="PJSIP/101-00000082",
        )
        flow.add("Hangup", 0.01, first, Cause="16")
        flow.add("Hangup", 0.01, consult, Cause="16")
        flow.add("Hangup", 60, trunk, Cause="16")
        flow.add("Hangup", 0.01, dict(target, Linkedid="1701345600.60"), Cause="16")
        events = _track(flow.packets)
        self.assertEqual(
            [(e["call_id"], e["event"], e["direction"], e.get("extension")) for e in events],
            [
                ("1701345600.60", "ringing", "inbound", "101"),
                ("1701345600.60", "answered", "inbound", "101"),
                ("1701345620.62", "ringing", "internal", "102"),
                ("1701345620.62", "answered", "internal", "102"),
                ("1701345620.62", "hangup", "internal", "102"),
                ("1701345600.60", "hangup", "inbound", "102"),
            ],
        )

    def test_unreached_inbound_call_is_reported(self):
        """A caller who hangs up in the IVR (no phone rang) is still reported: ringing, then hangup."""
        flow = _Flow()
        trunk = _snap(
            "",
            "PJSIP/sipnet-00000090",
            "1701345600.70",
            "1701345600.70",
            "from-external",
            "74951234567",
            "79161112233",
            4,
        )
        flow.add("Newchannel", 0, trunk)
        flow.add("Newstate", 0.1, trunk, ChannelState="6")
        flow.add("Hangup", 12, trunk, Cause="16")
        events = _track(flow.packets)
        self.assertEqual(
            [(e["event"], e.get("extension"), e.get("reason")) for e in events],
            [("ringing", None, None), ("hangup", None, "cancel")],
        )
        quiet = _track(flow.packets, ami.CallTracker(ami.Rules(report_unreached=False)))
        self.assertEqual(quiet, [])

    def test_rules_are_configurable(self):
        """Extensions of four digits, own contexts, a recording URL template and a call id prefix."""
        rules = ami.Rules(
            internal_pattern=r"^2\d{3}$",
            internal_contexts=("office",),
            external_contexts=("provider-in",),
            recording_variables=("CALLFILENAME",),
            recording_url="https://pbx.example.com/rec/{basename}",
            call_id_prefix="msk-",
        )
        flow = _Flow()
        trunk = _snap(
            "",
            "SIP/provider-0000000a",
            "1701345600.5",
            "1701345600.5",
            "provider-in",
            "3000",
            "79998887766",
            4,
        )
        phone = _snap("Dest", "SIP/2001-0000000b", "1701345600.6", "1701345600.5", "office")
        flow.add("Newchannel", 0, trunk)
        flow.add("VarSet", 0.01, trunk, Variable="CALLFILENAME", Value="/var/rec/in-3000-1701345600.5.wav")
        flow.add("DialBegin", 0.01, trunk, phone, DialString="2001")
        flow.add("DialState", 1, trunk, phone, DialStatus="RINGING")
        flow.add("Hangup", 20, {key[4:]: value for key, value in phone.items()}, Cause="19")
        flow.add("Hangup", 0.01, trunk, Cause="16")
        events = _track(flow.packets, ami.CallTracker(rules))
        self.assertEqual(
            [(e["call_id"], e["event"], e["direction"], e.get("extension")) for e in events],
            [
                ("msk-1701345600.5", "ringing", "inbound", "2001"),
                ("msk-1701345600.5", "hangup", "inbound", "2001"),
            ],
        )
        self.assertEqual(events[1]["recording_url"], "https://pbx.example.com/rec/in-3000-1701345600.5.wav")
        self.assertEqual(events[1]["reason"], "no_answer")

    def test_stale_call_is_closed(self):
        """A call whose Hangup was missed (a lost connection) is closed after rules.stale_after."""
        tracker = ami.CallTracker()
        flow = _Flow()
        phone = _snap(
            "",
            "PJSIP/101-000000a0",
            "1701345600.99",
            "1701345600.99",
            exten="89123456789",
            number="101",
            state=4,
        )
        trunk = _snap("Dest", "PJSIP/sipnet-000000a1", "1701345601.1", "1701345600.99", "from-external")
        flow.add("Newchannel", 0, phone)
        flow.add("DialBegin", 0.01, phone, trunk, DialString="89123456789@sipnet")
        self.assertEqual([e["event"] for e in _track(flow.packets, tracker)], ["ringing"])
        self.assertEqual(tracker.expire(flow.now + 3600), [])
        with self.assertLogs(ami.__name__, logging.WARNING):
            events = tracker.expire(flow.now + 7 * 3600)
        self.assertEqual([(e["event"], e["reason"]) for e in events], [("hangup", "failed")])
        self.assertFalse(tracker.calls or tracker.channels)

    def test_bad_input_never_raises(self):
        """Malformed packets and unknown events are skipped: no exception, nothing logged as an error."""
        garbage = [
            {},
            {"Response": "Success"},
            {"Event": "Bogus", "Foo": "bar"},
            {"Event": "Hangup"},
            {"Event": "Hangup", "Channel": "PJSIP/1-1", "Uniqueid": "x", "Linkedid": "x", "Cause": "sixteen"},
            {
                "Event": "Newchannel",
                "Channel": "???",
                "Uniqueid": "1.1",
                "Linkedid": "1.1",
                "Timestamp": "soon",
            },
            {"Event": "DialBegin", "Channel": "PJSIP/1-1", "Uniqueid": "1.2", "Linkedid": "1.1"},
            {"Event": "DialEnd", "DestChannel": "PJSIP/2-2", "DestUniqueid": "1.3", "DestLinkedid": "1.1"},
            {"Event": "BridgeEnter", "Channel": "PJSIP/9-9", "Uniqueid": "1.4", "Linkedid": "1.1"},
            {"Event": "BridgeMerge", "ToBridgeUniqueid": "a"},
            {"Event": "AgentConnect", "Interface": "PJSIP/101"},
            {"Event": "VarSet", "Variable": "MIXMONITOR_FILENAME", "Value": "/x.wav"},
            {"Event": "BlindTransfer", "Result": "Fail"},
        ]
        with self.assertNoLogs(ami.__name__, logging.ERROR):
            events = _track(garbage)
            events += _track(
                ami.split_packets("no colon here\nEvent: UserEvent\n: empty key\n\nEvent: Hangup\n")
            )
        self.assertEqual(events, [], "a Hangup of a channel never seen starting reports nothing")


class _AmiCase(BaseCase):
    def _server(self, packets=(), **kwargs):
        server = ami_server.ReplayAmiServer(packets, **kwargs).start()
        self.addCleanup(server.stop)
        return server

    @staticmethod
    def _free_port():
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]


@tagged("post_install", "-at_install")
class TestAmiClient(_AmiCase):
    """services/pbx/ami.py AmiClient and originate() against the replaying AMI server."""

    def test_login_and_logoff(self):
        """The client reads the banner, logs in with the user and secret, and says goodbye."""
        server = self._server()
        client = ami.AmiClient("127.0.0.1", server.port, "crm", "s3cret", timeout=5).connect()
        self.assertEqual(client.version, "7.0.3")
        client.logoff()
        (login,) = server.actions_named("Login")
        self.assertEqual((login["Username"], login["Secret"], login["Events"]), ("crm", "s3cret", "on"))
        self.assertEqual(len(server.actions_named("Logoff")), 1)
        self.assertIsNone(client.sock)

    def test_wrong_secret_is_refused_clearly(self):
        """A wrong secret raises AmiAuthError naming the user and Asterisk's answer."""
        server = self._server()
        client = ami.AmiClient("127.0.0.1", server.port, "crm", "wrong", timeout=5)
        with self.assertRaises(ami.AmiAuthError) as refusal:
            client.connect()
        self.assertIn("'crm'", str(refusal.exception))
        self.assertIn("Authentication failed", str(refusal.exception))
        self.assertIsNone(client.sock)

    def test_not_an_asterisk(self):
        """A port that answers something else than the AMI banner is reported as such."""
        server = self._server(banner="SSH-2.0-OpenSSH_9.6")
        with self.assertRaisesRegex(ami.AmiError, "not an Asterisk manager"):
            ami.AmiClient("127.0.0.1", server.port, "crm", "s3cret", timeout=5).connect()

    def test_events_read_while_waiting_are_kept(self):
        """Events arriving before an action's response are kept, in order, for next_event()."""
        server = self._server(ami_server.load_capture("inbound_answered.ami")[:3])
        client = ami.AmiClient("127.0.0.1", server.port, "crm", "s3cret", timeout=5).connect()
        self.addCleanup(client.close)
        pong = client.request("Ping")
        self.assertEqual(pong["Ping"], "Pong")
        names = [client.next_event(2)["Event"] for _i in range(4)]
        self.assertEqual(names, ["FullyBooted", "Newchannel", "Newexten", "Newexten"])

    def test_originate(self):
        """Click to dial: one Originate with the phone's channel, the digits, the context, the caller id."""
        server = self._server()
        action_id = ami.originate(
            "127.0.0.1",
            server.port,
            "crm",
            "s3cret",
            channel="PJSIP/101",
            exten="8 (912) 345-67-89",
            context="from-internal",
            caller_id='"Alpha Trade LLC" <101>',
        )
        (originate,) = server.actions_named("Originate")
        self.assertEqual(originate["ActionID"], action_id)
        self.assertEqual(
            {key: originate[key] for key in ("Channel", "Exten", "Context", "Priority", "CallerID", "Async")},
            {
                "Channel": "PJSIP/101",
                "Exten": "89123456789",
                "Context": "from-internal",
                "Priority": "1",
                "CallerID": '"Alpha Trade LLC" <101>',
                "Async": "true",
            },
        )
        self.assertEqual(server.actions_named("Login")[0]["Events"], "off")
        self.assertEqual(len(server.actions_named("Logoff")), 1)

    def test_originate_cannot_inject_headers(self):
        """A caller id with line breaks stays one header: no second action reaches Asterisk."""
        server = self._server()
        ami.originate(
            "127.0.0.1",
            server.port,
            "crm",
            "s3cret",
            "PJSIP/101",
            "101",
            caller_id="Evil\r\n\r\nAction: Command\r\nCommand: core stop now",
        )
        self.assertEqual([a["Action"] for a in server.actions], ["Login", "Originate", "Logoff"])
        self.assertNotIn("\n", server.actions_named("Originate")[0]["CallerID"])

    def test_originate_failures_say_what_to_fix(self):
        """Unreachable PBX, wrong secret and no number are all AmiError with a readable reason."""
        with self.assertRaisesRegex(ami.AmiUnreachable, "unreachable"):
            ami.originate(
                "127.0.0.1", self._free_port(), "crm", "s3cret", "PJSIP/101", "89123456789", timeout=2
            )
        server = self._server()
        with self.assertRaisesRegex(ami.AmiAuthError, "Authentication failed"):
            ami.originate("127.0.0.1", server.port, "crm", "nope", "PJSIP/101", "89123456789")
        with self.assertRaisesRegex(ami.AmiError, "no number"):
            ami.originate("127.0.0.1", server.port, "crm", "s3cret", "PJSIP/101", "call me")
        self.assertFalse(server.actions_named("Originate"))


class _FakeOdoo(http.server.ThreadingHTTPServer):
    """A loopback stand-in for the endpoint: checks and reads each request with the real generic adapter."""

    daemon_threads = True

    def __init__(self, secret=SECRET, fail_first=0):
        super().__init__(("127.0.0.1", 0), _FakeOdooHandler)
        self.secret = secret
        self.fail_first = fail_first
        self.attempts = []  # every body posted
        self.accepted = []  # the JSON objects accepted, in order
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/crm_extended/pbx/tok3n"


class _FakeOdooHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        server = self.server
        server.attempts.append(json.loads(body))
        if server.fail_first:
            server.fail_first -= 1
            return self._answer(503, "text/plain", "Service Unavailable")
        request = PbxRequest(
            body=body, headers={k.lower(): v for k, v in self.headers.items()}, path=self.path
        )
        try:
            generic.verify(request, server.secret, time.time())
            events = generic.parse(request)
        except Refused as refusal:
            return self._answer(refusal.status, "application/json", json.dumps({"error": refusal.reason}))
        server.accepted.append(json.loads(body))
        self._answer(*generic.answer(len(events), 0))

    def _answer(self, status, content_type, text):
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@tagged("post_install", "-at_install")
class TestAmiBridge(_AmiCase):
    """bin/crm_ami_bridge.py run(): replayed Asterisk in, signed generic events out to a loopback endpoint."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        path = list(sys.path)
        try:  # the bridge puts services/ on sys.path to import pbx as a top-level package
            spec = importlib.util.spec_from_file_location("crm_ami_bridge", BRIDGE)
            cls.bridge = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(cls.bridge)
        finally:
            sys.path[:] = path

    def _odoo(self, **kwargs):
        odoo = _FakeOdoo(**kwargs)
        odoo.thread.start()

        def close():
            odoo.shutdown()
            odoo.server_close()

        self.addCleanup(close)
        return odoo

    @contextlib.contextmanager
    def _bridge(self, server, odoo):
        settings = self.bridge.Settings(
            url=odoo.url,
            secret=SECRET,
            ami_port=server.port,
            ami_user="crm",
            ami_secret="s3cret",
            retry_initial=0.05,
            reconnect_initial=0.05,
            drain_seconds=2.0,
        )
        stop = threading.Event()
        thread = threading.Thread(target=self.bridge.run, args=(settings, stop), daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(15)
            self.assertFalse(thread.is_alive(), "the bridge stops when asked")

    def _wait(self, predicate, timeout=15.0):
        deadline = time.monotonic() + timeout
        while not predicate() and time.monotonic() < deadline:
            time.sleep(0.02)
        return predicate()

    def _packets(self, *names):
        return [packet for name in names for packet in ami_server.load_capture(name)]

    def test_delivers_every_recording_signed(self):
        """All four recorded calls reach the endpoint, signed, in order, each event exactly once."""
        expected = [event for events in RECORDINGS.values() for event in events]
        server = self._server(self._packets(*RECORDINGS))
        odoo = self._odoo()
        with self.assertLogs("crm_ami_bridge", logging.INFO) as logs, self._bridge(server, odoo):
            self.assertTrue(self._wait(lambda: len(odoo.accepted) >= len(expected)))
        self.assertEqual(odoo.accepted, expected)
        self.assertEqual(odoo.attempts, expected, "nothing sent twice")
        self.assertEqual(sum("delivered" in line for line in logs.output), len(expected))
        self.assertEqual(len(server.actions_named("Logoff")), 1, "the bridge logs off when stopped")

    def test_retries_after_503(self):
        """Odoo answering 503 once: the event is sent again after a pause and accepted once."""
        server = self._server(self._packets("inbound_answered.ami"))
        odoo = self._odoo(fail_first=1)
        with self.assertLogs("crm_ami_bridge", logging.WARNING) as logs, self._bridge(server, odoo):
            self.assertTrue(self._wait(lambda: len(odoo.accepted) >= 3))
        self.assertEqual(odoo.accepted, INBOUND_ANSWERED)
        self.assertEqual(odoo.attempts, [INBOUND_ANSWERED[0], *INBOUND_ANSWERED])
        self.assertEqual(len(logs.output), 1)
        self.assertIn("not delivered (HTTP 503 Service Unavailable); retrying", logs.output[0])

    def test_refusal_is_logged_with_the_answer(self):
        """A 401 (wrong secret) is logged with Odoo's answer and never retried."""
        server = self._server(self._packets("inbound_missed_queue.ami"))
        odoo = self._odoo(secret="another-secret")
        with self.assertLogs("crm_ami_bridge", logging.ERROR) as logs, self._bridge(server, odoo):
            self.assertTrue(self._wait(lambda: len(odoo.attempts) >= 2))
            time.sleep(0.3)  # a retry would come after 0.05 s
        self.assertEqual(odoo.accepted, [])
        self.assertEqual(odoo.attempts, INBOUND_MISSED)
        self.assertEqual(len(logs.output), 2)
        self.assertIn(
            'Odoo refused ringing 1701337800.22: HTTP 401 {"error": "bad signature"}', logs.output[0]
        )

    def test_reconnects_after_a_lost_link(self):
        """The AMI link drops in the middle of a call: the bridge logs in again and the call completes."""
        server = self._server(self._packets("inbound_transfer.ami"), drop_after=20)
        odoo = self._odoo()
        with self.assertLogs(self.bridge.ami.__name__, logging.WARNING) as logs, self._bridge(server, odoo):
            self.assertTrue(self._wait(lambda: len(odoo.accepted) >= 3))
        self.assertEqual(odoo.accepted, INBOUND_TRANSFER)
        self.assertEqual(server.connections, 2)
        self.assertIn("lost or refused", logs.output[0])

    def test_malformed_packets_do_not_stop_the_bridge(self):
        """Garbage lines, unknown events, half packets around a call: logged, skipped, the call delivered."""
        garbage = [
            "this line is no header\nEvent: Bogus\nFoo: bar",
            "Event: Hangup\nChannel: PJSIP/7-7\nUniqueid: 1.7\nLinkedid: 1.7\nCause: many",
            "Event: UserEvent\nUserEvent: CrmTest\nTimestamp: not a time",
            ": no key\nnothing at all",
        ]
        server = self._server([*garbage, *self._packets("outbound_answered.ami")])
        odoo = self._odoo()
        with self.assertLogs(self.bridge.ami.__name__, logging.WARNING) as logs, self._bridge(server, odoo):
            self.assertTrue(self._wait(lambda: len(odoo.accepted) >= 3))
        self.assertEqual(odoo.accepted, OUTBOUND_ANSWERED)
        self.assertTrue(any("malformed line(s)" in line for line in logs.output))
