from collections import defaultdict

from odoo import api, fields, models


class CrmClientGroup(models.Model):
    """A holding: several legal entities of one owner, seen as one client."""

    _name = "crm.client.group"
    _description = "Client Group (Holding)"
    _inherit = ["mail.thread", "mail.activity.mixin"]
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
        help="Roll-ups are in the currency of the current company.",
    )
    note = fields.Html()
    partner_ids = fields.One2many(
        "res.partner",
        "client_group_id",
        string="Legal Entities",
        domain=[("is_company", "=", True)],
    )
    entity_count = fields.Integer(compute="_compute_rollups", compute_sudo=True)
    pipeline_amount = fields.Monetary(
        string="Open Pipeline",
        compute="_compute_rollups",
        compute_sudo=True,
        help="Expected revenue of the open opportunities of all entities.",
    )
    order_amount = fields.Monetary(
        string="Confirmed Orders",
        compute="_compute_rollups",
        compute_sudo=True,
        help="Untaxed total of the confirmed sales orders of all entities.",
    )
    invoiced_amount = fields.Monetary(
        string="Invoiced Revenue",
        compute="_compute_rollups",
        compute_sudo=True,
        help="Untaxed total of posted customer invoices less credit notes of all entities.",
    )
    receivable_amount = fields.Monetary(
        string="Receivables",
        compute="_compute_rollups",
        compute_sudo=True,
        help="What the entities still owe on posted invoices.",
    )
    last_contact_date = fields.Datetime(
        compute="_compute_rollups",
        compute_sudo=True,
        help="Last e-mail or message exchanged with any entity, its contacts or its opportunities.",
    )

    def _compute_currency_id(self):
        self.currency_id = self.env.company.currency_id

    @api.depends("partner_ids")
    def _compute_rollups(self):
        """Every figure across every entity of every group in self, in a fixed
        number of queries: one per source document, none per group or entity."""
        totals = self._get_rollup_totals()
        for group in self:
            values = totals.get(group.id, {})
            group.entity_count = values.get("entity_count", 0)
            group.pipeline_amount = values.get("pipeline_amount", 0.0)
            group.order_amount = values.get("order_amount", 0.0)
            group.invoiced_amount = values.get("invoiced_amount", 0.0)
            group.receivable_amount = values.get("receivable_amount", 0.0)
            group.last_contact_date = values.get("last_contact_date", False)

    def _get_rollup_totals(self):
        """{group id: {figure: value}}; extension hook for more figures."""
        totals = defaultdict(lambda: defaultdict(float))
        group_ids = [gid for gid in self.ids if gid]
        if not group_ids:
            return totals
        partners = (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search_fetch(
                [("commercial_partner_id.client_group_id", "in", group_ids)],
                ["commercial_partner_id"],
            )
        )
        group_of = {p.id: p.commercial_partner_id.client_group_id.id for p in partners}
        for partner in partners.filtered(lambda p: p.is_company and p.id == p.commercial_partner_id.id):
            totals[group_of[partner.id]]["entity_count"] += 1

        def add(figure, rows):
            for partner, value in rows:
                if partner and partner.id in group_of:
                    totals[group_of[partner.id]][figure] += value or 0.0

        add(
            "pipeline_amount",
            self.env["crm.lead"]._read_group(
                [
                    ("partner_id", "in", partners.ids),
                    ("type", "=", "opportunity"),
                    ("probability", "<", 100),
                    ("active", "=", True),
                ],
                ["partner_id"],
                ["expected_revenue:sum"],
            ),
        )
        add(
            "order_amount",
            self.env["sale.report"]._read_group(
                [("partner_id", "in", partners.ids), ("state", "=", "sale")],
                ["partner_id"],
                ["price_subtotal:sum"],
            ),
        )
        moves = self.env["account.move"]._read_group(
            [
                ("partner_id", "in", partners.ids),
                ("state", "=", "posted"),
                ("move_type", "in", ("out_invoice", "out_refund")),
            ],
            ["partner_id"],
            ["amount_untaxed_signed:sum", "amount_residual_signed:sum"],
        )
        add("invoiced_amount", [(partner, untaxed) for partner, untaxed, _residual in moves])
        add("receivable_amount", [(partner, residual) for partner, _untaxed, residual in moves])

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
        return totals

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
