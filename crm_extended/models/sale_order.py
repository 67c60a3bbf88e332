from odoo import api, fields, models

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

    def action_confirm(self):
        """From the order form (context ``crm_check_overdue``), ask before
        confirming for a customer with overdue invoices; programmatic
        confirmations are not interrupted."""
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
                    "target": "new",
                    "context": {"default_order_ids": self.ids},
                }
        return super().action_confirm()

    def _crm_confirm_despite_overdue(self):
        """Confirm, and log on each order who did so despite the overdue invoices."""
        for order in self:
            partner = order.partner_id.commercial_partner_id
            order.message_post(
                body=self.env._(
                    "Confirmed by %(user)s despite %(amount)s overdue since %(date)s.",
                    user=self.env.user.name,
                    amount=partner.crm_company_currency_id.format(partner.crm_overdue_amount),
                    date=partner.crm_overdue_date,
                ),
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
        return self.with_context(crm_overdue_confirmed=True).action_confirm()
