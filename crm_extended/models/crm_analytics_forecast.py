from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..services import forecast as forecast_service
from ..services import funnel as funnel_service


class CrmAnalytics(models.AbstractModel):
    _inherit = "crm.analytics"

    @api.model
    def _crm_stage_statistics(self, stages, since, as_of, **filters):
        """The forecast's stage statistics (services.forecast.StageStat per
        (team, stage) and (None, stage)) of the leads closed in [since,
        as_of), aggregated in one statement, the rules applied: how many
        closed leads reached each stage, how many were won, and the days
        from first entering the stage to the win, as they are up to
        QUANTILES wins, else as QUANTILES quantiles."""
        order = [stage.id for stage in funnel_service.funnel_order(stages)]
        self.env.cr.execute(
            SQL(
                """
                WITH closed AS MATERIALIZED (
                    SELECT l.id, l.team_id, l.date_closed, COALESCE(l.active AND s.is_won, FALSE) AS won
                      FROM crm_lead l
                      LEFT JOIN crm_stage s ON s.id = l.stage_id
                     WHERE l.date_closed >= %(since)s AND l.date_closed < %(as_of)s
                       AND (NOT l.active OR COALESCE(s.is_won, FALSE)) AND %(where)s
                ),
                entry AS MATERIALIZED (
                    SELECT h.lead_id AS id, h.stage_id, MIN(h.date) AS first_entry,
                           array_position(%(order)s::int[], h.stage_id) AS position
                      FROM closed c
                      JOIN crm_lead_stage_history h ON h.lead_id = c.id
                  GROUP BY h.lead_id, h.stage_id
                ),
                top AS (
                    SELECT c.id, c.team_id, c.won, c.date_closed,
                           CASE WHEN c.won THEN %(size)s ELSE COALESCE(MAX(e.position), 0) END AS top
                      FROM closed c
                      LEFT JOIN entry e ON e.id = c.id
                  GROUP BY c.id, c.team_id, c.won, c.date_closed
                ),
                reach AS (
                    SELECT t.id, t.team_id, t.won, (%(order)s::int[])[i] AS stage_id,
                           CASE WHEN t.won
                                THEN EXTRACT(EPOCH FROM t.date_closed - e.first_entry) / 86400.0 END AS days
                      FROM top t
                      CROSS JOIN LATERAL generate_series(1, t.top) i
                      LEFT JOIN entry e ON e.id = t.id AND e.stage_id = (%(order)s::int[])[i]
                )
                SELECT team_id, GROUPING(team_id) = 1, stage_id, COUNT(*), COUNT(*) FILTER (WHERE won),
                       COUNT(days),
                       percentile_cont(%(fractions)s::float8[]) WITHIN GROUP (ORDER BY GREATEST(days, 0.0)),
                       CASE WHEN COUNT(days) <= %(quantiles)s
                            THEN array_agg(GREATEST(days, 0.0)) FILTER (WHERE days IS NOT NULL) END
                  FROM reach
              GROUP BY GROUPING SETS ((team_id, stage_id), (stage_id))
                """,
                since=since,
                as_of=as_of,
                where=self._crm_lead_filter(**filters),
                order=order,
                size=len(order),
                fractions=forecast_service.quantile_fractions(),
                quantiles=forecast_service.QUANTILES,
            )
        )
        stats = {}
        for team_id, all_teams, stage_id, reached, won, wins_timed, quantiles, raw in self.env.cr.fetchall():
            samples = (raw or []) if wins_timed <= forecast_service.QUANTILES else list(quantiles or [])
            stat = forecast_service.StageStat(reached, won, [], samples)
            stats[(None if all_teams else team_id, stage_id)] = stat
        return stats

    @api.model
    def _crm_open_pipeline(self, **filters):
        """The open leads with the stage they are in and since when (their
        last stage change), one statement: (LeadPath, stage, entered,
        revenue in the current company's currency at today's rate)."""
        self.env.cr.execute(
            SQL(
                """
                SELECT l.id, l.team_id, l.probability, l.date_deadline, l.expected_revenue, l.company_id,
                       h.stage_id, h.date
                  FROM crm_lead l
                  LEFT JOIN crm_stage s ON s.id = l.stage_id
                  JOIN LATERAL (SELECT h.stage_id, h.date FROM crm_lead_stage_history h
                                 WHERE h.lead_id = l.id ORDER BY h.date DESC, h.id DESC LIMIT 1) h ON TRUE
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
