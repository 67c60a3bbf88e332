from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    service_warranty_restarts = fields.Boolean(
        string="Replacement Restarts Warranty",
        default=True,
        help="A unit delivered as a replacement under a service case gets a full new warranty; "
        "otherwise it keeps the replaced unit's.",
    )
