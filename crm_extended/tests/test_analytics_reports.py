from datetime import datetime

from odoo import Command
from odoo.tests import tagged

from .common import AnalyticsCommon


@tagged("post_install", "-at_install")
class TestLostDeals(AnalyticsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.reason = env["crm.lost.reason"].create({"name": "Too expensive (test)"})
        cls.categ_chairs = env["product.category"].create({"name": "Chairs (analytics)"})
        cls.categ_desks = env["product.category"].create({"name": "Desks (analytics)"})
        cls.chair = env["product.product"].create({"name": "A chair", "categ_id": cls.categ_chairs.id})
        cls.desk = env["product.product"].create({"name": "A desk", "categ_id": cls.categ_desks.id})
        cls.lost = cls._lead_path(
            "Lost chairs and desks",
            [(cls.stage_new, datetime(2026, 5, 1)), (cls.stage_qualified, datetime(2026, 5, 3))],
            user=cls.user_salesman,
            revenue=1000.0,
            partner_id=cls.entity_a.id,
        )
        env["sale.order"].create(
            {
                "partner_id": cls.entity_a.id,
                "opportunity_id": cls.lost.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": cls.chair.id,
                            "product_uom_qty": 3,
                            "price_unit": 100.0,
                            "tax_id": False,
                        }
                    ),
                    Command.create(
                        {
                            "product_id": cls.desk.id,
                            "product_uom_qty": 1,
                            "price_unit": 200.0,
                            "tax_id": False,
                        }
                    ),
                ],
            }
        )
        cls.lost.action_set_lost(lost_reason_id=cls.reason.id)
        cls.other_lost = cls._lead_path(
            "Someone else's",
            [(cls.stage_new, datetime(2026, 5, 1))],
            "lost",
            cls.user_salesman_other,
            revenue=50.0,
        )
        cls.other_lost.lost_reason_id = cls.reason

    def test_split_by_category(self):
        """Lost revenue split by the quotation's categories: 300 of 500 chairs, 200 desks; one deal."""
        rows = self.env["crm.lead.report.lost"].search([("lead_id", "=", self.lost.id)])
        # 1000 expected: chairs 300 / 500 = 60% -> 600, desks 40% -> 400
        by_categ = {row.categ_id: row.lost_revenue for row in rows}
        self.assertAlmostEqual(by_categ[self.categ_chairs], 600.0)
        self.assertAlmostEqual(by_categ[self.categ_desks], 400.0)
        self.assertEqual(sum(rows.mapped("lost_count")), 1)
        self.assertEqual(rows.stage_id, self.stage_qualified)
        self.assertEqual(rows.lost_reason_id, self.reason)

    def test_grouped_by_reason(self):
        """Per reason: both deals counted once, their revenue summed (600 + 400 + 50)."""
        groups = self.env["crm.lead.report.lost"].read_group(
            [("lost_reason_id", "=", self.reason.id)],
            ["lost_count:sum", "lost_revenue:sum"],
            ["lost_reason_id"],
        )
        self.assertEqual(groups[0]["lost_count"], 2)
        self.assertAlmostEqual(groups[0]["lost_revenue"], 1050.0)

    def test_lost_to_competitor(self):
        """The competitor that won the deal is a column: by competitor, one deal and 1000 lost."""
        competitor = self.env["res.partner"].create({"name": "Rival (analytics)", "is_company": True})
        self.lost.lost_competitor_id = competitor
        groups = self.env["crm.lead.report.lost"].read_group(
            [("competitor_id", "=", competitor.id)], ["lost_count:sum", "lost_revenue:sum"], ["competitor_id"]
        )
        self.assertEqual(len(groups), 1)
        self.assertEqual(groups[0]["lost_count"], 1)
        self.assertAlmostEqual(groups[0]["lost_revenue"], 1000.0)
        own = (
            self.env["crm.lead.report.lost"]
            .with_user(self.user_salesman)
            .search([("lead_id", "=", self.lost.id)])
        )
        self.assertEqual(own.competitor_id, competitor)

    def test_salesperson_sees_own(self):
        """A salesperson's lost deals are their own and the unassigned."""
        rows = (
            self.env["crm.lead.report.lost"]
            .with_user(self.user_salesman)
            .search([("lost_reason_id", "=", self.reason.id)])
        )
        self.assertEqual(rows.lead_id, self.lost)


@tagged("post_install", "-at_install")
class TestClientReports(AnalyticsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.categ = env["product.category"].create({"name": "Lamps (analytics)"})
        cls.lamp = env["product.product"].create(
            {"name": "A lamp", "categ_id": cls.categ.id, "invoice_policy": "order", "list_price": 10.0}
        )
        cls.client = env["res.partner"].create({"name": "Lamp Buyer", "is_company": True})
        cls.first = cls._lead_path(
            "Lamps?",
            [(cls.stage_new, datetime(2026, 2, 1)), (cls.stage_won, datetime(2026, 2, 11))],
            "won",
            cls.user_salesman,
            partner_id=cls.client.id,
        )
        order = env["sale.order"].create(
            {
                "partner_id": cls.client.id,
                "opportunity_id": cls.first.id,
                "order_line": [
                    Command.create({"product_id": cls.lamp.id, "product_uom_qty": 2, "tax_id": False})
                ],
            }
        )
        order.action_confirm()
        order._create_invoices().action_post()

    def test_primary_interest(self):
        """The first lead asked about lamps, the client bought lamps."""
        row = self.env["crm.lead.report.interest"].search([("partner_id", "=", self.client.id)])
        self.assertEqual(
            (row.interest_categ_id, row.bought_categ_id, row.same_category), (self.categ, self.categ, True)
        )
        self.assertEqual(row.client_count, 1)

    def test_first_touch_outcome(self):
        """Without a telephony touch, the first lead's salesperson; won in 10 days."""
        row = self.env["crm.lead.report.touch"].search([("partner_id", "=", self.client.id)])
        self.assertEqual(row.touch_user_id, self.user_salesman)
        self.assertEqual((row.lead_count, row.won_count, row.conversion), (1, 1, 100.0))
        self.assertAlmostEqual(row.days_to_win, 10.0)
        self.client.first_touch_user_id = self.user_sales_manager
        self.env.flush_all()
        self.env["crm.lead.report.touch"].invalidate_model()
        row = self.env["crm.lead.report.touch"].search([("partner_id", "=", self.client.id)])
        self.assertEqual(row.touch_user_id, self.user_sales_manager)
