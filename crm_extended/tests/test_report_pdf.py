import io

from odoo import Command, fields
from odoo.tests import HttpCase, tagged
from odoo.tools.pdf import PdfFileReader

from .common import PortalCommon


@tagged("post_install", "-at_install")
class TestReportPdf(PortalCommon, HttpCase):
    """The documents clients and accountants print come out of wkhtmltopdf as PDFs carrying what
    the HTML rendering carries: the delivery slip and the reconciliation statement of the portal,
    a Russian quotation with its total in words (Cyrillic text, not boxes)."""

    def _pdf_text(self, report_ref, res_ids, data=None, company=None):
        """Render ``report_ref`` as the portal's controllers do (sudo, the record's company) with
        wkhtmltopdf, which Odoo skips in tests unless asked, and return the PDF's text."""
        Report = self.env["ir.actions.report"].sudo().with_company(company or self.company)
        content, report_type = Report.with_context(force_report_rendering=True)._render_qweb_pdf(
            report_ref, res_ids, data=data
        )
        self.assertEqual(report_type, "pdf")
        self.assertTrue(content.startswith(b"%PDF-"), "wkhtmltopdf did not produce a PDF")
        reader = PdfFileReader(io.BytesIO(content))
        return "\n".join(page.extract_text() for page in reader.pages)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # wkhtmltopdf draws Latin letters and digits with the report's web font (Lato), whose
        # glyphs a PDF reader cannot map back to text; Cyrillic comes from a system font that it
        # can: the documents are checked in Russian, as the clients here read them
        cls.env["res.lang"]._activate_lang("ru_RU")
        (cls.entity_a | cls.contact_buyer | cls.picking_a.partner_id).lang = "ru_RU"
        cls.picking_a.product_id.product_tmpl_id.with_context(lang="ru_RU").name = "Кресло офисное"

    def test_delivery_slip_pdf(self):
        """The delivery slip the portal serves is a PDF of the delivery in the client's language,
        with its product and serial numbers."""
        text = self._pdf_text(
            "stock.action_report_delivery", self.picking_a.ids, company=self.picking_a.company_id
        )
        words = "".join(text.split())
        self.assertIn("Креслоофисное", words)
        self.assertIn("Серийныеномера", words)  # the serial numbers' column, in Russian

    def test_reconciliation_statement_pdf(self):
        """The reconciliation statement for the year is a PDF in the client's language with its
        opening, turnover and closing lines, closing on what is still owed."""
        date_from, date_to = fields.Date.today().replace(month=1, day=1), fields.Date.today()
        data = {"date_from": str(date_from), "date_to": str(date_to), "company_id": self.company.id}
        text = "".join(
            self._pdf_text("crm_extended.action_report_reconciliation", self.entity_a.ids, data=data).split()
        )
        for label in (
            "Актсверки",
            "Сальдонаначалопериода",
            "Оборотызапериод",
            "Сальдонаконецпериода",
            "должен",
        ):
            self.assertIn(label, text)
        statement = self.entity_a._crm_reconciliation(date_from, date_to, self.company)
        self.assertAlmostEqual(statement["closing"], self.invoice_a.amount_residual)

    def test_russian_quotation_total_in_words_pdf(self):
        """A quotation for a Russian-speaking client prints its total in Russian words in the PDF."""
        self.env["res.lang"]._activate_lang("ru_RU")
        rub = self.env.ref("base.RUB")
        rub.active = True
        partner = self.env["res.partner"].create(
            {"name": "Ромашка", "is_company": True, "country_id": self.country_ru.id, "lang": "ru_RU"}
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "pricelist_id": self.env["product.pricelist"]
                .create({"name": "Рубли", "currency_id": rub.id})
                .id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "product_uom_qty": 1,
                            "price_unit": 1200.50,
                            "tax_id": [Command.clear()],
                        }
                    )
                ],
            }
        )
        # the extracted text breaks lines anywhere, and drops digits (see setUpClass)
        text = "".join(self._pdf_text("sale.action_report_saleorder", order.ids).split())
        self.assertIn("СуммапрописьюОднатысячадвестирублей", text)
        self.assertIn("копеек", text)
        self.assertIn("Ромашка", text)
