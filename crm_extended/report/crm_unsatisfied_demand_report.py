from odoo import fields, models
from odoo.tools import SQL


class CrmUnsatisfiedDemandReport(models.Model):
    """Unmet demand analysed: by product, category, reason and month, the lost revenue at our
    list price in the current company's currency (each demand converted at its own date), and
    the demand signals buyers read: products asked for again and again, with the clients waiting.
    """

    _name = "crm.unsatisfied.demand.report"
    _description = "Unmet Demand Analysis"
    _auto = False
    _order = "date desc"
    _depends = {
        "crm.unsatisfied.demand": [
            "date",
            "date_wanted",
            "product_id",
            "categ_id",
            "description",
            "partner_id",
            "lead_id",
            "user_id",
            "team_id",
            "reason",
            "origin",
            "state",
            "competitor_id",
            "company_id",
            "quantity",
            "uom_id",
            "amount_lost",
        ],
    }

    date = fields.Date(string="Recorded On", readonly=True)
    date_wanted = fields.Date(string="Wanted By", readonly=True)
    product_id = fields.Many2one("product.product", string="Product", readonly=True)
    categ_id = fields.Many2one("product.category", string="Product Category", readonly=True)
    description = fields.Char(readonly=True)
    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    lead_id = fields.Many2one("crm.lead", string="Opportunity", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    reason = fields.Selection(
        lambda self: self.env["crm.unsatisfied.demand"]._fields["reason"].selection, readonly=True
    )
    origin = fields.Selection(
        lambda self: self.env["crm.unsatisfied.demand"]._fields["origin"].selection,
        string="Came From",
        readonly=True,
    )
    state = fields.Selection(
        lambda self: self.env["crm.unsatisfied.demand"]._fields["state"].selection, readonly=True
    )
    competitor_id = fields.Many2one("res.partner", string="Won by Competitor", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")
    demand_count = fields.Integer(string="Requests", readonly=True)
    quantity = fields.Float(string="Quantity (Product Unit)", readonly=True, digits="Product Unit of Measure")
    amount_lost = fields.Monetary(string="Lost Revenue", readonly=True)
    product_request_count = fields.Integer(
        string="Open Requests for the Product",
        readonly=True,
        aggregator="max",
        help="How many open requests the product has (in the company): two or more is a signal.",
    )

    def _compute_currency_id(self):
        self.currency_id = self.env.company.currency_id

    @property
    def _table_query(self):
        target = self.env.company.currency_id
        ratio = self.env["res.currency"]._crm_ratio_sql(
            SQL("company.currency_id"), target, SQL("d.date"), self.env.company
        )
        return SQL(
            """
            SELECT d.id, d.date, d.date_wanted, d.product_id, d.categ_id, d.description, d.partner_id,
                   d.lead_id, d.user_id, d.team_id, d.reason, d.origin, d.state, d.competitor_id,
                   d.company_id, 1 AS demand_count,
                   CASE WHEN d.uom_id = tmpl.uom_id OR uom.id IS NULL OR puom.id IS NULL THEN d.quantity
                        ELSE d.quantity / uom.factor * puom.factor END AS quantity,
                   d.amount_lost * %(ratio)s AS amount_lost,
                   CASE WHEN d.state = 'open' AND d.product_id IS NOT NULL
                        THEN COUNT(*) FILTER (WHERE d.state = 'open')
                             OVER (PARTITION BY d.product_id, d.company_id, d.state)
                        ELSE 0 END AS product_request_count
              FROM crm_unsatisfied_demand d
              JOIN res_company company ON company.id = d.company_id
              LEFT JOIN product_product product ON product.id = d.product_id
              LEFT JOIN product_template tmpl ON tmpl.id = product.product_tmpl_id
              LEFT JOIN uom_uom uom ON uom.id = d.uom_id
              LEFT JOIN uom_uom puom ON puom.id = tmpl.uom_id
             WHERE d.company_id IN %(companies)s
            """,
            ratio=ratio,
            companies=tuple(self.env.companies.ids),
        )
