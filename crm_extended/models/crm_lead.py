from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL

from ..services import duplicates

DEAL_FIGURES = (
    "deal_amount_quoted",
    "deal_amount_ordered",
    "deal_amount_invoiced",
    "deal_amount_paid",
    "deal_amount_due",
    "deal_delivered_percent",
    "deal_invoice_count",
    "deal_delivery_count",
)


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "crm.phone.key.mixin"]

    partner_vat = fields.Char(
        string="Tax ID",
        help="The prospect's tax id (INN in Russia): converting the lead looks for a customer with it.",
    )
    duplicate_partner_ids = fields.Many2many(
        "res.partner",
        compute="_compute_duplicate_partner_ids",
        string="Matching Customers",
        help="Customers with the same tax id, phone or e-mail as this lead.",
    )
    duplicate_warning = fields.Char(compute="_compute_duplicate_partner_ids")

    # the deal's money and goods, in the company currency, computed for a whole list at once
    deal_amount_quoted = fields.Monetary(
        string="Quoted",
        currency_field="company_currency",
        compute="_compute_deal_figures",
        compute_sudo=True,
        help="Total of the quotations still open (draft or sent).",
    )
    deal_amount_ordered = fields.Monetary(
        string="Ordered",
        currency_field="company_currency",
        compute="_compute_deal_figures",
        compute_sudo=True,
        help="Total of the confirmed orders.",
    )
    deal_amount_invoiced = fields.Monetary(
        string="Invoiced",
        currency_field="company_currency",
        compute="_compute_deal_figures",
        compute_sudo=True,
        help="Total of the posted invoices of the orders, less credit notes.",
    )
    deal_amount_paid = fields.Monetary(
        string="Paid",
        currency_field="company_currency",
        compute="_compute_deal_figures",
        compute_sudo=True,
    )
    deal_amount_due = fields.Monetary(
        string="Still Due",
        currency_field="company_currency",
        compute="_compute_deal_figures",
        compute_sudo=True,
    )
    deal_delivered_percent = fields.Float(
        string="Delivered (%)",
        compute="_compute_deal_figures",
        compute_sudo=True,
        help="Share of the ordered quantities of goods already delivered.",
    )
    deal_invoice_count = fields.Integer(compute="_compute_deal_figures", compute_sudo=True)
    deal_delivery_count = fields.Integer(compute="_compute_deal_figures", compute_sudo=True)
    customer_overdue_amount = fields.Monetary(
        related="partner_id.crm_overdue_amount",
        string="Customer Overdue",
        currency_field="company_currency",
    )
    customer_overdue_date = fields.Date(related="partner_id.crm_overdue_date", string="Oldest Overdue Since")

    @api.depends("partner_vat", "phone_e164", "mobile_e164", "email_from", "partner_id")
    def _compute_duplicate_partner_ids(self):
        Partner = self.env["res.partner"]
        for lead in self:
            matches = Partner.browse() if lead.partner_id else lead._crm_matching_partners()
            lead.duplicate_partner_ids = matches
            lead.duplicate_warning = lead._crm_match_message(matches) if matches else False

    def _compute_deal_figures(self):
        figures = self._get_deal_figures()
        for lead in self:
            values = figures.get(lead.id, {})
            for name in DEAL_FIGURES:
                lead[name] = values.get(name, 0)

    def _get_deal_figures(self):
        """{lead id: {figure: value}} for every lead of self in four queries:
        orders, invoices (one SQL join through the invoiced order lines),
        order-line quantities and deliveries. Amounts are in the company
        currency at each document's own rate: the order's rate of its date,
        the invoice's signed amounts. Extension hook."""
        lead_ids = [lead_id for lead_id in self.ids if lead_id]
        figures = defaultdict(lambda: defaultdict(float))
        if not lead_ids:
            return figures
        orders = self.env["sale.order"].search_fetch(
            [("opportunity_id", "in", lead_ids), ("state", "!=", "cancel")],
            ["opportunity_id", "state", "amount_total", "currency_rate"],
        )
        for order in orders:
            amount = order.amount_total / (order.currency_rate or 1.0)
            key = "deal_amount_ordered" if order.state == "sale" else "deal_amount_quoted"
            figures[order.opportunity_id.id][key] += amount
        confirmed = orders.filtered(lambda o: o.state == "sale")
        for lead_id, _move_id, total, residual in self._get_deal_invoice_rows(lead_ids):
            figures[lead_id]["deal_amount_invoiced"] += total
            figures[lead_id]["deal_amount_due"] += residual
            figures[lead_id]["deal_amount_paid"] += total - residual
            figures[lead_id]["deal_invoice_count"] += 1
        lead_of_order = {order.id: order.opportunity_id.id for order in orders}
        quantities = defaultdict(lambda: [0.0, 0.0])
        for order, ordered, delivered in self.env["sale.order.line"]._read_group(
            [
                ("order_id", "in", confirmed.ids),
                ("display_type", "=", False),
                ("product_id.type", "=", "consu"),
            ],
            ["order_id"],
            ["product_uom_qty:sum", "qty_delivered:sum"],
        ):
            quantities[lead_of_order[order.id]][0] += ordered
            quantities[lead_of_order[order.id]][1] += delivered
        for lead_id, (ordered, delivered) in quantities.items():
            figures[lead_id]["deal_delivered_percent"] = (
                100.0 * min(delivered / ordered, 1.0) if ordered else 0.0
            )
        for order, count in self.env["stock.picking"]._read_group(
            [("sale_id", "in", confirmed.ids), ("picking_type_code", "=", "outgoing")],
            ["sale_id"],
            ["__count"],
        ):
            figures[lead_of_order[order.id]]["deal_delivery_count"] += count
        return figures

    def _get_deal_invoice_rows(self, lead_ids):
        """(lead id, invoice id, total, residual) of the posted customer invoices
        and credit notes made from the leads' orders, signed, company currency."""
        self.env["account.move"].flush_model(
            ["state", "move_type", "amount_total_signed", "amount_residual_signed"]
        )
        self.env["account.move.line"].flush_model(["move_id"])
        self.env["sale.order.line"].flush_model(["order_id", "invoice_lines"])
        self.env["sale.order"].flush_model(["opportunity_id"])
        self.env.cr.execute(
            SQL(
                """
            SELECT DISTINCT so.opportunity_id, am.id, am.amount_total_signed, am.amount_residual_signed
              FROM sale_order so
              JOIN sale_order_line sol ON sol.order_id = so.id
              JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id
              JOIN account_move_line aml ON aml.id = rel.invoice_line_id
              JOIN account_move am ON am.id = aml.move_id
             WHERE so.opportunity_id = ANY(%(lead_ids)s)
               AND am.state = 'posted'
               AND am.move_type IN ('out_invoice', 'out_refund')
            """,
                lead_ids=lead_ids,
            )
        )
        return self.env.cr.fetchall()

    def _get_deal_invoices(self):
        self.ensure_one()
        rows = self.sudo()._get_deal_invoice_rows(self.ids)
        return self.env["account.move"].browse([move_id for _lead, move_id, _total, _residual in rows])

    def action_view_deal_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        action["domain"] = [("id", "in", self._get_deal_invoices().ids)]
        action["context"] = {"create": False, "default_move_type": "out_invoice"}
        return action

    def action_view_deal_payments(self):
        self.ensure_one()
        payments = self._get_deal_invoices()._get_reconciled_payments()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_account_payments")
        action["domain"] = [("id", "in", payments.ids)]
        action["context"] = {"create": False}
        return action

    def action_view_deal_deliveries(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("stock.action_picking_tree_all")
        action["domain"] = [("sale_id.opportunity_id", "=", self.id), ("picking_type_code", "=", "outgoing")]
        action["context"] = {"create": False}
        return action

    def _crm_matching_partners(self):
        """Customers sharing this lead's tax id, phone or e-mail, companies first."""
        self.ensure_one()
        Partner = self.env["res.partner"]
        matches = Partner._crm_find_duplicates(
            tax_key=Partner._crm_tax_key(self.partner_vat, self.country_id.code),
            phone_keys=[self.phone_e164, self.mobile_e164],
            email=self.email_from,
        )
        return matches.sorted(lambda p: (not p.is_company, p.id))

    def _crm_match_message(self, matches):
        Partner = self.env["res.partner"]
        keys = duplicates.client_keys(
            Partner._crm_tax_key(self.partner_vat, self.country_id.code),
            (self.phone_e164, self.mobile_e164),
            self.email_normalized,
        )
        return self.env._(
            "Already a customer? %(matches)s", matches=Partner._crm_describe_matches(keys, matches)
        )

    def _find_matching_partner(self, email_only=False):
        """Strong keys first: a customer with the lead's tax id, phone or
        e-mail is the customer, before Odoo's own e-mail and name guesses."""
        self.ensure_one()
        if not self.partner_id:
            matches = self._crm_matching_partners()
            if matches:
                return matches[0]
        return super()._find_matching_partner(email_only=email_only)

    def _prepare_customer_values(self, partner_name, is_company=False, parent_id=False):
        values = super()._prepare_customer_values(partner_name, is_company=is_company, parent_id=parent_id)
        if is_company or not parent_id:
            values["vat"] = self.partner_vat
        return values
