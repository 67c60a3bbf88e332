from datetime import date

from werkzeug.exceptions import BadRequest

from odoo import fields, http
from odoo.exceptions import UserError
from odoo.http import request

from ..services import portal_scope
from .portal import CrmPortal


class CrmPortalStatement(CrmPortal):
    """The client's statement (#18): invoices due and overdue in its currency, and the
    reconciliation statement for a period. For the contacts whose roles open invoices; the
    invoices are searched as the portal user (record rules), the reconciliation read in sudo
    for an entity the user sees only."""

    def _crm_statement_entity(self, entity_id):
        self._crm_require(portal_scope.INVOICES)
        entities = request.env.user._crm_portal_entities()
        try:
            chosen = entities.filtered(lambda e: e.id == int(entity_id or 0))
        except ValueError:
            chosen = entities.browse()
        return chosen or entities[:1], entities

    @http.route(["/my/statement"], type="http", auth="user", website=True)
    def portal_my_statement(self, entity_id=None, **_kw):
        entity, entities = self._crm_statement_entity(entity_id)
        company = request.env.company
        invoices = request.env["account.move"].search(
            [
                ("commercial_partner_id", "=", entity.id),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("company_id", "=", company.id),
            ],
            order="invoice_date_due, id",
        )
        today = fields.Date.context_today(request.env.user)
        values = self._prepare_portal_layout_values()
        values.update(self._crm_entity_values())
        values.update(
            {
                "page_name": "crm_statement",
                "entity": entity,
                "entities": entities,
                "invoices": invoices,
                "summary": entity._crm_open_invoices_summary(invoices, company, today),
                "today": today,
                "date_from": date(today.year, 1, 1),
                "date_to": today,
            }
        )
        return request.render("crm_extended.portal_my_statement", values)

    @http.route(["/my/statement/reconciliation"], type="http", auth="user", website=True)
    def portal_my_reconciliation(
        self, entity_id=None, date_from=None, date_to=None, report_type="pdf", **_kw
    ):
        entity, _entities = self._crm_statement_entity(entity_id)
        report_type = report_type if report_type in ("html", "pdf") else "pdf"
        data = {"date_from": date_from, "date_to": date_to, "company_id": request.env.company.id}
        # sudo: the entity is one the user sees (checked above); its journal items are not readable
        # by portal users
        Report = request.env["ir.actions.report"].sudo().with_company(request.env.company)
        try:
            if report_type == "html":
                content = Report._render_qweb_html(
                    "crm_extended.action_report_reconciliation", entity.ids, data
                )[0]
            else:
                content = Report._render_qweb_pdf(
                    "crm_extended.action_report_reconciliation", entity.ids, data
                )[0]
        except UserError as error:
            raise BadRequest(str(error)) from None
        content_type = "application/pdf" if report_type == "pdf" else "text/html; charset=utf-8"
        return request.make_response(
            content, headers=[("Content-Type", content_type), ("Content-Length", len(content))]
        )
