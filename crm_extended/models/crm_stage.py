from odoo import models


class CrmStage(models.Model):
    _inherit = "crm.stage"

    def write(self, vals):
        result = super().write(vals)
        if "is_won" in vals:  # which deals are won changes everywhere (#12)
            self.env["crm.lead"]._crm_refresh_client_facts()
        return result
