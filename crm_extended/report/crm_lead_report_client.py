from odoo import fields, models
from odoo.tools import SQL

from ..models.crm_customer_class_mixin import ABC_SELECTION, CLASS_MONEY_GROUPS

_CLIENT_DEPENDS = {
    "crm.lead": [
        "partner_id",
        "create_date",
        "create_uid",
        "user_id",
        "team_id",
        "company_id",
        "active",
        "stage_id",
        "date_closed",
        "tag_ids",
        "first_touch_user_id",
    ],
    "crm.stage": ["is_won"],
    "res.partner": ["commercial_partner_id", "first_touch_user_id", "crm_abc_class"],
    "sale.order": ["opportunity_id", "state"],
    "sale.order.line": ["order_id", "product_id", "sequence"],
    "product.product": ["product_tmpl_id"],
    "product.template": ["categ_id"],
}


# per client (commercial entity): its first lead (by creation), the interest
# that lead shows (first quotation line's category, first tag), who touched
# the client first, its leads and wins
def client_cte(companies):
    return SQL(
        """
    lead AS (
        SELECT l.id, l.create_date, l.create_uid, l.user_id, l.team_id, l.company_id, l.date_closed,
               l.first_touch_user_id, p.commercial_partner_id AS client_id,
               COALESCE(l.active AND s.is_won, FALSE) AS won
          FROM crm_lead l
          JOIN res_partner p ON p.id = l.partner_id
          LEFT JOIN crm_stage s ON s.id = l.stage_id
         WHERE l.company_id IS NULL OR l.company_id = ANY(%(companies)s)
    ),
    client AS (
        SELECT DISTINCT ON (client_id) client_id, id AS first_lead_id, create_date AS first_date,
               user_id, team_id,
               company_id, COALESCE(first_touch_user_id, user_id, create_uid) AS lead_touch_user_id
          FROM lead
      ORDER BY client_id, create_date, id
    ),
    outcome AS (
        SELECT client_id, COUNT(*) AS lead_count, COUNT(*) FILTER (WHERE won) AS won_count,
               MIN(date_closed) FILTER (WHERE won) AS first_won
          FROM lead
      GROUP BY client_id
    ),
    interest AS (
        SELECT DISTINCT ON (so.opportunity_id) so.opportunity_id AS lead_id, pt.categ_id
          FROM sale_order so
          JOIN client ON client.first_lead_id = so.opportunity_id
          JOIN sale_order_line sol ON sol.order_id = so.id AND sol.product_id IS NOT NULL
          JOIN product_product pp ON pp.id = sol.product_id
          JOIN product_template pt ON pt.id = pp.product_tmpl_id
      ORDER BY so.opportunity_id, so.id, sol.sequence, sol.id
    ),
    tag AS (
        SELECT r.lead_id, MIN(r.tag_id) AS tag_id
          FROM crm_tag_rel r
          JOIN client ON client.first_lead_id = r.lead_id
      GROUP BY r.lead_id
    )
    """,
        companies=companies,
    )


class CrmLeadReportInterest(models.Model):
    """Primary interest: what a client first asked about (the product
    category of the first line of its first lead's first quotation, and that
    lead's first tag) against the categories it bought since (posted invoices
    and credit notes of the selected companies) and its ABC class. A row is a
    client and a category it bought (one row without category when it
    bought nothing); *Clients* counts each client once."""

    _name = "crm.lead.report.interest"
    _description = "Primary Interest Analysis"
    _auto = False
    _rec_name = "partner_id"
    _depends = {
        **_CLIENT_DEPENDS,
        "account.move": ["state", "move_type", "company_id", "commercial_partner_id", "invoice_date"],
        "account.move.line": ["move_id", "display_type", "product_id", "balance"],
    }

    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    first_lead_id = fields.Many2one("crm.lead", string="First Lead", readonly=True)
    date = fields.Date(string="First Lead On", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", string="Company", readonly=True)
    interest_categ_id = fields.Many2one("product.category", string="First Interest (Category)", readonly=True)
    interest_tag_id = fields.Many2one("crm.tag", string="First Interest (Tag)", readonly=True)
    bought_categ_id = fields.Many2one("product.category", string="Bought Category", readonly=True)
    abc_class = fields.Selection(ABC_SELECTION, string="ABC (Revenue)", readonly=True)
    client_count = fields.Integer(string="Clients", readonly=True)
    same_category = fields.Boolean(string="Bought What It First Asked", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Currency", readonly=True)
    revenue = fields.Monetary(string="Revenue (untaxed)", readonly=True, groups=CLASS_MONEY_GROUPS)

    @property
    def _table_query(self):
        companies = self.env.companies.ids
        return SQL(
            """
            WITH %(client_cte)s,
            bought AS (
                SELECT m.commercial_partner_id AS client_id, pt.categ_id, -SUM(aml.balance) AS revenue
                  FROM account_move m
                  JOIN client ON client.client_id = m.commercial_partner_id
                  JOIN account_move_line aml ON aml.move_id = m.id AND aml.display_type = 'product'
                  JOIN product_product pp ON pp.id = aml.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                 WHERE m.state = 'posted' AND m.move_type IN ('out_invoice', 'out_refund')
                   AND m.company_id = ANY(%(companies)s)
              GROUP BY 1, 2
            ),
            ranked AS (
                SELECT client_id, categ_id, revenue,
                       row_number() OVER (PARTITION BY client_id ORDER BY revenue DESC, categ_id) AS rn
                  FROM bought
            )
            SELECT client.client_id * 100000 + COALESCE(ranked.rn, 0) AS id,
                   client.client_id AS partner_id, client.first_lead_id, client.first_date::date AS date,
                   client.user_id, client.team_id, client.company_id,
                   interest.categ_id AS interest_categ_id, tag.tag_id AS interest_tag_id,
                   ranked.categ_id AS bought_categ_id, cp.crm_abc_class AS abc_class,
                   (COALESCE(ranked.rn, 1) = 1)::int AS client_count,
                   COALESCE(ranked.categ_id = interest.categ_id, FALSE) AS same_category,
                   %(currency)s AS currency_id, COALESCE(ranked.revenue, 0.0) AS revenue
              FROM client
              JOIN res_partner cp ON cp.id = client.client_id
              LEFT JOIN interest ON interest.lead_id = client.first_lead_id
              LEFT JOIN tag ON tag.lead_id = client.first_lead_id
              LEFT JOIN ranked ON ranked.client_id = client.client_id
            """,
            client_cte=client_cte(companies),
            companies=companies,
            currency=self.env.company.currency_id.id,
        )


class CrmLeadReportTouch(models.Model):
    """First touch against outcome: per client, the user who first answered
    it (the telephony's first touch of the client, else of its first lead,
    else that lead's salesperson or creator), its leads, whether and how
    fast it was won, and its ABC class."""

    _name = "crm.lead.report.touch"
    _description = "First Touch Analysis"
    _auto = False
    _rec_name = "partner_id"
    _depends = _CLIENT_DEPENDS

    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    first_lead_id = fields.Many2one("crm.lead", string="First Lead", readonly=True)
    date = fields.Date(string="First Lead On", readonly=True)
    touch_user_id = fields.Many2one("res.users", string="First Touch By", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", string="Company", readonly=True)
    abc_class = fields.Selection(ABC_SELECTION, string="ABC (Revenue)", readonly=True)
    client_count = fields.Integer(string="Clients", readonly=True)
    lead_count = fields.Integer(string="Leads", readonly=True)
    won_count = fields.Integer(string="Won Deals", readonly=True)
    won_client_count = fields.Integer(string="Won Clients", readonly=True)
    conversion = fields.Float(
        string="Won Clients (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the clients won at least once.",
    )
    days_to_win = fields.Float(
        string="Days to First Win",
        readonly=True,
        aggregator="avg",
        help="Days from the client's first lead to its first won deal (clients won only).",
    )

    @property
    def _table_query(self):
        return SQL(
            """
            WITH %(client_cte)s
            SELECT client.client_id AS id, client.client_id AS partner_id, client.first_lead_id,
                   client.first_date::date AS date,
                   COALESCE(cp.first_touch_user_id, client.lead_touch_user_id) AS touch_user_id,
                   client.user_id, client.team_id, client.company_id, cp.crm_abc_class AS abc_class,
                   1 AS client_count, outcome.lead_count, outcome.won_count,
                   (outcome.won_count > 0)::int AS won_client_count,
                   CASE WHEN outcome.won_count > 0 THEN 100.0 ELSE 0.0 END AS conversion,
                   EXTRACT(EPOCH FROM outcome.first_won - client.first_date) / 86400.0 AS days_to_win
              FROM client
              JOIN res_partner cp ON cp.id = client.client_id
              JOIN outcome ON outcome.client_id = client.client_id
            """,
            client_cte=client_cte(self.env.companies.ids),
        )
