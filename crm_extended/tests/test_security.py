from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .common import CrmExtendedCase


@tagged("post_install", "-at_install")
class TestSecurityGroups(CrmExtendedCase):
    """Each role gets its crm_extended group from Odoo's own groups and reaches its menu."""

    def _visible_menus(self, user):
        return self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()

    def _reachable(self, user, menu):
        """A menu is reachable when it and every menu above it are visible."""
        visible_ids = self._visible_menus(user)
        while menu:
            if menu.id not in visible_ids:
                return False
            menu = menu.parent_id
        return True

    def _assert_menu(self, user, xmlid, visible=True):
        menu = self.env.ref(xmlid)
        if visible:
            self.assertTrue(self._reachable(user, menu), f"{user.login} should reach {xmlid}")
            action = menu.action
            # the action behind the menu opens for this user
            self.env[action.res_model].with_user(user).check_access("read")
        else:
            self.assertFalse(self._reachable(user, menu), f"{user.login} should not reach {xmlid}")

    def test_salesman_group_and_menus(self):
        """A salesperson is a CRM Extended user and reaches the directory, not the configuration."""
        self.assertTrue(self.user_salesman.has_group("crm_extended.group_crm_extended_user"))
        self.assertFalse(self.user_salesman.has_group("crm_extended.group_crm_extended_manager"))
        self._assert_menu(self.user_salesman, "crm_extended.crm_client_group_menu")
        self._assert_menu(self.user_salesman, "crm_extended.res_partner_relation_menu")
        self._assert_menu(self.user_salesman, "crm_extended.crm_contact_role_menu", visible=False)
        self._assert_menu(self.user_salesman, "crm_extended.crm_competitor_price_menu", visible=False)

    def test_sales_manager_group_and_menus(self):
        """A sales manager is a CRM Extended manager with competitor intelligence."""
        user = self.user_sales_manager
        self.assertTrue(user.has_group("crm_extended.group_crm_extended_manager"))
        self.assertTrue(user.has_group("crm_extended.group_crm_extended_competitor"))
        self._assert_menu(user, "crm_extended.crm_contact_role_menu")
        self._assert_menu(user, "crm_extended.res_partner_relation_type_menu")
        self._assert_menu(user, "crm_extended.crm_competitor_price_menu")

    def test_accountant_group_and_menu(self):
        """An accountant sees client groups under Invoicing but no CRM menu."""
        user = self.user_accountant
        self.assertTrue(user.has_group("crm_extended.group_crm_extended_accountant"))
        self.assertFalse(user.has_group("crm_extended.group_crm_extended_user"))
        self._assert_menu(user, "crm_extended.crm_client_group_accounting_menu")
        self._assert_menu(user, "crm_extended.crm_client_group_menu", visible=False)
        self._assert_menu(user, "crm.crm_menu_root", visible=False)

    def test_stock_user_group_and_menu(self):
        """A warehouse user reaches the delivery desk and nothing of the CRM."""
        user = self.user_stock
        self.assertTrue(user.has_group("crm_extended.group_crm_extended_delivery"))
        self._assert_menu(user, "crm_extended.stock_delivery_desk_menu")
        self._assert_menu(user, "crm_extended.crm_extended_directory_menu", visible=False)

    def test_competitor_reader_group_and_menu(self):
        """The competitor-intelligence group reaches competitor prices."""
        self._assert_menu(self.user_competitor, "crm_extended.crm_competitor_price_menu")


@tagged("post_install", "-at_install")
class TestSecurityAccess(CrmExtendedCase):
    """What each role may read and change, refusals included."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.price = cls.env["crm.competitor.price"].create(
            {
                "competitor_id": cls.entity_b.id,
                "product_id": cls.product.id,
                "price": 90.0,
                "user_id": cls.user_sales_manager.id,
            }
        )

    def test_competitor_prices_hidden_from_accounting_and_warehouse(self):
        """Accountants, warehouse staff and plain salespeople cannot read competitor prices."""
        for user in (self.user_accountant, self.user_stock, self.user_salesman, self.user_portal):
            with self.assertRaises(AccessError, msg=user.login):
                self.price.with_user(user).read(["price"])

    def test_competitor_reader_edits_own_entries_only(self):
        """A competitor-intelligence reader reads all prices, records new ones, edits only its own."""
        Price = self.env["crm.competitor.price"].with_user(self.user_competitor)
        self.assertEqual(self.price.with_user(self.user_competitor).price, 90.0)
        own = Price.create({"competitor_id": self.entity_b.id, "product_id": self.product.id, "price": 80.0})
        own.price = 85.0
        self.assertEqual(own.price, 85.0)
        with self.assertRaises(AccessError):
            self.price.with_user(self.user_competitor).write({"price": 1.0})
        with self.assertRaises(AccessError):
            own.unlink()

    def test_contact_roles_configured_by_managers_only(self):
        """Salespeople read contact roles and relation types; only managers change them."""
        with self.assertRaises(AccessError):
            self.env["crm.contact.role"].with_user(self.user_salesman).create({"name": "Lawyer"})
        with self.assertRaises(AccessError):
            self.env["res.partner.relation.type"].with_user(self.user_salesman).create(
                {"name": "owns", "name_inverse": "is owned by"}
            )
        self.assertTrue(self.role_buyer.with_user(self.user_salesman).name)
        role = self.env["crm.contact.role"].with_user(self.user_sales_manager).create({"name": "Lawyer"})
        self.assertEqual(role.name, "Lawyer")

    def test_client_groups_by_role(self):
        """Accountants read holdings but cannot change them; warehouse and portal users cannot read them."""
        self.assertEqual(self.group_holding.with_user(self.user_accountant).name, "Test Holding")
        with self.assertRaises(AccessError):
            self.group_holding.with_user(self.user_accountant).write({"name": "Renamed"})
        for user in (self.user_stock, self.user_portal):
            with self.assertRaises(AccessError, msg=user.login):
                self.group_holding.with_user(user).read(["name"])

    def test_client_group_edit_own_only(self):
        """A salesperson edits the holdings they manage, not a colleague's."""
        own = self.env["crm.client.group"].with_user(self.user_salesman).create({"name": "Mine"})
        own.name = "Mine, renamed"
        theirs = self.env["crm.client.group"].create(
            {"name": "Theirs", "user_id": self.user_salesman_other.id}
        )
        self.assertEqual(theirs.with_user(self.user_salesman).name, "Theirs")
        with self.assertRaises(AccessError):
            theirs.with_user(self.user_salesman).write({"name": "Taken"})

    def test_delivery_desk_for_warehouse_only(self):
        """The delivery desk opens for stock users and is refused to salespeople and accountants."""
        self.env["stock.delivery.desk"].with_user(self.user_stock).create({"query": "nothing"})
        for user in (self.user_salesman, self.user_accountant):
            with self.assertRaises(AccessError, msg=user.login):
                self.env["stock.delivery.desk"].with_user(user).create({"query": "x"})


@tagged("post_install", "-at_install")
class TestReviewAccess(CrmExtendedCase):
    """What the review found each role meets: the sales manager's revenue analysis, a
    colleague's holding read-only, the accountant's client groups."""

    def test_sales_manager_reaches_revenue_by_deal_source(self):
        """The sales manager reaches CRM > Reporting > Revenue by Deal Source and reads it,
        without reading journal items or the accounting menus."""
        user = self.user_sales_manager
        menu = self.env.ref("crm_extended.account_invoice_report_deal_crm_menu")
        self.assertIn(menu.id, self.env["ir.ui.menu"].with_user(user)._visible_menu_ids())
        Report = self.env["account.invoice.report"].with_user(user)
        Report._read_group([], ["source_id"], ["price_subtotal:sum"])
        self.assertFalse(user.has_group("account.group_account_invoice"))
        self.assertNotIn(
            self.env.ref("account.menu_finance").id,
            self.env["ir.ui.menu"].with_user(user)._visible_menu_ids(),
        )

    def test_colleagues_holding_is_read_only_on_screen(self):
        """A salesperson sees a colleague's holding read-only (no field to type in), their own editable."""
        theirs = self.env["crm.client.group"].create(
            {"name": "Theirs", "user_id": self.user_salesman_other.id}
        )
        mine = self.env["crm.client.group"].create({"name": "Mine", "user_id": self.user_salesman.id})
        self.assertFalse(theirs.with_user(self.user_salesman).can_edit)
        self.assertTrue(mine.with_user(self.user_salesman).can_edit)
        with Form(theirs.with_user(self.user_salesman)) as form, self.assertRaises(AssertionError):
            form.name = "Taken"
        with Form(mine.with_user(self.user_salesman)) as form:
            form.name = "Mine, renamed"
        self.assertEqual(mine.name, "Mine, renamed")
