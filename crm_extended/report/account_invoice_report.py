from odoo import fields, models
from odoo.tools import SQL


class AccountInvoiceReport(models.Model):
    """Invoice analysis by where the revenue came from: the opportunity of the
    order each invoice line was made from, the campaign, source and medium."""

    _inherit = "account.invoice.report"

    opportunity_id = fields.Many2one("crm.lead", string="Opportunity", readonly=True)
    opportunity_name = fields.Char(string="Deal", readonly=True)
    campaign_id = fields.Many2one("utm.campaign", string="Campaign", readonly=True)
    source_id = fields.Many2one("utm.source", string="Source", readonly=True)
    medium_id = fields.Many2one("utm.medium", string="Medium", readonly=True)

    def _select(self) -> SQL:
        return SQL(
            "%s, deal.opportunity_id AS opportunity_id, deal.opportunity_name AS opportunity_name,"
            " move.campaign_id AS campaign_id, move.source_id AS source_id, move.medium_id AS medium_id",
            super()._select(),
        )

    def _from(self) -> SQL:
        # the first order line an invoice line was made from names its opportunity
        return SQL(
            """%s
                LEFT JOIN LATERAL (
                    SELECT so.opportunity_id, lead.name AS opportunity_name
                      FROM sale_order_line_invoice_rel rel
                      JOIN sale_order_line sol ON sol.id = rel.order_line_id
                      JOIN sale_order so ON so.id = sol.order_id
                      JOIN crm_lead lead ON lead.id = so.opportunity_id
                     WHERE rel.invoice_line_id = line.id
                     ORDER BY so.id
                     LIMIT 1
                ) deal ON TRUE
            """,
            super()._from(),
        )
