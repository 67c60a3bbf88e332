from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import BaseCase, Form, tagged

from ..services import customer_classes as classes
from .common import AnalyticsCommon


@tagged("post_install", "-at_install")
class TestCustomerClassService(BaseCase):
    def test_abc_thresholds(self):
        """A while the clients before make under 80%, B under 95%, else C; nothing, no class."""
        # total 100; before each: 0, 50, 80 (not under 80: B), 90 (under 95: B), 96 -> C
        result = classes.abc({"a": 50, "b": 30, "c": 10, "d": 6, "e": 4, "z": 0})
        self.assertEqual(result, {"a": "A", "b": "A", "c": "B", "d": "B", "e": "C", "z": None})
        # thresholds 50/30/20: before 0 -> A, 50 -> B, 80 -> C
        self.assertEqual(
            classes.abc({"a": 50, "b": 30, "c": 20}, (0.5, 0.3, 0.2)), {"a": "A", "b": "B", "c": "C"}
        )

    def test_abc_without_revenue(self):
        """Zero or negative figures everywhere: no class, no division by zero."""
        self.assertEqual(classes.abc({"a": 0, "b": -5}), {"a": None, "b": None})

    def test_xyz(self):
        """Coefficient of variation of the monthly revenue, empty months counted as zero."""
        self.assertEqual(classes.xyz([100.0] * 12), "X")  # sd 0
        # mean 50, sd 50: cv 1.0 -> Y (up to 1.0)
        self.assertAlmostEqual(classes.coefficient_of_variation([100.0, 0.0] * 6), 1.0)
        self.assertEqual(classes.xyz([100.0, 0.0] * 6), "Y")
        # one month of 1200: mean 100, variance (1100^2 + 11 * 100^2) / 12 = 110000, sd 331.66: cv 3.32 -> Z
        self.assertAlmostEqual(classes.coefficient_of_variation([1200.0] + [0.0] * 11), 110000**0.5 / 100)
        self.assertEqual(classes.xyz([1200.0] + [0.0] * 11), "Z")
        self.assertIsNone(classes.xyz([0.0] * 12))

    def test_rfm_segments(self):
        """Recency and frequency scores give the segment."""
        cases = [
            ((10, 12), "champions"),  # R5 F5
            ((100, 3), "loyal"),  # R3 F3
            ((60, 1), "promising"),  # R4 F1
            ((200, 6), "at_risk"),  # R2 F4
            ((300, 1), "hibernating"),  # R2 F1
            ((400, 2), "lost"),  # R1 F2
        ]
        for (days, count), segment in cases:
            self.assertEqual(classes.rfm_segment(days, count), segment, (days, count))
        self.assertIsNone(classes.rfm_segment(None, 0))

    def test_dependence_hhi(self):
        """Shares of the top clients and the HHI (sum of squared percentage shares)."""
        result = classes.dependence({"a": 50.0, "b": 30.0, "c": 20.0})
        # 50^2 + 30^2 + 20^2 = 2500 + 900 + 400 = 3800 >= 1500: a warning
        self.assertAlmostEqual(result["hhi"], 3800.0)
        self.assertEqual((result["top1"], result["top5"], result["warning"]), (0.5, 1.0, True))
        # ten equal clients: 10 * 10^2 = 1000, under the threshold
        self.assertFalse(classes.dependence({i: 1.0 for i in range(10)})["warning"])
        empty = classes.dependence({"a": 0.0})
        self.assertEqual((empty["hhi"], empty["top1"], empty["warning"]), (None, None, False))


@tagged("post_install", "-at_install")
class TestCustomerClasses(AnalyticsCommon):
    """Invoices of 2031 (no other invoice falls in that year), classes as of 31 December 2031:

    holding (Alpha Trade 6 x 100 on 15/3, Alpha Logistics 4 x 100 on 15/6): revenue 1000
    Solo LLC: 3 x 100 on 20/11: 300
    Foreign Buyer: 1 x 100 in a foreign currency at 0.5 a unit of ours on 10/1: 200
    Zero Ltd: 10 x 100 invoiced and credited on 1/12: 0
    cost price 40 a unit
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.product.standard_price = 40.0
        Partner = env["res.partner"]
        cls.solo = Partner.create({"name": "Solo LLC", "is_company": True})
        cls.foreign = Partner.create({"name": "Foreign Buyer", "is_company": True})
        cls.zero = Partner.create({"name": "Zero Ltd", "is_company": True})
        ours = cls.company.currency_id
        cls.other_currency = env.ref("base.EUR") if ours != env.ref("base.EUR") else env.ref("base.USD")
        cls.other_currency.active = True
        env["res.currency.rate"].create(
            {
                "name": "2031-01-01",
                "rate": 0.5,
                "currency_id": cls.other_currency.id,
                "company_id": cls.company.id,
            }
        )
        cls._invoice(cls.entity_a, date(2031, 3, 15), 6)
        cls._invoice(cls.entity_b, date(2031, 6, 15), 4)
        cls._invoice(cls.solo, date(2031, 11, 20), 3)
        cls._invoice(cls.foreign, date(2031, 1, 10), 1, currency=cls.other_currency)
        cls._invoice(cls.zero, date(2031, 12, 1), 10)
        cls._invoice(cls.zero, date(2031, 12, 1), 10, move_type="out_refund")
        env["crm.analytics"]._crm_compute_customer_classes(date(2031, 12, 31))

    @classmethod
    def _invoice(cls, partner, day, quantity, move_type="out_invoice", currency=None):
        move = cls.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": partner.id,
                "invoice_date": day,
                "currency_id": (currency or cls.company.currency_id).id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": cls.product.id,
                            "quantity": quantity,
                            "price_unit": 100.0,
                            "tax_ids": False,
                        }
                    )
                ],
            }
        )
        move.action_post()
        return move

    def test_abc_by_revenue_and_margin(self):
        """Holding 1000, Solo 300, Foreign 200 of 1500: before each 0, 66.7%, 86.7% -> A, A, B."""
        self.assertEqual(
            (self.entity_a.crm_abc_class, self.solo.crm_abc_class, self.foreign.crm_abc_class),
            ("A", "A", "B"),
        )
        # margins: 1000 - 10 x 40 = 600, 300 - 3 x 40 = 180, 200 - 40 = 160 of 940:
        # before each 0, 63.8%, 83.0% -> A, A, B
        self.assertEqual(self.foreign.crm_abc_margin_class, "B")
        self.assertAlmostEqual(self.solo.crm_class_margin, 180.0)

    def test_holding_is_one_client(self):
        """Both entities, their contacts and the holding carry the holding's classes and revenue."""
        for record in (self.entity_a, self.entity_b, self.contact_buyer, self.group_holding):
            self.assertEqual(record.crm_abc_class, "A", record.display_name)
            self.assertAlmostEqual(record.crm_class_revenue, 1000.0)
        # months of 2031: 600 in March, 400 in June, else 0: cv 2.29 -> Z
        self.assertEqual(self.group_holding.crm_xyz_class, "Z")
        # last invoice 15/6: 199 days -> R2; 2 invoices -> F2: hibernating
        self.assertEqual(self.entity_b.crm_recency_days, 199)
        self.assertEqual(self.entity_b.crm_rfm_segment, "hibernating")

    def test_other_currency(self):
        """The foreign invoice counts at its date's rate: 100 at 0.5 a unit of ours is 200."""
        self.assertAlmostEqual(self.foreign.crm_class_revenue, 200.0)
        self.assertEqual(self.foreign.crm_class_currency_id, self.company.currency_id)

    def test_classes_currency_is_one_setting(self):
        """The classes' currency is the one the recompute wrote their amounts in,
        the same for partners and holdings, a setting rather than a column."""
        self.assertEqual(
            self.env["ir.config_parameter"].sudo().get_param("crm_extended.classes_currency_id"),
            str(self.company.currency_id.id),
        )
        self.assertEqual(self.group_holding.crm_class_currency_id, self.company.currency_id)
        self.assertEqual(self.entity_b.crm_class_currency_id, self.company.currency_id)
        self.assertFalse(self.env["res.partner"]._fields["crm_class_currency_id"].store)

    def test_zero_revenue(self):
        """Invoiced and credited: no ABC or XYZ class, but an RFM segment from its invoice."""
        self.assertFalse(self.zero.crm_abc_class)
        self.assertFalse(self.zero.crm_xyz_class)
        self.assertEqual(self.zero.crm_class_revenue, 0.0)
        # last invoice 1/12: 30 days -> R5, one invoice -> F1: promising
        self.assertEqual(self.zero.crm_rfm_segment, "promising")

    def test_search_by_class(self):
        """Classes are stored: usable in filters and segments."""
        found = self.env["res.partner"].search(
            [("crm_abc_class", "=", "A"), ("id", "in", [self.solo.id, self.zero.id])]
        )
        self.assertEqual(found, self.solo)

    def test_who_sees_what(self):
        """Salespeople see the classes, not the money; accountants both; warehouse and portal neither."""
        salesman = self.env["res.partner"].with_user(self.user_salesman).fields_get()
        self.assertIn("crm_abc_class", salesman)
        self.assertNotIn("crm_class_revenue", salesman)
        self.assertIn(
            "crm_class_revenue", self.env["res.partner"].with_user(self.user_accountant).fields_get()
        )
        for user in (self.user_stock, self.user_portal):
            offered = self.env["res.partner"].with_user(user).fields_get()
            self.assertNotIn("crm_abc_class", offered)
            self.assertNotIn("crm_class_margin", offered)
        with self.assertRaises(AccessError):
            self.solo.with_user(self.user_salesman).read(["crm_class_revenue"])

    def test_dependence(self):
        """Shares and HHI of the year: 1000, 300 and 200 of 1500."""
        result = self.env["crm.analytics"].get_dependence("2031-01-01", "2031-12-31")
        # shares 66.67%, 20%, 13.33%: HHI 4444.4 + 400 + 177.8 = 5022.2
        self.assertAlmostEqual(result["hhi"], 4444.444 + 400 + 177.778, places=2)
        self.assertAlmostEqual(result["top1"], 1000 / 1500)
        self.assertTrue(result["warning"])
        self.assertEqual(result["top"][0], {"name": "Test Holding", "revenue": 1000.0})
        # quarters: Q1 holding 600 + foreign 200 -> 75% / 25%: 5625 + 625 = 6250
        self.assertAlmostEqual(result["quarters"][0]["hhi"], 6250.0)

    def test_dependence_without_invoice_rights(self):
        """A sales manager sees the shares, not the amounts nor the names."""
        result = (
            self.env["crm.analytics"]
            .with_user(self.user_sales_manager)
            .get_dependence("2031-01-01", "2031-12-31")
        )
        self.assertIsNone(result["total"])
        self.assertEqual(result["top"], [])

    def test_recompute_on_demand(self):
        """Sales managers recompute on demand; a salesperson may not."""
        self.env["crm.analytics"].with_user(self.user_sales_manager).action_compute_customer_classes()
        with self.assertRaises(AccessError):
            self.env["crm.analytics"].with_user(self.user_salesman).action_compute_customer_classes()

    def test_classes_sent_as_array_text(self):
        """The classes reach PostgreSQL as the text of arrays: what it reads
        back is what was sent, NULLs, quotes, backslashes, commas, braces and
        numbers included."""
        from decimal import Decimal

        from ..models.crm_analytics_customers import _array_text

        texts = ["A", None, 'say "hi"', "back\\slash", "a,b", "{x}", "", "NULL"]
        numbers = [1, None, -2, 3.25, Decimal("1234.5600")]
        self.env.cr.execute("SELECT %s::varchar[], %s::numeric[]", [_array_text(texts), _array_text(numbers)])
        got_texts, got_numbers = self.env.cr.fetchone()
        self.assertEqual(got_texts, texts)
        # Odoo reads numeric columns as floats
        self.assertEqual(got_numbers, [1.0, None, -2.0, 3.25, 1234.56])


@tagged("post_install", "-at_install")
class TestAnalyticsSettings(AnalyticsCommon):
    """The customer classes' thresholds on the CRM settings screen (system parameters)."""

    def test_settings_set_the_parameters(self):
        """What an administrator saves in Settings -> CRM is what the classes are computed with."""
        admin = self.env.ref("base.user_admin")
        with Form(self.env["res.config.settings"].with_user(admin)) as settings:
            self.assertEqual((settings.crm_class_abc_a, settings.crm_class_abc_b), (80.0, 15.0))
            settings.crm_class_abc_a = 70.0
            settings.crm_class_abc_b = 20.0
            settings.crm_class_abc_c = 10.0
            settings.crm_class_xyz_x = 0.4
            settings.crm_class_xyz_y = 0.9
            settings.crm_class_months = 6
            settings.crm_hhi_warning = 2500.0
        settings.record.execute()
        params = self.env["crm.analytics"]._crm_class_parameters()
        self.assertEqual(params["months"], 6)
        for value, wanted in zip(params["abc"], (0.7, 0.2, 0.1), strict=True):
            self.assertAlmostEqual(value, wanted)
        self.assertEqual((params["xyz"], params["hhi_warning"]), ((0.4, 0.9), 2500.0))

    def test_shares_must_make_100(self):
        """A, B and C shares that do not make 100% are refused, the parameters kept."""
        settings = self.env["res.config.settings"].create(
            {"crm_class_abc_a": 80.0, "crm_class_abc_b": 30.0, "crm_class_abc_c": 5.0}
        )
        with self.assertRaises(UserError):
            settings.execute()
        self.assertFalse(self.env["ir.config_parameter"].sudo().get_param("crm_extended.class_abc_b"))

    def test_only_administrators(self):
        """A sales manager neither opens the settings nor is offered their fields."""
        manager = self.user_sales_manager
        self.assertNotIn("crm_class_abc_a", self.env["res.config.settings"].with_user(manager).fields_get())
        with self.assertRaises(AccessError):
            self.env["res.config.settings"].with_user(manager).create({"crm_class_abc_a": 50.0})
