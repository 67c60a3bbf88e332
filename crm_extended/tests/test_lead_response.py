from datetime import datetime, timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import TasksKpiCommon


@tagged("post_install", "-at_install")
class TestLeadResponse(TasksKpiCommon):
    def test_deadline_is_planned_in_working_hours(self):
        """A new lead gets the rule's deadline, counted in the company's working hours, and a
        First contact activity for its salesperson due that day."""
        lead = self._lead()
        self.assertEqual(lead.response_rule_id, self.rule)
        self.assertEqual(
            lead.response_deadline, self.calendar.plan_hours(2.0, lead.create_date, compute_leaves=True)
        )
        activity = lead.response_activity_id
        self.assertEqual(
            activity.activity_type_id, self.env.ref("crm_extended.mail_activity_type_first_contact")
        )
        self.assertEqual(activity.user_id, self.user_salesman)
        self.assertEqual(activity.date_deadline, lead.response_deadline.date())

    def test_deadline_skips_the_weekend(self):
        """Two working hours from Friday 16:00 end on Monday 9:00 (one hour on Friday, one on Monday)."""
        lead = self._lead()
        friday = datetime(2026, 3, 13, 16, 0)
        self.assertEqual(lead._crm_plan_working_hours(2.0, friday), datetime(2026, 3, 16, 9, 0))

    def test_deadline_skips_weekend_and_public_holiday(self):
        """From Friday 16:30 with Monday a public holiday, two working hours end on Tuesday 9:30."""
        lead = self._lead()
        friday = datetime(2026, 3, 6, 16, 30)
        self.assertEqual(lead._crm_plan_working_hours(2.0, friday), datetime(2026, 3, 10, 9, 30))

    def test_lunch_and_night_are_not_working_hours(self):
        """From 11:00, two working hours end at 14:00 (lunch skipped); from 16:00 on a Tuesday, the
        next morning at 9:00; from Saturday, Monday 10:00."""
        lead = self._lead()
        self.assertEqual(
            lead._crm_plan_working_hours(2.0, datetime(2026, 3, 17, 11, 0)), datetime(2026, 3, 17, 14, 0)
        )
        self.assertEqual(
            lead._crm_plan_working_hours(2.0, datetime(2026, 3, 17, 16, 0)), datetime(2026, 3, 18, 9, 0)
        )
        self.assertEqual(
            lead._crm_plan_working_hours(2.0, datetime(2026, 3, 14, 10, 0)), datetime(2026, 3, 16, 10, 0)
        )

    def test_rule_matches_source_and_priority_first(self):
        """The first rule in order matching team, source and priority applies; a lead no rule matches
        gets no deadline."""
        urgent = self.env["crm.response.rule"].create(
            {
                "name": "Website, urgent",
                "sequence": 1,
                "source_id": self.source_web.id,
                "priority": "3",
                "response_hours": 0.5,
            }
        )
        self.assertEqual(self._lead(source_id=self.source_web.id, priority="3").response_rule_id, urgent)
        self.assertEqual(self._lead(source_id=self.source_web.id, priority="1").response_rule_id, self.rule)
        other_team = self.env["crm.team"].create({"name": "Other team"})
        lead = self._lead(team_id=other_team.id)
        self.assertFalse(lead.response_deadline)
        self.assertFalse(lead.activity_ids)

    def test_logged_call_completes_first_contact(self):
        """An answered call logged with the lead (by the salesperson, by hand) stops the clock, in time,
        and marks the First contact activity done."""
        lead = self._lead()
        activity = lead.response_activity_id
        self.env["crm.phone.call"].with_user(self.user_salesman).create(
            {
                "direction": "outbound",
                "called_number": "+7 913 700-45-67",
                "lead_id": lead.id,
                "state": "answered",
            }
        )
        self.assertTrue(lead.responded_at)
        self.assertEqual(lead.response_channel, "phone")
        self.assertTrue(lead.response_in_time)
        self.assertFalse(activity.exists())
        self.assertFalse(lead.response_overdue)

    def test_missed_call_does_not_complete(self):
        """A call that was not answered is not a contact: the clock keeps running."""
        lead = self._lead()
        self.env["crm.phone.call"].create(
            {
                "direction": "outbound",
                "called_number": "+7 913 700-45-67",
                "lead_id": lead.id,
                "state": "missed",
            }
        )
        self.assertFalse(lead.responded_at)
        self.assertTrue(lead.response_activity_id)

    def test_pbx_answer_completes_first_contact(self):
        """A ringing call answered later (the PBX's way) completes the first contact when it is answered."""
        lead = self._lead()
        call = self.env["crm.phone.call"].create(
            {
                "direction": "inbound",
                "caller_number": "+7 913 700-45-67",
                "lead_id": lead.id,
                "state": "ringing",
            }
        )
        self.assertFalse(lead.responded_at)
        call.write({"state": "answered", "answer_at": fields.Datetime.now()})
        self.assertEqual(lead.response_channel, "phone")
        self.assertFalse(lead.response_activity_id)

    def test_email_completes_first_contact(self):
        """An e-mail the salesperson sends from the lead completes the first contact; a note does not."""
        lead = self._lead()
        lead.with_user(self.user_salesman).message_post(body="internal note", subtype_xmlid="mail.mt_note")
        self.assertFalse(lead.responded_at)
        lead.with_user(self.user_salesman).message_post(
            body="Hello, here is our offer", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.assertEqual(lead.response_channel, "email")
        self.assertFalse(lead.response_activity_id)

    def test_meeting_completes_first_contact(self):
        """A meeting logged with the lead completes the first contact."""
        lead = self._lead()
        now = fields.Datetime.now()
        self.env["calendar.event"].with_user(self.user_salesman).create(
            {"name": "Visit", "start": now, "stop": now + timedelta(hours=1), "opportunity_id": lead.id}
        )
        self.assertEqual(lead.response_channel, "meeting")

    def test_first_contact_marked_done_by_hand(self):
        """The salesperson marks *First contact* done (a visit, a messenger): the clock stops,
        counted as marked done; any other activity of the lead marked done leaves it running."""
        lead = self._lead()
        other = lead.activity_schedule("mail.mail_activity_data_todo", user_id=self.user_salesman.id)
        other.with_user(self.user_salesman).action_feedback(feedback="Sent the catalogue")
        self.assertFalse(lead.responded_at)
        activity = lead.response_activity_id
        activity.with_user(self.user_salesman).action_feedback(feedback="Met at the exhibition")
        self.assertFalse(activity.exists())
        self.assertTrue(lead.responded_at)
        self.assertEqual(lead.response_channel, "manual")
        self.assertTrue(lead.response_in_time)

    def test_late_response_is_counted_late(self):
        """A contact after the deadline is recorded, late, with its working hours."""
        lead = self._lead()
        lead.response_deadline = lead.create_date - timedelta(hours=1)
        lead._crm_mark_responded(lead.create_date + timedelta(minutes=5), "phone")
        self.assertFalse(lead.response_in_time)
        self.assertGreaterEqual(lead.response_work_hours, 0.0)
        report = self.env["crm.response.report"].search([("lead_id", "=", lead.id)])
        self.assertEqual((report.late_count, report.in_time_count, report.waiting_count), (1, 0, 0))

    def test_activity_follows_new_salesperson(self):
        """Reassigning a waiting lead moves its First contact activity to the new salesperson."""
        lead = self._lead()
        lead.user_id = self.user_salesman_other
        self.assertEqual(lead.response_activity_id.user_id, self.user_salesman_other)

    def test_escalation_notifies_leader_then_reassigns(self):
        """A missed deadline notifies the team leader once; when the reassignment delay runs out too, the
        lead goes to the rule's user, with its activity."""
        lead = self._lead()
        past = fields.Datetime.now() - timedelta(minutes=1)
        lead.write({"response_deadline": past})
        Lead = self.env["crm.lead"]
        Lead._crm_cron_escalate_responses()
        self.assertEqual(lead.response_escalation, "notified")
        notified = lead.message_ids.filtered(lambda m: self.user_sales_manager.partner_id in m.partner_ids)
        self.assertEqual(len(notified), 1)
        Lead._crm_cron_escalate_responses()
        self.assertEqual(
            len(lead.message_ids.filtered(lambda m: self.user_sales_manager.partner_id in m.partner_ids)), 1
        )
        self.assertEqual(lead.user_id, self.user_salesman)
        lead.write({"response_reassign_at": past})
        Lead._crm_cron_escalate_responses()
        self.assertEqual(lead.response_escalation, "reassigned")
        self.assertEqual(lead.user_id, self.user_salesman_other)
        self.assertEqual(lead.response_activity_id.user_id, self.user_salesman_other)

    def test_responded_lead_is_not_escalated(self):
        """A lead contacted in time is never escalated."""
        lead = self._lead()
        lead._crm_mark_responded(fields.Datetime.now(), "phone")
        lead.write({"response_deadline": fields.Datetime.now() - timedelta(hours=1)})
        self.env["crm.lead"]._crm_cron_escalate_responses()
        self.assertFalse(lead.response_escalation)

    def test_report_access(self):
        """A salesperson reads their own leads' response rows, not a colleague's; the manager all;
        only managers edit the rules."""
        mine = self._lead()
        other = self._lead(user_id=self.user_salesman_other.id)
        Report = self.env["crm.response.report"]
        seen = Report.with_user(self.user_salesman).search([("lead_id", "in", (mine | other).ids)])
        self.assertEqual(seen.lead_id, mine)
        self.assertEqual(
            len(Report.with_user(self.user_sales_manager).search([("lead_id", "in", (mine | other).ids)])), 2
        )

        with self.assertRaises(AccessError):
            self.rule.with_user(self.user_salesman).write({"response_hours": 10})
