from odoo import fields, models
from odoo.tools import SQL


class AccountInvoiceReport(models.Model):
    """Invoice analysis by where the revenue came from: the deal of the
    invoice (the opportunity of the orders it was made from), the campaign,
    source and medium."""

    _inherit = "account.invoice.report"
    _depends = {
        "account.move": [
            "crm_opportunity_id",
            "crm_opportunity_name",
            "campaign_id",
            "source_id",
            "medium_id",
        ],
    }

    opportunity_id = fields.Many2one(
        "crm.lead", string="Opportunity", readonly=True, groups="sales_team.group_sale_salesman"
    )
    opportunity_name = fields.Char(string="Deal", readonly=True)
    campaign_id = fields.Many2one("utm.campaign", string="Campaign", readonly=True)
    source_id = fields.Many2one("utm.source", string="Source", readonly=True)
    medium_id = fields.Many2one("utm.medium", string="Medium", readonly=True)

    def _select(self) -> SQL:
        # the deal is stored on the invoice (indexed, kept up to date when
        # the opportunity or its name changes): no join is needed
        return SQL(
            "%s, move.crm_opportunity_id AS opportunity_id, move.crm_opportunity_name AS opportunity_name,"
            " move.campaign_id AS campaign_id, move.source_id AS source_id, move.medium_id AS medium_id",
            super()._select(),
        )
