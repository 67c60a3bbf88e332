"""The add-on under real load: Odoo as an HTTP server with 1, 2 and 4 workers
on the bench database, users over JSON-RPC with sessions, then 4 workers with
a streaming read replica.

Users (one connection each, closed loop, wrk): 8 salespeople identifying
callers (``res.partner.crm_identify_caller``), 2 warehouse users on the
delivery desk (``stock.delivery.desk.crm_find_deliveries``), 2 salespeople
opening deals with their money figures (``crm.lead.web_read`` of the
``deal_amount_*`` fields) and 1 creating leads (``crm.lead.create``). The
stock run is the same with the callers using the best stock search instead
(``search_read`` on res.partner, then on crm.lead, ``phone_mobile_search =
number``). With 4 workers also: the callers alone, ours and stock, the
floor (the cheapest authenticated call_kw) and one user at a time (no
queueing). Per run and action: throughput,
p50/p95/p99/max, errors (must be 0), how many hits were found; Odoo's
connections to PostgreSQL (pg_stat_activity, sampled) and the CPU of Odoo,
PostgreSQL and the generator. A record rule created through one worker must
change the next answers of every worker (Odoo's cache signalling). With the
replica (tools/replica.sh): which cluster did the work (pg_stat_database,
CPU, connections).

LOAD_SECONDS (default 12) sets each measured run's length.
"""

import ast
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _load_server as serving
import _load_workload as workload
import _load_wrk as generator
import harness

SECONDS = int(os.environ.get("LOAD_SECONDS", "12"))
WARMUP_SECONDS = 3
BOUND = 200_000  # requests per user and run: wrk stops at the time bound long before
WORKER_COUNTS = (1, 2, 4)
ACTION_ORDER = (
    "identify",
    "stock_identify",
    "stock_partner",
    "stock_lead",
    "desk",
    "deal",
    "create_lead",
    "empty",
)
# a request as Odoo logs it: worker pid, method, queries, SQL and other seconds, cursor (with a replica)
LOG_LINE = re.compile(
    r'^\S+ \S+ (\d+) INFO .*?werkzeug: .*"POST /web/dataset/call_kw/(\S+) HTTP/[\d.]+" \d+ \S+ '
    r"(\d+) ([\d.]+) ([\d.]+)(?: (\S+))?$"
)


def percentile(values, share):
    """Nearest rank: the smallest value with ``share`` of ``values`` at or below it."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1] if ordered else 0.0


def load_average():
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


# -- what the add-on keeps in a worker ----------------------------------------------------------


_MUTATORS = {"append", "extend", "insert", "update", "setdefault", "add", "pop", "popitem", "clear", "remove"}
_MUTABLE = (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp, ast.Call)


def worker_state(addon_dir):
    """What the add-on's code (tests aside) could keep in a worker process:
    module-level values that some code changes (item assignment, append,
    update...), ``global`` rebinding and functools caches; and its methods
    cached in Odoo's registry caches (ormcache), which Odoo clears in every
    worker when another signals a change."""
    findings, ormcached = [], []
    for path in sorted(Path(addon_dir).rglob("*.py")):
        if "tests" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module_values = {
            target.id
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, _MUTABLE)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for node in ast.walk(tree):
            changed = None
            if isinstance(node, ast.Global):
                findings.append(f"{path.name}:{node.lineno} global {', '.join(node.names)}")
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in _MUTATORS and isinstance(node.func.value, ast.Name):
                    changed = node.func.value.id
            elif isinstance(node, ast.Assign | ast.AugAssign | ast.Delete):
                targets = node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                        changed = target.value.id
            elif isinstance(node, ast.FunctionDef):
                names = {ast.unparse(decorator).split("(")[0] for decorator in node.decorator_list}
                if names & {"functools.lru_cache", "lru_cache", "functools.cache", "cache"}:
                    findings.append(f"{path.name}:{node.lineno} {node.name} functools cache")
                if any(name.split(".")[-1] in ("ormcache", "ormcache_context") for name in names):
                    ormcached.append(node.name)
            if changed in module_values:
                findings.append(f"{path.name}:{node.lineno} module-level {changed} changed")
    return findings, ormcached


# -- runs ---------------------------------------------------------------------------------------


def users_for(kinds, sessions, callers="caller", background=True):
    """wrk's users: the salespeople identifying callers (``callers``: ours or
    stock items), and with ``background`` the desk, deal and lead users."""
    users = []
    for kind, logins in workload.logins().items():
        if kind != "caller" and not background:
            continue
        items = kinds[callers if kind == "caller" else kind]
        users += [(callers if kind == "caller" else kind, sessions[login], items) for login in logins]
    return users


def play(wrk, server, run_dir, users, seconds, clusters):
    """One measured run: wrk's figures and what the run cost."""
    time.sleep(1.5)  # counters of the previous run reported (idle backends flush their statistics)
    with serving.Watch(server, clusters) as watch:
        actions, summary, wrk_cpu, samples = generator.run(wrk, server.url, run_dir, users, seconds, BOUND)
    deltas = watch.counters_delta()
    watch.cpu["wrk"] = wrk_cpu
    return {
        "actions": actions,
        "summary": summary,
        "samples": samples,
        "cpu": watch.cpu,
        "seconds": watch.seconds,
        "counters": deltas,
        "connections": {cluster.name: watch.connections(cluster.name) for cluster in clusters},
    }


def print_run(title, result):
    """The run's table: one line per action, then its connections and CPU."""
    duration = result["summary"]["duration_us"] / 1e6
    harness.detail(f"{title} ({duration:.1f} s, load average {load_average()})")
    harness.detail(
        f"  {'action':<15}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        f"{'errors':>8}  found"
    )
    for action in ACTION_ORDER:
        stats = result["actions"].get(action)
        if not stats:
            continue
        values = stats["latencies_ms"]
        found = f"{stats['found']}/{stats['asked']}" if stats["asked"] else "-"
        harness.detail(
            f"  {action:<15}{len(values) / duration:>8.1f}{percentile(values, 0.5):>9.2f}"
            f"{percentile(values, 0.95):>9.2f}{percentile(values, 0.99):>9.2f}{max(values):>9.1f}"
            f"{stats['errors']:>8}  {found}"
        )
    socket_errors = sum(result["summary"][key] for key in ("connect", "read", "write", "timeout"))
    connections = ", ".join(
        f"{name}: at most {most}, {active:.1f} active on average"
        for name, (most, active) in result["connections"].items()
    )
    harness.detail(f"  Odoo's connections to PostgreSQL (pg_stat_activity every 0.5 s): {connections}")
    cpu = {group: seconds / result["seconds"] for group, seconds in result["cpu"].items()}
    parts = [("Odoo", cpu["odoo"]), ("wrk", cpu["wrk"])]
    parts += [
        (f"{group.split()[0]} (bench database)", share) for group, share in cpu.items() if "backends" in group
    ]
    others = cpu["machine"] - sum(share for _name, share in parts)
    harness.detail(
        f"  CPUs busy: {cpu['machine']:.2f} = {' + '.join(f'{name} {share:.2f}' for name, share in parts)} "
        f"+ everything else {others:.2f}; socket errors: {socket_errors}"
    )
    for sample in result["samples"][:3]:
        harness.detail(f"  error: {sample[:300]}")


def errors_of(result):
    socket_errors = sum(result["summary"][key] for key in ("connect", "read", "write", "timeout"))
    return socket_errors + sum(stats["errors"] for stats in result["actions"].values())


def logged_requests(server, since=0):
    """The call_kw requests Odoo logged after line ``since``: (pid, method,
    queries, SQL seconds, other seconds, cursor)."""
    matches = (LOG_LINE.match(line.rstrip()) for line in server.log_lines()[since:])
    return [match.groups() for match in matches if match]


def served_by(server, since=0):
    """{worker pid: call_kw requests} after line ``since`` of the server's log."""
    pids = {}
    for pid, *_rest in logged_requests(server, since):
        pids[pid] = pids.get(pid, 0) + 1
    return pids


def print_odoo_account(server):
    """Per method, Odoo's own account of its requests (its log): queries, SQL and
    other time, and with a replica, the cursor each was served with (ro: the replica)."""
    methods = {}
    for _pid, method, queries, sql, other, cursor in logged_requests(server):
        entry = methods.setdefault(method, {"n": 0, "queries": 0, "sql": 0.0, "other": 0.0, "cursors": {}})
        entry["n"] += 1
        entry["queries"] += int(queries)
        entry["sql"] += float(sql)
        entry["other"] += float(other)
        entry["cursors"][cursor or "-"] = entry["cursors"].get(cursor or "-", 0) + 1
    for method, entry in sorted(methods.items()):
        n = entry["n"]
        cursors = " ".join(f"{mode} {count}" for mode, count in sorted(entry["cursors"].items()))
        harness.detail(
            f"  Odoo's log, {method}: {n} requests, {entry['queries'] / n:.1f} queries, "
            f"{1000 * entry['sql'] / n:.2f} ms SQL + {1000 * entry['other'] / n:.2f} ms other each; "
            f"cursors: {cursors}"
        )


def check_invalidation(server, sessions, rule_target, probe, rounds, clusters):
    """A record rule hiding the probe's partner from the first caller, created
    and then removed over RPC by an administrator (through whichever worker
    takes the request): every later answer, whichever worker serves it, must
    follow at once, ours (crm_identify_caller) as Odoo's own (search_read).
    Returns ({"ours": stale answers, "stock": stale answers}, {worker pid:
    requests}, {cluster: the cache signalling sequence each cluster shows
    once the rule is created})."""
    caller = sessions[workload.logins()["caller"][0]]
    admin = sessions[f"{workload.PREFIX}admin"]
    number, partner_id = probe
    stale = {"ours": 0, "stock": 0}

    def expect(visible):
        for _index in range(rounds):
            answer = server.call(caller, "res.partner", "crm_identify_caller", [number])
            stale["ours"] += (partner_id in [partner["id"] for partner in answer["partners"]]) != visible
            found = server.call(
                caller, "res.partner", "search_read", [[["id", "=", partner_id]]], {"fields": ["id"]}
            )
            stale["stock"] += bool(found) != visible

    since = len(server.log_lines())
    expect(visible=True)
    model_id, group_id = rule_target
    rule = server.call(
        admin,
        "ir.rule",
        "create",
        [
            {
                "name": "Load bench: hide one partner",
                "model_id": model_id,
                "groups": [[6, 0, [group_id]]],
                "domain_force": f"[('id', '!=', {partner_id})]",
                "perm_read": True,
                "perm_write": False,
                "perm_create": False,
                "perm_unlink": False,
            }
        ],
    )
    signals = {cluster.name: cluster.cache_signal() for cluster in clusters}
    expect(visible=False)
    server.call(admin, "ir.rule", "unlink", [[rule]])
    expect(visible=True)
    return stale, served_by(server, since), signals


def start_server(workers, replica_port=None):
    log = os.path.join(
        harness.setting("LOG_DIR"), f"bench-load-w{workers}{'-replica' if replica_port else ''}.log"
    )
    server = serving.OdooServer(workers, log, replica_port)
    server.start(
        harness.setting("PY"),
        harness.setting("ODOO_BIN"),
        harness.setting("CONF_FILE"),
        harness.setting("BENCH_DB"),
    )
    return server


def log_problems(server):
    """Warnings and errors in the server's log, and read-only requests retried on the primary."""
    lines = server.log_lines()
    problems = [line for line in lines if re.match(r"^\S+ \S+ \d+ (WARNING|ERROR|CRITICAL) ", line)]
    retried = sum("retrying with a read/write cursor" in line for line in lines)
    return problems, retried


def ensure_data(env):
    """The shared builder (bench/_data.py) builds the bench data when the
    database has none; a database of an earlier builder is used as it is."""
    try:
        import _data  # the builder of this checkout, if it has one
    except ImportError:
        return
    env.cr.execute("SELECT value FROM ir_config_parameter WHERE key = %s", [_data.MARKER])
    marked = env.cr.fetchone()
    env.cr.execute("SELECT count(*) FROM res_partner")
    if marked or env.cr.fetchone()[0] < 100_000:
        _data.ensure(env, harness.detail)


class Bench:
    """The runs on one database: its users' sessions, requests, results and errors."""

    def __init__(self, env, wrk):
        self.db_name = harness.setting("BENCH_DB")
        self.wrk = wrk
        self.run_dir = tempfile.mkdtemp(prefix="crm_extended_load_")
        ensure_data(env)
        removed = workload.remove_created_leads(env)
        _uids, group_id = workload.ensure_users(env)
        self.kinds, found, self.probe = workload.requests_by_kind(env)
        self.rule_target = (env["ir.model"]._get_id("res.partner"), group_id)
        env.cr.rollback()  # no transaction left open during the runs
        harness.detail(f"asked: {found}; leads left by an earlier run removed: {removed}")
        self.sessions = {}
        self.results = {}
        self.errors = 0
        self.stale_with_replica = None

    def users(self, callers="caller", background=True):
        return users_for(self.kinds, self.sessions, callers, background)

    def serve(self, workers, clusters, replica_port=None):
        """Start Odoo with ``workers``, warm it up, check the cache invalidation
        across workers, then measure each run of this worker count."""
        label = "replica" if replica_port else workers
        server = start_server(workers, replica_port)
        try:
            if not self.sessions:
                logins = [login for names in workload.logins().values() for login in names]
                self.sessions = {
                    login: server.login(self.db_name, login, login)
                    for login in [*logins, f"{workload.PREFIX}admin"]
                }
            for callers in ("caller", "stock"):
                generator.run(self.wrk, server.url, self.run_dir, self.users(callers), WARMUP_SECONDS, BOUND)
            if workers > 1:
                self.check_caches(server, label, clusters)
            runs = [("mixed", self.users())]
            if not replica_port:
                runs.append(("mixed, stock callers", self.users("stock")))
            if workers == 4 and not replica_port:
                runs += [
                    ("callers only", self.users(background=False)),
                    ("callers only, stock", self.users("stock", background=False)),
                    ("floor: empty call_kw", self.users("empty", background=False)),
                ]
                # one user at a time: the time of a request without queueing
                runs += [
                    (f"one user, {kind}", self.users(kind, background=False)[:1])
                    for kind in ("caller", "stock", "empty")
                ]
            for name, users in runs:
                seconds = max(2, SECONDS // 2) if name.startswith("one user") else SECONDS
                result = play(self.wrk, server, self.run_dir, users, seconds, clusters)
                self.results[(label, name)] = result
                print_run(f"workers {label}, {name}", result)
                self.errors += errors_of(result)
            print_odoo_account(server)
            problems, retried = log_problems(server)
            harness.detail(
                f"  requests per worker {sorted(served_by(server, 0).values())}; read-only requests retried "
                f"on the primary: {retried}; warnings/errors in the log: {len(problems)}"
            )
            for line in problems[:3]:
                harness.detail(f"  log: {line.strip()[:300]}")
            self.errors += len(problems)
        finally:
            server.stop()

    def check_caches(self, server, label, clusters):
        stale, served, signals = check_invalidation(
            server, self.sessions, self.rule_target, self.probe, rounds=20, clusters=clusters
        )
        harness.detail(
            f"workers {label}: a record rule created, then removed, through one worker: stale answers of 60 "
            f"each: ours {stale['ours']}, Odoo's search_read {stale['stock']}; requests per worker "
            f"{sorted(served.values())} ({len(server.worker_pids())} workers); Odoo's cache signalling "
            f"sequence as each cluster shows it: {signals}"
        )
        if label == "replica":
            self.stale_with_replica = stale
        else:
            self.errors += stale["ours"] + stale["stock"]


def main():
    harness.detail(
        f"start {time.strftime('%Y-%m-%d %H:%M:%S %Z')}, "
        f"load average {load_average()} on {os.cpu_count()} CPUs"
    )
    wrk = generator.ensure_wrk()
    findings, ormcached = worker_state(os.path.join(harness.setting("REPO_DIR"), "crm_extended"))
    harness.detail(
        f"state kept in a worker: {', '.join(findings) or 'none'} (module-level values changed, globals, "
        f"functools caches); registry ormcaches: {', '.join(ormcached)}"
    )
    with harness.environment() as env:
        bench = Bench(env, wrk)
        primary = serving.Cluster("primary", int(env.cr.connection.info.port), bench.db_name)
        try:
            for workers in WORKER_COUNTS:
                bench.serve(workers, [primary])
                harness.detail(f"  leads created and removed: {workload.remove_created_leads(env)}")
            replica_port = start_replica()
            try:
                if replica_port:
                    replica = serving.Cluster("replica", replica_port, bench.db_name)
                    bench.serve(4, [primary, replica], replica_port)
                    replica.close()
                else:
                    harness.detail("the read replica did not start (above): no run with it")
                    bench.errors += 1
            finally:
                stop_replica()
                harness.detail(f"  leads created and removed: {workload.remove_created_leads(env)}")
        finally:
            primary.close()
            shutil.rmtree(bench.run_dir, ignore_errors=True)
    summarise(bench.results)
    if bench.stale_with_replica and any(bench.stale_with_replica.values()):
        harness.detail(
            "with the replica, workers missed the cache invalidation (stale answers above, ours and Odoo's "
            "alike): Odoo 18.0 checks its signalling sequences through the read-only cursor, on the replica, "
            "where a sequence moves only when its value is WAL-logged (every 32 values, or after a "
            "checkpoint); "
            "see odoo/odoo pull request 190407"
        )
    harness.detail(f"end {time.strftime('%Y-%m-%d %H:%M:%S %Z')}, load average {load_average()}")
    ours = percentile(bench.results[(4, "mixed")]["actions"]["identify"]["latencies_ms"], 0.99)
    stock = percentile(
        bench.results[(4, "mixed, stock callers")]["actions"]["stock_identify"]["latencies_ms"], 0.99
    )
    harness.report("load", ours, stock, "ms")
    if bench.errors:
        sys.exit(
            f"{bench.errors} errors (failed requests, stale answers, log warnings): the figures do not count"
        )


def start_replica():
    """The replica's port (tools/replica.sh start), None when it could not start (its reason on stderr)."""
    script = os.path.join(harness.setting("REPO_DIR"), "tools", "replica.sh")
    started = subprocess.run(["bash", script, "start"], stdout=subprocess.PIPE, text=True, check=False)
    return int(started.stdout.split()[-1]) if started.returncode == 0 else None


def stop_replica():
    script = os.path.join(harness.setting("REPO_DIR"), "tools", "replica.sh")
    subprocess.run(["bash", script, "stop"], check=False)


def _rate(result, action):
    return len(result["actions"][action]["latencies_ms"]) / (result["summary"]["duration_us"] / 1e6)


def _cpu_per_request(result, action):
    """Milliseconds of CPU (Odoo's processes + the bench database's backends) per request of ``action``."""
    busy = result["cpu"]["odoo"] + sum(
        seconds for group, seconds in result["cpu"].items() if group.endswith("backends")
    )
    return 1000 * busy / len(result["actions"][action]["latencies_ms"])


def summarise(results):
    """The target and its floors, and where the work went with the replica."""
    callers, floor = results[(4, "callers only")], results[(4, "floor: empty call_kw")]
    values = callers["actions"]["identify"]["latencies_ms"]
    identify_cpu, empty_cpu = _cpu_per_request(callers, "identify"), _cpu_per_request(floor, "empty")
    requests = sum(len(stats["latencies_ms"]) for stats in floor["actions"].values())
    harness.detail(
        f"target: >= 500 identifications/s with p99 <= 50 ms, 4 workers: {_rate(callers, 'identify'):.0f}/s, "
        f"p99 {percentile(values, 0.99):.1f} ms (8 callers, nothing else)"
    )
    harness.detail(
        f"floors: an identification costs {identify_cpu:.2f} ms of CPU (Odoo + PostgreSQL), an empty "
        f"authenticated call_kw {empty_cpu:.2f} ms ({_rate(floor, 'empty'):.0f}/s measured): "
        f"2 CPUs serve at most {2000 / identify_cpu:.0f} identifications/s and "
        f"{2000 / empty_cpu:.0f} empty calls/s with nothing else "
        f"running; the generator spends 1 CPU per {requests / max(floor['cpu']['wrk'], 1e-9):.0f} requests/s"
    )
    alone = {
        action: percentile(results[(4, f"one user, {kind}")]["actions"][action]["latencies_ms"], 0.5)
        for kind, action in (("caller", "identify"), ("stock", "stock_identify"), ("empty", "empty"))
    }
    harness.detail(
        f"one user alone, 4 workers, p50: identification {alone['identify']:.2f} ms, the stock search (two "
        f"calls) {alone['stock_identify']:.2f} ms, an empty call_kw {alone['empty']:.2f} ms"
    )
    for name, result in (
        ("without replica", results[(4, "mixed")]),
        ("with replica", results.get(("replica", "mixed"))),
    ):
        if not result:
            continue
        seconds = result["seconds"]
        parts = [
            f"{cluster}: {counters['transactions'] / seconds:.0f} transactions/s, "
            f"{counters['tup_fetched'] / seconds:.0f} rows fetched/s, "
            f"backends {result['cpu'][f'{cluster} backends'] / seconds:.2f} CPUs "
            f"(whole cluster {result['cpu'][f'{cluster} cluster'] / seconds:.2f})"
            for cluster, counters in result["counters"].items()
        ]
        harness.detail(f"4 workers, mixed, {name}: {'; '.join(parts)}")


if __name__ == "__main__":
    main()
