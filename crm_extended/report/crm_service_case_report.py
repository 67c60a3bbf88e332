from odoo import fields, models
from odoo.tools import SQL

COST_GROUPS = "crm_extended.group_crm_extended_service_manager,account.group_account_invoice"


class CrmServiceCaseReport(models.Model):
    """Service cases analysed: by product, cause, type and month; warranty share; SLA; warranty cost.

    No case text (subject, description, chatter): accountants read the cost here, not the cases.
    Costs are in the current company's currency, each case converted at its own date.
    """

    _name = "crm.service.case.report"
    _description = "Service Case Analysis"
    _auto = False
    _rec_name = "name"
    _order = "date_open desc"
    _depends = {
        "crm.service.case": [
            "name",
            "date_open",
            "date_closed",
            "company_id",
            "type_id",
            "stage_id",
            "cause_id",
            "product_id",
            "product_categ_id",
            "commercial_partner_id",
            "client_group_id",
            "user_id",
            "is_closed",
            "warranty_state",
            "response_hours",
            "resolution_hours",
            "response_late",
            "resolution_late",
            "sla_response_deadline",
            "sla_resolution_deadline",
            "date_first_response",
            "cost_return",
            "cost_repair",
            "cost_replacement",
            "cost_refund",
        ],
    }

    name = fields.Char(string="Reference", readonly=True)
    date_open = fields.Datetime(string="Opened", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")
    type_id = fields.Many2one("crm.service.case.type", string="Case Type", readonly=True)
    stage_id = fields.Many2one("crm.service.case.stage", string="Stage", readonly=True)
    cause_id = fields.Many2one("crm.service.cause", string="Cause", readonly=True)
    product_id = fields.Many2one("product.product", string="Product", readonly=True)
    product_categ_id = fields.Many2one("product.category", string="Product Category", readonly=True)
    commercial_partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    client_group_id = fields.Many2one("crm.client.group", string="Holding", readonly=True)
    user_id = fields.Many2one("res.users", string="Responsible", readonly=True)
    is_closed = fields.Boolean(string="Closed", readonly=True)
    warranty_state = fields.Selection(
        lambda self: self.env["crm.service.case"]._fields["warranty_state"].selection,
        string="Warranty",
        readonly=True,
    )
    case_count = fields.Integer(string="Cases", readonly=True, aggregator="sum")
    warranty_share = fields.Float(string="Under Warranty (Share)", readonly=True, aggregator="avg")
    response_hours = fields.Float(string="Hours to First Response", readonly=True, aggregator="avg")
    response_sla_hours = fields.Float(string="First Response SLA (Hours)", readonly=True, aggregator="avg")
    response_on_time = fields.Float(string="First Response on Time (Share)", readonly=True, aggregator="avg")
    resolution_hours = fields.Float(string="Hours to Resolution", readonly=True, aggregator="avg")
    resolution_sla_hours = fields.Float(string="Resolution SLA (Hours)", readonly=True, aggregator="avg")
    resolution_on_time = fields.Float(string="Resolved on Time (Share)", readonly=True, aggregator="avg")
    cost_return = fields.Monetary(string="Returned Goods (Cost)", readonly=True, groups=COST_GROUPS)
    cost_repair = fields.Monetary(string="Repair Cost", readonly=True, groups=COST_GROUPS)
    cost_replacement = fields.Monetary(string="Replacement Cost", readonly=True, groups=COST_GROUPS)
    cost_refund = fields.Monetary(string="Credit Notes (Amount)", readonly=True, groups=COST_GROUPS)
    cost_total = fields.Monetary(string="Warranty Cost", readonly=True, groups=COST_GROUPS)

    def _compute_currency_id(self):
        self.currency_id = self.env.company.currency_id

    @property
    def _table_query(self):
        return self._query()

    def _query(self):
        target = self.env.company.currency_id
        # a currency's rate on the case's day, for the current company (its own rates first, as Odoo does)
        rate_target = SQL(
            """(SELECT r.rate FROM res_currency_rate r
                 WHERE r.currency_id = %(currency)s AND r.name <= c.date_open::date
                   AND (r.company_id = %(company)s OR r.company_id IS NULL)
                 ORDER BY r.company_id NULLS LAST, r.name DESC LIMIT 1)""",
            currency=target.id,
            company=self.env.company.id,
        )
        rate_source = SQL(
            """(SELECT r.rate FROM res_currency_rate r
                 WHERE r.currency_id = company.currency_id AND r.name <= c.date_open::date
                   AND (r.company_id = %(company)s OR r.company_id IS NULL)
                 ORDER BY r.company_id NULLS LAST, r.name DESC LIMIT 1)""",
            company=self.env.company.id,
        )
        factor = SQL(
            "CASE WHEN company.currency_id = %s THEN 1.0 ELSE COALESCE(%s, 1.0) / COALESCE(%s, 1.0) END",
            target.id,
            rate_target,
            rate_source,
        )
        return SQL(
            """
            SELECT c.id, c.name, c.date_open, c.company_id, c.type_id, c.stage_id, c.cause_id, c.product_id,
                   c.product_categ_id, c.commercial_partner_id, c.client_group_id, c.user_id, c.is_closed,
                   c.warranty_state, 1 AS case_count,
                   CASE WHEN c.warranty_state = 'valid' THEN 1.0 ELSE 0.0 END AS warranty_share,
                   NULLIF(c.response_hours, 0) AS response_hours,
                   EXTRACT(EPOCH FROM c.sla_response_deadline - c.date_open) / 3600 AS response_sla_hours,
                   CASE WHEN c.date_first_response IS NULL THEN NULL
                        WHEN c.response_late THEN 0.0 ELSE 1.0 END AS response_on_time,
                   NULLIF(c.resolution_hours, 0) AS resolution_hours,
                   EXTRACT(EPOCH FROM c.sla_resolution_deadline - c.date_open) / 3600 AS resolution_sla_hours,
                   CASE WHEN c.date_closed IS NULL THEN NULL
                        WHEN c.resolution_late THEN 0.0 ELSE 1.0 END AS resolution_on_time,
                   c.cost_return * fx.factor AS cost_return,
                   c.cost_repair * fx.factor AS cost_repair,
                   c.cost_replacement * fx.factor AS cost_replacement,
                   c.cost_refund * fx.factor AS cost_refund,
                   c.cost_total * fx.factor AS cost_total
              FROM crm_service_case c
              JOIN res_company company ON company.id = c.company_id
              CROSS JOIN LATERAL (SELECT %(factor)s AS factor) fx
             WHERE c.company_id IN %(companies)s
            """,
            factor=factor,
            companies=tuple(self.env.companies.ids),
        )
