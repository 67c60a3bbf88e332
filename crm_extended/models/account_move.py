from collections import defaultdict

from odoo import api, fields, models
from odoo.tools.sql import create_index

from ..services.sql_indexes import SUFFIX, create_covering_index, create_upper_index

CUSTOMER_MOVE_TYPES = ("out_invoice", "out_refund")


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "crm.amount.words.mixin"]

    # account's field, computed here in the partner's language with declined currency names
    amount_total_words = fields.Char(
        string="Total in Words",
        help="The total written out in the customer's language, as printed on the invoice.",
    )

    crm_opportunity_id = fields.Many2one(
        "crm.lead",
        string="Opportunity",
        compute="_compute_crm_opportunity",
        store=True,
        index="btree_not_null",
        help="The opportunity of the sales order this invoice was made from.",
    )
    crm_opportunity_name = fields.Char(
        string="Deal",
        compute="_compute_crm_opportunity",
        store=True,
        help="Name of the opportunity this invoice came from, readable without CRM rights.",
    )

    # a service case's hand-off: the credit note for the unit
    service_case_id = fields.Many2one(
        "crm.service.case", string="Service Case", index="btree_not_null", copy=False, ondelete="set null"
    )

    def init(self):
        super().init()
        create_upper_index(self.env.cr, self._table, "name")
        # a client's earlier posted invoices (the KPI board's new customers), read in the index
        create_index(
            self.env.cr,
            f"account_move_first_invoice_{SUFFIX}",
            self._table,
            ["commercial_partner_id", "invoice_date", "id", "company_id"],
            where="move_type = 'out_invoice' AND state = 'posted'",
        )
        # what a client owes (crm_overdue_amount, the ringing call's card: _crm_receivables): its
        # open customer invoices and credit notes, not a scan of every move of every client
        create_index(
            self.env.cr,
            f"account_move_receivable_{SUFFIX}",
            self._table,
            ["commercial_partner_id"],
            where="state = 'posted' AND move_type IN ('out_invoice', 'out_refund')"
            " AND payment_state IN ('not_paid', 'partial')",
        )
        # the KPI board: a month's customer invoices and credit notes, and the invoices its
        # payments settled, read in these indexes alone
        create_covering_index(
            self.env.cr,
            f"account_move_kpi_invoice_{SUFFIX}",
            self._table,
            ["invoice_date"],
            ["id", "company_id", "invoice_user_id", "move_type", "commercial_partner_id"],
            "state = 'posted' AND move_type IN ('out_invoice', 'out_refund')",
        )
        create_covering_index(
            self.env.cr,
            f"account_move_kpi_paid_{SUFFIX}",
            self._table,
            ["id"],
            ["company_id", "invoice_user_id"],
            "state = 'posted' AND move_type = 'out_invoice'",
        )

    @api.depends(
        "invoice_line_ids.sale_line_ids.order_id.opportunity_id",
        "invoice_line_ids.sale_line_ids.order_id.opportunity_id.name",
    )
    def _compute_crm_opportunity(self):
        for move in self:
            # sudo: accountants compute it without CRM rights; only the name is kept readable
            lead = move.sudo().invoice_line_ids.sale_line_ids.order_id.opportunity_id[:1]
            move.crm_opportunity_id = lead.id
            move.crm_opportunity_name = lead.name

    @api.depends("amount_total", "currency_id", "partner_id.lang", "move_type")
    @api.depends_context("lang")
    def _compute_amount_total_words(self):
        self._crm_set_amount_total_words(applies=lambda move: move.is_invoice(include_receipts=True))

    @api.model
    def _crm_receivables(self, partner_ids, currency, overdue_only=False):
        """What each commercial partner of ``partner_ids`` owes on the posted
        customer invoices of the selected companies (``env.companies``), in
        ``currency`` at each invoice's date: {partner id: (amount, oldest due
        date)}. With ``overdue_only``, only invoices past their due date count;
        open credit notes always reduce what is owed, but never set the date.
        A partner that owes nothing (or is owed) is left out.

        Reads as the current user: call it in sudo where the figure must
        cover invoices the user may not open (and show it only to roles that
        may see it)."""
        if not partner_ids:
            return {}
        domain = [
            ("commercial_partner_id", "in", list(partner_ids)),
            ("company_id", "in", self.env.companies.ids),
            ("state", "=", "posted"),
            ("move_type", "in", CUSTOMER_MOVE_TYPES),
            ("payment_state", "in", ("not_paid", "partial")),
        ]
        if overdue_only:
            today = fields.Date.context_today(self)
            domain += ["|", ("move_type", "=", "out_refund"), ("invoice_date_due", "<", today)]
        rows = self._read_group(
            domain,
            ["commercial_partner_id", "company_id", "move_type", "invoice_date:day"],
            ["amount_residual_signed:sum", "invoice_date_due:min"],
        )
        amounts = self.env["res.currency"]._crm_convert_rows(
            (residual, company.currency_id, currency, company, day)
            for _partner, company, _type, day, residual, _due in rows
        )
        totals = defaultdict(float)
        oldest = {}
        for (partner, _company, move_type, _day, _residual, due), amount in zip(rows, amounts, strict=True):
            totals[partner.id] += amount
            if move_type == "out_invoice" and due and (partner.id not in oldest or due < oldest[partner.id]):
                oldest[partner.id] = due
        return {
            partner_id: (currency.round(amount), oldest.get(partner_id, False))
            for partner_id, amount in totals.items()
            if currency.compare_amounts(amount, 0.0) > 0
        }

    # Campaign costs booked on vendor bills (#12): a posted vendor bill line
    # linked to a campaign creates or updates that campaign's cost line.

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._crm_sync_campaign_costs()
        # a service case's credit note is posted: the case moves to its configured stage (#13)
        posted.filtered(lambda m: m.move_type == "out_refund").service_case_id._on_handoff_done("refund")
        return posted

    def button_draft(self):
        result = super().button_draft()
        self._crm_sync_campaign_costs()
        return result

    def button_cancel(self):
        result = super().button_cancel()
        self._crm_sync_campaign_costs()
        return result

    def _crm_sync_campaign_costs(self):
        """Make the cost lines of these moves' lines match what is booked: one
        per line of a posted vendor bill with a campaign, none otherwise."""
        # sudo: costs follow what accounting booked, whoever posts the bill
        moves = self.sudo().filtered(lambda move: move.is_purchase_document())
        if not moves:
            return
        Cost = self.env["crm.campaign.cost"].sudo()
        lines = moves.line_ids
        existing = {cost.move_line_id: cost for cost in Cost.search([("move_line_id", "in", lines.ids)])}
        booked = lines.filtered(
            lambda line: line.crm_campaign_id
            and line.display_type == "product"
            and line.move_id.state == "posted"
        )
        to_create = []
        for line in booked:
            vals = Cost._prepare_from_move_line_vals(line)
            if line in existing:
                existing.pop(line).write(vals)
            else:
                to_create.append(vals)
        Cost.create(to_create)
        Cost.browse([cost.id for cost in existing.values()]).unlink()
