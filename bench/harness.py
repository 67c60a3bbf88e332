"""Shared helpers of the benchmarks under bench/.

tools/bench.sh runs ``python bench/<name>.py`` with Odoo on ``sys.path`` and
exports where things are (CONF_FILE, BENCH_DB, ODOO_BIN...). This module
opens an Odoo environment on the bench database, times calls and prints the
one line every benchmark ends with::

    BENCH <name> ours=<value><unit> stock=<value><unit> ratio=<stock/ours>x
"""

import contextlib
import math
import os
import statistics
import sys
import threading
import time


def setting(name):
    """A path or name exported by tools/bench.sh; fails clearly when run by hand."""
    value = os.environ.get(name)
    if not value:
        sys.exit(f"{name} is not set: run benchmarks with `make bench NAME=<name>` (tools/bench.sh).")
    return value


def _setup_odoo(db_name):
    """Parse Odoo's configuration for ``db_name`` (once: Odoo's configuration
    cannot be parsed twice in a process) and return the odoo package."""
    odoo_dir = setting("ODOO_DIR")
    if odoo_dir not in sys.path:
        sys.path.insert(0, odoo_dir)
    import odoo  # importable once its folder is on sys.path

    if odoo.tools.config.get("db_name") != db_name:
        odoo.tools.config.parse_config(
            ["-c", setting("CONF_FILE"), "-d", db_name, "--log-level=warn", "--no-http"], setup_logging=True
        )
    return odoo


@contextlib.contextmanager
def environment(db_name=None):
    """An ``api.Environment`` as superuser on the bench database (rolled back on exit
    unless the benchmark commits)."""
    db_name = db_name or setting("BENCH_DB")
    odoo = _setup_odoo(db_name)
    from odoo.modules.registry import Registry

    registry = Registry(db_name)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        env = env(context=env["res.users"].context_get())
        try:
            yield env
        finally:
            cr.rollback()


# -- timing -------------------------------------------------------------------


def timed(function, *args, **kwargs):
    """Call ``function`` and return ``(result, seconds)``."""
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def median(values):
    """Median of ``values`` (0 for none)."""
    return statistics.median(values) if values else 0.0


def percentile(values, share):
    """Nearest-rank percentile: the smallest value with ``share`` of ``values`` at or below it."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def p95(values):
    """95th percentile of ``values``."""
    return percentile(values, 0.95)


@contextlib.contextmanager
def count_queries(cr):
    """Count the SQL queries run on ``cr`` inside the block: ``with count_queries(cr) as n: ...; n()``."""
    start = cr.sql_log_count
    yield lambda: cr.sql_log_count - start


# -- output -------------------------------------------------------------------


def fmt(value):
    """A measured value with sensible precision: 3 significant digits, no exponent."""
    if value == 0:
        return "0"
    digits = max(0, 2 - math.floor(math.log10(abs(value))))
    return f"{value:.{digits}f}"


def detail(text):
    """A detail line, printed (and flushed) as it comes."""
    print(f"  {text}", flush=True)


def report(name, ours, stock, unit):
    """Print the BENCH line: ours and stock in ``unit`` and how many times ours is faster."""
    ratio = f"{stock / ours:.1f}" if ours else "inf"
    print(f"BENCH {name} ours={fmt(ours)}{unit} stock={fmt(stock)}{unit} ratio={ratio}x", flush=True)


# -- where the time goes ----------------------------------------------------------


class QueryLog:
    """The SQL queries run in this thread inside the block (Odoo's query_hooks)."""

    def __init__(self):
        self.queries = []

    def hook(self, cr, query, params, start, delay):
        self.queries.append((query, params, delay))

    def __enter__(self):
        thread = threading.current_thread()
        if not hasattr(thread, "query_hooks"):
            thread.query_hooks = []
        thread.query_hooks.append(self.hook)
        return self

    def __exit__(self, *exc):
        threading.current_thread().query_hooks.remove(self.hook)


def one_line(query):
    text = query.decode() if isinstance(query, bytes) else str(query)
    return " ".join(text.split())


def explain(env, query, params):
    """EXPLAIN ANALYZE of one captured query: its plan's lines."""
    env.cr.execute("EXPLAIN (ANALYZE, BUFFERS) " + one_line(query), params)
    return [row[0] for row in env.cr.fetchall()]


def plan_summary(plan):
    """The lines of a plan that say where the time goes."""
    keep = ("Seq Scan", "Index Scan", "Buffers", "Execution Time", "SubPlan", "Filter", "Rows Removed")
    lines = plan[:1] + [line for line in plan[1:] if any(word in line for word in keep)][:14]
    return [line if len(line) < 200 else line[:200] + " ..." for line in lines]


def detail_queries(env, queries, slow_ms, indent="  ", show_sql=False):
    """One detail line per captured query, then the plan of those slower than ``slow_ms``."""
    for query, _params, delay in queries:
        text = one_line(query)
        detail(f"{indent}{1000 * delay:8.2f}ms  {text[:150]}{' ...' if len(text) > 150 else ''}")
    for query, params, delay in queries:
        if delay * 1000 < slow_ms:
            continue
        detail(f"{indent}EXPLAIN ANALYZE of the {1000 * delay:.2f}ms query:")
        if show_sql:
            text = one_line(env.cr.mogrify(query, params).decode())
            detail(f"{indent}  {text[:600]}{' ...' if len(text) > 600 else ''}")
        for line in plan_summary(explain(env, query, params)):
            detail(f"{indent}  | {line.strip()}")
