from odoo import fields, models


class CrmServiceCause(models.Model):
    """Why a case happened (defect, transport damage, misuse ...), for the analysis."""

    _name = "crm.service.cause"
    _description = "Service Case Cause"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    is_warranty = fields.Boolean(string="Covered by Warranty", default=True)
