import logging
import time

from werkzeug.exceptions import RequestEntityTooLarge

from odoo import SUPERUSER_ID, http
from odoo.http import request

from ..services.pbx.event import Malformed, PbxRequest, Refused

_logger = logging.getLogger(__name__)

MAX_BODY = 256 * 1024  # a call event is a few hundred bytes; a batch a few kB


class PbxWebhook(http.Controller):
    """``POST /crm_extended/pbx/<token>[/<path>]``: a PBX's call events.

    The token names the connection; the adapter of the connection checks
    the request (signature, freshness), reads its events, and says what the
    PBX expects back. Every refusal is logged with its reason and answered
    with the status the PBX expects (4xx); bad input never gives a 500.
    """

    @http.route(
        ["/crm_extended/pbx/<string:token>", "/crm_extended/pbx/<string:token>/<path:path>"],
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def pbx_event(self, token, path="", **_kwargs):
        httprequest = request.httprequest
        connection = request.env["crm.pbx.connection"]._crm_find_by_token(token)
        if not connection:
            return self._refuse(404, "unknown connection", token[:8])
        if (httprequest.content_length or 0) > MAX_BODY:
            return self._refuse(
                413, f"body of {httprequest.content_length} bytes is over {MAX_BODY}", connection
            )
        try:
            body = httprequest.get_data(cache=True)
        except RequestEntityTooLarge:
            return self._refuse(413, "body too large", connection)
        if len(body) > MAX_BODY:
            return self._refuse(413, f"body of {len(body)} bytes is over {MAX_BODY}", connection)
        pbx_request = PbxRequest(
            body=body,
            headers={name.lower(): value for name, value in httprequest.headers.items()},
            form=httprequest.form.to_dict()
            if httprequest.mimetype == "application/x-www-form-urlencoded"
            else {},
            path=path,
        )
        try:
            events = connection._crm_read_request(pbx_request, time.time())
        except (Refused, Malformed) as refusal:
            return self._refuse(refusal.status, refusal.reason, connection)
        # the PBX is not a user: its events are applied as the superuser, in the connection's company
        env = request.env(user=SUPERUSER_ID)
        accepted, duplicates = env["crm.phone.call"]._crm_process_events(connection.with_env(env), events)
        status, content_type, body = connection._crm_adapter().answer(accepted, duplicates)
        return request.make_response(body, headers=[("Content-Type", content_type)], status=status)

    @staticmethod
    def _refuse(status, reason, connection):
        label = connection.name if hasattr(connection, "name") else connection
        _logger.warning(
            "PBX request refused (%s) for connection %s from %s: %s",
            status,
            label,
            request.httprequest.remote_addr,
            reason,
        )
        return request.make_response(
            reason, headers=[("Content-Type", "text/plain; charset=utf-8")], status=status
        )
