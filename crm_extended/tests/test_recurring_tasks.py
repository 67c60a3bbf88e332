from datetime import date, timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import BaseCase, tagged

from ..services.recurrence import Recurrence, RecurrenceError
from .common import TasksKpiCommon


@tagged("post_install", "-at_install")
class TestRecurrence(BaseCase):
    def test_monthly_on_the_31st(self):
        """The 31st is the last day of shorter months: Feb 28 (29 in a leap year), Apr 30."""
        rec = Recurrence("monthly", month_day=31, anchor=date(2026, 1, 1))
        self.assertEqual(rec.due(rec.period(date(2026, 2, 10))[0]), date(2026, 2, 28))
        self.assertEqual(rec.due(rec.period(date(2028, 2, 10))[0]), date(2028, 2, 29))
        self.assertEqual(rec.due(rec.period(date(2026, 4, 1))[0]), date(2026, 4, 30))
        self.assertEqual(rec.due(rec.period(date(2026, 5, 31))[0]), date(2026, 5, 31))

    def test_last_working_day(self):
        """The last working day of May 2026 (the 31st is a Sunday) is Friday the 29th; with the 29th a
        holiday, Thursday the 28th."""
        rec = Recurrence("monthly", month_by="last_working_day", anchor=date(2026, 1, 1))
        start = rec.period(date(2026, 5, 3))[0]
        self.assertEqual(rec.due(start), date(2026, 5, 29))
        self.assertEqual(
            rec.due(start, lambda day: day.weekday() < 5 and day != date(2026, 5, 29)), date(2026, 5, 28)
        )

    def test_every_n_months_and_weeks_and_days(self):
        """Every 3 months from January gives quarters; every 2 weeks, 14-day periods from the anchor's
        Monday, due on the weekday; every 10 days, 10-day periods from the anchor."""
        quarter = Recurrence("monthly", interval=3, anchor=date(2026, 1, 15))
        self.assertEqual(quarter.period(date(2026, 5, 20)), (date(2026, 4, 1), date(2026, 7, 1)))
        fortnight = Recurrence("weekly", interval=2, weekday="thu", anchor=date(2026, 3, 4))
        start, end = fortnight.period(date(2026, 3, 20))
        self.assertEqual((start, end), (date(2026, 3, 16), date(2026, 3, 30)))
        self.assertEqual(fortnight.due(start), date(2026, 3, 19))
        ten = Recurrence("daily", interval=10, anchor=date(2026, 3, 1))
        self.assertEqual(ten.period(date(2026, 3, 25)), (date(2026, 3, 21), date(2026, 3, 31)))

    def test_invalid_recurrences(self):
        """An interval under 1, a 32nd day or a weekly recurrence without weekday are refused."""
        for rec in (
            Recurrence("monthly", interval=0),
            Recurrence("monthly", month_day=32),
            Recurrence("weekly", weekday=False),
            Recurrence("yearly"),
        ):
            with self.assertRaises(RecurrenceError):
                rec.check()


@tagged("post_install", "-at_install")
class TestRecurringTasks(TasksKpiCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.entity_a.user_id = cls.user_salesman
        cls.entity_b.user_id = cls.user_salesman_other
        cls.visit = cls.env.ref("mail.mail_activity_data_meeting")
        cls.segment = cls.env["mailing.filter"].create(
            {
                "name": "Test holding entities",
                "crm_is_segment": True,
                "crm_segment_model": "res.partner",
                "mailing_domain": repr(
                    [("client_group_id", "=", cls.group_holding.id), ("is_company", "=", True)]
                ),
            }
        )
        cls.day = date(2026, 3, 10)

    def _template(self, **vals):
        values = {
            "name": "Monthly visit",
            "segment_id": self.segment.id,
            "activity_type_id": self.visit.id,
            "frequency": "monthly",
            "month_day": 31,
            "anchor_date": date(2026, 1, 1),
        }
        values.update(vals)
        return self.env["crm.task.template"].create(values)

    def _tasks(self, template):
        return self.env["mail.activity"].search([("crm_task_template_id", "=", template.id)])

    def test_generates_one_task_per_client_for_its_salesperson(self):
        """Each client of the segment gets one task, for its salesperson, due on the period's day."""
        template = self._template()
        self.assertEqual(template._crm_generate(self.day), 2)
        tasks = self._tasks(template)
        self.assertEqual(
            {(t.res_id, t.user_id) for t in tasks},
            {(self.entity_a.id, self.user_salesman), (self.entity_b.id, self.user_salesman_other)},
        )
        self.assertEqual(set(tasks.mapped("date_deadline")), {date(2026, 3, 31)})
        self.assertEqual(self.entity_a.activity_ids, tasks.filtered(lambda t: t.res_id == self.entity_a.id))

    def test_rerun_creates_no_duplicates(self):
        """Running the job again in the same period creates nothing; the next period creates again."""
        template = self._template()
        template._crm_generate(self.day)
        self.assertEqual(template._crm_generate(self.day), 0)
        self.assertEqual(template._crm_generate(self.day + timedelta(days=5)), 0)
        self.assertEqual(len(self._tasks(template)), 2)
        self.assertEqual(template._crm_generate(date(2026, 4, 2)), 2)

    def test_done_task_is_not_recreated(self):
        """A task marked done in the period is not created again by the next run."""
        template = self._template()
        template._crm_generate(self.day)
        self._tasks(template).action_feedback(feedback="visited")
        self.assertEqual(template._crm_generate(self.day), 0)

    def test_interrupted_run_is_completed_without_duplicates(self):
        """A run interrupted after some clients (one served, one not) serves the others only."""
        template = self._template()
        self.env["crm.task.occurrence"].create(
            {
                "template_id": template.id,
                "client_id": self.entity_a.id,
                "partner_id": self.entity_a.id,
                "user_id": self.user_salesman.id,
                "period_start": date(2026, 3, 1),
                "period_end": date(2026, 4, 1),
            }
        )
        self.assertEqual(template._crm_generate(self.day), 1)
        self.assertEqual(self._tasks(template).mapped("res_id"), [self.entity_b.id])

    def test_template_changed_mid_period(self):
        """A monthly template changed mid-period to every two weeks does not serve its clients twice in
        the month already served."""
        template = self._template()
        template._crm_generate(self.day)
        template.write({"frequency": "weekly", "interval": 2, "weekday": "mon", "anchor_date": self.day})
        self.assertEqual(template._crm_generate(self.day + timedelta(days=7)), 0)
        self.assertEqual(template._crm_generate(date(2026, 4, 6)), 2)

    def test_skips_clients_contacted_in_the_period(self):
        """A client with an answered call in the period is skipped; without the option it is not."""
        self.env["crm.phone.call"].create(
            {
                "direction": "outbound",
                "called_number": "8 (383) 211-22-33",
                "partner_id": self.entity_a.id,
                "start_at": fields.Datetime.to_datetime("2026-03-05 10:00:00"),
            }
        )
        template = self._template()
        self.assertEqual(template._crm_generate(self.day), 1)
        self.assertEqual(self._tasks(template).res_id, self.entity_b.id)
        other = self._template(name="Monthly call", skip_contacted=False)
        self.assertEqual(other._crm_generate(self.day), 2)

    def test_fixed_user_and_role_contact(self):
        """A fixed user gets every task; with a role, the task is about the client's contact holding it
        (clients without one are skipped)."""
        template = self._template(
            responsible="user", user_id=self.user_sales_manager.id, contact_role_id=self.role_accountant.id
        )
        self.assertEqual(template._crm_generate(self.day), 1)
        task = self._tasks(template)
        self.assertEqual((task.res_id, task.user_id), (self.contact_accountant.id, self.user_sales_manager))

    def _digests(self, user):
        return self.env["mail.message"].search(
            [("message_type", "=", "user_notification"), ("partner_ids", "in", user.partner_id.ids)]
        )

    def test_assignee_gets_one_message_per_run(self):
        """A run of two templates sends each assignee one message naming both templates, their due day
        and clients, instead of an e-mail per activity; a rerun that creates nothing sends nothing."""
        templates = self._template() | self._template(name="Monthly call", skip_contacted=False)
        self.assertEqual(templates._crm_generate(self.day), 4)
        digest = self._digests(self.user_salesman)
        self.assertEqual(len(digest), 1)
        self.assertEqual(digest.subject, "2 recurring tasks assigned to you")
        for text in ("Monthly visit", "Monthly call", "Alpha Trade LLC", "clients: 1"):
            self.assertIn(text, digest.body)
        self.assertNotIn("Alpha Logistics JSC", digest.body)
        self.assertEqual(len(self._digests(self.user_salesman_other)), 1)
        # by e-mail, as the assignee chose (new_test_user's default)
        self.assertEqual(digest.notification_ids.mapped("notification_type"), ["email"])
        self.assertEqual(templates._crm_generate(self.day), 0)
        self.assertEqual(len(self._digests(self.user_salesman)), 1)

    def test_digest_names_the_first_clients(self):
        """An assignee of many clients reads the first five by name and how many more."""
        for n in range(7):
            self.env["res.partner"].create(
                {
                    "name": f"Client {n}",
                    "is_company": True,
                    "client_group_id": self.group_holding.id,
                    "user_id": self.user_salesman.id,
                }
            )
        self._template()._crm_generate(self.day)
        body = self._digests(self.user_salesman).body
        self.assertIn("clients: 8 (Alpha Trade LLC, Client 0, Client 1, Client 2, Client 3 and 3 more)", body)

    def test_no_message_to_the_user_running_the_job(self):
        """Tasks one generates for oneself send no message (Odoo does not notify self-assigned
        activities), those for others do; the same run by the scheduled job notifies everyone."""
        template = self._template(responsible="user", user_id=self.user_sales_manager.id)
        template.with_user(self.user_sales_manager)._crm_generate(self.day)
        self.assertFalse(self._digests(self.user_sales_manager))
        self._template(name="Monthly call").with_user(self.user_sales_manager)._crm_generate(self.day)
        self.assertEqual(len(self._digests(self.user_salesman)), 1)
        template._crm_generate(date(2026, 4, 2))
        self.assertEqual(len(self._digests(self.user_sales_manager)), 1)

    def test_last_working_day_skips_public_holiday(self):
        """A task due on the last working day of a month follows the company calendar's holidays."""
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Holiday",
                "calendar_id": self.calendar.id,
                "date_from": fields.Datetime.to_datetime("2026-03-31 00:00:00"),
                "date_to": fields.Datetime.to_datetime("2026-03-31 23:59:59"),
            }
        )
        template = self._template(month_by="last_working_day")
        template._crm_generate(self.day)
        self.assertEqual(set(self._tasks(template).mapped("date_deadline")), {date(2026, 3, 30)})

    def test_empty_segment_refused(self):
        """A template whose segment selects nobody is refused with a message."""
        empty = self.env["mailing.filter"].create(
            {
                "name": "Nobody",
                "crm_is_segment": True,
                "crm_segment_model": "res.partner",
                "mailing_domain": repr([("name", "=", "no such client at all")]),
            }
        )
        with self.assertRaisesRegex(ValidationError, "selects no client"):
            self._template(segment_id=empty.id)

    def test_invalid_recurrence_refused(self):
        """A 32nd day of the month or an interval of 0 is refused with a message."""
        with self.assertRaisesRegex(ValidationError, "invalid recurrence"):
            self._template(month_day=32)
        with self.assertRaises(ValidationError):
            self._template(interval=0)

    def test_salesperson_cannot_edit_templates(self):
        """Templates are managed by sales managers; a salesperson reads them only."""
        template = self._template()
        with self.assertRaises(AccessError):
            template.with_user(self.user_salesman).write({"name": "mine"})
        template.with_user(self.user_sales_manager).write({"name": "Monthly visit (all)"})


@tagged("post_install", "-at_install")
class TestNextStepAndMyDay(TasksKpiCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a deal of a team without response rule
        key_accounts = cls.env["crm.team"].create(
            {
                "name": "Key accounts",
                "crm_team_member_ids": [Command.create({"user_id": cls.user_salesman.id})],
            }
        )
        cls.deal = cls.env["crm.lead"].create(
            {
                "name": "Chairs for Alpha",
                "type": "opportunity",
                "user_id": cls.user_salesman.id,
                "team_id": key_accounts.id,
            }
        )

    def test_deal_without_next_step_is_flagged(self):
        """An open deal with no activity is flagged and found; planning one clears the flag."""
        self.assertTrue(self.deal.crm_no_next_step)
        Lead = self.env["crm.lead"]
        self.assertIn(self.deal, Lead.search([("crm_no_next_step", "=", True)]))
        self.deal.activity_schedule("mail.mail_activity_data_call", user_id=self.user_salesman.id)
        self.assertFalse(self.deal.crm_no_next_step)
        self.assertNotIn(self.deal, Lead.search([("crm_no_next_step", "=", True)]))

    def test_next_step_rule_plans_one(self):
        """The next-step rule plans an activity of its type for the salesperson of each deal without one."""
        call = self.env.ref("mail.mail_activity_data_call")
        self.env["crm.next.step.rule"].create({"name": "Call", "activity_type_id": call.id, "delay_days": 2})
        self.env["crm.next.step.rule"]._crm_cron_plan_next_steps()
        self.assertEqual(self.deal.activity_ids.activity_type_id, call)
        self.assertEqual(self.deal.activity_ids.user_id, self.user_salesman)
        self.assertFalse(self.deal.crm_no_next_step)

    def test_my_day_lists_first_contact_overdue_and_deals(self):
        """My day shows the salesperson's new lead to contact (whatever its day), an overdue activity,
        their deal without next step, and nothing of a colleague's."""
        lead = self._lead()
        self._lead(user_id=self.user_salesman_other.id)
        overdue = self.entity_a.activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=fields.Date.today() - timedelta(days=1),
            user_id=self.user_salesman.id,
        )
        self.entity_a.activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=fields.Date.today() + timedelta(days=3),
            user_id=self.user_salesman.id,
        )
        rows = self.env["crm.my.day"].with_user(self.user_salesman).search([])
        kinds = [(r.kind, r.res_model, r.res_id) for r in rows]
        self.assertIn(("first_contact", "crm.lead", lead.id), kinds)
        self.assertIn(("overdue", "res.partner", overdue.res_id), kinds)
        self.assertIn(("no_next_step", "crm.lead", self.deal.id), kinds)
        self.assertEqual(len([k for k in kinds if k[1] == "res.partner"]), 1, "the future activity waits")
        self.assertEqual(rows.user_id, self.user_salesman)
        action = rows.filtered(lambda r: r.lead_id == lead).action_open()
        self.assertEqual((action["res_model"], action["res_id"]), ("crm.lead", lead.id))
