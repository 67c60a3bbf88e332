from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestUiCampaign(HttpCase):
    """A CRM manager clicks through a campaign: its cost, a segment, and the ROI after an
    invoice of the campaign's deal is posted."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="tour_campaign",
            name="Tour Campaign Manager",
            groups="sales_team.group_sale_manager,account.group_account_invoice",
        )
        cls.env["utm.medium"].create({"name": "Tour Offline"})
        cls.campaign = cls.env["utm.campaign"].create({"title": "Tour Expo"})
        partner = cls.env["res.partner"].create({"name": "Tour Expo Visitor LLC", "is_company": True})
        lead = cls.env["crm.lead"].create(
            {
                "name": "Tour Expo deal",
                "type": "opportunity",
                "partner_id": partner.id,
                "campaign_id": cls.campaign.id,
                "user_id": cls.manager.id,
            }
        )
        product = cls.env["product.product"].create(
            {
                "name": "Tour Stand Goods",
                "type": "consu",
                "invoice_policy": "order",
                "taxes_id": [Command.clear()],
            }
        )
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "opportunity_id": lead.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": 3,
                            "price_unit": 1000.0,
                            "tax_id": False,
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        cls.invoice = order._create_invoices()

    def test_campaign_cost_segment_and_roi(self):
        """Record a 1,000 cost (ROI -100 %), save a segment, post the 3,000 invoice: ROI 200 %."""
        self.start_tour("/odoo", "crm_extended_campaign_cost_tour", login="tour_campaign")
        self.assertEqual(len(self.campaign.crm_cost_ids), 1)
        segment = self.env["mailing.filter"].search([("name", "=", "Tour Expo visitors")])
        self.assertTrue(segment.crm_is_segment)
        self.assertEqual(self.invoice.state, "draft")
        url = f"/odoo/action-account.action_move_out_invoice_type/{self.invoice.id}"
        self.start_tour(url, "crm_extended_campaign_roi_tour", login="tour_campaign")
        self.assertEqual(self.invoice.state, "posted")
