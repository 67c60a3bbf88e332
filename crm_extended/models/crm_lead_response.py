from datetime import timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import plaintext2html

RESPONSE_CHANNELS = [
    ("phone", "Call"),
    ("email", "E-mail"),
    ("meeting", "Meeting"),
    ("manual", "Marked Done"),
]


class CrmLeadResponse(models.AbstractModel):
    """The response SLA of a new lead: whatever its channel, a new lead gets
    a first-contact deadline in the company's working hours (from the first
    matching ``crm.response.rule``) and a *First contact* activity for its
    salesperson; a call, an e-mail or a meeting logged with the lead stops the
    clock and closes the activity; a missed deadline notifies the team leader,
    then reassigns the lead when the rule says so."""

    _name = "crm.lead.response"
    _description = "Lead Response SLA"

    response_rule_id = fields.Many2one(
        "crm.response.rule", string="Response Rule", readonly=True, copy=False, index="btree_not_null"
    )
    response_deadline = fields.Datetime(
        string="Respond By", readonly=True, copy=False, index="btree_not_null"
    )
    response_reassign_at = fields.Datetime(string="Reassign At", readonly=True, copy=False)
    response_activity_id = fields.Many2one(
        "mail.activity", string="First-Contact Activity", readonly=True, copy=False, ondelete="set null"
    )
    responded_at = fields.Datetime(
        string="First Contact On", readonly=True, copy=False, index="btree_not_null"
    )
    response_channel = fields.Selection(
        RESPONSE_CHANNELS, string="First Contact By", readonly=True, copy=False
    )
    response_work_hours = fields.Float(
        string="Response Time (working h)",
        readonly=True,
        copy=False,
        aggregator="avg",
        help="Working hours of the company's calendar from the lead's arrival to its first contact.",
    )
    response_in_time = fields.Boolean(string="Responded in Time", readonly=True, copy=False)
    response_escalation = fields.Selection(
        [("notified", "Team Leader Notified"), ("reassigned", "Reassigned")],
        string="Escalation",
        readonly=True,
        copy=False,
    )
    response_overdue = fields.Boolean(
        string="Response Overdue", compute="_compute_response_overdue", search="_search_response_overdue"
    )

    @api.depends("response_deadline", "responded_at")
    def _compute_response_overdue(self):
        now = fields.Datetime.now()
        for lead in self:
            lead.response_overdue = bool(
                lead.response_deadline and not lead.responded_at and lead.response_deadline < now
            )

    def _search_response_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Search Response Overdue with = or != and True or False."))
        domain = [("responded_at", "=", False), ("response_deadline", "<", fields.Datetime.now())]
        return domain if (operator == "=") == value else ["!", "&", *domain]

    # the clock

    def _crm_calendar(self):
        self.ensure_one()
        return (self.company_id or self.env.company).resource_calendar_id

    def _crm_start_response_clock(self):
        """Give these new leads their deadline and first-contact activity:
        leads of one batch arrive together, so each rule's deadline is planned once."""
        rules = self.env["crm.response.rule"].sudo().search([])  # sudo: rules apply to everyone's leads
        groups = {}
        for lead in self.filtered(lambda lead: not lead.response_deadline and not lead.responded_at):
            rule = rules._crm_rule_for(lead)
            if rule:
                key = (rule, lead._crm_calendar(), lead.create_date or fields.Datetime.now())
                groups.setdefault(key, []).append(lead.id)
        for (rule, _calendar, start), lead_ids in groups.items():
            leads = self.browse(lead_ids)
            vals = {
                "response_rule_id": rule.id,
                "response_deadline": leads[:1]._crm_plan_working_hours(rule.response_hours, start),
            }
            if rule.reassign_after_hours:
                vals["response_reassign_at"] = leads[:1]._crm_plan_working_hours(
                    rule.response_hours + rule.reassign_after_hours, start
                )
            leads.write(vals)
            leads._crm_schedule_first_contact()

    def _crm_plan_working_hours(self, hours, start):
        """``start`` plus ``hours`` working hours of the lead's company
        calendar (weekends and public holidays skipped); calendar hours without a calendar."""
        calendar = self._crm_calendar()
        planned = calendar and calendar.plan_hours(hours, start, compute_leaves=True)
        return planned or start + timedelta(hours=hours)

    def _crm_schedule_first_contact(self):
        """A *First contact* activity for each lead's salesperson (else its
        team leader), due on the day of its deadline in the calendar's time zone."""
        by_responsible = {}
        for lead in self.filtered("active"):
            responsible = lead.user_id or lead.team_id.user_id
            if responsible:
                by_responsible.setdefault((responsible, lead.response_deadline), []).append(lead.id)
        for (responsible, deadline), lead_ids in by_responsible.items():
            leads = self.browse(lead_ids)
            calendar = leads[:1]._crm_calendar()
            moment = pytz.utc.localize(deadline).astimezone(
                pytz.timezone(calendar.tz or responsible.tz or "UTC")
            )
            activities = leads.activity_schedule(
                "crm_extended.mail_activity_type_first_contact",
                date_deadline=moment.date(),
                summary=self.env._("Contact by %(time)s", time=moment.strftime("%H:%M")),
                user_id=responsible.id,
            )
            for lead, activity in zip(leads, activities, strict=True):
                lead.response_activity_id = activity

    def _crm_follow_salesperson(self):
        """The first-contact activity follows the lead to its new salesperson."""
        for lead in self.filtered(lambda lead: lead.response_activity_id and not lead.responded_at):
            if lead.user_id and lead.response_activity_id.user_id != lead.user_id:
                # sudo: the activity belongs to the former salesperson
                lead.response_activity_id.sudo().user_id = lead.user_id
        for lead in self.filtered(
            lambda lead: lead.response_deadline and not lead.responded_at and not lead.response_activity_id
        ):
            lead._crm_schedule_first_contact()

    def _crm_mark_responded(self, when, channel):
        """A call, an e-mail or a meeting with these leads at ``when``: stop
        the clock of those waiting for their first contact, close their activity."""
        waiting = self.filtered(lambda lead: lead.response_deadline and not lead.responded_at)
        labels = dict(RESPONSE_CHANNELS)
        for lead in waiting:
            calendar = lead._crm_calendar()
            start = lead.create_date or when
            hours = calendar.get_work_hours_count(start, when) if calendar and when > start else 0.0
            # sudo: a fact about the lead, written whoever logged the contact (the PBX, a colleague)
            lead.sudo().write(
                {
                    "responded_at": when,
                    "response_channel": channel,
                    "response_work_hours": hours,
                    "response_in_time": when <= lead.response_deadline,
                }
            )
            activity = lead.response_activity_id
            if activity and not self.env.context.get("crm_response_closing"):  # else being marked done
                # sudo: the contact closes the task whoever it was assigned to
                activity.sudo().action_feedback(
                    feedback=self.env._(
                        "First contact by %(channel)s on %(time)s",
                        channel=labels[channel],
                        time=fields.Datetime.to_string(when),
                    )
                )

    def action_crm_log_call(self):
        """Log a call made with the lead by hand: an answered outbound call, which is its first contact."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Log a Call"),
            "res_model": "crm.phone.call",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_lead_id": self.id,
                "default_partner_id": self.partner_id.id,
                "default_direction": "outbound",
                "default_state": "answered",
                "default_called_number": self.phone or self.mobile or self.partner_id.phone,
            },
        }

    # escalation

    @api.model
    def _crm_cron_escalate_responses(self):
        """Leads whose first-contact deadline passed: notify the team leader
        once, then reassign when the rule says so and its delay ran out."""
        now = fields.Datetime.now()
        base = [
            ("responded_at", "=", False),
            ("probability", "<", 100),
            ("response_rule_id", "!=", False),
        ]
        late = self.search([*base, ("response_deadline", "<", now), ("response_escalation", "=", False)])
        for lead in late.filtered(lambda lead: lead.response_rule_id.escalate):
            lead._crm_notify_team_leader()
        late.write({"response_escalation": "notified"})
        to_reassign = self.search(
            [
                *base,
                ("response_reassign_at", "<", now),
                ("response_escalation", "in", [False, "notified"]),
            ]
        )
        for lead in to_reassign:
            rule = lead.response_rule_id
            user = rule.reassign_user_id or lead.team_id.user_id
            if user and user != lead.user_id:
                former = lead.user_id
                lead.write({"user_id": user.id})
                lead._message_log(
                    body=plaintext2html(
                        self.env._(
                            "No first contact by %(deadline)s: reassigned from %(former)s to %(user)s.",
                            deadline=fields.Datetime.to_string(lead.response_deadline),
                            former=former.name or "-",
                            user=user.name,
                        )
                    )
                )
        to_reassign.write({"response_escalation": "reassigned"})

    def _crm_notify_team_leader(self):
        self.ensure_one()
        leader = self.team_id.user_id
        if not leader:
            return
        self.message_post(
            body=plaintext2html(
                self.env._(
                    "Lead %(lead)s has had no first contact by %(deadline)s (salesperson: %(user)s).",
                    lead=self.name,
                    deadline=fields.Datetime.to_string(self.response_deadline),
                    user=self.user_id.name or "-",
                )
            ),
            partner_ids=leader.partner_id.ids,
            author_id=self.env.ref("base.partner_root").id,
            message_type="notification",
            subtype_xmlid="mail.mt_note",
        )
