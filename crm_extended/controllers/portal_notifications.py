from odoo import Command, http
from odoo.http import request

from ..services import portal_scope
from .portal import CrmPortal


class CrmPortalNotifications(CrmPortal):
    """``/my/notifications`` (#18): the contact chooses which events it is told of and by which
    channels; the cheapest accepted channel is used (e-mail, then SMS)."""

    def _crm_notification_events(self):
        user = request.env.user
        documents = portal_scope.documents_for_roles(user.partner_id.contact_role_ids.mapped("code"))
        # sudo: the events offered, named only
        events = request.env["crm.notification.event"].sudo().search([])
        return events.filtered(lambda e: e.document in documents)

    @http.route(["/my/notifications"], type="http", auth="user", website=True, methods=["GET"])
    def portal_my_notifications(self, saved=None, **_kw):
        partner = request.env.user.partner_id
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "crm_notifications",
                "events": self._crm_notification_events(),
                # sudo: the contact's own choices
                "declined": partner.sudo().crm_notify_optout_ids,
                "partner": partner,
                "saved": bool(saved),
            }
        )
        return request.render("crm_extended.portal_my_notifications", values)

    @http.route(["/my/notifications"], type="http", auth="user", website=True, methods=["POST"])
    def portal_my_notifications_save(self, **form):
        offered = self._crm_notification_events()
        wanted = {key.removeprefix("event_") for key in form if key.startswith("event_")}
        declined = offered.filtered(lambda e: str(e.id) not in wanted)
        # sudo: a portal user writes its own choices only (these three fields), as /my/account does
        partner = request.env.user.partner_id.sudo()
        kept = partner.crm_notify_optout_ids - offered  # events its roles do not show stay as they were
        partner.write(
            {
                "crm_notify_email": bool(form.get("channel_email")),
                "crm_notify_sms": bool(form.get("channel_sms")),
                "crm_notify_optout_ids": [Command.set((kept | declined).ids)],
            }
        )
        return request.redirect("/my/notifications?saved=1")
