from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestTasksUi(HttpCase):
    """The salesperson's day, clicked: a new lead's first contact, a call logged, the board moves."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(
            cls.env, login="tour_tasks", name="Tasks Salesman", groups="sales_team.group_sale_salesman"
        )
        team = cls.env["crm.team"].create(
            {"name": "Tour Team", "crm_team_member_ids": [Command.create({"user_id": cls.salesman.id})]}
        )
        cls.env["crm.response.rule"].create(
            {"name": "Tour: 2 hours", "team_id": team.id, "response_hours": 2.0}
        )
        # a lead arrives (a web form, a mail alias: whatever the channel, it is created)
        cls.lead = cls.env["crm.lead"].create(
            {"name": "Tour: 12 chairs", "type": "lead", "user_id": cls.salesman.id, "team_id": team.id}
        )

    def test_first_contact_from_my_day(self):
        """The first-contact task shows in My Day; a call logged from the lead completes it, in time, and
        the salesperson's KPI board counts the call and the lead answered within SLA."""
        self.assertTrue(self.lead.response_activity_id)
        self.start_tour("/odoo", "crm_extended_my_day_tour", login="tour_tasks")
        self.assertEqual(self.lead.response_channel, "phone")
        self.assertTrue(self.lead.response_in_time)
        self.assertFalse(self.lead.response_activity_id)
