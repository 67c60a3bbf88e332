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
    def _get_picking_ids(self, query):
        """Ids of the outgoing pickings a caller's words point at.

        Exact keys first, each one indexed lookup: delivery reference or source
        document, order number, invoice number, phone (any format), serial/lot
        number. Only when none of them matches, a partial search on references
        and customer names. Extension hook.
        """
        text = (query or "").strip()
        if len(text) < 2:
            return []
        # sudo: only ids cross this method; the final search applies the user's rules
        Picking = self.env["stock.picking"].sudo()
        outgoing = [("picking_type_code", "=", "outgoing")]
        ids = set(Picking._search(outgoing + ["|", ("name", "=ilike", text), ("origin", "=ilike", text)]))
        order_ids = set(self.env["sale.order"].sudo()._search([("name", "=ilike", text)]))
        invoices = (
            self.env["account.move"]
            .sudo()
            .search_fetch(
                [("name", "=ilike", text), ("move_type", "in", ("out_invoice", "out_refund"))],
                ["invoice_line_ids"],
                limit=10,
            )
        )
        order_ids |= set(invoices.invoice_line_ids.sale_line_ids.order_id.ids)
        if order_ids:
            ids |= set(Picking._search(outgoing + [("sale_id", "in", list(order_ids))]))
        lookup = self.env["res.partner"].sudo().crm_lookup_phone(text)
        if lookup["partners"]:
            partners = lookup["partners"] | lookup["companies"]
            ids |= set(Picking._search(outgoing + [("partner_id", "child_of", partners.ids)]))
        lot_ids = list(self.env["stock.lot"].sudo()._search([("name", "=ilike", text)]))
        if lot_ids:
            lines = (
                self.env["stock.move.line"].sudo().search_fetch([("lot_id", "in", lot_ids)], ["picking_id"])
            )
            ids |= set(Picking._search(outgoing + [("id", "in", lines.picking_id.ids)]))
        if not ids and len(text) >= 3:
            customers = self.env["res.partner"].sudo()._search([("name", "ilike", text)], limit=50)
            ids |= set(
                Picking._search(
                    outgoing
                    + [
                        "|",
                        "|",
                        ("name", "ilike", text),
                        ("origin", "ilike", text),
                        ("partner_id", "child_of", list(customers)),
                    ],
                    limit=80,
                )
            )
        return list(ids)

    def _find_pickings(self, query):
        ids = self._get_picking_ids(query)
        if not ids:
            return self.env["stock.picking"]
        return self.env["stock.picking"].search(
            [("id", "in", ids)], limit=80, order="scheduled_date desc, id desc"
        )

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
