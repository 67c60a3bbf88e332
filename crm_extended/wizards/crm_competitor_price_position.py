from odoo import api, fields, models
from odoo.tools import SQL

OLD_DAYS = 90  # an observation older than this is flagged in the price position


class CrmCompetitorPricePosition(models.TransientModel):
    """Where our prices stand: the parameters of the price position (a customer group or a
    pricelist, a currency, a category) and its lines, one per product and competitor (latest
    observation).

    Our prices come from the pricelist for all the products at once; the competitors' latest
    observations, the gaps, the ages and our rank are written by one INSERT ... SELECT built on
    the user's record rules (``crm.competitor.price._latest_query``).
    """

    _name = "crm.competitor.price.position"
    _description = "Price Position"

    partner_category_id = fields.Many2one(
        "res.partner.category",
        string="Customer Group",
        help="A customer tag (Wholesale, Dealers...): our prices come from the pricelist most of its "
        "clients are served.",
    )
    pricelist_id = fields.Many2one(
        "product.pricelist",
        string="Pricelist",
        required=True,
        compute="_compute_pricelist_id",
        store=True,
        readonly=False,
        precompute=True,
        help="Our prices: the customer group's pricelist, or the one chosen.",
    )
    pricelist_note = fields.Char(string="Group's Pricelist", compute="_compute_pricelist_note")
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        compute="_compute_currency_id",
        store=True,
        readonly=False,
        precompute=True,
        help="Every price of the position is shown in this currency (competitors' at today's rate).",
    )
    categ_id = fields.Many2one("product.category", string="Product Category", help="Empty: every category.")
    date = fields.Date(required=True, default=fields.Date.context_today)
    line_ids = fields.One2many("crm.competitor.price.position.line", "position_id", string="Lines")

    @api.model
    def _default_pricelist(self):
        return self.env["product.pricelist"].search(
            ["|", ("company_id", "=", False), ("company_id", "=", self.env.company.id)], limit=1
        )

    @api.depends("partner_category_id")
    def _compute_pricelist_id(self):
        for position in self:
            group_pricelist = (
                position.partner_category_id._crm_get_pricelist() if position.partner_category_id else None
            )
            position.pricelist_id = group_pricelist or position.pricelist_id or self._default_pricelist()

    @api.depends("partner_category_id", "pricelist_id")
    def _compute_pricelist_note(self):
        for position in self:
            group = position.partner_category_id
            if not group:
                position.pricelist_note = False
                continue
            counts = group._crm_get_pricelist_counts()
            if not counts:
                position.pricelist_note = self.env._(
                    "No client has the tag %(group)s: choose the pricelist.", group=group.display_name
                )
                continue
            position.pricelist_note = self.env._(
                "%(count)s of the %(total)s clients of %(group)s are served this pricelist.",
                count=counts.get(position.pricelist_id._origin, 0),
                total=sum(counts.values()),
                group=group.display_name,
            )

    @api.depends("pricelist_id")
    def _compute_currency_id(self):
        for position in self:
            position.currency_id = position.pricelist_id.currency_id or self.env.company.currency_id

    def _get_product_domain(self):
        self.ensure_one()
        domain = [("sale_ok", "=", True)]
        if self.categ_id:
            domain.append(("categ_id", "child_of", self.categ_id.id))
        return domain

    def action_compute(self):
        """Fill the lines and open them."""
        self.ensure_one()
        self._compute_lines()
        return self.action_open_lines()

    def action_open_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_extended.crm_competitor_price_position_line_action"
        )
        action["domain"] = [("position_id", "=", self.id)]
        action["context"] = {"search_default_group_product": 1}
        if self.partner_category_id:
            action["name"] = self.env._(
                "Price Position: %(group)s (%(pricelist)s), %(currency)s",
                group=self.partner_category_id.display_name,
                pricelist=self.pricelist_id.display_name,
                currency=self.currency_id.name,
            )
        else:
            action["name"] = self.env._(
                "Price Position: %(pricelist)s, %(currency)s",
                pricelist=self.pricelist_id.display_name,
                currency=self.currency_id.name,
            )
        return action

    def unlink(self):
        # the lines' table has no foreign key to cascade the deletion
        self.env["crm.competitor.price.position.line"].search([("position_id", "in", self.ids)]).unlink()
        return super().unlink()

    def _compute_lines(self):
        self.ensure_one()
        self.line_ids.unlink()
        # in id order: the products' default order sorts them by name for nothing
        products = self.env["product.product"].search(self._get_product_domain(), order="id")
        if not products:
            return
        our_prices = self._get_our_prices(products)
        company = self.env.company
        # competitors' normalised prices are in their company's currency: one rate per company
        companies = self.env.companies
        factors = SQL(
            "(VALUES %s) AS fx(company_id, factor)",
            SQL(", ").join(
                SQL(
                    "(%s, %s::numeric)",
                    comp.id,
                    comp.currency_id._get_conversion_rate(
                        comp.currency_id, self.currency_id, company, self.date
                    ),
                )
                for comp in companies
            ),
        )
        Price = self.env["crm.competitor.price"]
        self.env.flush_all()
        latest = Price._latest_priced_query(
            products, columns=("id", "product_id", "competitor_id", "date", "company_id", "price_company")
        )
        ids = list(our_prices)
        # the products' categories are in the cache since the pricelist read them
        categories = {product.id: product.categ_id.id for product in products}
        # each product's count, lowest and highest price and rank from one hash aggregate over the
        # latest rows (no sort of the 100,000 lines), joined back to them
        self.env.cr.execute(
            SQL(
                """
                WITH p AS MATERIALIZED (
                    SELECT o.id, o.product_id, o.competitor_id, o.date, ours.categ_id, ours.price AS ours,
                           ROUND((o.price_company * fx.factor)::numeric, 2)::float8 AS price
                      FROM (%(latest)s) o
                      JOIN %(factors)s ON fx.company_id = o.company_id
                      JOIN unnest(%(ids)s::int[], %(prices)s::float8[], %(categories)s::int[])
                           AS ours(product_id, price, categ_id) ON ours.product_id = o.product_id
                ), agg AS (
                    SELECT product_id, COUNT(*) AS competitors, MIN(price) AS lowest, MAX(price) AS highest,
                           COUNT(*) FILTER (WHERE price < ours) AS cheaper
                      FROM p
                     GROUP BY product_id
                )
                INSERT INTO crm_competitor_price_position_line (
                    position_id, product_id, categ_id, competitor_id, observation_id, currency_id,
                    our_price, competitor_price, gap_percent, date, age_days, rank, competitor_count,
                    is_most_expensive, is_cheapest_competitor, is_old,
                    create_uid, create_date, write_uid, write_date)
                SELECT %(position)s, p.product_id, p.categ_id, p.competitor_id, p.id, %(currency)s,
                       p.ours, p.price,
                       CASE WHEN p.price > 0 THEN (p.ours - p.price) / p.price * 100 END,
                       p.date, %(today)s::date - p.date,
                       1 + agg.cheaper, agg.competitors, p.ours > agg.highest, p.price = agg.lowest,
                       %(today)s::date - p.date > %(old)s,
                       %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
                  FROM p
                  JOIN agg ON agg.product_id = p.product_id
                """,
                position=self.id,
                currency=self.currency_id.id,
                today=self.date,
                old=OLD_DAYS,
                uid=self.env.uid,
                factors=factors,
                latest=latest,
                ids=ids,
                prices=[our_prices[product_id] for product_id in ids],
                categories=[categories[product_id] for product_id in ids],
            )
        )
        self.env["crm.competitor.price.position.line"].invalidate_model()
        self.invalidate_recordset(["line_ids"])

    def _get_our_prices(self, products):
        """{product id: our price} of ``products`` (found under the user's rules) from the
        pricelist, in the position's currency at its date: Odoo's own pricing, for all at once."""
        self.ensure_one()
        pricelist = self.pricelist_id
        pricelist.check_access("read")
        # sudo: the products were searched under the user's record rules and the pricelist (its
        # items share its company) was just checked; as the user, every fetch of the pricing
        # checks each product's rules again in Python (a tenth of the time), for the same prices
        return pricelist.sudo()._get_products_price(
            products.sudo(), 1.0, currency=self.currency_id, date=self.date
        )
