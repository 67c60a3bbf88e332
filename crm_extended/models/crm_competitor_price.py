from odoo import api, fields, models
from odoo.tools.misc import format_date


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
    # Prices in different currencies cannot be added together: reports use the converted fields below.
    price = fields.Monetary(required=True, tracking=True, aggregator=None)
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
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Company Currency")
    # One converted price, stored three times so that reports offer its average, lowest and highest
    # value as measures; none of them is ever summed.
    price_company = fields.Monetary(
        string="Average Price",
        currency_field="company_currency_id",
        compute="_compute_price_company",
        store=True,
        aggregator="avg",
        help="The price converted to the company's currency at the rate of the day it was seen; "
        "reports show the average of the grouped prices.",
    )
    price_company_min = fields.Monetary(
        string="Lowest Price",
        currency_field="company_currency_id",
        compute="_compute_price_company",
        store=True,
        aggregator="min",
        help="The price converted to the company's currency at the rate of the day it was seen; "
        "reports show the lowest of the grouped prices.",
    )
    price_company_max = fields.Monetary(
        string="Highest Price",
        currency_field="company_currency_id",
        compute="_compute_price_company",
        store=True,
        aggregator="max",
        help="The price converted to the company's currency at the rate of the day it was seen; "
        "reports show the highest of the grouped prices.",
    )
    our_price = fields.Float(
        related="product_id.lst_price",
        string="Our List Price",
        aggregator=None,
    )

    @api.depends("competitor_id.name", "product_id.display_name", "date")
    @api.depends_context("lang")
    def _compute_display_name(self):
        for record in self:
            parts = (record.competitor_id.name, record.product_id.display_name)
            name = " \N{EN DASH} ".join(part for part in parts if part)
            if name and record.date:
                name = f"{name}, {format_date(self.env, record.date)}"
            record.display_name = name

    @api.depends("price", "currency_id", "company_id.currency_id", "date")
    def _compute_price_company(self):
        for record in self:
            amount = record.price
            if amount and record.currency_id and record.company_currency_id:
                amount = record.currency_id._convert(
                    amount,
                    record.company_currency_id,
                    record.company_id,
                    record.date or fields.Date.context_today(record),
                )
            record.price_company = record.price_company_min = record.price_company_max = amount
