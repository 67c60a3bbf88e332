from datetime import date, datetime

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import ServiceCaseCommon


@tagged("post_install", "-at_install")
class TestServiceReport(ServiceCaseCommon):
    """The analysis: cases by product and month, warranty share, SLA, warranty cost in one currency."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lot = cls._lot("SN-REP")
        cls._deliver(cls.lot, cls.entity_a, date(2026, 6, 1))
        cls.case_valid = cls._case(lot_id=cls.lot.id, date_open=datetime(2026, 9, 1, 9, 0))
        cls.case_unknown = cls._case(subject="No serial", date_open=datetime(2026, 9, 2, 9, 0))
        cls.user_accountant.groups_id = [Command.link(cls.env.ref("base.group_multi_company").id)]

    def _report(self, user, companies=None):
        companies = companies or self.company
        return (
            self.env["crm.service.case.report"]
            .with_user(user)
            .with_context(allowed_company_ids=companies.ids)
            .with_company(companies[0])
        )

    def test_cases_by_product_and_warranty_share(self):
        """Cases by product: two cases, half of them under warranty."""
        groups = self._report(self.user_service)._read_group(
            [("case_count", ">", 0)], ["product_id"], ["case_count:sum", "warranty_share:avg"]
        )
        by_product = {product: (count, share) for product, count, share in groups}
        self.assertEqual(by_product[self.serial_product], (1, 1.0))
        total = self._report(self.user_service)._read_group([], [], ["case_count:sum", "warranty_share:avg"])
        self.assertEqual(total[0], (2, 0.5))

    def test_cost_for_accountant_not_service_user(self):
        """The accountant reads the warranty cost, a service user not; neither reads a case text."""
        case = self.case_valid
        case.action_create_replacement()
        replacement = case.replacement_picking_ids
        new_lot = self._lot("SN-REP-NEW")
        self.env["stock.quant"]._update_available_quantity(
            self.serial_product, self.warehouse.lot_stock_id, 1, lot_id=new_lot
        )
        self._validate(replacement, new_lot)
        rows = self._report(self.user_accountant).search_read([("id", "=", case.id)], ["cost_total", "name"])
        self.assertEqual(rows[0]["cost_total"], 80.0)
        self.assertNotIn("subject", self.env["crm.service.case.report"]._fields)
        self.assertNotIn("description", self.env["crm.service.case.report"]._fields)
        with self.assertRaises(AccessError):
            self._report(self.user_service).search_read([("id", "=", case.id)], ["cost_total"])
        with self.assertRaises(AccessError):
            self._report(self.user_salesman).search_read([], ["case_count"])

    def test_cost_converted_at_the_case_date(self):
        """Two companies, two currencies: each case's cost converted to the current company's at its date."""
        other_currency = (
            self.env.ref("base.EUR") if self.company.currency_id.name != "EUR" else self.env.ref("base.USD")
        )
        other_currency.active = True
        other = self.env["res.company"].create({"name": "Euro Sister", "currency_id": other_currency.id})
        self.env["res.currency.rate"].search(
            [("currency_id", "in", (other_currency | self.company.currency_id).ids)]
        ).unlink()
        self.env["res.currency.rate"].create(
            [
                {"currency_id": self.company.currency_id.id, "name": "2020-01-01", "rate": 1.0},
                {"currency_id": other_currency.id, "name": "2026-01-01", "rate": 0.5},
                {"currency_id": other_currency.id, "name": "2026-10-01", "rate": 0.25},
            ]
        )
        case = self._case(
            company_id=other.id, partner_id=self.entity_b.id, date_open=datetime(2026, 9, 15, 9, 0)
        )
        self.env.flush_all()
        self.env.cr.execute("UPDATE crm_service_case SET cost_total = 10 WHERE id = %s", [case.id])
        self.env.invalidate_all()
        self.user_accountant.company_ids = [Command.link(other.id)]
        rows = self._report(self.user_accountant, self.company | other).search_read(
            [("id", "=", case.id)], ["cost_total", "currency_id"]
        )
        # 10 in the sister's currency, at 0.5 per unit of ours on 2026-09-15: 20 of ours
        self.assertAlmostEqual(rows[0]["cost_total"], 20.0)
        self.assertEqual(rows[0]["currency_id"][0], self.company.currency_id.id)
        only_ours = self._report(self.user_accountant, self.company).search_read(
            [("id", "=", case.id)], ["id"]
        )
        self.assertFalse(only_ours)
