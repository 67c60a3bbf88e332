from datetime import date, timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import format_amount

from .common import CrmExtendedCase


class MultiCurrencyCase(CrmExtendedCase):
    """Two companies in two currencies: the current one, and a second one in
    a foreign currency worth 2 company units until 2020 and 4 since 2021 (so
    that a figure converted at today's rate instead of the document's shows)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.currency = cls.company.currency_id
        cls.foreign = (
            cls.env.ref("base.EUR") if cls.currency != cls.env.ref("base.EUR") else cls.env.ref("base.USD")
        )
        cls.foreign.active = True
        cls.env["res.currency.rate"].search(
            [("currency_id", "in", (cls.currency + cls.foreign).ids)]
        ).unlink()
        cls.env["res.currency.rate"].create(
            [
                {"currency_id": cls.foreign.id, "name": "2019-01-01", "rate": 0.5, "company_id": False},
                {"currency_id": cls.foreign.id, "name": "2021-01-01", "rate": 0.25, "company_id": False},
            ]
        )
        cls.company_2 = cls.env["res.company"].create(
            {"name": "Foreign Branch", "country_id": cls.country_de.id}
        )
        cls.env["account.chart.template"].try_loading(
            "generic_coa", company=cls.company_2, install_demo=False
        )
        # the chart sets its own currency: the branch keeps its books in the foreign one
        cls.company_2.currency_id = cls.foreign
        for user in (cls.user_salesman, cls.user_accountant, cls.user_sales_manager):
            user.company_ids = [Command.link(cls.company_2.id)]

    @classmethod
    def _invoice(cls, partner, amount, invoice_date, company=None, move_type="out_invoice", due=None):
        company = company or cls.company
        move = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": move_type,
                    "partner_id": partner.id,
                    "invoice_date": invoice_date,
                    "invoice_payment_term_id": False,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Goods", "quantity": 1, "price_unit": amount, "tax_ids": False}
                        )
                    ],
                }
            )
        )
        move.action_post()
        due = due or invoice_date
        move.line_ids.filtered("date_maturity").date_maturity = due
        move.invoice_date_due = due
        return move

    def _as(self, user, *companies):
        """``user``'s environment with ``companies`` selected (the first is the current one)."""
        return self.env(
            user=user, context=dict(self.env.context, allowed_company_ids=[c.id for c in companies])
        )


@tagged("post_install", "-at_install")
class TestOverdueMoney(MultiCurrencyCase):
    """What a customer owes past due: the companies the user selected, each invoice
    converted at its own date, credit notes deducted; readable by the roles that sell
    and collect only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._invoice(cls.entity_a, 300.0, "2020-01-10")
        # the sister entity owes 100 foreign units in the second company: 200 at its date, 400 today
        cls._invoice(cls.entity_b, 100.0, "2020-02-01", company=cls.company_2)
        # an older open credit note reduces what entity_a owes but does not date the debt
        cls._invoice(cls.entity_a, 50.0, "2019-06-01", move_type="out_refund")
        cls._invoice(cls.entity_a, 999.0, fields.Date.today(), due=fields.Date.today() + timedelta(days=30))

    def test_only_the_selected_companies_count(self):
        """With one company selected, the other company's invoice of the sister entity is not counted."""
        partner = self.contact_buyer.with_env(self._as(self.user_salesman, self.company))
        self.assertAlmostEqual(partner.crm_overdue_amount, 250.0)
        self.assertEqual(partner.crm_company_currency_id, self.currency)

    def test_converted_at_the_invoice_date(self):
        """With both companies, the foreign invoice counts at its own date's rate (200, not 400)."""
        partner = self.contact_buyer.with_env(self._as(self.user_salesman, self.company, self.company_2))
        self.assertAlmostEqual(partner.crm_overdue_amount, 450.0)

    def test_labelled_with_the_current_company_currency(self):
        """With the foreign company current, the figure is in its currency, converted to it."""
        partner = self.contact_buyer.with_env(self._as(self.user_salesman, self.company_2, self.company))
        self.assertEqual(partner.crm_company_currency_id, self.foreign)
        # 250 company units at 2020's rate are 125 foreign units; the foreign invoice 100
        self.assertAlmostEqual(partner.crm_overdue_amount, 225.0)

    def test_ringing_card_per_users_companies(self):
        """The ringing card reads the overdue figure once for the users told of one call, but a
        user of other companies gets their own: 250 in the company's currency with the company
        alone, 225 in the foreign one with the branch current (as the field gives each)."""
        commercial = self.contact_buyer.commercial_partner_id
        shared = {}
        for companies, amount, currency in (
            ((self.company,), 250.0, self.currency),
            ((self.company_2, self.company), 225.0, self.foreign),
            ((self.company,), 250.0, self.currency),
        ):
            env = self._as(self.user_salesman, *companies)
            card = env["crm.phone.call"]._crm_caller_money(commercial.with_env(env), shared)
            self.assertAlmostEqual(commercial.with_env(env).crm_overdue_amount, amount)
            self.assertEqual(card["overdue"], format_amount(env, amount, currency))

    def test_credit_note_does_not_date_the_debt(self):
        """The oldest date is the oldest overdue invoice's, never an open credit note's."""
        partner = self.contact_buyer.with_env(self._as(self.user_salesman, self.company))
        self.assertEqual(partner.crm_overdue_date, date(2020, 1, 10))

    def test_the_sister_entity_is_named(self):
        """Who owes is said per entity: the sister company of the holding is named with its own amount."""
        partner = self.entity_a.with_env(self._as(self.user_salesman, self.company, self.company_2))
        summary = partner.crm_overdue_summary
        self.assertIn("Alpha Logistics JSC owes", summary)
        self.assertIn("Alpha Trade LLC owes", summary)
        self.assertIn("200.00", summary)
        self.assertIn("250.00", summary)

    def test_hidden_from_portal_and_warehouse(self):
        """Portal and warehouse users are not offered the overdue fields and cannot read them over RPC."""
        money = {"crm_overdue_amount", "crm_overdue_date", "crm_overdue_summary"}
        portal_partner = self.user_portal.partner_id
        for user, partner in ((self.user_portal, portal_partner), (self.user_stock, self.entity_a)):
            offered = set(self.env["res.partner"].with_user(user).fields_get())
            self.assertFalse(money & offered, user.login)
            for name in money:
                with self.assertRaises(AccessError, msg=f"{user.login} {name}"):
                    partner.with_user(user).read([name])

    def test_salesperson_and_accountant_read_it(self):
        """The roles that sell and collect are offered the fields and read them."""
        for user in (self.user_salesman, self.user_accountant):
            partner = self.entity_a.with_env(self._as(user, self.company))
            self.assertIn("crm_overdue_amount", partner.fields_get())
            self.assertAlmostEqual(partner.read(["crm_overdue_amount"])[0]["crm_overdue_amount"], 250.0)


@tagged("post_install", "-at_install")
class TestHoldingMoney(MultiCurrencyCase):
    """A holding's figures: the selected companies, each document at its own date, for
    salespeople and accountants; the pipeline for salespeople only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._invoice(cls.entity_a, 300.0, "2020-01-10")
        cls._invoice(cls.entity_b, 100.0, "2020-02-01", company=cls.company_2)
        cls.env["crm.lead"].create(
            [
                {
                    "name": "Foreign pipeline",
                    "type": "opportunity",
                    "partner_id": cls.entity_b.id,
                    "company_id": cls.company_2.id,
                    "expected_revenue": 100.0,
                },
                {
                    "name": "Home pipeline",
                    "type": "opportunity",
                    "partner_id": cls.entity_a.id,
                    "company_id": cls.company.id,
                    "expected_revenue": 1000.0,
                },
            ]
        )
        order = (
            cls.env["sale.order"]
            .with_company(cls.company_2)
            .create(
                {
                    "partner_id": cls.entity_b.id,
                    "company_id": cls.company_2.id,
                    "date_order": "2020-03-01 10:00:00",
                    "pricelist_id": cls.env["product.pricelist"]
                    .create(
                        {"name": "Foreign", "currency_id": cls.foreign.id, "company_id": cls.company_2.id}
                    )
                    .id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": cls.product.id,
                                "product_uom_qty": 1,
                                "price_unit": 50.0,
                                "tax_id": False,
                            }
                        )
                    ],
                }
            )
        )
        order.action_confirm()
        order.date_order = "2020-03-01 10:00:00"

    def test_figures_of_the_selected_companies(self):
        """One company selected: its invoices only; both: the other's converted at its dates."""
        group = self.group_holding.with_env(self._as(self.user_salesman, self.company))
        self.assertAlmostEqual(group.invoiced_amount, 300.0)
        self.assertAlmostEqual(group.receivable_amount, 300.0)
        self.assertAlmostEqual(group.order_amount, 0.0)
        self.assertAlmostEqual(group.pipeline_amount, 1000.0)
        group = self.group_holding.with_env(self._as(self.user_salesman, self.company, self.company_2))
        self.assertAlmostEqual(group.invoiced_amount, 500.0)
        self.assertAlmostEqual(group.receivable_amount, 500.0)
        self.assertAlmostEqual(group.order_amount, 100.0)  # 50 foreign at the order's date
        self.assertAlmostEqual(group.pipeline_amount, 1400.0)  # a forecast: today's rate
        self.assertEqual(group.currency_id, self.currency)

    def test_accountant_sees_no_pipeline(self):
        """The accountant reads the holding's invoiced revenue and receivables, not its CRM pipeline."""
        group = self.group_holding.with_env(self._as(self.user_accountant, self.company))
        self.assertAlmostEqual(group.invoiced_amount, 300.0)
        self.assertNotIn("pipeline_amount", group.fields_get())
        with self.assertRaises(AccessError):
            group.read(["pipeline_amount"])
        arch = group.get_views([(False, "form"), (False, "list")])["views"]
        for view in arch.values():
            self.assertNotIn("pipeline_amount", view["arch"])


@tagged("post_install", "-at_install")
class TestConvertRows(MultiCurrencyCase):
    """res.currency._crm_convert_rows reads the rates Odoo's _convert reads, in one query."""

    def test_same_as_odoo_convert(self):
        """For both companies, both directions and dates around each rate change (and a
        company-specific rate), the batch gives exactly what _convert gives."""
        self.env["res.currency.rate"].create(
            {
                "currency_id": self.foreign.id,
                "name": "2020-06-01",
                "rate": 0.4,
                "company_id": self.company_2.id,
            }
        )
        dates = [date(2018, 12, 31), date(2019, 1, 1), date(2020, 6, 1), date(2020, 12, 31), date(2021, 1, 1)]
        rows = [
            (123.45, source, target, company, day)
            for company in (self.company, self.company_2)
            for source, target in ((self.foreign, self.currency), (self.currency, self.foreign))
            for day in dates + [fields.Datetime.now()]
        ]
        companies = self.company | self.company_2
        self.env.invalidate_all()
        companies.mapped("root_id")
        start = self.cr.sql_log_count
        self.env["res.currency"]._crm_convert_rows(rows[:1])
        self.assertEqual(self.cr.sql_log_count - start, 1, "the rates of one row: one query")
        self.env.invalidate_all()
        companies.mapped("root_id")
        start = self.cr.sql_log_count
        batch = self.env["res.currency"]._crm_convert_rows(rows)
        self.assertEqual(self.cr.sql_log_count - start, 1, "the rates of every row: one query")
        for row, amount in zip(rows, batch, strict=True):
            value, source, target, company, day = row
            self.assertAlmostEqual(amount, source._convert(value, target, company, day, round=False), msg=row)
