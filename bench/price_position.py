"""The price position of a category of 5,000 products against 20 competitors (method: bench/README.md).

ours: crm.competitor.price.position (our prices from the pricelist for all the products at once,
the latest observation per product and competitor, gaps, ages and ranks in one INSERT ... SELECT
on the user's record rules), then its lines read; stock: what Odoo's ORM alone offers, per
product: the observations searched newest first (the first per competitor kept) and
``pricelist._get_product_price``; and the same in bulk (every observation of the category read
at once, ``_get_products_price``). The same sales manager for all, in turns; the expected latest
prices and our prices come from the generator's formulas (bench/_data_price_position.py).
"""

import os
import random

import _data_price_position as data
import harness

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
# the per-product ORM way takes minutes per category: timed on fewer runs
PER_PRODUCT_RUNS = int(os.environ.get("BENCH_PER_PRODUCT_RUNS", "2"))


def truth(env, ids, categ):
    """{(product id, competitor id): (our price, their latest price)} of the category."""
    competitors = data.TEMPLATES["competitors"]
    out = {}
    for product in range(categ, data.N_PRODUCTS, data.N_CATEGORIES):
        ours = round(data.our_price(product), 2)
        for competitor, (_day, price) in data.latest(product).items():
            out[ids["product_product"] + product, competitors[competitor]] = (ours, round(price, 2))
    return out


def _answer(pairs):
    return {(product, competitor, ours, theirs) for (product, competitor), (ours, theirs) in pairs.items()}


def ours(env, item):
    """The position computed, then its lines read (product, competitor, both prices)."""
    position = env["crm.competitor.price.position"].create(
        {"pricelist_id": item["pricelist"], "categ_id": item["categ"]}
    )
    position._compute_lines()
    env.cr.execute(
        "SELECT product_id, competitor_id, round(our_price, 2)::float8, round(competitor_price, 2)::float8"
        " FROM crm_competitor_price_position_line WHERE position_id = %s AND create_uid = %s",
        [position.id, env.uid],
    )
    return set(env.cr.fetchall())


def stock_per_product(env, item):
    """Per product: its observations newest first, the first per competitor; its pricelist price."""
    pricelist = env["product.pricelist"].browse(item["pricelist"])
    products = env["product.product"].search(
        [("categ_id", "child_of", item["categ"]), ("sale_ok", "=", True)]
    )
    Price = env["crm.competitor.price"]
    out = set()
    for product in products:
        our = pricelist._get_product_price(product, 1.0)
        seen = set()
        for observation in Price.search(
            [("product_id", "=", product.id), ("price", ">", 0)], order="date desc, min_quantity, id desc"
        ):
            if observation.competitor_id.id in seen:
                continue
            seen.add(observation.competitor_id.id)
            out.add(
                (product.id, observation.competitor_id.id, round(our, 2), round(observation.price_company, 2))
            )
    return out


def stock_bulk(env, item):
    """In bulk: every observation of the category read at once, newest first; prices at once."""
    pricelist = env["product.pricelist"].browse(item["pricelist"])
    products = env["product.product"].search(
        [("categ_id", "child_of", item["categ"]), ("sale_ok", "=", True)]
    )
    prices = pricelist._get_products_price(products, 1.0)
    rows = env["crm.competitor.price"].search_read(
        [("product_id", "in", products.ids), ("price", ">", 0)],
        ["product_id", "competitor_id", "price_company"],
        order="product_id, competitor_id, date desc, min_quantity, id desc",
        load=None,
    )
    out, seen = set(), set()
    for row in rows:
        key = (row["product_id"], row["competitor_id"])
        if key in seen:
            continue
        seen.add(key)
        out.add((*key, round(prices[row["product_id"]], 2), round(row["price_company"], 2)))
    return out


def floors(env, item, runs=3):
    """What the position cannot go under, each part alone (best of ``runs``, as the sales
    manager): Odoo's pricing of the category's products (``_get_products_price``, as ours calls
    it), reading the category's flagged latest observations (``count(*)`` of the rows the
    statement joins), and writing as many lines into the lines' table (the lines of a position
    just computed copied under another position, then deleted)."""
    import time

    Position = env["crm.competitor.price.position"]
    position = Position.create({"pricelist_id": item["pricelist"], "categ_id": item["categ"]})
    position._compute_lines()
    products = env["product.product"].search(position._get_product_domain(), order="id")
    env.flush_all()
    best = {}

    def timed(name, function):
        start = time.perf_counter()
        function()
        best[name] = min(best.get(name, float("inf")), (time.perf_counter() - start) * 1000)

    def pricing():
        env.invalidate_all()
        position._get_our_prices(products)

    def reading():
        env.cr.execute(
            "SELECT count(*) FROM crm_competitor_price WHERE is_latest_priced AND product_id = ANY(%s)",
            [products.ids],
        )

    def writing():
        env.cr.execute(
            """INSERT INTO crm_competitor_price_position_line (
                   position_id, product_id, categ_id, competitor_id, observation_id, currency_id,
                   our_price, competitor_price, gap_percent, date, age_days, rank, competitor_count,
                   is_most_expensive, is_cheapest_competitor, is_old,
                   create_uid, create_date, write_uid, write_date)
               SELECT -position_id, product_id, categ_id, competitor_id, observation_id, currency_id,
                      our_price, competitor_price, gap_percent, date, age_days, rank, competitor_count,
                      is_most_expensive, is_cheapest_competitor, is_old,
                      create_uid, create_date, write_uid, write_date
                 FROM crm_competitor_price_position_line WHERE position_id = %s""",
            [position.id],
        )
        env.cr.execute(
            "DELETE FROM crm_competitor_price_position_line WHERE position_id = %s", [-position.id]
        )

    for _run in range(runs):
        for name, function in (("pricing", pricing), ("reading", reading), ("writing", writing)):
            timed(name, function)
    env.cr.execute(
        "SELECT count(*) FROM crm_competitor_price_position_line WHERE position_id = %s", [position.id]
    )
    lines = env.cr.fetchone()[0]
    harness.detail(
        f"floors (best of {runs}): Odoo's pricing of the {len(products):,} products "
        f"{best['pricing']:.0f} ms, "
        f"reading their flagged latest observations {best['reading']:.0f} ms, writing {lines:,} lines "
        f"{best['writing']:.0f} ms; together {sum(best.values()):.0f} ms"
    )


def _bench_user(env):
    from odoo import Command

    user = env["res.users"].search([("login", "=", "bench_price_manager")])
    if not user:
        groups = env.ref("sales_team.group_sale_manager")
        user = env["res.users"].create(
            {
                "name": "BENCH Price Manager",
                "login": "bench_price_manager",
                "groups_id": [Command.set(groups.ids)],
            }
        )
    return user


def main():
    with harness.environment() as env:
        marker = data.ensure(env, harness.detail)
        data.TEMPLATES = marker["templates"]
        # as autovacuum does after a load: the visibility map lets the latest-observation index
        # answer alone (an index-only scan); quick once done
        env.cr.rollback()  # nothing written yet: out of the transaction for VACUUM
        env.cr._cnx.autocommit = True
        try:
            env.cr.execute("VACUUM ANALYZE crm_competitor_price")
        finally:
            env.cr._cnx.autocommit = False
        user_env = env(user=_bench_user(env))
        rng = random.Random(data.VERSION)
        categories = data.TEMPLATES["categories"]
        picks = [rng.randrange(data.N_CATEGORIES) for _ in range(RUNS)]
        items = [
            {
                "categ": categories[index],
                "pricelist": data.TEMPLATES["pricelist"],
                "expected": _answer(truth(env, marker["ids"], index)),
            }
            for index in picks
        ]
        harness.detail(
            f"{data.N_PRODUCTS} products, {data.N_COMPETITORS} competitors, "
            f"{data.N_OBSERVATIONS} observations "
            f"over 3 years; the position of a category of {data.N_PRODUCTS // data.N_CATEGORIES} products, "
            f"{RUNS} runs, as a sales manager"
        )
        if harness.EXPLAIN:
            harness.explain_call(user_env, "ours", ours, user_env, items[0], slow_ms=20)
            return
        harness.detail(f"{harness.load_average()} before timing")
        methods = [("ours", user_env, ours), ("stock ORM bulk", user_env, stock_bulk)]
        runs = harness.alternate(methods, items, warmup=1)
        harness.detail("price position of a category, fresh request cache:")
        harness.summarize(runs, items)
        slow_items = items[:PER_PRODUCT_RUNS]
        slow = harness.alternate(
            [("stock ORM per product", user_env, stock_per_product)], slow_items, warmup=0
        )
        harness.summarize(slow, slow_items)
        runs.update(slow)
        harness.detail(f"{harness.load_average()} after timing")
        floors(user_env, items[0])
        p50 = harness.medians(runs)
        harness.report(
            "price_position", p50["ours"], min(p50["stock ORM per product"], p50["stock ORM bulk"]), "ms"
        )


if __name__ == "__main__":
    main()
