import calendar
from contextlib import contextmanager
from datetime import date

from odoo import api, fields, models
from odoo.tools import SQL

from ..models.crm_kpi_target import KPIS, MONEY_KPIS
from ..services import domain_dates

# ratio measures: SUM(numerator) / SUM(denominator) * 100 over a group, never an average of rows
RATIOS = {"percent": ("fact", "target"), "projection_percent": ("projection", "target")}


class CrmKpiReport(models.Model):
    """KPI plan versus fact per month, salesperson and team.

    Facts come from the database's own records: posted customer invoices and
    credit notes (invoiced revenue untaxed, margin = revenue less the cost of the
    goods when they were sold, see ``_crm_invoiced_sql``), their payments (paid
    revenue, taxes included, at the reconciliation date), a client's first invoice (new customers), won
    opportunities (at their closing date), outbound calls, meetings held
    (organised, already started) and leads first contacted within their
    response SLA. Money is summed over the selected companies only, converted
    into the current company's currency at each document's date.

    A row is a (month, KPI, salesperson) with its target and fact
    (``level`` person; its team is the salesperson's sales team), or a
    (month, KPI, team) with the team's own target and its members' facts
    (``level`` team)."""

    _name = "crm.kpi.report"
    _description = "KPI Plan versus Fact"
    _auto = False
    _order = "month desc, kpi"
    _depends = {
        "crm.kpi.target": ["company_id", "month", "user_id", "team_id", "kpi", "target"],
        "account.move": ["state", "move_type", "invoice_date", "invoice_user_id", "company_id"],
        "account.move.line": [
            "balance",
            "quantity",
            "product_id",
            "product_uom_id",
            "display_type",
            "move_id",
            "parent_state",
            "invoice_date",
            "price_unit",
            "cogs_origin_id",
            "sale_line_ids",
        ],
        "stock.move": ["sale_line_id", "state", "product_id", "date", "origin_returned_move_id"],
        "sale.order.line": ["order_id", "sequence"],
        "stock.valuation.layer": ["value", "quantity", "stock_move_id", "company_id", "product_id"],
        "account.partial.reconcile": ["amount", "max_date", "debit_move_id", "credit_move_id"],
        "crm.lead": [
            "date_closed",
            "stage_id",
            "active",
            "type",
            "user_id",
            "responded_at",
            "response_in_time",
        ],
        "crm.phone.call": ["direction", "start_at", "user_id", "company_id"],
        "calendar.event": ["start", "user_id", "active"],
        "crm.team.member": ["user_id", "crm_team_id", "active"],
    }

    month = fields.Date(readonly=True)
    kpi = fields.Selection(KPIS, string="KPI", readonly=True)
    level = fields.Selection([("person", "Salesperson"), ("team", "Team")], readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Currency", readonly=True)
    target = fields.Float(string="Plan", readonly=True)
    fact = fields.Float(string="Fact", readonly=True)
    percent = fields.Float(string="% of Plan", readonly=True, aggregator="sum")
    projection = fields.Float(
        string="Projected to Month End",
        readonly=True,
        help="The current month's fact at its pace so far (by calendar days); a past month's fact.",
    )
    projection_percent = fields.Float(string="Projected % of Plan", readonly=True, aggregator="sum")

    @api.model
    def _read_group_select(self, aggregate_spec, query):
        fname = aggregate_spec.split(":")[0]
        if fname in RATIOS:
            numerator, denominator = RATIOS[fname]
            self._field_to_sql(self._table, fname, query)
            return SQL(
                "SUM(%s)::float / NULLIF(SUM(%s), 0) * 100.0",
                self._field_to_sql(self._table, numerator, query),
                self._field_to_sql(self._table, denominator, query),
            )
        return super()._read_group_select(aggregate_spec, query)

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        months = self._crm_month_range(domain)
        report = self.with_context(crm_kpi_months=months) if months else self
        return super(CrmKpiReport, report)._search(domain, offset=offset, limit=limit, order=order)

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        months = self._crm_month_range(domain)
        report = self.with_context(crm_kpi_months=months) if months else self
        with self._crm_no_jit():
            return super(CrmKpiReport, report)._read_group(
                domain, groupby, aggregates, having=having, offset=offset, limit=limit, order=order
            )

    @api.model
    def search_fetch(self, domain, field_names, offset=0, limit=None, order=None):
        with self._crm_no_jit():
            return super().search_fetch(domain, field_names, offset=offset, limit=limit, order=order)

    @contextmanager
    def _crm_no_jit(self):
        """PostgreSQL's JIT compiles the board's statement for far longer than it runs (20.6 s of
        compiling in an 18 s run on the bench's 1,000,000 invoice lines): off for it, as for the
        channel report and the analytics; the setting it found is restored after."""
        self.env.cr.execute(SQL("SELECT current_setting('jit')"))
        previous = self.env.cr.fetchone()[0]
        self.env.cr.execute(SQL("SET LOCAL jit = off"))
        try:
            yield
        finally:
            self.env.cr.execute(SQL("SELECT set_config('jit', %s, true)", previous))

    @api.model
    def _crm_month_range(self, domain):
        """``(first, last)`` months a domain made only of AND-ed conditions
        keeps, from its conditions on ``month`` (else None): every fact's scan
        is then limited to those months' dates, on their indexes. The domain
        still applies as written."""
        bounds = domain_dates.date_bounds(domain, "month")
        if not bounds:
            return None
        first, last = bounds
        return (first or date(1900, 1, 1)).replace(day=1), (last or date(2999, 12, 1)).replace(day=1)

    @property
    def _table_query(self):
        return self._crm_query(self.env.context.get("crm_kpi_months"))

    def _crm_query(self, months=None):
        companies = tuple(self.env.companies.ids)
        currency = self.env.company.currency_id
        convert = set(self.env.companies.currency_id) != {currency}
        today = fields.Date.context_today(self)
        first, last = months or (None, None)
        date_from = first or date(1900, 1, 1)
        date_to = (
            last.replace(day=calendar.monthrange(last.year, last.month)[1]) if last else date(2999, 12, 31)
        )
        month_start = today.replace(day=1)
        days_in_month = calendar.monthrange(today.year, today.month)[1]
        return SQL(
            """
            WITH member AS (
                SELECT DISTINCT ON (m.user_id) m.user_id, m.crm_team_id AS team_id
                  FROM crm_team_member m
                 WHERE m.active
              ORDER BY m.user_id, m.create_date, m.id
            ),
            fact_day AS (%(facts)s),
            fact AS (
                SELECT f.company_id, date_trunc('month', f.date)::date AS month, f.user_id, f.kpi,
                       SUM(f.value * %(factor)s) AS fact
                  FROM fact_day f %(rate_join)s
              GROUP BY 1, 2, 3, 4
            ),
            target AS (
                SELECT t.company_id, t.month, t.user_id, t.team_id, t.kpi, t.target
                  FROM crm_kpi_target t
                 WHERE t.company_id IN %(companies)s AND t.month BETWEEN %(from)s AND %(to)s
            ),
            person AS (
                SELECT COALESCE(t.company_id, f.company_id) AS company_id,
                       COALESCE(t.month, f.month) AS month, COALESCE(t.user_id, f.user_id) AS user_id,
                       COALESCE(t.kpi, f.kpi) AS kpi,
                       t.team_id, COALESCE(t.target, 0.0) AS target, COALESCE(f.fact, 0.0) AS fact
                  FROM (SELECT * FROM target WHERE user_id IS NOT NULL) t
                  FULL JOIN fact f ON f.company_id = t.company_id AND f.month = t.month
                                  AND f.user_id = t.user_id AND f.kpi = t.kpi
            ),
            team AS (
                SELECT COALESCE(t.company_id, f.company_id) AS company_id,
                       COALESCE(t.month, f.month) AS month, COALESCE(t.team_id, f.team_id) AS team_id,
                       COALESCE(t.kpi, f.kpi) AS kpi,
                       COALESCE(t.target, 0.0) AS target, COALESCE(f.fact, 0.0) AS fact
                  FROM (SELECT * FROM target WHERE user_id IS NULL) t
                  FULL JOIN (SELECT f.company_id, f.month, mb.team_id, f.kpi, SUM(f.fact) AS fact
                               FROM fact f JOIN member mb ON mb.user_id = f.user_id
                           GROUP BY 1, 2, 3, 4) f
                         ON f.company_id = t.company_id AND f.month = t.month
                        AND f.team_id = t.team_id AND f.kpi = t.kpi
            ),
            board AS (
                SELECT 'person' AS level, p.company_id, p.month, p.user_id,
                       COALESCE(p.team_id, mb.team_id) AS team_id, p.kpi, p.target, p.fact
                  FROM person p LEFT JOIN member mb ON mb.user_id = p.user_id
                UNION ALL
                SELECT 'team', t.company_id, t.month, NULL, t.team_id, t.kpi, t.target, t.fact FROM team t
            )
            SELECT row_number() OVER (ORDER BY b.month, b.level, b.company_id, b.user_id, b.team_id, b.kpi)
                       AS id,
                   b.level, b.company_id, b.month, b.user_id, b.team_id, b.kpi,
                   CASE WHEN b.kpi IN %(money)s THEN %(currency)s END AS currency_id,
                   b.target, b.fact,
                   CASE WHEN b.month = %(month_start)s THEN b.fact * %(days)s / %(elapsed)s
                        WHEN b.month > %(month_start)s THEN 0.0
                        ELSE b.fact END AS projection,
                   b.fact / NULLIF(b.target, 0) * 100.0 AS percent,
                   CASE WHEN b.month = %(month_start)s THEN b.fact * %(days)s / %(elapsed)s
                        WHEN b.month > %(month_start)s THEN 0.0
                        ELSE b.fact END / NULLIF(b.target, 0) * 100.0 AS projection_percent
              FROM board b
             WHERE b.month BETWEEN %(from)s AND %(to)s
            """,
            facts=self._crm_facts_sql(companies, date_from, date_to),
            factor=SQL("CASE WHEN f.kpi IN %s THEN COALESCE(rate.factor, 1.0) ELSE 1.0 END", MONEY_KPIS)
            if convert
            else SQL("1.0"),
            rate_join=self._crm_rate_join(currency) if convert else SQL(""),
            companies=companies,
            currency=currency.id,
            money=MONEY_KPIS,
            month_start=month_start,
            days=float(days_in_month),
            elapsed=float(today.day),
            **{"from": date_from, "to": date_to},
        )

    def _crm_facts_sql(self, companies, date_from, date_to):
        """``(company_id, date, user_id, kpi, value)`` per day: the facts of each KPI, money in its
        company's currency. Each scan is limited to [date_from, date_to] on its date's index."""
        end = date_to.toordinal() + 1
        until = date.fromordinal(end)
        params = {
            "companies": companies,
            "from": date_from,
            "until": until,
            "company": self.env.company.id,
        }
        return SQL(
            """
                SELECT inv.company_id, inv.invoice_date AS date, inv.invoice_user_id AS user_id, k.kpi,
                       CASE WHEN k.kpi = 'invoiced' THEN inv.revenue ELSE inv.revenue - inv.cost END AS value
                  FROM (%(invoiced)s) inv
                 CROSS JOIN (VALUES ('invoiced'), ('margin')) AS k(kpi)
            UNION ALL
                SELECT inv.company_id, pr.max_date, inv.invoice_user_id, 'paid', SUM(pr.amount)
                  FROM account_partial_reconcile pr
                  JOIN account_move_line dl ON dl.id = pr.debit_move_id AND dl.display_type = 'payment_term'
                  JOIN account_move inv ON inv.id = dl.move_id
                  JOIN account_move_line cl ON cl.id = pr.credit_move_id
                  JOIN account_move pay ON pay.id = cl.move_id
                 WHERE inv.move_type = 'out_invoice' AND inv.state = 'posted'
                   AND pay.move_type NOT IN ('out_invoice', 'out_refund')
                   AND inv.company_id IN %(companies)s
                   AND pr.max_date >= %(from)s AND pr.max_date < %(until)s
              GROUP BY 1, 2, 3
            UNION ALL
                SELECT m.company_id, m.invoice_date, m.invoice_user_id, 'new_customers', count(*)
                  FROM account_move m
                 WHERE m.state = 'posted' AND m.move_type = 'out_invoice' AND m.company_id IN %(companies)s
                   AND m.invoice_date >= %(from)s AND m.invoice_date < %(until)s
                   AND m.commercial_partner_id IS NOT NULL
                   AND NOT EXISTS (
                       SELECT 1 FROM account_move e
                        WHERE e.commercial_partner_id = m.commercial_partner_id
                          AND e.state = 'posted' AND e.move_type = 'out_invoice'
                          AND e.company_id IN %(companies)s
                          AND (e.invoice_date, e.id) < (m.invoice_date, m.id))
              GROUP BY 1, 2, 3
            UNION ALL
                SELECT COALESCE(l.company_id, %(company)s), l.date_closed::date, l.user_id, 'won', count(*)
                  FROM crm_lead l
                  JOIN crm_stage s ON s.id = l.stage_id AND s.is_won
                 WHERE l.active AND l.type = 'opportunity'
                   AND (l.company_id IN %(companies)s OR l.company_id IS NULL)
                   AND l.date_closed >= %(from)s AND l.date_closed < %(until)s
              GROUP BY 1, 2, 3
            UNION ALL
                SELECT c.company_id, c.start_at::date, c.user_id, 'calls', count(*)
                  FROM crm_phone_call c
                 WHERE c.direction = 'outbound' AND c.company_id IN %(companies)s
                   AND c.start_at >= %(from)s AND c.start_at < %(until)s
              GROUP BY 1, 2, 3
            UNION ALL
                SELECT u.company_id, e.day, e.user_id, 'meetings', e.meetings
                  FROM (SELECT e.start::date AS day, e.user_id, count(*) AS meetings
                          FROM calendar_event e
                         WHERE e.active AND e.start <= now() AT TIME ZONE 'UTC'
                           AND e.start >= %(from)s AND e.start < %(until)s
                      GROUP BY 1, 2) e
                  JOIN res_users u ON u.id = e.user_id
                 WHERE u.company_id IN %(companies)s
            UNION ALL
                SELECT COALESCE(l.company_id, %(company)s), l.responded_at::date, l.user_id, 'sla', count(*)
                  FROM crm_lead l
                 WHERE l.response_in_time AND (l.company_id IN %(companies)s OR l.company_id IS NULL)
                   AND l.responded_at >= %(from)s AND l.responded_at < %(until)s
              GROUP BY 1, 2, 3
            """,
            invoiced=self._crm_invoiced_sql(companies, date_from, until),
            **params,
        )

    def _crm_invoiced_sql(self, companies, date_from, until):
        """``(company_id, invoice_date, invoice_user_id, revenue, cost)`` of the posted customer invoices
        and credit notes (refunds negative), in the company's currency. The cost is what the goods
        cost when they were sold, the first of:

        1. the cost of goods sold the invoice line booked (anglo-saxon accounting, automated
           valuation: its ``cogs`` lines, ``cogs_origin_id``);
        2. what was delivered for the line's sale order line (its last one, as Odoo's
           ``_stock_account_get_anglo_saxon_price_unit``), matched quantity for quantity in
           delivery order: the sale line's invoiced quantities, in invoice order (invoice date,
           id), take its deliveries (done moves in the invoice's company, each at its valuation
           layers' unit cost, less what was returned from it) in the order they were done; a
           credit note gives back the last quantities invoiced. This is what Odoo books when each
           invoice follows its deliveries (``_compute_average_price``: what was delivered and not
           yet invoiced). What the deliveries do not cover yet takes 3 or 4;
        3. the product's stock value per unit on hand in the company at the end of the invoice date
           (its valuation layers made until then);
        4. the product's current cost (services, consumables and products never valued in stock:
           Odoo keeps no cost history for them).

        ``sold``: the slice [lo, hi] of its sale line's invoiced quantity each line takes, after
        what the sale line's earlier invoices and credit notes took; ``delivered``: what the
        deliveries, piled up in the order they were done, give to that slice."""
        quantity = self._crm_quantity_sql("m", "l", "lu", "pu")
        earlier_quantity = self._crm_quantity_sql("m2", "l2", "lu2", "pu")
        return SQL(
            """
            WITH line AS (
                SELECT m.company_id, m.invoice_date, m.invoice_user_id, l.product_id, pt.is_storable,
                       m.id AS move_id, l.id AS line_id, pu.id AS uom_id,
                       -l.balance AS revenue,
                       %(quantity)s AS quantity,
                       COALESCE((pp.standard_price ->> m.company_id::text)::float, 0.0) AS standard,
                       CASE WHEN pt.is_storable THEN (
                           SELECT -SUM(c.balance) FROM account_move_line c
                            WHERE c.cogs_origin_id = l.id AND c.display_type = 'cogs' AND c.price_unit > 0
                       ) END AS booked,
                       CASE WHEN pt.is_storable THEN (
                           SELECT r.order_line_id
                             FROM sale_order_line_invoice_rel r
                             JOIN sale_order_line so ON so.id = r.order_line_id
                            WHERE r.invoice_line_id = l.id
                         ORDER BY so.order_id DESC, so.sequence DESC, so.id DESC
                            LIMIT 1
                       ) END AS sale_line_id
                  FROM account_move m
                  JOIN account_move_line l ON l.move_id = m.id AND l.display_type = 'product'
                                          AND l.parent_state = 'posted'
                                          AND l.invoice_date >= %(from)s AND l.invoice_date < %(until)s
                  LEFT JOIN product_product pp ON pp.id = l.product_id
                  LEFT JOIN product_template pt ON pt.id = pp.product_tmpl_id
                  LEFT JOIN uom_uom lu ON lu.id = l.product_uom_id
                  LEFT JOIN uom_uom pu ON pu.id = pt.uom_id
                 WHERE m.state = 'posted' AND m.move_type IN ('out_invoice', 'out_refund')
                   AND m.company_id IN %(companies)s
                   AND m.invoice_date >= %(from)s AND m.invoice_date < %(until)s
            ),
            sold AS (
                SELECT line.line_id, line.company_id, line.product_id, line.sale_line_id,
                       earlier.quantity + LEAST(line.quantity, 0) AS lo,
                       earlier.quantity + GREATEST(line.quantity, 0) AS hi
                  FROM line
                 CROSS JOIN LATERAL (
                     SELECT COALESCE(SUM(%(earlier_quantity)s), 0) AS quantity
                       FROM sale_order_line_invoice_rel r
                       JOIN account_move_line l2 ON l2.id = r.invoice_line_id
                       JOIN account_move m2 ON m2.id = l2.move_id
                       LEFT JOIN uom_uom lu2 ON lu2.id = l2.product_uom_id
                       LEFT JOIN uom_uom pu ON pu.id = line.uom_id
                      WHERE r.order_line_id = line.sale_line_id AND l2.product_id = line.product_id
                        AND l2.display_type = 'product'
                        AND m2.state = 'posted' AND m2.move_type IN ('out_invoice', 'out_refund')
                        AND (m2.invoice_date, m2.id, l2.id) < (line.invoice_date, line.move_id, line.line_id)
                 ) earlier
                 WHERE line.booked IS NULL AND line.sale_line_id IS NOT NULL
            ),
            delivered AS (
                SELECT s.line_id, SUM(d.taken) AS quantity, SUM(d.taken * d.unit) AS value
                  FROM sold s
                  JOIN LATERAL (
                      SELECT o.unit, GREATEST(LEAST(s.hi, o.upto) - GREATEST(s.lo, o.upto - o.quantity), 0)
                                 AS taken
                        FROM (SELECT mv.unit, mv.quantity,
                                     SUM(mv.quantity) OVER (ORDER BY mv.date, mv.id) AS upto
                                FROM (SELECT sm.id, sm.date, SUM(v.value) / SUM(v.quantity) AS unit,
                                             -SUM(v.quantity) - COALESCE((
                                                 SELECT SUM(rv.quantity)
                                                   FROM stock_move rm
                                                   JOIN stock_valuation_layer rv
                                                        ON rv.stock_move_id = rm.id
                                                       AND rv.company_id = s.company_id
                                                  WHERE rm.origin_returned_move_id = sm.id
                                                    AND rm.state = 'done'
                                             ), 0) AS quantity
                                        FROM stock_move sm
                                        JOIN stock_valuation_layer v
                                             ON v.stock_move_id = sm.id AND v.company_id = s.company_id
                                       WHERE sm.sale_line_id = s.sale_line_id AND sm.state = 'done'
                                         AND sm.product_id = s.product_id
                                    GROUP BY sm.id, sm.date
                                      HAVING SUM(v.quantity) < 0) mv
                               WHERE mv.quantity > 0) o
                  ) d ON TRUE
              GROUP BY s.line_id
            ),
            on_hand AS (
                SELECT k.company_id, k.product_id, k.invoice_date,
                       (SELECT CASE WHEN SUM(v.quantity) > 0 THEN SUM(v.value) / SUM(v.quantity) END
                          FROM stock_valuation_layer v
                         WHERE v.product_id = k.product_id AND v.company_id = k.company_id
                           AND v.create_date < k.invoice_date + 1) AS unit
                  FROM (SELECT DISTINCT line.company_id, line.product_id, line.invoice_date
                          FROM line LEFT JOIN delivered d ON d.line_id = line.line_id
                         WHERE line.is_storable AND line.booked IS NULL
                           AND (d.quantity IS NULL OR d.quantity < ABS(line.quantity))) k
            )
            SELECT line.company_id, line.invoice_date, line.invoice_user_id, SUM(line.revenue) AS revenue,
                   SUM(COALESCE(line.booked,
                                SIGN(line.quantity) * d.value
                                + (line.quantity - SIGN(line.quantity) * d.quantity)
                                  * COALESCE(h.unit, line.standard),
                                line.quantity * COALESCE(h.unit, line.standard))) AS cost
              FROM line
              LEFT JOIN delivered d ON d.line_id = line.line_id
              LEFT JOIN on_hand h ON h.company_id = line.company_id AND h.product_id = line.product_id
                                 AND h.invoice_date = line.invoice_date
          GROUP BY 1, 2, 3
            """,
            quantity=quantity,
            earlier_quantity=earlier_quantity,
            companies=companies,
            until=until,
            **{"from": date_from},
        )

    def _crm_quantity_sql(self, move, line, line_uom, product_uom):
        """A journal item's quantity in its product's unit, negative on a credit note (aliases of
        its move, itself, its unit and its product's unit)."""
        return SQL(
            """CASE WHEN %(m)s.move_type = 'out_refund' THEN -1.0 ELSE 1.0 END
               * CASE WHEN %(lu)s.id = %(pu)s.id OR %(lu)s.id IS NULL OR %(pu)s.id IS NULL THEN %(l)s.quantity
                      ELSE %(l)s.quantity / %(lu)s.factor * %(pu)s.factor END""",
            m=SQL.identifier(move),
            l=SQL.identifier(line),
            lu=SQL.identifier(line_uom),
            pu=SQL.identifier(product_uom),
        )

    def _crm_rate_join(self, currency):
        """The factor from each fact's company currency to ``currency`` at the fact's date, as
        ``_convert`` would choose its rates (the latest on or before the date, the company's own
        before a shared one, 1.0 without any)."""
        return SQL(
            """
            JOIN res_company fc ON fc.id = f.company_id
            CROSS JOIN LATERAL (
                SELECT COALESCE((SELECT r.rate FROM res_currency_rate r
                                  WHERE r.currency_id = %(currency)s AND r.name <= f.date
                                    AND (r.company_id IS NULL
                                         OR r.company_id = split_part(fc.parent_path, '/', 1)::int)
                               ORDER BY r.company_id, r.name DESC LIMIT 1), 1.0)
                     / COALESCE((SELECT r.rate FROM res_currency_rate r
                                  WHERE r.currency_id = fc.currency_id AND r.name <= f.date
                                    AND (r.company_id IS NULL
                                         OR r.company_id = split_part(fc.parent_path, '/', 1)::int)
                               ORDER BY r.company_id, r.name DESC LIMIT 1), 1.0) AS factor
            ) rate
            """,
            currency=currency.id,
        )
