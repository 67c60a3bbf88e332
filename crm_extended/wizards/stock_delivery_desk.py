from odoo import api, fields, models


class StockDeliveryDesk(models.TransientModel):
    """ "Where is my delivery?": what a caller gives in, the deliveries out.

    Read-only for the warehouse: it shows deliveries, their state and dates,
    and per order line what is delivered and what is still to deliver, never
    prices, expected revenue or anything CRM-only.
    """

    _name = "stock.delivery.desk"
    _description = "Delivery Desk"

    query = fields.Char(
        string="Search",
        help="Order or invoice number, customer name, phone in any format, "
        "delivery reference or serial/lot number.",
    )
    picking_ids = fields.Many2many(
        "stock.picking",
        compute="_compute_results",
        string="Deliveries",
    )
    line_ids = fields.One2many(
        "stock.delivery.desk.line",
        "desk_id",
        compute="_compute_results",
        string="Order Lines",
    )
    result_count = fields.Integer(compute="_compute_results")

    @api.depends("query")
    def _compute_results(self):
        for desk in self:
            pickings = desk._find_pickings(desk.query)
            desk.picking_ids = pickings
            desk.result_count = len(pickings)
            desk.line_ids = [fields.Command.clear()] + [
                fields.Command.create(vals) for vals in desk._prepare_line_vals(pickings)
            ]

    @api.model
    def _get_picking_domain(self, query):
        """Outgoing pickings a caller's words can point at; extension hook."""
        text = (query or "").strip()
        if len(text) < 2:
            return None
        # sudo: only ids cross this line; invoices, lots and phone keys stay unread
        orders = self.env["sale.order"].sudo()
        order_ids = set(orders._search([("name", "=ilike", text)]))
        invoices = (
            self.env["account.move"]
            .sudo()
            .search_fetch(
                [("name", "=ilike", text), ("move_type", "in", ("out_invoice", "out_refund"))],
                ["invoice_line_ids"],
            )
        )
        order_ids |= set(invoices.invoice_line_ids.sale_line_ids.order_id.ids)
        lookup = self.env["res.partner"].sudo().crm_lookup_phone(text)
        partner_ids = set(lookup["companies"].ids) | set(lookup["partners"].ids)
        lots = self.env["stock.lot"].sudo()._search([("name", "=ilike", text)])
        domain = [
            "|",
            "|",
            "|",
            "|",
            "|",
            ("name", "ilike", text),
            ("origin", "ilike", text),
            ("sale_id", "in", list(order_ids)),
            ("partner_id", "child_of", list(partner_ids)),
            ("partner_id.commercial_partner_id.name", "ilike", text),
            ("move_line_ids.lot_id", "in", lots),
        ]
        if "carrier_tracking_ref" in self.env["stock.picking"]._fields:
            domain = ["|", ("carrier_tracking_ref", "=ilike", text)] + domain
        return ["&", ("picking_type_code", "=", "outgoing")] + domain

    def _find_pickings(self, query):
        domain = self._get_picking_domain(query)
        if domain is None:
            return self.env["stock.picking"]
        return self.env["stock.picking"].search(domain, limit=80, order="scheduled_date desc, id desc")

    def _prepare_line_vals(self, pickings):
        """What is ordered, delivered and still to deliver, per order line."""
        # sudo: quantities and product names only; no price field is read
        lines = pickings.sudo().sale_id.order_line.filtered(
            lambda line: not line.display_type and line.product_id
        )
        return [
            {
                "order_name": line.order_id.name,
                "product_name": line.product_id.display_name,
                "product_uom_name": line.product_uom.name,
                "qty_ordered": line.product_uom_qty,
                "qty_delivered": line.qty_delivered,
                "qty_to_deliver": max(line.product_uom_qty - line.qty_delivered, 0.0),
            }
            for line in lines
        ]
