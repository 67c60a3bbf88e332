from odoo import models


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    def session_info(self):
        """Tell the web client whether the user can dial through a PBX (the
        phone fields then offer it beside Odoo's tel: link)."""
        info = super().session_info()
        if self.env.user._is_internal():
            info["crm_extended_click_to_dial"] = bool(self.env["res.users"]._crm_click_to_dial_connection())
        return info
