from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..services import sms_segments


class CrmNoticeCompose(models.TransientModel):
    """Send one notice to a list of contacts, each by the cheapest channel it can be reached on.

    E-mail is free; SMS costs the active provider's price per segment times
    the segments of the text; a contact with neither is unreachable, with the
    reason. The lines are proposed, the person may switch a line's channel,
    and the total (in the company's currency, at today's rate) is shown
    before sending.
    """

    _name = "crm.notice.compose"
    _description = "Send a Notice by the Cheapest Channel"

    @api.model
    def _default_partner_ids(self):
        if self.env.context.get("active_model") == "res.partner":
            return [Command.set(self.env.context.get("active_ids") or [])]
        return []

    partner_ids = fields.Many2many("res.partner", string="Contacts", default=_default_partner_ids)
    subject = fields.Char(required=True)
    body = fields.Text(required=True, help="The same text by e-mail and SMS.")
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, required=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    sms_price = fields.Monetary(
        string="SMS Price per Segment",
        compute="_compute_sms_price",
        help="The active SMS provider's price of one SMS part, in the company's currency at today's rate.",
    )
    has_sms_provider = fields.Boolean(compute="_compute_sms_price")
    segment_count = fields.Integer(string="SMS Parts", compute="_compute_segments")
    encoding = fields.Selection(
        [("gsm7", "Latin (GSM 7-bit)"), ("ucs2", "Unicode (Cyrillic...)")], compute="_compute_segments"
    )
    line_ids = fields.One2many(
        "crm.notice.compose.line", "compose_id", compute="_compute_line_ids", store=True, readonly=False
    )
    total_cost = fields.Monetary(compute="_compute_total_cost")
    email_count = fields.Integer(compute="_compute_total_cost")
    sms_count = fields.Integer(compute="_compute_total_cost")
    unreachable_count = fields.Integer(compute="_compute_total_cost")

    @api.depends("company_id")
    def _compute_sms_price(self):
        provider = self.env["crm.sms.provider"]._crm_active_provider()
        today = fields.Date.context_today(self)
        for compose in self:
            compose.has_sms_provider = bool(provider)
            compose.sms_price = (
                provider.currency_id._convert(
                    provider.price_per_segment, compose.currency_id, compose.company_id, today
                )
                if provider
                else 0.0
            )

    @api.depends("body")
    def _compute_segments(self):
        for compose in self:
            segments = sms_segments.count(compose.body)
            compose.segment_count = segments.count
            compose.encoding = segments.encoding

    @api.depends("partner_ids")
    def _compute_line_ids(self):
        for compose in self:
            compose.line_ids = [Command.clear()] + [
                Command.create({"partner_id": partner.id}) for partner in compose.partner_ids
            ]

    @api.depends("line_ids.cost", "line_ids.channel")
    def _compute_total_cost(self):
        for compose in self:
            compose.total_cost = sum(compose.line_ids.mapped("cost"))
            channels = compose.line_ids.mapped("channel")
            compose.email_count = channels.count("email")
            compose.sms_count = channels.count("sms")
            compose.unreachable_count = channels.count("none")

    def action_send(self):
        self.ensure_one()
        lines = self.line_ids.filtered(lambda line: line.channel != "none")
        if not lines:
            raise UserError(self.env._("None of these contacts can be reached by e-mail or SMS."))
        lines._check_channel_reachable()
        author = self.env.user.partner_id
        for line in lines.filtered(lambda line: line.channel == "email"):
            line.partner_id.message_post(
                subject=self.subject,
                body=self.body,
                partner_ids=line.partner_id.ids,
                author_id=author.id,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        for line in lines.filtered(lambda line: line.channel == "sms"):
            line.partner_id._message_sms(self.body, partner_ids=line.partner_id.ids)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "Notice sent: %(emails)s by e-mail, %(sms)s by SMS; %(none)s unreachable.",
                    emails=self.email_count,
                    sms=self.sms_count,
                    none=self.unreachable_count,
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
