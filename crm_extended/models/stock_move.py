from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        """Goods received into stock tell the salespeople of the clients waiting for them (#14)."""
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        arrived = moves.filtered(
            lambda move: move.state == "done"
            and move.location_dest_id.usage == "internal"
            and move.location_id.usage != "internal"
        )
        if arrived:
            self.env["crm.unsatisfied.demand"]._notify_back_in_stock(arrived.product_id)
        return moves
