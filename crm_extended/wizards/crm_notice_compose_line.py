from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import email_normalize


class CrmNoticeComposeLine(models.TransientModel):
    """One contact of a notice: what it can be reached by, the channel chosen and its cost."""

    _name = "crm.notice.compose.line"
    _description = "Notice Recipient"

    compose_id = fields.Many2one("crm.notice.compose", required=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", required=True)
    email = fields.Char(related="partner_id.email")
    phone = fields.Char(related="partner_id.phone_sanitized", string="SMS Number")
    can_email = fields.Boolean(compute="_compute_reach")
    can_sms = fields.Boolean(compute="_compute_reach")
    reason = fields.Char(compute="_compute_reach", help="Why a channel cannot be used.")
    channel = fields.Selection(
        [("email", "E-mail"), ("sms", "SMS"), ("none", "Unreachable")],
        compute="_compute_channel",
        store=True,
        readonly=False,
        required=True,
    )
    currency_id = fields.Many2one(related="compose_id.currency_id")
    cost = fields.Monetary(compute="_compute_cost")

    @api.depends("partner_id.email", "partner_id.phone_sanitized", "compose_id.has_sms_provider")
    def _compute_reach(self):
        emails = {line: email_normalize(line.partner_id.email) for line in self}
        numbers = {line: line.partner_id.phone_sanitized for line in self}
        # sudo: the blacklists say whether these addresses may be written to, not who else is on them
        blocked_emails = set(
            self.env["mail.blacklist"]
            .sudo()
            .search([("email", "in", [email for email in emails.values() if email])])
            .mapped("email")
        )
        blocked_numbers = set(
            self.env["phone.blacklist"]
            .sudo()
            .search([("number", "in", [number for number in numbers.values() if number])])
            .mapped("number")
        )
        for line in self:
            partner, email, number = line.partner_id, emails[line], numbers[line]
            reasons = []
            line.can_email = bool(email) and email not in blocked_emails
            if not partner.email:
                reasons.append(self.env._("no e-mail"))
            elif not email:
                reasons.append(self.env._("invalid e-mail"))
            elif email in blocked_emails:
                reasons.append(self.env._("e-mail blacklisted"))
            line.can_sms = bool(number) and number not in blocked_numbers and line.compose_id.has_sms_provider
            if not number:
                reasons.append(self.env._("no valid mobile number"))
            elif number in blocked_numbers:
                reasons.append(self.env._("number blacklisted"))
            elif not line.compose_id.has_sms_provider:
                reasons.append(self.env._("no SMS provider"))
            line.reason = ", ".join(reasons)

    @api.depends("can_email", "can_sms")
    def _compute_channel(self):
        for line in self:
            line.channel = "email" if line.can_email else "sms" if line.can_sms else "none"

    @api.depends("channel", "compose_id.segment_count", "compose_id.sms_price")
    def _compute_cost(self):
        for line in self:
            sms = line.channel == "sms"
            line.cost = line.compose_id.sms_price * line.compose_id.segment_count if sms else 0.0

    @api.constrains("channel")
    def _check_channel_reachable(self):
        for line in self:
            if (line.channel == "email" and not line.can_email) or (
                line.channel == "sms" and not line.can_sms
            ):
                raise ValidationError(
                    self.env._(
                        "%(contact)s cannot be reached by %(channel)s: %(reason)s.",
                        contact=line.partner_id.display_name,
                        channel=dict(self._fields["channel"]._description_selection(self.env))[line.channel],
                        reason=line.reason,
                    )
                )
