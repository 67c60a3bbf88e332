from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import groupby

from ..services.sms_providers import Report

# how long a report waits for its message before it is dropped
KEEP_DAYS = 3


class CrmSmsEarlyReport(models.Model):
    """A delivery report that arrived before its message was known: the
    provider answered the batch and reported on a message before the batch
    was committed. Kept, and applied once the message is there (right after
    the batch is written, and by a scheduled job); dropped after a few days."""

    _name = "crm.sms.early.report"
    _description = "SMS Delivery Report Waiting for Its Message"
    _order = "id"

    provider_id = fields.Many2one("crm.sms.provider", required=True, ondelete="cascade", index=True)
    provider_ref = fields.Char(string="Provider Message Id", required=True, index=True)
    state = fields.Selection([("sent", "Delivered"), ("error", "Failed")], required=True)
    failure_type = fields.Char()
    reason = fields.Char()

    @api.model
    def _crm_keep(self, provider, reports):
        """Keep ``reports`` (services ``Report``) whose message is not known yet."""
        # sudo: reports come from the provider, not from a user
        self.sudo().create(
            [
                {
                    "provider_id": provider.id,
                    "provider_ref": report.provider_id,
                    "state": report.state,
                    "failure_type": report.failure_type or False,
                    "reason": report.reason or False,
                }
                for report in reports
                if report.state in ("sent", "error")
            ]
        )

    @api.model
    def _crm_apply_waiting(self, refs=None):
        """Apply the kept reports whose message is now known, then forget
        them: those of ``refs`` (a batch just written), or all of them (the
        scheduled job, which also drops those too old to wait)."""
        if refs is not None and not refs:
            return 0
        # sudo: reports come from the provider, not from a user
        Early = self.sudo()
        applied = 0
        domain = [("provider_ref", "in", list(refs))] if refs is not None else []
        for provider, waiting in groupby(Early.search(domain), key=lambda early: early.provider_id):
            waiting = Early.concat(*waiting)
            reports = [
                Report(early.provider_ref, early.state, early.failure_type or "", early.reason or "")
                for early in waiting
            ]
            found = self.env["sms.sms"]._crm_apply_reports(provider, reports, keep_unknown=False)
            known = waiting.filtered(lambda early, found=found: early.provider_ref in found)
            applied += len(known)
            known.unlink()
        if refs is None:
            Early.search([("create_date", "<", fields.Datetime.now() - timedelta(days=KEEP_DAYS))]).unlink()
        return applied
