from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    service_warranty_months = fields.Integer(
        string="Warranty (Months)",
        help="Warranty period of a delivered unit; 0: the product category's period applies.",
    )
