from odoo import api, fields, models
from odoo.exceptions import UserError


class ReportCrmReconciliation(models.AbstractModel):
    """The reconciliation statement (акт сверки) of a client for a period (#18), printed from the
    portal: the caller has checked that the client's contact sees the entity."""

    _name = "report.crm_extended.report_reconciliation"
    _description = "Reconciliation Statement"

    @api.model
    def _get_report_values(self, docids, data=None):
        data = data or {}
        try:
            date_from = fields.Date.to_date(data.get("date_from"))
            date_to = fields.Date.to_date(data.get("date_to"))
        except ValueError as error:
            raise UserError(self.env._("Give the period as two dates (YYYY-MM-DD).")) from error
        if not (date_from and date_to) or date_from > date_to:
            raise UserError(self.env._("Give the period as two dates, the first not after the second."))
        company = self.env["res.company"].browse(data.get("company_id")) or self.env.company
        partners = self.env["res.partner"].browse(docids)
        return {
            "doc_ids": docids,
            "doc_model": "res.partner",
            "docs": partners,
            "statements": {
                partner.id: partner._crm_reconciliation(date_from, date_to, company) for partner in partners
            },
            "company": company,
        }
