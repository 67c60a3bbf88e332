from odoo import fields, models


class RepairOrder(models.Model):
    _inherit = "repair.order"

    service_case_id = fields.Many2one(
        "crm.service.case", string="Service Case", index="btree_not_null", copy=False, ondelete="set null"
    )

    def action_repair_done(self):
        res = super().action_repair_done()
        self.filtered(lambda r: r.state == "done").service_case_id._on_handoff_done("repair")
        return res
