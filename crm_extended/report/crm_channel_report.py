from datetime import timedelta

import pytz

from odoo import api, fields, models
from odoo.tools import SQL

from ..models.crm_campaign_cost import COST_GROUPS
from ..services import domain_dates

# ratio field: (numerator, denominator, factor); a group's ratio is
# SUM(numerator) / SUM(denominator), never an average of its rows' ratios
RATIOS = {
    "cost_per_lead": ("cost", "lead_count", 1.0),
    "cost_per_customer": ("cost", "new_customer_count", 1.0),
    "opportunity_rate": ("opportunity_count", "lead_count", 100.0),
    "win_rate": ("won_count", "opportunity_count", 100.0),
    "lead_win_rate": ("won_count", "lead_count", 100.0),
    "margin_rate": ("margin", "revenue", 100.0),
}


class _DateBounds(tuple):
    """(first, last) dates, either None, that a search's own domain holds the report's
    ``date`` to, passed to the report's SQL in the context. A class of its own so that
    only the report's ``_search`` can pass it: a context sent over RPC holds no such
    object, and its plain values are ignored."""

    __slots__ = ()


class CrmChannelReport(models.Model):
    """Channel economics: per campaign, source, medium and month, what was
    spent, the leads that came in and what became of them, and the invoiced
    revenue and margin of their deals, in the current company's currency.

    A row is one fact: a cost line (at its date), a lead (at the date it came
    in, with its funnel stage: qualified, won, first won deal of a new
    customer) or a posted customer invoice or credit note of a deal (at the
    invoice date). Each lead and invoice row is there twice: attributed to
    the channel of the lead itself (last touch: the source of the won deal)
    and to the channel of the client's first lead (first touch); costs are
    the same in both. Filter or group on *Attribution*.

    Only the selected companies' documents count; company-currency amounts
    are converted to the current company's currency at each document's date.
    """

    _name = "crm.channel.report"
    _description = "Channel Economics"
    _auto = False
    _order = "date desc"
    _rec_name = "date"
    _depends = {
        "crm.campaign.cost": [
            "date",
            "campaign_id",
            "source_id",
            "medium_id",
            "company_id",
            "amount_company",
        ],
        "crm.lead": [
            "create_date",
            "company_id",
            "user_id",
            "team_id",
            "campaign_id",
            "source_id",
            "medium_id",
            "partner_id",
            "type",
            "stage_id",
            "active",
            "date_closed",
            "crm_client_id",
            "crm_ft_campaign_id",
            "crm_ft_source_id",
            "crm_ft_medium_id",
            "crm_new_customer",
        ],
        "crm.stage": ["is_won"],
        "res.partner": ["commercial_partner_id"],
        "account.move": [
            "state",
            "move_type",
            "invoice_date",
            "company_id",
            "crm_opportunity_id",
            "amount_untaxed_signed",
        ],
        "account.move.line": ["move_id", "display_type", "quantity", "product_id", "company_id"],
        "product.product": ["standard_price"],
        "res.currency.rate": ["rate", "name", "currency_id", "company_id"],
        "res.company": ["currency_id"],
    }

    kind = fields.Selection(
        [("cost", "Cost"), ("lead", "Lead"), ("invoice", "Invoice")], string="Fact", readonly=True
    )
    attribution = fields.Selection(
        [("last", "Last Touch (the deal's source)"), ("first", "First Touch (the client's first lead)")],
        readonly=True,
    )
    date = fields.Date(readonly=True)
    company_id = fields.Many2one("res.company", string="Company", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    campaign_id = fields.Many2one("utm.campaign", string="Campaign", readonly=True)
    source_id = fields.Many2one("utm.source", string="Source", readonly=True)
    medium_id = fields.Many2one("utm.medium", string="Medium", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Currency", readonly=True)
    lead_count = fields.Integer(string="Leads", readonly=True)
    opportunity_count = fields.Integer(string="Qualified Opportunities", readonly=True)
    won_count = fields.Integer(string="Won Deals", readonly=True)
    new_customer_count = fields.Integer(string="New Customers", readonly=True)
    revenue = fields.Monetary(string="Invoiced Revenue (untaxed)", readonly=True)
    cost = fields.Monetary(string="Cost", readonly=True, groups=COST_GROUPS)
    margin = fields.Monetary(
        string="Margin",
        readonly=True,
        groups=COST_GROUPS,
        help="Invoiced revenue less the cost of the products sold (their cost price, where they have one).",
    )
    cost_per_lead = fields.Monetary(
        string="Cost per Lead", readonly=True, aggregator="avg", groups=COST_GROUPS
    )
    cost_per_customer = fields.Monetary(
        string="Cost per Won Client",
        readonly=True,
        aggregator="avg",
        groups=COST_GROUPS,
        help="Cost divided by the new customers (clients whose first won deal it is).",
    )
    roi = fields.Float(
        string="ROI (%)",
        readonly=True,
        aggregator="avg",
        groups=COST_GROUPS,
        help="(Invoiced revenue - cost) / cost, in percent.",
    )
    opportunity_rate = fields.Float(
        string="Lead to Qualified (%)",
        readonly=True,
        aggregator="avg",
        help="Qualified opportunities / leads.",
    )
    win_rate = fields.Float(
        string="Qualified to Won (%)",
        readonly=True,
        aggregator="avg",
        help="Won deals / qualified opportunities.",
    )
    lead_win_rate = fields.Float(
        string="Lead to Won (%)", readonly=True, aggregator="avg", help="Won deals / leads."
    )
    margin_rate = fields.Float(
        string="Margin (%)", readonly=True, aggregator="avg", groups=COST_GROUPS, help="Margin / revenue."
    )

    def _read_group(self, *args, **kwargs):
        # PostgreSQL's JIT compiles this query's many expressions for longer than
        # the query runs (6.7 s of 8.8 s on the bench's 500,000 leads): off for it
        self.env.cr.execute(SQL("SET LOCAL jit = off"))
        try:
            return super()._read_group(*args, **kwargs)
        finally:
            self.env.cr.execute(SQL("SET LOCAL jit TO DEFAULT"))

    def _search(self, domain, offset=0, limit=None, order=None):
        # the dates the domain asks for reach the facts' scans (their indexes), not only the
        # report's outer filter: a month reads a month of leads, invoices and costs
        bounds, current = self._crm_date_bounds(domain), self.env.context.get("crm_channel_dates")
        if bounds != current or type(bounds) is not type(current):
            self = self.with_context(crm_channel_dates=bounds)
        return super()._search(domain, offset=offset, limit=limit, order=order)

    @api.model
    def _crm_date_bounds(self, domain):
        """The first and last ``date`` (inclusive, either None) the domain implies
        (``services/domain_dates.py``), None without any."""
        bounds = domain_dates.date_bounds(domain, "date")
        return _DateBounds(bounds) if bounds else None

    def _read_group_select(self, aggregate_spec, query):
        """Ratios of a group from its summed numerator and denominator."""
        fname = aggregate_spec.split(":")[0]
        if fname == "roi":
            cost = self._field_to_sql(self._table, "cost", query)
            revenue = self._field_to_sql(self._table, "revenue", query)
            return SQL(
                "(SUM(%(revenue)s) - SUM(%(cost)s)) / NULLIF(SUM(%(cost)s), 0) * 100.0",
                revenue=revenue,
                cost=cost,
            )
        if fname in RATIOS:
            numerator, denominator, factor = RATIOS[fname]
            self._field_to_sql(self._table, fname, query)  # the ratio's own groups apply
            return SQL(
                "SUM(%s)::float / NULLIF(SUM(%s), 0) * %s",
                self._field_to_sql(self._table, numerator, query),
                self._field_to_sql(self._table, denominator, query),
                factor,
            )
        return super()._read_group_select(aggregate_spec, query)

    @property
    def _table_query(self):
        return self._crm_query()

    def _crm_query(self):
        companies = tuple(self.env.companies.ids)
        currency = self.env.company.currency_id
        convert = set(self.env.companies.currency_id) != {currency}
        factor = SQL("rate.factor") if convert else SQL("1.0")
        rate_join = (
            SQL("LEFT JOIN rate ON rate.company_id = fact.company_id AND rate.date = fact.date")
            if convert
            else SQL("")
        )
        tz = self.env.context.get("tz") or self.env.user.tz or "UTC"
        tz = tz if tz in pytz.all_timezones_set else "UTC"
        return SQL(
            """
            WITH %(lead)s,
            invoice AS (
                SELECT m.id, m.company_id, m.invoice_date AS date, m.crm_opportunity_id AS lead_id,
                       m.amount_untaxed_signed AS revenue,
                       COALESCE(SUM(aml.quantity * COALESCE(
                           (pp.standard_price ->> aml.company_id::text)::float, 0.0)), 0.0)
                       * CASE WHEN m.move_type = 'out_refund' THEN -1 ELSE 1 END AS cogs
                  FROM account_move m
                  LEFT JOIN account_move_line aml ON aml.move_id = m.id AND aml.display_type = 'product'
                        AND %(line_dates)s
                  LEFT JOIN product_product pp ON pp.id = aml.product_id
                 WHERE m.state = 'posted' AND m.move_type IN ('out_invoice', 'out_refund')
                   AND m.crm_opportunity_id IS NOT NULL AND m.company_id IN %(companies)s
                   AND %(invoice_dates)s
              GROUP BY m.id, m.company_id, m.invoice_date, m.crm_opportunity_id, m.amount_untaxed_signed,
                       m.move_type
            ),
            fact AS (
                SELECT l.id * 4 AS key, 'lead' AS kind, l.date, l.company_id,
                       l.user_id, l.team_id, l.client_id,
                       l.campaign_id, l.source_id, l.medium_id,
                       l.ft_campaign_id, l.ft_source_id, l.ft_medium_id,
                       1 AS lead_count, (l.type = 'opportunity')::int AS opportunity_count,
                       l.won::int AS won_count, l.new_customer::int AS new_customer_count,
                       0.0 AS revenue, 0.0 AS cost, 0.0 AS cogs
                  FROM lead l
                 WHERE %(lead_dates)s
                UNION ALL
                SELECT i.id * 4 + 1, 'invoice', i.date, i.company_id,
                       l.user_id, l.team_id, l.client_id,
                       l.campaign_id, l.source_id, l.medium_id,
                       l.ft_campaign_id, l.ft_source_id, l.ft_medium_id,
                       0, 0, 0, 0, i.revenue, 0.0, i.cogs
                  FROM invoice i
                  JOIN lead l ON l.id = i.lead_id
                UNION ALL
                SELECT c.id * 4 + 2, 'cost', c.date, c.company_id,
                       NULL, NULL, NULL,
                       c.campaign_id, c.source_id, c.medium_id, c.campaign_id, c.source_id, c.medium_id,
                       0, 0, 0, 0, 0.0, c.amount_company, 0.0
                  FROM crm_campaign_cost c
                 WHERE c.company_id IN %(companies)s AND %(cost_dates)s
            )%(rate_cte)s
            SELECT fact.key * 2 + a.is_first::int AS id,
                   fact.kind, a.attribution, fact.date, fact.company_id, fact.user_id, fact.team_id,
                   fact.client_id AS partner_id,
                   CASE WHEN a.is_first THEN fact.ft_campaign_id ELSE fact.campaign_id END AS campaign_id,
                   CASE WHEN a.is_first THEN fact.ft_source_id ELSE fact.source_id END AS source_id,
                   CASE WHEN a.is_first THEN fact.ft_medium_id ELSE fact.medium_id END AS medium_id,
                   %(currency)s AS currency_id,
                   fact.lead_count, fact.opportunity_count, fact.won_count, fact.new_customer_count,
                   fact.revenue * %(factor)s AS revenue,
                   fact.cost * %(factor)s AS cost,
                   (fact.revenue - fact.cogs) * %(factor)s AS margin,
                   NULL::numeric AS cost_per_lead, NULL::numeric AS cost_per_customer, NULL::float AS roi,
                   NULL::float AS opportunity_rate, NULL::float AS win_rate, NULL::float AS lead_win_rate,
                   NULL::float AS margin_rate
              FROM fact
             CROSS JOIN (VALUES ('last', FALSE), ('first', TRUE)) AS a(attribution, is_first)
             %(rate_join)s
            """,
            lead=self._crm_lead_cte(companies, tz),
            companies=companies,
            currency=currency.id,
            factor=factor,
            rate_join=rate_join,
            rate_cte=self._crm_rate_cte(currency) if convert else SQL(""),
            lead_dates=self._crm_dates_condition(SQL("l.created"), slack=True),
            invoice_dates=self._crm_dates_condition(SQL("m.invoice_date")),
            line_dates=self._crm_dates_condition(SQL("aml.invoice_date")),
            cost_dates=self._crm_dates_condition(SQL("c.date")),
        )

    def _crm_dates_condition(self, column, slack=False):
        """SQL holding ``column`` to the dates the search asked for (``_search``), TRUE
        without any. ``slack``: ``column`` is a UTC timestamp whose date in the user's time
        zone is the report's, so the bounds widen by a day each way (no time zone is a day
        away from UTC) and the report's own filter keeps the exact dates."""
        bounds = self.env.context.get("crm_channel_dates")
        if not isinstance(bounds, _DateBounds):
            return SQL("TRUE")
        first, last = bounds
        conditions = []
        if first is not None:
            conditions.append(SQL("%s >= %s", column, first - timedelta(days=1) if slack else first))
        if last is not None:
            conditions.append(SQL("%s < %s", column, last + timedelta(days=2 if slack else 1)))
        return SQL(" AND ").join(conditions)

    def _crm_lead_cte(self, companies, tz):
        """``lead``: the leads of the selected companies (and of none) with their
        client, the channel of the client's first lead and whether it is the
        client's first won deal. Read from the leads' stored client facts
        (services/channel_clients.py) when they are the selected companies'
        own, i.e. no client of theirs has a lead elsewhere; else recomputed
        over the selected companies' leads with window functions."""
        if self._crm_client_facts_apply(companies):
            return SQL(
                """lead AS NOT MATERIALIZED (
                SELECT l.id, l.company_id, l.user_id, l.team_id, l.campaign_id, l.source_id, l.medium_id,
                       (l.create_date AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date AS date,
                       l.type, l.crm_client_id AS client_id, COALESCE(l.active AND s.is_won, FALSE) AS won,
                       CASE WHEN l.crm_client_id IS NULL THEN l.campaign_id ELSE l.crm_ft_campaign_id END
                           AS ft_campaign_id,
                       CASE WHEN l.crm_client_id IS NULL THEN l.source_id ELSE l.crm_ft_source_id END
                           AS ft_source_id,
                       CASE WHEN l.crm_client_id IS NULL THEN l.medium_id ELSE l.crm_ft_medium_id END
                           AS ft_medium_id,
                       COALESCE(l.crm_new_customer, FALSE) AS new_customer, l.create_date AS created
                  FROM crm_lead l
                  LEFT JOIN crm_stage s ON s.id = l.stage_id
                 WHERE l.company_id IS NULL OR l.company_id IN %(companies)s
            )""",
                companies=companies,
                tz=tz,
            )
        return SQL(
            """lead AS (
                SELECT l.id, l.company_id, l.user_id, l.team_id, l.campaign_id, l.source_id, l.medium_id,
                       (l.create_date AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date AS date,
                       l.type, l.client_id, l.won,
                       first_value(l.campaign_id) OVER w_client AS ft_campaign_id,
                       first_value(l.source_id) OVER w_client AS ft_source_id,
                       first_value(l.medium_id) OVER w_client AS ft_medium_id,
                       (l.won AND ARRAY[extract(epoch FROM l.date_closed), l.id]
                                  = min(ARRAY[extract(epoch FROM l.date_closed), l.id])
                                        FILTER (WHERE l.won) OVER w_all) AS new_customer,
                       l.create_date AS created
                  FROM (
                        SELECT l.id, l.company_id, l.user_id, l.team_id, l.campaign_id, l.source_id,
                               l.medium_id, l.create_date, l.type, l.date_closed,
                               p.commercial_partner_id AS client_id,
                               COALESCE(l.active AND s.is_won, FALSE) AS won
                          FROM crm_lead l
                          JOIN res_partner p ON p.id = l.partner_id
                          LEFT JOIN crm_stage s ON s.id = l.stage_id
                         WHERE l.company_id IS NULL OR l.company_id IN %(companies)s
                       ) l
                WINDOW w_all AS (PARTITION BY l.client_id),
                       w_client AS (w_all ORDER BY l.create_date, l.id
                                    ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
                UNION ALL
                SELECT l.id, l.company_id, l.user_id, l.team_id, l.campaign_id, l.source_id, l.medium_id,
                       (l.create_date AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date,
                       l.type, NULL, COALESCE(l.active AND s.is_won, FALSE),
                       l.campaign_id, l.source_id, l.medium_id, FALSE, l.create_date
                  FROM crm_lead l
                  LEFT JOIN crm_stage s ON s.id = l.stage_id
                 WHERE l.partner_id IS NULL AND (l.company_id IS NULL OR l.company_id IN %(companies)s)
            )""",
            companies=companies,
            tz=tz,
        )

    def _crm_client_facts_apply(self, companies):
        """Whether the stored client facts (over all companies) are those of the
        selected companies: no client of theirs has a lead in another company."""
        others = self.env["res.company"].sudo().search([("id", "not in", companies)]).ids
        if not others:
            return True
        self.env.cr.execute(
            SQL(
                """
                SELECT 1 FROM crm_lead o
                 WHERE o.company_id = ANY(%(others)s) AND o.crm_client_id IS NOT NULL
                   AND EXISTS (SELECT 1 FROM crm_lead i
                                WHERE i.crm_client_id = o.crm_client_id
                                  AND (i.company_id IS NULL OR i.company_id IN %(companies)s))
                 LIMIT 1
                """,
                others=others,
                companies=companies,
            )
        )
        return not self.env.cr.fetchone()

    def _crm_rate_cte(self, currency):
        """``rate``: per company and date of the facts, the factor from the
        company's currency to ``currency``, with the rates ``_convert`` would
        use (the latest on or before the date, the company's own before a
        shared one, 1.0 without any)."""
        return SQL(
            """,
            rate AS (
                SELECT k.company_id, k.date,
                       COALESCE((SELECT r.rate FROM res_currency_rate r
                                  WHERE r.currency_id = %(currency)s AND r.name <= k.date
                                    AND (r.company_id IS NULL OR r.company_id = k.root_id)
                               ORDER BY r.company_id, r.name DESC LIMIT 1), 1.0)
                     / COALESCE((SELECT r.rate FROM res_currency_rate r
                                  WHERE r.currency_id = k.currency_id AND r.name <= k.date
                                    AND (r.company_id IS NULL OR r.company_id = k.root_id)
                               ORDER BY r.company_id, r.name DESC LIMIT 1), 1.0) AS factor
                  FROM (SELECT DISTINCT f.company_id, f.date, c.currency_id,
                               split_part(c.parent_path, '/', 1)::int AS root_id
                          FROM fact f
                          JOIN res_company c ON c.id = f.company_id
                         WHERE f.kind <> 'lead') k
            )""",
            currency=currency.id,
        )
