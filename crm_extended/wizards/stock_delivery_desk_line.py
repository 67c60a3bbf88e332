from odoo import fields, models


class StockDeliveryDeskLine(models.TransientModel):
    """One order line as the delivery desk shows it: quantities, no prices."""

    _name = "stock.delivery.desk.line"
    _description = "Delivery Desk Order Line"

    desk_id = fields.Many2one("stock.delivery.desk", required=True, ondelete="cascade")
    order_name = fields.Char(string="Order", readonly=True)
    product_name = fields.Char(string="Product", readonly=True)
    product_uom_name = fields.Char(string="Unit", readonly=True)
    qty_ordered = fields.Float(string="Ordered", digits="Product Unit of Measure", readonly=True)
    qty_delivered = fields.Float(string="Delivered", digits="Product Unit of Measure", readonly=True)
    qty_to_deliver = fields.Float(string="To Deliver", digits="Product Unit of Measure", readonly=True)
