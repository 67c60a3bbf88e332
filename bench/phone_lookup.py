"""Caller identification: who is calling from this number? (method: bench/README.md)

ours: crm_lookup_phone; stock: phone_mobile_search = and ilike, phone_validation's E.164
on phone_sanitized; diagnostic: ours on Odoo's own rule application. As admin, in turns;
recall against the generator's truth (bench_phone_truth).
"""

import contextlib
import os
import random
from collections import Counter

import _data
import harness

N_LOOKUPS = int(os.environ.get("BENCH_LOOKUPS", "10000"))
OPEN = ["|", ("probability", "<", 100), ("probability", "=", False)]
CACHES = {
    "fresh": "each lookup on an empty ORM cache, as a request",
    "warm": "what earlier lookups read stays",
}
CACHES["cold"] = "the first call after a registry cache clear, 30 lookups"
_ROWS = """
    SELECT t.res_id, t.e164, t.country, CASE t.field WHEN 'phone' THEN r.phone ELSE r.mobile END
      FROM bench_phone_truth t JOIN {} r ON r.id = t.res_id
     WHERE t.kind = %s AND t.res_id = ANY(%s) AND r.active AND {}"""
_EXPECTED = """
    SELECT t.e164, t.kind, t.res_id FROM bench_phone_truth t
      LEFT JOIN res_partner p ON t.kind = 'p' AND p.id = t.res_id
      LEFT JOIN crm_lead l ON t.kind = 'l' AND l.id = t.res_id
     WHERE t.e164 = ANY(%s) AND (p.active OR (l.active AND (l.probability < 100 OR l.probability IS NULL)))"""


def workload(cr, ids, rng):
    """Lookups [{query, style, e164, expected}]: 70% numbers of active partners
    (80%) and open leads (20%), 30% numbers nobody has."""
    items, opened = [], "(r.probability < 100 OR r.probability IS NULL)"
    for kind, table, share in (("p", "res_partner", 0.56), ("l", "crm_lead", 0.14)):
        count, total = int(share * N_LOOKUPS), _data.N_PARTNERS if kind == "p" else _data.N_LEADS
        sample = list(dict.fromkeys(ids[table] + rng.randrange(total) for _ in range(3 * count)))
        cr.execute(_ROWS.format(table, opened if kind == "l" else "TRUE"), [kind, sample])
        rows = {res_id: row for res_id, *row in cr.fetchall()}
        for e164, country, stored in [rows[i] for i in sample if i in rows][:count]:
            query, style = _data.respell(rng, e164, country, stored)
            items.append({"query": query, "style": style, "e164": e164})
    while len(items) < N_LOOKUPS:
        items.append({"query": _data.nobodys(cr, rng), "style": "nobody's", "e164": None})
    cr.execute(_EXPECTED, [[item["e164"] for item in items if item["e164"]]])
    expected = {}
    for e164, kind, res_id in cr.fetchall():
        expected.setdefault(e164, set()).add((kind, res_id))
    for item in items:
        item["expected"] = expected.get(item["e164"], set())
    rng.shuffle(items)
    return items


# -- the methods: {(kind, id)} of the partners ("p") and open leads ("l") found ------------------


def ours(env, item):
    found = env["res.partner"].crm_lookup_phone(item["query"])
    return {("p", i) for i in found["partners"].ids} | {("l", i) for i in found["leads"].ids}


def _stock(env, domain):
    partners, leads = env["res.partner"].search(domain).ids, env["crm.lead"].search(domain + OPEN).ids
    return {("p", i) for i in partners} | {("l", i) for i in leads}


def stock_sanitized(env, item):
    """crm's duplicate detection: phone_validation's E.164 in the company's country, on phone_sanitized."""
    number = env["res.partner"]._phone_format(number=item["query"], country=env.company.country_id)
    return _stock(env, [("phone_sanitized", "=", number)]) if number else set()


STOCK = {
    "stock =": lambda env, item: _stock(env, [("phone_mobile_search", "=", item["query"])]),
    "stock ilike": lambda env, item: _stock(env, [("phone_mobile_search", "ilike", item["query"])]),
    "stock sanitized": stock_sanitized,
}


def ours_odoo_rules(env, item):
    """Ours with the record rules applied by Odoo's _search() instead of the compiled conditions."""
    from odoo.tools import SQL

    from odoo.addons.crm_extended.services import phone

    Partner = env["res.partner"]
    keys = phone.candidates(item["query"], Partner._crm_lookup_regions())
    if not keys:
        return set()
    env.flush_all()
    has_key = ["|", ("phone_e164", "in", keys), ("mobile_e164", "in", keys)]
    callers = Partner._search(has_key)
    companies = Partner._search([("id", "in", callers.subselect('"res_partner"."commercial_partner_id"'))])
    queries = zip("pcl", (callers, companies, env["crm.lead"]._search(has_key + OPEN)), strict=True)
    selects = [query.select(f"'{kind}'", f'"{query.table}"."id"') for kind, query in queries]
    env.cr.execute(SQL("(%s) UNION ALL (%s) UNION ALL (%s)", *selects))
    return {(kind, i) for kind, i in env.cr.fetchall() if kind != "c"}


# -- checks, diagnostics, output ---------------------------------------------------------------


def check_data(env, ids):
    """The stored phone columns of 1,000 sampled rows against what the ORM computes (rolled back)."""
    rng, fields = random.Random(7), ["phone_e164", "mobile_e164", "phone_invalid", "phone_sanitized"]
    checks = {"res.partner": ("res_partner", "complete_name"), "crm.lead": ("crm_lead", "phone_state")}
    for model, (table, more) in checks.items():
        total, names = _data.N_PARTNERS if table == "res_partner" else _data.N_LEADS, [*fields, more]
        records = env[model].browse({ids[table] + rng.randrange(total) for _ in range(500)})
        stored = {record.id: [record[name] for name in names] for record in records}
        env.invalidate_all()
        for name in names:
            env.add_to_compute(records._fields[name], records)
        differ = [record.id for record in records if [record[name] for name in names] != stored[record.id]]
        harness.detail(f"data check: {len(differ)} of {len(records)} {model} differ from the ORM {differ}")
    env.cr.rollback()
    regions = env["res.partner"]._crm_client_regions()
    harness.detail(f"clients' countries, where national numbers without a country are read: {regions}")
    if regions != _data.CLIENT_REGIONS:
        raise SystemExit(f"the stored keys were read in {_data.CLIENT_REGIONS}, not {regions}")


def explain(env, items):
    """Each method's queries on one hit (ours also cold), the stock partner search without
    the bench's index, and the floors under a lookup (warm cache, in turns)."""
    from odoo.addons.crm_extended.services import phone

    item = next(item for item in items if item["expected"])
    methods = {"ours": ours, "ours cold": lambda e, i: e.registry.clear_cache() or ours(e, i)}
    for name, function in {**methods, "ours, Odoo's rules": ours_odoo_rules, **STOCK}.items():
        harness.explain_call(env, f"{name} on {item['query']!r}", function, env, item)
    key = env["res.partner"]._phone_format(number=item["query"], country=env.company.country_id)
    with contextlib.closing(env.cr.savepoint()):  # closing() rolls back: the index comes back
        env.cr.execute("DROP INDEX bench_res_partner_phone_sanitized")
        harness.detail("stock sanitized's partner search without the bench's index (Odoo 18 has none):")
        harness.explain(env, env.cr.mogrify("SELECT id FROM res_partner WHERE phone_sanitized = %s", [key]))
    regions, lookup_sql = env["res.partner"]._crm_lookup_regions(), env["res.partner"]._crm_lookup_phone_sql
    keys = {i["query"]: phone.candidates(i["query"], regions) or ["+0"] for i in items}
    aliases = (("caller", "res.partner"), ("company", "res.partner"), ("lead", "crm.lead"))
    bare = "SELECT id FROM {} WHERE phone_e164 = ANY(%(k)s) OR mobile_e164 = ANY(%(k)s)"
    sql = {
        "one round trip (SELECT 1)": "SELECT 1",
        "one index probe (partners' phone_e164)": "SELECT id FROM res_partner WHERE phone_e164 = ANY(%(k)s)",
        "the indexed SQL, no rules": f"{bare.format('res_partner')} UNION ALL {bare.format('crm_lead')}",
    }
    floors = {label: lambda e, i, q=q: e.cr.execute(q, {"k": keys[i["query"]]}) for label, q in sql.items()}
    floors["the keys (phone.candidates)"] = lambda e, i: phone.candidates(i["query"], regions)
    floors["the statement, rules in it"] = lambda e, i: e.cr.execute(lookup_sql(keys[i["query"]]))
    compile_rules = env["ir.rule"]._crm_compile_rule_condition
    floors["the rules compiled anew"] = lambda e, i: [compile_rules(m, a, "read") for a, m in aliases]
    floors["the whole lookup"] = ours
    timed = harness.alternate([(label, env, f) for label, f in floors.items()], items[:2000], cache="warm")
    for label, (times, _results) in timed.items():
        harness.detail(f"floor: {label:<40} {harness.timing(times)}")


def recall_by_style(runs, items):
    counts = Counter()
    for name, (_times, results) in runs.items():
        for found, item in zip(results, items, strict=True):
            counts[name, item["style"]] += len(found & item["expected"])
            counts[None, item["style"]] += len(item["expected"]) if name == "ours" else 0
    harness.detail("recall by the spelling asked: " + " | ".join(runs))
    for style in sorted({style for _name, style in counts} - {"nobody's"}):
        shares = " ".join(f"{100 * counts[name, style] / counts[None, style]:6.1f}%" for name in runs)
        harness.detail(f"  {style:<18} {counts[None, style]:6d} records {shares}")


def holes(env, items, results):
    """Where ours differs from the truth: input, expected, got (the records' phones, keys, truth)."""
    bad = [(item, found) for item, found in zip(items, results, strict=True) if found != item["expected"]]
    harness.detail(f"ours differs from the truth on {len(bad)} lookups" + (", e.g.:" if bad else ""))
    columns = "r.phone, r.mobile, r.phone_e164, r.mobile_e164, r.country_id, t.e164, t.country"
    for item, found in bad[:8]:
        harness.detail(f"  {item['query']!r} (true {item['e164']}, {item['style']}):")
        for kind, res_id in sorted(item["expected"] ^ found):
            table = "res_partner" if kind == "p" else "crm_lead"
            join = "LEFT JOIN bench_phone_truth t ON t.kind = %s AND t.res_id = r.id"
            env.cr.execute(f"SELECT {columns} FROM {table} r {join} WHERE r.id = %s", [kind, res_id])
            what = "missed" if (kind, res_id) in item["expected"] else "found but not the caller's"
            harness.detail(f"    {what}: {table} {res_id} {env.cr.fetchall()}")


def main():
    with harness.environment() as env:
        ids = _data.ensure(env, harness.detail)
        check_data(env, ids)
        items = workload(env.cr, ids, random.Random(_data.SEED))
        hits = sum(1 for item in items if item["expected"])
        harness.detail(f"{len(items)} lookups, {hits} of numbers someone has; as admin")
        admin = env(user=env.ref("base.user_admin"))
        if harness.EXPLAIN:
            return explain(admin, items)
        harness.detail(f"{harness.load_average()} before timing")
        methods = [("ours", admin, ours), *[(name, admin, function) for name, function in STOCK.items()]]
        diagnostic = ("ours, Odoo's rules (diagnostic)", admin, ours_odoo_rules)
        runs = {"fresh": harness.alternate([*methods, diagnostic], items)}
        runs["warm"] = harness.alternate(methods, items, cache="warm")
        first_hits = [i for i in items if i["expected"]][:30]
        runs["cold"] = harness.alternate(methods, first_hits, cache="cold")
        harness.detail(f"{harness.load_average()} after timing")
        for cache, run in runs.items():
            harness.detail(f"{cache} cache ({CACHES[cache]}):")
            harness.summarize(run, first_hits if cache == "cold" else items)
        recall_by_style(runs["fresh"], items)
        holes(env, items, runs["fresh"]["ours"][1])
        p50 = {cache: harness.medians(run) for cache, run in runs.items()}
        fresh, best = p50["fresh"], min(STOCK, key=p50["fresh"].get)
        harness.detail(f"best stock baseline (fastest median, fresh cache): {best}")
        harness.report("phone_lookup", fresh["ours"], fresh[best], "ms")
        for name in STOCK:
            harness.report(f"phone_lookup_{name[6:].replace('=', 'eq')}", fresh["ours"], fresh[name], "ms")
        for cache in ("warm", "cold"):
            harness.report(f"phone_lookup_{cache}", p50[cache]["ours"], min(map(p50[cache].get, STOCK)), "ms")


if __name__ == "__main__":
    main()
