from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.crm.models.crm_stage import AVAILABLE_PRIORITIES as PRIORITIES


class CrmResponseRule(models.Model):
    """How fast a new lead must be contacted: the first rule (by sequence)
    matching the lead's company, team, source and priority gives the working
    hours of its first-contact deadline, and what happens when it is missed."""

    _name = "crm.response.rule"
    _description = "Lead Response Rule"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True, help="Empty: every company.")
    team_id = fields.Many2one("crm.team", string="Sales Team", help="Empty: every team.")
    source_id = fields.Many2one("utm.source", string="Source", help="Empty: every source.")
    priority = fields.Selection(PRIORITIES, help="Empty: every priority.")
    response_hours = fields.Float(
        string="Respond Within (h)",
        required=True,
        default=1.0,
        help="Working hours of the company's calendar (weekends and public holidays skipped).",
    )
    escalate = fields.Boolean(
        string="Notify the Team Leader", default=True, help="When the deadline passes without a contact."
    )
    reassign_after_hours = fields.Float(
        string="Reassign After (h)",
        help="Working hours after the deadline before the lead is given to the reassignment user. 0: never.",
    )
    reassign_user_id = fields.Many2one(
        "res.users",
        string="Reassign To",
        domain=[("share", "=", False)],
        help="Empty: the team leader.",
    )

    @api.constrains("response_hours", "reassign_after_hours")
    def _check_hours(self):
        for rule in self:
            if rule.response_hours <= 0 or rule.reassign_after_hours < 0:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: the response time must be positive and the reassignment delay "
                        "zero or more.",
                        rule=rule.name,
                    )
                )

    def _crm_rule_for(self, lead):
        """The first of these rules (in order) matching ``lead`` (empty when none)."""
        company = lead.company_id or self.env.company
        for rule in self:
            if (
                (not rule.company_id or rule.company_id == company)
                and (not rule.team_id or rule.team_id == lead.team_id)
                and (not rule.source_id or rule.source_id == lead.source_id)
                and (not rule.priority or rule.priority == lead.priority)
            ):
                return rule
        return self.browse()
