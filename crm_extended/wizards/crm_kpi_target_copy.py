from dateutil.relativedelta import relativedelta

from odoo import fields, models
from odoo.exceptions import UserError


class CrmKpiTargetCopy(models.TransientModel):
    """Next month's plan from a month's: every target copied, grown by a percentage."""

    _name = "crm.kpi.target.copy"
    _description = "Copy KPI Targets"

    month_from = fields.Date(
        string="From Month",
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1) - relativedelta(months=1),
    )
    month_to = fields.Date(
        string="To Month", required=True, default=lambda self: fields.Date.context_today(self).replace(day=1)
    )
    growth_percent = fields.Float(string="Growth (%)", help="10 makes every target 10% higher; -5, 5% lower.")

    def action_copy(self):
        self.ensure_one()
        created, updated = self.env["crm.kpi.target"]._crm_copy_month(
            self.month_from, self.month_to, self.growth_percent
        )
        if not created and not updated:
            raise UserError(
                self.env._(
                    "There is no target in %(month)s to copy.", month=self.month_from.strftime("%m/%Y")
                )
            )
        return {"type": "ir.actions.act_window_close"}
