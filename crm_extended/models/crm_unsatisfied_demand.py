from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.misc import format_date

REASONS = [
    ("out_of_stock", "Out of Stock"),
    ("price", "Price"),
    ("lead_time", "Lead Time"),
    ("not_in_range", "Not in Our Range"),
    ("competitor_won", "Competitor Won"),
    ("other", "Other"),
]
ORIGINS = [
    ("manual", "By Hand"),
    ("lost_deal", "Lost Deal"),
    ("cancelled_line", "Cancelled Quotation"),
    ("removed_line", "Removed Quotation Line"),
    ("deleted_quotation", "Deleted Quotation"),
    ("call", "Call"),
]
# Reasons a demand waits for the product to come back in stock.
STOCK_REASONS = ("out_of_stock", "lead_time")


class CrmUnsatisfiedDemand(models.Model):
    """What a client asked for and did not get: the register purchasing reads."""

    _name = "crm.unsatisfied.demand"
    _description = "Unmet Demand"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"

    product_id = fields.Many2one("product.product", string="Product", index="btree_not_null", tracking=True)
    description = fields.Char(help="What the client asked for, when we do not carry it.")
    categ_id = fields.Many2one(
        related="product_id.categ_id", string="Product Category", store=True, index=True
    )
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure", tracking=True)
    uom_id = fields.Many2one(
        "uom.uom", string="Unit", compute="_compute_uom_id", store=True, readonly=False, precompute=True
    )
    date = fields.Date(string="Recorded On", required=True, default=fields.Date.context_today, index=True)
    date_wanted = fields.Date(string="Wanted By")
    partner_id = fields.Many2one("res.partner", string="Client", index="btree_not_null", tracking=True)
    lead_id = fields.Many2one("crm.lead", string="Opportunity", index="btree_not_null")
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        index=True,
        default=lambda self: self.env.user,
        tracking=True,
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        compute="_compute_team_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    reason = fields.Selection(REASONS, required=True, default="out_of_stock", tracking=True)
    competitor_id = fields.Many2one("res.partner", string="Won by Competitor", index="btree_not_null")
    origin = fields.Selection(ORIGINS, string="Came From", required=True, default="manual", readonly=True)
    sale_line_id = fields.Many2one(
        "sale.order.line", string="Quotation Line", index="btree_not_null", readonly=True
    )
    order_id = fields.Many2one("sale.order", string="Quotation", index="btree_not_null", readonly=True)
    phone_call_id = fields.Many2one("crm.phone.call", string="Call", index="btree_not_null", readonly=True)
    state = fields.Selection(
        [("open", "Waiting"), ("notified", "Back in Stock"), ("closed", "Closed")],
        required=True,
        default="open",
        tracking=True,
    )
    date_notified = fields.Date(string="Back in Stock On", readonly=True)
    note = fields.Text()
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    list_price = fields.Monetary(
        string="Our List Price",
        compute="_compute_list_price",
        store=True,
        readonly=False,
        precompute=True,
        aggregator=None,
        help="Our list price of the product per its unit when the demand was recorded.",
    )
    amount_lost = fields.Monetary(
        string="Lost Revenue",
        compute="_compute_amount_lost",
        store=True,
        aggregator=None,
        help="The quantity at our list price, in the demand's company currency: the revenue the "
        "company could not make.",
    )
    # The list sums this one: companies may keep different currencies, so each demand is
    # converted to the current company's currency at the date it was recorded (#14).
    converted_currency_id = fields.Many2one(
        "res.currency", string="Converted To", compute="_compute_amount_lost_converted"
    )
    amount_lost_converted = fields.Monetary(
        string="Lost Revenue (Converted)",
        compute="_compute_amount_lost_converted",
        currency_field="converted_currency_id",
        aggregator="sum",
        help="The lost revenue in the current company's currency, converted at the date the demand "
        "was recorded: what the list's totals add up, whatever the companies' currencies.",
    )

    @api.depends("product_id", "description", "partner_id.name")
    def _compute_display_name(self):
        for demand in self:
            what = demand.product_id.display_name or demand.description or ""
            demand.display_name = " \N{EN DASH} ".join(
                part for part in (what, demand.partner_id.name) if part
            )

    @api.depends("product_id")
    def _compute_uom_id(self):
        for demand in self:
            demand.uom_id = demand.product_id.uom_id

    @api.depends("user_id", "lead_id")
    def _compute_team_id(self):
        for demand in self:
            demand.team_id = demand.lead_id.team_id or demand.user_id.sale_team_id

    @api.depends("product_id")
    def _compute_list_price(self):
        for demand in self:
            product = demand.product_id.with_company(demand.company_id)
            demand.list_price = (
                product.currency_id._convert(
                    product.lst_price,
                    demand.company_id.currency_id,
                    demand.company_id,
                    demand.date or fields.Date.context_today(demand),
                )
                if product
                else 0.0
            )

    @api.depends("quantity", "list_price", "uom_id", "product_id.uom_id")
    def _compute_amount_lost(self):
        for demand in self:
            quantity = demand.quantity
            if demand.uom_id and demand.product_id.uom_id and demand.uom_id != demand.product_id.uom_id:
                quantity = demand.uom_id._compute_quantity(quantity, demand.product_id.uom_id, round=False)
            demand.amount_lost = quantity * demand.list_price

    @api.depends("amount_lost", "currency_id", "date")
    @api.depends_context("company")
    def _compute_amount_lost_converted(self):
        target = self.env.company.currency_id
        amounts = self.env["res.currency"]._crm_convert_rows(
            [
                (demand.amount_lost, demand.currency_id, target, self.env.company, demand.date)
                for demand in self
            ]
        )
        for demand, amount in zip(self, amounts, strict=True):
            demand.converted_currency_id = target
            demand.amount_lost_converted = amount

    def _read_group_select(self, aggregate_spec, query):
        """``amount_lost_converted:sum``: each demand's lost revenue converted in SQL to the
        current company's currency at its date, as the field's compute does."""
        if aggregate_spec != "amount_lost_converted:sum":
            return super()._read_group_select(aggregate_spec, query)
        company_currency = SQL(
            "(SELECT c.currency_id FROM res_company c WHERE c.id = %s)",
            self._field_to_sql(self._table, "company_id", query),
        )
        ratio = self.env["res.currency"]._crm_ratio_sql(
            company_currency,
            self.env.company.currency_id,
            self._field_to_sql(self._table, "date", query),
            self.env.company,
        )
        return SQL("SUM(%s * %s)", self._field_to_sql(self._table, "amount_lost", query), ratio)

    def action_close(self):
        self.write({"state": "closed"})

    def action_reopen(self):
        self.write({"state": "open", "date_notified": False})

    @api.model
    def _notify_back_in_stock(self, products):
        """Tell the salespeople of the clients waiting for these products that they came back:
        an activity on each waiting demand, assigned to its salesperson; the demands are
        marked *Back in Stock*."""
        if not products:
            return self.browse()
        # sudo: whoever receives the goods (a warehouse user) may not read the register; the
        # notice goes to the salespeople, each of whom reads their own demands.
        demands = self.sudo().search(
            [("product_id", "in", products.ids), ("state", "=", "open"), ("reason", "in", STOCK_REASONS)]
        )
        available = demands.filtered(
            lambda demand: demand.product_id.with_company(demand.company_id).free_qty > 0
        )
        today = fields.Date.context_today(self)
        for demand in available:
            summary = self.env._("Back in stock: %(product)s", product=demand.product_id.display_name)
            note = self.env._(
                "%(client)s asked for %(quantity)s %(unit)s on %(date)s; the product is in stock again.",
                client=demand.partner_id.display_name or demand.description or "",
                quantity=demand.quantity,
                unit=demand.uom_id.name or "",
                date=format_date(self.env, demand.date),
            )
            demand.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=summary,
                note=note,
                user_id=(demand.user_id or demand.lead_id.user_id or self.env.user).id,
            )
        available.write({"state": "notified", "date_notified": today})
        return available

    @api.model
    def _prepare_from_lines(self, lines, **vals):
        """Demand values from sale order lines (the product, quantity and client of each)."""
        return [
            {
                "product_id": line.product_id.id,
                "description": line.name if not line.product_id else False,
                "quantity": line.product_uom_qty,
                "uom_id": line.product_uom.id,
                "partner_id": line.order_id.partner_id.commercial_partner_id.id,
                "lead_id": line.order_id.opportunity_id.id,
                "user_id": (line.order_id.user_id or self.env.user).id,
                "company_id": line.company_id.id,
                "sale_line_id": line.id,
                "order_id": line.order_id.id,
                **vals,
            }
            for line in lines
            if not line.display_type
        ]
