"""KPI plan versus fact, and the recurring-task job (method: bench/README.md).

ours: the Plan and Fact board of a month for all salespeople, one ``_read_group`` on
crm.kpi.report (month, level person, by salesperson and KPI: plan, fact, % of plan), the month
narrowed on every scan. stock: the best stock Odoo way, a ``_read_group`` per KPI by salesperson
on Odoo's own models (account.invoice.report for revenue and margin, account.partial.reconcile
read for payments, account.move for first invoices, crm.lead, crm.phone.call, calendar.event)
plus the targets. Both as the same sales manager, in turns; both must give the same figures.
Then the recurring-task job: one template over every client, run twice (the second creates
nothing), timed, duplicates counted in SQL.
"""

import datetime
import os
import random
import subprocess
import time
from collections import defaultdict

import _data_kpi as data
import harness

RUNS = int(os.environ.get("BENCH_RUNS", "15"))
VACUUMED = (
    "account_move",
    "account_move_line",
    "account_partial_reconcile",
    "crm_phone_call",
    "calendar_event",
    "crm_lead",
    "res_users",
)


def months(rng, count):
    first = data.LAST_DAY.replace(day=1)
    choices = []
    for _ in range(count):
        back = rng.randrange(1, 35)
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        choices.append(datetime.date(year, month + 1, 1))
    return choices


def ours(env, month):
    month = month["month"] if isinstance(month, dict) else month
    rows = env["crm.kpi.report"]._read_group(
        [("month", "=", month), ("level", "=", "person")],
        ["user_id", "kpi"],
        ["target:sum", "fact:sum", "percent:sum"],
    )
    return {(user.id, kpi): (round(target, 2), round(fact, 2)) for user, kpi, target, fact, _pct in rows}


def stock(env, month):
    """A read_group per KPI by salesperson, on Odoo's own models."""
    month = month["month"] if isinstance(month, dict) else month
    end = (month + datetime.timedelta(days=32)).replace(day=1)
    companies = env.companies.ids
    facts = defaultdict(float)
    # invoiced revenue and margin: Odoo's invoice analysis, by salesperson and product (its cost)
    rows = env["account.invoice.report"]._read_group(
        [
            ("move_type", "in", ["out_invoice", "out_refund"]),
            ("state", "=", "posted"),
            ("invoice_date", ">=", month),
            ("invoice_date", "<", end),
            ("company_id", "in", companies),
        ],
        ["invoice_user_id", "product_id"],
        ["price_subtotal:sum", "quantity:sum"],
    )
    for user, product, amount, quantity in rows:
        facts[(user.id, "invoiced")] += amount
        sign = 1  # quantities of credit notes are negative in the invoice analysis
        facts[(user.id, "margin")] += amount - sign * quantity * product.standard_price
    # paid: reconciliations of the month on customer invoices
    partials = env["account.partial.reconcile"].search_read(
        [
            ("max_date", ">=", month),
            ("max_date", "<", end),
            ("debit_move_id.move_id.move_type", "=", "out_invoice"),
            ("debit_move_id.move_id.state", "=", "posted"),
            ("credit_move_id.move_id.move_type", "not in", ["out_invoice", "out_refund"]),
            ("company_id", "in", companies),
        ],
        ["amount", "debit_move_id"],
    )
    lines = env["account.move.line"].browse({p["debit_move_id"][0] for p in partials})
    user_of = {line.id: line.move_id.invoice_user_id.id for line in lines}
    for partial in partials:
        facts[(user_of[partial["debit_move_id"][0]], "paid")] += partial["amount"]
    # new customers: the clients' first invoice date, then the first invoices of the month
    Move = env["account.move"]
    invoices = [("move_type", "=", "out_invoice"), ("state", "=", "posted"), ("company_id", "in", companies)]
    firsts = Move._read_group(invoices, ["commercial_partner_id"], ["invoice_date:min"])
    new = [partner.id for partner, first in firsts if first and month <= first < end]
    if new:
        for move in Move.search(
            [
                *invoices,
                ("commercial_partner_id", "in", new),
                ("invoice_date", ">=", month),
                ("invoice_date", "<", end),
            ],
            order="commercial_partner_id, invoice_date, id",
        ):
            if (move.commercial_partner_id.id, "seen") not in facts:
                facts[(move.commercial_partner_id.id, "seen")] = 1
                facts[(move.invoice_user_id.id, "new_customers")] += 1
        for partner_id in new:
            facts.pop((partner_id, "seen"), None)
    counts = [
        (
            "won",
            "crm.lead",
            [
                ("stage_id.is_won", "=", True),
                ("type", "=", "opportunity"),
                ("date_closed", ">=", month),
                ("date_closed", "<", end),
            ],
        ),
        (
            "calls",
            "crm.phone.call",
            [("direction", "=", "outbound"), ("start_at", ">=", month), ("start_at", "<", end)],
        ),
        (
            "meetings",
            "calendar.event",
            [("start", ">=", month), ("start", "<", end), ("start", "<=", datetime.datetime.now())],
        ),
        (
            "sla",
            "crm.lead",
            [("response_in_time", "=", True), ("responded_at", ">=", month), ("responded_at", "<", end)],
        ),
    ]
    for kpi, model, domain in counts:
        for user, count in env[model]._read_group(domain, ["user_id"], ["__count"]):
            facts[(user.id, kpi)] += count
    targets = env["crm.kpi.target"]._read_group(
        [("month", "=", month), ("user_id", "!=", False)], ["user_id", "kpi"], ["target:sum"]
    )
    out = {(user.id, kpi): [round(target, 2), 0.0] for user, kpi, target in targets}
    for (user_id, kpi), value in facts.items():
        if kpi in data.KPIS and user_id:
            out.setdefault((user_id, kpi), [0.0, 0.0])[1] = round(value, 2)
    return {key: tuple(value) for key, value in out.items()}


def recurring(env, clients, day):
    template = env["crm.task.template"].create(
        {
            "name": "BENCH-K monthly visit",
            "domain": repr([("name", "=like", "BENCH-K Client %")]),
            "activity_type_id": env.ref("mail.mail_activity_data_meeting").id,
            "frequency": "monthly",
            "month_day": 31,
            "anchor_date": day.replace(day=1),
        }
    )
    env.flush_all()
    start = time.perf_counter()
    first = template._crm_generate(day)
    first_s = time.perf_counter() - start
    start = time.perf_counter()
    second = template._crm_generate(day)
    second_s = time.perf_counter() - start
    env.cr.execute(
        """SELECT count(*), count(DISTINCT (res_id, date_deadline)) FROM mail_activity
            WHERE crm_task_template_id = %s""",
        [template.id],
    )
    activities, distinct = env.cr.fetchone()
    harness.detail(
        f"recurring job over {clients} clients: {first} activities in {first_s:.1f}s, rerun {second} in "
        f"{second_s:.1f}s; {activities} activities, {activities - distinct} duplicates"
    )


def main():
    with harness.environment() as env:
        marker = data.ensure(env, harness.detail)
        manager = env["res.users"].browse(marker["templates"]["manager"])
        user_env = env(user=manager)
        rng = random.Random(17)
        items = months(rng, RUNS)
        if harness.EXPLAIN:
            harness.detail(f"{harness.load_average()}; month {items[0]}")
            env.cr.execute("SET LOCAL jit = off")  # as the board runs: its plan without JIT
            harness.explain_call(user_env, "ours board", ours, user_env, items[0], slow_ms=5)
            # stock's queries and times only (its invoice analysis's text does not EXPLAIN as printed)
            harness.explain_call(user_env, "stock read_group per KPI", stock, user_env, items[0], slow_ms=1e9)
            return
        # what autovacuum does after the builder's bulk inserts (it is off on this server): the
        # visibility map that lets PostgreSQL count a month's rows in an index alone
        start = time.perf_counter()
        subprocess.run(
            ["psql", "-q", "-d", env.cr.dbname, "-c", f"VACUUM (ANALYZE) {', '.join(VACUUMED)}"], check=True
        )
        harness.detail(f"tables vacuumed in {time.perf_counter() - start:.0f}s: {', '.join(VACUUMED)}")
        harness.detail(f"{harness.load_average()} before timing")
        same = sum(ours(user_env, month) == stock(user_env, month) for month in items[:3])
        harness.detail(f"the same figures on both sides: {same} of 3 months")
        if same < 3:
            month = items[0]
            a, b = ours(user_env, month), stock(user_env, month)
            diff = [
                (key, a.get(key), b.get(key)) for key in sorted(set(a) | set(b)) if a.get(key) != b.get(key)
            ]
            harness.detail(f"differences in {month}: {len(diff)}, e.g. {diff[:5]}")
        runs = harness.alternate(
            [("ours board", user_env, ours), ("stock read_group per KPI", user_env, stock)],
            [{"month": m, "expected": set()} for m in items],
            warmup=2,
        )
        runs = {name: (times, [set()] * len(times)) for name, (times, _results) in runs.items()}
        harness.detail("the board of a month for all salespeople (by salesperson and KPI), fresh cache:")
        for name, (times, _results) in runs.items():
            harness.detail(f"  {name:<28} {harness.timing(times)}")
        recurring(env, data.N_CLIENTS, datetime.date(2026, 12, 7))
        harness.detail(f"{harness.load_average()} after timing")
        p50 = harness.medians(runs)
        harness.report("kpi", p50["ours board"], p50["stock read_group per KPI"], "ms")


if __name__ == "__main__":
    main()
