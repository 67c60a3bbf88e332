from odoo import fields, models


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    # the delivery desk finds deliveries by serial number: lot -> move lines
    lot_id = fields.Many2one(index="btree_not_null")
