"""Warranty status by serial, and the cases-by-product analysis (method: bench/README.md).

ours: crm.service.case.warranty_for_serial (the lot by its name, then one indexed query for its
deliveries to the customer); stock: what a user does with Odoo's ORM alone: search the lot, its
done move lines to the customer, the delivery, read the product's (or its category's) warranty.
The same service user (service + warehouse rights) for both, in turns; the expected answer
(state, last day covered, delivery) comes from the generator's formulas (bench/_data_warranty.py).
"""

import datetime
import os
import random

import _data_warranty as data
import harness
from dateutil.relativedelta import relativedelta

N_LOOKUPS = int(os.environ.get("BENCH_LOOKUPS", "2000"))
ANALYSIS_RUNS = 15


def truth(serial, on_day, other_customer=False):
    """(state, last day covered, delivery id) the generator says, on ``on_day``."""
    if other_customer:
        return ("not_delivered", False, False)
    picking = serial // 2
    start, proof = data.delivered(picking), data.IDS["stock_picking"] + picking
    again = data.replaced(serial)
    if again and again <= on_day:  # a replacement restarts the warranty (the company's default)
        start, proof = again, data.IDS["stock_picking"] + data.N_PICKINGS + picking // data.REPLACED_EVERY
    end = start + relativedelta(months=data.months(serial)) - datetime.timedelta(days=1)
    return ("valid" if on_day <= end else "expired", end, proof)


def workload(rng, on_day):
    items = []
    for _ in range(N_LOOKUPS):
        serial = rng.randrange(data.N_SERIALS)
        if serial % 200 == 0 and rng.random() < 0.9:  # the replaced ones, not nine times too often
            serial += 1
        other = rng.random() < 0.05  # asked for with another customer: never delivered to them
        customer = data.customer(serial // 2)
        if other:
            customer = (customer + 1 + rng.randrange(data.N_CUSTOMERS - 1)) % data.N_CUSTOMERS
        item = {"serial": f"WSN{serial:08d}", "customer": data.IDS["res_partner"] + customer}
        items.append(item | {"expected": {truth(serial, on_day, other)}})
    return items


def ours(env, item):
    answer = env["crm.service.case"].warranty_for_serial(item["serial"], item["customer"])
    return {(answer["state"], answer["end"], answer["picking_id"])}


def stock(env, item, operator="="):
    """With the ORM only: the lot, its latest done delivery to the customer, the product's months.
    ``operator`` "=" or, faster on Odoo's trigram index, "ilike" then the lot named exactly so."""
    lots = env["stock.lot"].search([("name", operator, item["serial"])])
    lot = lots.filtered(lambda found: found.name == item["serial"])[:1] if operator == "ilike" else lots[:1]
    customer = env["res.partner"].browse(item["customer"]).commercial_partner_id
    line = env["stock.move.line"].search(
        [
            ("lot_id", "=", lot.id),
            ("state", "=", "done"),
            ("location_dest_id.usage", "=", "customer"),
            ("picking_id.partner_id.commercial_partner_id", "=", customer.id),
        ],
        order="date desc, id desc",
        limit=1,
    )
    if not line:
        return {("not_delivered", False, False)}
    picking, product = line.picking_id, lot.product_id
    months = product.service_warranty_months or product.categ_id.service_warranty_months
    months += lot.service_warranty_extension_months
    start = env["crm.service.case"]._local_date(picking.date_done, picking.company_id)
    end = start + relativedelta(months=months) - datetime.timedelta(days=1)
    today = env["crm.service.case"]._local_date(datetime.datetime.now(), picking.company_id)
    return {("valid" if today <= end else "expired", end, picking.id)}


def analysis(env, _item):
    """Cases by product for the last year: count, share under warranty, resolution hours."""
    end = datetime.datetime.combine(data.BASE_DAY, datetime.time())
    domain = [("date_open", ">=", end - datetime.timedelta(days=365)), ("date_open", "<", end)]
    return env["crm.service.case.report"]._read_group(
        domain, ["product_id"], ["case_count:sum", "warranty_share:avg", "resolution_hours:avg"]
    )


def _bench_user(env):
    from odoo import Command

    user = env["res.users"].search([("login", "=", "bench_service")])
    if not user:
        groups = env.ref("crm_extended.group_crm_extended_service_user") | env.ref("stock.group_stock_user")
        user = env["res.users"].create(
            {"name": "BENCH Service", "login": "bench_service", "groups_id": [Command.set(groups.ids)]}
        )
    return user


def main():
    with harness.environment() as env:
        marker = data.ensure(env, harness.detail)
        data.IDS = marker["ids"]
        user_env = env(user=_bench_user(env))
        today = user_env["crm.service.case"]._local_date(datetime.datetime.now(), env.company)
        items = workload(random.Random(data.VERSION), today)
        harness.detail(
            f"{data.N_SERIALS} serials delivered over 5 years to {data.N_CUSTOMERS} customers, "
            f"{data.N_CASES} cases; {len(items)} lookups by serial (5% with another customer)"
        )
        if harness.EXPLAIN:
            for name, function in (("ours", ours), ("stock", stock)):
                harness.explain_call(user_env, f"{items[0]['serial']} {name}", function, user_env, items[0])
            harness.explain_call(user_env, "analysis", analysis, user_env, None, slow_ms=5)
            return
        harness.detail(f"{harness.load_average()} before timing")
        methods = [
            ("ours", user_env, ours),
            ("stock ORM =", user_env, stock),
            ("stock ORM ilike", user_env, lambda e, i: stock(e, i, "ilike")),
        ]
        runs = harness.alternate(methods, items)
        harness.detail("warranty status by serial, fresh request cache:")
        harness.summarize(runs, items)
        cold = harness.alternate(methods, items[:10], cache="cold")
        harness.detail("  first call after a registry cache clear:")
        harness.summarize(cold, items[:10])
        one_year = harness.alternate([("analysis", user_env, analysis)], [None] * ANALYSIS_RUNS, warmup=2)
        rows = analysis(user_env, None)
        harness.detail(
            f"cases by product, one year ({sum(count for _p, count, _s, _h in rows)} cases, "
            f"{len(rows)} products): {harness.timing(one_year['analysis'][0])}"
        )
        harness.detail(f"{harness.load_average()} after timing")
        p50 = harness.medians(runs)
        harness.report("warranty", p50["ours"], min(p50["stock ORM ="], p50["stock ORM ilike"]), "ms")
        harness.report("warranty_analysis_year", harness.medians(one_year)["analysis"], None, "ms")


if __name__ == "__main__":
    main()
