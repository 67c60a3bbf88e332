from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestAnalyticsDashboardUi(HttpCase):
    """A sales manager opens CRM > Reporting > Dashboard and drills from the funnel into a stage."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        new_test_user(
            env, login="tour_analytics", name="Tour Analytics Manager", groups="sales_team.group_sale_manager"
        )
        team = env["crm.team"].create({"name": "Tour Analytics Team"})
        new, qualified, won = (env.ref(f"crm.stage_lead{i}") for i in (1, 2, 4))
        Lead = env["crm.lead"]
        values = {"type": "opportunity", "team_id": team.id, "stage_id": new.id}
        Lead.create({"name": "Tour new only", **values})
        lost = Lead.create({"name": "Tour qualified lost", **values})
        lost.stage_id = qualified
        lost.action_set_lost()
        winner = Lead.create({"name": "Tour qualified won", **values})
        winner.stage_id = qualified
        winner.stage_id = won

    def test_dashboard_drill_into_stage(self):
        """The dashboard draws its charts; a stage of the funnel opens the leads that entered it."""
        self.start_tour("/odoo", "crm_extended_analytics_dashboard", login="tour_analytics")
