"""Competitor-price data for bench/price_position.py, layered on its bench database.

50,000 products in 10 categories of 5,000, 20 competitors, 5,000,000 observations over three
years (5 per product and competitor), a pricelist with a global 5% discount and 10% on the first
category. Rows are made with INSERT ... SELECT over generate_series from records made the
ordinary way through the ORM (kept as templates): every column a row does not set holds what
the ORM stored. Its own marker (``crm_extended.bench_data_price_position``, a hash of this file
and the scale), so the shared builder's data and the other layers are left as they are.

The generator's formulas (``list_price``, ``observed``) are the truth the benchmark checks both
methods against.
"""

import datetime
import os
import time

import _layer as layer

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
N_PRODUCTS, N_COMPETITORS, PER_PAIR = int(50_000 * SCALE), 20, 5
N_CATEGORIES = 10
N_OBSERVATIONS = N_PRODUCTS * N_COMPETITORS * PER_PAIR
DAYS = 3 * 365
VERSION = layer.version(__file__)
MARKER, BASE_DAY = "crm_extended.bench_data_price_position", datetime.date(2026, 11, 30)
GLOBAL_DISCOUNT, CATEGORY_DISCOUNT = 5.0, 10.0  # the pricelist: 10% off in category 0, else 5%


# -- the generator's formulas: SQL and Python say the same --------------------------------------


def category(product):
    return product % N_CATEGORIES


def list_price(product):
    return 100.0 + product % 900


def our_price(product):
    return list_price(product) * (
        1 - (CATEGORY_DISCOUNT if category(product) == 0 else GLOBAL_DISCOUNT) / 100
    )


def observed(g):
    """(product, competitor, days ago, price) of observation number ``g``."""
    pair, _k = g % (N_PRODUCTS * N_COMPETITORS), g // (N_PRODUCTS * N_COMPETITORS)
    product, competitor = pair % N_PRODUCTS, pair // N_PRODUCTS
    days = g * 7919 % DAYS
    price = round(list_price(product) * (80 + g * 104729 % 41) / 100, 2)
    return product, competitor, days, price


def latest(product):
    """{competitor: (day, price)} of the product's latest observation per competitor (on a
    tie of days, the later-made row: the higher id)."""
    out = {}
    pairs = N_PRODUCTS * N_COMPETITORS
    for competitor in range(N_COMPETITORS):
        best = None
        for k in range(PER_PAIR):
            g = k * pairs + competitor * N_PRODUCTS + product
            _p, _c, days, price = observed(g)
            if best is None or days <= best[0]:
                best = (days, price)
        out[competitor] = (BASE_DAY - datetime.timedelta(days=best[0]), best[1])
    return out


SQL_PAIR = f"(g % {N_PRODUCTS * N_COMPETITORS})"
SQL_PRODUCT = f"({SQL_PAIR} % {N_PRODUCTS})"
SQL_COMPETITOR = f"({SQL_PAIR} / {N_PRODUCTS})"
SQL_DAYS = f"(g * 7919 % {DAYS})::int"
SQL_LIST_PRICE = "(100.0 + {p} % 900)"
SQL_PRICE = f"round({SQL_LIST_PRICE.format(p=SQL_PRODUCT)} * (80 + g * 104729 % 41) / 100, 2)"


def _templates(env):
    """Categories, a product, the competitors, an observation and the pricelist, through the ORM."""
    root = env["product.category"].create({"name": "BENCH-P"})
    categories = env["product.category"].create(
        [{"name": f"BENCH-P Category {n}", "parent_id": root.id} for n in range(N_CATEGORIES)]
    )
    product = env["product.product"].create(
        {"name": "BENCH-P template", "list_price": 100.0, "categ_id": categories[0].id, "taxes_id": False}
    )
    competitors = env["res.partner"].create(
        [
            {"name": f"BENCH-P Competitor {n:02d}", "is_company": True, "is_competitor": True}
            for n in range(20)
        ]
    )
    observation = env["crm.competitor.price"].create(
        {"competitor_id": competitors[0].id, "product_id": product.id, "price": 100.0, "source": "price_list"}
    )
    pricelist = env["product.pricelist"].create(
        {
            "name": "BENCH-P Wholesale",
            "currency_id": env.company.currency_id.id,
            "item_ids": [
                (
                    0,
                    0,
                    {
                        "applied_on": "3_global",
                        "compute_price": "percentage",
                        "percent_price": GLOBAL_DISCOUNT,
                    },
                ),
                (
                    0,
                    0,
                    {
                        "applied_on": "2_product_category",
                        "categ_id": categories[0].id,
                        "compute_price": "percentage",
                        "percent_price": CATEGORY_DISCOUNT,
                    },
                ),
            ],
        }
    )
    env.flush_all()
    return {
        "categories": categories.ids,
        "product": product.id,
        "template": product.product_tmpl_id.id,
        "competitors": competitors.ids,
        "observation": observation.id,
        "pricelist": pricelist.id,
    }


def _build(env, say):
    cr, start = env.cr, time.perf_counter()
    t = _templates(env)
    ids = {
        "product_template": layer.reserve(cr, "product_template", N_PRODUCTS),
        "product_product": layer.reserve(cr, "product_product", N_PRODUCTS),
        "crm_competitor_price": layer.reserve(cr, "crm_competitor_price", N_OBSERVATIONS),
    }
    tmpl, prod, obs = ids["product_template"], ids["product_product"], ids["crm_competitor_price"]
    categories = "ARRAY[{}]".format(", ".join(str(c) for c in t["categories"]))
    competitors = "ARRAY[{}]".format(", ".join(str(c) for c in t["competitors"]))
    layer.clone(
        cr,
        "product_template",
        t["template"],
        N_PRODUCTS,
        {
            "id": f"{tmpl} + g",
            "name": "jsonb_build_object('en_US', 'BENCH-P Product ' || lpad(g::text, 6, '0'))",
            "list_price": SQL_LIST_PRICE.format(p="g"),
            "categ_id": f"({categories})[g % {N_CATEGORIES} + 1]",
        },
        order=True,
        say=say,
    )
    layer.clone(
        cr,
        "product_product",
        t["product"],
        N_PRODUCTS,
        {
            "id": f"{prod} + g",
            "product_tmpl_id": f"{tmpl} + g",
            "default_code": "'BP' || lpad(g::text, 6, '0')",
        },
        order=True,
        say=say,
    )
    # the observations: indexes made after the rows (one sort each instead of 5,000,000 inserts)
    cr.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'crm_competitor_price' "
        "AND indexname NOT LIKE '%%_pkey'"
    )
    indexes = cr.fetchall()
    for name, _definition in indexes:
        cr.execute(f'DROP INDEX "{name}"')
    day = f"(DATE '{BASE_DAY}' - {SQL_DAYS})"
    layer.clone(
        cr,
        "crm_competitor_price",
        t["observation"],
        N_OBSERVATIONS,
        {
            "id": f"{obs} + g",
            "product_id": f"{prod} + {SQL_PRODUCT}",
            "categ_id": f"({categories})[{SQL_PRODUCT} % {N_CATEGORIES} + 1]",
            "competitor_id": f"({competitors})[{SQL_COMPETITOR} + 1]",
            "date": day,
            "price": SQL_PRICE,
            "price_company": SQL_PRICE,
            "price_company_min": SQL_PRICE,
            "price_company_max": SQL_PRICE,
            "create_date": f"({day} + TIME '12:00')",
            "write_date": f"({day} + TIME '12:00')",
            "is_latest_priced": "FALSE",
        },
        order=True,
        say=say,
    )
    # the latest observation with a price per product, competitor and company, flagged as the
    # ORM's writes keep it (before the indexes: one pass over the table)
    step = time.perf_counter()
    cr.execute("DELETE FROM crm_competitor_price WHERE id = %s", [t["observation"]])
    env["crm.competitor.price"]._crm_refresh_latest()
    say(f"  latest prices flagged in {time.perf_counter() - step:.1f}s")
    for name, definition in indexes:
        step = time.perf_counter()
        cr.execute(definition)
        say(f"  index {name} in {time.perf_counter() - step:.1f}s")
    cr.execute("ANALYZE product_template, product_product, crm_competitor_price")
    say(f"{N_OBSERVATIONS} observations at {time.perf_counter() - start:.0f}s")
    return ids, t


def ensure(env, say=print):
    """{version, ids, templates} of the price-position data; built unless this version of the builder did."""
    return layer.ensure(
        env,
        MARKER,
        VERSION,
        "price-position data",
        _build,
        say,
        detail=f"{N_PRODUCTS} products, {N_COMPETITORS} competitors, {N_OBSERVATIONS} observations",
    )
