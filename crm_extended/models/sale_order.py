from odoo import Command, api, fields, models
from odoo.tools import plaintext2html

from ..services.sql_indexes import create_upper_index


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

    def _get_lines_short_of_stock(self):
        """Lines of these quotations (not orders) whose storable product lacks the free
        quantity in the order's warehouse."""
        short = self.env["sale.order.line"]
        for order in self.filtered(lambda order: order.state in ("draft", "sent")):
            for line in order.order_line.filtered(lambda line: line.product_id.is_storable):
                product = line.product_id.with_context(warehouse_id=order.warehouse_id.id)
                wanted = line.product_uom._compute_quantity(line.product_uom_qty, product.uom_id, round=False)
                if product.free_qty < wanted:
                    short |= line
        return short

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
        return super().action_confirm()

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
