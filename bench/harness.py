"""What the benchmarks share: an Odoo environment on the bench database, the timing loop
that alternates the methods item by item, percentiles, the BENCH line, --explain.
tools/bench.sh runs ``python bench/<name>.py [--explain]`` with Odoo on ``sys.path``.
"""

import contextlib
import math
import os
import sys
import threading
import time

EXPLAIN = "--explain" in sys.argv[1:] or os.environ.get("BENCH_EXPLAIN") == "1"


def setting(name):
    """A path or name exported by tools/bench.sh; fails clearly when run by hand."""
    return os.environ.get(name) or sys.exit(
        f"{name} is not set: run benchmarks with `make bench NAME=<name>`."
    )


@contextlib.contextmanager
def environment():
    """An ``api.Environment`` as superuser on the bench database, rolled back on exit."""
    import odoo
    from odoo.modules.registry import Registry

    db_name = setting("BENCH_DB")
    if odoo.tools.config.get("db_name") != db_name:  # Odoo's configuration is parsed once
        args = ["-c", setting("CONF_FILE"), "-d", db_name, "--log-level=warn", "--no-http"]
        odoo.tools.config.parse_config(args, setup_logging=True)
    with Registry(db_name).cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        try:
            yield env(context=env["res.users"].context_get())
        finally:
            cr.rollback()


def fmt(value):
    """3 significant digits, no exponent."""
    return f"{value:.{max(0, 2 - math.floor(math.log10(abs(value))))}f}" if value else "0"


def detail(text):
    print(f"  {text}", flush=True)


def report(name, ours, stock, unit):
    """The BENCH line; ``stock`` None where Odoo has nothing to compare with."""
    against = (
        "stock=n/a ratio=n/a" if stock is None else f"stock={fmt(stock)}{unit} ratio={stock / ours:.1f}x"
    )
    print(f"BENCH {name} ours={fmt(ours)}{unit} {against}", flush=True)


def load_average():
    return f"load average {' '.join(f'{load:.2f}' for load in os.getloadavg())} on {os.cpu_count()} CPUs"


def percentiles(times_ms):
    """p50, p95, p99 (nearest rank) and max."""
    ordered = sorted(times_ms) or [0.0]
    ranks = [ordered[max(1, math.ceil(share * len(ordered))) - 1] for share in (0.5, 0.95, 0.99)]
    return (*ranks, ordered[-1])


def timing(times_ms):
    return "p50 {} p95 {} p99 {} max {} ms".format(*(f"{fmt(value):>6}" for value in percentiles(times_ms)))


def medians(runs):
    return {name: percentiles(times)[0] for name, (times, _results) in runs.items()}


def summarize(runs, items, label=""):
    """A line per method: percentiles, recall of what the items expect (a set each), false matches."""
    wanted = sum(len(item["expected"]) for item in items)
    for name, (times, results) in runs.items():
        pairs = [(set(found), item["expected"]) for found, item in zip(results, items, strict=True)]
        found = sum(len(got & expected) for got, expected in pairs)
        false = sum(len(got - expected) for got, expected in pairs)
        recall = f"recall {100 * found / wanted:.2f}% ({found}/{wanted})" if wanted else "nothing to find"
        detail(f"  {name:<32} {label}{timing(times)} | {recall} | false matches {false}")


def alternate(methods, items, cache="fresh", warmup=20):
    """{name: ([ms], [result])} of every method [(name, env, function(env, item))] on every item,
    in turns, in a rotating order (the machine's other work weighs on all alike). ``cache``:
    "fresh", each call on an empty ORM cache, as a request; "warm", what earlier calls read
    stays cached; "cold", each call after a registry cache clear too, no warm-up."""
    for item in items[:warmup] if cache != "cold" else []:
        for _name, env, function in methods:
            function(env, item)
    out = {name: ([], []) for name, _env, _function in methods}
    for index, item in enumerate(items):
        shift = index % len(methods)
        for name, env, function in methods[shift:] + methods[:shift]:
            if cache == "cold":
                env.registry.clear_cache()
            if cache != "warm":
                env.invalidate_all()
            start = time.perf_counter()
            result = function(env, item)
            out[name][0].append(1000 * (time.perf_counter() - start))
            out[name][1].append(result)
    return out


def explain_call(env, label, function, *args, slow_ms=0.3):
    """Every query of a call (after a warming one), its time, EXPLAIN ANALYZE when slower than slow_ms."""
    function(*args)
    env.invalidate_all()
    queries, thread = [], threading.current_thread()
    thread.query_hooks = [*getattr(thread, "query_hooks", []), lambda _cr, *query: queries.append(query)]
    start = time.perf_counter()
    try:
        function(*args)
    finally:
        total = 1000 * (time.perf_counter() - start)
        thread.query_hooks.pop()
    in_sql = 1000 * sum(delay for *_, delay in queries)
    detail(f"{label}: {len(queries)} queries, {fmt(total)} ms in all, {fmt(in_sql)} ms in SQL")
    for query, params, _start, delay in queries:
        text = " ".join(env.cr.mogrify(query, params).decode().split())
        detail(f"  {fmt(1000 * delay):>6} ms  {text[:150]}")
        if 1000 * delay >= slow_ms and text.split(None, 1)[0].upper() in ("SELECT", "WITH"):
            explain(env, text)


def explain(env, text):
    env.cr.execute("EXPLAIN (ANALYZE, BUFFERS) " + (text.decode() if isinstance(text, bytes) else text))
    for (line,) in env.cr.fetchall():
        detail(f"      | {line[:160]}")
