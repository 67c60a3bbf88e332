from odoo import api, fields, models
from odoo.exceptions import ValidationError

# the overdue-invoice reminder rule's defaults: a notice the day after the due date, then a
# reminder every 7 days, two at most
OVERDUE_REMINDER_DAYS = 7
OVERDUE_REMINDERS = 2


class ResCompany(models.Model):
    _inherit = "res.company"

    service_warranty_restarts = fields.Boolean(
        string="Replacement Restarts Warranty",
        default=True,
        help="A unit delivered as a replacement under a service case gets a full new warranty; "
        "otherwise it keeps the replaced unit's.",
    )

    crm_overdue_reminder_days = fields.Integer(
        string="Overdue Reminder Interval (Days)",
        default=OVERDUE_REMINDER_DAYS,
        help="Days between two notices to the client of an overdue invoice (portal notifications).",
    )
    crm_overdue_reminders = fields.Integer(
        string="Overdue Reminders",
        default=OVERDUE_REMINDERS,
        help="Reminders sent after the first notice of an overdue invoice; 0: the first notice only.",
    )

    @api.constrains("crm_overdue_reminder_days", "crm_overdue_reminders")
    def _check_crm_overdue_reminder_rule(self):
        for company in self:
            if company.crm_overdue_reminder_days < 1 or company.crm_overdue_reminders < 0:
                raise ValidationError(
                    self.env._(
                        "Overdue invoice reminders of %(company)s: the interval is at least one day "
                        "and the number of reminders is not negative.",
                        company=company.name,
                    )
                )

    def write(self, vals):
        res = super().write(vals)
        if "resource_calendar_id" in vals:
            self.env["crm.service.case"]._crm_replan_sla([("company_id", "in", self.ids)])
        return res
