from odoo import api, fields, models


class CrmCompetitorOfferLine(models.Model):
    """A product and price of a competitor's offer; with a product, it is also an observation."""

    _name = "crm.competitor.offer.line"
    _description = "Competitor Offer Line"
    _order = "offer_id, sequence, id"

    offer_id = fields.Many2one(
        "crm.competitor.offer", string="Offer", required=True, index=True, ondelete="cascade"
    )
    sequence = fields.Integer(default=10)
    product_id = fields.Many2one("product.product", string="Product", index="btree_not_null")
    name = fields.Char(string="Description", help="As the competitor wrote it.")
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure")
    price_unit = fields.Monetary(string="Unit Price", aggregator=None)
    price_subtotal = fields.Monetary(string="Subtotal", compute="_compute_price_subtotal", store=True)
    currency_id = fields.Many2one(related="offer_id.currency_id")
    company_id = fields.Many2one(related="offer_id.company_id", store=True, index=True)
    observation_id = fields.Many2one("crm.competitor.price", string="Observation", readonly=True, copy=False)

    @api.depends("quantity", "price_unit")
    def _compute_price_subtotal(self):
        for line in self:
            line.price_subtotal = line.quantity * line.price_unit

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._sync_observations()
        return lines

    def write(self, vals):
        result = super().write(vals)
        if {"product_id", "name", "quantity", "price_unit", "offer_id"} & set(vals):
            self._sync_observations()
        return result

    def unlink(self):
        # their observations go with them in the database (ondelete cascade): the latest prices
        # of those products and competitors are flagged again after
        keys = (
            self.env["crm.competitor.price"]
            .sudo()
            .search([("offer_line_id", "in", self.ids)])
            ._crm_latest_keys()
        )
        result = super().unlink()
        self.env["crm.competitor.price"]._crm_refresh_latest(keys)
        return result

    def _prepare_observation_vals(self):
        self.ensure_one()
        offer = self.offer_id
        return {
            "competitor_id": offer.competitor_id.id,
            "product_id": self.product_id.id,
            "competitor_product_name": self.name or False,
            "price": self.price_unit,
            "currency_id": offer.currency_id.id,
            "tax_included": offer.tax_included,
            "min_quantity": self.quantity or 1.0,
            "kind": "offer",
            "source": "offer",
            "source_note": offer.name or False,
            "date": offer.date,
            "lead_id": offer.lead_id.id,
            "payment_terms": offer.payment_terms or False,
            "delivery_days": offer.delivery_days,
            "user_id": offer.user_id.id or self.env.uid,
            "company_id": offer.company_id.id,
            "offer_line_id": self.id,
        }

    def _sync_observations(self):
        """Each line with a product and a price is an observation; without them, none."""
        Price = self.env["crm.competitor.price"]
        stale = self.filtered(lambda line: line.observation_id and not (line.product_id and line.price_unit))
        stale.observation_id.unlink()
        to_create = []
        for line in self.filtered(lambda line: line.product_id and line.price_unit):
            vals = line._prepare_observation_vals()
            if line.observation_id:
                line.observation_id.write(vals)
            else:
                to_create.append((line, vals))
        if to_create:
            observations = Price.create([vals for _line, vals in to_create])
            for (line, _vals), observation in zip(to_create, observations, strict=True):
                line.observation_id = observation
