from odoo import api, fields, models
from odoo.exceptions import ValidationError

# Who reads campaign costs, ROI and the money of the channel report: CRM
# managers and accountants (README, Campaigns); salespeople do not.
COST_GROUPS = "crm_extended.group_crm_extended_campaign_cost"


class CrmCampaignCost(models.Model):
    """What a campaign cost on a channel (a UTM medium and/or source): typed by
    hand, or booked by accounting on a vendor bill line linked to the campaign
    (then the line is the cost and the cost line follows it)."""

    _name = "crm.campaign.cost"
    _description = "Campaign Cost"
    _order = "date desc, id desc"
    _check_company_auto = True

    campaign_id = fields.Many2one(
        "utm.campaign", string="Campaign", required=True, index=True, ondelete="cascade"
    )
    date = fields.Date(required=True, default=fields.Date.context_today, index=True)
    medium_id = fields.Many2one("utm.medium", string="Medium", ondelete="restrict")
    source_id = fields.Many2one("utm.source", string="Source", ondelete="restrict")
    name = fields.Char(string="Description")
    company_id = fields.Many2one(
        "res.company", string="Company", required=True, index=True, default=lambda self: self.env.company
    )
    amount = fields.Monetary(required=True, currency_field="currency_id")
    currency_id = fields.Many2one(
        "res.currency",
        string="Currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
    )
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Company Currency")
    amount_company = fields.Monetary(
        string="Amount in Company Currency",
        currency_field="company_currency_id",
        compute="_compute_amount_company",
        store=True,
        help="The amount converted to the company's currency at the cost's own date.",
    )
    move_line_id = fields.Many2one(
        "account.move.line",
        string="Vendor Bill Line",
        readonly=True,
        index="btree_not_null",
        ondelete="cascade",
        check_company=True,
        help="The posted vendor bill line this cost was booked on: "
        "its amount, date and currency follow the bill.",
    )
    move_id = fields.Many2one(related="move_line_id.move_id", string="Vendor Bill")

    _sql_constraints = [
        ("move_line_unique", "UNIQUE(move_line_id)", "A vendor bill line is the cost of one campaign only."),
    ]

    @api.depends("amount", "currency_id", "company_id", "date")
    def _compute_amount_company(self):
        for cost in self:
            company = cost.company_id or self.env.company
            cost.amount_company = (
                cost.currency_id._convert(cost.amount, company.currency_id, company, cost.date)
                if cost.currency_id and cost.date
                else 0.0
            )

    @api.constrains("medium_id", "source_id")
    def _check_channel(self):
        for cost in self:
            if not cost.medium_id and not cost.source_id:
                raise ValidationError(
                    self.env._(
                        "Cost %(name)s: say on which channel it was spent (a medium or a source).",
                        name=cost.name or cost.campaign_id.title,
                    )
                )

    @api.model
    def _prepare_from_move_line_vals(self, line):
        """The cost a posted vendor bill line stands for: its untaxed amount in
        the bill's currency (a refund negative), at the bill's date."""
        sign = -1 if line.move_id.move_type == "in_refund" else 1
        return {
            "campaign_id": line.crm_campaign_id.id,
            "date": line.move_id.invoice_date or line.date,
            "medium_id": line.crm_medium_id.id,
            "source_id": line.crm_source_id.id,
            "name": line.name or line.move_id.name,
            "company_id": line.company_id.id,
            "amount": sign * line.price_subtotal,
            "currency_id": line.currency_id.id,
            "move_line_id": line.id,
        }
