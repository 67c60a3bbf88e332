import functools
from collections import defaultdict
from contextlib import contextmanager
from datetime import datetime, time

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..services import forecast as forecast_service
from ..services import funnel as funnel_service
from ..services import stage_history


def _analytics_statements(method):
    """Run ``method`` with the analytics' statement settings: JIT off, more
    work memory (``crm.analytics._crm_statement_settings``)."""

    @functools.wraps(method)
    def run(self, *args, **kwargs):
        with self._crm_statement_settings():
            return method(self, *args, **kwargs)

    return run


# how a funnel may be split: the lead's column (or its creation period)
GROUP_BY = {
    "team": SQL("l.team_id"),
    "user": SQL("l.user_id"),
    "source": SQL("l.source_id"),
    "month": SQL("date_trunc('month', l.create_date)::date"),
    "quarter": SQL("date_trunc('quarter', l.create_date)::date"),
}
GROUP_MODELS = {"team": "crm.team", "user": "res.users", "source": "utm.source"}
# PostgreSQL's work memory for the analytics' statements (crm.analytics._crm_statement_settings)
WORK_MEM = "64MB"


class CrmAnalytics(models.AbstractModel):
    """Sales analytics read from the leads, their stage history, orders and
    invoices: the statistical funnel and its forecast (the maths in
    ``services/funnel.py`` and ``services/forecast.py``). Every statement
    carries the user's record rules on leads, so a salesperson's figures are
    those of the leads they may read."""

    _name = "crm.analytics"
    _description = "Sales Analytics"

    @api.model
    def _crm_stages(self):
        # sudo: stage names and order, which every lead reader sees on its leads anyway
        stages = self.env["crm.stage"].sudo().search([])
        return [funnel_service.Stage(stage.id, stage.name, stage.sequence, stage.is_won) for stage in stages]

    @api.model
    def _crm_lead_filter(
        self, team_ids=None, user_ids=None, source_ids=None, date_from=None, date_to=None, closed_since=None
    ):
        """The SQL condition on leads ``l`` for these filters and the user's read
        rules; ``closed_since``: open leads and those closed since then only."""
        conditions = [SQL("TRUE")]
        if closed_since:
            conditions.append(SQL("(l.date_closed IS NULL OR l.date_closed >= %s)", closed_since))
        if team_ids:
            conditions.append(SQL("l.team_id = ANY(%s)", list(team_ids)))
        if user_ids:
            conditions.append(SQL("l.user_id = ANY(%s)", list(user_ids)))
        if source_ids:
            conditions.append(SQL("l.source_id = ANY(%s)", list(source_ids)))
        if date_from:
            conditions.append(
                SQL("l.create_date >= %s", datetime.combine(fields.Date.to_date(date_from), time.min))
            )
        if date_to:
            conditions.append(
                SQL("l.create_date <= %s", datetime.combine(fields.Date.to_date(date_to), time.max))
            )
        # lost leads are archived: they count, whatever the caller's active test
        rule = self.env["ir.rule"].with_context(active_test=False)._crm_rule_condition("crm.lead", "l")
        if rule is not None:
            conditions.append(rule)
        return SQL(" AND ").join(conditions)

    @api.model
    def _crm_lead_paths(self, group_by=None, **filters):
        """The stage paths (services.funnel.LeadPath) of the leads these
        filters select, from one statement, the rules applied inside it.
        Amounts in the current company's currency, at today's rate."""
        self.env.flush_all()
        group = GROUP_BY.get(group_by, SQL("NULL"))
        self.env.cr.execute(
            SQL(
                """
                SELECT l.id, h.stage_id, h.date,
                       lead(h.date) OVER (PARTITION BY h.lead_id ORDER BY h.date, h.id) AS left_at,
                       h.expected_revenue,
                       CASE WHEN l.active AND s.is_won THEN 'won'
                            WHEN NOT l.active THEN 'lost' ELSE 'open' END AS outcome,
                       l.date_closed, %(group)s AS grp, l.expected_revenue, l.team_id, l.probability,
                       l.date_deadline, l.company_id
                  FROM crm_lead l
                  JOIN crm_lead_stage_history h ON h.lead_id = l.id
                  LEFT JOIN crm_stage s ON s.id = l.stage_id
                 WHERE %(where)s
                 ORDER BY l.id, h.date, h.id
                """,
                group=group,
                where=self._crm_lead_filter(**filters),
            )
        )
        rows = self.env.cr.fetchall()
        factors = self._crm_company_factors({row[12] for row in rows})
        paths = []
        current = None
        for (
            lead_id,
            stage_id,
            entered,
            left,
            revenue_then,
            outcome,
            closed_at,
            grp,
            revenue,
            team_id,
            probability,
            deadline,
            company_id,
        ) in rows:
            factor = factors.get(company_id, 1.0)
            if current is None or current.lead_id != lead_id:
                current = funnel_service.LeadPath(
                    lead_id,
                    outcome,
                    closed_at,
                    [],
                    grp,
                    (revenue or 0.0) * factor,
                    team_id,
                    probability or 0.0,
                    deadline,
                )
                paths.append(current)
            current.stays.append((stage_id, entered, left, (revenue_then or 0.0) * factor))
        return paths

    @api.model
    def _crm_company_factors(self, company_ids):
        """{company id: what one unit of its currency is in the current
        company's currency today}."""
        companies = self.env["res.company"].browse([company_id for company_id in company_ids if company_id])
        target = self.env.company.currency_id
        today = fields.Date.context_today(self)
        factors = self.env["res.currency"]._crm_convert_rows(
            [(1.0, company.currency_id, target, company, today) for company in companies]
        )
        return dict(zip(companies.ids, factors, strict=True))

    @api.model
    @_analytics_statements
    def get_funnel(self, group_by=None, min_sample=funnel_service.MIN_SAMPLE, **filters):
        """The statistical funnel of the leads created in the period (all
        when no dates), per group (team, user, source, month, quarter),
        beside the current pipeline; JSON-ready for the dashboard."""
        stages = self._crm_stages()
        groups = self._crm_funnel_groups(stages, group_by, min_sample, **filters)
        if not group_by:
            groups = {None: groups.get(None) or funnel_service.funnel([], stages, min_sample)}
        labels = self._crm_group_labels(group_by, groups)
        won_label = self.env._("Won")
        result = []
        for key, figures in groups.items():
            for step in figures["steps"]:
                if step["stage_id"] == funnel_service.WON_STEP:
                    step["name"] = won_label
            json_key = fields.Date.to_string(key) if group_by in ("month", "quarter") else key
            result.append({"key": json_key, "label": labels.get(key, ""), **figures})
        result.sort(key=lambda group: str(group["label"]))
        return {
            "groups": result,
            "pipeline": self._crm_pipeline(**{k: v for k, v in filters.items() if not k.startswith("date")}),
            "min_sample": min_sample,
        }

    @api.model
    def _crm_funnel_groups(self, stages, group_by=None, min_sample=funnel_service.MIN_SAMPLE, **filters):
        """{group: funnel (services.funnel.figures)} of the leads these filters
        select, counted in one statement, the rules applied inside it: what
        services.funnel.funnel computes from the leads' paths, without
        reading them into Python. Per lead its outcome, the furthest stage
        it entered and the set of stages it entered (a bit each), both from
        the stages it entered kept on the lead (``crm_stage_path``); per
        stage the finished stays (to the lead's next stage change) and
        their median and 80th percentile of days. Leads without any stage
        change are not counted."""
        self.env.flush_all()
        order = funnel_service.funnel_order(stages)
        size = len(order)
        path = SQL("l.crm_stage_path")
        furthest, mask = SQL("0"), SQL("0")
        if order:
            positions = list(enumerate((stage.id for stage in order), start=1))
            furthest = SQL(
                "CASE %s ELSE 0 END",
                SQL(" ").join(
                    SQL("WHEN %s THEN %s", stage_history.path_contains(path, stage_id), position)
                    for position, stage_id in reversed(positions)
                ),
            )
            mask = SQL(" + ").join(
                SQL(
                    "CASE WHEN %s THEN %s ELSE 0 END",
                    stage_history.path_contains(path, stage_id),
                    1 << position,
                )
                for position, stage_id in positions
            )
        self.env.cr.execute(
            SQL(
                """
                WITH lead AS MATERIALIZED (
                    SELECT l.id, %(group)s AS grp,
                           CASE WHEN l.active AND s.is_won THEN 'won'
                                WHEN NOT l.active THEN 'lost' ELSE 'open' END AS outcome,
                           %(furthest)s AS top, %(mask)s AS mask
                      FROM crm_lead l
                      LEFT JOIN crm_stage s ON s.id = l.stage_id
                     WHERE l.crm_stage_path IS NOT NULL AND %(where)s
                )
                SELECT FALSE, grp, outcome, top, mask, COUNT(*), NULL::float8[]
                  FROM lead
              GROUP BY grp, outcome, top, mask
             UNION ALL
                SELECT TRUE, grp, NULL, position, NULL, COUNT(days),
                       percentile_cont(ARRAY[0.5, 0.8]) WITHIN GROUP (ORDER BY days)
                  FROM (
                    SELECT c.grp, array_position(%(order)s::int[], h.stage_id) AS position,
                           EXTRACT(EPOCH FROM lead(h.date) OVER (PARTITION BY h.lead_id ORDER BY h.date, h.id)
                                              - h.date) / 86400.0 AS days
                      FROM lead c
                      JOIN crm_lead_stage_history h ON h.lead_id = c.id
                  ) stay
                 WHERE position IS NOT NULL
              GROUP BY grp, position
                """,
                group=GROUP_BY.get(group_by, SQL("NULL")),
                furthest=furthest,
                mask=mask,
                where=self._crm_lead_filter(**filters),
                order=[stage.id for stage in order],
            )
        )
        groups = defaultdict(
            lambda: {
                "leads": 0,
                "counts": {"won": 0, "lost": 0, "open": 0},
                "reached": [0] * size,
                "entered": [0] * size,
                "times": [(0, None, None)] * size,
            }
        )
        for is_time, grp, outcome, top, mask, count, times in self.env.cr.fetchall():
            group = groups[grp]
            if is_time:
                group["times"][top - 1] = (count, *(times if count else (None, None)))
                continue
            group["leads"] += count
            group["counts"][outcome] += count
            top = size if outcome == "won" else top or 0
            for position in range(top):
                group["reached"][position] += count
            for position in range(size):
                if (mask or 0) >> (position + 1) & 1:
                    group["entered"][position] += count
        return {
            grp: funnel_service.figures(
                order,
                group["leads"],
                group["counts"],
                group["reached"],
                group["entered"],
                group["times"],
                min_sample,
            )
            for grp, group in groups.items()
        }

    @api.model
    def _crm_group_labels(self, group_by, groups):
        model = GROUP_MODELS.get(group_by)
        if model:
            ids = [key for key in groups if key]
            # sudo: names of the teams, users and sources of leads the user reads
            records = self.env[model].sudo().browse(ids)
            labels = {record.id: record.display_name for record in records}
            labels[None] = self.env._("None")
            return labels
        if group_by in ("month", "quarter"):
            return {key: fields.Date.to_string(key) if key else "" for key in groups}
        return {None: self.env._("All")}

    @api.model
    def _crm_pipeline(self, **filters):
        """Open leads now, per stage: how many and their expected revenue in
        the current company's currency (converted at today's rate)."""
        self.env.cr.execute(
            SQL(
                """
                SELECT l.stage_id, l.company_id, COUNT(*), SUM(l.expected_revenue)
                  FROM crm_lead l
                  JOIN crm_stage s ON s.id = l.stage_id
                 WHERE l.active AND NOT COALESCE(s.is_won, FALSE) AND %(where)s
                 GROUP BY l.stage_id, l.company_id
                """,
                where=self._crm_lead_filter(**filters),
            )
        )
        rows = self.env.cr.fetchall()
        companies = self.env["res.company"].browse({row[1] for row in rows if row[1]})
        target = self.env.company.currency_id
        amounts = self.env["res.currency"]._crm_convert_rows(
            [
                (
                    amount or 0.0,
                    companies.browse(company_id).currency_id if company_id else target,
                    target,
                    companies.browse(company_id) if company_id else self.env.company,
                    fields.Date.context_today(self),
                )
                for _stage, company_id, _count, amount in rows
            ]
        )
        per_stage = {}
        for (stage_id, _company, count, _amount), amount in zip(rows, amounts, strict=True):
            entry = per_stage.setdefault(stage_id, {"count": 0, "revenue": 0.0})
            entry["count"] += count
            entry["revenue"] += amount
        return {
            "currency": target.name,
            "stages": [
                {
                    "stage_id": stage.id,
                    "name": stage.name,
                    **per_stage.get(stage.id, {"count": 0, "revenue": 0.0}),
                }
                for stage in funnel_service.funnel_order(self._crm_stages())
            ],
        }

    @api.model
    def _crm_stage_statistics(self, stages, since, as_of, **filters):
        """The forecast's stage statistics (services.forecast.StageStat per
        (team, stage) and (None, stage)) of the leads closed in [since,
        as_of), aggregated in one statement, the rules applied: how many
        closed leads reached each stage, how many were won, and the days
        from first entering the stage to the win, as they are up to
        QUANTILES wins, else as QUANTILES quantiles.

        A closed lead reached the stages up to the furthest it entered (a
        won one all of them): the statement counts the closed leads per
        team and furthest stage, and the sums from the furthest stage
        down are the reached counts; the days to the win are read from the
        won leads' first entries (``crm.lead.stage.entry``). A lost lead's
        furthest stage is read from the stages it entered, kept on the lead
        (``crm_stage_path``): the closed leads are counted without reading
        or grouping their entries."""
        order = [stage.id for stage in funnel_service.funnel_order(stages)]
        size = len(order)
        where = self._crm_lead_filter(**filters)
        # the furthest stage of the funnel's order a lead entered, its position from 1 (0: none)
        furthest, path = SQL("0"), SQL("l.crm_stage_path")
        if order:
            furthest = SQL(
                "CASE %s ELSE 0 END",
                SQL(" ").join(
                    SQL("WHEN %s THEN %s", stage_history.path_contains(path, stage_id), position)
                    for position, stage_id in reversed(list(enumerate(order, start=1)))
                ),
            )
        won = SQL("COALESCE(l.active AND s.is_won, FALSE)")
        self.env.cr.execute(
            SQL(
                """
                SELECT FALSE, l.team_id, FALSE, CASE WHEN %(won)s THEN %(size)s ELSE %(furthest)s END AS top,
                       COUNT(*), COUNT(*) FILTER (WHERE %(won)s), NULL::float8[], NULL::float8[]
                  FROM crm_lead l
                  LEFT JOIN crm_stage s ON s.id = l.stage_id
                 WHERE l.date_closed >= %(since)s AND l.date_closed < %(as_of)s
                   AND (NOT l.active OR COALESCE(s.is_won, FALSE)) AND %(where)s
              GROUP BY l.team_id, top
             UNION ALL
                SELECT TRUE, team_id, GROUPING(team_id) = 1, position, COUNT(*), NULL,
                       percentile_cont(%(fractions)s::float8[]) WITHIN GROUP (ORDER BY days),
                       CASE WHEN COUNT(*) <= %(quantiles)s THEN array_agg(days) END
                  FROM (
                    SELECT l.team_id, array_position(%(order)s::int[], e.stage_id) AS position,
                           GREATEST(EXTRACT(EPOCH FROM l.date_closed - e.date_first) / 86400.0,
                                    0.0)::float8 AS days
                      FROM crm_lead l
                      JOIN crm_stage s ON s.id = l.stage_id
                      JOIN crm_lead_stage_entry e ON e.lead_id = l.id
                     WHERE l.date_closed >= %(since)s AND l.date_closed < %(as_of)s
                       AND l.active AND s.is_won AND e.stage_id = ANY(%(order)s::int[]) AND %(where)s
                  ) days
              GROUP BY GROUPING SETS ((team_id, position), (position))
                """,
                since=since,
                as_of=as_of,
                where=where,
                won=won,
                furthest=furthest,
                order=order,
                size=size,
                fractions=forecast_service.quantile_fractions(),
                quantiles=forecast_service.QUANTILES,
            )
        )
        rows = self.env.cr.fetchall()
        # closed and won leads per team and furthest stage reached
        tops = defaultdict(lambda: [[0, 0] for _position in range(size + 1)])
        times = {}
        for is_days, team_id, all_teams, position, count, won, quantiles, raw in rows:
            if is_days:
                times[(None if all_teams else team_id, order[position - 1])] = (count, quantiles, raw)
                continue
            for key in (team_id, "all"):
                tops[key][position][0] += count
                tops[key][position][1] += won
        stats = {}
        # the leads without a team share the key of all teams: all teams come last, as the fallback
        for key in sorted(tops, key=lambda key: key == "all"):
            team_id = None if key == "all" else key
            reached = won = 0
            for position in range(size, 0, -1):
                reached += tops[key][position][0]
                won += tops[key][position][1]
                if not reached:
                    continue
                stage_id = order[position - 1]
                wins_timed, quantiles, raw = times.get((team_id, stage_id), (0, None, None))
                samples = (raw or []) if wins_timed <= forecast_service.QUANTILES else list(quantiles or [])
                stats[(team_id, stage_id)] = forecast_service.StageStat(reached, won, [], samples)
        return stats

    @contextmanager
    def _crm_statement_settings(self):
        """PostgreSQL's JIT compiles the analytics' aggregates for longer than
        they run (2.1 s of 3.4 s for the forecast's statistics of 33,000
        leads): off for their statements, as for the channel report. Their
        hashes and sorts of a few hundred thousand rows spilled to disk in
        the default 4 MB of work memory (the forecast's statistics 4.6 s,
        3.1 s with 64 MB): 64 MB for each of their few nodes, for these
        statements only."""
        self.env.cr.execute(SQL("SET LOCAL jit = off"))
        self.env.cr.execute(SQL("SET LOCAL work_mem = %s", WORK_MEM))
        try:
            yield
        finally:
            self.env.cr.execute(SQL("SET LOCAL jit TO DEFAULT"))
            self.env.cr.execute(SQL("SET LOCAL work_mem TO DEFAULT"))

    @api.model
    def _crm_open_pipeline(self, **filters):
        """The open leads with the stage they are in and since when (their
        last stage change: the latest of their stage entries), one
        statement: (LeadPath, stage, entered, revenue in the current
        company's currency at today's rate)."""
        self.env.cr.execute(
            SQL(
                """
                SELECT l.id, l.team_id, l.probability, l.date_deadline, l.expected_revenue, l.company_id,
                       e.stage_id, e.date_last
                  FROM crm_lead l
                  LEFT JOIN crm_stage s ON s.id = l.stage_id
                  JOIN LATERAL (SELECT e.stage_id, e.date_last FROM crm_lead_stage_entry e
                                 WHERE e.lead_id = l.id ORDER BY e.date_last DESC LIMIT 1) e ON TRUE
                 WHERE l.active AND NOT COALESCE(s.is_won, FALSE) AND %(where)s
                """,
                where=self._crm_lead_filter(**filters),
            )
        )
        rows = self.env.cr.fetchall()
        factors = self._crm_company_factors({row[5] for row in rows})
        pipeline = []
        for lead_id, team_id, probability, deadline, revenue, company_id, stage_id, entered in rows:
            amount = (revenue or 0.0) * factors.get(company_id, 1.0)
            path = funnel_service.LeadPath(
                lead_id, "open", None, [], None, amount, team_id, probability or 0.0, deadline
            )
            pipeline.append((path, stage_id, entered, amount))
        return pipeline

    @api.model
    def _crm_recent_won_average(self, as_of, **filters):
        """The average won revenue of the RECENT_MONTHS whole months before
        ``as_of``, in the current company's currency at today's rate."""
        start = forecast_service.month_start(as_of)
        self.env.cr.execute(
            SQL(
                """
                SELECT l.company_id, SUM(l.expected_revenue)
                  FROM crm_lead l
                  JOIN crm_stage s ON s.id = l.stage_id
                 WHERE l.active AND s.is_won AND l.date_closed >= %(since)s AND l.date_closed < %(until)s
                   AND %(where)s
              GROUP BY l.company_id
                """,
                since=forecast_service.add_months(start, -forecast_service.RECENT_MONTHS),
                until=start,
                where=self._crm_lead_filter(**filters),
            )
        )
        rows = self.env.cr.fetchall()
        factors = self._crm_company_factors({row[0] for row in rows})
        total = sum((amount or 0.0) * factors.get(company_id, 1.0) for company_id, amount in rows)
        return total / forecast_service.RECENT_MONTHS

    @api.model
    @_analytics_statements
    def get_forecast(
        self,
        min_sample=funnel_service.MIN_SAMPLE,
        weeks=12,
        months=6,
        backtest_months=12,
        history_months=24,
        backtest=True,
        **filters,
    ):
        """The open pipeline projected through its stages' history (the
        leads closed in the last ``history_months``), per week and month
        with a 90% interval, beside Odoo's own forecast; months flagged as
        dips or peaks; with ``backtest``, both methods over the past
        ``backtest_months`` months. JSON-ready for the dashboard."""
        filters = {key: value for key, value in filters.items() if not key.startswith("date")}
        self.env.flush_all()
        now = fields.Datetime.now()
        stages = self._crm_stages()
        names = {stage.id: stage.name for stage in stages}
        stats = self._crm_stage_statistics(stages, now - relativedelta(months=history_months), now, **filters)
        pipeline = self._crm_open_pipeline(**filters)
        average = self._crm_recent_won_average(now, **filters)
        result = {"currency": self.env.company.currency_id.name, "open_leads": len(pipeline)}
        for period, buckets in (
            ("weeks", forecast_service.week_buckets(now, weeks)),
            ("months", forecast_service.month_buckets(now, months)),
        ):
            projected, without = forecast_service.project(pipeline, stats, now, buckets, min_sample)
            odoo, undated = forecast_service.odoo_forecast(pipeline, buckets)
            if period == "months":
                forecast_service.flag_months(projected, average)
            for row, odoo_revenue in zip(projected, odoo, strict=True):
                row["odoo_revenue"] = odoo_revenue
                row["start"] = fields.Date.to_string(row["start"])
                row["causes"] = [names.get(stage_id, "") for stage_id in row.get("causes", [])]
                row["by_stage"] = {
                    names.get(stage_id, ""): amount for stage_id, amount in row["by_stage"].items()
                }
            result[period] = projected
            result["not_enough_data"] = without
            result["odoo_undated"] = undated
        result["backtest"], result["mape"] = [], {"funnel": None, "odoo": None}
        if backtest:
            result["backtest"], result["mape"] = self._crm_backtest(
                pipeline, stages, now, backtest_months, history_months, min_sample, **filters
            )
        return result

    @api.model
    @_analytics_statements
    def get_backtest(
        self, min_sample=funnel_service.MIN_SAMPLE, backtest_months=12, history_months=24, **filters
    ):
        """The backtest alone (the dashboard asks for it after the rest, it
        reads every lead's path): {"backtest": rows, "mape": {...}}."""
        filters = {key: value for key, value in filters.items() if not key.startswith("date")}
        self.env.flush_all()
        rows, mape = self._crm_backtest(
            self._crm_open_pipeline(**filters),
            self._crm_stages(),
            fields.Datetime.now(),
            backtest_months,
            history_months,
            min_sample,
            **filters,
        )
        return {"backtest": rows, "mape": mape}

    @api.model
    def _crm_backtest(self, pipeline, stages, now, backtest_months, history_months, min_sample, **filters):
        """Both forecasts of each of the past months (services.forecast.backtest),
        from the paths of the leads open or closed in the window it needs."""
        since = now - relativedelta(months=history_months + backtest_months)
        paths = self._crm_lead_paths(closed_since=since, **filters)
        probabilities = defaultdict(list)
        for path, stage_id, _entered, _revenue in pipeline:
            probabilities[stage_id].append(path.probability)
        stage_probability = {
            stage_id: sum(values) / len(values) for stage_id, values in probabilities.items()
        }
        rows, mape = forecast_service.backtest(
            paths, stages, now, backtest_months, min_sample, stage_probability=stage_probability
        )
        for row in rows:
            row["start"] = fields.Date.to_string(row["start"])
        return rows, mape
