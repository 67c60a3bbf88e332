"""Sales analytics: the statistical funnel, the forecast and the customer classes (method:
bench/README.md).

funnel: a year of one team's leads (about 16,000 leads, 80,000 stage changes), as a sales manager;
ours crm.analytics.get_funnel (one SQL with the rules, then Python), stock the ORM: search_read of
the leads and of their stage history, then the same Python. Both are checked against the
generator's formulas (leads, reached per stage, won).
forecast: every open opportunity; ours get_forecast (projection without the backtest, which is
timed apart), stock Odoo's own forecast as its pivot reads it: _read_group of prorated revenue by
expected closing month.
dashboard: what the dashboard's first load asks (CRM -> Reporting -> Dashboard: all teams, the last
12 months), its four calls one after the other as one Odoo worker serves them: the funnel, the
forecast without its backtest, the dependence and the lost reasons' read_group; then the same four
calls at once, each on its own connection (threads), as the browser sends them (Promise.all) to
Odoo's workers (BENCH analytics_dashboard_parallel). The manager these use is committed once.
floors (detail lines): the time just to read the rows each figure needs, without any work on them,
and to touch every partner's row once (what writing the classes cannot go under).
abc: the read of the classes (count of clients per ABC class and RFM segment), ours the stored
classes (_read_group on res.partner), stock what an integrator computes without them:
_read_group of invoiced revenue per customer over 12 months, then the ABC classes in Python. The
recompute of every client's classes is timed apart.
"""

import datetime
import os
import time

import _data_analytics as data
import harness

RUNS = int(os.environ.get("BENCH_RUNS", "7"))
TEAM = 3
YEAR_TO = datetime.datetime.combine(data.BASE_DAY, datetime.time(23, 59, 59))
YEAR_FROM = datetime.datetime.combine(data.BASE_DAY - datetime.timedelta(days=364), datetime.time())


def truth_funnel():
    """(leads, [reached New, Qualified, Proposition], won) of TEAM's leads created in the year."""
    leads, reached, won = 0, [0, 0, 0], 0
    for g in range(data.N_LEADS):
        if data.team(g) != TEAM:
            continue
        created = datetime.datetime.combine(data.BASE_DAY, datetime.time(9)) - datetime.timedelta(
            days=data.age(g)
        )
        if not YEAR_FROM <= created <= YEAR_TO:
            continue
        leads += 1
        depth = data.depth(g)
        for stage in range(3):
            reached[stage] += depth >= stage
        won += depth == 3
    return leads, reached, won


def _summary(figures, stages):
    steps = {step["stage_id"]: step["reached"] for step in figures["steps"]}
    return figures["leads"], [steps.get(stage, 0) for stage in stages[:3]], figures["won"]


def ours_funnel(env, team_id, stages):
    result = env["crm.analytics"].get_funnel(
        team_ids=[team_id], date_from=YEAR_FROM.date(), date_to=YEAR_TO.date()
    )
    return _summary(result["groups"][0], stages)


def stock_funnel(env, team_id, stages):
    from odoo.addons.crm_extended.services import funnel as funnel_service

    Lead = env["crm.lead"].with_context(active_test=False)
    leads = Lead.search_read(
        [("team_id", "=", team_id), ("create_date", ">=", YEAR_FROM), ("create_date", "<=", YEAR_TO)],
        ["active", "stage_id", "date_closed"],
    )
    won_stages = set(env["crm.stage"].search([("is_won", "=", True)]).ids)
    paths = {}
    for lead in leads:
        won = lead["active"] and lead["stage_id"] and lead["stage_id"][0] in won_stages
        outcome = "won" if won else "lost" if not lead["active"] else "open"
        paths[lead["id"]] = funnel_service.LeadPath(lead["id"], outcome, lead["date_closed"], [])
    rows = env["crm.lead.stage.history"].search_read(
        [("lead_id", "in", list(paths))], ["lead_id", "stage_id", "date"], order="lead_id, date, id"
    )
    for row, following in zip(rows, rows[1:] + [None], strict=True):
        same = following and following["lead_id"][0] == row["lead_id"][0]
        left = following["date"] if same else None
        paths[row["lead_id"][0]].stays.append((row["stage_id"][0], row["date"], left, 0.0))
    figures = funnel_service.funnel(list(paths.values()), env["crm.analytics"]._crm_stages())
    return _summary(figures, stages)


def ours_forecast(env):
    result = env["crm.analytics"].get_forecast(backtest=False)
    return result["open_leads"]


def stock_forecast(env):
    return env["crm.lead"]._read_group(
        [("type", "=", "opportunity"), ("stage_id.is_won", "=", False)],
        ["date_deadline:month"],
        ["prorated_revenue:sum", "__count"],
    )


def ours_abc(env):
    return env["res.partner"]._read_group(
        [("crm_abc_class", "!=", False)], ["crm_abc_class", "crm_rfm_segment"], ["__count"]
    )


def stock_abc(env):
    from odoo.addons.crm_extended.services import customer_classes

    date_to = data.BASE_DAY
    date_from = datetime.date(date_to.year - 1, date_to.month, 1) + datetime.timedelta(days=31)
    date_from = datetime.date(date_from.year, date_from.month, 1)
    groups = env["account.move"]._read_group(
        [
            ("state", "=", "posted"),
            ("move_type", "in", ("out_invoice", "out_refund")),
            ("invoice_date", ">=", date_from),
            ("invoice_date", "<=", date_to),
        ],
        ["commercial_partner_id"],
        ["amount_untaxed_signed:sum"],
    )
    classes = customer_classes.abc({partner.id: amount for partner, amount in groups})
    counts = {}
    for value in classes.values():
        counts[value] = counts.get(value, 0) + 1
    return counts


def _dashboard_period():
    today = datetime.date.today()
    month = today.year * 12 + today.month - 1 - 11
    return {"date_from": datetime.date(month // 12, month % 12 + 1, 1), "date_to": today}


# the dashboard's four calls (static/src/analytics/analytics_dashboard.js, load()): the size of each answer
DASHBOARD_CALLS = [
    lambda env, period: env["crm.analytics"].get_funnel(team_ids=[], **period)["groups"][0]["leads"],
    lambda env, period: env["crm.analytics"].get_forecast(team_ids=[], backtest=False)["open_leads"],
    lambda env, period: env["crm.analytics"].get_dependence(**period)["clients"],
    lambda env, period: len(
        env["crm.lead.report.lost"].read_group(
            [("date", ">=", period["date_from"]), ("date", "<=", period["date_to"])],
            ["lost_count:sum", "lost_revenue:sum"],
            ["lost_reason_id"],
        )
    ),
]


def dashboard(env):
    """The dashboard's first load (static/src/analytics/analytics_dashboard.js): all teams, the last
    12 months up to today, its four calls one after the other; the sizes of what it got."""
    period = _dashboard_period()
    return tuple(call(env, period) for call in DASHBOARD_CALLS)


def dashboard_parallel(registry, uid):
    """The same four calls at once, each in its own transaction on its own connection with an empty
    ORM cache, as the browser sends them (Promise.all) to Odoo's workers; the sizes of what they got."""
    from concurrent.futures import ThreadPoolExecutor

    from odoo import api

    period = _dashboard_period()

    def run(call):
        with registry.cursor() as cr:
            env = api.Environment(cr, uid, {})
            env = env(context=env["res.users"].context_get())
            try:
                return call(env, period)
            finally:
                cr.rollback()

    with ThreadPoolExecutor(len(DASHBOARD_CALLS)) as pool:
        return tuple(pool.map(run, DASHBOARD_CALLS))


def write_floor(env):
    """ms to touch every partner's row once (the classes' update without its work: the same value
    written back, non-HOT as the table's pages are full), the best of 2, rolled back."""
    times = []
    for _run in range(2):
        env.cr.execute("SAVEPOINT write_floor")
        start = time.perf_counter()
        env.cr.execute("UPDATE res_partner SET crm_recency_days = crm_recency_days")
        times.append(1000 * (time.perf_counter() - start))
        rows = env.cr.rowcount
        env.cr.execute("ROLLBACK TO SAVEPOINT write_floor")
    harness.detail(f"  floor, the recompute's writing: {rows} partners' rows touched in {min(times):.0f} ms")


FLOORS = {
    "funnel (one team, a year): its leads' stage changes": """
        SELECT count(*), max(h.date) FROM crm_lead l JOIN crm_lead_stage_history h ON h.lead_id = l.id
         WHERE l.team_id = %(team)s AND l.create_date BETWEEN %(year_from)s AND %(year_to)s""",
    "forecast before the entries: the stage changes of the leads closed in 24 months": """
        SELECT count(*), max(h.date) FROM crm_lead l JOIN crm_lead_stage_history h ON h.lead_id = l.id
         WHERE l.date_closed >= now() - INTERVAL '24 months'""",
    "forecast: the stage entries (crm.lead.stage.entry) of the leads closed in 24 months": """
        SELECT count(*), max(e.date_first) FROM crm_lead l JOIN crm_lead_stage_entry e ON e.lead_id = l.id
         WHERE l.date_closed >= now() - INTERVAL '24 months'""",
    "forecast: the leads closed in 24 months, with the stages they entered (crm_stage_path)": """
        SELECT count(*), max(length(l.crm_stage_path)) FROM crm_lead l
         WHERE l.date_closed >= now() - INTERVAL '24 months'""",
    "forecast: the first stage entries of the deals won in 24 months": """
        SELECT count(*), max(e.date_first) FROM crm_lead l
          JOIN crm_stage s ON s.id = l.stage_id
          JOIN crm_lead_stage_entry e ON e.lead_id = l.id
         WHERE l.date_closed >= now() - INTERVAL '24 months' AND l.active AND s.is_won""",
    "forecast: the open opportunities' latest stage entry": """
        SELECT count(*), max(e.date_last) FROM crm_lead l
          JOIN LATERAL (SELECT e.date_last FROM crm_lead_stage_entry e WHERE e.lead_id = l.id
                         ORDER BY e.date_last DESC LIMIT 1) e ON TRUE
         WHERE l.active AND l.date_closed IS NULL""",
    "forecast before the entries: the open opportunities' last stage change": """
        SELECT count(*), max(h.date) FROM crm_lead l
          JOIN LATERAL (SELECT h.date FROM crm_lead_stage_history h WHERE h.lead_id = l.id
                         ORDER BY h.date DESC, h.id DESC LIMIT 1) h ON TRUE
         WHERE l.active AND l.date_closed IS NULL""",
    "classes: the invoices of 12 months and their product lines": """
        SELECT count(*), sum(aml.quantity) FROM account_move m
          JOIN account_move_line aml ON aml.move_id = m.id AND aml.display_type = 'product'
         WHERE m.state = 'posted' AND m.move_type IN ('out_invoice', 'out_refund')
           AND m.invoice_date > %(base_day)s::date - INTERVAL '12 months'""",
}


def floors(env, team_id):
    """ms of each FLOORS statement (JIT off, as the add-on runs them), the best of 3."""
    env.cr.execute("SET LOCAL jit = off")
    params = {"team": team_id, "year_from": YEAR_FROM, "year_to": YEAR_TO, "base_day": data.BASE_DAY}
    for label, query in FLOORS.items():
        times = []
        for _run in range(3):
            start = time.perf_counter()
            env.cr.execute(query, params)
            rows = env.cr.fetchone()[0]
            times.append(1000 * (time.perf_counter() - start))
        harness.detail(f"  floor, {label}: {rows} rows read in {min(times):.0f} ms")
    env.cr.execute("SET LOCAL jit TO DEFAULT")


def _committed_user(registry, login, groups):
    """The id of a user made (once) in a transaction of its own and committed, so that the parallel
    calls' connections see it: it stays in the bench database."""
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        user = _user(api.Environment(cr, SUPERUSER_ID, {}), login, groups)
        cr.commit()
        return user.id


def _user(env, login, groups):
    from odoo import Command

    user = env["res.users"].search([("login", "=", login)])
    if not user:
        user = env["res.users"].create(
            {
                "name": login,
                "login": login,
                "groups_id": [Command.set([env.ref(g).id for g in groups])],
                "tz": "UTC",
            }
        )
    return user


def main():
    with harness.environment() as env:
        # before the benchmark's transaction: its snapshot (repeatable read) sees the user
        manager_id = _committed_user(env.registry, "bench_a_manager", ["sales_team.group_sale_manager"])
    with harness.environment() as env:
        marker = data.ensure(env, harness.detail)
        templates = marker["templates"]
        team_id, stages = templates["teams"][TEAM], templates["stages"]
        manager = env(user=manager_id)
        accountant = env(
            user=_user(
                env, "bench_a_accountant", ["account.group_account_invoice", "sales_team.group_sale_salesman"]
            )
        )
        harness.detail(
            f"{data.N_LEADS} leads of {data.N_TEAMS} teams over 3 years, {data.N_CUSTOMERS} customers, "
            f"{data.N_MOVES} invoices ({2 * data.N_MOVES} lines); {harness.load_average()}"
        )
        env.cr.execute("SELECT count(*) FROM crm_lead_stage_history")
        harness.detail(f"stage changes in the database: {env.cr.fetchone()[0]}")
        expected = truth_funnel()
        harness.detail(f"team {TEAM}, one year: truth {expected}")
        if harness.EXPLAIN:
            # the add-on runs its statements with JIT off and more work memory: so are their plans here
            explain = harness.explain

            def explain_without_jit(env, text):
                from odoo.addons.crm_extended.models.crm_analytics import WORK_MEM

                env.cr.execute("SET LOCAL jit = off")
                env.cr.execute("SET LOCAL work_mem = %s", [WORK_MEM])
                explain(env, text)

            harness.explain = explain_without_jit
            harness.explain_call(manager, "funnel", ours_funnel, manager, team_id, stages, slow_ms=5)
            harness.explain_call(manager, "forecast", ours_forecast, manager, slow_ms=20)
            harness.explain_call(manager, "dashboard", dashboard, manager, slow_ms=200)
            return
        methods = [
            ("ours", manager, lambda e, _i: ours_funnel(e, team_id, stages)),
            ("stock ORM", manager, lambda e, _i: stock_funnel(e, team_id, stages)),
        ]
        runs = harness.alternate(methods, [None] * RUNS, warmup=1)
        for name, (times, results) in runs.items():
            harness.detail(
                f"  funnel {name:<10} {harness.timing(times)} | equals the truth: {results[0] == expected}"
            )
        funnel = harness.medians(runs)
        methods = [
            ("ours", manager, lambda e, _i: ours_forecast(e)),
            ("stock", manager, lambda e, _i: stock_forecast(e)),
        ]
        forecast_runs = harness.alternate(methods, [None] * RUNS, warmup=1)
        for name, (times, _results) in forecast_runs.items():
            harness.detail(f"  forecast {name:<8} {harness.timing(times)}")
        harness.detail(f"  open opportunities projected: {forecast_runs['ours'][1][0]}")
        start = time.perf_counter()
        backtest = manager["crm.analytics"].get_forecast()
        harness.detail(
            f"  forecast with its 12-month backtest: {1000 * (time.perf_counter() - start):.0f} ms "
            f"(MAPE funnel {backtest['mape']['funnel']}, Odoo {backtest['mape']['odoo']})"
        )
        methods = [("ours", manager, lambda e, _i: dashboard(e))]
        dashboard_runs = harness.alternate(methods, [None] * RUNS, warmup=1)
        harness.detail(
            f"  dashboard {harness.timing(dashboard_runs['ours'][0])} | leads in the funnel, open "
            f"opportunities, clients, lost reasons: {dashboard_runs['ours'][1][0]}"
        )
        methods = [("parallel", manager, lambda e, _i: dashboard_parallel(e.registry, manager_id))]
        parallel_runs = harness.alternate(methods, [None] * RUNS, warmup=1)
        harness.detail(
            f"  dashboard, its four calls at once (as the browser sends them to Odoo's workers) "
            f"{harness.timing(parallel_runs['parallel'][0])} | the same answer: "
            f"{parallel_runs['parallel'][1][0] == dashboard_runs['ours'][1][0]}"
        )
        floors(env, team_id)
        start = time.perf_counter()
        clients = env["crm.analytics"]._crm_compute_customer_classes(data.BASE_DAY)
        env.flush_all()
        harness.detail(
            f"  recompute of the classes of {clients} clients: {1000 * (time.perf_counter() - start):.0f} ms"
        )
        methods = [
            ("ours", accountant, lambda e, _i: ours_abc(e)),
            ("stock", accountant, lambda e, _i: stock_abc(e)),
        ]
        abc_runs = harness.alternate(methods, [None] * RUNS, warmup=1)
        for name, (times, _results) in abc_runs.items():
            harness.detail(f"  abc read {name:<8} {harness.timing(times)}")
        # last: the rows it touches (rolled back) would weigh on the recompute and the read
        write_floor(env)
        harness.detail(f"{harness.load_average()} after timing")
        forecast, abc = harness.medians(forecast_runs), harness.medians(abc_runs)
        harness.report("analytics_funnel", funnel["ours"], funnel["stock ORM"], "ms")
        harness.report("analytics_forecast", forecast["ours"], forecast["stock"], "ms")
        harness.report("analytics_abc", abc["ours"], abc["stock"], "ms")
        harness.report("analytics_dashboard", harness.medians(dashboard_runs)["ours"], None, "ms")
        harness.report("analytics_dashboard_parallel", harness.medians(parallel_runs)["parallel"], None, "ms")


if __name__ == "__main__":
    main()
