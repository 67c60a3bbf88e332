from odoo import fields, models

from ..services.sql_indexes import create_upper_index


class StockPicking(models.Model):
    _inherit = "stock.picking"

    # a service case's hand-off: the return of the unit or its replacement
    service_case_id = fields.Many2one(
        "crm.service.case", string="Service Case", index="btree_not_null", copy=False, ondelete="set null"
    )
    service_role = fields.Selection(
        [("return", "Return"), ("replacement", "Replacement")], string="Service Hand-Off", copy=False
    )

    def init(self):
        super().init()
        # the delivery desk matches references as people read them out
        create_upper_index(self.env.cr, self._table, "name")
        create_upper_index(self.env.cr, self._table, "origin")

    def _action_done(self):
        res = super()._action_done()
        for role in ("return", "replacement"):
            done = self.filtered(lambda p, role=role: p.service_role == role and p.state == "done")
            done.service_case_id._on_handoff_done(role)
        return res
