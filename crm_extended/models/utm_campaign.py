from odoo import api, fields, models

from ..services import channel_economics
from .crm_campaign_cost import COST_GROUPS


class UtmCampaign(models.Model):
    """Campaign planning on Odoo's own UTM campaign: dates, budget, target
    segment, goals and costs, and what the campaign brought (read from the
    channel report, so the form and the report give the same figures)."""

    _inherit = "utm.campaign"

    crm_date_start = fields.Date(string="Start Date")
    crm_date_end = fields.Date(string="End Date")
    crm_segment_id = fields.Many2one(
        "mailing.filter",
        string="Target Segment",
        domain="[('crm_is_segment', '=', True)]",
        help="Who the campaign is meant to reach: a saved segment of contacts or leads.",
    )
    crm_currency_id = fields.Many2one(
        "res.currency",
        string="Figures Currency",
        compute="_compute_crm_currency_id",
        help="The current company's currency: every figure of the campaign is converted to it.",
    )
    crm_budget = fields.Monetary(string="Budget", currency_field="crm_budget_currency_id", groups=COST_GROUPS)
    crm_budget_currency_id = fields.Many2one(
        "res.currency",
        string="Budget Currency",
        default=lambda self: self.env.company.currency_id,
        groups=COST_GROUPS,
    )
    crm_goal_lead_count = fields.Integer(string="Goal: Leads")
    crm_goal_won_count = fields.Integer(string="Goal: Won Deals")
    crm_goal_revenue = fields.Monetary(
        string="Goal: Invoiced Revenue", currency_field="crm_budget_currency_id", groups=COST_GROUPS
    )
    crm_cost_ids = fields.One2many("crm.campaign.cost", "campaign_id", string="Costs", groups=COST_GROUPS)

    # what the campaign brought (last touch: the campaign of the lead itself)
    crm_lead_count = fields.Integer(string="Leads", compute="_compute_crm_results")
    crm_opportunity_count = fields.Integer(string="Qualified", compute="_compute_crm_results")
    crm_won_count = fields.Integer(string="Won Deals", compute="_compute_crm_results")
    crm_goal_lead_progress = fields.Float(string="Leads Goal (%)", compute="_compute_crm_results")
    crm_goal_won_progress = fields.Float(string="Won Goal (%)", compute="_compute_crm_results")
    crm_cost_amount = fields.Monetary(
        string="Cost", currency_field="crm_currency_id", compute="_compute_crm_money", groups=COST_GROUPS
    )
    crm_revenue_amount = fields.Monetary(
        string="Invoiced Revenue (untaxed)",
        currency_field="crm_currency_id",
        compute="_compute_crm_money",
        groups=COST_GROUPS,
    )
    crm_roi = fields.Float(
        string="ROI (%)",
        compute="_compute_crm_money",
        groups=COST_GROUPS,
        help="(Invoiced revenue - cost) / cost, in percent.",
    )
    crm_budget_used = fields.Float(string="Budget Used (%)", compute="_compute_crm_money", groups=COST_GROUPS)
    crm_goal_revenue_progress = fields.Float(
        string="Revenue Goal (%)", compute="_compute_crm_money", groups=COST_GROUPS
    )

    def _compute_mailing_mail_count(self):
        # mass_mailing's campaign form reads these counts outside its groups:
        # without mailing rights (salespeople, managers opening the campaign
        # from CRM) they are 0, not an access error
        if self.env["mailing.mailing"].has_access("read"):
            return super()._compute_mailing_mail_count()
        self.mailing_mail_count = self.ab_testing_mailings_count = 0
        return None

    def _compute_mailing_sms_count(self):
        if self.env["mailing.mailing"].has_access("read"):
            return super()._compute_mailing_sms_count()
        self.mailing_sms_count = self.ab_testing_mailings_sms_count = 0
        return None

    @api.depends_context("company")
    def _compute_crm_currency_id(self):
        self.crm_currency_id = self.env.company.currency_id

    @api.depends_context("uid", "company", "allowed_company_ids")
    def _compute_crm_results(self):
        """Counts from the channel report, as the user may see them (a
        salesperson: the campaign's leads that are his)."""
        figures = self._crm_report_figures(["lead_count", "opportunity_count", "won_count"])
        for campaign in self:
            leads, opportunities, won = figures.get(campaign.id, (0, 0, 0))
            campaign.crm_lead_count = leads
            campaign.crm_opportunity_count = opportunities
            campaign.crm_won_count = won
            campaign.crm_goal_lead_progress = channel_economics.progress(leads, campaign.crm_goal_lead_count)
            campaign.crm_goal_won_progress = channel_economics.progress(won, campaign.crm_goal_won_count)

    @api.depends_context("uid", "company", "allowed_company_ids")
    def _compute_crm_money(self):
        figures = self._crm_report_figures(["cost", "revenue"])
        company = self.env.company
        for campaign in self:
            cost, revenue = figures.get(campaign.id, (0.0, 0.0))
            campaign.crm_cost_amount = cost
            campaign.crm_revenue_amount = revenue
            campaign.crm_roi = channel_economics.roi(revenue, cost) or 0.0
            budget = campaign.crm_budget_currency_id._convert(
                campaign.crm_budget, company.currency_id, company, campaign.crm_date_start
            )
            goal = campaign.crm_budget_currency_id._convert(
                campaign.crm_goal_revenue, company.currency_id, company, campaign.crm_date_start
            )
            campaign.crm_budget_used = channel_economics.progress(cost, budget)
            campaign.crm_goal_revenue_progress = channel_economics.progress(revenue, goal)

    def _crm_report_figures(self, measures):
        """{campaign id: (measure, ...)} summed over the channel report's rows
        of these campaigns, last-touch attribution, as the current user."""
        ids = [campaign_id for campaign_id in self.ids if campaign_id]
        if not ids:
            return {}
        rows = self.env["crm.channel.report"]._read_group(
            [("campaign_id", "in", ids), ("attribution", "=", "last")],
            ["campaign_id"],
            [f"{measure}:sum" for measure in measures],
        )
        return {campaign.id: tuple(values) for campaign, *values in rows}

    def action_crm_view_costs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_extended.crm_campaign_cost_action")
        action["domain"] = [("campaign_id", "=", self.id)]
        action["context"] = {"default_campaign_id": self.id}
        return action

    def action_crm_view_channels(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_extended.crm_channel_report_action")
        action["domain"] = [("campaign_id", "=", self.id)]
        return action
