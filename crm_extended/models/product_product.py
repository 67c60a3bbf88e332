from odoo import fields, models


class ProductProduct(models.Model):
    _inherit = "product.product"

    competitor_product_ids = fields.One2many(
        "crm.competitor.product",
        "product_id",
        string="At Competitors",
        groups="crm_extended.group_crm_extended_competitor",
        help="How competitors name and sell this product (#14).",
    )
    competitor_price_ids = fields.One2many(
        "crm.competitor.price",
        "product_id",
        string="Competitor Prices",
        groups="crm_extended.group_crm_extended_competitor",
    )
