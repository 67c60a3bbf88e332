from odoo import fields, models


class CrmTaskOccurrence(models.Model):
    """One client served by a recurring task template in one period: the
    key that keeps the job from creating a task twice (template, client,
    period start are unique; an interrupted run leaves whole statements only)."""

    _name = "crm.task.occurrence"
    _description = "Recurring Task Occurrence"
    _order = "period_start desc, id desc"

    template_id = fields.Many2one("crm.task.template", required=True, ondelete="cascade", index=True)
    client_id = fields.Many2one("res.partner", string="Client", required=True, ondelete="cascade", index=True)
    partner_id = fields.Many2one("res.partner", string="About", required=True, ondelete="cascade")
    user_id = fields.Many2one("res.users", string="Responsible", ondelete="set null")
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True, help="The first day after the period.")
    date_deadline = fields.Date(string="Due")

    _sql_constraints = [
        (
            "template_client_period_unique",
            "UNIQUE(template_id, client_id, period_start)",
            "A recurring task is created once per client and period.",
        ),
    ]
