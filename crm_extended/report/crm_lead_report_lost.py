from odoo import fields, models
from odoo.tools import SQL

from ..models.res_partner import COMPETITOR_READERS


class CrmLeadReportLost(models.Model):
    """Lost deals: why, where in the funnel, whose, from which source, for
    which products, and the revenue they would have brought, per month.

    A row is a lost opportunity (archived with probability 0) and one product
    category of its quotations; the expected revenue is split between the
    categories in the proportion of the quotations' untaxed amounts (a deal
    without quotation has one row without category). The expected revenue is
    in the lead's company currency, converted to the current company's at the
    date the deal was lost. *Lost Deals* counts each deal once.
    """

    _name = "crm.lead.report.lost"
    _description = "Lost Deals Analysis"
    _auto = False
    _order = "date desc"
    _rec_name = "lead_id"
    _depends = {
        "crm.lead": [
            "active",
            "probability",
            "type",
            "date_closed",
            "lost_reason_id",
            "stage_id",
            "user_id",
            "team_id",
            "source_id",
            "company_id",
            "expected_revenue",
            "lost_competitor_id",
        ],
        "sale.order": ["opportunity_id", "state", "amount_untaxed"],
        "sale.order.line": ["order_id", "product_id", "price_subtotal"],
        "product.product": ["product_tmpl_id"],
        "product.template": ["categ_id"],
        "res.currency.rate": ["rate", "name", "currency_id", "company_id"],
        "res.company": ["currency_id"],
    }

    lead_id = fields.Many2one("crm.lead", string="Deal", readonly=True)
    date = fields.Date(string="Lost On", readonly=True)
    lost_reason_id = fields.Many2one("crm.lost.reason", string="Lost Reason", readonly=True)
    stage_id = fields.Many2one("crm.stage", string="Stage Where Lost", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    source_id = fields.Many2one("utm.source", string="Source", readonly=True)
    categ_id = fields.Many2one("product.category", string="Product Category", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    competitor_id = fields.Many2one(
        "res.partner", string="Lost to Competitor", readonly=True, groups=COMPETITOR_READERS
    )
    company_id = fields.Many2one("res.company", string="Company", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Currency", readonly=True)
    lost_count = fields.Integer(string="Lost Deals", readonly=True)
    lost_revenue = fields.Monetary(string="Lost Revenue", readonly=True)

    @property
    def _table_query(self):
        currency = self.env.company.currency_id
        return SQL(
            """
            WITH lost AS (
                SELECT l.id, l.date_closed::date AS date, l.lost_reason_id, l.stage_id, l.user_id, l.team_id,
                       l.source_id, l.company_id, l.partner_id, l.lost_competitor_id,
                       COALESCE(l.expected_revenue, 0.0) AS revenue,
                       COALESCE(l.date_closed, l.write_date)::date AS rate_date
                  FROM crm_lead l
                 WHERE NOT l.active AND l.probability = 0 AND l.type = 'opportunity'
                   AND l.company_id = ANY(%(companies)s)
            ),
            categ AS (
                SELECT so.opportunity_id AS lead_id, pt.categ_id, SUM(sol.price_subtotal) AS amount
                  FROM sale_order so
                  JOIN lost ON lost.id = so.opportunity_id
                  JOIN sale_order_line sol ON sol.order_id = so.id
                  JOIN product_product pp ON pp.id = sol.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
              GROUP BY so.opportunity_id, pt.categ_id
                HAVING SUM(sol.price_subtotal) > 0
            ),
            share AS (
                SELECT lead_id, categ_id, amount / SUM(amount) OVER (PARTITION BY lead_id) AS share,
                       row_number() OVER (PARTITION BY lead_id ORDER BY amount DESC, categ_id) AS rn
                  FROM categ
            )
            SELECT lost.id * 10000 + COALESCE(share.rn, 0) AS id, lost.id AS lead_id, lost.date,
                   lost.lost_reason_id, lost.stage_id, lost.user_id, lost.team_id, lost.source_id,
                   share.categ_id, lost.partner_id, lost.lost_competitor_id AS competitor_id,
                   lost.company_id, %(currency)s AS currency_id,
                   (COALESCE(share.rn, 1) = 1)::int AS lost_count,
                   lost.revenue * COALESCE(share.share, 1.0) * %(factor)s AS lost_revenue
              FROM lost
              JOIN res_company c ON c.id = lost.company_id
              LEFT JOIN share ON share.lead_id = lost.id
            """,
            companies=self.env.companies.ids,
            currency=currency.id,
            factor=self.env["crm.analytics"]._crm_rate_factor_sql(currency, SQL("lost.rate_date")),
        )
