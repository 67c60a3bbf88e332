from odoo import fields, models


class ProductCategory(models.Model):
    _inherit = "product.category"

    service_warranty_months = fields.Integer(
        string="Warranty (Months)",
        help="Warranty period of the category's products that set none; 0: the parent category's.",
    )

    def _service_warranty_months(self):
        """The category's period, else the nearest parent's that sets one."""
        category = self
        while category:
            if category.service_warranty_months:
                return category.service_warranty_months
            category = category.parent_id
        return 0
