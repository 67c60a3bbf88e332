"""The client portal's orders page as a holding representative (#18; method: bench/README.md).

ours: ``GET /my/orders``, crm_extended's page (its controller extends sale's): the first page of
80 orders with each order's entity, delivery and invoice status, and the count of orders per
delivery status. stock: ``GET /bench/stock/my/orders``, Odoo's own page (sale's controller class
run as sale defines it, sale's template; see bench/_portal_server.py) on the same data, as the
same user, in the same session. Both are real HTTP requests to one Odoo server the benchmark
starts (threaded, one process), in turns with the portal's home ``/my`` (its layout alone: the
floor of any portal page); the time is the server's (Odoo's request log line:
SQL time + the rest, from the request's arrival to its last byte written), the round trip on
loopback beside it. Both answers are checked against the generator's truth on every request.
"""

import collections
import os
import re
import time

import _data_portal as data
import _load_server
import harness
import requests

RUNS = int(os.environ.get("BENCH_RUNS", "200"))
WARMUP = 10
PAGES = {"ours": "/my/orders", "stock": "/bench/stock/my/orders", "floor": "/my"}
LOG_LINE = re.compile(r'"GET (\S+)\?r=(\d+) HTTP/1\.[01]" (\d{3}) \S+ (\d+) ([\d.]+) ([\d.]+)')
ORDER_NAME = re.compile(r">\s*(BP\d{6})\s*<")
ORDER_ROW_STATUS = re.compile(r'<td data-crm-status="(\w*)"')
ORDER_ROW_INVOICE = re.compile(r'<td data-crm-invoice="([\w ]*)"')
COUNT = re.compile(r'data-crm-status="(\w+)"[^>]*>\s*[^<]*<span[^>]*o_crm_order_count[^>]*>(\d+)</span>')


def check_in_process(env, truth, marker):
    """The count of orders the representative sees, under its record rules, both ways."""
    user = env["res.users"].browse(marker["templates"]["user"])
    orders = env["sale.order"].with_user(user)
    ours = orders.search_count([("state", "=", "sale")])
    stock = orders.search_count(
        [("message_partner_ids", "child_of", [user.commercial_partner_id.id]), ("state", "=", "sale")]
    )
    harness.detail(
        f"orders the representative sees (ORM, its rules): ours {ours}, stock {stock}, truth {truth['total']}"
    )
    if not ours == stock == truth["total"]:
        raise SystemExit("the representative does not see the generator's orders")


def check_page(method, html, truth):
    """The first page as the generator says it must be; raises otherwise."""
    first = truth["first_page"]
    names = ORDER_NAME.findall(html)
    if names != [row["name"] for row in first]:
        raise SystemExit(f"{method}: first page {names[:5]}... is not the generator's")
    if method == "ours":
        counts = {key: int(count) for key, count in COUNT.findall(html)}
        want = {
            "all": truth["total"],
            **{k: truth["counts"].get(k, 0) for k in ("pending", "partial", "full")},
        }
        if counts != want:
            raise SystemExit(f"ours: counts {counts}, generator {want}")
        statuses = ORDER_ROW_STATUS.findall(html)
        invoices = ORDER_ROW_INVOICE.findall(html)
        if statuses != [row["delivery_status"] for row in first] or invoices != [
            row["invoice_status"] for row in first
        ]:
            raise SystemExit("ours: the first page's states are not the generator's")


def sql_floor(env, marker, runs=30):
    """The count of the holding's orders per delivery status in plain SQL, without rules: the
    least any page showing these counts reads (ms per run, p50)."""
    times = []
    entities = marker["templates"]["entities"]
    for _ in range(runs):
        start = time.perf_counter()
        env.cr.execute(
            """SELECT delivery_status, count(*) FROM sale_order
                WHERE state = 'sale'
                  AND partner_id IN (SELECT id FROM res_partner WHERE commercial_partner_id = ANY(%s))
                GROUP BY delivery_status""",
            [entities],
        )
        env.cr.fetchall()
        times.append(1000 * (time.perf_counter() - start))
    return times


def server_times(server, wanted):
    """{(path, r): (ms, queries)} from Odoo's request log lines."""
    found = {}
    for line in server.log_lines():
        match = LOG_LINE.search(line)
        if match:
            path, tag, status, queries, sql, rest = match.groups()
            if status != "200":
                raise SystemExit(f"{path} answered {status}")
            found[(path, int(tag))] = (1000 * (float(sql) + float(rest)), int(queries), 1000 * float(sql))
    missing = wanted - found.keys()
    if missing:
        raise SystemExit(f"{len(missing)} requests without a log line, e.g. {sorted(missing)[:3]}")
    return found


def main():
    with harness.environment() as env:
        marker = data.ensure(env, harness.detail)
        truth = data.truth()
        check_in_process(env, truth, marker)
        floor_sql = sql_floor(env, marker)
        db_name = env.cr.dbname
    harness.detail(
        f"{truth['total']} orders of {data.N_ENTITIES} entities; per delivery status {truth['counts']}"
    )
    server = _load_server.OdooServer(0, os.path.join(harness.setting("LOG_DIR"), "bench-portal-odoo.log"))
    server.port = int(os.environ.get("CRM_EXTENDED_HTTP_PORT") or server.port)
    launcher = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_portal_server.py")
    server.start(harness.setting("PY"), launcher, harness.setting("CONF_FILE"), db_name)
    try:
        session = requests.Session()
        session.cookies.set("session_id", server.login(db_name, data.LOGIN, data.PASSWORD))
        harness.detail(
            f"Odoo on {server.url} (threaded), {RUNS} requests per page after {WARMUP}; "
            f"{harness.load_average()}"
        )
        methods = list(PAGES.items())
        round_trips, sent = collections.defaultdict(list), set()
        for index in range(-WARMUP, RUNS):
            shift = index % len(methods)
            for method, path in methods[shift:] + methods[:shift]:
                start = time.perf_counter()
                answer = session.get(
                    f"{server.url}{path}?r={index + WARMUP}", allow_redirects=False, timeout=120
                )
                elapsed = 1000 * (time.perf_counter() - start)
                if answer.status_code != 200:
                    raise SystemExit(f"{method}: {path} answered {answer.status_code}")
                if method != "floor":  # the portal's home: its layout, no document (the counters come later)
                    check_page(method, answer.text, truth)
                if index >= 0:
                    round_trips[method].append(elapsed)
                    sent.add((path, index + WARMUP))
        logged = server_times(server, sent)
    finally:
        server.stop()
    harness.detail(f"{harness.load_average()}; every answer equal to the generator's first page")
    medians = {}
    for method, path in methods:
        times = [logged[(path, tag)][0] for p, tag in sorted(sent) if p == path]
        queries = sorted(logged[(path, tag)][1] for p, tag in sent if p == path)
        sql = [logged[(path, tag)][2] for p, tag in sent if p == path]
        medians[method] = harness.percentiles(times)[0]
        harness.detail(f"{method:<6} {path:<24} server {harness.timing(times)}")
        harness.detail(
            f"{'':<6} {'':<24} round trip {harness.timing(round_trips[method])}; "
            f"queries {queries[len(queries) // 2]}, SQL p50 {harness.fmt(harness.percentiles(sql)[0])} ms"
        )
    harness.detail(f"floor: the counts in plain SQL, without rules, in-process: {harness.timing(floor_sql)}")
    harness.report("portal", medians["ours"], medians["stock"], "ms")


if __name__ == "__main__":
    main()
