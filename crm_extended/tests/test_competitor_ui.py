from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestCompetitorTour(HttpCase):
    """A salesperson records a competitor's offer on a deal and loses the deal to it; the unmet-demand
    register and the price position show it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.salesman = new_test_user(
            env, login="tour_ci_sales", name="Tour CI Salesman", groups="sales_team.group_sale_salesman"
        )
        cls.manager = new_test_user(
            env, login="tour_ci_manager", name="Tour CI Manager", groups="sales_team.group_sale_manager"
        )
        cls.rival = env["res.partner"].create(
            {"name": "Tour Rival Supply", "is_company": True, "is_competitor": True}
        )
        client = env["res.partner"].create({"name": "Tour Client", "is_company": True})
        category = env["product.category"].create({"name": "Tour Chairs"})
        cls.product = env["product.product"].create(
            {"name": "Tour Chair", "list_price": 100.0, "categ_id": category.id, "taxes_id": False}
        )
        cls.lead = env["crm.lead"].create(
            {
                "name": "Tour chairs deal",
                "type": "opportunity",
                "partner_id": client.id,
                "user_id": cls.salesman.id,
            }
        )

    def test_offer_lost_register_and_position(self):
        """The offer is recorded, the deal lost to it, the demand registered and the position shows it."""
        self.start_tour(
            f"/odoo/action-crm.crm_lead_action_pipeline/{self.lead.id}",
            "crm_extended_competitor_offer_tour",
            login="tour_ci_sales",
        )
        lead = self.lead.with_context(active_test=False)
        self.assertFalse(lead.active)
        self.assertEqual(lead.lost_competitor_id, self.rival)
        self.assertEqual(lead.lost_competitor_price, 80.0)
        demand = self.env["crm.unsatisfied.demand"].search([("lead_id", "=", lead.id)])
        self.assertEqual(
            (demand.product_id, demand.reason, demand.user_id),
            (self.product, "competitor_won", self.salesman),
        )
        self.start_tour("/odoo/crm", "crm_extended_price_position_tour", login="tour_ci_manager")
