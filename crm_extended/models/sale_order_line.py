from odoo import api, fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    # the cheapest known competitor price of the product, for sales managers (#14)
    competitor_best_price = fields.Monetary(
        string="Cheapest Competitor",
        compute="_compute_competitor_best_price",
        groups="sales_team.group_sale_manager",
        help="The lowest latest price a competitor was seen asking for this product, VAT excluded, "
        "per our unit, in the order's currency.",
    )
    competitor_best_id = fields.Many2one(
        "res.partner",
        string="Cheapest Competitor Name",
        compute="_compute_competitor_best_price",
        groups="sales_team.group_sale_manager",
    )

    @api.depends("product_id", "currency_id", "order_id.date_order")
    def _compute_competitor_best_price(self):
        cheapest = self.env["crm.competitor.price"]._get_cheapest(self.product_id)
        for line in self:
            observation = cheapest.get(line.product_id.id)
            if not observation:
                line.competitor_best_price = 0.0
                line.competitor_best_id = False
                continue
            line.competitor_best_id = observation.competitor_id
            line.competitor_best_price = observation.company_currency_id._convert(
                observation.price_company,
                line.currency_id or observation.company_currency_id,
                observation.company_id,
                fields.Date.context_today(line),
            )
