from datetime import timedelta

from odoo import api, fields, models


class CrmNextStepRule(models.Model):
    """Every open deal has a next step: for the open opportunities (of a team,
    or all) with no activity planned, the scheduled job plans one of the
    rule's activity type for the deal's salesperson, due after the rule's delay."""

    _name = "crm.next.step.rule"
    _description = "Next Step Rule"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True, help="Empty: every company.")
    team_id = fields.Many2one("crm.team", string="Sales Team", help="Empty: every team.")
    activity_type_id = fields.Many2one("mail.activity.type", string="Activity Type", required=True)
    summary = fields.Char(default="Plan the next step")
    delay_days = fields.Integer(string="Due in (days)", default=1)

    @api.model
    def _crm_cron_plan_next_steps(self):
        """Plan a next step on each open deal without one, by the first rule matching its team."""
        deals = self.env["crm.lead"].search(self.env["crm.lead"]._crm_no_next_step_domain())
        today = fields.Date.context_today(self)
        done = self.env["crm.lead"]
        for rule in self.search([]):
            matching = (deals - done).filtered(
                lambda deal, rule=rule: (not rule.team_id or deal.team_id == rule.team_id)
                and (not rule.company_id or deal.company_id == rule.company_id)
                and deal.user_id
            )
            for user in matching.user_id:
                matching.filtered(lambda deal, user=user: deal.user_id == user).activity_schedule(
                    activity_type_id=rule.activity_type_id.id,
                    date_deadline=today + timedelta(days=rule.delay_days),
                    summary=rule.summary or rule.name,
                    user_id=user.id,
                )
            done |= matching
        return done
