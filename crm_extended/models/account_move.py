from odoo import api, fields, models

from ..services.sql_indexes import create_upper_index


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "crm.amount.words.mixin"]

    # account's field, computed here in the partner's language with declined currency names
    amount_total_words = fields.Char(
        string="Total in Words",
        help="The total written out in the customer's language, as printed on the invoice.",
    )

    crm_opportunity_id = fields.Many2one(
        "crm.lead",
        string="Opportunity",
        compute="_compute_crm_opportunity",
        store=True,
        index="btree_not_null",
        help="The opportunity of the sales order this invoice was made from.",
    )
    crm_opportunity_name = fields.Char(
        string="Deal",
        compute="_compute_crm_opportunity",
        store=True,
        help="Name of the opportunity this invoice came from, readable without CRM rights.",
    )

    def init(self):
        super().init()
        create_upper_index(self.env.cr, self._table, "name")

    @api.depends("invoice_line_ids.sale_line_ids.order_id.opportunity_id")
    def _compute_crm_opportunity(self):
        for move in self:
            # sudo: accountants compute it without CRM rights; only the name is kept readable
            lead = move.sudo().invoice_line_ids.sale_line_ids.order_id.opportunity_id[:1]
            move.crm_opportunity_id = lead.id
            move.crm_opportunity_name = lead.name

    @api.depends("amount_total", "currency_id", "partner_id.lang", "move_type")
    @api.depends_context("lang")
    def _compute_amount_total_words(self):
        self._crm_set_amount_total_words(applies=lambda move: move.is_invoice(include_receipts=True))
