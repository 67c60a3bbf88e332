from odoo import Command, api, fields, models

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
        "register: the lines ticked below.",
    )
    demand_line_ids = fields.One2many(
        "crm.lead.lost.line",
        "wizard_id",
        string="Lines to Register",
        compute="_compute_demand_line_ids",
        store=True,
        readonly=False,
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

    @api.depends("lead_ids", "competitor_offer_id")
    def _compute_demand_line_ids(self):
        for wizard in self:
            # the leads' own records: the offer of a new dialog is a new record wrapping its origin
            offer = wizard.competitor_offer_id._origin
            sale_lines, offer_lines = wizard.lead_ids._origin._get_lost_demand_lines(offer)
            wizard.demand_line_ids = (
                [Command.clear()]
                + [
                    Command.create(
                        {
                            "lead_id": line.order_id.opportunity_id.id,
                            "sale_line_id": line.id,
                            "product_id": line.product_id.id,
                            "name": line.name,
                            "quantity": line.product_uom_qty,
                            "uom_id": line.product_uom.id,
                        }
                    )
                    for line in sale_lines
                ]
                + [
                    Command.create(
                        {
                            "lead_id": line.offer_id.lead_id.id,
                            "offer_line_id": line.id,
                            "product_id": line.product_id.id,
                            "name": line.name or line.product_id.display_name,
                            "quantity": line.quantity,
                            "uom_id": line.product_id.uom_id.id,
                        }
                    )
                    for line in offer_lines
                ]
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
            ticked = self.demand_line_ids.filtered("is_selected")
            # only the deals' own lines, whatever a line of the dialog was made to point to
            sale_lines, offer_lines = self.lead_ids._get_lost_demand_lines(self.competitor_offer_id)
            sale_lines &= ticked.sale_line_id
            offer_lines &= ticked.offer_line_id
            if sale_lines or offer_lines:
                self.lead_ids._register_lost_demand(
                    self.demand_reason or "other",
                    self.competitor_id,
                    sale_lines=sale_lines,
                    offer_lines=offer_lines,
                )
        return super().action_lost_reason_apply()
