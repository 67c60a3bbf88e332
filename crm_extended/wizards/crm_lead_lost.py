from odoo import api, fields, models

from ..models.res_partner import COMPETITOR_READERS


class CrmLeadLost(models.TransientModel):
    """The lost-reason dialog names the competitor that won, at what price, and offers to
    register what the client did not buy from us as unmet demand (#14)."""

    _inherit = "crm.lead.lost"

    competitor_offer_id = fields.Many2one(
        "crm.competitor.offer",
        string="Winning Offer",
        domain="[('lead_id', 'in', lead_ids)]",
        groups=COMPETITOR_READERS,
    )
    competitor_id = fields.Many2one(
        "res.partner",
        string="Won by Competitor",
        compute="_compute_competitor",
        store=True,
        readonly=False,
        domain=[("is_competitor", "=", True)],
        groups=COMPETITOR_READERS,
    )
    competitor_price = fields.Monetary(
        string="Their Price",
        compute="_compute_competitor",
        store=True,
        readonly=False,
        groups=COMPETITOR_READERS,
    )
    currency_id = fields.Many2one("res.currency", default=lambda self: self.env.company.currency_id)
    register_demand = fields.Boolean(
        string="Register Unmet Demand",
        help="Record the deal's quotation lines (else the winning offer's lines) in the unmet-demand "
        "register.",
    )
    demand_reason = fields.Selection(
        selection=lambda self: self.env["crm.unsatisfied.demand"]._fields["reason"].selection,
        string="Demand Reason",
        compute="_compute_demand_reason",
        store=True,
        readonly=False,
    )

    @api.depends("competitor_offer_id")
    def _compute_competitor(self):
        for wizard in self:
            offer = wizard.competitor_offer_id
            if offer:
                wizard.competitor_id = offer.competitor_id
                wizard.competitor_price = offer.currency_id._convert(
                    offer.amount_total, wizard.currency_id, offer.company_id, offer.date
                )

    @api.depends("competitor_id")
    def _compute_demand_reason(self):
        for wizard in self:
            wizard.demand_reason = (
                "competitor_won" if wizard.competitor_id else wizard.demand_reason or "price"
            )

    def action_lost_reason_apply(self):
        self.ensure_one()
        if self.competitor_id or self.competitor_price:
            self.lead_ids.write(
                {"lost_competitor_id": self.competitor_id.id, "lost_competitor_price": self.competitor_price}
            )
        if self.competitor_offer_id:
            self.competitor_offer_id.is_winner = True
        if self.register_demand:
            self.lead_ids._register_lost_demand(self.demand_reason or "other", self.competitor_id)
        return super().action_lost_reason_apply()
