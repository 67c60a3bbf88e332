from odoo import fields, models
from odoo.tools import SQL


class CrmCompetitorPricePositionLine(models.TransientModel):
    """A product of ours beside one competitor's latest price: the gap, its age and our rank."""

    _name = "crm.competitor.price.position.line"
    _description = "Price Position Line"
    _order = "product_id, competitor_price, competitor_id"
    # A scratch table written by one INSERT ... SELECT of up to a category times the competitors
    # (100,000 rows): made here without foreign keys, whose checks took three quarters of the
    # time; its rows go with their position (an index, deleted with it) and the transient vacuum.
    _auto = False
    _log_access = True

    position_id = fields.Many2one(
        "crm.competitor.price.position", required=True, index=True, ondelete="cascade"
    )
    product_id = fields.Many2one("product.product", string="Product", readonly=True)
    categ_id = fields.Many2one("product.category", string="Product Category", readonly=True)
    competitor_id = fields.Many2one("res.partner", string="Competitor", readonly=True)
    observation_id = fields.Many2one("crm.competitor.price", string="Observation", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    our_price = fields.Monetary(
        readonly=True, aggregator="avg", help="The pricelist's price, VAT as on the pricelist."
    )
    competitor_price = fields.Monetary(
        string="Their Price",
        readonly=True,
        aggregator="avg",
        help="Their latest observed price, VAT excluded, per our unit, converted at today's rate.",
    )
    gap_percent = fields.Float(
        string="Gap (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="How much more (positive) or less (negative) than them we ask.",
    )
    date = fields.Date(string="Seen On", readonly=True)
    age_days = fields.Integer(string="Age (Days)", readonly=True, aggregator="max")
    rank = fields.Integer(
        string="Our Rank", readonly=True, aggregator="max", help="1: we are the cheapest for this product."
    )
    competitor_count = fields.Integer(string="Competitors", readonly=True, aggregator="max")
    is_most_expensive = fields.Boolean(string="We Are the Most Expensive", readonly=True)
    is_cheapest_competitor = fields.Boolean(string="Cheapest Competitor", readonly=True)
    is_old = fields.Boolean(string="Older than 90 Days", readonly=True)

    def init(self):
        self.env.cr.execute(
            SQL(
                """
                CREATE TABLE IF NOT EXISTS crm_competitor_price_position_line (
                    id serial PRIMARY KEY,
                    position_id integer NOT NULL,
                    product_id integer, categ_id integer, competitor_id integer, observation_id integer,
                    currency_id integer, our_price numeric, competitor_price numeric,
                    gap_percent double precision,
                    date date, age_days integer, rank integer, competitor_count integer,
                    is_most_expensive boolean, is_cheapest_competitor boolean, is_old boolean,
                    create_uid integer, create_date timestamp, write_uid integer, write_date timestamp
                );
                CREATE INDEX IF NOT EXISTS crm_competitor_price_position_line_position_idx
                    ON crm_competitor_price_position_line (position_id, product_id);
                """
            )
        )
        # a table made by an earlier version with the ORM's foreign keys loses them
        self.env.cr.execute(
            SQL(
                "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
                "crm_competitor_price_position_line",
            )
        )
        for (name,) in self.env.cr.fetchall():
            self.env.cr.execute(
                SQL(
                    "ALTER TABLE crm_competitor_price_position_line DROP CONSTRAINT %s",
                    SQL.identifier(name),
                )
            )

    def action_open_history(self):
        """The product's price history: a line per competitor over the months."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_extended.crm_competitor_price_action_history"
        )
        action["domain"] = [("product_id", "=", self.product_id.id)]
        action["name"] = self.env._("Price History: %(product)s", product=self.product_id.display_name)
        return action
