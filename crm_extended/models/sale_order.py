from odoo import Command, api, fields, models
from odoo.tools import plaintext2html

from ..services.sql_indexes import SUFFIX, create_covering_index, create_upper_index


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "crm.amount.words.mixin"]

    # deals find their orders by it (sale_crm does not index it)
    opportunity_id = fields.Many2one(index="btree_not_null")
    amount_total_words = fields.Char(
        string="Total in Words",
        compute="_compute_amount_total_words",
        help="The total written out in the customer's language, as printed on the quotation and the order.",
    )

    def init(self):
        super().init()
        create_upper_index(self.env.cr, self._table, "name")
        # the portal's orders page (controllers/portal.py): a client's confirmed orders counted per
        # delivery status, and those outside its entities found, in this index alone
        create_covering_index(
            self.env.cr,
            f"sale_order_portal_{SUFFIX}",
            self._table,
            ["partner_id"],
            ["company_id", "delivery_status", "id"],
            "state = 'sale'",
        )

    @api.depends("amount_total", "currency_id", "partner_id.lang")
    @api.depends_context("lang")
    def _compute_amount_total_words(self):
        self._crm_set_amount_total_words()

    def _action_cancel(self):
        """A quotation cancelled while a product lacked stock leaves that line in the
        unmet-demand register (#14)."""
        short_lines = self._get_lines_short_of_stock()
        result = super()._action_cancel()
        if short_lines:
            Demand = self.env["crm.unsatisfied.demand"]
            vals_list = Demand._prepare_from_lines(
                short_lines, origin="cancelled_line", reason="out_of_stock"
            )
            # sudo: the register records what a cancelled quotation lacked, whoever cancels it
            # (an administrator, a colleague of the salesperson the demand is written for).
            Demand.sudo().create(vals_list)
        return result

    def unlink(self):
        """A quotation deleted without being cancelled first, while a product lacked stock,
        leaves those lines in the unmet-demand register as a cancelled one does; the register
        names the deleted quotation in its note (#14)."""
        Demand = self.env["crm.unsatisfied.demand"]
        short_lines = self._get_lines_short_of_stock()
        vals_list = []
        for order in short_lines.order_id:
            vals_list += Demand._prepare_from_lines(
                short_lines.filtered(lambda line, order=order: line.order_id == order),
                origin="deleted_quotation",
                reason="out_of_stock",
                sale_line_id=False,
                order_id=False,
                note=self.env._("Quotation %(name)s was deleted.", name=order.name),
            )
        # sudo: the register's rows of these quotations (a cancelled one registered its lines)
        # lose their links before the delete, as the foreign keys would set them: PostgreSQL
        # checks a row written in the same transaction against both keys at once and refused it
        registered = Demand.sudo().search(
            ["|", ("order_id", "in", self.ids), ("sale_line_id", "in", self.order_line.ids)]
        )
        registered.write({"order_id": False, "sale_line_id": False})
        result = super().unlink()
        if vals_list:
            # sudo: the register records what a deleted quotation lacked, whoever deletes it
            Demand.sudo().create(vals_list)
        return result

    def _get_lines_short_of_stock(self):
        """Lines of these quotations (not orders) whose storable product lacks the free
        quantity in the order's warehouse."""
        return self.order_line._crm_short_of_stock()

    def action_confirm(self):
        """From the order form (context ``crm_check_overdue``), ask before
        confirming for a customer (or an entity of its holding) with overdue
        invoices; programmatic confirmations are not interrupted."""
        if self.env.context.get("crm_check_overdue") and not self.env.context.get("crm_overdue_confirmed"):
            overdue = self.filtered(
                lambda order: order.partner_id.commercial_partner_id.crm_overdue_amount > 0
            )
            if overdue:
                return {
                    "type": "ir.actions.act_window",
                    "name": self.env._("Overdue Invoices"),
                    "res_model": "sale.order.overdue.confirm",
                    "view_mode": "form",
                    "views": [(False, "form")],
                    "target": "new",
                    "context": {"default_order_ids": [Command.set(self.ids)]},
                }
        result = super().action_confirm()
        self.filtered(lambda order: order.state == "sale")._crm_notify_confirmed()
        return result

    def _crm_notify_confirmed(self):
        """Tell the client's contacts the order is confirmed (portal notifications, #18)."""
        for order in self:
            self.env["res.partner"]._crm_notify(
                order,
                "order_confirmed",
                order.partner_id.commercial_partner_id,
                lambda partner, order=order: partner.env._(
                    "Your order %(order)s (%(amount)s) is confirmed. Follow it: %(url)s",
                    order=order.name,
                    amount=order.currency_id.format(order.amount_total),
                    url=order.get_base_url() + order.get_portal_url(),
                ),
            )

    def _crm_confirm_despite_overdue(self):
        """Confirm, and log on each order who did so despite the overdue
        invoices, and who owes what (a log line: it never needs the user's
        e-mail address)."""
        self._message_log_batch(
            {
                order.id: plaintext2html(
                    self.env._(
                        "Confirmed by %(user)s despite overdue invoices:\n%(summary)s",
                        user=self.env.user.name,
                        summary=order.partner_id.commercial_partner_id.crm_overdue_summary or "",
                    )
                )
                for order in self
            }
        )
        return self.with_context(crm_overdue_confirmed=True).action_confirm()

    # ------------------------------------------------------------------ portal

    def _crm_portal_shows(self, document):
        """Whether the person looking at this order in the portal sees ``document``
        (services/portal_scope): employees and a visitor with the order's link see all,
        a portal contact what its roles open."""
        user = self.env.user
        return not user.share or user._is_public() or user._crm_portal_sees(document)

    def _crm_portal_deliveries(self):
        """The order's deliveries and returns the client follows, newest first."""
        self.ensure_one()
        return self.picking_ids.filtered(
            lambda p: p.picking_type_code in ("outgoing", "incoming") and p.state != "draft"
        ).sorted(lambda p: (p.date_done or p.scheduled_date, p.id), reverse=True)

    def _crm_portal_status(self):
        """The order's real state for the client: per line ordered, delivered, to deliver and
        invoiced; invoiced and paid amounts (taxes included, in the order's currency); the next
        expected delivery date."""
        self.ensure_one()
        lines = []
        for line in self.order_line.filtered(lambda ln: not ln.display_type and not ln.is_downpayment):
            lines.append(
                {
                    "line": line,
                    "ordered": line.product_uom_qty,
                    "delivered": line.qty_delivered,
                    "to_deliver": max(line.product_uom_qty - line.qty_delivered, 0.0),
                    "invoiced": line.qty_invoiced,
                    "uom": line.product_uom.name,
                }
            )
        invoices = self.invoice_ids.filtered(lambda m: m.state == "posted")
        sign = {"out_invoice": 1, "out_refund": -1}
        invoiced = sum(sign.get(m.move_type, 0) * m.amount_total for m in invoices)
        due = sum(sign.get(m.move_type, 0) * m.amount_residual for m in invoices)
        pending = self._crm_portal_deliveries().filtered(
            lambda p: p._crm_portal_kind() == "delivery" and p.state not in ("done", "cancel")
        )
        dates = [d for d in pending.mapped("scheduled_date") if d]
        return {
            "lines": lines,
            "invoiced": invoiced,
            "paid": invoiced - due,
            "due": due,
            "next_delivery": min(dates) if dates else False,
            "fully_delivered": all(
                not values["to_deliver"] for values in lines if values["line"].product_id.type != "service"
            ),
        }
