from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CrmExtendedCase


@tagged("post_install", "-at_install")
class TestContactRoles(CrmExtendedCase):
    """Documents address the contact holding the right role."""

    def test_roles_per_contact(self):
        """A contact holds several roles; the company lists who to call for what."""
        self.contact_buyer.contact_role_ids |= self.role_accountant
        self.assertEqual(len(self.contact_buyer.contact_role_ids), 2)
        self.assertEqual(self.entity_a._crm_contact_for_role("storekeeper"), self.contact_storekeeper)

    def test_invoice_and_delivery_addresses_from_roles(self):
        """Without dedicated addresses, invoices go to the accountant and deliveries to the storekeeper."""
        addresses = self.entity_a.address_get(["invoice", "delivery"])
        self.assertEqual(addresses["invoice"], self.contact_accountant.id)
        self.assertEqual(addresses["delivery"], self.contact_storekeeper.id)

    def test_dedicated_address_wins(self):
        """A dedicated invoice address of the company keeps precedence over the accountant."""
        invoice_address = self.env["res.partner"].create(
            {"name": "Billing", "type": "invoice", "parent_id": self.entity_a.id}
        )
        self.assertEqual(self.entity_a.address_get(["invoice"])["invoice"], invoice_address.id)

    def test_sale_order_addresses(self):
        """A quotation for the company is invoiced to its accountant and delivered to its storekeeper."""
        order = self.env["sale.order"].create({"partner_id": self.entity_a.id})
        self.assertEqual(order.partner_invoice_id, self.contact_accountant)
        self.assertEqual(order.partner_shipping_id, self.contact_storekeeper)

    def test_company_without_roles_keeps_odoo_behaviour(self):
        """A company with no contacts in roles is its own invoice and delivery address."""
        addresses = self.entity_b.address_get(["invoice", "delivery"])
        self.assertEqual(addresses["invoice"], self.entity_b.id)
        self.assertEqual(addresses["delivery"], self.entity_b.id)


@tagged("post_install", "-at_install")
class TestClientGroupRollups(CrmExtendedCase):
    """A holding rolls up the figures of all its entities."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Lead = cls.env["crm.lead"]
        Lead.create(
            {
                "name": "A deal",
                "type": "opportunity",
                "partner_id": cls.contact_buyer.id,
                "expected_revenue": 1000.0,
            }
        )
        Lead.create(
            {
                "name": "B deal",
                "type": "opportunity",
                "partner_id": cls.entity_b.id,
                "expected_revenue": 500.0,
            }
        )
        won = Lead.create(
            {
                "name": "Won deal",
                "type": "opportunity",
                "partner_id": cls.entity_b.id,
                "expected_revenue": 7000.0,
            }
        )
        won.action_set_won()
        order = cls.env["sale.order"].create(
            {
                "partner_id": cls.entity_a.id,
                "order_line": [
                    fields.Command.create(
                        {
                            "product_id": cls.product.id,
                            "product_uom_qty": 3,
                            "price_unit": 100.0,
                            "tax_id": False,
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        cls.order = order
        invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.entity_b.id,
                "invoice_line_ids": [
                    fields.Command.create(
                        {"name": "Service", "quantity": 1, "price_unit": 250.0, "tax_ids": False}
                    )
                ],
            }
        )
        invoice.action_post()
        cls.entity_b.message_post(body="Called about the next order", message_type="comment")

    def test_rollups(self):
        """Pipeline, confirmed orders, invoices, receivables and last contact across entities."""
        group = self.group_holding
        self.assertEqual(group.entity_count, 2)
        self.assertAlmostEqual(group.pipeline_amount, 1500.0)
        self.assertAlmostEqual(group.order_amount, 300.0)
        self.assertAlmostEqual(group.invoiced_amount, 250.0)
        self.assertAlmostEqual(group.receivable_amount, 250.0)
        self.assertTrue(group.last_contact_date)

    def test_rollup_query_count_does_not_grow_with_groups(self):
        """Ten holdings cost the same number of queries as one."""
        groups = self.group_holding
        for index in range(9):
            group = self.env["crm.client.group"].create({"name": f"Holding {index}"})
            self.env["res.partner"].create(
                {"name": f"Entity {index}", "is_company": True, "client_group_id": group.id}
            )
            groups |= group
        groups.mapped("receivable_amount")  # warm the environment (current company, currency)
        self.env.invalidate_all()
        queries_one = self._count_queries(self.group_holding)
        self.env.invalidate_all()
        queries_ten = self._count_queries(groups)
        self.assertEqual(queries_one, queries_ten)
        self.assertLessEqual(queries_ten, 10)

    def _count_queries(self, groups):
        start = self.cr.sql_log_count
        groups.mapped("receivable_amount")
        return self.cr.sql_log_count - start


@tagged("post_install", "-at_install")
class TestRelations(CrmExtendedCase):
    """Typed relations, searchable from both sides."""

    def test_search_both_ways(self):
        """'Who supplies X' and 'whose customer is Y' both find the relation."""
        supplier_type = self.env.ref("crm_extended.relation_type_supplier")
        self.env["res.partner.relation"].create(
            {
                "left_partner_id": self.entity_b.id,
                "type_id": supplier_type.id,
                "right_partner_id": self.entity_a.id,
            }
        )
        Partner = self.env["res.partner"]
        suppliers_of_a = Partner.search(
            [
                ("relation_all_ids.other_partner_id", "=", self.entity_a.id),
                ("relation_all_ids.type_name", "=", "is supplier of"),
            ]
        )
        self.assertEqual(suppliers_of_a, self.entity_b)
        customers_of_b = Partner.search(
            [
                ("relation_all_ids.other_partner_id", "=", self.entity_b.id),
                ("relation_all_ids.type_name", "=", "is customer of"),
            ]
        )
        self.assertEqual(customers_of_b, self.entity_a)
        self.assertEqual(self.entity_a.relation_count, 1)
        self.assertEqual(self.entity_a.relation_all_ids.type_name, "is customer of")

    def test_ended_relation_is_not_current(self):
        """A relation whose end date has passed is kept but not current."""
        relation = self.env["res.partner.relation"].create(
            {
                "left_partner_id": self.entity_b.id,
                "type_id": self.env.ref("crm_extended.relation_type_partner").id,
                "right_partner_id": self.entity_a.id,
                "date_start": "2020-01-01",
                "date_end": "2021-01-01",
            }
        )
        rows = (
            self.env["res.partner.relation.all"]
            .with_context(active_test=False)
            .search([("relation_id", "=", relation.id)])
        )
        self.assertEqual(len(rows), 2)
        self.assertFalse(any(rows.mapped("active")))
        self.assertFalse(self.entity_a.relation_all_ids)

    def test_user_defined_type(self):
        """A manager adds a relation type; salespeople use it."""
        rtype = (
            self.env["res.partner.relation.type"]
            .with_user(self.user_sales_manager)
            .create({"name": "is franchisor of", "name_inverse": "is franchisee of"})
        )
        self.env["res.partner.relation"].with_user(self.user_salesman).create(
            {"left_partner_id": self.entity_a.id, "type_id": rtype.id, "right_partner_id": self.entity_b.id}
        )
        self.assertEqual(self.entity_b.relation_all_ids.type_name, "is franchisee of")


@tagged("post_install", "-at_install")
class TestSensitiveRelations(CrmExtendedCase):
    """Who competes with whom is competitor intelligence: kept from accounting and the
    warehouse, like competitor prices."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Relation = cls.env["res.partner.relation"]
        cls.competitor = Relation.create(
            {
                "left_partner_id": cls.entity_b.id,
                "type_id": cls.env.ref("crm_extended.relation_type_competitor").id,
                "right_partner_id": cls.entity_a.id,
            }
        )
        cls.supplier = Relation.create(
            {
                "left_partner_id": cls.entity_b.id,
                "type_id": cls.env.ref("crm_extended.relation_type_supplier").id,
                "right_partner_id": cls.entity_a.id,
            }
        )

    def test_competitor_relation_hidden_from_other_roles(self):
        """Warehouse users, accountants and plain salespeople do not read a competitor relation,
        from either side; they read the supplier relation."""
        for user in (self.user_stock, self.user_accountant, self.user_salesman):
            Relation = self.env["res.partner.relation"].with_user(user)
            self.assertEqual(
                Relation.search([("left_partner_id", "=", self.entity_b.id)]), self.supplier, user.login
            )
            with self.assertRaises(AccessError, msg=user.login):
                self.competitor.with_user(user).read(["type_id"])
            rows = (
                self.env["res.partner.relation.all"]
                .with_user(user)
                .search([("this_partner_id", "=", self.entity_a.id)])
            )
            self.assertEqual(rows.relation_id, self.supplier, user.login)
            self.assertEqual(self.entity_a.with_user(user).relation_count, 1, user.login)

    def test_competitor_intelligence_reads_it(self):
        """The competitor-intelligence group (and sales managers) read competitor relations."""
        for user in (self.user_competitor, self.user_sales_manager):
            rows = (
                self.env["res.partner.relation.all"]
                .with_user(user)
                .search([("this_partner_id", "=", self.entity_a.id)])
            )
            self.assertEqual(rows.relation_id, self.supplier | self.competitor, user.login)

    def test_view_reads_pending_writes(self):
        """The both-ways view declares what it reads: a relation not yet flushed is found."""
        relation = self.env["res.partner.relation"].create(
            {
                "left_partner_id": self.contact_buyer.id,
                "type_id": self.env.ref("crm_extended.relation_type_partner").id,
                "right_partner_id": self.entity_b.id,
            }
        )
        relation.date_end = "2000-01-01"  # pending in the ORM
        row = (
            self.env["res.partner.relation.all"]
            .with_context(active_test=False)
            .search([("relation_id", "=", relation.id), ("is_inverse", "=", False)])
        )
        self.assertEqual(str(row.date_end), "2000-01-01")
        self.assertFalse(row.active)
