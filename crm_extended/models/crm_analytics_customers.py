from collections import defaultdict
from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from ..services import customer_classes
from .crm_analytics import _analytics_statements

CLASS_FIELDS = (
    "crm_abc_class",
    "crm_abc_margin_class",
    "crm_xyz_class",
    "crm_rfm_segment",
    "crm_recency_days",
    "crm_invoice_frequency",
    "crm_class_revenue",
    "crm_class_margin",
    "crm_class_currency_id",
)
# the currency of every client's classes (their revenue and margin), set by the recompute
CURRENCY_PARAMETER = "crm_extended.classes_currency_id"
# a client: its holding (negative id) when it has one, else its commercial entity
UNIT = SQL("CASE WHEN cp.client_group_id IS NOT NULL THEN -cp.client_group_id ELSE cp.id END")


def _array_text(values):
    """``values`` (numbers, strings, None) as the text of a PostgreSQL array,
    for one parameter cast to an array type: PostgreSQL reads it as one
    value, where a Python list is sent as an ARRAY[...] of one constant per
    element (for 100,000 clients' classes 1.3 s of adapting, sending and
    parsing per statement against 0.1 s of work)."""

    def element(value):
        if value is None:
            return "NULL"
        if isinstance(value, str):
            return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return str(value)

    return "{" + ",".join(map(element, values)) + "}"


class CrmAnalytics(models.AbstractModel):
    _inherit = "crm.analytics"

    @api.model
    def _crm_class_parameters(self):
        get = self.env["ir.config_parameter"].sudo().get_param
        return {
            "months": int(get("crm_extended.class_months", 12)),
            "abc": (
                float(get("crm_extended.class_abc_a", 80)) / 100.0,
                float(get("crm_extended.class_abc_b", 15)) / 100.0,
                float(get("crm_extended.class_abc_c", 5)) / 100.0,
            ),
            "xyz": (float(get("crm_extended.class_xyz_x", 0.5)), float(get("crm_extended.class_xyz_y", 1.0))),
            "hhi_warning": float(get("crm_extended.hhi_warning", customer_classes.HHI_WARNING)),
        }

    @api.model
    def _crm_class_currency(self):
        """The currency the classes were last computed in (that of the first
        company when they never were): one for every client, read by their
        ``crm_class_currency_id``."""
        # sudo: a setting of the recompute, which every reader of the classes needs
        currency_id = int(self.env["ir.config_parameter"].sudo().get_param(CURRENCY_PARAMETER, 0) or 0)
        currency = self.env["res.currency"].browse(currency_id).exists() if currency_id else None
        # sudo: the first company's currency, whichever companies the user may read
        return currency or self.env["res.company"].sudo().search([], limit=1).currency_id

    @api.model
    def _crm_period(self, months, date_to=None):
        """The last ``months`` whole months up to ``date_to`` (today): (first day, date_to)."""
        date_to = fields.Date.to_date(date_to) or fields.Date.context_today(self)
        date_from = date(date_to.year, date_to.month, 1) - relativedelta(months=months - 1)
        return date_from, date_to

    @api.model
    def _crm_rate_factor_sql(self, currency, day=None):
        """The factor from the currency of company ``c`` to ``currency`` at
        ``day`` (default ``mv.invoice_date``), with the rates ``_convert`` uses
        (the latest on or before the date, the company's own before a shared
        one, 1.0 without any)."""
        return SQL(
            """
            CASE WHEN c.currency_id = %(currency)s THEN 1.0 ELSE
              COALESCE((SELECT r.rate FROM res_currency_rate r
                         WHERE r.currency_id = %(currency)s AND r.name <= %(day)s
                           AND (r.company_id IS NULL OR r.company_id = split_part(c.parent_path, '/', 1)::int)
                      ORDER BY r.company_id, r.name DESC LIMIT 1), 1.0)
            / COALESCE((SELECT r.rate FROM res_currency_rate r
                         WHERE r.currency_id = c.currency_id AND r.name <= %(day)s
                           AND (r.company_id IS NULL OR r.company_id = split_part(c.parent_path, '/', 1)::int)
                      ORDER BY r.company_id, r.name DESC LIMIT 1), 1.0) END
            """,
            currency=currency.id,
            day=day or SQL("mv.invoice_date"),
        )

    @api.model
    def _crm_client_months(
        self, date_from, date_to, companies, currency, rule=None, margin=True, period="month"
    ):
        """{client: {month: [revenue, margin, invoices]}} of the posted
        customer invoices and credit notes of ``companies`` in the period,
        each converted to ``currency`` at its date: one statement. Without
        ``margin`` (the dependence reads revenue only) the invoices' lines
        are not read: no cost, the margin is the revenue. ``period``
        "quarter": per quarter (its first day) instead of per month."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                WITH mv AS MATERIALIZED (
                    SELECT m.id, m.company_id, m.invoice_date, m.move_type,
                           m.amount_untaxed_signed AS revenue,
                           %(unit)s AS unit
                      FROM account_move m
                      JOIN res_partner cp ON cp.id = m.commercial_partner_id
                     WHERE m.state = 'posted' AND m.move_type IN ('out_invoice', 'out_refund')
                       AND m.company_id = ANY(%(companies)s)
                       AND m.invoice_date BETWEEN %(date_from)s AND %(date_to)s AND %(rule)s
                ),
                cost AS (
                    SELECT aml.move_id,
                           SUM(aml.quantity
                               * COALESCE((pp.standard_price ->> aml.company_id::text)::float, 0.0))
                               AS cost
                      FROM mv
                      JOIN account_move_line aml ON aml.move_id = mv.id AND aml.display_type = 'product'
                      JOIN product_product pp ON pp.id = aml.product_id
                     WHERE %(margin)s
                  GROUP BY aml.move_id
                ),
                rate AS (
                    SELECT mv.company_id, mv.invoice_date, %(factor)s AS factor
                      FROM (SELECT DISTINCT company_id, invoice_date FROM mv) mv
                      JOIN res_company c ON c.id = mv.company_id
                )
                SELECT mv.unit, date_trunc(%(period)s, mv.invoice_date)::date,
                       SUM(mv.revenue * r.factor),
                       SUM((mv.revenue - COALESCE(cost.cost, 0.0)
                            * CASE WHEN mv.move_type = 'out_refund' THEN -1 ELSE 1 END) * r.factor),
                       COUNT(*) FILTER (WHERE mv.move_type = 'out_invoice')
                  FROM mv
                  JOIN rate r ON r.company_id = mv.company_id AND r.invoice_date = mv.invoice_date
                  LEFT JOIN cost ON cost.move_id = mv.id
              GROUP BY 1, 2
                """,
                unit=UNIT,
                companies=companies.ids,
                date_from=date_from,
                date_to=date_to,
                rule=rule if rule is not None else SQL("TRUE"),
                margin=bool(margin),
                period="quarter" if period == "quarter" else "month",
                factor=self._crm_rate_factor_sql(currency),
            )
        )
        clients = defaultdict(dict)
        for unit, month, revenue, margin, invoices in self.env.cr.fetchall():
            clients[unit][month] = [revenue or 0.0, margin or 0.0, invoices]
        return clients

    @api.model
    @_analytics_statements
    def _crm_compute_customer_classes(self, date_to=None):
        """Recompute every client's classes over all companies (a database-wide
        fact, whoever runs it), in the first company's currency: a few
        statements whatever the number of clients."""
        params = self._crm_class_parameters()
        date_from, date_to = self._crm_period(params["months"], date_to)
        # sudo: the classes are a fact about the client, computed from every invoice of the database
        companies = self.env["res.company"].sudo().search([])
        currency = companies[:1].currency_id
        clients = self._crm_client_months(date_from, date_to, companies, currency)
        self.env.cr.execute(
            SQL(
                """
                SELECT %(unit)s, MAX(m.invoice_date)
                  FROM account_move m
                  JOIN res_partner cp ON cp.id = m.commercial_partner_id
                 WHERE m.state = 'posted' AND m.move_type = 'out_invoice' AND m.invoice_date <= %(date_to)s
              GROUP BY 1
                """,
                unit=UNIT,
                date_to=date_to,
            )
        )
        last = dict(self.env.cr.fetchall())
        months = [date_from + relativedelta(months=i) for i in range(params["months"])]
        units = sorted(set(last) | set(clients))
        revenue = {unit: sum(row[0] for row in clients.get(unit, {}).values()) for unit in units}
        margin = {unit: sum(row[1] for row in clients.get(unit, {}).values()) for unit in units}
        abc_revenue = customer_classes.abc(revenue, params["abc"])
        abc_margin = customer_classes.abc(margin, params["abc"])
        values = []
        for unit in units:
            per_month = clients.get(unit, {})
            recency = (date_to - last[unit]).days if unit in last else None
            frequency = sum(row[2] for row in per_month.values())
            values.append(
                (
                    unit,
                    abc_revenue[unit],
                    abc_margin[unit],
                    customer_classes.xyz([per_month.get(month, [0.0])[0] for month in months], params["xyz"]),
                    customer_classes.rfm_segment(recency, frequency),
                    recency,
                    frequency,
                    revenue[unit],
                    margin[unit],
                )
            )
        self._crm_write_classes(values, currency)
        self.env["ir.config_parameter"].sudo().set_param(
            "crm_extended.classes_computed_at", fields.Datetime.to_string(fields.Datetime.now())
        )
        return len(units)

    @api.model
    def _crm_write_classes(self, values, currency):
        """Write the classes of every partner and holding from ``values``
        (client, abc, abc margin, xyz, rfm, recency, frequency, revenue,
        margin) in ``currency``: two statements, changed rows only; clients
        not in ``values`` lose their classes."""
        columns = list(zip(*values, strict=True)) if values else [[]] * 9
        unnest = SQL(
            """unnest(%s::int[], %s::varchar[], %s::varchar[], %s::varchar[], %s::varchar[], %s::int[],
                      %s::int[], %s::numeric[], %s::numeric[])
               AS u(unit, abc, abc_margin, xyz, rfm, recency, frequency, revenue, margin)""",
            *[_array_text(column) for column in columns],
        )
        assign = SQL(
            """crm_abc_class = u.abc, crm_abc_margin_class = u.abc_margin, crm_xyz_class = u.xyz,
               crm_rfm_segment = u.rfm, crm_recency_days = u.recency, crm_invoice_frequency = u.frequency,
               crm_class_revenue = u.revenue, crm_class_margin = u.margin"""
        )
        changed = SQL(
            """(t.crm_abc_class, t.crm_abc_margin_class, t.crm_xyz_class, t.crm_rfm_segment,
                t.crm_recency_days, t.crm_invoice_frequency, t.crm_class_revenue, t.crm_class_margin)
               IS DISTINCT FROM (u.abc, u.abc_margin, u.xyz, u.rfm, u.recency, u.frequency, u.revenue,
                                 u.margin)"""
        )
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE res_partner t SET %(assign)s
                  FROM res_partner cp
                  LEFT JOIN %(unnest)s ON u.unit = %(unit)s
                 WHERE cp.id = t.commercial_partner_id AND %(changed)s
                """,
                assign=assign,
                unnest=unnest,
                unit=UNIT,
                changed=changed,
            )
        )
        self.env.cr.execute(
            SQL(
                """
                UPDATE crm_client_group t SET %(assign)s
                  FROM crm_client_group g
                  LEFT JOIN %(unnest)s ON u.unit = -g.id
                 WHERE g.id = t.id AND %(changed)s
                """,
                assign=assign,
                unnest=unnest,
                changed=changed,
            )
        )
        # sudo: the currency of the amounts just written, which every reader of the classes needs
        self.env["ir.config_parameter"].sudo().set_param(CURRENCY_PARAMETER, currency.id)
        self.env["res.partner"].invalidate_model(list(CLASS_FIELDS))
        self.env["crm.client.group"].invalidate_model(list(CLASS_FIELDS))

    @api.model
    def _crm_cron_customer_classes(self):
        self._crm_compute_customer_classes()

    @api.model
    def action_compute_customer_classes(self):
        """On demand (sales managers): recompute the classes now."""
        if not self.env.user.has_group("sales_team.group_sale_manager"):
            raise AccessError(self.env._("Only sales managers recompute the customer classes."))
        count = self._crm_compute_customer_classes()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("Classes of %(count)s clients recomputed.", count=count),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    @api.model
    @_analytics_statements
    def get_dependence(self, date_from=None, date_to=None):
        """Concentration of the revenue of the selected companies on a few
        clients in the period (the last 12 months by default) and per
        quarter, with the user's rules on invoices applied: top-1/5/10
        shares, HHI and its warning; amounts and the top clients' names
        only for those who may read invoices. JSON-ready."""
        params = self._crm_class_parameters()
        if not date_from:
            date_from, date_to = self._crm_period(12, date_to)
        date_from, date_to = fields.Date.to_date(date_from), fields.Date.to_date(date_to)
        rule = self.env["ir.rule"]._crm_rule_condition("account.move", "m")
        clients = self._crm_client_months(
            date_from,
            date_to,
            self.env.companies,
            self.env.company.currency_id,
            rule,
            margin=False,
            period="quarter",
        )
        totals = defaultdict(float)
        quarters = defaultdict(dict)
        for unit, per_quarter in clients.items():
            for start, row in per_quarter.items():
                totals[unit] += row[0]
                quarters[start][unit] = row[0]
        money = self.env.user.has_group("account.group_account_invoice")
        result = customer_classes.dependence(totals, params["hhi_warning"])
        result.update(
            {
                "date_from": fields.Date.to_string(date_from),
                "date_to": fields.Date.to_string(date_to),
                "currency": self.env.company.currency_id.name,
                "hhi_threshold": params["hhi_warning"],
                "show_amounts": money,
                "quarters": [
                    {
                        "start": fields.Date.to_string(start),
                        **customer_classes.dependence(values, params["hhi_warning"]),
                    }
                    for start, values in sorted(quarters.items())
                ],
                "top": [],
            }
        )
        if not money:
            result["total"] = None
            for quarter in result["quarters"]:
                quarter["total"] = None
            return result
        top = sorted(((value, unit) for unit, value in totals.items() if value > 0), reverse=True)[:10]
        # sudo: the names of the clients whose invoices the user reads
        groups = self.env["crm.client.group"].sudo().browse([-unit for _value, unit in top if unit < 0])
        partners = self.env["res.partner"].sudo().browse([unit for _value, unit in top if unit > 0])
        names = {-group.id: group.name for group in groups} | {p.id: p.display_name for p in partners}
        result["top"] = [{"name": names.get(unit, ""), "revenue": value} for value, unit in top]
        return result
