from odoo import fields, models

from ..models.res_partner import COMPETITOR_READERS


class CrmLeadLostLine(models.TransientModel):
    """A line the lost dialog offers to register as unmet demand: an open quotation's line, else a
    line of the competitor's offer; registered only when ticked (#14). Only the tick is edited:
    the rest is read-only in the dialog, saved from the compute (``force_save``)."""

    _name = "crm.lead.lost.line"
    _description = "Lost Deal Line to Register"
    _order = "id"

    wizard_id = fields.Many2one("crm.lead.lost", required=True, ondelete="cascade")
    is_selected = fields.Boolean(string="Register", default=True)
    lead_id = fields.Many2one("crm.lead", string="Opportunity")
    sale_line_id = fields.Many2one("sale.order.line", string="Quotation Line")
    offer_line_id = fields.Many2one(
        "crm.competitor.offer.line", string="Offer Line", groups=COMPETITOR_READERS
    )
    product_id = fields.Many2one("product.product", string="Product")
    name = fields.Char(string="Description")
    quantity = fields.Float(digits="Product Unit of Measure")
    uom_id = fields.Many2one("uom.uom", string="Unit")
