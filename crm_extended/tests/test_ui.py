from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestUi(HttpCase):
    """Browser tours: the paths people click, in headless Chromium."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(
            cls.env,
            login="tour_salesman",
            name="Tour Salesman",
            groups="sales_team.group_sale_salesman,crm_extended.group_crm_extended_competitor",
        )
        cls.manager = new_test_user(
            cls.env, login="tour_manager", name="Tour Manager", groups="sales_team.group_sale_manager"
        )

    def test_salesman_reaches_every_directory_menu(self):
        """A salesperson opens CRM and reaches Client Groups, Relations and Competitor Prices."""
        self.start_tour("/odoo", "crm_extended_salesman_menus", login="tour_salesman")

    def test_manager_reaches_configuration_menus(self):
        """A sales manager reaches the contact roles and relation types under CRM > Configuration."""
        self.start_tour("/odoo", "crm_extended_manager_menus", login="tour_manager")
