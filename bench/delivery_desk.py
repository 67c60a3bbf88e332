"""Delivery desk: which deliveries is this caller asking about? (method: bench/README.md)

ours: stock.delivery.desk._find_pickings; stock: per kind of key, the exact searches an
integrator writes with Odoo 18 alone, for the same answer (the latest 80 outgoing
deliveries the user may read). As admin, in turns; the expected deliveries come from the
generator's relations and phone truth.
"""

import os
import random

import _data
import harness

N_PER_KIND = int(os.environ.get("BENCH_LOOKUPS", "10000")) // 10
KINDS, TYPES = ("order", "invoice", "phone", "serial", "miss"), ("out_invoice", "out_refund")
_PHONES = """
    SELECT t.res_id, t.e164, t.country, CASE t.field WHEN 'phone' THEN r.phone ELSE r.mobile END
      FROM bench_phone_truth t JOIN res_partner r ON r.id = t.res_id
     WHERE t.kind = 'p' AND t.res_id = ANY(%s) AND r.active"""
_PHONE_PICKINGS = """
    SELECT t.e164, picking.id FROM bench_phone_truth t
      JOIN res_partner caller ON caller.id = t.res_id AND t.kind = 'p' AND caller.active
      JOIN res_partner customer ON customer.commercial_partner_id = caller.commercial_partner_id
      JOIN stock_picking picking ON picking.partner_id = customer.id
      JOIN stock_picking_type type ON type.id = picking.picking_type_id AND type.code = 'outgoing'
     WHERE t.e164 = ANY(%s) ORDER BY picking.scheduled_date DESC, picking.id DESC"""


def workload(cr, ids, rng):
    """{kind: [{query, form, expected}]}: the deliveries expected, the latest 80 (as both sides answer)."""
    n, orders, first, moves = N_PER_KIND, _data.N_ORDERS, ids["stock_picking"], ids["account_move"]
    cr.execute("SELECT id - %s FROM account_move WHERE id BETWEEN %s AND %s", [moves, moves, moves + orders])
    invoiced, serials = sorted(row[0] for row in cr.fetchall()), rng.choices(range(2 * orders), k=n)
    items = {"serial": [(f"SN{s + 1:07d}", "serial", [first + s // 2]) for s in serials]}
    items["order"] = [(f"BD{i + 1:07d}", "order", [first + i]) for i in rng.choices(range(orders), k=n)]
    items["invoice"] = [(f"INV/BD/{i + 1:07d}", "invoice", [first + i]) for i in rng.choices(invoiced, k=n)]
    companies = rng.choices(range(_data.N_COMPANIES), k=3 * n)
    pairs = [(c, _data.contact_index(c, rng.randrange(4))) for c in companies]
    partners = [ids["res_partner"] + rng.choice(pair) for pair in pairs]  # a company or one of its contacts
    cr.execute(_PHONES, [partners])
    rows = {res_id: row for res_id, *row in cr.fetchall()}
    numbers = [(row[0], _data.respell(rng, *row)[0]) for row in [rows[p] for p in partners if p in rows][:n]]
    cr.execute(_PHONE_PICKINGS, [[e164 for e164, _query in numbers]])
    pickings = {}
    for e164, picking in cr.fetchall():
        pickings.setdefault(e164, []).append(picking)
    items["phone"] = [(query, "phone", pickings.get(e164, [])) for e164, query in numbers]
    names = [f"{rng.choice(['Romashka', 'Vasilek'])} {rng.randrange(10**4)}" for _ in range(n // 4)]
    items["miss"] = [(name, "name", []) for name in names]  # and order or serial numbers, phones nobody has
    items["miss"] += [(f"BD{orders + 1 + rng.randrange(10**6):07d}", "order", []) for _ in range(n // 4)]
    items["miss"] += [(f"SN{2 * orders + 1 + rng.randrange(10**6):07d}", "serial", []) for _ in range(n // 4)]
    items["miss"] += [(_data.nobodys(cr, rng), "phone", []) for _ in range(n // 4)]
    for kind in KINDS:
        items[kind] = [{"query": q, "form": form, "expected": set(got[:80])} for q, form, got in items[kind]]
        rng.shuffle(items[kind])
    return items


def ours(env, item):
    return env["stock.delivery.desk"]._find_pickings(item["query"]).ids


def _pickings(env, domain):
    domain = [("picking_type_code", "=", "outgoing"), *domain]
    return env["stock.picking"].search(domain, order="scheduled_date desc, id desc", limit=80).ids


def stock(env, item, operator="="):
    """The stock way for what the text is; ``operator`` "=" or, faster on Odoo's trigram indexes, "ilike"
    (then the records named exactly so: the same answer)."""
    q, form = item["query"], item["form"]

    def named(model, *domain):
        records = env[model].search([("name", operator, q), *domain])
        return (records.filtered(lambda record: record.name == q) if operator == "ilike" else records).ids

    if form == "order":
        return _pickings(env, [("sale_id", "in", named("sale.order"))])
    if form == "invoice":
        moves = named("account.move", ("state", "=", "posted"), ("move_type", "in", TYPES))
        return _pickings(env, [("sale_id.order_line.invoice_lines.move_id", "in", moves)])
    if form == "serial":
        return _pickings(env, [("move_line_ids.lot_id", "in", named("stock.lot"))])
    if form == "phone":
        entities = env["res.partner"].search([("phone_mobile_search", operator, q)]).commercial_partner_id
        return _pickings(env, [("partner_id.commercial_partner_id", "in", entities.ids)])
    return _pickings(env, [("partner_id", "child_of", q)])


def main():
    with harness.environment() as env:
        items = workload(env.cr, _data.ensure(env, harness.detail), random.Random(_data.SEED + 1))
        harness.detail("lookups: " + ", ".join(f"{kind} {len(items[kind])}" for kind in KINDS) + "; as admin")
        admin = env(user=env.ref("base.user_admin"))
        for kind, name, function in [(k, n, f) for k in KINDS for n, f in (("ours", ours), ("stock", stock))]:
            first = items[kind][0]
            if harness.EXPLAIN:
                harness.explain_call(admin, f"{kind} {first['query']!r}, {name}", function, admin, first)
        if harness.EXPLAIN:
            return
        harness.detail(f"{harness.load_average()} before timing")
        p50 = {}
        for kind in KINDS:
            ilike = ("stock ilike", admin, lambda e, i: stock(e, i, "ilike"))
            methods = [("ours", admin, ours), ("stock =", admin, stock), ilike]
            runs = harness.alternate(methods, items[kind])
            harness.detail(f"{kind} (e.g. {items[kind][0]['query']!r}), fresh request cache:")
            harness.summarize(runs, items[kind])
            harness.detail("  first call after a registry cache clear:")
            harness.summarize(harness.alternate(methods, items[kind][:10], cache="cold"), items[kind][:10])
            p50[kind] = harness.medians(runs)
        harness.detail(f"{harness.load_average()} after timing")
        best = {kind: min(v for name, v in p50[kind].items() if name != "ours") for kind in KINDS}
        worst = max(KINDS, key=lambda kind: p50[kind]["ours"])
        harness.detail(f"BENCH delivery_desk: the worst kind, ours {worst}, stock {max(KINDS, key=best.get)}")
        harness.report("delivery_desk", p50[worst]["ours"], max(best.values()), "ms")
        for kind in KINDS:
            harness.report(f"delivery_desk_{kind}", p50[kind]["ours"], best[kind], "ms")


if __name__ == "__main__":
    main()
