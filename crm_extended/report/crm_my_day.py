from odoo import fields, models
from odoo.tools import SQL

KINDS = [
    ("first_contact", "New Lead to Contact"),
    ("overdue", "Overdue"),
    ("today", "Today"),
    ("callback", "Call to Return"),
    ("no_next_step", "Deal Without Next Step"),
]


class CrmMyDay(models.Model):
    """A salesperson's day on one list: the new leads to contact (their
    First contact activity, whatever its day: its deadline is in hours), the
    activities due today or overdue, the missed calls to return, and the open
    deals with no next step."""

    _name = "crm.my.day"
    _description = "My Day"
    _auto = False
    _order = "kind_sequence, date_deadline, id"
    _depends = {
        "mail.activity": ["res_model", "res_id", "res_name", "summary", "date_deadline", "user_id", "active"],
        "crm.phone.call": [
            "state",
            "callback_done",
            "callback_deadline",
            "callback_user_id",
            "caller_number",
        ],
        "crm.lead": ["type", "active", "probability", "user_id", "name", "partner_id"],
    }

    kind = fields.Selection(KINDS, readonly=True)
    kind_sequence = fields.Integer(readonly=True)
    name = fields.Char(string="What", readonly=True)
    record_name = fields.Char(string="About", readonly=True)
    res_model = fields.Char(readonly=True)
    res_id = fields.Integer(readonly=True)
    activity_type_id = fields.Many2one("mail.activity.type", string="Activity Type", readonly=True)
    date_deadline = fields.Date(string="Due", readonly=True)
    user_id = fields.Many2one("res.users", string="Responsible", readonly=True)
    lead_id = fields.Many2one("crm.lead", string="Lead/Opportunity", readonly=True)
    call_id = fields.Many2one("crm.phone.call", string="Call", readonly=True)

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT a.id * 3 AS id,
                   CASE WHEN a.activity_type_id = %(first_contact)s THEN 'first_contact'
                        WHEN a.date_deadline < %(today)s THEN 'overdue' ELSE 'today' END AS kind,
                   CASE WHEN a.activity_type_id = %(first_contact)s THEN -1
                        WHEN a.date_deadline < %(today)s THEN 1 ELSE 2 END AS kind_sequence,
                   COALESCE(NULLIF(a.summary, ''), t.name->>%(lang)s, t.name->>'en_US') AS name,
                   a.res_name AS record_name,
                   a.res_model, a.res_id, a.activity_type_id, a.date_deadline, a.user_id,
                   CASE WHEN a.res_model = 'crm.lead' THEN a.res_id END AS lead_id, NULL::integer AS call_id
              FROM mail_activity a
              LEFT JOIN mail_activity_type t ON t.id = a.activity_type_id
             WHERE a.active AND (a.date_deadline <= %(today)s OR a.activity_type_id = %(first_contact)s)
               AND NOT EXISTS (SELECT 1 FROM crm_phone_call c
                                WHERE c.callback_activity_id = a.id AND NOT COALESCE(c.callback_done, FALSE))
            UNION ALL
            SELECT c.id * 3 + 1, 'callback', 0, c.caller_number, COALESCE(p.complete_name, l.name),
                   'crm.phone.call', c.id, NULL, (c.callback_deadline AT TIME ZONE 'UTC')::date,
                   c.callback_user_id, c.lead_id, c.id
              FROM crm_phone_call c
              LEFT JOIN res_partner p ON p.id = c.partner_id
              LEFT JOIN crm_lead l ON l.id = c.lead_id
             WHERE c.state = 'missed' AND NOT COALESCE(c.callback_done, FALSE)
               AND c.callback_deadline IS NOT NULL
            UNION ALL
            SELECT l.id * 3 + 2, 'no_next_step', 3, l.name, COALESCE(p.complete_name, l.partner_name),
                   'crm.lead', l.id, NULL, l.date_deadline, l.user_id, l.id, NULL
              FROM crm_lead l
              LEFT JOIN res_partner p ON p.id = l.partner_id
             WHERE l.type = 'opportunity' AND l.active AND COALESCE(l.probability, 0) < 100
               AND NOT EXISTS (SELECT 1 FROM mail_activity a
                                WHERE a.res_model = 'crm.lead' AND a.res_id = l.id AND a.active)
            """,
            today=fields.Date.context_today(self),
            lang=self.env.lang or "en_US",
            first_contact=self.env["ir.model.data"]._xmlid_to_res_id(
                "crm_extended.mail_activity_type_first_contact", raise_if_not_found=False
            )
            or 0,
        )

    def action_open(self):
        """Open what the line is about: the lead, the client, the call."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "views": [(False, "form")],
            "target": "current",
        }
