from collections import defaultdict

from odoo import api, fields, models

from .account_move import CUSTOMER_MOVE_TYPES

# Who may read a holding's money (README's role table).
ROLLUP_GROUPS = "sales_team.group_sale_salesman,account.group_account_invoice"


SERVICE_CASE_READERS = "crm_extended.group_crm_extended_service_user,sales_team.group_sale_salesman"


class CrmClientGroup(models.Model):
    """A holding: several legal entities of one owner, seen as one client."""

    _name = "crm.client.group"
    _description = "Client Group (Holding)"
    _inherit = ["mail.thread", "mail.activity.mixin", "crm.customer.class.mixin"]
    _order = "name"

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    user_id = fields.Many2one(
        "res.users",
        string="Account Manager",
        default=lambda self: self.env.user,
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company",
        string="Company",
        index=True,
        help="Leave empty to share the group between the companies of this database.",
    )
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        help="Roll-ups are in the currency of the current company, each document converted at its own date.",
    )
    note = fields.Html()
    partner_ids = fields.One2many(
        "res.partner",
        "client_group_id",
        string="Legal Entities",
        domain=[("is_company", "=", True)],
    )
    can_edit = fields.Boolean(compute="_compute_can_edit")
    entity_count = fields.Integer(compute="_compute_entity_count")
    crm_call_count = fields.Integer(
        string="Calls", compute="_compute_crm_call_count", groups="sales_team.group_sale_salesman"
    )
    # service cases on the card (read by whoever reads the cases)
    service_case_open_count = fields.Integer(
        string="Open Cases", compute="_compute_service_case_stats", groups=SERVICE_CASE_READERS
    )
    service_case_year_count = fields.Integer(
        string="Cases (12 Months)", compute="_compute_service_case_stats", groups=SERVICE_CASE_READERS
    )
    service_case_avg_hours = fields.Float(
        string="Average Resolution (Hours)",
        compute="_compute_service_case_stats",
        groups=SERVICE_CASE_READERS,
    )
    service_case_overdue_count = fields.Integer(
        string="Overdue SLAs", compute="_compute_service_case_stats", groups=SERVICE_CASE_READERS
    )
    # The money of all entities, whoever sold to them, in the companies
    # selected: for salespeople (the pipeline too) and accountants.
    pipeline_amount = fields.Monetary(
        string="Open Pipeline",
        compute="_compute_rollups",
        compute_sudo=True,
        groups="sales_team.group_sale_salesman",
        help="Expected revenue of the open opportunities of all entities (converted at today's rate).",
    )
    order_amount = fields.Monetary(
        string="Confirmed Orders (untaxed)",
        compute="_compute_rollups",
        compute_sudo=True,
        groups=ROLLUP_GROUPS,
        help="Untaxed total of the confirmed sales orders of all entities, each converted at its order date.",
    )
    invoiced_amount = fields.Monetary(
        string="Invoiced Revenue (untaxed)",
        compute="_compute_rollups",
        compute_sudo=True,
        groups=ROLLUP_GROUPS,
        help="Untaxed total of the posted customer invoices less credit notes of all entities, "
        "each converted at its invoice date.",
    )
    receivable_amount = fields.Monetary(
        string="Receivables (taxes incl.)",
        compute="_compute_rollups",
        compute_sudo=True,
        groups=ROLLUP_GROUPS,
        help="What the entities still owe on posted invoices, less open credit notes, taxes included.",
    )
    last_contact_date = fields.Datetime(
        compute="_compute_rollups",
        compute_sudo=True,
        groups=ROLLUP_GROUPS,
        help="Last e-mail or message exchanged with any entity, its contacts or its opportunities.",
    )

    @api.depends_context("company")
    def _compute_currency_id(self):
        self.currency_id = self.env.company.currency_id

    @api.depends_context("uid")
    def _compute_can_edit(self):
        """Whether the current user may change the group (the form is read-only otherwise)."""
        editable = self.filtered("id")._filtered_access("write")
        for group in self:
            group.can_edit = not group.id or group in editable

    def _compute_crm_call_count(self):
        counts = dict(
            self.env["crm.phone.call"]._read_group(
                [("client_group_id", "in", self.ids)], ["client_group_id"], ["__count"]
            )
        )
        for group in self:
            group.crm_call_count = counts.get(group, 0)

    def _compute_service_case_stats(self):
        stats = self.env["crm.service.case"]._service_stats(
            "client_group_id", [("client_group_id", "in", self.ids)]
        )
        for group in self:
            values = stats.get(group._origin) or {}
            group.service_case_open_count = values.get("open", 0)
            group.service_case_year_count = values.get("year", 0)
            group.service_case_avg_hours = values.get("avg_hours", 0.0)
            group.service_case_overdue_count = values.get("overdue", 0)

    def action_view_service_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_extended.crm_service_case_action")
        action["domain"] = [("client_group_id", "=", self.id)]
        if self.env.context.get("overdue"):
            action["domain"] = action["domain"] + [("sla_overdue", "=", True)]
        return action

    def action_view_calls(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_extended.crm_phone_call_action")
        action["domain"] = [("client_group_id", "=", self.id)]
        return action

    @api.depends("partner_ids")
    def _compute_entity_count(self):
        counts = dict(
            self.env["res.partner"]._read_group(
                [("client_group_id", "in", self.ids), ("parent_id", "=", False)],
                ["client_group_id"],
                ["__count"],
            )
        )
        for group in self:
            group.entity_count = counts.get(group, 0)

    @api.depends("partner_ids")
    @api.depends_context("company", "allowed_company_ids")
    def _compute_rollups(self):
        """Every figure across every entity of every group in self, in a fixed
        number of queries: one per source document, none per group or entity.

        compute_sudo: a holding's account manager must see the orders and
        invoices of every entity, whoever sold them; what is shown is bounded
        instead: the money fields are for salespeople and accountants only
        (groups), and only the selected companies' documents count."""
        totals = self._get_rollup_totals()
        for group in self:
            values = totals.get(group.id, {})
            group.pipeline_amount = values.get("pipeline_amount", 0.0)
            group.order_amount = values.get("order_amount", 0.0)
            group.invoiced_amount = values.get("invoiced_amount", 0.0)
            group.receivable_amount = values.get("receivable_amount", 0.0)
            group.last_contact_date = values.get("last_contact_date", False)

    def _get_rollup_totals(self):
        """{group id: {figure: value}}, amounts in the current company's
        currency, each document converted at its own date; extension hook for
        more figures."""
        totals = defaultdict(lambda: defaultdict(float))
        group_ids = [gid for gid in self.ids if gid]
        if not group_ids:
            return totals
        currency = self.env.company.currency_id
        companies = self.env.companies
        partners = (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search_fetch(
                [("commercial_partner_id.client_group_id", "in", group_ids)],
                ["commercial_partner_id"],
            )
        )
        group_of = {p.id: p.commercial_partner_id.client_group_id.id for p in partners}

        def add(figure, rows):
            """Add ``rows`` of (partner, amount, from currency, company, date), converted."""
            rows = [row for row in rows if row[0].id in group_of]
            amounts = self.env["res.currency"]._crm_convert_rows(
                (amount, from_currency, currency, company, date)
                for _p, amount, from_currency, company, date in rows
            )
            for (partner, *_rest), amount in zip(rows, amounts, strict=True):
                totals[group_of[partner.id]][figure] += amount

        add(
            "pipeline_amount",
            (
                # a forecast: converted at today's rate (no date)
                (
                    partner,
                    revenue,
                    (company or self.env.company).currency_id,
                    company or self.env.company,
                    None,
                )
                for partner, company, revenue in self.env["crm.lead"]._read_group(
                    [
                        ("partner_id", "in", partners.ids),
                        ("type", "=", "opportunity"),
                        ("probability", "<", 100),
                        ("active", "=", True),
                        ("company_id", "in", [False, *companies.ids]),
                    ],
                    ["partner_id", "company_id"],
                    ["expected_revenue:sum"],
                )
            ),
        )
        add(
            "order_amount",
            (
                (partner, untaxed, order_currency, company, day)
                for partner, order_currency, company, day, untaxed in self.env["sale.order"]._read_group(
                    [
                        ("partner_id", "in", partners.ids),
                        ("state", "=", "sale"),
                        ("company_id", "in", companies.ids),
                    ],
                    ["partner_id", "currency_id", "company_id", "date_order:day"],
                    ["amount_untaxed:sum"],
                )
            ),
        )
        add(
            "invoiced_amount",
            (
                (partner, untaxed, company.currency_id, company, day)
                for partner, company, day, untaxed in self.env["account.move"]._read_group(
                    [
                        ("commercial_partner_id", "in", partners.ids),
                        ("company_id", "in", companies.ids),
                        ("state", "=", "posted"),
                        ("move_type", "in", CUSTOMER_MOVE_TYPES),
                    ],
                    ["commercial_partner_id", "company_id", "invoice_date:day"],
                    ["amount_untaxed_signed:sum"],
                )
            ),
        )
        for partner_id, (amount, _date) in (
            self.env["account.move"]._crm_receivables(partners.ids, currency).items()
        ):
            totals[group_of[partner_id]]["receivable_amount"] += amount
        for values in totals.values():
            for figure in ("pipeline_amount", "order_amount", "invoiced_amount", "receivable_amount"):
                values[figure] = currency.round(values[figure])
        self._add_last_contact_dates(totals, partners, group_of)
        return totals

    def _add_last_contact_dates(self, totals, partners, group_of):
        """Set ``last_contact_date`` in ``totals``: the last e-mail or message
        on any entity, its contacts or their opportunities."""
        leads = (
            self.env["crm.lead"]
            .with_context(active_test=False)
            .search_fetch([("partner_id", "in", partners.ids)], ["partner_id"])
        )
        last_dates = self.env["mail.message"]._read_group(
            [
                ("message_type", "in", ("email", "comment")),
                "|",
                "&",
                ("model", "=", "res.partner"),
                ("res_id", "in", partners.ids),
                "&",
                ("model", "=", "crm.lead"),
                ("res_id", "in", leads.ids),
            ],
            ["model", "res_id"],
            ["date:max"],
        )
        lead_partner = {lead.id: lead.partner_id.id for lead in leads}
        for model, res_id, date in last_dates:
            partner_id = res_id if model == "res.partner" else lead_partner.get(res_id)
            group_id = group_of.get(partner_id)
            if group_id and date:
                current = totals[group_id].get("last_contact_date")
                totals[group_id]["last_contact_date"] = max(current, date) if current else date

    def action_view_opportunities(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm.crm_lead_opportunities")
        action["domain"] = [("partner_id", "child_of", self.partner_ids.ids)]
        action["context"] = {"active_test": True}
        return action

    def action_view_entities(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Legal Entities"),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "domain": [("client_group_id", "=", self.id)],
            "context": {"default_client_group_id": self.id, "default_is_company": True},
        }
