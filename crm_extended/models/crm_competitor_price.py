from odoo import fields, models


class CrmCompetitorPrice(models.Model):
    """A competitor's price, offer or stock seen in the market.

    Kept in its own model, readable only by the competitor-intelligence group:
    accounting and warehouse users never see it, and nothing in it is posted.
    """

    _name = "crm.competitor.price"
    _description = "Competitor Price"
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
    competitor_product_name = fields.Char(
        string="Their Product Name",
        help="The name under which the competitor sells it.",
    )
    price = fields.Monetary(required=True, tracking=True)
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
    )
    kind = fields.Selection(
        [("list", "List price"), ("offer", "Offer to a client"), ("stock", "Stock seen")],
        default="list",
        required=True,
    )
    quantity_in_stock = fields.Float(string="Stock Seen", digits="Product Unit of Measure")
    date = fields.Date(required=True, default=fields.Date.context_today)
    lead_id = fields.Many2one("crm.lead", string="Opportunity", index="btree_not_null")
    source = fields.Char(help="Where it was seen: web site, a client's word, a tender...")
    user_id = fields.Many2one("res.users", string="Recorded By", default=lambda self: self.env.user)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    our_price = fields.Float(
        related="product_id.lst_price",
        string="Our List Price",
    )
