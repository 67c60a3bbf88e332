from odoo import models

# what the planning of working hours reads: a change to one of them moves deadlines
PLANNING_FIELDS = {
    "attendance_ids",
    "global_leave_ids",
    "leave_ids",
    "tz",
    "flexible_hours",
    "two_weeks_calendar",
}


class ResourceCalendar(models.Model):
    _inherit = "resource.calendar"

    def write(self, vals):
        res = super().write(vals)
        if PLANNING_FIELDS.intersection(vals):
            self._crm_calendar_changed()
        return res

    def _crm_calendar_changed(self):
        """Working hours or holidays of these calendars changed: plan again
        the deadlines counted on them."""
        self.env["crm.service.case"]._crm_replan_sla([("company_id.resource_calendar_id", "in", self.ids)])
