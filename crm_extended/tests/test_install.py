from odoo.tests import tagged
from odoo.tools.misc import file_path

from .common import CrmExtendedCase


@tagged("post_install", "-at_install")
class TestInstall(CrmExtendedCase):
    def test_installed_on_its_dependencies(self):
        """crm_extended is installed, with its dependencies and what they bring."""
        depends = {
            "crm",
            "sale_crm",
            "sale_stock",
            "mass_mailing_crm",
            "mass_mailing_sms",
            "repair",
            "purchase",
        }
        brought = {"sale", "stock", "account", "mass_mailing", "sms"}
        modules = self.env["ir.module.module"].search([("name", "in", ["crm_extended", *depends, *brought])])
        self.assertEqual(set(modules.mapped("state")), {"installed"})
        self.assertEqual(len(modules), 1 + len(depends) + len(brought))
        module = modules.filtered(lambda m: m.name == "crm_extended")
        self.assertEqual(set(module.dependencies_id.mapped("name")), depends)

    def test_listed_as_application(self):
        """An admin finds "CRM Extended" among the applications of the Apps list."""
        apps = self.env["ir.module.module"].search(
            [("application", "=", True), ("name", "=", "crm_extended")]
        )
        self.assertEqual(len(apps), 1)
        self.assertEqual(apps.shortdesc, "CRM Extended")
        self.assertEqual(apps.category_id, self.env.ref("base.module_category_sales_crm"))
        self.assertTrue(apps.summary)
        self.assertEqual(apps.license, "LGPL-3")
        self.assertTrue(apps.installed_version.startswith("18.0.1.0."))
        self.assertEqual(apps.icon, "/crm_extended/static/description/icon.png")
        self.assertTrue(file_path("crm_extended/static/description/icon.png"))
        self.assertIn("CRM Extended", apps.description_html or "")

    def test_demo_data_loaded(self):
        """The demo database has a holding with entities, contacts in roles, deals and an order."""
        self.assertTrue(
            self.env["ir.module.module"].search([("name", "=", "base")]).demo,
            "the test database is expected to carry demo data, as the template has",
        )
        holding = self.env.ref("crm_extended.demo_group_romashka")
        self.assertEqual(len(holding.partner_ids), 2)
        self.assertGreater(holding.pipeline_amount, 0)
        self.assertGreater(holding.order_amount, 0)
        trade = self.env.ref("crm_extended.demo_partner_romashka_trade")
        self.assertEqual(trade.phone_e164, "+74957397000")
        self.assertTrue(self.env.ref("crm_extended.demo_contact_typo").phone_invalid)
        self.assertEqual(self.env.ref("crm_extended.demo_sale_order_romashka").state, "sale")
        self.assertTrue(self.env.ref("crm_extended.demo_sale_order_romashka").picking_ids)
        # 3 observations, one of another competitor, and the line of a competitor offer (#14)
        self.assertEqual(self.env["crm.competitor.price"].search_count([]), 5)
        offer = self.env.ref("crm_extended.demo_competitor_offer_chairs")
        self.assertEqual(offer.amount_total, 30 * 5190.0)
        self.assertEqual(offer.line_ids.observation_id.lead_id, offer.lead_id)
        drawers = self.env["crm.unsatisfied.demand.report"].search([("product_request_count", ">=", 2)])
        self.assertEqual(drawers.product_id, self.env.ref("product.product_product_27"))
        chairs = self.env.ref("crm_extended.demo_lead_romashka_chairs")
        self.assertGreater(chairs.deal_amount_invoiced, 0)
        self.assertEqual(self.env.ref("crm_extended.demo_invoice_romashka_chairs").crm_opportunity_id, chairs)
        self.assertGreater(trade.crm_overdue_amount, 0, "the holding's other entity is overdue in the demo")
