from datetime import datetime, time

from odoo import api, fields, models
from odoo.tools import SQL

from ..services import funnel as funnel_service

# how a funnel may be split: the lead's column (or its creation period)
GROUP_BY = {
    "team": SQL("l.team_id"),
    "user": SQL("l.user_id"),
    "source": SQL("l.source_id"),
    "month": SQL("date_trunc('month', l.create_date)::date"),
    "quarter": SQL("date_trunc('quarter', l.create_date)::date"),
}
GROUP_MODELS = {"team": "crm.team", "user": "res.users", "source": "utm.source"}


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
    def get_funnel(self, group_by=None, min_sample=funnel_service.MIN_SAMPLE, **filters):
        """The statistical funnel of the leads created in the period (all
        when no dates), per group (team, user, source, month, quarter),
        beside the current pipeline; JSON-ready for the dashboard."""
        paths = self._crm_lead_paths(group_by=group_by, **filters)
        stages = self._crm_stages()
        if group_by:
            groups = funnel_service.funnel_by(paths, stages, min_sample)
        else:
            groups = {None: funnel_service.funnel(paths, stages, min_sample)}
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
