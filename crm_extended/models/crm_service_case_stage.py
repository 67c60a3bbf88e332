from odoo import fields, models


class CrmServiceCaseStage(models.Model):
    """A step of a case type's process; closed stages end the case (and fold in the kanban)."""

    _name = "crm.service.case.stage"
    _description = "Service Case Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    type_id = fields.Many2one(
        "crm.service.case.type", string="Case Type", required=True, ondelete="cascade", index=True
    )
    is_closed = fields.Boolean(
        string="Closed", help="A case in this stage is resolved or cancelled: its SLA stops."
    )
    fold = fields.Boolean(string="Folded in Kanban")
    waiting_on = fields.Selection(
        [("return", "Return"), ("replacement", "Replacement")],
        help="Cases in this stage wait on the warehouse, which sees them.",
    )
