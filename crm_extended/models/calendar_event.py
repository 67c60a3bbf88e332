from odoo import api, fields, models

from ..services.sql_indexes import SUFFIX, create_covering_index


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    def init(self):
        super().init()
        # the KPI board's meetings held in a month, by their organiser, in this index alone
        create_covering_index(
            self.env.cr, f"calendar_event_kpi_{SUFFIX}", self._table, ["start"], ["user_id"], "active"
        )

    @api.model_create_multi
    def create(self, vals_list):
        events = super().create(vals_list)
        # a meeting logged with a lead is its first contact (response SLA)
        events.opportunity_id._crm_mark_responded(fields.Datetime.now(), "meeting")
        return events
