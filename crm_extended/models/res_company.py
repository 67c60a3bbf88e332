from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    service_warranty_restarts = fields.Boolean(
        string="Replacement Restarts Warranty",
        default=True,
        help="A unit delivered as a replacement under a service case gets a full new warranty; "
        "otherwise it keeps the replaced unit's.",
    )

    def write(self, vals):
        res = super().write(vals)
        if "resource_calendar_id" in vals:
            self.env["crm.service.case"]._crm_replan_sla([("company_id", "in", self.ids)])
        return res
