from types import SimpleNamespace
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessDenied
from odoo.tests import HttpCase, tagged
from odoo.tools.misc import format_amount

from ..controllers import portal as portal_controller
from ..controllers.portal import CrmPortal
from .common import PortalCommon


@tagged("post_install", "-at_install")
class TestPortalAccess(PortalCommon, HttpCase):
    """Who sees what in the client's portal (#18): entities, holdings, roles, tokens, visitors."""

    def _login(self, user):
        self.authenticate(user.login, user.login + "-Pass-2026")

    def _get(self, url, **kwargs):
        return self.url_open(url, allow_redirects=False, **kwargs)

    def test_order_page_real_state(self):
        """The order page shows per line what is ordered, delivered and to deliver, the delivery
        with its tracking link and serial, and the next expected delivery."""
        self.order_a.message_post(
            body="Salesperson comment: competitor Vasilek is cheaper", subtype_xmlid="mail.mt_note"
        )
        self._login(self.portal_buyer)
        response = self._get(f"/my/orders/{self.order_a.id}")
        self.assertEqual(response.status_code, 200)
        html = response.text
        self.assertIn("crm_order_status", html)
        self.assertIn("SN-PORTAL-A1", html)
        self.assertIn("https://track.example.com/TRK-777-A", html)
        self.assertIn("o_crm_next_delivery", html, "the backorder of 3 chairs is still to come")
        self.assertIn(self.picking_a.name, html)
        self.assertNotIn("Vasilek", html, "an internal note never reaches the portal")

    def test_orders_list_own_entity(self):
        """A contact's order list holds its own entity's orders, not its holding's nor others'."""
        self._login(self.portal_buyer)
        html = self._get("/my/orders").text
        self.assertIn(self.order_a.name, html)
        self.assertNotIn(self.order_b.name, html)
        self.assertNotIn(self.order_c.name, html)

    def test_holding_representative_sees_every_entity(self):
        """A holding representative lists every entity's orders and deliveries, each labelled."""
        self._login(self.portal_rep)
        html = self._get("/my/orders").text
        self.assertIn(self.order_a.name, html)
        self.assertIn(self.order_b.name, html)
        self.assertIn(self.entity_b.name, html)
        self.assertNotIn(self.order_c.name, html)
        deliveries = self._get("/my/deliveries").text
        self.assertIn(self.picking_a.name, deliveries)
        self.assertIn(self.picking_b.name, deliveries)
        self.assertNotIn(self.picking_c.name, deliveries)
        self.assertEqual(self._get(f"/my/deliveries/{self.picking_b.id}").status_code, 200)

    def test_orders_counts_and_states(self):
        """The orders page counts the orders per delivery status (Odoo's stored status) and
        shows each order's delivery and invoice status; a status link lists only its orders."""
        self.assertEqual((self.order_a.delivery_status, self.order_b.delivery_status), ("partial", "pending"))
        self._login(self.portal_rep)
        html = self._get("/my/orders").text
        for status, count in (("all", 2), ("pending", 1), ("partial", 1), ("full", 0)):
            self.assertRegex(
                html, rf'data-crm-status="{status}"[^>]*>\s*[^<]*<span[^>]*o_crm_order_count[^>]*>{count}<'
            )
        self.assertIn('<td data-crm-status="partial">', html)
        self.assertIn('<td data-crm-status="pending">', html)
        total = format_amount(self.env, self.order_a.amount_total, self.order_a.currency_id)
        self.assertIn(total, html, "each order's total, formatted once per page")
        self.assertIn(
            f'data-crm-invoice="{self.order_a.invoice_status}"', html, "a director sees the invoicing"
        )
        partial = self._get("/my/orders?filterby=partial").text
        self.assertIn(self.order_a.name, partial)
        self.assertNotIn(self.order_b.name, partial)
        self.assertIn(
            self.order_b.name, self._get("/my/orders?filterby=bogus").text, "unknown filters list all"
        )

    def test_orders_totals_grouped_as_odoo_formats_them(self):
        """A total in the millions shows the language's thousands and decimal separators exactly
        as Odoo's own amount formatting does (the page formats its rows once per page)."""
        order = self.env["sale.order"].create(
            {
                "partner_id": self.entity_a.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.product.id, "product_uom_qty": 1, "price_unit": 1234567.5}
                    )
                ],
            }
        )
        order.action_confirm()
        self.assertGreater(order.amount_total, 1_000_000)
        self._login(self.portal_rep)
        html = self._get("/my/orders").text
        self.assertIn(format_amount(self.env, order.amount_total, order.currency_id), html)

    def test_orders_scope_is_the_record_rules(self):
        """The orders page searches in sudo under the record rules written out as a domain
        (controllers/portal.py, ``_crm_orders_scope``): for every portal user it gives the same
        orders as a search under the rules, an order the contact follows included."""
        followed = self._portal_order(self.entity_c)
        followed.message_subscribe(partner_ids=self.contact_buyer.ids)
        page = CrmPortal()
        users = (self.portal_buyer, self.portal_rep, self.portal_b, self.portal_other, self.portal_accountant)
        for user in users:
            env = self.env(user=user)
            with patch.object(portal_controller, "request", SimpleNamespace(env=env)):
                scope = page._crm_orders_scope([("state", "=", "sale")])
            self.assertEqual(
                env["sale.order"].sudo().search(scope),
                env["sale.order"].search([("state", "=", "sale")]).sudo(),
                user.login,
            )
        buyer_env = self.env(user=self.portal_buyer)
        with patch.object(portal_controller, "request", SimpleNamespace(env=buyer_env)):
            scope = page._crm_orders_scope([("state", "=", "sale")])
        self.assertIn(
            followed, buyer_env["sale.order"].sudo().search(scope), "a followed order is listed, as in Odoo"
        )

    def test_orders_list_obeys_any_other_rule(self):
        """A record rule the orders page does not know of (another module's, an administrator's)
        still hides its orders from the list: the page's orders are read under the user's rules."""
        # a global rule (global rules restrict; group rules would be OR'ed with sale's)
        self.env["ir.rule"].create(
            {
                "name": "Not order B (test)",
                "model_id": self.env["ir.model"]._get_id("sale.order"),
                "domain_force": f"[('id', '!=', {self.order_b.id})]",
                "perm_read": True,
            }
        )
        self._login(self.portal_rep)
        html = self._get("/my/orders").text
        self.assertIn(self.order_a.name, html)
        self.assertNotIn(self.order_b.name, html)

    def test_orders_invoice_status_money_roles(self):
        """A buyer (no money role) sees the delivery status, not the invoicing status."""
        self._login(self.portal_buyer)
        html = self._get("/my/orders").text
        self.assertIn('<td data-crm-status="partial">', html)
        self.assertNotIn("data-crm-invoice", html)

    def test_other_client_gets_nothing(self):
        """Another client's contact: the order redirects away, deliveries and slips answer 404,
        whatever id is guessed."""
        self._login(self.portal_other)
        response = self._get(f"/my/orders/{self.order_a.id}")
        self.assertEqual(response.status_code, 303)
        self.assertNotIn(f"/my/orders/{self.order_a.id}", response.headers.get("Location", ""))
        for picking in self.picking_a | self.picking_b:
            self.assertEqual(self._get(f"/my/deliveries/{picking.id}").status_code, 404)
            self.assertEqual(self._get(f"/my/deliveries/{picking.id}/slip?report_type=html").status_code, 404)
            self.assertEqual(self._get(f"/my/deliveries/{picking.id}?report_type=html").status_code, 404)
        last = self.env["stock.picking"].search([], order="id desc", limit=1).id
        for guessed in (0, last + 1, last + 1000, -1):
            self.assertIn(self._get(f"/my/deliveries/{guessed}").status_code, (404,))
        self.assertEqual(self._get(f"/my/deliveries/{self.picking_c.id}").status_code, 200)
        html = self._get("/my/deliveries?search=TRK-777-A&filterby=all").text
        self.assertNotIn(self.picking_a.name, html)

    def test_other_documents_token(self):
        """An order's access token opens that order's deliveries only, never another's."""
        self._login(self.portal_other)
        token_c = self.order_c._portal_ensure_token()
        response = self._get(f"/my/deliveries/{self.picking_a.id}?access_token={token_c}")
        self.assertEqual(response.status_code, 404)
        response = self._get(
            f"/my/deliveries/{self.picking_a.id}/slip?report_type=html&access_token={token_c}"
        )
        self.assertEqual(response.status_code, 404)

    def test_public_visitor(self):
        """A visitor without a session is sent to log in; with the order's token it sees its
        delivery, with a wrong one nothing."""
        response = self._get("/my/deliveries")
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])
        self.assertEqual(self._get(f"/my/deliveries/{self.picking_a.id}").status_code, 404)
        self.assertEqual(self._get(f"/my/deliveries/{self.picking_a.id}?access_token=guess").status_code, 404)
        token = self.order_a._portal_ensure_token()
        response = self._get(f"/my/deliveries/{self.picking_a.id}?access_token={token}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("SN-PORTAL-A1", response.text)

    def test_roles_decide_documents(self):
        """An accountant contact gets invoices, not deliveries; a storekeeper deliveries, not
        invoices (pages and record rules alike)."""
        self._login(self.portal_accountant)
        self.assertEqual(self._get("/my/deliveries").status_code, 403)
        self.assertEqual(self._get(f"/my/deliveries/{self.picking_a.id}").status_code, 404)
        self.assertIn(self.invoice_a.name, self._get("/my/invoices").text)
        Move = self.env["account.move"]
        Picking = self.env["stock.picking"]
        self.assertEqual(Move.with_user(self.portal_accountant).search([]), self.invoice_a)
        self.assertFalse(Picking.with_user(self.portal_accountant).search([]))
        self.assertFalse(Move.with_user(self.portal_storekeeper).search([]))
        self.assertEqual(Picking.with_user(self.portal_storekeeper).search([]), self.order_a.picking_ids)
        self._login(self.portal_storekeeper)
        self.assertEqual(self._get("/my/deliveries").status_code, 200)
        self.assertNotIn(self.invoice_a.name, self._get("/my/invoices").text)

    def test_delivery_slip_html(self):
        """The delivery slip (HTML rendering) names the delivery, its serial and tracking."""
        self._login(self.portal_buyer)
        response = self._get(f"/my/deliveries/{self.picking_a.id}/slip?report_type=html")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.picking_a.name, response.text)
        self.assertIn("SN-PORTAL-A1", response.text)
        self.assertIn("TRK-777-A", response.text)

    def test_deliveries_filters(self):
        """In progress lists the backorder, Delivered the done delivery; unknown filters list all."""
        self._login(self.portal_buyer)
        backorder = self.order_a.picking_ids - self.picking_a
        self.assertTrue(backorder)
        progress = self._get("/my/deliveries?filterby=progress").text
        self.assertIn(backorder.name, progress)
        self.assertNotIn(f">{self.picking_a.name}<", progress)
        done = self._get("/my/deliveries?filterby=done").text
        self.assertIn(f">{self.picking_a.name}<", done)
        self.assertEqual(self._get("/my/deliveries?filterby=x%27%3B--&sortby=evil").status_code, 200)

    def test_archived_contact(self):
        """An archived client user cannot log in, and its open session no longer opens pages."""
        self._login(self.portal_buyer)
        self.portal_buyer.active = False
        self.portal_buyer.partner_id.active = False
        response = self._get("/my/deliveries")
        self.assertNotEqual(response.status_code, 200)
        self.assertFalse(self.portal_buyer.with_user(self.portal_buyer).crm_portal_deliveries)
        with self.assertRaises(AccessDenied):
            self.authenticate(self.portal_buyer.login, self.portal_buyer.login + "-Pass-2026")

    def test_home_counters(self):
        """The portal home offers Deliveries to a storekeeper, not to an accountant."""
        self._login(self.portal_storekeeper)
        self.assertIn("/my/deliveries", self._get("/my").text)
        self._login(self.portal_accountant)
        self.assertNotIn("/my/deliveries", self._get("/my").text)
