import datetime
import importlib.util
import json
import sys
import threading
import time

from psycopg2 import errors

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import AccessError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, HttpCase, get_db_name, tagged
from odoo.tools import mute_logger

from odoo.addons.bus.models.bus import channel_with_db, dispatch, hashable
from odoo.addons.bus.tests.common import WebsocketCase

from ..services.pbx import generic, mango
from ..services.pbx.event import CallEvent, Malformed, PbxRequest, Refused
from . import ami_server
from .common import CrmExtendedCase
from .mango_server import MangoServer
from .test_pbx_asterisk import BRIDGE

SECRET = "s3cret-for-tests"
# queries of a known caller's ringing event for one user (TestWhoIsCalling.test_ringing_query_count)
RINGING_QUERIES = 23


class TelephonyCase(CrmExtendedCase):
    """A generic PBX connection; two salespeople with extensions 101 and 102."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team = cls.env["crm.team"].create({"name": "Phone Team", "user_id": cls.user_sales_manager.id})
        cls.env["crm.team.member"].create({"crm_team_id": cls.team.id, "user_id": cls.user_salesman.id})
        cls.user_salesman.crm_phone_extension = "101"
        cls.user_salesman_other.crm_phone_extension = "102"
        cls.connection = cls.env["crm.pbx.connection"].create(
            {
                "name": "Office PBX",
                "adapter": "generic",
                "new_secret": SECRET,
                "team_id": cls.team.id,
                "callback_sla_minutes": 30,
                "callback_working_hours": False,
                "user_ids": [(6, 0, cls.user_salesman_other.ids)],
            }
        )
        cls.entity_a.user_id = cls.user_salesman
        cls.now = fields.Datetime.now().replace(microsecond=0)

    def _event(self, kind, call_id="c1", caller="8 (913) 700-45-67", called="+74951112233", **values):
        values.setdefault("direction", "inbound")
        values.setdefault("extension", "101")
        values.setdefault("at", self.now)
        return CallEvent(kind=kind, call_id=call_id, caller=caller, called=called, **values)

    def _process(self, *events):
        return self.env["crm.phone.call"]._crm_process_events(self.connection, list(events))

    def _call(self, call_id="c1"):
        return self.env["crm.phone.call"].search([("pbx_call_id", "=", call_id)])


@tagged("post_install", "-at_install")
class TestGenericAdapter(CrmExtendedCase):
    """services/pbx/generic.py: signed JSON in, call events out; refusals with a reason."""

    def _request(self, payload, secret=SECRET, timestamp=None, headers=None):
        body = json.dumps(payload).encode()
        signed = generic.signed_headers(secret, body, timestamp or time.time())
        signed.update(headers or {})
        return PbxRequest(body=body, headers={key.lower(): value for key, value in signed.items()})

    def test_signed_events_are_read(self):
        """A signed body with one event or a list gives CallEvents with UTC times."""
        request = self._request(
            [
                {
                    "event": "ringing",
                    "call_id": "x1",
                    "from": "8 912",
                    "to": "101",
                    "timestamp": "2026-11-30T12:00:00+03:00",
                },
                {"event": "hangup", "call_id": "x1", "timestamp": 1764493200, "reason": "no_answer"},
            ]
        )
        generic.verify(request, SECRET, time.time())
        ringing, hangup = generic.parse(request)
        self.assertEqual((ringing.kind, ringing.direction, ringing.caller), ("ringing", "inbound", "8 912"))
        self.assertEqual(ringing.at, datetime.datetime(2026, 11, 30, 9, 0))
        self.assertEqual((hangup.kind, hangup.reason), ("hangup", "no_answer"))

    def test_refusals_say_why(self):
        """Unsigned, wrongly signed, stale and future requests are refused with 401 and a reason."""
        payload = {"event": "ringing", "call_id": "x", "timestamp": 1}
        now = time.time()
        cases = {
            "unsigned": PbxRequest(body=b"{}", headers={}),
            "bad signature": self._request(payload, secret="wrong"),
            "stale": self._request(payload, timestamp=now - 3600),
            "from the future": self._request(payload, timestamp=now + 3600),
        }
        for label, request in cases.items():
            with self.subTest(label), self.assertRaises(Refused) as refused:
                generic.verify(request, SECRET, now)
            self.assertEqual(refused.exception.status, 401)

    def test_malformed_payloads(self):
        """Bad JSON, a missing call id, an unknown kind or direction are Malformed (400), never a crash."""
        bodies = [
            b"not json",
            b'"a string"',
            b"[]",
            json.dumps({"event": "ringing"}).encode(),
            json.dumps({"event": "exploded", "call_id": "x", "timestamp": 1}).encode(),
            json.dumps(
                {"event": "ringing", "call_id": "x", "timestamp": 1, "direction": "sideways"}
            ).encode(),
            json.dumps({"event": "ringing", "call_id": "x", "timestamp": "yesterday"}).encode(),
            json.dumps({"event": "ringing", "call_id": "x" * 200, "timestamp": 1}).encode(),
        ]
        for body in bodies:
            with self.subTest(body=body[:40]), self.assertRaises(Malformed) as malformed:
                generic.parse(PbxRequest(body=body, headers={}))
            self.assertEqual(malformed.exception.status, 400)


@tagged("post_install", "-at_install")
class TestCallLog(TelephonyCase):
    """Every call logged once, on the client's card, whatever the retries."""

    def test_inbound_answered_call(self):
        """Ringing, answered, hung up: one call with its contact, company, user, wait and talk time,
        one line on the contact's card, and the first touch recorded."""
        start = self.now
        self._process(
            self._event("ringing", at=start),
            self._event("answered", at=start + datetime.timedelta(seconds=12)),
            self._event(
                "hangup",
                at=start + datetime.timedelta(seconds=200),
                reason="normal",
                recording_url="https://pbx/r/1.mp3",
            ),
        )
        call = self._call()
        self.assertEqual(len(call), 1)
        self.assertEqual(
            (call.state, call.direction, call.user_id), ("answered", "inbound", self.user_salesman)
        )
        self.assertEqual((call.partner_id, call.commercial_partner_id), (self.contact_buyer, self.entity_a))
        self.assertEqual((call.wait_seconds, call.talk_seconds), (12, 188))
        self.assertEqual(call.caller_e164, "+79137004567")
        self.assertEqual(call.recording_url, "https://pbx/r/1.mp3")
        lines = self.contact_buyer.message_ids.filtered(lambda m: "answered by" in (m.body or ""))
        self.assertEqual(len(lines), 1)
        self.assertEqual(self.entity_a.first_touch_user_id, self.user_salesman)
        self.assertEqual(self.entity_a.first_touch_channel, "phone")

    def test_retried_and_duplicated_events_count_once(self):
        """The same events sent again (a retry, a duplicate) change nothing: one call, one chatter line."""
        events = [self._event("ringing"), self._event("answered"), self._event("hangup", reason="normal")]
        self.assertEqual(self._process(*events), (3, 0))
        self.assertEqual(self._process(*events), (0, 3))
        self.assertEqual(len(self._call()), 1)
        self.assertEqual(
            len(self.contact_buyer.message_ids.filtered(lambda m: "answered by" in (m.body or ""))), 1
        )

    def test_events_out_of_order(self):
        """A hangup arriving before the ringing (a retried ringing) still makes one call, ended."""
        self._process(self._event("hangup", reason="cancel"), self._event("ringing"))
        call = self._call()
        self.assertEqual(len(call), 1)
        self.assertEqual(call.state, "missed")

    def test_first_touch_never_overwritten(self):
        """A later call answered by another user does not change the first touch."""
        self._process(self._event("ringing"), self._event("answered"), self._event("hangup", reason="normal"))
        self._process(
            self._event("ringing", call_id="c2", extension="102"),
            self._event("answered", call_id="c2", extension="102"),
        )
        self.assertEqual(self.entity_a.first_touch_user_id, self.user_salesman)

    def test_junk_number_logged_and_flagged(self):
        """A call whose number is junk is logged as sent and flagged, never dropped."""
        self._process(self._event("ringing", caller="anonymous"), self._event("hangup", reason="cancel"))
        call = self._call()
        self.assertEqual(call.caller_number, "anonymous")
        self.assertTrue(call.number_invalid)
        self.assertFalse(call.partner_id)


@tagged("post_install", "-at_install")
class TestCallCards(TelephonyCase):
    """Calls on the cards: contact, company (its contacts' calls), holding, lead; and the statistics."""

    def test_calls_counted_on_every_card(self):
        """A call with a contact counts on it, its company and its holding; one with a lead on the lead."""
        lead = self.env["crm.lead"].create({"name": "Chairs by phone", "partner_id": self.entity_a.id})
        Call = self.env["crm.phone.call"]
        Call.create(
            {"partner_id": self.contact_buyer.id, "lead_id": lead.id, "called_number": "+79137004567"}
        )
        Call.create({"partner_id": self.entity_b.id, "called_number": "+79130000009"})
        self.assertEqual(self.contact_buyer.crm_call_count, 1)
        self.assertEqual(self.entity_a.crm_call_count, 1)
        self.assertEqual(self.group_holding.crm_call_count, 2)
        self.assertEqual(lead.crm_call_count, 1)
        self.assertEqual(
            Call.search(self.entity_a.action_view_calls()["domain"]).partner_id, self.contact_buyer
        )

    def test_statistics_average_never_sum(self):
        """Per user: answered share, average wait and talk, late call-backs; never a sum of durations."""
        start = self.now
        self._process(
            self._event("ringing", at=start),
            self._event("answered", at=start + datetime.timedelta(seconds=10)),
            self._event("hangup", at=start + datetime.timedelta(seconds=70), reason="normal"),
            self._event("ringing", call_id="c2", at=start),
            self._event("hangup", call_id="c2", at=start + datetime.timedelta(seconds=30), reason="cancel"),
        )
        [(user, answered, wait, talk, count)] = self.env["crm.phone.call"]._read_group(
            [("connection_id", "=", self.connection.id)],
            ["user_id"],
            ["answered_percent:avg", "wait_seconds:avg", "talk_seconds:avg", "__count"],
        )
        self.assertEqual((user, count), (self.user_salesman, 2))
        self.assertEqual((answered, wait, talk), (50, 20, 30))
        measures = self.env["crm.phone.call"].fields_get(
            ["wait_seconds", "talk_seconds", "answered_percent"], ["aggregator"]
        )
        self.assertEqual({field["aggregator"] for field in measures.values()}, {"avg"})


@tagged("post_install", "-at_install")
class TestNoCallUnanswered(TelephonyCase):
    """A missed call becomes somebody's task, closed by the next conversation."""

    def test_missed_call_schedules_a_call_back(self):
        """A missed inbound call gives the client's salesperson a Call back activity due within the SLA."""
        self._process(
            self._event("ringing", extension="102"), self._event("hangup", extension="102", reason="cancel")
        )
        call = self._call()
        self.assertEqual(call.state, "missed")
        self.assertEqual(
            call.callback_user_id, self.user_salesman
        )  # the client's salesperson, not the called user
        self.assertEqual(call.callback_deadline, self.now + datetime.timedelta(minutes=30))
        activity = call.callback_activity_id
        self.assertEqual(activity.activity_type_id, self.env.ref("crm_extended.mail_activity_type_call_back"))
        self.assertEqual(activity.user_id, self.user_salesman)
        self.assertIn(self.contact_buyer, activity.mapped(lambda a: self.env[a.res_model].browse(a.res_id)))

    def _notices(self, activity):
        """The notices to the salesperson about ``activity``'s record."""
        return self._notices_of(activity.res_model, activity.res_id)

    def _notices_of(self, model, res_id):
        return (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("model", "=", model),
                    ("res_id", "=", res_id),
                    ("message_type", "=", "user_notification"),
                    ("partner_ids", "in", self.user_salesman.partner_id.ids),
                ]
            )
        )

    def test_call_back_notice_sent_by_the_job(self):
        """The responsible's notice of the call-back (Odoo's notice of an activity assigned to
        them, an e-mail here) is sent by the background job that the missed call triggers, not
        in the PBX's request, which renders no template and waits for no SMTP server."""
        self.user_salesman.notification_type = "email"
        cron = self.env.ref("crm_extended.ir_cron_crm_phone_call_callback_notices")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        self._process(self._event("ringing"), self._event("hangup", reason="cancel"))
        call = self._call()
        activity = call.callback_activity_id
        self.assertTrue(activity)
        self.assertFalse(self._notices(activity), "the request does not render the notice")
        self.assertTrue(call.callback_notice_pending)
        self.assertEqual(self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers + 1)
        self.env["crm.phone.call"]._crm_cron_send_callback_notices()
        notice = self._notices(activity)
        self.assertEqual(len(notice), 1)
        self.assertIn("assigned to you", notice.subject)
        self.assertIn("Call back", notice.subject)
        self.assertEqual(notice.notification_ids.notification_type, "email")
        self.assertFalse(call.callback_notice_pending)
        self.env["crm.phone.call"]._crm_cron_send_callback_notices()
        self.assertEqual(len(self._notices(activity)), 1, "each call-back is told once")

    def test_call_back_notice_as_odoo_sends_it(self):
        """The notice the job sends is the one Odoo sends when someone schedules the same
        activity for the user by hand (its subject and body)."""
        self.user_salesman.notification_type = "email"
        self._process(self._event("ringing"), self._event("hangup", reason="cancel"))
        activity = self._call().callback_activity_id
        self.env["crm.phone.call"]._crm_cron_send_callback_notices()
        ours = self._notices(activity)
        record = self.env[activity.res_model].browse(activity.res_id)
        by_hand = record.activity_schedule(
            "crm_extended.mail_activity_type_call_back",
            date_deadline=activity.date_deadline,
            summary=activity.summary,
            note=activity.note,
            user_id=self.user_salesman.id,
        )
        theirs = self._notices(by_hand) - ours
        self.assertEqual(len(theirs), 1)
        self.assertEqual(ours.subject, theirs.subject)
        self.assertEqual(ours.body, theirs.body)

    def test_call_back_done_before_its_notice(self):
        """A call-back already done when the job runs is not told."""
        self.user_salesman.notification_type = "email"
        self._process(self._event("ringing"), self._event("hangup", reason="cancel"))
        call = self._call()
        activity = call.callback_activity_id
        record = (activity.res_model, activity.res_id)
        activity.action_feedback(feedback="Reached")
        self.env["crm.phone.call"]._crm_cron_send_callback_notices()
        self.assertFalse(call.callback_notice_pending)
        self.assertFalse(self._notices_of(*record))

    def test_answered_call_closes_the_call_back(self):
        """A later answered call with the same number marks the call-back done (late if after the SLA)."""
        self._process(self._event("ringing"), self._event("hangup", reason="cancel"))
        missed = self._call()
        activity = missed.callback_activity_id
        later = self.now + datetime.timedelta(hours=2)
        self._process(
            self._event(
                "ringing",
                call_id="c2",
                direction="outbound",
                caller="101",
                called="+7 913 700 45 67",
                at=later,
            ),
            self._event(
                "answered",
                call_id="c2",
                direction="outbound",
                caller="101",
                called="+7 913 700 45 67",
                at=later,
            ),
        )
        self.assertTrue(missed.callback_done)
        self.assertEqual(missed.called_back_at, later)
        self.assertEqual(missed.callback_late, 1)
        self.assertFalse(activity.exists())

    def test_overdue_call_backs_listed(self):
        """Missed calls past their call-back time show in the overdue filter; the cron counts them late."""
        self._process(
            self._event("ringing", at=self.now - datetime.timedelta(hours=3)),
            self._event("hangup", reason="cancel", at=self.now - datetime.timedelta(hours=3)),
        )
        call = self._call()
        self.assertIn(call, self.env["crm.phone.call"].search([("callback_overdue", "=", True)]))
        self.env["crm.phone.call"]._crm_cron_flag_late_callbacks()
        self.assertEqual(call.callback_late, 1)

    def test_unknown_missed_call_becomes_a_lead(self):
        """A missed call from a number nobody has creates a lead (source Phone) in the connection's team."""
        self._process(
            self._event("ringing", caller="+7 999 123 45 67"),
            self._event("hangup", caller="+7 999 123 45 67", reason="cancel"),
        )
        lead = self._call().lead_id
        self.assertTrue(lead)
        self.assertEqual(lead.phone, "+7 999 123 45 67")
        self.assertEqual(lead.source_id, self.env.ref("crm_extended.utm_source_phone"))
        self.assertEqual(lead.team_id, self.team)
        self.assertFalse(lead.user_id)


@tagged("post_install", "-at_install")
class TestWhoIsCalling(TelephonyCase):
    """The user whose phone rings is told who calls, under their own rights."""

    def _notifications(self, user):
        self.env.cr.precommit.run()  # the bus writes its notifications just before the commit
        notifications = self.env["bus.bus"].sudo().search([("message", "like", "crm_extended/incoming_call")])
        return notifications.filtered(
            lambda n: json.loads(n.channel)[1:] == ["res.partner", user.partner_id.id]
        )

    def test_owner_of_the_extension_is_told(self):
        """Ringing extension 101 sends its user the caller's card: name, company, roles, salesperson."""
        self._process(self._event("ringing"))
        notifications = self._notifications(self.user_salesman)
        self.assertEqual(len(notifications), 1)
        card = json.loads(notifications.message)["payload"]
        self.assertEqual(card["partner"]["name"], "Boris Buyer")
        self.assertEqual(card["partner"]["company"], "Alpha Trade LLC")
        self.assertEqual(card["partner"]["roles"], self.role_buyer.mapped("name"))
        self.assertEqual(card["partner"]["salesperson"], self.user_salesman.name)
        self.assertFalse(self._notifications(self.user_salesman_other))

    def test_ringing_query_count(self):
        """A known caller's ringing event (the event claimed, the call logged with its client,
        the card read under the rights of the user whose phone rings, the notification queued)
        runs a fixed number of queries, whatever ran before it in the request's worker: pinned,
        so that it cannot creep back (#11: 33 on 2026-12-07 before the count was cut)."""
        self.env["crm.service.case"].create(
            {
                "subject": "Chair sinks",
                "type_id": self.env.ref("crm_extended.crm_service_case_type_warranty").id,
                "partner_id": self.entity_a.id,
            }
        )
        self._process(self._event("ringing", call_id="warm-up"))  # the registry's caches, as a worker's
        self.env.invalidate_all()  # a request's record cache starts empty
        with self.assertQueryCount(RINGING_QUERIES):
            self.assertEqual(self._process(self._event("ringing", call_id="counted")), (1, 0))
        card = json.loads(self._notifications(self.user_salesman)[-1].message)["payload"]
        self.assertEqual(
            (card["call_id"], card["partner"]["name"]), (self._call("counted").id, "Boris Buyer")
        )
        self.assertEqual(len(card["cases"]), 1)

    def test_salesperson_index(self):
        """The partners' salesperson, which the salesperson's service-case rule reads ("my
        clients") and Odoo does not index, has an index of the add-on (#11: without it, on
        1,000,000 partners PostgreSQL costed the rule's sub-select as a scan of the directory
        and JIT-compiled the ringing card's search of open cases: 24 ms for a search that runs
        in 0.07 ms; bench/README.md). Whether the planner takes it shows on a large directory
        only (the benchmark); here: that it exists, valid, on the column the rule compares."""
        self.env.cr.execute(
            """SELECT i.indisvalid, pg_get_indexdef(i.indexrelid)
                 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                WHERE c.relname = 'res_partner_user_id_crm_extended'"""
        )
        ((valid, definition),) = self.env.cr.fetchall()
        self.assertTrue(valid)
        self.assertIn("ON public.res_partner USING btree (user_id)", definition)
        rule = self.env.ref("crm_extended.crm_service_case_rule_salesman")
        self.assertIn("partner_id.user_id", rule.domain_force)

    def test_queue_told_when_nobody_owns_the_number(self):
        """A call to an extension nobody has rings the connection's queue."""
        self._process(self._event("ringing", extension="999"))
        self.assertEqual(len(self._notifications(self.user_salesman_other)), 1)

    def test_unknown_caller(self):
        """An unknown number is announced as unknown, with the number to create a lead from."""
        self._process(self._event("ringing", caller="+7 999 000 11 22"))
        card = json.loads(self._notifications(self.user_salesman).message)["payload"]
        self.assertFalse(card["known"])
        self.assertEqual(card["number"], "+7 999 000 11 22")

    def test_card_read_under_the_users_rights(self):
        """A salesperson is not told of a colleague's private lead for that number."""
        self.env["crm.lead"].create(
            {"name": "Theirs", "phone": "+7 913 700 45 67", "user_id": self.user_salesman_other.id}
        )
        self._process(self._event("ringing"))
        card = json.loads(self._notifications(self.user_salesman).message)["payload"]
        self.assertEqual(card["leads"], [])

    def _open_cases(self):
        Case = self.env["crm.service.case"]
        warranty = self.env.ref("crm_extended.crm_service_case_type_warranty")
        values = {"type_id": warranty.id, "partner_id": self.entity_a.id}
        open_case = Case.create(dict(values, subject="Chair sinks"))
        Case.create(
            dict(
                values,
                subject="Old squeak",
                stage_id=self.env.ref("crm_extended.crm_service_case_stage_warranty_resolved").id,
            )
        )
        return open_case

    def test_card_lists_open_cases(self):
        """The card names the client's open service cases (closed ones left out); a salesperson,
        who reads cases but may not open one, is offered no new case."""
        open_case = self._open_cases()
        self._process(self._event("ringing"))
        card = json.loads(self._notifications(self.user_salesman).message)["payload"]
        self.assertEqual([c["id"] for c in card["cases"]], open_case.ids)
        self.assertEqual(card["cases"][0]["subject"], "Chair sinks")
        self.assertEqual(card["cases"][0]["stage"], open_case.stage_id.name)
        self.assertEqual(card["cases"][0]["warranty"], open_case.warranty_label)
        self.assertFalse(card["case_context"])

    def test_call_desk_opens_a_case_from_the_card(self):
        """A call-desk operator (salesperson and service user) gets the new case's defaults:
        the client's entity, the contact who calls and the call itself; the form opened with
        them saves a case tied to the call."""
        self.user_salesman.groups_id += self.env.ref("crm_extended.group_crm_extended_service_user")
        self._process(self._event("ringing"))
        card = json.loads(self._notifications(self.user_salesman).message)["payload"]
        self.assertEqual(card["cases"], [])
        context = card["case_context"]
        self.assertEqual(context["default_partner_id"], self.entity_a.id)
        self.assertEqual(context["default_contact_id"], card["partner"]["id"])
        self.assertEqual(context["default_phone_call_id"], self._call().id)
        case = (
            self.env["crm.service.case"]
            .with_user(self.user_salesman)
            .with_context(**context)
            .create({"type_id": self.env.ref("crm_extended.crm_service_case_type_warranty").id})
        )
        self.assertEqual(case.phone_call_id, self._call())
        self.assertEqual(case.contact_id.name, "Boris Buyer")
        self.assertTrue(case.subject.startswith("Call of "))

    def test_card_without_case_rights(self):
        """A role that may not read cases (an accountant) is told of none, nor offered one."""
        self._open_cases()
        self._process(self._event("ringing"))
        values = (
            self.env["crm.phone.call"]
            .with_user(self.user_accountant)
            ._crm_caller_cases(self.entity_a.child_ids[:1], self._call())
        )
        self.assertEqual(values, {"cases": [], "case_context": False})


@tagged("post_install", "-at_install")
class TestCallAccess(TelephonyCase):
    """Who reads which calls, and who reads a connection's secret."""

    def test_salesperson_sees_own_and_team_calls(self):
        """A salesperson reads their own calls and their team's, not another team's; a manager all."""
        other_team = self.env["crm.team"].create({"name": "Other"})
        Call = self.env["crm.phone.call"]
        own = Call.create({"user_id": self.user_salesman.id, "called_number": "+79130000001"})
        team = Call.create({"user_id": False, "team_id": self.team.id, "called_number": "+79130000002"})
        other = Call.create(
            {
                "user_id": self.user_salesman_other.id,
                "team_id": other_team.id,
                "called_number": "+79130000003",
            }
        )
        visible = Call.with_user(self.user_salesman).search([("id", "in", (own | team | other).ids)])
        self.assertEqual(visible, own | team)
        self.assertEqual(
            Call.with_user(self.user_sales_manager).search([("id", "in", (own | team | other).ids)]),
            own | team | other,
        )

    def test_other_roles_read_no_calls(self):
        """Accountants, warehouse and portal users read no call."""
        call = self.env["crm.phone.call"].create({"called_number": "+79130000001"})
        for user in (self.user_accountant, self.user_stock, self.user_portal):
            with self.assertRaises(AccessError, msg=user.login):
                call.with_user(user).read(["called_number", "recording_url"])

    def test_secret_never_read_back(self):
        """The secret is stored but never read back, not even by an administrator's form; only the
        administrator reads the connection at all."""
        admin = self.env.ref("base.user_admin")
        connection = self.connection.with_user(admin)
        self.assertFalse(connection.read(["new_secret"])[0]["new_secret"])
        self.assertTrue(connection.has_secret)
        arch = connection.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn('name="secret"', arch)
        self.assertNotIn('name="ami_secret"', arch)
        with self.assertRaises(AccessError):  # no group reads it, administrators included
            connection.read(["secret"])
        # saving the form with a new secret does not send it back in the answer
        [saved] = connection.web_save({"new_secret": "typed-now"}, {"new_secret": {}, "has_secret": {}})
        self.assertFalse(saved["new_secret"])
        self.assertEqual(self.connection.sudo().secret, "typed-now")
        for user in (self.user_sales_manager, self.user_salesman):
            with self.assertRaises(AccessError, msg=user.login):
                self.connection.with_user(user).read(["name"])


@tagged("post_install", "-at_install")
class TestPbxWebhook(HttpCase, TelephonyCase):
    """The webhook over real HTTP: authentic events in, everything else refused with a reason."""

    def _post(self, payload, secret=SECRET, token=None, timestamp=None, body=None):
        body = body if body is not None else json.dumps(payload).encode()
        headers = generic.signed_headers(secret, body, timestamp or time.time())
        url = f"/crm_extended/pbx/{token or self.connection.sudo().token}"
        return self.url_open(url, data=body, headers=headers)

    def _payload(self, kind, call_id="w1"):
        return {
            "event": kind,
            "call_id": call_id,
            "direction": "inbound",
            "from": "8 (913) 700-45-67",
            "to": "+74951112233",
            "extension": "101",
            "timestamp": fields.Datetime.to_string(fields.Datetime.now()).replace(" ", "T") + "Z",
        }

    def test_signed_events_logged_once(self):
        """Signed events are accepted (200 with a summary); the same event again is a duplicate."""
        response = self._post([self._payload("ringing"), self._payload("hangup")])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"accepted": 2, "duplicates": 0})
        self.assertEqual(self._post(self._payload("ringing")).json(), {"accepted": 0, "duplicates": 1})
        self.assertEqual(len(self._call("w1")), 1)

    def test_refused_requests_store_nothing(self):
        """Forged, replayed, unknown-connection, malformed and oversized requests are refused
        with the status the PBX expects, and nothing is stored."""
        cases = [
            (401, self._post(self._payload("ringing", "f1"), secret="forged")),
            (401, self._post(self._payload("ringing", "f2"), timestamp=time.time() - 3600)),
            (404, self._post(self._payload("ringing", "f3"), token="no-such-connection")),
            (400, self._post(None, body=b"{not json")),
            (413, self._post(None, body=b"[" + b" " * (300 * 1024) + b"]")),
        ]
        for expected, response in cases:
            self.assertEqual(response.status_code, expected, response.text)
        self.assertFalse(self.env["crm.phone.call"].search([("pbx_call_id", "in", ["f1", "f2", "f3"])]))


@tagged("post_install", "-at_install")
class TestConcurrentDuplicates(BaseCase):
    """Two requests carrying the same events at the same time, on two real
    database cursors: one call, one lead, one chatter line. (Not in a test
    transaction: both cursors must see committed data; everything made is
    removed at the end.)"""

    def test_concurrent_duplicate_events_apply_once(self):
        """While one transaction holds the events, the other waits, loses with a serialization
        failure, is retried as Odoo retries requests, and finds them already there."""
        registry = Registry(get_db_name())
        number = "+7 999 555 44 33"
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            connection_id = (
                env["crm.pbx.connection"].create({"name": "Concurrency PBX", "new_secret": "x"}).id
            )
        events = [
            CallEvent(kind=kind, call_id="race-1", direction="inbound", caller=number, called="101", at=at)
            for kind, at in (
                ("ringing", datetime.datetime(2026, 1, 5, 10)),
                ("hangup", datetime.datetime(2026, 1, 5, 10, 1)),
            )
        ]
        results = {}
        # the second request's cursor and environment are made here: the test
        # runner holds the registry's lock, which a thread making an
        # environment would wait for
        second_cr = registry.cursor()
        second_env = api.Environment(second_cr, SUPERUSER_ID, {})

        def second_request():
            # what Odoo's request retrying does on a serialization failure:
            # roll back, forget the cache, run the request again (without
            # Environment.reset(), which needs the registry's lock)
            with second_cr, mute_logger("odoo.sql_db"):  # the serialization failure is expected
                connection = second_env["crm.pbx.connection"].browse(connection_id)
                for attempt in range(1, 4):
                    try:
                        results["second"] = second_env["crm.phone.call"]._crm_process_events(
                            connection, events
                        )
                        results["attempts"] = attempt
                        break
                    except errors.SerializationFailure:
                        second_cr.rollback()
                        second_env.invalidate_all(flush=False)

        try:
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                connection = env["crm.pbx.connection"].browse(connection_id)
                results["first"] = env["crm.phone.call"]._crm_process_events(connection, events)
                thread = threading.Thread(target=second_request)
                thread.start()
                thread.join(timeout=1.5)  # it waits on the first transaction's claim
                self.assertTrue(thread.is_alive(), "the second request must wait for the first one")
            thread.join(timeout=30)  # the first committed: the second is retried
            self.assertEqual(results, {"first": (2, 0), "second": (0, 2), "attempts": 2})
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                calls = env["crm.phone.call"].search([("connection_id", "=", connection_id)])
                self.assertEqual(len(calls), 1)
                self.assertEqual(calls.state, "missed")
                leads = env["crm.lead"].with_context(active_test=False).search([("phone", "=", number)])
                self.assertEqual(len(leads), 1)
                self.assertEqual(
                    len(leads.message_ids.filtered(lambda m: "Missed call" in (m.body or ""))), 1
                )
        finally:
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                calls = env["crm.phone.call"].search([("connection_id", "=", connection_id)])
                leads = calls.lead_id
                calls.unlink()
                leads.unlink()
                env["crm.pbx.connection"].browse(connection_id).unlink()


@tagged("post_install", "-at_install")
class TestMangoThroughOdoo(HttpCase, TelephonyCase):
    """Mango Office end to end: its signed notifications through the webhook, and click to
    dial through a loopback server implementing its callback command."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mango = cls.env["crm.pbx.connection"].create(
            {"name": "Mango", "adapter": "mango", "api_key": "mango-key", "new_secret": "mango-salt"}
        )

    def _notify(self, path, data, salt="mango-salt"):
        form = mango.signed_form("mango-key", salt, data)
        return self.url_open(f"/crm_extended/pbx/{self.mango.sudo().token}/{path}", data=form)

    def test_mango_call_logged_from_its_notifications(self):
        """Mango's events/call (ringing, answered) and events/summary log one answered call."""
        now = int(time.time())
        leg = {
            "entry_id": "mango-e1",
            "call_id": "leg-1",
            "timestamp": now,
            "seq": "1",
            "call_state": "Appeared",
            "from": {"number": "79137004567"},
            "to": {"extension": "101", "number": "74951112233"},
        }
        self.assertEqual(self._notify("events/call", leg).status_code, 200)
        connected = dict(leg, seq="2", call_state="Connected", timestamp=now + 5)
        self.assertEqual(self._notify("events/call", connected).status_code, 200)
        summary = {
            "entry_id": "mango-e1",
            "call_direction": 1,
            "from": {"number": "79137004567"},
            "to": {"extension": "101", "number": "74951112233"},
            "line_number": "74951112233",
            "create_time": now,
            "forward_time": now + 1,
            "talk_time": now + 5,
            "end_time": now + 65,
            "entry_result": 1,
            "disconnect_reason": 1100,
        }
        self.assertEqual(self._notify("events/summary", summary).status_code, 200)
        call = self.env["crm.phone.call"].search([("connection_id", "=", self.mango.id)])
        self.assertEqual(len(call), 1)
        self.assertEqual(
            (call.state, call.partner_id, call.user_id), ("answered", self.contact_buyer, self.user_salesman)
        )
        self.assertEqual(call.talk_seconds, 60)

    def test_mango_forged_notification_refused(self):
        """A notification signed with another salt is refused and logs nothing."""
        now = int(time.time())
        leg = {
            "entry_id": "mango-f",
            "timestamp": now,
            "seq": "1",
            "call_state": "Appeared",
            "from": {"number": "7913"},
        }
        self.assertEqual(self._notify("events/call", leg, salt="forged").status_code, 401)
        self.assertFalse(self.env["crm.phone.call"].search([("pbx_call_id", "=", "mango-f")]))

    def test_click_to_dial_through_mango(self):
        """A salesperson with an extension dials from a contact: Mango receives a signed callback
        command for their extension and the number, and the call is logged as outbound."""
        with MangoServer(api_key="mango-key", api_salt="mango-salt", extensions={"101"}) as server:
            self.mango.api_url = server.api_url
            result = (
                self.env["crm.phone.call"]
                .with_user(self.user_salesman)
                .crm_click_to_dial("+7 913 700-45-67", "res.partner", self.contact_buyer.id)
            )
        self.assertEqual(result["type"], "success", result)
        self.assertEqual(server.commands[-1]["json"]["from"], {"extension": "101"})
        self.assertEqual(server.commands[-1]["json"]["to_number"], "79137004567")
        call = self.env["crm.phone.call"].search([("origin", "=", "click_to_dial")])
        self.assertEqual(
            (call.direction, call.partner_id, call.user_id),
            ("outbound", self.contact_buyer, self.user_salesman),
        )

    def test_click_to_dial_error_told_and_logged(self):
        """When Mango refuses (no funds), the user is told what to do and the call stays logged, failed."""
        with MangoServer(api_key="mango-key", api_salt="mango-salt", extensions={"101"}) as server:
            server.force_result = 2240
            self.mango.api_url = server.api_url
            result = (
                self.env["crm.phone.call"].with_user(self.user_salesman).crm_click_to_dial("+7 913 700-45-67")
            )
        self.assertEqual(result["type"], "danger")
        self.assertIn("billing", result["message"])
        self.assertEqual(
            self.env["crm.phone.call"].search([("origin", "=", "click_to_dial")]).state, "failed"
        )


@tagged("post_install", "-at_install")
class TestIncomingCallTour(WebsocketCase, TelephonyCase):
    """In a browser: a call event arrives through the webhook, the salesperson sees who is
    calling and opens the card. (Odoo's WebsocketCase lets the browser join the bus in a
    test; the bus cannot dispatch on its own there, so the test triggers it, as Odoo's own
    bus tests do.)"""

    def _ring_during_tour(self, tour, call_id):
        """The PBX posts a ringing event for extension 101 once the salesperson's browser is
        on the bus, while ``tour`` runs."""
        self.user_salesman.password = "ce_salesman"
        partner = self.user_salesman.partner_id
        channel = hashable(channel_with_db(self.registry.db_name, partner))
        url = f"/crm_extended/pbx/{self.connection.sudo().token}"

        def ring():
            # this thread shares the test's cursor with the server's requests (the browser's
            # included): it reads nothing through it, and touches it under the test lock only
            deadline = time.time() + 30
            while not dispatch._channels_to_ws.get(channel) and time.time() < deadline:
                time.sleep(0.2)  # until the browser has joined the bus
            body = json.dumps(
                {
                    "event": "ringing",
                    "call_id": call_id,
                    "from": "8 (913) 700-45-67",
                    "to": "+74951112233",
                    "extension": "101",
                    "timestamp": int(time.time()),
                }
            ).encode()
            headers = generic.signed_headers(SECRET, body, time.time())
            self.url_open(url, data=body, headers=headers)
            with self.registry.test_lock:
                self.trigger_notification_dispatching([partner])

        caller = threading.Thread(target=ring)
        caller.start()
        try:
            self.start_tour("/odoo", tour, login="ce_salesman")
        finally:
            caller.join()

    def test_salesperson_sees_the_caller_and_opens_the_card(self):
        """The salesperson sees who calls, with the client's open case, and opens the card."""
        self.env["crm.service.case"].create(
            {
                "subject": "Chair sinks",
                "type_id": self.env.ref("crm_extended.crm_service_case_type_warranty").id,
                "partner_id": self.entity_a.id,
            }
        )
        self._ring_during_tour("crm_extended_incoming_call_tour", "tour-1")

    def test_call_desk_opens_a_case_from_the_call(self):
        """A call-desk operator (salesperson and service user) opens a new case from the
        notification: the case is saved for the caller's entity, tied to the call."""
        self.user_salesman.groups_id += self.env.ref("crm_extended.group_crm_extended_service_user")
        self._ring_during_tour("crm_extended_incoming_call_case_tour", "tour-2")
        case = self.env["crm.service.case"].search([("phone_call_id", "=", self._call("tour-2").id)])
        self.assertEqual(case.partner_id, self.entity_a)
        self.assertEqual(case.contact_id.name, "Boris Buyer")


@tagged("post_install", "-at_install")
class TestAsteriskThroughOdoo(HttpCase, TelephonyCase):
    """Asterisk end to end: the AMI bridge program, fed by a server replaying a recorded
    Asterisk call, posts to the real Odoo webhook, which logs the call."""

    def test_recorded_asterisk_call_logged_by_odoo(self):
        """An inbound call answered by extension 101, as Asterisk emits it, becomes one answered
        call of extension 101's user, with its recording, whatever the bridge retried."""
        spec = importlib.util.spec_from_file_location("crm_ami_bridge", BRIDGE)
        path = list(sys.path)
        try:  # the bridge puts the add-on's services/ on sys.path for its own imports
            bridge = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(bridge)
        finally:
            sys.path[:] = path
        server = ami_server.ReplayAmiServer(ami_server.load_capture("inbound_answered.ami")).start()
        self.addCleanup(server.stop)
        asterisk = self.env["crm.pbx.connection"].create(
            {"name": "Asterisk", "adapter": "asterisk", "new_secret": "bridge-secret"}
        )
        self.env.flush_all()  # the webhook reads it from another cursor
        settings = bridge.Settings(
            url=f"{self.base_url()}/crm_extended/pbx/{asterisk.sudo().token}",
            secret="bridge-secret",
            ami_port=server.port,
            ami_user="crm",
            ami_secret="s3cret",
            retry_initial=0.05,
            reconnect_initial=0.05,
            drain_seconds=5.0,
        )
        stop = threading.Event()
        thread = threading.Thread(target=bridge.run, args=(settings, stop), daemon=True)
        thread.start()
        Call = self.env["crm.phone.call"]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            # the bridge's requests use the test's cursor in the server's threads: read under its lock
            with self.registry.test_lock:
                if Call.search([("connection_id", "=", asterisk.id), ("end_at", "!=", False)]):
                    break
            time.sleep(0.2)
        stop.set()
        thread.join(15)
        call = Call.search([("connection_id", "=", asterisk.id)])
        self.assertEqual(len(call), 1)
        self.assertEqual(
            (call.direction, call.state, call.user_id), ("inbound", "answered", self.user_salesman)
        )
        self.assertEqual(call.caller_e164, "+79123456789")
        self.assertTrue(call.talk_seconds > 0)
        self.assertTrue(call.recording_url)

    def test_click_to_dial_through_asterisk(self):
        """Click to dial on an Asterisk connection sends Originate for the user's channel; a PBX
        refusing the AMI login is told to the user in words they can act on."""
        server = ami_server.ReplayAmiServer([]).start()
        self.addCleanup(server.stop)
        self.env["crm.pbx.connection"].create(
            {
                "name": "Asterisk dial",
                "adapter": "asterisk",
                "ami_host": "127.0.0.1",
                "ami_port": server.port,
                "ami_user": "crm",
                "new_ami_secret": "s3cret",
            }
        )
        Call = self.env["crm.phone.call"].with_user(self.user_salesman)
        result = Call.crm_click_to_dial("+7 913 700-45-67", "res.partner", self.contact_buyer.id)
        self.assertEqual(result["type"], "success", result)
        originate = server.actions_named("Originate")[-1]
        self.assertEqual((originate["Channel"], originate["Exten"]), ("PJSIP/101", "+79137004567"))
        self.env["crm.pbx.connection"].search([("name", "=", "Asterisk dial")]).new_ami_secret = "wrong"
        result = Call.crm_click_to_dial("+7 913 700-45-67")
        self.assertEqual(result["type"], "danger")
        self.assertIn("AMI user and secret", result["message"])
