import secrets

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..services.sms_providers import PROVIDERS, ProviderError, smsru

# the configuration fields handed to services/sms_providers (credentials included)
CONFIG_FIELDS = (
    "api_url",
    "api_key",
    "sender",
    "timeout",
    "send_url",
    "auth_header",
    "payload_template",
    "batch_template",
    "batch_size",
    "results_path",
    "id_path",
    "status_path",
    "error_path",
    "ok_values",
    "report_id_path",
    "report_status_path",
    "delivered_values",
    "failed_values",
    "webhook_secret",
    "signature_header",
    "balance_url",
    "balance_path",
    "status_url",
)


class CrmSmsProvider(models.Model):
    """An SMS gateway that Odoo's ``sms.sms`` goes through instead of IAP.

    The first active provider of the company (by sequence) sends every SMS;
    with none, Odoo's IAP does as before. For administrators only; its
    credentials (API key, webhook secret) are typed, stored, and never read
    back, not even by administrators: only the sending code reads them, in sudo.
    """

    _name = "crm.sms.provider"
    _inherit = ["crm.secret.mixin"]
    _description = "SMS Provider"
    _order = "sequence, id"

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, index=True)
    kind = fields.Selection(
        [("smsru", "SMS.ru"), ("generic", "Generic HTTP/JSON")],
        required=True,
        default="smsru",
        help="SMS.ru's API, or any gateway taking JSON requests (one per message, or per batch).",
    )
    price_per_segment = fields.Monetary(
        string="Price per Segment",
        currency_field="currency_id",
        help="What one SMS part costs (160 Latin or 70 Cyrillic characters): used to choose the cheapest "
        "channel.",
    )
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.company.currency_id
    )
    sender = fields.Char(help="The sender name approved by the provider (empty: the provider's default).")
    timeout = fields.Integer(string="Timeout (seconds)", default=20)
    token = fields.Char(
        required=True,
        copy=False,
        readonly=True,
        index=True,
        default=lambda self: secrets.token_urlsafe(24),
    )
    webhook_url = fields.Char(
        string="Delivery Report URL",
        compute="_compute_webhook_url",
        help="Give this address to the provider for its delivery reports (SMS.ru: the callback of the "
        "account).",
    )
    api_url = fields.Char(string="API Address", default=smsru.DEFAULT_API_URL)
    # no group may read them (as the PBX secrets): only the code, in sudo
    api_key = fields.Char(copy=False, groups=fields.NO_ACCESS, prefetch=False)
    webhook_secret = fields.Char(copy=False, groups=fields.NO_ACCESS, prefetch=False)
    has_api_key = fields.Boolean(string="API Key Set", compute="_compute_has_secrets")
    has_webhook_secret = fields.Boolean(string="Webhook Secret Set", compute="_compute_has_secrets")
    new_api_key = fields.Char(
        string="Set API Key",
        compute="_compute_new_secrets",
        inverse="_inverse_new_api_key",
        help="SMS.ru: the api_id (it also signs the delivery reports). Generic: the value of the auth "
        "header, "
        "e.g. 'Bearer <token>'. Stored and never shown again.",
    )
    new_webhook_secret = fields.Char(
        string="Set Webhook Secret",
        compute="_compute_new_secrets",
        inverse="_inverse_new_webhook_secret",
        help="Generic: the key the gateway signs its delivery reports with (HMAC-SHA256 of the body). "
        "Stored and never shown again.",
    )
    # generic HTTP/JSON gateway
    send_url = fields.Char(string="Send URL")
    auth_header = fields.Char(default="Authorization")
    payload_template = fields.Text(
        default='{"to": "{number}", "text": "{body}", "reference": "{uuid}"}',
        help="The JSON posted for each message; {number}, {body}, {uuid} and {sender} are replaced.",
    )
    batch_template = fields.Text(
        help="For a gateway taking several messages per request: the JSON posted for a batch, where "
        "{messages} is replaced by the messages' payloads separated by commas, e.g. "
        '{"messages": [{messages}]}. Empty: one request per message.',
    )
    batch_size = fields.Integer(default=100, help="Messages per batch request at most.")
    results_path = fields.Char(
        help="Dotted path of the list of per-message answers in a batch's answer, in the order sent; each "
        "is read with the id, status and error paths.",
    )
    id_path = fields.Char(
        string="Message Id Path", default="id", help="Dotted path of the message id in the answer."
    )
    status_path = fields.Char(default="status", help="Dotted path of the message status in the answer.")
    error_path = fields.Char(default="error", help="Dotted path of the error text in the answer.")
    ok_values = fields.Char(
        string="Accepted Statuses", default="queued,accepted,sent", help="Comma separated; empty: any status."
    )
    report_id_path = fields.Char(string="Report Id Path", default="id")
    report_status_path = fields.Char(string="Report Status Path", default="status")
    delivered_values = fields.Char(string="Delivered Statuses", default="delivered")
    failed_values = fields.Char(string="Failed Statuses", default="failed,undelivered,expired,rejected")
    signature_header = fields.Char(default="X-Signature")
    balance_url = fields.Char(string="Balance URL")
    balance_path = fields.Char(default="balance")
    status_url = fields.Char(string="Status URL", help="GET, with {id} replaced by the message id.")

    _sql_constraints = [
        ("token_uniq", "unique (token)", "Two SMS providers cannot share a delivery report URL."),
        ("price_positive", "CHECK (price_per_segment >= 0)", "A price per segment cannot be negative."),
        (
            "batch_size_positive",
            "CHECK (batch_size IS NULL OR batch_size > 0)",
            "A batch holds one message at least.",
        ),
    ]

    def _compute_webhook_url(self):
        base = self.get_base_url()
        for provider in self:
            provider.webhook_url = f"{base}/crm_extended/sms/{provider.token}"

    def _compute_has_secrets(self):
        # sudo: whether a secret is set, never the secret
        for provider, stored in zip(self, self.sudo().read(["api_key", "webhook_secret"]), strict=True):
            provider.has_api_key = bool(stored["api_key"])
            provider.has_webhook_secret = bool(stored["webhook_secret"])

    def _compute_new_secrets(self):
        # write-only: a secret is never read back
        self.new_api_key = False
        self.new_webhook_secret = False

    def _inverse_new_api_key(self):
        self._crm_store_typed_secret("new_api_key", "api_key")

    def _inverse_new_webhook_secret(self):
        self._crm_store_typed_secret("new_webhook_secret", "webhook_secret")

    def action_check_balance(self):
        self.ensure_one()
        try:
            balance = self._crm_client().balance()
        except ProviderError as error:
            raise UserError(
                self.env._("%(name)s did not give its balance: %(reason)s", name=self.name, reason=str(error))
            ) from error
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.name,
                "message": self.env._("Balance: %(balance)s", balance=balance),
                "type": "info",
            },
        }

    # helpers

    @api.model
    def _crm_active_provider(self):
        """The provider sending this company's SMS, or an empty recordset (Odoo's IAP then)."""
        # sudo: the sender of an SMS (any user, a cron) uses the provider administrators configured
        return self.sudo().search(
            [("active", "=", True), ("company_id", "in", [self.env.company.id, False])], limit=1
        )

    def _crm_client(self):
        """The services/sms_providers object of this provider, credentials included: never returned to
        a user."""
        self.ensure_one()
        # sudo: the credentials, read here for the request and never returned
        [values] = self.sudo().read(list(CONFIG_FIELDS))
        return PROVIDERS[self.kind](values)

    @api.model
    def _crm_find_by_token(self, token):
        """The active provider whose delivery report URL carries ``token``."""
        if not token or len(token) > 64:
            return self.browse()
        # sudo: the provider is authenticated by the token and the signature, not by a user
        return self.sudo().search([("token", "=", token)], limit=1)
