"""Channel economics for a year, grouped by source and month (method: bench/README.md).

ours: one _read_group on crm.channel.report (last touch): leads, qualified opportunities,
won deals, new customers, invoiced revenue, cost, margin and the ratios (ROI, cost per lead,
cost per won client) of every source and month. stock: the same leads, qualified, won,
revenue and cost figures from Odoo's own _read_group calls on leads (three), posted customer
invoices (by deal and month, the deals' sources read once) and campaign cost lines. Both as
the sales manager "BENCH CRM Manager", empty cache each run; both checked against the
builder's truth (bench_channel_truth).
"""

from collections import defaultdict

import _data
import harness

RUNS = 7
YEAR = ("2025-07-01", "2026-07-01")
MONTH = ("2026-05-01", "2026-06-01")  # a month of it: what the report reads when a month is asked
FIGURES = ("leads", "qualified", "won", "revenue", "cost")
MEASURES = ["lead_count:sum", "opportunity_count:sum", "won_count:sum", "revenue:sum", "cost:sum"]
MEASURES += ["new_customer_count:sum", "margin:sum", "roi:avg", "cost_per_lead:avg", "cost_per_customer:avg"]


def ours(env, period):
    period = period or YEAR
    domain = [("attribution", "=", "last"), ("date", ">=", period[0]), ("date", "<", period[1])]
    rows = env["crm.channel.report"]._read_group(domain, ["source_id", "date:month"], MEASURES)
    return {(source.id or None, month): list(values[:5]) for source, month, *values in rows}


def stock(env, period):
    """The same figures from _read_group on leads, invoices and cost lines."""
    period = period or YEAR
    figures = defaultdict(lambda: [0, 0, 0, 0.0, 0.0])
    leads = env["crm.lead"].with_context(active_test=False)
    year = [("create_date", ">=", period[0]), ("create_date", "<", period[1])]
    companies = ["|", ("company_id", "=", False), ("company_id", "in", env.companies.ids)]
    won = [("active", "=", True), ("stage_id.is_won", "=", True)]
    for column, extra in enumerate(([], [("type", "=", "opportunity")], won)):
        rows = leads._read_group([*year, *companies, *extra], ["source_id", "create_date:month"], ["__count"])
        for source, month, count in rows:
            figures[(source.id or None, month.date())][column] += count
    domain = [("state", "=", "posted"), ("move_type", "in", ("out_invoice", "out_refund"))]
    domain += [("crm_opportunity_id", "!=", False), ("company_id", "in", env.companies.ids)]
    domain += [("invoice_date", ">=", period[0]), ("invoice_date", "<", period[1])]
    rows = env["account.move"]._read_group(
        domain, ["crm_opportunity_id", "invoice_date:month"], ["amount_untaxed_signed:sum"]
    )
    deals = env["crm.lead"].with_context(active_test=False).browse({lead.id for lead, _m, _a in rows})
    source_of = {lead["id"]: lead["source_id"] for lead in deals.read(["source_id"], load=None)}
    for lead, month, amount in rows:
        figures[(source_of[lead.id] or None, month)][3] += amount
    domain = [("date", ">=", period[0]), ("date", "<", period[1]), ("company_id", "in", env.companies.ids)]
    for source, month, amount in env["crm.campaign.cost"]._read_group(
        domain, ["source_id", "date:month"], ["amount_company:sum"]
    ):
        figures[(source.id or None, month)][4] += amount
    return dict(figures)


def truth(env, period=YEAR):
    env.cr.execute(
        "SELECT source_id, month, leads, qualified, won, revenue, cost FROM bench_channel_truth"
        " WHERE month >= %s AND month < %s",
        list(period),
    )
    return {
        (source, month): [leads, qualified, won, float(revenue), float(cost)]
        for source, month, leads, qualified, won, revenue, cost in env.cr.fetchall()
    }


def differences(left, right, sources=None):
    """Keys whose figures differ (money to the cent), over ``sources`` (all when None)."""
    keys = {key for key in (*left, *right) if sources is None or key[0] in sources}
    empty = [0, 0, 0, 0.0, 0.0]
    return sorted(
        (
            key
            for key in keys
            if any(
                abs(a - b) > 0.01 for a, b in zip(left.get(key, empty), right.get(key, empty), strict=True)
            )
        ),
        key=str,
    )


def main():
    with harness.environment() as env:
        _data.ensure(env, harness.detail)
        # the builder writes its leads in SQL: their stored client facts (#12) from scratch
        env["crm.lead"]._crm_refresh_client_facts()

    with harness.environment() as env:  # timed in a transaction of its own, not the building one
        user = env["res.users"].search([("login", "=", "bench_crm_manager")])
        manager = env(user=user, context=dict(env.context, tz="UTC"))  # the truth is by UTC month
        env.cr.execute("SELECT count(*) FROM crm_lead")
        leads = env.cr.fetchone()[0]
        env.cr.execute("SELECT count(*) FROM res_partner WHERE is_company AND name LIKE 'BENCH Company %'")
        customers = env.cr.fetchone()[0]
        env.cr.execute(
            "SELECT count(*) FILTER (WHERE l.display_type = 'product'), count(*) FROM account_move_line l"
            " JOIN account_move m ON m.id = l.move_id WHERE m.move_type IN ('out_invoice', 'out_refund')"
        )
        product_lines, items = env.cr.fetchone()
        env.cr.execute("SELECT count(DISTINCT campaign_id), count(*) FROM crm_campaign_cost")
        campaigns, costs = env.cr.fetchone()
        env.cr.execute("SELECT count(*) FROM account_move WHERE crm_opportunity_id IS NOT NULL")
        linked = env.cr.fetchone()[0]
        harness.detail(
            f"{leads} leads, {customers} customers, {items} invoice journal items"
            f" ({product_lines} product lines), {linked} invoices of deals,"
            f" {campaigns} campaigns with {costs} cost lines"
        )
        harness.detail(f"the year {YEAR[0]} to {YEAR[1]} by source and month, as {manager.user.name}")
        methods = [("ours", manager, ours), ("stock read_group", manager, stock)]
        for name, _env, function in methods if harness.EXPLAIN else ():
            harness.explain_call(manager, name, function, manager, None, slow_ms=10.0)
        if harness.EXPLAIN:
            return
        harness.detail(f"{harness.load_average()} before timing")
        runs = harness.alternate(methods, [None] * RUNS, warmup=1)
        harness.detail(f"{harness.load_average()} after timing")
        for name, (times, _results) in runs.items():
            harness.detail(f"{name:<20} {harness.timing(times)}")
        ours_, stock_ = runs["ours"][1][-1], runs["stock read_group"][1][-1]
        truth_ = truth(env)
        bench_sources = {source for source, _month in truth_ if source}
        harness.detail(f"{len(ours_)} source-month groups (ours), {len(stock_)} (stock)")
        for label, left, right, sources in (
            ("ours vs stock read_group", ours_, stock_, None),
            ("ours vs the builder's truth (its sources)", ours_, truth_, bench_sources),
            ("stock vs the builder's truth (its sources)", stock_, truth_, bench_sources),
        ):
            differ = differences(left, right, sources)
            harness.detail(f"{label}: {'the same figures' if not differ else f'{len(differ)} groups differ'}")
            for key in differ[:3]:
                harness.detail(f"  {key}: {left.get(key)} vs {right.get(key)}")
            assert not differ, f"{label}: {len(differ)} groups differ"
        # a month: the report's dates reach its facts' scans, the stock calls filter as ever
        month_runs = harness.alternate(methods, [MONTH] * RUNS, warmup=1)
        harness.detail(f"{harness.load_average()} after timing the month {MONTH[0]} to {MONTH[1]}")
        for name, (times, _results) in month_runs.items():
            harness.detail(f"month: {name:<13} {harness.timing(times)}")
        ours_, stock_ = month_runs["ours"][1][-1], month_runs["stock read_group"][1][-1]
        for label, left, right, sources in (
            ("month: ours vs stock read_group", ours_, stock_, None),
            ("month: ours vs the builder's truth (its sources)", ours_, truth(env, MONTH), bench_sources),
        ):
            differ = differences(left, right, sources)
            harness.detail(f"{label}: {'the same figures' if not differ else f'{len(differ)} groups differ'}")
            assert not differ, f"{label}: {len(differ)} groups differ"
        month_p50 = harness.medians(month_runs)
        harness.detail(
            f"month p50: ours {month_p50['ours']:.0f} ms, stock {month_p50['stock read_group']:.0f} ms"
        )
        p50 = harness.medians(runs)
        harness.report("channels", p50["ours"], p50["stock read_group"], "ms")


if __name__ == "__main__":
    main()
