from odoo import fields, models


class CrmCompetitorPricePositionLine(models.TransientModel):
    """A product of ours beside one competitor's latest price: the gap, its age and our rank."""

    _name = "crm.competitor.price.position.line"
    _description = "Price Position Line"
    _order = "product_id, competitor_price, competitor_id"

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

    def action_open_history(self):
        """The product's price history: a line per competitor over the months."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_extended.crm_competitor_price_action_history"
        )
        action["domain"] = [("product_id", "=", self.product_id.id)]
        action["name"] = self.env._("Price History: %(product)s", product=self.product_id.display_name)
        return action
