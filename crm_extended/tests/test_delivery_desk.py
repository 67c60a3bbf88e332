import json

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .common import CrmExtendedCase, captured_queries


@tagged("post_install", "-at_install")
class TestDeliveryDesk(CrmExtendedCase):
    """Warehouse staff find a delivery from whatever the caller gives."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": cls.entity_a.id,
                "order_line": [fields.Command.create({"product_id": cls.product.id, "product_uom_qty": 5})],
            }
        )
        cls.order.action_confirm()
        cls.picking = cls.order.picking_ids
        cls.other_order = cls.env["sale.order"].create(
            {
                "partner_id": cls.entity_b.id,
                "order_line": [fields.Command.create({"product_id": cls.product.id, "product_uom_qty": 1})],
            }
        )
        cls.other_order.action_confirm()

    def _desk(self, query):
        with Form(self.env["stock.delivery.desk"].with_user(self.user_stock)) as form:
            form.query = query
            return form.save()

    def test_by_order_number(self):
        """The order number finds its delivery and nothing else."""
        desk = self._desk(self.order.name)
        self.assertEqual(desk.picking_ids, self.picking)

    def test_by_phone_in_another_format(self):
        """The phone of any contact of the customer, in any format, finds the customer's deliveries."""
        desk = self._desk("0079137004567")  # the buyer's mobile, stored as +7 913 700-45-67
        self.assertEqual(desk.picking_ids, self.picking)

    def test_by_invoice_number(self):
        """The number of an invoice made from the order finds the order's delivery."""
        self.product.invoice_policy = "order"
        invoice = self.order._create_invoices()
        invoice.action_post()
        desk = self._desk(invoice.name)
        self.assertEqual(desk.picking_ids, self.picking)

    def test_by_serial_number(self):
        """A serial/lot number delivered to the customer finds its delivery."""
        product = self.env["product.product"].create(
            {"name": "Tracked Drill", "type": "consu", "is_storable": True, "tracking": "serial"}
        )
        lot = self.env["stock.lot"].create({"name": "SN-DESK-0042", "product_id": product.id})
        location = self.picking.location_id
        self.env["stock.quant"]._update_available_quantity(product, location, 1, lot_id=lot)
        order = self.env["sale.order"].create(
            {
                "partner_id": self.entity_b.id,
                "order_line": [fields.Command.create({"product_id": product.id, "product_uom_qty": 1})],
            }
        )
        order.action_confirm()
        order.picking_ids.action_assign()
        self.assertEqual(order.picking_ids.move_line_ids.lot_id, lot)
        desk = self._desk("SN-DESK-0042")
        self.assertEqual(desk.picking_ids, order.picking_ids)

    def test_by_customer_name(self):
        """Part of the customer's name finds its deliveries."""
        desk = self._desk("Alpha Logistics")
        self.assertEqual(desk.picking_ids, self.other_order.picking_ids)

    def test_by_delivery_reference(self):
        """The delivery's own reference finds it."""
        desk = self._desk(self.picking.name)
        self.assertEqual(desk.picking_ids, self.picking)

    def test_order_lines_without_prices(self):
        """Per order line: ordered, delivered, to deliver; no price or amount on the desk."""
        desk = self._desk(self.order.name)
        self.assertEqual(len(desk.line_ids), 1)
        line = desk.line_ids
        self.assertEqual((line.qty_ordered, line.qty_delivered, line.qty_to_deliver), (5.0, 0.0, 5.0))
        exposed = set(self.env["stock.delivery.desk.line"]._fields) | set(
            self.env["stock.delivery.desk"]._fields
        )
        self.assertFalse({"price_unit", "price_subtotal", "amount_total", "expected_revenue"} & exposed)

    def test_stock_user_reads_no_crm_data(self):
        """The warehouse user behind the desk still cannot read leads or competitor prices."""
        with self.assertRaises(AccessError):
            self.env["crm.lead"].with_user(self.user_stock).search([])
        with self.assertRaises(AccessError):
            self.env["crm.competitor.price"].with_user(self.user_stock).search([])

    def test_too_short_query_finds_nothing(self):
        """A one-character query finds nothing rather than every delivery."""
        self.assertFalse(self._desk("A").picking_ids)

    def test_other_company_delivery_hidden(self):
        """A delivery of a company the warehouse user does not work for is not shown,
        though the caller's phone matches its customer."""
        other_company = self.env["res.company"].create({"name": "Desk Other Co"})
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", other_company.id)], limit=1)
        foreign = self.env["stock.picking"].create(
            {
                "partner_id": self.entity_a.id,
                "picking_type_id": warehouse.out_type_id.id,
                "company_id": other_company.id,
            }
        )
        self.assertEqual(self._desk("0079137004567").picking_ids, self.picking)
        admin = self.env.ref("base.user_admin")
        admin.company_ids |= other_company
        desk = (
            self.env["stock.delivery.desk"]
            .with_user(admin)
            .with_context(allowed_company_ids=[self.company.id, other_company.id])
        )
        self.assertEqual(desk._find_pickings("0079137004567"), self.picking | foreign)

    def test_lookup_is_one_query_once_compiled(self):
        """Once the user's rules are compiled, finding deliveries on an empty cache is one query."""
        Desk = self.env["stock.delivery.desk"].with_user(self.user_stock)
        name = self.order.name
        Desk._find_pickings(name)
        self.env.invalidate_all()
        with captured_queries() as queries:
            found = Desk._find_pickings(name)
        self.assertEqual(len(queries), 1, queries)
        self.assertEqual(found, self.picking)

    def test_partial_search_applies_the_rules_inside(self):
        """The partial search applies the user's rules inside the search: another company's
        deliveries, however many, never fill the limit and hide the user's own."""
        other_company = self.env["res.company"].create({"name": "Desk Crowded Co"})
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", other_company.id)], limit=1)
        crowd = self.env["res.partner"].create({"name": "Zephyr Crowd Ltd", "is_company": True})
        self.env["stock.picking"].create(
            [
                {
                    "partner_id": crowd.id,
                    "picking_type_id": warehouse.out_type_id.id,
                    "company_id": other_company.id,
                }
                for _index in range(85)
            ]
        )
        ours = self.env["sale.order"].create(
            {
                "partner_id": self.env["res.partner"]
                .create({"name": "Zephyr Home LLC", "is_company": True})
                .id,
                "order_line": [fields.Command.create({"product_id": self.product.id, "product_uom_qty": 1})],
            }
        )
        ours.action_confirm()
        desk = self.env["stock.delivery.desk"].with_user(self.user_stock)
        self.assertEqual(desk._find_pickings("Zephyr"), ours.picking_ids)

    def test_results_only_for_desk_users(self):
        """A salesperson or a portal user cannot reach the results, not even through an onchange over RPC."""
        for user in (self.user_salesman, self.user_portal):
            Desk = self.env["stock.delivery.desk"].with_user(user)
            with self.assertRaises(AccessError, msg=user.login):
                Desk.onchange(
                    {"query": self.order.name}, ["query"], {"query": {}, "picking_ids": {}, "line_ids": {}}
                )

    def test_number_read_in_the_clients_countries(self):
        """With the company outside Russia, a Russian client's number as its card shows it finds
        the client's deliveries, and the desk says how it was read."""
        self.entity_a.phone = "8 (383) 211-22-33"
        self.company.partner_id.country_id = self.env.ref("base.us")
        self.env.registry.clear_cache()
        desk = self._desk("8 (383) 211-22-33")
        self.assertEqual(desk.picking_ids, self.picking)
        self.assertIn("+73832112233", desk.match_note)
        self.assertIn(self.country_ru.name, desk.match_note)

    def test_named_as_a_desk_not_a_new_record(self):
        """The desk's name is "Delivery Desk", never "New" (the breadcrumb shows it)."""
        self.assertEqual(
            self.env["stock.delivery.desk"].with_user(self.user_stock).new({}).display_name, "Delivery Desk"
        )

    def test_rpc_answer_is_the_desks(self):
        """Over RPC, crm_find_deliveries gives a warehouse user the deliveries the desk finds,
        as plain values (JSON), with the desk's note on how a phone was read."""
        Desk = self.env["stock.delivery.desk"].with_user(self.user_stock)
        for query in (self.order.name, "0079137004567", "Alpha Logistics", "no such thing"):
            answer = json.loads(json.dumps(Desk.crm_find_deliveries(query)))
            pickings = Desk._find_pickings(query)
            self.assertEqual([delivery["id"] for delivery in answer["deliveries"]], pickings.ids, query)
            self.assertEqual(answer["note"], Desk._describe_phone_match(query, pickings) or False, query)
        answer = Desk.crm_find_deliveries(self.order.name)
        self.assertEqual(answer["deliveries"][0]["name"], self.picking.name)
        self.assertEqual(answer["lines"], Desk._prepare_line_vals(self.picking))

    def test_rpc_answer_only_for_desk_users(self):
        """A salesperson or a portal user is refused the desk over RPC."""
        for user in (self.user_salesman, self.user_portal):
            with self.assertRaises(AccessError, msg=user.login):
                self.env["stock.delivery.desk"].with_user(user).crm_find_deliveries(self.order.name)

    def test_rpc_entry_points_are_read_only(self):
        """The caller identification and the desk's RPC method carry Odoo's read-only flag
        (/web/dataset/call_kw then takes a replica cursor) and run, from an empty cache,
        in a read-only transaction: they write nothing."""
        Partner = self.env["res.partner"].with_user(self.user_salesman)
        Desk = self.env["stock.delivery.desk"].with_user(self.user_stock)
        for method in (type(Partner).crm_identify_caller, type(Desk).crm_find_deliveries):
            self.assertTrue(getattr(method, "_readonly", False), method.__name__)
        self.env.flush_all()
        self.env.registry.clear_cache()
        self.env.cr.execute("SAVEPOINT crm_read_only")
        self.env.cr.execute("SET TRANSACTION READ ONLY")
        try:
            caller = Partner.crm_identify_caller("0079137004567")
            desk = Desk.crm_find_deliveries("0079137004567")
        finally:
            self.env.cr.execute("ROLLBACK TO SAVEPOINT crm_read_only")
            self.env.cr.execute("RELEASE SAVEPOINT crm_read_only")
        self.assertTrue(caller["partners"])
        self.assertEqual([delivery["id"] for delivery in desk["deliveries"]], self.picking.ids)
