from datetime import timedelta

from odoo import api, fields, models
from odoo.osv import expression


class AccountMove(models.Model):
    """Overdue invoices told to the client (#18): once when past due, then by the reminder rule."""

    _inherit = "account.move"

    crm_overdue_notified_date = fields.Date(
        string="Client Told of Overdue On",
        copy=False,
        readonly=True,
        help="When the client was last told this invoice is overdue (portal notifications).",
    )
    crm_overdue_notice_count = fields.Integer(string="Overdue Notices Sent", copy=False, readonly=True)

    @api.model
    def _crm_overdue_reminder_rule(self, company=None):
        """(days between two notices, reminders after the first) of ``company`` (the current one
        by default): its settings (Settings, CRM, *Overdue Invoice Reminders*); an extension hook."""
        company = company or self.env.company
        return company.crm_overdue_reminder_days, company.crm_overdue_reminders

    @api.model
    def _get_crm_overdue_notify_domain(self, today):
        """The invoices to tell of today: past due, never told, or told at least the company's
        interval ago and fewer times than its reminders allow."""
        per_company = []
        for company in self.env["res.company"].search([]):
            days, reminders = self._crm_overdue_reminder_rule(company)
            per_company.append(
                [
                    ("company_id", "=", company.id),
                    "|",
                    ("crm_overdue_notified_date", "=", False),
                    "&",
                    ("crm_overdue_notified_date", "<=", today - timedelta(days=days)),
                    ("crm_overdue_notice_count", "<=", reminders),
                ]
            )
        return [
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
            ("invoice_date_due", "<", today),
            *expression.OR(per_company or [[(0, "=", 1)]]),
        ]

    @api.model
    def _crm_cron_notify_overdue(self, limit=500):
        """Tell the clients of their overdue invoices: once, then the reminders of the rule."""
        today = fields.Date.context_today(self)
        invoices = self.search(
            self._get_crm_overdue_notify_domain(today), limit=limit, order="invoice_date_due"
        )
        for invoice in invoices:
            invoice._crm_notify_overdue(today)
        return invoices

    def _crm_notify_overdue(self, today):
        self.ensure_one()
        self.env["res.partner"]._crm_notify(
            self,
            "invoice_overdue",
            self.commercial_partner_id,
            lambda partner: partner.env._(
                "Invoice %(invoice)s of %(amount)s was due on %(date)s; %(residual)s is still unpaid.",
                invoice=self.name,
                amount=self.currency_id.format(self.amount_total),
                date=self.invoice_date_due,
                residual=self.currency_id.format(self.amount_residual),
            ),
        )
        self.write(
            {
                "crm_overdue_notified_date": today,
                "crm_overdue_notice_count": self.crm_overdue_notice_count + 1,
            }
        )
