import base64
import calendar
from datetime import date, datetime, timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .common import TasksKpiCommon

MARCH = date(2026, 3, 1)


@tagged("post_install", "-at_install")
class TestKpi(TasksKpiCommon):
    """March 2026, by hand: Sam (salesperson) invoices Alpha Trade 2 x 100 + 1 x 50 = 250 on the 10th
    and credits 1 x 50 on the 20th (invoiced 200); the product costs 30, so the margin is
    (250 - 3 x 30) - (50 - 30) = 140; Alpha pays 150 on the 25th (paid 150); Alpha's first invoice
    ever makes one new customer; one deal won on the 15th; two outbound calls and one inbound; one
    meeting; one lead contacted within its SLA. Sam's March plan: 400 invoiced."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.product.write({"standard_price": 30.0, "taxes_id": [Command.clear()]})
        cls.invoice = cls._invoice("out_invoice", date(2026, 3, 10), [(2, 100.0), (1, 50.0)])
        cls.refund = cls._invoice("out_refund", date(2026, 3, 20), [(1, 50.0)])
        env["account.payment.register"].with_context(
            active_model="account.move", active_ids=cls.invoice.ids
        ).create({"amount": 150.0, "payment_date": date(2026, 3, 25)})._create_payments()
        cls._invoice("out_invoice", date(2026, 4, 2), [(1, 100.0)])
        deal = env["crm.lead"].create(
            {
                "name": "Won deal",
                "type": "opportunity",
                "user_id": cls.user_salesman.id,
                "team_id": cls.team.id,
            }
        )
        deal.action_set_won()
        deal.date_closed = datetime(2026, 3, 15, 10, 0)
        Call = env["crm.phone.call"]
        for direction, day in (("outbound", 3), ("outbound", 4), ("inbound", 5)):
            Call.create(
                {
                    "direction": direction,
                    "called_number": "+7 913 700-45-67",
                    "caller_number": "+7 913 700-45-67",
                    "user_id": cls.user_salesman.id,
                    "start_at": datetime(2026, 3, day, 10, 0),
                    "state": "answered",
                }
            )
        env["calendar.event"].create(
            {
                "name": "Visit Alpha",
                "user_id": cls.user_salesman.id,
                "start": datetime(2026, 3, 12, 9, 0),
                "stop": datetime(2026, 3, 12, 10, 0),
            }
        )
        lead = cls._lead()
        lead.write({"responded_at": datetime(2026, 3, 5, 9, 0), "response_in_time": True})
        Target = env["crm.kpi.target"]
        cls.target = Target.create(
            {"month": MARCH, "user_id": cls.user_salesman.id, "kpi": "invoiced", "target": 400.0}
        )
        Target.create(
            {"month": MARCH, "user_id": cls.user_salesman_other.id, "kpi": "invoiced", "target": 100.0}
        )
        Target.create({"month": MARCH, "team_id": cls.team.id, "kpi": "invoiced", "target": 1000.0})

    @classmethod
    def _invoice(cls, move_type, day, lines):
        move = cls.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": cls.entity_a.id,
                "invoice_date": day,
                "invoice_user_id": cls.user_salesman.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": cls.product.id,
                            "quantity": qty,
                            "price_unit": price,
                            "tax_ids": [Command.clear()],
                        }
                    )
                    for qty, price in lines
                ],
            }
        )
        move.action_post()
        return move

    def _board(self, user=None, level="person", **domain):
        Report = self.env["crm.kpi.report"]
        if user:
            Report = Report.with_user(user)
        conditions = [("month", "=", MARCH), ("level", "=", level)] + [(k, "=", v) for k, v in domain.items()]
        return {
            (kpi, owner): (target, fact, percent)
            for kpi, owner, target, fact, percent in Report._read_group(
                conditions,
                ["kpi", "user_id" if level == "person" else "team_id"],
                ["target:sum", "fact:sum", "percent:sum"],
            )
        }

    def _fact(self, kpi, user=None):
        return self._board().get((kpi, user or self.user_salesman), (0, 0, 0))[1]

    def test_invoiced_revenue(self):
        """Invoiced revenue is untaxed, credit notes deducted: 250 - 50 = 200, against a plan of 400: 50%."""
        target, fact, percent = self._board()[("invoiced", self.user_salesman)]
        self.assertEqual((target, fact), (400.0, 200.0))
        self.assertAlmostEqual(percent, 50.0)

    def test_margin(self):
        """Margin is revenue less quantity times cost: (250 - 90) - (50 - 30) = 140."""
        self.assertAlmostEqual(self._fact("margin"), 140.0)

    def test_paid_revenue(self):
        """Paid revenue is what payments settled in the month: 150."""
        self.assertAlmostEqual(self._fact("paid"), 150.0)

    def test_new_customers(self):
        """A client counts once, in the month of its first invoice (March), not in April."""
        self.assertEqual(self._fact("new_customers"), 1)
        april = self.env["crm.kpi.report"]._read_group(
            [("month", "=", date(2026, 4, 1)), ("kpi", "=", "new_customers"), ("level", "=", "person")],
            [],
            ["fact:sum"],
        )
        self.assertEqual(april[0][0], 0.0)

    def test_deals_won_calls_meetings_sla(self):
        """One deal won, two outbound calls (the inbound one is not made), one meeting held, one lead
        contacted within its SLA."""
        self.assertEqual(
            [self._fact(kpi) for kpi in ("won", "calls", "meetings", "sla")],
            [1, 2, 1, 1],
        )

    def test_team_level_and_quarter(self):
        """The team row carries the team's own target and its members' facts; a quarter sums its months."""
        target, fact, _percent = self._board(level="team")[("invoiced", self.team)]
        self.assertEqual((target, fact), (1000.0, 200.0))
        quarter = self.env["crm.kpi.report"]._read_group(
            [
                ("month", ">=", date(2026, 1, 1)),
                ("month", "<=", date(2026, 3, 31)),
                ("kpi", "=", "invoiced"),
                ("level", "=", "person"),
                ("user_id", "=", self.user_salesman.id),
            ],
            [],
            ["fact:sum"],
        )
        self.assertEqual(quarter[0][0], 200.0)

    def test_month_range_does_not_change_figures(self):
        """The board reads the same figures with the month narrowed in SQL as over all months."""
        Report = self.env["crm.kpi.report"]
        narrowed = Report._read_group(
            [("month", "=", MARCH)], ["user_id", "kpi", "level"], ["fact:sum", "target:sum"]
        )
        everything = Report.with_context(crm_kpi_months=None)._read_group(
            ["|", ("month", "=", MARCH), ("month", "=", MARCH)],
            ["user_id", "kpi", "level"],
            ["fact:sum", "target:sum"],
        )
        self.assertEqual(sorted(narrowed, key=str), sorted(everything, key=str))

    def test_projection_of_the_current_month(self):
        """This month's fact is projected at its pace: one call so far makes days-in-month / day-of-month."""
        today = fields.Date.context_today(self.env.user)
        self.env["crm.phone.call"].create(
            {
                "direction": "outbound",
                "called_number": "+7 913 700-45-67",
                "user_id": self.user_salesman_other.id,
            }
        )
        rows = self.env["crm.kpi.report"]._read_group(
            [
                ("month", "=", today.replace(day=1)),
                ("kpi", "=", "calls"),
                ("user_id", "=", self.user_salesman_other.id),
            ],
            [],
            ["fact:sum", "projection:sum"],
        )

        days = calendar.monthrange(today.year, today.month)[1]
        self.assertEqual(rows[0][0], 1.0)
        self.assertAlmostEqual(rows[0][1], days / today.day)

    def test_salesperson_sees_own_and_team_totals(self):
        """A salesperson reads their own rows and their team's totals, not a colleague's row; a manager
        reads everybody's."""
        mine = self._board(user=self.user_salesman)
        self.assertIn(("invoiced", self.user_salesman), mine)
        self.assertNotIn(("invoiced", self.user_salesman_other), mine)
        self.assertIn(("invoiced", self.team), self._board(user=self.user_salesman, level="team"))
        everyone = self._board(user=self.user_sales_manager)
        self.assertIn(("invoiced", self.user_salesman_other), everyone)

    def test_targets_edited_by_managers_only(self):
        """A salesperson reads their targets but cannot change or create one; a manager can."""
        target = self.target.with_user(self.user_salesman)
        self.assertEqual(target.target, 400.0)
        with self.assertRaises(AccessError):
            target.write({"target": 1.0})
        with self.assertRaises(AccessError):
            self.env["crm.kpi.target"].with_user(self.user_salesman).create(
                {"month": MARCH, "user_id": self.user_salesman.id, "kpi": "calls", "target": 5}
            )
        self.target.with_user(self.user_sales_manager).target = 500.0

    def test_copy_last_month_with_growth(self):
        """Copying March into April with 10% growth makes 440 of 400; copying again updates, not
        duplicates."""
        wizard = Form(self.env["crm.kpi.target.copy"].with_user(self.user_sales_manager))
        wizard.month_from = MARCH
        wizard.month_to = date(2026, 4, 1)
        wizard.growth_percent = 10.0
        wizard.save().action_copy()
        april = self.env["crm.kpi.target"].search(
            [("month", "=", date(2026, 4, 1)), ("user_id", "=", self.user_salesman.id)]
        )
        self.assertAlmostEqual(april.target, 440.0)
        self.env["crm.kpi.target"]._crm_copy_month(MARCH, date(2026, 4, 1), 10.0)
        self.assertEqual(len(self.env["crm.kpi.target"].search([("month", "=", date(2026, 4, 1))])), 3)

    def test_import_targets_from_spreadsheet(self):
        """A CSV with month, salesperson (login), KPI (in Russian) and target creates the targets."""
        data = (
            "Месяц;Продавец;Показатель;План\n"
            "05.2026;ce_salesman;Звонки;120\n"
            "2026-05;Olga Otherseller;invoiced;1 500,5\n"
        )
        wizard = (
            self.env["crm.kpi.target.import"]
            .with_user(self.user_sales_manager)
            .create({"file": base64.b64encode(data.encode()), "file_name": "plan.csv"})
        )
        wizard.action_import()
        may = self.env["crm.kpi.target"].search([("month", "=", date(2026, 5, 1))])
        self.assertEqual(
            {(t.user_id, t.kpi, t.target) for t in may},
            {(self.user_salesman, "calls", 120.0), (self.user_salesman_other, "invoiced", 1500.5)},
        )

    def test_digest_kpi(self):
        """The digest's plan KPI is the invoiced revenue of its period against its months' plans."""
        digest = self.env["digest.digest"].create({"name": "Monthly", "kpi_crm_kpi_plan_percent": True})
        value = digest.with_context(
            start_datetime=datetime(2026, 3, 1), end_datetime=datetime(2026, 4, 1)
        ).kpi_crm_kpi_plan_percent_value
        # 200 invoiced by Sam against 400 + 100 planned for the salespeople
        self.assertAlmostEqual(value, 40.0)

    def test_kpi_fields_hidden_from_other_roles(self):
        """Accountants, warehouse and portal users cannot read the board."""
        for user in (self.user_accountant, self.user_stock, self.user_portal):
            with self.assertRaises(AccessError):
                self.env["crm.kpi.report"].with_user(user).search([("month", "=", MARCH)])

    def test_call_moves_the_board(self):
        """Logging a call adds it to today's month at once."""
        month = fields.Date.context_today(self.env.user).replace(day=1)

        def calls():
            rows = self.env["crm.kpi.report"]._read_group(
                [("month", "=", month), ("kpi", "=", "calls"), ("user_id", "=", self.user_salesman.id)],
                [],
                ["fact:sum"],
            )
            return rows[0][0] or 0.0

        before = calls()
        self.env["crm.phone.call"].with_user(self.user_salesman).create(
            {
                "direction": "outbound",
                "called_number": "+7 913 700-45-67",
                "start_at": fields.Datetime.now() - timedelta(minutes=1),
            }
        )
        self.assertEqual(calls(), before + 1)
