from odoo import fields, models
from odoo.tools import SQL

from ..models.crm_lead_response import RESPONSE_CHANNELS


class CrmResponseReport(models.Model):
    """How fast new leads got their first contact: per salesperson, team,
    source and month; share in time, average working hours, still waiting."""

    _name = "crm.response.report"
    _description = "Lead Response Analysis"
    _auto = False
    _order = "create_date desc"
    _depends = {
        "crm.lead": [
            "create_date",
            "user_id",
            "team_id",
            "source_id",
            "company_id",
            "active",
            "response_rule_id",
            "response_deadline",
            "responded_at",
            "response_channel",
            "response_work_hours",
            "response_in_time",
            "response_escalation",
        ],
    }

    lead_id = fields.Many2one("crm.lead", string="Lead", readonly=True)
    create_date = fields.Datetime(string="Arrived", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    source_id = fields.Many2one("utm.source", string="Source", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    response_rule_id = fields.Many2one("crm.response.rule", string="Response Rule", readonly=True)
    response_deadline = fields.Datetime(string="Respond By", readonly=True)
    responded_at = fields.Datetime(string="First Contact On", readonly=True)
    response_channel = fields.Selection(RESPONSE_CHANNELS, string="First Contact By", readonly=True)
    response_work_hours = fields.Float(string="Response Time (working h)", readonly=True, aggregator="avg")
    lead_count = fields.Integer(string="Leads", readonly=True)
    in_time_count = fields.Integer(string="Responded in Time", readonly=True)
    late_count = fields.Integer(string="Responded Late", readonly=True)
    waiting_count = fields.Integer(string="Still Waiting", readonly=True)
    overdue_count = fields.Integer(string="Waiting, Overdue", readonly=True)
    in_time_share = fields.Float(string="In Time (Share)", readonly=True, aggregator="avg")
    escalated_count = fields.Integer(string="Escalated", readonly=True)

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT l.id, l.id AS lead_id, l.create_date, l.user_id, l.team_id, l.source_id, l.company_id,
                   l.response_rule_id, l.response_deadline, l.responded_at, l.response_channel,
                   CASE WHEN l.responded_at IS NOT NULL THEN l.response_work_hours END AS response_work_hours,
                   1 AS lead_count,
                   CASE WHEN l.response_in_time THEN 1 ELSE 0 END AS in_time_count,
                   CASE WHEN l.responded_at IS NOT NULL AND NOT COALESCE(l.response_in_time, FALSE)
                        THEN 1 ELSE 0 END AS late_count,
                   CASE WHEN l.responded_at IS NULL THEN 1 ELSE 0 END AS waiting_count,
                   CASE WHEN l.responded_at IS NULL AND l.response_deadline < %(now)s THEN 1 ELSE 0 END
                        AS overdue_count,
                   CASE WHEN l.response_in_time THEN 1.0
                        WHEN l.responded_at IS NOT NULL OR l.response_deadline < %(now)s THEN 0.0 END
                        AS in_time_share,
                   CASE WHEN l.response_escalation IS NOT NULL THEN 1 ELSE 0 END AS escalated_count
              FROM crm_lead l
             WHERE l.response_deadline IS NOT NULL AND l.active
            """,
            now=fields.Datetime.now(),
        )
