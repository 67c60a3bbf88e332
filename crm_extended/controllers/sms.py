import logging

from werkzeug.exceptions import RequestEntityTooLarge

from odoo import SUPERUSER_ID, http
from odoo.http import request

from ..services.sms_providers import Refused, WebhookRequest

_logger = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # SMS.ru posts reports in batches; a few hundred bytes each


class SmsDeliveryReport(http.Controller):
    """``POST /crm_extended/sms/<token>``: an SMS provider's delivery reports.

    The token names the provider; the provider's code checks the signature
    (SMS.ru: the ``hash`` of its callback; generic: an HMAC of the body) and
    reads the reports. A request that is not signed by the provider is
    answered 403 and changes nothing.
    """

    @http.route(
        "/crm_extended/sms/<string:token>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def sms_delivery_report(self, token, **_kwargs):
        httprequest = request.httprequest
        provider = request.env["crm.sms.provider"]._crm_find_by_token(token)
        if not provider:
            return self._refuse(404, "unknown provider", token[:8])
        if (httprequest.content_length or 0) > MAX_BODY:
            return self._refuse(413, "body too large", provider.name)
        try:
            body = httprequest.get_data(cache=True)
        except RequestEntityTooLarge:
            return self._refuse(413, "body too large", provider.name)
        webhook_request = WebhookRequest(
            body=body,
            headers={name.lower(): value for name, value in httprequest.headers.items()},
            form=httprequest.form.to_dict()
            if httprequest.mimetype == "application/x-www-form-urlencoded"
            else {},
        )
        client = provider._crm_client()
        try:
            reports = client.parse_delivery_report(webhook_request)
        except Refused as refusal:
            return self._refuse(403, str(refusal), provider.name)
        # the provider is not a user: its reports are applied as the superuser
        env = request.env(user=SUPERUSER_ID)
        found = env["sms.sms"]._crm_apply_reports(provider.with_env(env), reports)
        _logger.info(
            "SMS provider %s: %s delivery reports, %s messages found, the others kept until their message is",
            provider.name,
            len(reports),
            len(found),
        )
        content_type, answer = client.report_answer()
        return request.make_response(answer, headers=[("Content-Type", content_type)])

    @staticmethod
    def _refuse(status, reason, label):
        _logger.warning(
            "SMS delivery report refused (%s) for provider %s from %s: %s",
            status,
            label,
            request.httprequest.remote_addr,
            reason,
        )
        return request.make_response(
            reason, headers=[("Content-Type", "text/plain; charset=utf-8")], status=status
        )
