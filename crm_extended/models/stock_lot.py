from odoo import models

from ..services.sql_indexes import create_upper_index


class StockLot(models.Model):
    _inherit = "stock.lot"

    def init(self):
        super().init()
        # the delivery desk finds deliveries by serial number
        create_upper_index(self.env.cr, self._table, "name")
