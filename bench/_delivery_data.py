"""Deliveries, orders, serial numbers and customers for bench/delivery_desk.py.

Built once with COPY into Odoo's own tables (kept in the bench database):

- ``N_CUSTOMERS`` customer companies ("BD Customer 000001", Russia) with a
  phone typed as people type it; ``phone_e164`` / ``phone_sanitized`` /
  ``phone_invalid`` are computed with the functions the ORM's computes call;
- ``N_DELIVERIES`` confirmed sale orders ("BD0000001") and, for each, one
  outgoing picking of the main warehouse ("BD/OUT/0000001", origin and
  ``sale_id`` = the order, the order's customer, 85% done, 15% ready), with one
  stock move of a serial-tracked product (2 units) and two move lines, each
  with its own serial number ("SN0000001" ...): ``2 * N_DELIVERIES`` lots.

The columns a row does not set itself get the values the ORM gave a record
created the ordinary way (rolled back), as bench/phone_lookup.py does.

Rows are rendered in spawned worker processes (pure Python: this module only)
while the main process COPYs the previous chunk; every chunk has its own
``random.Random`` seeded from SEED, so the data is the same whatever the
worker order.
"""

import contextlib
import datetime
import io
import json
import multiprocessing
import os
import random
import time

from psycopg2 import sql

SEED = 42
N_CUSTOMERS = 100_000
N_DELIVERIES = 1_000_000
LOTS_PER_DELIVERY = 2
CHUNK = 50_000  # deliveries per worker task
DONE_SHARE = 0.85

CUSTOMER_PREFIX = "BD Customer "
ORDER_PREFIX = "BD"
PICKING_PREFIX = "BD/OUT/"
LOT_PREFIX = "SN"
PRODUCT_NAME = "BD Serial-Tracked Device"
BASE_DATE = datetime.datetime(2025, 6, 30, 9, 0, 0)
HISTORY_DAYS = 730


def order_name(index):
    """Name of the ``index``-th (0-based) generated order."""
    return f"{ORDER_PREFIX}{index + 1:07d}"


def picking_name(index):
    return f"{PICKING_PREFIX}{index + 1:07d}"


def lot_name(index):
    """Name of the ``index``-th (0-based) serial number."""
    return f"{LOT_PREFIX}{index + 1:07d}"


def customer_name(index):
    return f"{CUSTOMER_PREFIX}{index + 1:06d}"


# -- phone numbers ------------------------------------------------------------------

# Spellings of a Russian number (groups "912", "345", "67", "89").
PHONE_STYLES = {
    "8_paren": "8 ({a}) {b}-{c}-{d}",
    "8_dashes": "8-{a}-{b}-{c}-{d}",
    "8_plain": "8{a}{b}{c}{d}",
    "plus7_spaces": "+7 {a} {b} {c} {d}",
    "plus7_paren": "+7({a}){b}-{c}-{d}",
    "plus7_dashes": "+7 {a} {b}-{c}-{d}",
    "007": "007 {a} {b}{c}{d}",
}


def customer_nsn(index):
    """The national number of customer ``index``: distinct Russian mobiles."""
    return f"98{(index * 9973 + 1234567) % 10**8:08d}"


def spell(nsn, style):
    return PHONE_STYLES[style].format(a=nsn[:3], b=nsn[3:6], c=nsn[6:8], d=nsn[8:])


def stored_style(index):
    """How customer ``index``'s phone is typed on its card."""
    styles = list(PHONE_STYLES)
    return styles[random.Random(SEED * 7 + index).randrange(len(styles))]


# -- COPY text ----------------------------------------------------------------------


def copy_value(value):
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy_tail(values):
    """The constant columns of a table, as the end of a COPY line."""
    return "".join("\t" + copy_value(value) for value in values) + "\n"


# Columns each row sets; the other columns get the ORM's values (constants).
COLUMNS = {
    "res_partner": [
        "id",
        "name",
        "complete_name",
        "commercial_company_name",
        "commercial_partner_id",
        "phone",
        "phone_sanitized",
        "phone_e164",
        "mobile_e164",
        "phone_invalid",
        "create_date",
        "write_date",
    ],
    "sale_order": [
        "id",
        "name",
        "partner_id",
        "partner_invoice_id",
        "partner_shipping_id",
        "state",
        "date_order",
        "validity_date",
        "create_date",
        "write_date",
    ],
    "stock_picking": [
        "id",
        "name",
        "origin",
        "sale_id",
        "partner_id",
        "state",
        "scheduled_date",
        "date_deadline",
        "date",
        "date_done",
        "create_date",
        "write_date",
    ],
    "stock_move": [
        "id",
        "picking_id",
        "partner_id",
        "state",
        "reference",
        "origin",
        "product_qty",
        "product_uom_qty",
        "quantity",
        "picked",
        "date",
        "date_deadline",
        "create_date",
        "write_date",
    ],
    "stock_lot": ["id", "name", "create_date", "write_date"],
    "stock_move_line": [
        "id",
        "picking_id",
        "move_id",
        "lot_id",
        "state",
        "reference",
        "quantity",
        "quantity_product_uom",
        "picked",
        "date",
        "create_date",
        "write_date",
    ],
}
# COPY order inside a chunk: every foreign key points at a row already there.
DELIVERY_TABLES = ["sale_order", "stock_picking", "stock_move", "stock_lot", "stock_move_line"]


# -- worker side: rows of one chunk of deliveries ----------------------------------------

_WORKER = {}


def _init_worker(context):
    _WORKER.update(context)
    _WORKER["tails"] = {table: copy_tail(values) for table, values in context["constants"].items()}


def _line(values, tail):
    return "\t".join(copy_value(value) for value in values) + tail


def delivery_profile(rng):
    """(customer index, order date, done?) of one delivery."""
    customer = rng.randrange(N_CUSTOMERS)
    ordered = BASE_DATE - datetime.timedelta(minutes=rng.randrange(HISTORY_DAYS * 24 * 60))
    return customer, ordered, rng.random() < DONE_SHARE


def chunk_rng(chunk_index):
    return random.Random(SEED * 1_000_003 + chunk_index)


def render_chunk(task):
    """COPY texts {table: text} of deliveries ``start`` .. ``start + count - 1``."""
    chunk_index, start, count = task
    ids, tails = _WORKER["first_ids"], _WORKER["tails"]
    rng = chunk_rng(chunk_index)
    out = {table: [] for table in DELIVERY_TABLES}
    for index in range(start, start + count):
        customer, ordered, done = delivery_profile(rng)
        partner_id = ids["res_partner"] + customer
        order_id = ids["sale_order"] + index
        picking_id = ids["stock_picking"] + index
        move_id = ids["stock_move"] + index
        name, reference = order_name(index), picking_name(index)
        state = "done" if done else "assigned"
        scheduled = ordered + datetime.timedelta(days=2)
        done_date = scheduled + datetime.timedelta(hours=rng.randrange(1, 72)) if done else None
        moved = done_date or scheduled
        out["sale_order"].append(
            _line(
                [
                    order_id,
                    name,
                    partner_id,
                    partner_id,
                    partner_id,
                    "sale",
                    ordered,
                    (ordered + datetime.timedelta(days=30)).date(),
                    ordered,
                    ordered,
                ],
                tails["sale_order"],
            )
        )
        out["stock_picking"].append(
            _line(
                [
                    picking_id,
                    reference,
                    name,
                    order_id,
                    partner_id,
                    state,
                    scheduled,
                    scheduled,
                    moved,
                    done_date,
                    ordered,
                    moved,
                ],
                tails["stock_picking"],
            )
        )
        qty = float(LOTS_PER_DELIVERY)
        out["stock_move"].append(
            _line(
                [
                    move_id,
                    picking_id,
                    partner_id,
                    state,
                    reference,
                    name,
                    qty,
                    qty,
                    qty,
                    done,
                    moved,
                    scheduled,
                    ordered,
                    moved,
                ],
                tails["stock_move"],
            )
        )
        for serial in range(index * LOTS_PER_DELIVERY, (index + 1) * LOTS_PER_DELIVERY):
            lot_id = ids["stock_lot"] + serial
            out["stock_lot"].append(_line([lot_id, lot_name(serial), ordered, ordered], tails["stock_lot"]))
            out["stock_move_line"].append(
                _line(
                    [
                        ids["stock_move_line"] + serial,
                        picking_id,
                        move_id,
                        lot_id,
                        state,
                        reference,
                        1.0,
                        1.0,
                        done,
                        moved,
                        ordered,
                        moved,
                    ],
                    tails["stock_move_line"],
                )
            )
    return {table: "".join(lines) for table, lines in out.items()}


# -- main process: the ORM's constants, customers, COPY ---------------------------------


def _orm_rows(env):
    """The rows the ORM stores for one record of each table (rolled back)."""
    cr = env.cr
    warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
    picking_type = warehouse.out_type_id
    rows = {}
    with contextlib.closing(cr.savepoint()):  # closing() rolls the savepoint back
        product = ensure_product(env)
        partner = env["res.partner"].create(
            {
                "name": "bench",
                "is_company": True,
                "country_id": env.ref("base.ru").id,
                "phone": "+7 912 345 67 89",
                "customer_rank": 1,
            }
        )
        order = env["sale.order"].create({"partner_id": partner.id})
        picking = env["stock.picking"].create(
            {"partner_id": partner.id, "picking_type_id": picking_type.id, "origin": order.name}
        )
        move = env["stock.move"].create(
            {
                "name": product.display_name,
                "picking_id": picking.id,
                "product_id": product.id,
                "product_uom_qty": LOTS_PER_DELIVERY,
                "location_id": picking.location_id.id,
                "location_dest_id": picking.location_dest_id.id,
            }
        )
        lot = env["stock.lot"].create({"name": "bench", "product_id": product.id})
        line = env["stock.move.line"].create(
            {
                "move_id": move.id,
                "picking_id": picking.id,
                "product_id": product.id,
                "lot_id": lot.id,
                "quantity": 1,
                "location_id": picking.location_id.id,
                "location_dest_id": picking.location_dest_id.id,
            }
        )
        env.flush_all()
        for record in (partner, order, picking, move, lot, line):
            query = sql.SQL("SELECT * FROM {} WHERE id = %s").format(sql.Identifier(record._table))
            cr.execute(query, [record.id])
            rows[record._table] = cr.dictfetchone()
    env.invalidate_all(flush=False)
    return rows


def ensure_product(env):
    """The serial-tracked storable product of the generated deliveries."""
    product = env["product.product"].search([("name", "=", PRODUCT_NAME)], limit=1)
    if not product:
        product = env["product.product"].create(
            {
                "name": PRODUCT_NAME,
                "is_storable": True,
                "tracking": "serial",
                "company_id": env.company.id,
                "default_code": "BD-SERIAL",
            }
        )
    return product


def _jsonable(value):
    """jsonb columns come back as dicts: COPY wants their JSON text."""
    return json.dumps(value) if isinstance(value, dict | list) else value


def constants(rows):
    """{table: ([constant column], [value])}: what the ORM stored beside COLUMNS."""
    result = {}
    for table, row in rows.items():
        pairs = [(name, _jsonable(value)) for name, value in row.items() if value is not None]
        pairs = [(name, value) for name, value in pairs if name not in COLUMNS[table]]
        result[table] = ([name for name, _ in pairs], [value for _, value in pairs])
    return result


def reserve_ids(cr, table, count):
    """Take ``count`` consecutive ids from ``table``'s sequence; return the first."""
    sequence = f"{table}_id_seq"
    cr.execute("SELECT setval(%s, nextval(%s) + %s - 1)", [sequence, sequence, count])
    first = cr.fetchone()[0] - count + 1
    query = sql.SQL("SELECT count(*) FROM {} WHERE id >= %s").format(sql.Identifier(table))
    cr.execute(query, [first])
    if cr.fetchone()[0]:
        raise SystemExit(f"ids of {table} from {first} are taken: another process reserved them meanwhile")
    return first


def _copy(cr, table, columns, text):
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(column) for column in columns)
    )
    cr.copy_expert(statement.as_string(cr._obj), io.StringIO(text))


def customer_rows(env, first_id, tail):
    """COPY text of the customers, phones computed as the ORM's computes do."""
    from odoo.exceptions import UserError

    from odoo.addons.crm_extended.services import phone as phone_service
    from odoo.addons.phone_validation.tools import phone_validation

    russia = env.ref("base.ru")
    lines = []
    for index in range(N_CUSTOMERS):
        name = customer_name(index)
        phone = spell(customer_nsn(index), stored_style(index))
        key = phone_service.normalize(phone, russia.code)  # crm_extended's _compute_phone_keys
        try:  # mail.thread.phone's _compute_phone_sanitized
            sanitized = phone_validation.phone_format(
                phone, russia.code, russia.phone_code, force_format="E164", raise_exception=True
            )
        except UserError:
            sanitized = None
        pid = first_id + index
        values = [pid, name, name, name, pid, phone, sanitized, key, None, not key, BASE_DATE, BASE_DATE]
        lines.append(_line(values, tail))
    return "".join(lines)


def build(env, detail):
    """Insert everything with COPY in one transaction, ANALYZE; return seconds."""
    start = time.perf_counter()
    cr = env.cr
    product = ensure_product(env)
    consts = constants(_orm_rows(env))
    counts = {
        "res_partner": N_CUSTOMERS,
        "sale_order": N_DELIVERIES,
        "stock_picking": N_DELIVERIES,
        "stock_move": N_DELIVERIES,
        "stock_lot": N_DELIVERIES * LOTS_PER_DELIVERY,
        "stock_move_line": N_DELIVERIES * LOTS_PER_DELIVERY,
    }
    first_ids = {table: reserve_ids(cr, table, count) for table, count in counts.items()}
    columns = {table: COLUMNS[table] + consts[table][0] for table in counts}
    context = {"first_ids": first_ids, "constants": {table: consts[table][1] for table in counts}}
    detail(
        f"constant columns from the ORM: product {product.display_name} (id {product.id}), "
        + ", ".join(f"{table} {len(consts[table][0])}" for table in counts)
    )

    _copy(
        cr,
        "res_partner",
        columns["res_partner"],
        customer_rows(env, first_ids["res_partner"], copy_tail(consts["res_partner"][1])),
    )
    detail(f"COPY res_partner: {N_CUSTOMERS} customers at {time.perf_counter() - start:.0f}s")

    tasks = [(i, s, min(CHUNK, N_DELIVERIES - s)) for i, s in enumerate(range(0, N_DELIVERIES, CHUNK))]
    processes = max(1, min(2, (os.cpu_count() or 2) - 1))
    copied = dict.fromkeys(DELIVERY_TABLES, 0)
    with multiprocessing.get_context("spawn").Pool(processes, _init_worker, (context,)) as pool:
        for number, texts in enumerate(pool.imap(render_chunk, tasks), 1):
            for table in DELIVERY_TABLES:
                _copy(cr, table, columns[table], texts[table])
                copied[table] += texts[table].count("\n")
            if number % 4 == 0 or number == len(tasks):
                detail(
                    f"COPY {number * CHUNK if number < len(tasks) else N_DELIVERIES} deliveries "
                    f"at {time.perf_counter() - start:.0f}s"
                )
    detail("rows: " + ", ".join(f"{table} {count}" for table, count in copied.items()))
    cr.commit()
    for table in counts:
        cr.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))
    cr.commit()
    env.invalidate_all(flush=False)
    return time.perf_counter() - start
