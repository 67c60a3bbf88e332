from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CrmExtendedCase


@tagged("post_install", "-at_install")
class TestAccessMatrix(CrmExtendedCase):
    """One database, five roles: what each reads, and what raises AccessError."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lead = cls.env["crm.lead"].create(
            {
                "name": "Matrix deal",
                "type": "opportunity",
                "partner_id": cls.entity_a.id,
                "expected_revenue": 1000.0,
                "user_id": cls.user_salesman.id,
            }
        )
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": cls.entity_a.id,
                "opportunity_id": cls.lead.id,
                "user_id": cls.user_salesman.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": cls.product.id,
                            "product_uom_qty": 2,
                            "price_unit": 50.0,
                            "tax_id": False,
                        }
                    )
                ],
            }
        )
        cls.order.action_confirm()
        cls.product.invoice_policy = "order"
        cls.invoice = cls.order._create_invoices()
        cls.invoice.action_post()
        cls.price = cls.env["crm.competitor.price"].create(
            {"competitor_id": cls.entity_b.id, "product_id": cls.product.id, "price": 40.0}
        )

    def _can_read(self, user, record, fields_=None):
        try:
            record.with_user(user).read(fields_ or ["display_name"])
        except AccessError:
            return False
        return True

    def test_salesperson(self):
        """Reads the deal, its order, receivables and holdings; no competitor prices; cannot post."""
        user = self.user_salesman
        self.assertTrue(self._can_read(user, self.lead, ["deal_amount_invoiced", "customer_overdue_amount"]))
        self.assertTrue(self._can_read(user, self.order, ["amount_total"]))
        self.assertTrue(self._can_read(user, self.group_holding, ["receivable_amount"]))
        self.assertFalse(self._can_read(user, self.price))
        with self.assertRaises(AccessError):
            self.invoice.with_user(user).button_draft()

    def test_sales_manager(self):
        """Reads every deal and the competitor prices."""
        user = self.user_sales_manager
        self.assertTrue(self._can_read(user, self.lead, ["expected_revenue"]))
        self.assertTrue(self._can_read(user, self.price, ["price"]))

    def test_accountant(self):
        """Reads invoices and the invoice analysis, not the CRM: no lead, no competitor price."""
        user = self.user_accountant
        self.assertTrue(self._can_read(user, self.invoice, ["amount_total", "invoice_user_id", "team_id"]))
        self.assertTrue(
            self.env["account.invoice.report"]
            .with_user(user)
            .search_count([("move_id", "=", self.invoice.id)])
        )
        self.assertFalse(self._can_read(user, self.lead))
        self.assertFalse(self._can_read(user, self.price))

    def test_stock_user(self):
        """Uses the delivery desk; reads no lead, no invoice amounts, no competitor price."""
        user = self.user_stock
        desk = self.env["stock.delivery.desk"].with_user(user).create({"query": self.order.name})
        self.assertEqual(desk.picking_ids, self.order.picking_ids)
        self.assertFalse(self._can_read(user, self.lead))
        self.assertFalse(self._can_read(user, self.invoice, ["amount_total"]))
        self.assertFalse(self._can_read(user, self.price))

    def test_portal_user(self):
        """Reads nothing of the CRM: no lead, no holding, no competitor price, no delivery desk."""
        user = self.user_portal
        self.assertFalse(self._can_read(user, self.lead))
        self.assertFalse(self._can_read(user, self.group_holding))
        self.assertFalse(self._can_read(user, self.price))
        with self.assertRaises(AccessError):
            self.env["stock.delivery.desk"].with_user(user).create({"query": "x"})
