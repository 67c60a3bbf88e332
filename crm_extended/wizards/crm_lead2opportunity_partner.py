from odoo import fields, models


class CrmLead2opportunityPartner(models.TransientModel):
    """Lead conversion shows which customers already match the lead, and why."""

    _inherit = "crm.lead2opportunity.partner"

    duplicate_partner_ids = fields.Many2many(
        related="lead_id.duplicate_partner_ids", string="Matching Customers"
    )
    duplicate_warning = fields.Char(related="lead_id.duplicate_warning")
