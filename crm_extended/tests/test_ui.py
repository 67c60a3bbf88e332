from odoo import Command
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


@tagged("post_install", "-at_install")
class TestUiDirectory(HttpCase):
    """A salesperson builds a holding by clicking; a warehouse user answers a caller."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.country_id = cls.env.ref("base.ru")
        cls.salesman = new_test_user(
            cls.env, login="tour_holding", name="Holding Salesman", groups="sales_team.group_sale_salesman"
        )
        holding = cls.env["crm.client.group"].create({"name": "Tour Holding", "user_id": cls.salesman.id})
        entity = cls.env["res.partner"].create(
            {"name": "Tour Existing Entity", "is_company": True, "client_group_id": holding.id}
        )
        cls.env["crm.lead"].create(
            {
                "name": "Tour deal",
                "type": "opportunity",
                "partner_id": entity.id,
                "expected_revenue": 5000.0,
                "user_id": cls.salesman.id,
            }
        )
        cls.stock_user = new_test_user(
            cls.env, login="tour_stock", name="Tour Warehouse", groups="stock.group_stock_user"
        )
        customer = cls.env["res.partner"].create(
            {"name": "Desk Customer LLC", "is_company": True, "phone": "+7 913 555 00 11"}
        )
        product = cls.env["product.product"].create(
            {"name": "Desk Chair", "type": "consu", "is_storable": True}
        )
        warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.env.company.id)], limit=1)
        cls.env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 10)
        order = cls.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 4})],
            }
        )
        order.action_confirm()

    def test_holding_built_by_clicking(self):
        """Create a company with two contacts in different roles, attach it to a holding, see the roll-up."""
        self.start_tour("/odoo", "crm_extended_holding_tour", login="tour_holding")
        company = self.env["res.partner"].search([("name", "=", "Tour Company LLC")])
        self.assertEqual(company.client_group_id.name, "Tour Holding")
        self.assertEqual(
            sorted(company.child_ids.mapped(lambda c: c.contact_role_ids.code)), ["accountant", "buyer"]
        )

    def test_warehouse_finds_delivery_by_phone(self):
        """A warehouse user finds the status of a delivery from the phone number a caller gives."""
        self.start_tour("/odoo", "crm_extended_delivery_desk_tour", login="tour_stock")
