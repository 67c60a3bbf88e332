from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.misc import format_date

SOURCES = [
    ("call", "Call or Visit"),
    ("site", "Web Site"),
    ("price_list", "Price List File"),
    ("offer", "Offer Document"),
    ("exhibition", "Exhibition"),
    ("other", "Other"),
]
# What decides which observation is its product and competitor's latest with a price, per company.
LATEST_FIELDS = ("product_id", "competitor_id", "company_id", "date", "min_quantity", "price")
# The record rules of observations that filter by company alone: restricted to the rows flagged
# latest in each company, the latest per product and competitor over the user's companies is the same.
COMPANY_ONLY_RULES = {"[('company_id','in',company_ids)]", "[(1,'=',1)]"}
STOCK_LEVELS = [
    ("in_stock", "In Stock"),
    ("low", "Low"),
    ("out", "Out of Stock"),
    ("lead_time", "On Order"),
]


class CrmCompetitorPrice(models.Model):
    """What a competitor was seen to ask, offer or hold, on a day: one observation.

    Observations are never overwritten: a new price is a new observation, the
    history stays for trends and the latest one per competitor and product
    (:meth:`_get_latest`) is what reports use. Each price is also kept
    normalised (company currency at the day seen, VAT excluded, per our unit
    of the product) so that competitors compare. Kept in its own model,
    readable only by the competitor-intelligence group and, in their own
    deals, by salespeople: accounting and warehouse users never see it.
    """

    _name = "crm.competitor.price"
    _description = "Competitor Price Observation"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"

    competitor_id = fields.Many2one(
        "res.partner",
        string="Competitor",
        required=True,
        index=True,
        tracking=True,
    )
    product_id = fields.Many2one("product.product", string="Product", required=True, index=True)
    categ_id = fields.Many2one(
        related="product_id.categ_id", string="Product Category", store=True, index=True
    )
    competitor_product_name = fields.Char(
        string="Their Product Name",
        help="The name under which the competitor sells it.",
    )
    # Prices in different currencies cannot be added together: reports use the normalised fields below.
    price = fields.Monetary(required=True, tracking=True, aggregator=None)
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
    )
    tax_included = fields.Boolean(
        string="VAT Included", help="The price seen includes VAT; reports compare prices without VAT."
    )
    tax_rate = fields.Float(
        string="VAT (%)",
        compute="_compute_tax_rate",
        store=True,
        readonly=False,
        aggregator=None,
        help="The VAT rate taken out of a price that includes it: by default our own sales tax "
        "of the product.",
    )
    uom_id = fields.Many2one(
        "uom.uom",
        string="Unit",
        compute="_compute_uom_id",
        store=True,
        readonly=False,
        help="The unit the competitor's price is for (a box, a pack); reports compare per our unit.",
    )
    min_quantity = fields.Float(
        string="From Quantity",
        default=1.0,
        digits="Product Unit of Measure",
        aggregator=None,
        help="The quantity break: the price holds from this quantity on.",
    )
    kind = fields.Selection(
        [("list", "List price"), ("offer", "Offer to a client"), ("stock", "Stock seen")],
        default="list",
        required=True,
    )
    stock_level = fields.Selection(STOCK_LEVELS, string="Stock Level")
    quantity_in_stock = fields.Float(string="Stock Seen", digits="Product Unit of Measure", aggregator=None)
    lead_time_days = fields.Integer(string="Lead Time (Days)", aggregator=None)
    payment_terms = fields.Char(help="Their payment conditions: prepayment, 30 days ...")
    delivery_days = fields.Integer(string="Delivery Time (Days)", aggregator=None)
    date = fields.Date(required=True, default=fields.Date.context_today)
    lead_id = fields.Many2one("crm.lead", string="Opportunity", index="btree_not_null")
    offer_line_id = fields.Many2one(
        "crm.competitor.offer.line",
        string="Offer Line",
        index="btree_not_null",
        ondelete="cascade",
        readonly=True,
    )
    import_line_id = fields.Many2one(
        "crm.competitor.import.line",
        string="Price List Row",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
    )
    source = fields.Selection(SOURCES, default="call", required=True)
    source_note = fields.Char(
        string="Source Details", help="Where it was seen: the page, the client, the fair ..."
    )
    user_id = fields.Many2one("res.users", string="Observer", default=lambda self: self.env.user)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Company Currency")
    # One normalised price, stored three times so that reports offer its average, lowest and highest
    # value as measures; none of them is ever summed.
    price_company = fields.Monetary(
        string="Average Price",
        currency_field="company_currency_id",
        compute="_compute_price_company",
        store=True,
        aggregator="avg",
        help="The price in the company's currency at the rate of the day it was seen, VAT excluded, "
        "per our unit of the product; reports show the average of the grouped prices.",
    )
    price_company_min = fields.Monetary(
        string="Lowest Price",
        currency_field="company_currency_id",
        compute="_compute_price_company",
        store=True,
        aggregator="min",
        help="The normalised price (company currency, VAT excluded, our unit); "
        "reports show the lowest of the grouped prices.",
    )
    price_company_max = fields.Monetary(
        string="Highest Price",
        currency_field="company_currency_id",
        compute="_compute_price_company",
        store=True,
        aggregator="max",
        help="The normalised price (company currency, VAT excluded, our unit); "
        "reports show the highest of the grouped prices.",
    )
    our_price = fields.Float(
        related="product_id.lst_price",
        string="Our List Price",
        aggregator=None,
    )
    is_latest_priced = fields.Boolean(
        string="Latest Price",
        readonly=True,
        copy=False,
        help="The latest observation with a price of its product and competitor in its company (the "
        "smallest quantity break of the latest day), kept by every change: what the price position "
        "reads.",
    )

    def init(self):
        # the latest observation per competitor and product (DISTINCT ON) walks this index alone
        # (an index-only scan: the company rule and the normalised price are in it)
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS crm_competitor_price_latest_idx ON crm_competitor_price "
                "(product_id, competitor_id, date DESC, min_quantity, id DESC) "
                "INCLUDE (company_id, price, price_company)"
            )
        )
        # the same over the rows flagged latest alone: a category's latest prices without its history
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS crm_competitor_price_latest_priced_idx ON crm_competitor_price "
                "(product_id, competitor_id, date DESC, min_quantity, id DESC) "
                "INCLUDE (company_id, price, price_company) WHERE is_latest_priced"
            )
        )
        # observations made before the flag existed (or written in bulk by SQL) are flagged once
        self.env.cr.execute(
            SQL(
                "SELECT EXISTS (SELECT 1 FROM crm_competitor_price WHERE price > 0)"
                " AND NOT EXISTS (SELECT 1 FROM crm_competitor_price WHERE is_latest_priced)"
            )
        )
        if self.env.cr.fetchone()[0]:
            self._crm_refresh_latest()

    @api.depends("competitor_id.name", "product_id.display_name", "date")
    @api.depends_context("lang")
    def _compute_display_name(self):
        for record in self:
            parts = (record.competitor_id.name, record.product_id.display_name)
            name = " \N{EN DASH} ".join(part for part in parts if part)
            if name and record.date:
                name = f"{name}, {format_date(self.env, record.date)}"
            record.display_name = name

    @api.depends("product_id", "company_id")
    def _compute_tax_rate(self):
        for record in self:
            taxes = record.product_id.taxes_id.filtered(
                lambda tax, company=record.company_id: tax.company_id == company
                and tax.amount_type == "percent"
            )
            record.tax_rate = sum(taxes.mapped("amount"))

    @api.depends("product_id")
    def _compute_uom_id(self):
        for record in self:
            record.uom_id = record.product_id.uom_id

    @api.depends(
        "price",
        "currency_id",
        "company_id.currency_id",
        "date",
        "tax_included",
        "tax_rate",
        "uom_id.factor",
        "product_id.uom_id.factor",
    )
    def _compute_price_company(self):
        for record in self:
            amount = record._normalised_price()
            record.price_company = record.price_company_min = record.price_company_max = amount

    def _normalised_price(self):
        """The price VAT excluded, per our unit of the product, in the company's currency at the day seen."""
        self.ensure_one()
        amount = self.price
        if not amount:
            return amount
        if self.tax_included and self.tax_rate:
            amount = amount / (1.0 + self.tax_rate / 100.0)
        product_uom = self.product_id.uom_id
        if self.uom_id and product_uom and self.uom_id != product_uom:
            amount = self.uom_id._compute_price(amount, product_uom)
        if self.currency_id and self.company_currency_id:
            amount = self.currency_id._convert(
                amount,
                self.company_currency_id,
                self.company_id,
                self.date or fields.Date.context_today(self),
            )
        return amount

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._crm_refresh_latest(records._crm_latest_keys())
        return records

    def write(self, vals):
        moving = set(LATEST_FIELDS) & set(vals)
        keys = self._crm_latest_keys() if moving else set()
        result = super().write(vals)
        if moving:
            self._crm_refresh_latest(keys | self._crm_latest_keys())
        return result

    def unlink(self):
        keys = self._crm_latest_keys()
        result = super().unlink()
        self._crm_refresh_latest(keys)
        return result

    def _crm_latest_keys(self):
        """{(product id, competitor id, company id)} of these observations."""
        # sudo: the keys of records being written; the flags are kept for every user alike
        return {
            (record.product_id.id, record.competitor_id.id, record.company_id.id) for record in self.sudo()
        }

    @api.model
    def _crm_refresh_latest(self, keys=None):
        """Flag, per product, competitor and company among ``keys`` (all of them when None), the
        latest observation with a price (``is_latest_priced``), and only that one."""
        if keys is not None and not keys:
            return
        self.flush_model(LATEST_FIELDS)
        rows = SQL("crm_competitor_price p")
        if keys is not None:
            products, competitors, companies = zip(*keys, strict=True)
            rows = SQL(
                "crm_competitor_price p JOIN (SELECT DISTINCT * FROM unnest(%s::int[], %s::int[], %s::int[]))"
                " AS k(product_id, competitor_id, company_id) USING (product_id, competitor_id, company_id)",
                list(products),
                list(competitors),
                list(companies),
            )
        self.env.cr.execute(
            SQL(
                """
                WITH ranked AS (
                    SELECT p.id, COALESCE(p.price, 0) > 0 AND p.id = FIRST_VALUE(p.id) OVER (
                               PARTITION BY p.product_id, p.competitor_id, p.company_id
                               ORDER BY COALESCE(p.price, 0) > 0 DESC, p.date DESC, p.min_quantity, p.id DESC
                           ) AS latest
                      FROM %(rows)s
                )
                UPDATE crm_competitor_price t SET is_latest_priced = ranked.latest
                  FROM ranked
                 WHERE t.id = ranked.id AND t.is_latest_priced IS DISTINCT FROM ranked.latest
                """,
                rows=rows,
            )
        )
        self.invalidate_model(["is_latest_priced"])

    @api.model
    def _crm_rules_by_company_only(self):
        """Whether the user's record rules on observations filter by company alone (the
        competitor-intelligence group, sales managers, the superuser): then the latest price per
        product and competitor over the user's companies is among the rows flagged latest."""
        rules = self.env["ir.rule"]._get_rules(self._name, mode="read").sudo()
        user_groups = self.env.user.groups_id
        group_rules = rules.filtered(lambda rule: rule.groups & user_groups)
        global_rules = rules.filtered(lambda rule: not rule.groups)

        def text(rule):
            return "".join((rule.domain_force or "[]").split()).replace('"', "'")

        return all(text(rule) in COMPANY_ONLY_RULES for rule in global_rules) and (
            not group_rules or any(text(rule) == "[(1,'=',1)]" for rule in group_rules)
        )

    @api.model
    def _latest_priced_query(self, products, columns=("id",)):
        """SQL of :meth:`_latest_query` over the products' observations with a price: read from
        the rows flagged latest when the user's rules filter by company alone (the same answer,
        without the history), else from every observation the user may read."""
        domain = [("product_id", "in", products.ids), ("price", ">", 0)]
        if self._crm_rules_by_company_only():
            domain.append(("is_latest_priced", "=", True))
        return self._latest_query(domain, columns)

    @api.model
    def _latest_query(self, domain=None, columns=("id",)):
        """SQL selecting ``columns`` of the latest observation per competitor and product among
        those ``domain`` finds, with the user's record rules applied (the smallest quantity
        break of the latest day)."""
        query = self._search(domain or [])
        table = SQL.identifier(query.table)
        return SQL(
            "SELECT DISTINCT ON (%(t)s.product_id, %(t)s.competitor_id) %(columns)s"
            " FROM %(from)s WHERE %(where)s"
            " ORDER BY %(t)s.product_id, %(t)s.competitor_id, %(t)s.date DESC,"
            " %(t)s.min_quantity, %(t)s.id DESC",
            t=table,
            columns=SQL(", ").join(SQL.identifier(query.table, column) for column in columns),
            **{"from": query.from_clause, "where": query.where_clause or SQL("TRUE")},
        )

    @api.model
    def _get_latest(self, domain=None):
        """The latest observation per competitor and product among those ``domain`` finds."""
        self.flush_model()
        self.env.cr.execute(self._latest_query(domain))
        return self.browse(row[0] for row in self.env.cr.fetchall())

    @api.model
    def _get_cheapest(self, products):
        """{product id: the cheapest latest observation (normalised price)} of the products."""
        cheapest = {}
        self.flush_model()
        self.env.cr.execute(self._latest_priced_query(products))
        for observation in self.browse(row[0] for row in self.env.cr.fetchall()):
            best = cheapest.get(observation.product_id.id)
            if not best or observation.price_company < best.price_company:
                cheapest[observation.product_id.id] = observation
        return cheapest
