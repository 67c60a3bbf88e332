from odoo import api, fields, models

from ..models.res_partner import RECEIVABLE_GROUPS


class SaleOrderOverdueConfirm(models.TransientModel):
    """Asked before confirming an order for a customer who is overdue: the
    salesperson confirms anyway (and it is logged) or goes back."""

    _name = "sale.order.overdue.confirm"
    _description = "Confirm an Order Despite Overdue Invoices"

    order_ids = fields.Many2many("sale.order", string="Orders", required=True)
    partner_id = fields.Many2one("res.partner", compute="_compute_overdue", string="Customer")
    currency_id = fields.Many2one("res.currency", compute="_compute_overdue")
    overdue_amount = fields.Monetary(compute="_compute_overdue", string="Overdue", groups=RECEIVABLE_GROUPS)
    overdue_date = fields.Date(compute="_compute_overdue", string="Oldest Due Date", groups=RECEIVABLE_GROUPS)
    overdue_summary = fields.Text(compute="_compute_overdue", string="Who Owes", groups=RECEIVABLE_GROUPS)

    @api.depends("order_ids")
    def _compute_overdue(self):
        for wizard in self:
            partner = wizard.order_ids.partner_id.commercial_partner_id.filtered("crm_overdue_amount")[:1]
            wizard.partner_id = partner
            wizard.currency_id = partner.crm_company_currency_id or self.env.company.currency_id
            wizard.overdue_amount = partner.crm_overdue_amount
            wizard.overdue_date = partner.crm_overdue_date
            wizard.overdue_summary = partner.crm_overdue_summary

    def action_confirm(self):
        self.ensure_one()
        return self.order_ids._crm_confirm_despite_overdue()
