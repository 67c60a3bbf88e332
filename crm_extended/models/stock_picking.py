from odoo import models

from ..services.sql_indexes import create_upper_index


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def init(self):
        super().init()
        # the delivery desk matches references as people read them out
        create_upper_index(self.env.cr, self._table, "name")
        create_upper_index(self.env.cr, self._table, "origin")
