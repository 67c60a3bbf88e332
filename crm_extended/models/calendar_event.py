from odoo import api, fields, models


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    @api.model_create_multi
    def create(self, vals_list):
        events = super().create(vals_list)
        # a meeting logged with a lead is its first contact (response SLA)
        events.opportunity_id._crm_mark_responded(fields.Datetime.now(), "meeting")
        return events
