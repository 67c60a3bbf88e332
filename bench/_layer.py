"""What the layered bench builders share (``bench/_data_<x>.py``, each issue's data laid on the
bench database beside ``bench/_data.py``): rows cloned in SQL from a template record that the ORM
made, ids reserved in a table's sequence, and the version marker that says which builder made a
layer (so that a changed builder, or a changed helper here, makes its database again).
"""

import hashlib
import json
import os
import time

SCALE = float(os.environ.get("BENCH_SCALE", "1"))


def version(builder_path):
    """The version of a layer: a hash of its builder's source and of this file, and the scale."""
    digest = hashlib.sha1()
    for path in (builder_path, __file__):
        with open(path, "rb") as source:
            digest.update(source.read())
    return f"{digest.hexdigest()[:12]}-x{SCALE:g}"


def columns(cr, table):
    cr.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
        [table],
    )
    return [row[0] for row in cr.fetchall()]


def clone(cr, table, template_id, rows, overrides, series="g", where="TRUE", order=False, say=None):
    """INSERT into ``table`` one row per row of ``rows``: a count (the series ``series`` from 0) or
    a FROM clause naming its own series; only the rows ``where`` holds (an SQL condition).
    ``overrides`` {column: SQL expression of the series}, the other columns copied from the
    template row, so that they hold what the ORM stored. ``order``: insert in series order (a
    table read in id order afterwards stays physically clustered). The table is analysed after:
    the foreign keys' checks of the next inserts are planned on fresh statistics."""
    source = f"generate_series(0::bigint, {rows - 1}) {series}" if isinstance(rows, int) else rows
    names = columns(cr, table)
    names = [c for c in names if c in overrides] + [c for c in names if c not in overrides]
    values = [overrides.get(c, f't."{c}"') for c in names]
    quoted = ", ".join(f'"{n}"' for n in names)
    start = time.perf_counter()
    cr.execute(
        f'INSERT INTO "{table}" ({quoted}) SELECT {", ".join(values)} FROM "{table}" t, {source} '
        f"WHERE t.id = {int(template_id)} AND {where}" + (f" ORDER BY {series}" if order else "")
    )
    count = cr.rowcount
    cr.execute(f'ANALYZE "{table}"')
    message = f"  {table}: {count} rows in {time.perf_counter() - start:.1f}s"
    say(message) if say else print(message, flush=True)


def reserve(cr, table, count):
    """The first of ``count`` ids taken at once from ``table``'s sequence."""
    cr.execute("SELECT setval(%s, nextval(%s) + %s - 1)", [f"{table}_id_seq", f"{table}_id_seq", count])
    return cr.fetchone()[0] - count + 1


def ensure(env, marker_key, version, label, build, say=print, detail=""):
    """{version, ids, templates} of a layer: read from its marker (``ir.config_parameter``
    ``marker_key``), or built by ``build(env, say) -> (ids, templates)`` and committed when the
    database holds none. A layer of another version refuses to mix: drop the bench database and
    run again (``tools/bench.sh`` makes it from the template)."""
    cr = env.cr
    cr.execute("SELECT value FROM ir_config_parameter WHERE key = %s", [marker_key])
    marker = json.loads((cr.fetchone() or ["{}"])[0])
    if marker.get("version") == version:
        return marker
    if marker:
        raise SystemExit(f"{cr.dbname} holds {label} of builder {marker['version']}: drop the database")
    say(f"building the {label} {version}{': ' + detail if detail else ''}")
    start = time.perf_counter()
    ids, templates = build(env, say)
    marker = {"version": version, "ids": ids, "templates": templates}
    env["ir.config_parameter"].set_param(marker_key, json.dumps(marker))
    cr.commit()
    say(f"{label} built in {time.perf_counter() - start:.0f}s")
    return marker
