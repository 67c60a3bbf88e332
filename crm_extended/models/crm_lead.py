from collections import defaultdict

from odoo import api, fields, models, tools

from ..services import channel_clients, duplicates, stage_history
from ..services.sql_indexes import SUFFIX, create_covering_index
from .account_move import CUSTOMER_MOVE_TYPES
from .res_partner import COMPETITOR_READERS, RECEIVABLE_GROUPS

DEAL_AMOUNTS = (
    "deal_amount_quoted",
    "deal_amount_ordered",
    "deal_amount_invoiced",
    "deal_amount_invoiced_total",
    "deal_amount_paid",
    "deal_amount_due",
)
DEAL_FIGURES = (*DEAL_AMOUNTS, "deal_delivered_percent", "deal_invoice_count", "deal_delivery_count")
# lead fields the channel report's client facts (first touch, new customer) follow (#12)
CHANNEL_CLIENT_DEPENDS = {
    "partner_id",
    "campaign_id",
    "source_id",
    "medium_id",
    "stage_id",
    "active",
    "date_closed",
}
# lead fields whose change may move the lead to another stage (stage_id is
# recomputed when the team or the type changes): the stage history follows
STAGE_DEPENDS = {"stage_id", "team_id", "type"}


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = [
        "crm.lead",
        "crm.phone.key.mixin",
        "crm.first.touch.mixin",
        "crm.lead.response",
        "crm.lead.next.step",
    ]

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

    # the channel report's client facts (#12), kept by _crm_refresh_channel_clients
    # on every change of the client's leads (services/channel_clients.py)
    crm_client_id = fields.Many2one(
        "res.partner", string="Client (Channels)", readonly=True, copy=False, index="btree_not_null"
    )
    crm_ft_campaign_id = fields.Many2one(
        "utm.campaign", string="First Touch Campaign", readonly=True, copy=False
    )
    crm_ft_source_id = fields.Many2one("utm.source", string="First Touch Source", readonly=True, copy=False)
    crm_ft_medium_id = fields.Many2one("utm.medium", string="First Touch Medium", readonly=True, copy=False)
    crm_new_customer = fields.Boolean(
        string="New Customer's First Win",
        readonly=True,
        copy=False,
        help="The client's first won deal (by closing date).",
    )

    # the deal's money and goods, in the lead's company currency, each document
    # converted at its own date, computed for a whole list at once, from the
    # documents the user may read (as Odoo's own Quotations and Orders buttons)
    deal_amount_quoted = fields.Monetary(
        string="Quoted (untaxed)",
        currency_field="company_currency",
        compute="_compute_deal_figures",
        help="Untaxed total of the quotations still open (draft or sent).",
    )
    deal_amount_ordered = fields.Monetary(
        string="Ordered (untaxed)",
        currency_field="company_currency",
        compute="_compute_deal_figures",
        help="Untaxed total of the confirmed orders, as Odoo's Orders button shows it.",
    )
    deal_amount_invoiced = fields.Monetary(
        string="Invoiced (untaxed)",
        currency_field="company_currency",
        compute="_compute_deal_figures",
        help="Untaxed total of the posted invoices of the deal's orders, less credit notes.",
    )
    deal_amount_invoiced_total = fields.Monetary(
        string="Invoiced (taxes incl.)",
        currency_field="company_currency",
        compute="_compute_deal_figures",
        help="What the posted invoices of the deal's orders ask, taxes included, less credit notes: "
        "paid plus still due.",
    )
    deal_amount_paid = fields.Monetary(
        string="Paid (taxes incl.)",
        currency_field="company_currency",
        compute="_compute_deal_figures",
    )
    deal_amount_due = fields.Monetary(
        string="Still Due (taxes incl.)",
        currency_field="company_currency",
        compute="_compute_deal_figures",
    )
    deal_delivered_percent = fields.Float(
        string="Delivered (%)",
        compute="_compute_deal_figures",
        help="Share of the ordered quantities of goods already delivered.",
    )
    deal_invoice_count = fields.Integer(compute="_compute_deal_figures")
    deal_delivery_count = fields.Integer(compute="_compute_deal_figures")
    customer_overdue_amount = fields.Monetary(
        related="partner_id.crm_overdue_amount",
        string="Customer Overdue",
        currency_field="customer_overdue_currency_id",
        groups=RECEIVABLE_GROUPS,
    )
    customer_overdue_date = fields.Date(
        related="partner_id.crm_overdue_date", string="Oldest Overdue Since", groups=RECEIVABLE_GROUPS
    )
    customer_overdue_summary = fields.Text(
        related="partner_id.crm_overdue_summary", string="Who Owes", groups=RECEIVABLE_GROUPS
    )
    customer_overdue_currency_id = fields.Many2one(related="partner_id.crm_company_currency_id")
    crm_call_count = fields.Integer(
        string="Calls", compute="_compute_crm_call_count", groups="sales_team.group_sale_salesman"
    )
    # competitor offers and the competitor that won (#14)
    competitor_offer_ids = fields.One2many(
        "crm.competitor.offer", "lead_id", string="Competitor Offers", groups=COMPETITOR_READERS
    )
    lost_competitor_id = fields.Many2one(
        "res.partner", string="Lost to Competitor", index="btree_not_null", groups=COMPETITOR_READERS
    )
    lost_competitor_price = fields.Monetary(
        string="Their Winning Price", currency_field="company_currency", groups=COMPETITOR_READERS
    )
    unsatisfied_demand_count = fields.Integer(
        string="Unmet Demand",
        compute="_compute_unsatisfied_demand_count",
        groups="sales_team.group_sale_salesman",
    )
    stage_history_ids = fields.One2many(
        "crm.lead.stage.history", "lead_id", string="Stage History", readonly=True
    )
    crm_stage_path = fields.Char(
        string="Stages Entered",
        readonly=True,
        copy=False,
        help="The ids of the stages the lead entered, in order between commas (,1,3,): kept with its "
        "stage history, read by the forecast.",
    )

    def _auto_init(self):
        cr = self.env.cr
        new = not tools.sql.column_exists(cr, self._table, "crm_new_customer")
        new_path = not tools.sql.column_exists(cr, self._table, "crm_stage_path")
        result = super()._auto_init()
        if new:  # one pass over every lead instead of the ORM's record by record
            channel_clients.refresh(cr)
        # an upgrade: the entries are there (an install fills the paths with the entries)
        if new_path and tools.sql.table_exists(cr, "crm_lead_stage_entry"):
            stage_history.refresh_paths(cr)
        return result

    def init(self):
        super().init()
        # the KPI board's deals won of a month
        tools.sql.create_index(
            self.env.cr,
            f"crm_lead_date_closed_{SUFFIX}",
            self._table,
            ["date_closed"],
            where="date_closed IS NOT NULL",
        )
        # the KPI board's deals won and leads answered in time of a month, in these indexes alone
        create_covering_index(
            self.env.cr,
            f"crm_lead_kpi_won_{SUFFIX}",
            self._table,
            ["date_closed"],
            ["user_id", "company_id", "stage_id"],
            "active AND type = 'opportunity' AND date_closed IS NOT NULL",
        )
        create_covering_index(
            self.env.cr,
            f"crm_lead_kpi_sla_{SUFFIX}",
            self._table,
            ["responded_at"],
            ["user_id", "company_id"],
            "response_in_time",
        )

    @api.model_create_multi
    def create(self, vals_list):
        leads = super().create(vals_list)
        leads._crm_refresh_channel_clients()
        self.env["crm.lead.stage.history"]._crm_record(
            [(lead, lead.stage_id.browse(), lead.stage_id) for lead in leads if lead.stage_id]
        )
        leads._crm_start_response_clock()
        return leads

    def write(self, vals):
        stages_before = {lead: lead.stage_id for lead in self} if STAGE_DEPENDS.intersection(vals) else None
        if CHANNEL_CLIENT_DEPENDS.intersection(vals):
            former = self.sudo().crm_client_id
            result = super().write(vals)
            self._crm_refresh_channel_clients(former)
        else:
            result = super().write(vals)
        if stages_before is not None:
            self.env["crm.lead.stage.history"]._crm_record(
                [(lead, old, lead.stage_id) for lead, old in stages_before.items() if lead.stage_id != old]
            )
        if "user_id" in vals or "team_id" in vals:
            self._crm_follow_salesperson()
        return result

    def message_post(self, **kwargs):
        message = super().message_post(**kwargs)
        # an e-mail a user sends from the lead is its first contact (response SLA)
        if (
            message.message_type == "comment"
            and message.subtype_id == self.env.ref("mail.mt_comment")
            and not self.env.user.share
            and not self.env.su
        ):
            self._crm_mark_responded(message.date, "email")
        return message

    def unlink(self):
        former = self.sudo().crm_client_id
        # the competitor offers' observations go with the leads in the database (ondelete cascade)
        Price = self.env["crm.competitor.price"]
        latest_keys = (
            Price.sudo().search([("offer_line_id.offer_id.lead_id", "in", self.ids)])._crm_latest_keys()
        )
        result = super().unlink()
        self._crm_refresh_channel_clients(former)
        Price._crm_refresh_latest(latest_keys)
        return result

    def _crm_refresh_channel_clients(self, former=None):
        """Recompute the client facts of these leads' clients (and of
        ``former`` clients): in SQL, over the whole client at once."""
        clients = self.sudo().exists().partner_id.commercial_partner_id | (former or self.env["res.partner"])
        if clients:
            self.env["crm.lead"]._crm_refresh_client_facts(clients.ids)

    @api.model
    def _crm_refresh_client_facts(self, client_ids=None):
        """Client facts of the leads of ``client_ids`` (all when None)."""
        self.env.flush_all()
        channel_clients.refresh(self.env.cr, client_ids)
        self.invalidate_model(list(channel_clients.FIELDS))

    @api.depends("partner_vat", "phone_e164", "mobile_e164", "email_from", "partner_id")
    def _compute_duplicate_partner_ids(self):
        Partner = self.env["res.partner"]
        for lead in self:
            matches = Partner.browse() if lead.partner_id else lead._crm_matching_partners()
            lead.duplicate_partner_ids = matches
            lead.duplicate_warning = lead._crm_match_message(matches) if matches else False

    def _compute_crm_call_count(self):
        counts = dict(
            self.env["crm.phone.call"]._read_group([("lead_id", "in", self.ids)], ["lead_id"], ["__count"])
        )
        for lead in self:
            lead.crm_call_count = counts.get(lead, 0)

    def _compute_unsatisfied_demand_count(self):
        counts = dict(
            self.env["crm.unsatisfied.demand"]._read_group(
                [("lead_id", "in", self.ids)], ["lead_id"], ["__count"]
            )
        )
        for lead in self:
            lead.unsatisfied_demand_count = counts.get(lead, 0)

    def action_view_unsatisfied_demand(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_extended.crm_unsatisfied_demand_action")
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {
            "default_lead_id": self.id,
            "default_partner_id": self.partner_id.commercial_partner_id.id,
        }
        return action

    def _get_lost_demand_lines(self, offer=None):
        """What these lost deals' clients did not buy from us, as lines to register: the lines of
        their open quotations, else of the competitor's offer (``offer`` when it is one of the
        deal's, else the one marked won, else the latest).

        :return: ``(sale.order.line, crm.competitor.offer.line)`` recordsets
        """
        offer = offer or self.env["crm.competitor.offer"]
        sale_lines = self.env["sale.order.line"]
        offer_lines = self.env["crm.competitor.offer.line"]
        for lead in self:
            quotations = lead.order_ids.filtered(lambda order: order.state in ("draft", "sent"))
            lines = quotations.order_line.filtered(lambda line: not line.display_type)
            if lines:
                sale_lines |= lines
                continue
            offers = lead.competitor_offer_ids
            chosen = (offer & offers) or offers.filtered("is_winner")[:1] or offers[:1]
            offer_lines |= chosen.line_ids
        return sale_lines, offer_lines

    def _register_lost_demand(self, reason, competitor=None, sale_lines=None, offer_lines=None):
        """Record what these lost deals' clients did not buy from us: the given quotation and offer
        lines (the lost dialog's ticked ones), by default every line of
        :meth:`_get_lost_demand_lines`."""
        if sale_lines is None and offer_lines is None:
            sale_lines, offer_lines = self._get_lost_demand_lines()
        Demand = self.env["crm.unsatisfied.demand"]
        common = {
            "origin": "lost_deal",
            "reason": reason,
            "competitor_id": competitor.id if competitor else False,
        }
        vals_list = Demand._prepare_from_lines(sale_lines or self.env["sale.order.line"], **common)
        for line in offer_lines or ():
            lead = line.offer_id.lead_id
            vals_list.append(
                {
                    "product_id": line.product_id.id,
                    "description": line.name if not line.product_id else False,
                    "quantity": line.quantity,
                    "partner_id": lead.partner_id.commercial_partner_id.id,
                    "lead_id": lead.id,
                    "user_id": (lead.user_id or self.env.user).id,
                    "company_id": (lead.company_id or self.env.company).id,
                    **common,
                }
            )
        return Demand.create(vals_list)

    def action_view_calls(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_extended.crm_phone_call_action")
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {"default_lead_id": self.id, "default_partner_id": self.partner_id.id}
        return action

    @api.depends_context("uid", "company", "allowed_company_ids")
    def _compute_deal_figures(self):
        figures = self._get_deal_figures()
        for lead in self:
            values = figures.get(lead.id, {})
            for name in DEAL_FIGURES:
                lead[name] = values.get(name, 0)

    def _get_deal_figures(self):
        """{lead id: {figure: value}} for every lead of self in a fixed number
        of queries (orders, invoices, order-line quantities, deliveries, and
        the rates when a document is in another currency), from the
        documents of the selected companies that the user may read. Amounts
        are in each lead's company currency, every document converted at its
        own date (``_convert``, as sale_crm's Orders button). Extension hook."""
        lead_ids = [lead_id for lead_id in self.ids if lead_id]
        figures = defaultdict(lambda: defaultdict(float))
        if not lead_ids:
            return figures
        currency_of = {lead.id: lead.company_currency or self.env.company.currency_id for lead in self}
        companies = self.env.companies.ids
        amounts = []  # (lead id, figure, amount, from currency, company, date)
        lead_of_order = {}  # confirmed orders
        for lead, state, currency, company, day, untaxed, order_ids in self.env["sale.order"]._read_group(
            [("opportunity_id", "in", lead_ids), ("state", "!=", "cancel"), ("company_id", "in", companies)],
            ["opportunity_id", "state", "currency_id", "company_id", "date_order:day"],
            ["amount_untaxed:sum", "id:array_agg"],
        ):
            figure = "deal_amount_ordered" if state == "sale" else "deal_amount_quoted"
            amounts.append((lead.id, figure, untaxed, currency, company, day))
            if state == "sale":
                lead_of_order.update(dict.fromkeys(order_ids, lead.id))
        for lead, company, day, untaxed, total, residual, count in self.env["account.move"]._read_group(
            [
                ("crm_opportunity_id", "in", lead_ids),
                ("state", "=", "posted"),
                ("move_type", "in", CUSTOMER_MOVE_TYPES),
                ("company_id", "in", companies),
            ],
            ["crm_opportunity_id", "company_id", "invoice_date:day"],
            ["amount_untaxed_signed:sum", "amount_total_signed:sum", "amount_residual_signed:sum", "__count"],
        ):
            currency = company.currency_id
            amounts.append((lead.id, "deal_amount_invoiced", untaxed, currency, company, day))
            amounts.append((lead.id, "deal_amount_invoiced_total", total, currency, company, day))
            amounts.append((lead.id, "deal_amount_due", residual, currency, company, day))
            amounts.append((lead.id, "deal_amount_paid", total - residual, currency, company, day))
            figures[lead.id]["deal_invoice_count"] += count
        converted = self.env["res.currency"]._crm_convert_rows(
            (amount, currency, currency_of[lead_id], company, day)
            for lead_id, _figure, amount, currency, company, day in amounts
        )
        for (lead_id, figure, *_rest), amount in zip(amounts, converted, strict=True):
            figures[lead_id][figure] += amount
        for lead_id, values in figures.items():
            for figure in DEAL_AMOUNTS:
                values[figure] = currency_of[lead_id].round(values[figure])
        quantities = defaultdict(lambda: [0.0, 0.0])
        for order, ordered, delivered in self.env["sale.order.line"]._read_group(
            [
                ("order_id", "in", list(lead_of_order)),
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
            [("sale_id", "in", list(lead_of_order)), ("picking_type_code", "=", "outgoing")],
            ["sale_id"],
            ["__count"],
        ):
            figures[lead_of_order[order.id]]["deal_delivery_count"] += count
        return figures

    def _get_deal_invoices(self):
        """The posted invoices and credit notes made from this deal's orders that the user may read."""
        self.ensure_one()
        return self.env["account.move"].search(self._get_deal_invoice_domain())

    def _get_deal_invoice_domain(self):
        return [
            ("crm_opportunity_id", "=", self.id),
            ("state", "=", "posted"),
            ("move_type", "in", CUSTOMER_MOVE_TYPES),
        ]

    def action_view_deal_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        action["domain"] = self._get_deal_invoice_domain()
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
        """Customers sharing this lead's tax id, phone or e-mail: the people
        who share its phone or e-mail first, then companies."""
        self.ensure_one()
        Partner = self.env["res.partner"]
        keys = self._crm_client_keys()
        matches = Partner._crm_find_duplicates(
            tax_key=keys[0], phone_keys=list(keys[1]), email=self.email_from
        )

        def rank(partner):
            personal = duplicates.PHONE in duplicates.shared_keys(keys, partner._crm_duplicate_keys()) or (
                duplicates.EMAIL in duplicates.shared_keys(keys, partner._crm_duplicate_keys())
            )
            return (not (personal and not partner.is_company), not partner.is_company, partner.id)

        return matches.sorted(rank)

    def _crm_client_keys(self):
        """The lead's strong keys (services/duplicates.py)."""
        return duplicates.client_keys(
            self.env["res.partner"]._crm_tax_key(self.partner_vat, self.country_id.code),
            (self.phone_e164, self.mobile_e164),
            self.email_normalized,
        )

    def _crm_match_message(self, matches):
        return self.env._(
            "Already a customer? %(matches)s",
            matches=self.env["res.partner"]._crm_describe_matches(self._crm_client_keys(), matches),
        )

    def _find_matching_partner(self, email_only=False):
        """Strong keys first: a customer with the lead's tax id, phone or
        e-mail is the customer, before Odoo's own e-mail and name guesses.
        The person whose phone or e-mail the lead carries is preferred to
        their company (the caller's direct number is kept), then a company
        with the lead's tax id. With ``email_only`` (Odoo's mass conversion,
        where a wrong automatic match is worse than none), only Odoo's exact
        e-mail match is tried."""
        self.ensure_one()
        if not self.partner_id and not email_only:
            matches = self._crm_matching_partners()
            if matches:
                return matches[0]
        return super()._find_matching_partner(email_only=email_only)

    def _prepare_customer_values(self, partner_name, is_company=False, parent_id=False):
        values = super()._prepare_customer_values(partner_name, is_company=is_company, parent_id=parent_id)
        if is_company or not parent_id:
            values["vat"] = self.partner_vat
        return values
