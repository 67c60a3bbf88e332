from odoo import api, models


class ResourceCalendarLeaves(models.Model):
    _inherit = "resource.calendar.leaves"

    @api.model_create_multi
    def create(self, vals_list):
        leaves = super().create(vals_list)
        leaves._crm_company_wide_calendars()._crm_calendar_changed()
        return leaves

    def write(self, vals):
        before = self._crm_company_wide_calendars()  # the calendars they were days off of
        res = super().write(vals)
        (before | self._crm_company_wide_calendars())._crm_calendar_changed()
        return res

    def unlink(self):
        calendars = self._crm_company_wide_calendars()
        res = super().unlink()
        calendars._crm_calendar_changed()
        return res

    def _crm_company_wide_calendars(self):
        """The calendars whose working time these days off change: a
        company-wide day off (not one person's) belongs to its calendar, one
        without a calendar to every calendar."""
        company_wide = self.filtered(lambda leave: not leave.resource_id)
        if any(not leave.calendar_id for leave in company_wide):
            # sudo: a day off for every calendar concerns calendars of every company
            return self.env["resource.calendar"].sudo().with_context(active_test=False).search([])
        return company_wide.calendar_id
