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


@tagged("post_install", "-at_install")
class TestUiReview(HttpCase):
    """The screens a review clicked through as each role, in headless Chromium."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.country_id = cls.env.ref("base.ru")
        cls.salesman = new_test_user(
            cls.env,
            login="tour_review_sales",
            name="Review Salesman",
            groups="sales_team.group_sale_salesman,crm_extended.group_crm_extended_competitor",
        )
        cls.colleague = new_test_user(
            cls.env,
            login="tour_review_colleague",
            name="Review Colleague",
            groups="sales_team.group_sale_salesman",
        )
        cls.manager = new_test_user(
            cls.env,
            login="tour_review_manager",
            name="Review Manager",
            groups="sales_team.group_sale_manager",
        )
        Partner = cls.env["res.partner"]
        holding = cls.env["crm.client.group"].create(
            {"name": "Tour Overdue Holding", "user_id": cls.salesman.id}
        )
        customer = Partner.create(
            {"name": "Tour Customer Trade LLC", "is_company": True, "client_group_id": holding.id}
        )
        sister = Partner.create(
            {"name": "Tour Sister Logistics JSC", "is_company": True, "client_group_id": holding.id}
        )
        overdue = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": sister.id,
                "invoice_date": "2021-03-01",
                "invoice_payment_term_id": False,
                "invoice_line_ids": [
                    Command.create({"name": "Old", "quantity": 1, "price_unit": 1200.0, "tax_ids": False})
                ],
            }
        )
        overdue.action_post()
        overdue.line_ids.filtered("date_maturity").date_maturity = "2021-03-01"
        overdue.invoice_date_due = "2021-03-01"
        product = cls.env["product.product"].create({"name": "Tour Review Desk", "list_price": 10.0})
        cls.quotation = cls.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "user_id": cls.salesman.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1})],
            }
        )
        # revenue from a fair, for the sales manager's analysis
        source = cls.env["utm.source"].create({"name": "Tour Fair"})
        order = cls.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "source_id": source.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 3})],
            }
        )
        order.action_confirm()
        product.invoice_policy = "order"
        invoice = order._create_invoices()
        invoice.source_id = source
        invoice.action_post()
        cls.colleague_holding = cls.env["crm.client.group"].create(
            {"name": "Colleague Holding", "user_id": cls.colleague.id}
        )
        rival = Partner.create({"name": "Tour Rival LLC", "is_company": True})
        cls.env["crm.competitor.price"].create(
            {"competitor_id": rival.id, "product_id": product.id, "price": 9.0}
        )

    def test_overdue_dialog_names_who_owes(self):
        """Confirming for a customer whose sister company is overdue opens a dialog naming that
        company, its amount and date; Confirm Anyway confirms."""
        self.start_tour(
            f"/odoo/action-sale.action_quotations_with_onboarding/{self.quotation.id}",
            "crm_extended_overdue_dialog_tour",
            login="tour_review_sales",
        )
        self.assertEqual(self.quotation.state, "sale")

    def test_sales_manager_opens_revenue_by_deal_source(self):
        """A sales manager opens CRM > Reporting > Revenue by Deal Source."""
        self.start_tour("/odoo", "crm_extended_manager_revenue_tour", login="tour_review_manager")

    def test_colleague_holding_is_read_only(self):
        """A salesperson sees a colleague's holding without fields to type into."""
        url = f"/odoo/action-crm_extended.crm_client_group_action/{self.colleague_holding.id}"
        self.start_tour(url, "crm_extended_colleague_holding_tour", login="tour_review_sales")

    def test_competitor_price_named_and_averaged(self):
        """A competitor price has a name, and its pivot shows averages."""
        self.start_tour("/odoo", "crm_extended_competitor_price_tour", login="tour_review_sales")
