from ast import literal_eval

from odoo import api, fields, models

PRIORITIES = [("0", "Low"), ("1", "Normal"), ("2", "High"), ("3", "Urgent")]


class CrmServiceCaseType(models.Model):
    """A kind of service case (complaint, warranty claim ...): its stages, SLA and e-mail alias."""

    _name = "crm.service.case.type"
    _inherit = ["mail.alias.mixin"]
    _description = "Service Case Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(help="A stable key for code and imports (complaint, warranty ...).")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True, help="Empty: every company.")
    is_warranty = fields.Boolean(
        string="Warranty Claim", help="Cases of this type are checked against the unit's warranty."
    )
    stage_ids = fields.One2many("crm.service.case.stage", "type_id", string="Stages")
    # SLA per priority, in working hours of the company's calendar
    response_hours_low = fields.Float(string="First Response (Low)", default=16.0)
    response_hours_normal = fields.Float(string="First Response (Normal)", default=8.0)
    response_hours_high = fields.Float(string="First Response (High)", default=4.0)
    response_hours_urgent = fields.Float(string="First Response (Urgent)", default=1.0)
    resolution_hours_low = fields.Float(string="Resolution (Low)", default=80.0)
    resolution_hours_normal = fields.Float(string="Resolution (Normal)", default=40.0)
    resolution_hours_high = fields.Float(string="Resolution (High)", default=16.0)
    resolution_hours_urgent = fields.Float(string="Resolution (Urgent)", default=8.0)
    # the stage a case moves to when a hand-off is done
    stage_return_done_id = fields.Many2one(
        "crm.service.case.stage", string="Return Received", domain="[('type_id', '=', id)]"
    )
    stage_repair_done_id = fields.Many2one(
        "crm.service.case.stage", string="Repair Done", domain="[('type_id', '=', id)]"
    )
    stage_replacement_done_id = fields.Many2one(
        "crm.service.case.stage", string="Replacement Delivered", domain="[('type_id', '=', id)]"
    )
    stage_refund_done_id = fields.Many2one(
        "crm.service.case.stage", string="Credit Note Posted", domain="[('type_id', '=', id)]"
    )
    alias_id = fields.Many2one(
        help="E-mails received at this address create cases of this type (Odoo's mail gateway)."
    )

    def write(self, vals):
        res = super().write(vals)
        if any(key.startswith(("response_hours_", "resolution_hours_")) for key in vals):
            self.env["crm.service.case"]._crm_replan_sla([("type_id", "in", self.ids)])
        return res

    def _sla_hours(self, priority):
        """(first response, resolution) hours of this type for a priority."""
        self.ensure_one()
        key = dict(PRIORITIES).get(priority or "1", "Normal").lower()
        return self[f"response_hours_{key}"], self[f"resolution_hours_{key}"]

    def _alias_get_creation_values(self):
        values = super()._alias_get_creation_values()
        values["alias_model_id"] = self.env["ir.model"]._get("crm.service.case").id
        if self.id:
            values["alias_defaults"] = defaults = literal_eval(self.alias_defaults or "{}")
            defaults["type_id"] = self.id
        return values

    @api.model
    def _default_type(self):
        return self.search([], limit=1)
