from odoo import api, fields, models


class CrmCompetitorOffer(models.Model):
    """An offer of a competitor that a client showed us in a deal: its document, lines and total.

    Its lines with a product are also observations of the competitor's price
    (kind *offer*, source *offer document*), so the price position sees them.
    """

    _name = "crm.competitor.offer"
    _description = "Competitor Offer"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _rec_names_search = ["name", "competitor_id", "lead_id"]

    name = fields.Char(string="Their Reference", help="The number or title of the competitor's offer.")
    lead_id = fields.Many2one(
        "crm.lead", string="Opportunity", required=True, index=True, ondelete="cascade", tracking=True
    )
    competitor_id = fields.Many2one(
        "res.partner",
        string="Competitor",
        required=True,
        index=True,
        tracking=True,
        domain=[("is_competitor", "=", True)],
    )
    date = fields.Date(required=True, default=fields.Date.context_today)
    user_id = fields.Many2one("res.users", string="Recorded By", default=lambda self: self.env.user)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.company.currency_id
    )
    tax_included = fields.Boolean(string="VAT Included")
    document = fields.Binary(string="Offer Document", attachment=True)
    document_name = fields.Char()
    line_ids = fields.One2many("crm.competitor.offer.line", "offer_id", string="Lines", copy=True)
    amount_total = fields.Monetary(
        string="Total",
        compute="_compute_amount_total",
        store=True,
        readonly=False,
        tracking=True,
        help="The sum of the lines; typed when the offer has no lines.",
    )
    payment_terms = fields.Char()
    delivery_days = fields.Integer(string="Delivery Time (Days)", aggregator=None)
    note = fields.Text()
    is_winner = fields.Boolean(
        string="Won the Deal", readonly=True, copy=False, help="The client chose this offer over ours."
    )

    @api.depends("line_ids.price_subtotal")
    def _compute_amount_total(self):
        for offer in self:
            if offer.line_ids:
                offer.amount_total = sum(offer.line_ids.mapped("price_subtotal"))

    @api.depends("competitor_id.name", "name", "amount_total")
    def _compute_display_name(self):
        for offer in self:
            offer.display_name = " ".join(part for part in (offer.competitor_id.name, offer.name) if part)

    def write(self, vals):
        result = super().write(vals)
        if {
            "competitor_id",
            "date",
            "currency_id",
            "tax_included",
            "lead_id",
            "payment_terms",
            "delivery_days",
        } & set(vals):
            self.line_ids._sync_observations()
        return result

    def unlink(self):
        # lines and their observations go with the offers in the database (ondelete cascade): the
        # latest prices of those products and competitors are flagged again after
        Price = self.env["crm.competitor.price"]
        keys = Price.sudo().search([("offer_line_id.offer_id", "in", self.ids)])._crm_latest_keys()
        result = super().unlink()
        Price._crm_refresh_latest(keys)
        return result
