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

    def _crm_short_of_stock(self):
        """These lines of quotations (not orders) whose storable product lacks the free
        quantity of the line (in the product's unit) in the order's warehouse, now: what says a
        line is given up for lack of stock (#14)."""
        short = self.browse()
        quotation_lines = self.filtered(
            lambda line: line.order_id.state in ("draft", "sent") and line.product_id.is_storable
        )
        for line in quotation_lines:
            product = line.product_id.with_context(warehouse_id=line.order_id.warehouse_id.id)
            wanted = line.product_uom._compute_quantity(line.product_uom_qty, product.uom_id, round=False)
            if product.free_qty < wanted:
                short |= line
        return short

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

    def unlink(self):
        """A line removed from a quotation while its product lacks the free quantity in the
        order's warehouse is registered as unmet demand, as a cancelled quotation's lines are
        (#14)."""
        Demand = self.env["crm.unsatisfied.demand"]
        vals_list = Demand._prepare_from_lines(
            self._crm_short_of_stock(), origin="removed_line", reason="out_of_stock", sale_line_id=False
        )
        result = super().unlink()
        if vals_list:
            # sudo: the register records what a quotation gave up, whoever removes the line (a
            # colleague of the salesperson the demand is written for, an administrator).
            Demand.sudo().create(vals_list)
        return result
