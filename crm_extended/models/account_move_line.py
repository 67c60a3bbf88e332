from odoo import fields, models

from ..services.sql_indexes import SUFFIX, create_covering_index
from .crm_campaign_cost import COST_GROUPS


class AccountMoveLine(models.Model):
    """A vendor bill line can be a campaign's cost: once the bill is posted,
    the campaign gets a cost line that follows it (``crm.campaign.cost``),
    removed again when the bill goes back to draft or is cancelled."""

    _inherit = "account.move.line"

    crm_campaign_id = fields.Many2one(
        "utm.campaign",
        string="Campaign",
        index="btree_not_null",
        groups=COST_GROUPS,
        help="The marketing campaign this purchase was for: the posted line becomes the campaign's cost.",
    )
    crm_medium_id = fields.Many2one("utm.medium", string="Campaign Medium", groups=COST_GROUPS)
    crm_source_id = fields.Many2one("utm.source", string="Campaign Source", groups=COST_GROUPS)

    def init(self):
        super().init()
        # the KPI board: a month's posted product lines (its revenue and margin) by their invoice
        # date, and the receivable lines its payments settled, read in these indexes alone
        create_covering_index(
            self.env.cr,
            f"account_move_line_kpi_product_{SUFFIX}",
            self._table,
            ["invoice_date"],
            ["move_id", "id", "balance", "quantity", "product_id", "product_uom_id"],
            "display_type = 'product' AND parent_state = 'posted'",
        )
        create_covering_index(
            self.env.cr,
            f"account_move_line_kpi_receivable_{SUFFIX}",
            self._table,
            ["id"],
            ["move_id"],
            "display_type = 'payment_term'",
        )

    def write(self, vals):
        result = super().write(vals)
        if {"crm_campaign_id", "crm_medium_id", "crm_source_id"} & set(vals):
            self.move_id._crm_sync_campaign_costs()
        return result
