import logging

from odoo import fields, models, tools
from odoo.tools import SQL

from ..services.sms_providers import Message, Result

_logger = logging.getLogger(__name__)

# delivery report errors (as on mail.notification and mailing.trace) kept on the SMS too
DELIVERY_FAILURES = [
    ("sms_expired", "Expired"),
    ("sms_invalid_destination", "Invalid Destination"),
    ("sms_not_allowed", "Not Allowed"),
    ("sms_not_delivered", "Not Delivered"),
    ("sms_rejected", "Rejected"),
]


class SmsSms(models.Model):
    """SMS go through the active ``crm.sms.provider`` instead of IAP when there is one.

    ``_send`` (one batch of ``send``/``_process_queue``) is the narrowest point
    where Odoo hands SMS to IAP: with a provider, the batch goes to it and its
    answer is applied the way Odoo applies IAP's (states, trackers: the chatter's
    notifications and the mailing traces); without, Odoo's own ``_send`` runs.
    """

    _inherit = "sms.sms"

    failure_type = fields.Selection(
        selection_add=DELIVERY_FAILURES, ondelete={key: "set null" for key, _label in DELIVERY_FAILURES}
    )
    crm_provider_id = fields.Many2one(
        "crm.sms.provider", string="SMS Provider", readonly=True, index="btree_not_null"
    )
    crm_provider_ref = fields.Char(
        string="Provider Message Id", readonly=True, copy=False, index="btree_not_null"
    )
    crm_failure_reason = fields.Text(
        string="Provider Note",
        readonly=True,
        copy=False,
        help="What the provider said when it refused the message or asked to send it later.",
    )

    def _send(self, unlink_failed=False, unlink_sent=True, raise_exception=False):
        provider = self.env["crm.sms.provider"]._crm_active_provider()
        if not provider:
            return super()._send(
                unlink_failed=unlink_failed, unlink_sent=unlink_sent, raise_exception=raise_exception
            )
        batch = [Message(sms.uuid, sms.number or "", sms.body or "") for sms in self]
        try:
            results = provider._crm_client().send(batch)
        except (
            Exception
        ) as error:  # a provider's bug must not lose the batch: it stays queued, with the reason
            _logger.exception("SMS provider %s failed on a batch of %s SMS", provider.name, len(batch))
            if raise_exception:
                raise
            results = [Result(message.uuid, "retry", reason=str(error)) for message in batch]
        self._crm_apply_results(provider, results, unlink_failed=unlink_failed, unlink_sent=unlink_sent)
        return None

    def _crm_apply_results(self, provider, results, unlink_failed=False, unlink_sent=True):
        """Apply a provider's ``Result`` list to these SMS and their trackers, as Odoo's ``_send`` does
        IAP's."""
        # sudo: as Odoo's _send, the sender updates the SMS and their trackers
        all_sms = self.sudo().with_context(sms_skip_msg_notification=True)
        by_uuid = {sms.uuid: sms for sms in all_sms}
        trackers = self.env["sms.tracker"].sudo().search([("sms_uuid", "in", list(by_uuid))])
        tracker_by_uuid = {tracker.sms_uuid: tracker for tracker in trackers}
        counts = dict.fromkeys(("pending", "error", "retry"), 0)
        for (state, failure_type, reason), group in tools.groupby(
            results, key=lambda result: (result.state, result.failure_type, result.reason)
        ):
            sms = all_sms.browse([by_uuid[result.uuid].id for result in group])
            sms_trackers = trackers.browse(
                [tracker_by_uuid[r.uuid].id for r in group if r.uuid in tracker_by_uuid]
            )
            counts[state] = counts.get(state, 0) + len(sms)
            if state == "pending":
                sms_trackers._action_update_from_sms_state("pending")
                sms.write(
                    {
                        "state": "pending",
                        "failure_type": False,
                        "crm_failure_reason": False,
                        "crm_provider_id": provider.id,
                        **({"to_delete": True} if unlink_sent else {}),
                    }
                )
            elif state == "error":
                sms_trackers._action_update_from_sms_state(
                    "error", failure_type=failure_type, failure_reason=reason
                )
                sms.write(
                    {
                        "state": "error",
                        "failure_type": failure_type or "unknown",
                        "crm_failure_reason": reason,
                        "crm_provider_id": provider.id,
                        **({"to_delete": True} if unlink_failed else {}),
                    }
                )
            else:  # retry: stays queued with the provider's reason; the SMS queue's cron sends it again
                sms.write({"crm_failure_reason": reason, "crm_provider_id": provider.id})
        self._crm_store_refs(
            {by_uuid[r.uuid].id: r.provider_id for r in results if r.provider_id}, "sms_sms", "id"
        )
        self._crm_store_refs(
            {
                tracker_by_uuid[r.uuid].id: r.provider_id
                for r in results
                if r.provider_id and r.uuid in tracker_by_uuid
            },
            "sms_tracker",
            "id",
            provider_id=provider.id,
        )
        # reports that came before this batch was written (another worker's request)
        self.env["crm.sms.early.report"]._crm_apply_waiting({r.provider_id for r in results if r.provider_id})
        _logger.info(
            "SMS provider %s: %s sent, %s failed, %s left queued",
            provider.name,
            counts["pending"],
            counts["error"],
            counts["retry"],
        )
        all_sms.mail_message_id._notify_message_notification_update()

    def _crm_store_refs(self, refs, table, key, provider_id=None):
        """Store each row's provider message id in one statement (a batch holds hundreds)."""
        if not refs:
            return
        model = {"sms_sms": "sms.sms", "sms_tracker": "sms.tracker"}[table]
        self.env[model].flush_model(["crm_provider_ref", "crm_provider_id"])
        extra = SQL(", crm_provider_id = %s", provider_id) if provider_id else SQL()
        self.env.cr.execute(
            SQL(
                "UPDATE %s AS t SET crm_provider_ref = v.ref%s"
                " FROM unnest(%s::int[], %s::varchar[]) AS v(id, ref)"
                " WHERE t.%s = v.id",
                SQL.identifier(table),
                extra,
                list(refs),
                list(refs.values()),
                SQL.identifier(key),
            )
        )
        self.env[model].invalidate_model(["crm_provider_ref", "crm_provider_id"])

    def _crm_apply_reports(self, provider, reports, keep_unknown=True):
        """Apply delivery reports (services ``Report``) of ``provider`` to its SMS and their trackers;
        the set of message ids found. A report on a message not known yet (its batch is not
        committed) is kept to be applied when it is, unless ``keep_unknown`` is False."""
        refs = [report.provider_id for report in reports]
        # sudo: reports come from the provider, not from a user
        sms_all = self.sudo().search(
            [("crm_provider_id", "=", provider.id), ("crm_provider_ref", "in", refs)]
        )
        trackers_all = (
            self.env["sms.tracker"]
            .sudo()
            .search([("crm_provider_id", "=", provider.id), ("crm_provider_ref", "in", refs)])
        )
        for (state, failure_type, reason), group in tools.groupby(
            reports, key=lambda report: (report.state, report.failure_type, report.reason)
        ):
            group_refs = {report.provider_id for report in group}
            sms = sms_all.filtered(lambda s, g=group_refs: s.crm_provider_ref in g)
            trackers = trackers_all.filtered(lambda t, g=group_refs: t.crm_provider_ref in g)
            if state == "sent":
                trackers._action_update_from_sms_state("sent")
                sms.filtered(lambda s: s.state in ("pending", "process")).write({"state": "sent"})
            elif state == "error":
                trackers._action_update_from_sms_state(
                    "error", failure_type=failure_type, failure_reason=reason
                )
                sms.filtered(lambda s: s.state in ("pending", "process")).write(
                    {
                        "state": "error",
                        "failure_type": failure_type or "unknown",
                        "crm_failure_reason": reason,
                    }
                )
            # pending: still on its way, nothing to change
        found = set(sms_all.mapped("crm_provider_ref")) | set(trackers_all.mapped("crm_provider_ref"))
        if keep_unknown:
            self.env["crm.sms.early.report"]._crm_keep(
                provider, [report for report in reports if report.provider_id not in found]
            )
        return found
