# ruff: noqa: RUF001 (Russian cells)
import base64
import io
import os

import openpyxl

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools.misc import file_open

from .common import CompetitorCommon


def _xlsx(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


@tagged("post_install", "-at_install")
class TestCompetitorImport(CompetitorCommon):
    """Competitor price lists imported as observations: matching, unmatched and broken rows, reruns."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with file_open(
            os.path.join("crm_extended", "tests", "data", "competitor", "pricelist.xls"), "rb"
        ) as f:
            cls.xls = f.read()
        cls.env["crm.competitor.product"].create(
            {"competitor_id": cls.competitor_vasilek.id, "product_id": cls.product.id, "reference": "V-CH-1"}
        )
        cls.lamp = cls.env["product.product"].create({"name": "Desk Lamp", "list_price": 45.0})
        cls.Import = cls.env["crm.competitor.import"].with_user(cls.user_competitor)

    def _import(self, data, file_name="pricelist.xls", day="2026-12-01", competitor=None, **vals):
        job = self.Import.create(
            {
                "competitor_id": (competitor or self.competitor_vasilek).id,
                "date": day,
                "file": base64.b64encode(data),
                "file_name": file_name,
                **vals,
            }
        )
        job.action_import()
        return job

    def _observations(self):
        return self.Price.search([("source", "=", "price_list")])

    def test_xls_rows_matched_by_mapping_then_name(self):
        """An xls price list: a row by their mapping, one by our name, one unmatched, two broken."""
        job = self._import(self.xls)
        self.assertEqual((job.imported_count, job.unmatched_count, job.error_count), (2, 1, 2))
        rows = {line.row_number: line for line in job.line_ids}
        self.assertRecordValues(
            rows[4] | rows[5],
            [
                {"product_id": self.product.id, "match": "mapping", "state": "imported", "price": 95.5},
                {"product_id": self.product_desk.id, "match": "name", "state": "imported", "price": 280.0},
            ],
        )
        self.assertRecordValues(
            rows[4].observation_id,
            [
                {
                    "competitor_id": self.competitor_vasilek.id,
                    "source": "price_list",
                    "stock_level": "in_stock",
                    "user_id": self.user_competitor.id,
                }
            ],
        )
        self.assertEqual(rows[5].observation_id.stock_level, "lead_time")
        self.assertEqual(rows[6].state, "unmatched")
        self.assertIn("Row 6", rows[6].message)

    def test_broken_rows_reported_with_row_number_and_reason(self):
        """A price that is not a number and a row without reference or name are reported, the rest imports."""
        job = self._import(self.xls)
        errors = job.line_ids.filtered(lambda line: line.state == "error").sorted("row_number")
        self.assertEqual(errors.mapped("row_number"), [7, 8])
        self.assertIn("Row 7", errors[0].message)
        self.assertIn("договорная", errors[0].message)
        self.assertIn("not a number", errors[0].message)
        self.assertIn("Row 8", errors[1].message)
        self.assertIn("neither a reference nor a name", errors[1].message)

    def test_rerun_imports_nothing_twice(self):
        """Running the import again, or importing the same file for the same date, records nothing new."""
        job = self._import(self.xls)
        count = len(self._observations())
        job.action_import()
        self.assertEqual(len(self._observations()), count)
        with self.assertRaisesRegex(UserError, "already imported"):
            self._import(self.xls)
        self.assertEqual(len(self._observations()), count)
        self._import(self.xls, day="2026-12-08")
        self.assertEqual(len(self._observations()), 2 * count)

    def test_unmatched_row_mapped_by_hand_is_remembered(self):
        """An unmatched row given a product imports, and the next price list finds it by their reference."""
        job = self._import(self.xls)
        lamp_row = job.line_ids.filtered(lambda line: line.reference == "V-XX-9")
        lamp_row.product_id = self.lamp
        job.action_import()
        self.assertEqual(lamp_row.state, "imported")
        self.assertEqual(lamp_row.match, "manual")
        self.assertEqual(lamp_row.observation_id.quantity_in_stock, 12.0)
        mapping = self.env["crm.competitor.product"].search(
            [("competitor_id", "=", self.competitor_vasilek.id), ("product_id", "=", self.lamp.id)]
        )
        self.assertEqual(mapping.reference, "V-XX-9")
        again = self._import(self.xls, day="2026-12-08")
        self.assertEqual(again.line_ids.filtered(lambda line: line.reference == "V-XX-9").match, "mapping")
        self.assertEqual(again.unmatched_count, 0)

    def test_column_mapping_saved_per_competitor(self):
        """Headers the import does not know are typed once; the competitor's next import starts from them."""
        data = _xlsx([["SKU code", "Item title", "Net price"], ["DESK-01", "Their desk", 310.0]])
        with self.assertRaisesRegex(UserError, "No price column"):
            self._import(data, file_name="list.xlsx")
        job = self._import(
            data,
            file_name="list.xlsx",
            column_reference="SKU code",
            column_name="Item title",
            column_price="Net price",
        )
        self.assertEqual(job.imported_count, 1)
        self.assertEqual(job.line_ids.match, "reference")
        self.assertEqual(job.line_ids.product_id, self.product_desk)
        following = self.Import.create({"competitor_id": self.competitor_vasilek.id, "date": "2026-12-09"})
        self.assertEqual(
            (following.column_reference, following.column_name, following.column_price),
            ("SKU code", "Item title", "Net price"),
        )
        other = self.Import.create({"competitor_id": self.competitor_romashka.id, "date": "2026-12-09"})
        self.assertFalse(other.column_price)

    def test_prices_with_vat_and_currency(self):
        """A price list in another currency with VAT compares in ours without VAT."""
        data = _xlsx([["Артикул", "Цена"], ["V-CH-1", 480.0]])
        job = self._import(
            data, file_name="eur.xlsx", currency_id=self.foreign_currency.id, tax_included=True
        )
        observation = job.line_ids.observation_id
        observation.tax_rate = 20.0
        # 480 with 20% VAT = 400 without; 4 foreign units a company unit since 2019-06
        self.assertAlmostEqual(observation.price_company, 100.0)

    def test_only_competitor_intelligence_imports(self):
        """Salespeople, accountants and warehouse users cannot import price lists."""
        for user in (self.user_salesman, self.user_accountant, self.user_stock):
            with self.assertRaises(AccessError, msg=user.login):
                self.env["crm.competitor.import"].with_user(user).create(
                    {"competitor_id": self.competitor_vasilek.id, "file": base64.b64encode(self.xls)}
                )
