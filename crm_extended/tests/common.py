import contextlib
import threading

from odoo.tests import TransactionCase, new_test_user


@contextlib.contextmanager
def captured_queries():
    """The SQL text of every query this thread runs inside the block (Odoo's query_hooks)."""
    queries = []
    thread = threading.current_thread()
    thread.query_hooks = (lambda cr, query, params, start, delay: queries.append(str(query)),)
    try:
        yield queries
    finally:
        del thread.query_hooks


class CrmExtendedCase(TransactionCase):
    """One fixture for every test: a user per role and a small client directory.

    Nothing here relies on demo data.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_notrack=True))
        cls.company = cls.env.company
        cls.country_ru = cls.env.ref("base.ru")
        cls.country_de = cls.env.ref("base.de")
        cls.company.country_id = cls.country_ru

        cls.user_salesman = new_test_user(
            cls.env, login="ce_salesman", name="Sam Salesman", groups="sales_team.group_sale_salesman"
        )
        cls.user_salesman_other = new_test_user(
            cls.env, login="ce_salesman2", name="Olga Otherseller", groups="sales_team.group_sale_salesman"
        )
        cls.user_sales_manager = new_test_user(
            cls.env, login="ce_sales_manager", name="Mary Manager", groups="sales_team.group_sale_manager"
        )
        cls.user_accountant = new_test_user(
            cls.env, login="ce_accountant", name="Alex Accountant", groups="account.group_account_invoice"
        )
        cls.user_stock = new_test_user(
            cls.env, login="ce_stock", name="Walter Warehouse", groups="stock.group_stock_user"
        )
        cls.user_competitor = new_test_user(
            cls.env,
            login="ce_competitor",
            name="Irina Intelligence",
            groups="sales_team.group_sale_salesman,crm_extended.group_crm_extended_competitor",
        )
        cls.user_portal = new_test_user(
            cls.env, login="ce_portal", name="Pat Portal", groups="base.group_portal"
        )

        Role = cls.env["crm.contact.role"]
        cls.role_buyer = Role.search([("code", "=", "buyer")])
        cls.role_accountant = Role.search([("code", "=", "accountant")])
        cls.role_storekeeper = Role.search([("code", "=", "storekeeper")])

        Partner = cls.env["res.partner"]
        cls.group_holding = cls.env["crm.client.group"].create({"name": "Test Holding"})
        cls.entity_a = Partner.create(
            {
                "name": "Alpha Trade LLC",
                "is_company": True,
                "country_id": cls.country_ru.id,
                "vat": "5401001113",
                "kpp": "540101001",
                "phone": "8 (383) 211-22-33",
                "client_group_id": cls.group_holding.id,
            }
        )
        cls.entity_b = Partner.create(
            {
                "name": "Alpha Logistics JSC",
                "is_company": True,
                "country_id": cls.country_ru.id,
                "vat": "6602002221",
                "client_group_id": cls.group_holding.id,
            }
        )
        cls.contact_buyer = Partner.create(
            {
                "name": "Boris Buyer",
                "parent_id": cls.entity_a.id,
                "mobile": "+7 913 700-45-67",
                "email": "boris@alpha.example.com",
                "contact_role_ids": [(6, 0, cls.role_buyer.ids)],
            }
        )
        cls.contact_accountant = Partner.create(
            {
                "name": "Anna Accountant",
                "parent_id": cls.entity_a.id,
                "email": "anna@alpha.example.com",
                "contact_role_ids": [(6, 0, cls.role_accountant.ids)],
            }
        )
        cls.contact_storekeeper = Partner.create(
            {
                "name": "Stas Storekeeper",
                "parent_id": cls.entity_a.id,
                "phone": "8 (383) 211-22-34",
                "contact_role_ids": [(6, 0, cls.role_storekeeper.ids)],
            }
        )
        cls.product = cls.env["product.product"].create(
            {
                "name": "Test Office Chair",
                "type": "consu",
                "is_storable": True,
                "list_price": 100.0,
            }
        )
