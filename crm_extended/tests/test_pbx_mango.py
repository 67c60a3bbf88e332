import datetime
import hashlib
import json
import socket
import urllib.parse

from odoo.tests import tagged

from ..services.pbx import mango
from ..services.pbx.event import CallEvent, Malformed, PbxRequest, Refused
from .common import CrmExtendedCase
from .mango_server import MangoServer

KEY = "1234567890qwerty"  # the vpbx_api_key of the documentation's examples
SALT = "mango-test-salt"

# Notifications copied from the documentation's examples (only the JSON's
# spacing differs, and a comma the PDF lost in the callback example).
# "Blind transfer" example, p. 337: an inbound call to extension 333
INBOUND_APPEARED = {
    "entry_id": "232wc3e3w3s222",
    "call_id": "300:200",
    "timestamp": 1399956976,
    "seq": "1",
    "call_state": "Appeared",
    "from": {"number": "74955404444"},
    "to": {"extension": "333", "number": "44332211"},
}
INBOUND_CONNECTED = dict(INBOUND_APPEARED, timestamp=1399956986, seq="2", call_state="Connected")
INBOUND_ON_HOLD = dict(INBOUND_APPEARED, timestamp=1399956986, seq="3", call_state="OnHold")
# §3.1.6, examples 1 to 4: summaries of an inbound call answered by extension
# 123, an inbound call ended in the voice menu, an outbound call answered, and
# an outbound call not answered
SUMMARY_INBOUND_ANSWERED = {
    "entry_id": "232wc3e3w3s222",
    "call_direction": 1,
    "from": {"number": "7800123635242"},
    "to": {"extension": "123", "number": "7800123456789"},
    "line_number": "7800123456789",
    "create_time": 1399906976,
    "forward_time": 1399906978,
    "talk_time": 1399906980,
    "end_time": 1399906990,
    "entry_result": 1,
    "disconnect_reason": 1100,
}
SUMMARY_INBOUND_IVR = {
    "entry_id": "232wc3e3w3s222",
    "call_direction": 1,
    "from": {"number": "79000000000"},
    "to": {},
    "line_number": "7800123456789",
    "create_time": 1399906976,
    "forward_time": 1399906978,
    "talk_time": 0,
    "end_time": 1399906990,
    "entry_result": 1,
    "disconnect_reason": 1170,
}
SUMMARY_OUTBOUND_ANSWERED = {
    "entry_id": "232wc3e3w3s222",
    "call_direction": 2,
    "from": {"extension": "123", "number": "sip:user1@xyz.mangosip.ru"},
    "to": {"number": "7800123456789"},
    "line_number": "74953333357",
    "create_time": 1399906976,
    "forward_time": 1399906976,
    "talk_time": 1399906980,
    "entry_result": 1,
    "end_time": 1399906990,
    "disconnect_reason": 1100,
}
SUMMARY_OUTBOUND_MISSED = dict(SUMMARY_OUTBOUND_ANSWERED, talk_time=0, entry_result=0)
# "Call notification" example, pp. 328-329: extension 1234 calls 12345678
OUTBOUND_APPEARED = {
    "call_id": "100:500:256",
    "entry_id": "232wc3e3w3s222",
    "timestamp": "1399906976",
    "seq": "1",
    "location": "abonent",
    "call_state": "Appeared",
    "from": {"extension": "1234"},
    "to": {"number": "12345678"},
}
OUTBOUND_CONNECTED = dict(
    OUTBOUND_APPEARED,
    timestamp="1399906988",
    seq="2",
    call_state="Connected",
    **{"from": {"extension": "1234", "number": "74955404444"}},
)
OUTBOUND_DISCONNECTED = dict(
    OUTBOUND_CONNECTED, timestamp="1399907008", seq="3", call_state="Disconnected", disconnect_reason="1120"
)
# "Originating an outbound call" example, pp. 329-331: a callback command from
# extension 1234 to 74955404444; the PBX first rings 1234, then the number
COMMAND_ID = "cmd.2.vpbx.12345.external.system.com.net"
CALLBACK_FIRST_LEG = {
    "call_id": "100:500:251",
    "entry_id": "232wc3e3w3s222",
    "timestamp": 1399906971,
    "seq": "1",
    "location": "abonent",
    "call_state": "Appeared",
    "from": {"extension": "5555", "number": "74955404444"},
    "to": {"extension": "1234", "number": "12345678"},
    "command_id": COMMAND_ID,
}
CALLBACK_FIRST_LEG_CONNECTED = dict(CALLBACK_FIRST_LEG, timestamp=1399906973, seq="2", call_state="Connected")
CALLBACK_SECOND_LEG = {
    "call_id": "100:500:258",
    "entry_id": "232wc3e3w3s222",
    "timestamp": 1399906976,
    "seq": "1",
    "location": "abonent",
    "call_state": "Appeared",
    "from": {"extension": "1234", "number": "12345678", "taken_from_call_id": "100:500:251"},
    "to": {"extension": "5555", "number": "74955404444"},
    "command_id": COMMAND_ID,
}
# "Call routing" example, p. 331: a call arriving in the voice menu
IVR_APPEARED = {
    "call_id": "100:500:256",
    "entry_id": "232wc3e3w3s222",
    "timestamp": "1399906976",
    "seq": "1",
    "call_state": "Appeared",
    "location": "ivr",
    "from": {"number": "79000000000"},
    "to": {"number": "7800123456789", "line_number": "7800123456789"},
}
# §3.1.2's example: a leg disconnected, the called number unavailable (1131)
LEG_DISCONNECTED = {
    "entry_id": "1MN0Q1MDOQ==",
    "call_id": "MIxEyNTzTo6NDxkzNMMOzNQ==",
    "timestamp": 1558422128,
    "seq": 2,
    "call_state": "Disconnected",
    "location": "abonent",
    "from": {"number": "79001234567", "taken_from_call_id": "oMNTMyzTzNTo6NxNkDIxOxM3EMNTj"},
    "to": {
        "extension": "29",
        "number": "sip:user00000@tech.mangosip.ru",
        "line_number": "sip:line00000@tech.mangosip.ru",
        "acd_group": "303",
    },
    "disconnect_reason": 1131,
    "dct": {"number": "74001234567", "type": 1},
}
# §3.1.4 example 1, §3.1.8's example, the DTMF example of "About the location parameter"
RECORDING = {
    "recording_id": "r100:777:500:256",
    "recording_state": "Started",
    "seq": 1,
    "call_id": "100:500:256",
    "entry_id": "232wc3e3w3s222",
    "extension": "1234",
    "timestamp": "1399906976",
    "command_id": "cmd.12.vpbx.12345.external.system.com.net",
}
RECORD_ADDED = {
    "entry_id": "NTAwOTQxMTAyMg==",
    "product_id": 300022532,
    "user_id": 300049012,
    "timestamp": 1578664187,
    "recording_id": "MToxMDAwNjA4NTo1MDA5NDExMDIyOjE=",
}
DTMF = {
    "seq": 1,
    "dtmf": "124",
    "timestamp": "1399906980",
    "call_id": "100:500:256",
    "entry_id": "232wc3e3w3s222",
    "location": "ivr.2",
    "initiator": "79000000000",
    "from_number": "79000000000",
    "to_number": "7800123456789",
    "line_number": "7800123456789",
}


def at(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).replace(tzinfo=None)


def notification(path, data, key=KEY, salt=SALT, **fields):
    """The request Mango posts to ``<url>/<path>``: a form of vpbx_api_key, sign, json,
    signed as §2.4.3 says (computed here, not by the adapter)."""
    payload = data if isinstance(data, str) else json.dumps(data)
    form = {"vpbx_api_key": key, "sign": hashlib.sha256((key + payload + salt).encode()).hexdigest()}
    form["json"] = payload
    form.update(fields)
    form = {name: value for name, value in form.items() if value is not None}
    return PbxRequest(body=urllib.parse.urlencode(form).encode(), headers={}, form=form, path=path)


def moment(data):
    """The Unix time the notification ``data`` was sent (its event's time)."""
    return int(data.get("timestamp") or data["end_time"])


@tagged("post_install", "-at_install")
class TestPbxMangoNotifications(CrmExtendedCase):
    """Mango Office's notifications (events/call, events/summary), per "API MANGO OFFICE" v1.9."""

    def assertRefused(self, request, status, now=None, **options):
        now = now if now is not None else moment(json.loads(request.form["json"]))
        with self.assertRaises(Refused) as caught:
            mango.verify(request, SALT, now, api_key=KEY, **options)
        self.assertEqual(caught.exception.status, status, caught.exception.reason)
        return caught.exception

    def test_verify_accepts_a_signed_fresh_notification(self):
        """A notification signed with the connection's key and salt, sent a second ago, passes."""
        request = notification("events/call", INBOUND_APPEARED)
        mango.verify(request, SALT, moment(INBOUND_APPEARED) + 1, api_key=KEY)

    def test_signature_is_the_documented_formula(self):
        """sign = sha256(vpbx_api_key + json + vpbx_api_salt), in hex (§2.4.3)."""
        payload = json.dumps(SUMMARY_INBOUND_ANSWERED)
        expected = hashlib.sha256(f"{KEY}{payload}{SALT}".encode()).hexdigest()
        self.assertEqual(mango.signature(KEY, payload, SALT), expected)

    def test_verify_refuses_a_wrong_sign(self):
        """A sign that is not the json's (here: signed with another salt) is refused with 401."""
        self.assertRefused(notification("events/call", INBOUND_APPEARED, salt="guessed"), 401)

    def test_verify_refuses_another_pbx_key(self):
        """A request from another PBX, even correctly signed for its own key, is refused with 401."""
        self.assertRefused(notification("events/call", INBOUND_APPEARED, key="someone-else"), 401)

    def test_verify_refuses_an_unsigned_request(self):
        """A request without its sign field is refused with 401."""
        self.assertRefused(notification("events/call", INBOUND_APPEARED, sign=None), 401)

    def test_verify_refuses_a_request_without_json(self):
        """A signed request without its json field is refused with 400 (nothing to read)."""
        request = notification("events/call", INBOUND_APPEARED, json=None)
        self.assertIsInstance(self.assertRefused(request, 400, now=moment(INBOUND_APPEARED)), Malformed)

    def test_verify_refuses_a_stale_event(self):
        """An authentic event older than ten minutes (a replay) is refused with 401."""
        request = notification("events/call", INBOUND_CONNECTED)
        refusal = self.assertRefused(request, 401, now=moment(INBOUND_CONNECTED) + 601)
        self.assertIn("stale", refusal.reason)

    def test_verify_refuses_a_stale_summary(self):
        """A summary (no timestamp) is as old as its end_time: refused when older than ten minutes."""
        self.assertRefused(
            notification("events/summary", SUMMARY_INBOUND_ANSWERED), 401, now=1399906990 + 601
        )

    def test_verify_max_age_is_configurable(self):
        """An event 15 minutes old passes when the window is 30 minutes."""
        request = notification("events/call", INBOUND_APPEARED)
        mango.verify(request, SALT, moment(INBOUND_APPEARED) + 900, api_key=KEY, max_age=1800)

    def test_verify_refuses_everything_without_a_configured_salt(self):
        """With no salt on the connection, a sign anyone could compute from the public key is refused."""
        request = notification("events/call", INBOUND_APPEARED, salt="")
        with self.assertRaises(Refused) as caught:
            mango.verify(request, "", moment(INBOUND_APPEARED), api_key=KEY)
        self.assertEqual(caught.exception.status, 401)

    def test_verify_reads_a_form_body_the_caller_did_not_decode(self):
        """The fields are read from the urlencoded body when the request's form is empty."""
        signed = notification("events/call", INBOUND_APPEARED)
        request = PbxRequest(body=signed.body, headers={}, form={}, path="events/call")
        mango.verify(request, SALT, moment(INBOUND_APPEARED), api_key=KEY)
        self.assertEqual(mango.parse(request)[0].kind, "ringing")

    def test_unreadable_payloads_are_malformed(self):
        """Signed but unreadable json (not JSON, not an object, wrong types, no call id, an unknown
        direction, deep nesting) gives Malformed (400), never another exception."""
        payloads = {
            "events/call": [
                "{not json",
                "[1, 2]",
                "[" * 100000,
                json.dumps(dict(INBOUND_APPEARED, timestamp="yesterday")),
                json.dumps(dict(INBOUND_APPEARED, timestamp=1e300)),
                json.dumps(dict(INBOUND_APPEARED, **{"from": "74955404444"})),
                json.dumps(dict(INBOUND_APPEARED, to={"extension": ["333"]})),
                json.dumps({key: value for key, value in INBOUND_APPEARED.items() if key != "entry_id"}),
                json.dumps({key: value for key, value in INBOUND_APPEARED.items() if key != "timestamp"}),
                json.dumps(dict(INBOUND_APPEARED, entry_id="x" * 129)),
            ],
            "events/summary": [
                json.dumps(dict(SUMMARY_INBOUND_ANSWERED, call_direction=7)),
                json.dumps(dict(SUMMARY_INBOUND_ANSWERED, call_direction=True)),
                json.dumps(
                    {key: value for key, value in SUMMARY_INBOUND_ANSWERED.items() if key != "end_time"}
                ),
                json.dumps(dict(SUMMARY_INBOUND_ANSWERED, disconnect_reason="busy")),
            ],
        }
        for path, bodies in payloads.items():
            for body in bodies:
                with self.subTest(path=path, body=body[:60]), self.assertRaises(Malformed):
                    request = notification(path, body)
                    mango.verify(request, SALT, 1399906990, api_key=KEY, max_age=10**10)
                    mango.parse(request)

    def test_inbound_call_rings_the_called_extension(self):
        """Appeared at an employee (p. 337) is the whole call's ringing, inbound, at extension 333."""
        events = mango.parse(notification("events/call", INBOUND_APPEARED))
        expected = CallEvent(
            kind="ringing",
            call_id="232wc3e3w3s222",
            direction="inbound",
            caller="74955404444",
            called="44332211",
            at=datetime.datetime(2014, 5, 13, 4, 56, 16),
            extension="333",
        )
        self.assertEqual(events, [expected])

    def test_inbound_call_answered(self):
        """Connected at an employee (p. 337) is the call's answer by extension 333."""
        [event] = mango.parse(notification("events/call", INBOUND_CONNECTED))
        self.assertEqual(
            (event.kind, event.call_id, event.direction), ("answered", "232wc3e3w3s222", "inbound")
        )
        self.assertEqual((event.extension, event.at), ("333", datetime.datetime(2014, 5, 13, 4, 56, 26)))

    def test_summary_of_an_answered_inbound_call(self):
        """§3.1.6 example 1: the summary gives the ringing (create_time), the answer (talk_time) and a
        normal hangup (end_time) of the call to line 7800123456789, answered by extension 123."""
        events = mango.parse(notification("events/summary", SUMMARY_INBOUND_ANSWERED))
        common = {
            "call_id": "232wc3e3w3s222",
            "direction": "inbound",
            "caller": "7800123635242",
            "called": "7800123456789",
            "extension": "123",
        }
        self.assertEqual(
            events,
            [
                CallEvent(kind="ringing", at=at(1399906976), **common),
                CallEvent(kind="answered", at=at(1399906980), **common),
                CallEvent(kind="hangup", at=at(1399906990), reason="normal", **common),
            ],
        )

    def test_summary_of_an_inbound_call_missed_in_the_voice_menu(self):
        """§3.1.6 example 2: a call that ended in the voice menu (talk_time 0, reason 1170) is a
        ringing and a hangup without answer, not answered."""
        events = mango.parse(notification("events/summary", SUMMARY_INBOUND_IVR))
        self.assertEqual([event.kind for event in events], ["ringing", "hangup"])
        hangup = events[-1]
        self.assertEqual(
            (hangup.reason, hangup.caller, hangup.called), ("no_answer", "79000000000", "7800123456789")
        )
        self.assertEqual((hangup.direction, hangup.extension, hangup.at), ("inbound", "", at(1399906990)))

    def test_voice_menu_and_hold_are_ignored(self):
        """A call appearing in the voice menu (p. 331) or put on hold (p. 337) gives no event."""
        self.assertEqual(mango.parse(notification("events/call", IVR_APPEARED)), [])
        self.assertEqual(mango.parse(notification("events/call", INBOUND_ON_HOLD)), [])

    def test_a_leg_disconnected_does_not_end_the_call(self):
        """A leg's Disconnected (§3.1.2's example, p. 329) gives no event: the summary ends the call."""
        self.assertEqual(mango.parse(notification("events/call", LEG_DISCONNECTED)), [])
        self.assertEqual(mango.parse(notification("events/call", OUTBOUND_DISCONNECTED)), [])

    def test_outbound_call_events(self):
        """Extension 1234 calling 12345678 (pp. 328-329): an outbound ringing, then its answer."""
        [ringing] = mango.parse(notification("events/call", OUTBOUND_APPEARED))
        [answered] = mango.parse(notification("events/call", OUTBOUND_CONNECTED))
        self.assertEqual(
            ringing,
            CallEvent(
                kind="ringing",
                call_id="232wc3e3w3s222",
                direction="outbound",
                caller="",
                called="12345678",
                at=at(1399906976),
                extension="1234",
            ),
        )
        self.assertEqual(
            (answered.kind, answered.caller, answered.extension), ("answered", "74955404444", "1234")
        )

    def test_summary_of_an_answered_outbound_call(self):
        """§3.1.6 example 3: an outbound call from extension 123 ends normally after an answer."""
        events = mango.parse(notification("events/summary", SUMMARY_OUTBOUND_ANSWERED))
        self.assertEqual([event.kind for event in events], ["ringing", "answered", "hangup"])
        hangup = events[-1]
        self.assertEqual((hangup.direction, hangup.extension, hangup.reason), ("outbound", "123", "normal"))
        self.assertEqual((hangup.caller, hangup.called), ("sip:user1@xyz.mangosip.ru", "7800123456789"))

    def test_summary_of_an_unanswered_outbound_call(self):
        """§3.1.6 example 4: an outbound call nobody answered (talk_time 0) hangs up with no_answer."""
        events = mango.parse(notification("events/summary", SUMMARY_OUTBOUND_MISSED))
        self.assertEqual(
            [(event.kind, event.reason) for event in events], [("ringing", ""), ("hangup", "no_answer")]
        )

    def test_callback_legs_are_one_outbound_call(self):
        """A callback (pp. 329-331): the first leg, ringing the employee with the client as caller, is
        read as extension 1234 calling 74955404444; its Connected (the employee picked up) is no
        answer; the second leg is the same outbound call."""
        [first] = mango.parse(notification("events/call", CALLBACK_FIRST_LEG))
        self.assertEqual(
            (first.kind, first.direction, first.caller, first.called, first.extension),
            ("ringing", "outbound", "12345678", "74955404444", "1234"),
        )
        self.assertEqual(mango.parse(notification("events/call", CALLBACK_FIRST_LEG_CONNECTED)), [])
        [second] = mango.parse(notification("events/call", CALLBACK_SECOND_LEG))
        self.assertEqual(
            (second.call_id, second.direction, second.caller, second.called, second.extension),
            (first.call_id, "outbound", "12345678", "74955404444", "1234"),
        )

    def test_other_notifications_are_ignored(self):
        """Recording (§3.1.4, §3.1.8), DTMF and command results are accepted and give no event."""
        for path, data in [
            ("events/recording", RECORDING),
            ("events/record/added", RECORD_ADDED),
            ("events/dtmf", DTMF),
            ("result/callback", {"command_id": COMMAND_ID, "result": "1000"}),
            ("", INBOUND_APPEARED),
        ]:
            with self.subTest(path=path):
                request = notification(path, data)
                mango.verify(request, SALT, 1578664187, api_key=KEY, max_age=10**10)
                self.assertEqual(mango.parse(request), [])

    def test_hangup_reasons_follow_the_result_codes(self):
        """Without a talk, disconnect_reason (or its class) says how the call ended; with one, normal."""
        cases = {
            1110: "cancel",
            1111: "no_answer",
            1121: "busy",
            1122: "busy",
            1124: "busy",
            1131: "failed",
            1151: "failed",
            1164: "no_answer",
            1170: "no_answer",
            1182: "cancel",
            1192: "no_answer",
            1199: "no_answer",
            2240: "failed",
            3200: "failed",
            5003: "failed",
        }
        for code, reason in cases.items():
            with self.subTest(code=code):
                data = dict(SUMMARY_INBOUND_IVR, disconnect_reason=str(code))
                self.assertEqual(mango.parse(notification("events/summary", data))[-1].reason, reason)
        answered = dict(SUMMARY_INBOUND_ANSWERED, disconnect_reason=1121)
        self.assertEqual(mango.parse(notification("events/summary", answered))[-1].reason, "normal")

    def test_answer_is_an_empty_200(self):
        """Mango expects only the HTTP status of a notification: 200, empty body."""
        self.assertEqual(mango.answer(2, 1), (200, "text/plain; charset=utf-8", ""))


@tagged("post_install", "-at_install")
class TestPbxMangoClickToDial(CrmExtendedCase):
    """Click to dial through Mango Office's callback command, against a Mango API on loopback."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mango = MangoServer(api_key=KEY, api_salt=SALT, extensions={"101"}).__enter__()
        cls.addClassCleanup(cls.mango.__exit__, None, None, None)

    def setUp(self):
        super().setUp()
        self.mango.commands.clear()
        self.mango.force_result = None
        self.mango.rate_limited = False
        self.mango.delay = 0

    def dial_error(self, **overrides):
        """The DialError of a call from extension 101 to a number, with ``overrides``."""
        options = {
            "api_url": self.mango.api_url,
            "api_key": KEY,
            "api_salt": SALT,
            "extension": "101",
            "number": "74955404444",
        }
        options.update(overrides)
        with self.assertRaises(mango.DialError) as caught:
            mango.originate(**options)
        return caught.exception

    def test_originate_sends_a_signed_callback_command(self):
        """The command reaches /vpbx/commands/callback signed with the key and salt, from the
        extension to the number's digits, and its command_id is returned."""
        command_id = mango.originate(self.mango.api_url, KEY, SALT, "101", "+7 (495) 540-44-44")
        [command] = self.mango.commands
        self.assertEqual(
            (command["path"], command["status"], command["result"]),
            ("/vpbx/commands/callback", 200, {"result": 1000}),
        )
        self.assertEqual(
            command["json"],
            {"command_id": command_id, "from": {"extension": "101"}, "to_number": "74955404444"},
        )
        self.assertTrue(command_id.startswith("crm_extended."))

    def test_originate_passes_the_command_id_and_line(self):
        """A given command_id and line number are sent as the documentation names them."""
        mango.originate(
            self.mango.api_url,
            KEY,
            SALT,
            "101",
            "74955404444",
            command_id="call-42",
            line_number="74951234567",
        )
        self.assertEqual(self.mango.commands[0]["json"]["command_id"], "call-42")
        self.assertEqual(self.mango.commands[0]["json"]["line_number"], "74951234567")

    def test_wrong_salt_asks_to_check_the_key_and_salt(self):
        """Mango's 3102 (sign mismatch) is an auth error telling the administrator to check key and salt."""
        error = self.dial_error(api_salt="not-the-salt")
        self.assertEqual((error.kind, error.code), ("auth", 3102))
        self.assertIn("vpbx_api_salt", error.message(self.env))

    def test_wrong_key_asks_to_check_the_key_and_salt(self):
        """Mango's 3105 (wrong access key) is an auth error."""
        error = self.dial_error(api_key="not-the-key")
        self.assertEqual((error.kind, error.code), ("auth", 3105))

    def test_unknown_extension_names_the_extension(self):
        """An extension the PBX does not have (3100) says which extension to check."""
        error = self.dial_error(extension="999")
        self.assertEqual((error.kind, error.code), ("extension", 3100))
        self.assertIn("extension 999", error.message(self.env))

    def test_billing_refusal(self):
        """A 2xxx result (2240, no funds) is a billing error pointing to the Mango Office account."""
        self.mango.force_result = 2240
        error = self.dial_error()
        self.assertEqual((error.kind, error.code), ("billing", 2240))
        self.assertIn("personal account", error.message(self.env))

    def test_server_error(self):
        """A 5xxx result (5003, technical problems) asks to try again later."""
        self.mango.force_result = 5003
        self.assertEqual(self.dial_error().kind, "server")

    def test_rate_limit(self):
        """Mango's 429 answer (§1.4.2) asks to try again in a few seconds."""
        self.mango.rate_limited = True
        error = self.dial_error()
        self.assertEqual(error.kind, "rate")
        self.assertIn("HTTP 429", error.message(self.env))

    def test_unreachable_pbx(self):
        """Nobody listening at the API address: an unreachable error naming the address."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        url = f"http://127.0.0.1:{port}/vpbx/"
        error = self.dial_error(api_url=url)
        self.assertEqual(error.kind, "unreachable")
        self.assertIn(f"127.0.0.1:{port}", error.message(self.env))

    def test_slow_pbx_times_out(self):
        """A Mango that does not answer within the timeout is unreachable, not a hang."""
        self.mango.delay = 2
        error = self.dial_error(timeout=0.2)
        self.assertEqual(error.kind, "unreachable")

    def test_nothing_is_sent_without_key_and_salt(self):
        """A connection without key or salt is a configuration error; no request leaves."""
        error = self.dial_error(api_salt="")
        self.assertEqual(error.kind, "no_credentials")
        self.assertEqual(self.mango.commands, [])

    def test_nothing_is_sent_without_an_extension(self):
        """A user without extension is told to set one; no request leaves."""
        error = self.dial_error(extension="")
        self.assertEqual(error.kind, "no_extension")
        self.assertEqual(self.mango.commands, [])

    def test_only_http_api_addresses(self):
        """An API address that is not http(s) (a file: URL) is refused before any request."""
        self.assertEqual(self.dial_error(api_url="file:///etc/passwd").kind, "bad_url")
