"""Service-case data for bench/warranty.py, layered on the bench database beside bench/_data.py.

1,000,000 deliveries of two serials each (2,000,000 serials) to 100,000 customers over five
years, 1% of the serials delivered a second time (a replacement), 100,000 cases. Rows are
made with INSERT ... SELECT over generate_series from records made the ordinary way through
the ORM (kept as templates): every column a row does not set holds what the ORM stored.
Its own marker (``crm_extended.bench_data_warranty``, a hash of this file and the scale), so
the shared builder's version, and the other benchmarks' data, are left as they are.

The generator's formulas (``customer``, ``delivered``, ``months`` ...) are the truth the
benchmark checks both methods against.
"""

import datetime
import os
import time

import _layer as layer

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
N_PICKINGS, N_CUSTOMERS, N_CASES = int(1_000_000 * SCALE), int(100_000 * SCALE), int(100_000 * SCALE)
N_SERIALS, DAYS, REPLACED_EVERY, REPLACED_AFTER = 2 * N_PICKINGS, 5 * 365, 100, 200
VERSION = layer.version(__file__)
MARKER, BASE_DAY = "crm_extended.bench_data_warranty", datetime.date(2026, 6, 30)
MONTHS_A, MONTHS_B_CATEGORY, EXTENSION = 24, 18, 12  # product A: its own; product B: its category's


# -- the generator's formulas: SQL and Python say the same --------------------------------------


def customer(picking):
    return picking * 7919 % N_CUSTOMERS


def days_ago(picking):
    return picking * 104729 % DAYS


def delivered(picking):
    return BASE_DAY - datetime.timedelta(days=days_ago(picking))


def months(serial):
    picking = serial // 2
    return (MONTHS_A if picking % 2 == 0 else MONTHS_B_CATEGORY) + (EXTENSION if serial % 10 == 0 else 0)


def replaced(serial):
    """The day of the serial's second delivery (a replacement, the same customer), or None."""
    picking = serial // 2
    if serial % 2 == 0 and picking % REPLACED_EVERY == 0 and days_ago(picking) >= REPLACED_AFTER:
        return delivered(picking) + datetime.timedelta(days=REPLACED_AFTER)
    return None


SQL_CUSTOMER = f"(g * 7919 % {N_CUSTOMERS})"
SQL_DAYS_AGO = f"(g * 104729 % {DAYS})::int"


def _templates(env):
    """Products, a customer, a done delivery of two serials and a case, through the ORM."""
    from odoo import Command

    category = env["product.category"].create(
        {"name": "BENCH-W Devices", "service_warranty_months": MONTHS_B_CATEGORY}
    )
    device = {"type": "consu", "is_storable": True, "tracking": "serial", "categ_id": category.id}
    product_a, product_b = env["product.product"].create(
        [
            device | {"name": "BENCH-W Device A", "service_warranty_months": MONTHS_A, "standard_price": 100},
            device | {"name": "BENCH-W Device B", "standard_price": 60},
        ]
    )
    partner = env["res.partner"].create({"name": "BENCH-W template customer", "is_company": True})
    warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
    lots = env["stock.lot"].create([{"name": f"BENCH-W-T{n}", "product_id": product_a.id} for n in (1, 2)])
    for lot in lots:
        env["stock.quant"]._update_available_quantity(product_a, warehouse.lot_stock_id, 1, lot_id=lot)
    customers = env.ref("stock.stock_location_customers")
    where = {"location_id": warehouse.lot_stock_id.id, "location_dest_id": customers.id}
    picking = env["stock.picking"].create(
        where
        | {
            "partner_id": partner.id,
            "picking_type_id": warehouse.out_type_id.id,
            "move_ids": [
                Command.create(where | {"name": "w", "product_id": product_a.id, "product_uom_qty": 2})
            ],
        }
    )
    picking.action_confirm()
    move = picking.move_ids
    move.move_line_ids.unlink()
    env["stock.move.line"].create(
        [dict(move._prepare_move_line_vals(quantity=1), lot_id=lot.id) for lot in lots]
    )
    move.picked = True
    picking._action_done()
    kind = env.ref("crm_extended.crm_service_case_type_warranty")
    case = env["crm.service.case"].create(
        {"subject": "BENCH-W template", "type_id": kind.id, "partner_id": partner.id, "lot_id": lots[0].id}
    )
    env.flush_all()
    return {
        "products": [product_a.id, product_b.id],
        "category": category.id,
        "partner": partner.id,
        "picking": picking.id,
        "move": move.id,
        "lot": lots[0].id,
        "move_line": move.move_line_ids[0].id,
        "case": case.id,
        "resolved": env.ref("crm_extended.crm_service_case_stage_warranty_resolved").id,
        "new": env.ref("crm_extended.crm_service_case_stage_warranty_new").id,
    }


def _build(env, say):
    cr, start = env.cr, time.perf_counter()
    t = _templates(env)
    ids = {
        "res_partner": layer.reserve(cr, "res_partner", N_CUSTOMERS),
        "stock_picking": layer.reserve(cr, "stock_picking", N_PICKINGS + N_PICKINGS // REPLACED_EVERY),
        "stock_move": layer.reserve(cr, "stock_move", N_PICKINGS + N_PICKINGS // REPLACED_EVERY),
        "stock_lot": layer.reserve(cr, "stock_lot", N_SERIALS),
        "stock_move_line": layer.reserve(cr, "stock_move_line", N_SERIALS + N_PICKINGS // REPLACED_EVERY),
        "crm_service_case": layer.reserve(cr, "crm_service_case", N_CASES),
    }
    p, pk, mv, lot, ml, case = (ids[k] for k in ids)
    a, b = t["products"]
    day = f"(DATE '{BASE_DAY}' - {SQL_DAYS_AGO})"
    moment = f"({day} + TIME '12:00')"
    layer.clone(
        cr,
        "res_partner",
        t["partner"],
        N_CUSTOMERS,
        {
            "id": f"{p} + g",
            "name": "'BENCH-W Customer ' || lpad(g::text, 6, '0')",
            "complete_name": "'BENCH-W Customer ' || lpad(g::text, 6, '0')",
            "commercial_company_name": "'BENCH-W Customer ' || lpad(g::text, 6, '0')",
            "commercial_partner_id": f"{p} + g",
        },
    )
    say(f"{N_CUSTOMERS} customers at {time.perf_counter() - start:.0f}s")
    product = f"CASE WHEN g % 2 = 0 THEN {a} ELSE {b} END"
    layer.clone(
        cr,
        "stock_picking",
        t["picking"],
        N_PICKINGS,
        {
            "id": f"{pk} + g",
            "name": "'BW/OUT/' || lpad(g::text, 7, '0')",
            "partner_id": f"{p} + {SQL_CUSTOMER}",
            "scheduled_date": moment,
            "date": moment,
            "date_done": moment,
            "date_deadline": "NULL",
        },
    )
    layer.clone(
        cr,
        "stock_move",
        t["move"],
        N_PICKINGS,
        {
            "id": f"{mv} + g",
            "picking_id": f"{pk} + g",
            "partner_id": f"{p} + {SQL_CUSTOMER}",
            "product_id": product,
            "reference": "'BW/OUT/' || lpad(g::text, 7, '0')",
            "date": moment,
        },
    )
    say(f"{N_PICKINGS} deliveries at {time.perf_counter() - start:.0f}s")
    # serial s of delivery g = s / 2
    s_moment = moment.replace("g", "(s / 2)")
    s_product = product.replace("g", "(s / 2)")
    layer.clone(
        cr,
        "stock_lot",
        t["lot"],
        N_SERIALS,
        {
            "id": f"{lot} + s",
            "name": "'WSN' || lpad(s::text, 8, '0')",
            "product_id": s_product,
            "service_warranty_extension_months": f"CASE WHEN s % 10 = 0 THEN {EXTENSION} ELSE 0 END",
        },
        series="s",
    )
    layer.clone(
        cr,
        "stock_move_line",
        t["move_line"],
        N_SERIALS,
        {
            "id": f"{ml} + s",
            "picking_id": f"{pk} + s / 2",
            "move_id": f"{mv} + s / 2",
            "lot_id": f"{lot} + s",
            "lot_name": "NULL",
            "product_id": s_product,
            "reference": "'BW/OUT/' || lpad((s / 2)::text, 7, '0')",
            "date": s_moment,
        },
        series="s",
    )
    say(f"{N_SERIALS} serials at {time.perf_counter() - start:.0f}s")
    # replacements: the first serial of every 100th delivery, again, 200 days later
    n_rep = N_PICKINGS // REPLACED_EVERY
    rg = f"(r * {REPLACED_EVERY})"
    r_day = f"(DATE '{BASE_DAY}' - ({rg} * 104729 % {DAYS})::int + {REPLACED_AFTER})"
    r_when = f"({rg} * 104729 % {DAYS}) >= {REPLACED_AFTER}"  # else the replacement is yet to come
    r_overrides = {
        "id": f"{pk} + {N_PICKINGS} + r",
        "name": "'BW/RPL/' || lpad(r::text, 7, '0')",
        "partner_id": f"{p} + ({rg} * 7919 % {N_CUSTOMERS})",
        "scheduled_date": f"({r_day} + TIME '12:00')",
        "date": f"({r_day} + TIME '12:00')",
        "date_done": f"({r_day} + TIME '12:00')",
        "date_deadline": "NULL",
        "service_role": "'replacement'",
    }
    layer.clone(cr, "stock_picking", t["picking"], n_rep, r_overrides, series="r", where=r_when)
    layer.clone(
        cr,
        "stock_move",
        t["move"],
        n_rep,
        {
            "id": f"{mv} + {N_PICKINGS} + r",
            "picking_id": f"{pk} + {N_PICKINGS} + r",
            "partner_id": f"{p} + ({rg} * 7919 % {N_CUSTOMERS})",
            "product_id": str(a),
            "product_uom_qty": "1",
            "quantity": "1",
            "product_qty": "1",
            "reference": "'BW/RPL/' || lpad(r::text, 7, '0')",
            "date": f"({r_day} + TIME '12:00')",
        },
        series="r",
        where=r_when,
    )
    layer.clone(
        cr,
        "stock_move_line",
        t["move_line"],
        n_rep,
        {
            "id": f"{ml} + {N_SERIALS} + r",
            "picking_id": f"{pk} + {N_PICKINGS} + r",
            "move_id": f"{mv} + {N_PICKINGS} + r",
            "lot_id": f"{lot} + 2 * {rg}",
            "lot_name": "NULL",
            "product_id": str(a),
            "reference": "'BW/RPL/' || lpad(r::text, 7, '0')",
            "date": f"({r_day} + TIME '12:00')",
        },
        series="r",
        where=r_when,
    )
    say(f"{n_rep} replacements at {time.perf_counter() - start:.0f}s")
    # cases: serial c, never one replaced; opened 0 to 900 days after the delivery
    c_raw = f"((c::bigint * 15485863) % {N_SERIALS})"
    c_serial = f"({c_raw} + CASE WHEN {c_raw} % 200 = 0 THEN 1 ELSE 0 END)"  # never a replaced serial
    c_g = f"({c_serial} / 2)"
    c_day = f"(DATE '{BASE_DAY}' - ({c_g} * 104729 % {DAYS})::int)"
    c_open = f"({c_day} + (c * 31 % 900)::int + TIME '10:00')"
    c_base = f"CASE WHEN {c_g} % 2 = 0 THEN {MONTHS_A} ELSE {MONTHS_B_CATEGORY} END"
    c_months = f"({c_base} + CASE WHEN {c_serial} % 10 = 0 THEN {EXTENSION} ELSE 0 END)"
    c_end = f"(({c_day} + make_interval(months => {c_months}::int))::date - 1)"
    closed = "c % 5 <> 0"
    layer.clone(
        cr,
        "crm_service_case",
        t["case"],
        N_CASES,
        {
            "id": f"{case} + c",
            "name": "'BW-SC/' || lpad(c::text, 6, '0')",
            "subject": "'Bench case ' || c",
            "partner_id": f"{p} + ({c_g} * 7919 % {N_CUSTOMERS})",
            "commercial_partner_id": f"{p} + ({c_g} * 7919 % {N_CUSTOMERS})",
            "contact_id": f"{p} + ({c_g} * 7919 % {N_CUSTOMERS})",
            "lot_id": f"{lot} + {c_serial}",
            "product_id": f"CASE WHEN {c_g} % 2 = 0 THEN {a} ELSE {b} END",
            "product_categ_id": str(t["category"]),
            "picking_id": f"{pk} + {c_g}",
            "warranty_picking_id": f"{pk} + {c_g}",
            "date_open": c_open,
            "warranty_start": c_day,
            "warranty_end": c_end,
            "warranty_state": f"CASE WHEN {c_open}::date <= {c_end} THEN 'valid' ELSE 'expired' END",
            "stage_id": f"CASE WHEN {closed} THEN {t['resolved']} ELSE {t['new']} END",
            "is_closed": closed,
            "date_closed": f"CASE WHEN {closed} THEN {c_open} + (c % 96) * INTERVAL '1 hour' END",
            "resolution_hours": f"CASE WHEN {closed} THEN c % 96 ELSE 0 END",
            "date_first_response": f"{c_open} + (c % 9) * INTERVAL '1 hour'",
            "response_hours": "c % 9",
            "sla_response_deadline": f"{c_open} + INTERVAL '8 hours'",
            "sla_resolution_deadline": f"{c_open} + INTERVAL '72 hours'",
            "response_late": "c % 9 > 8",
            "resolution_late": f"{closed} AND c % 96 > 72",
            "cost_total": "CASE WHEN c % 3 = 0 THEN 100 ELSE 0 END",
            "cost_repair": "CASE WHEN c % 3 = 0 THEN 100 ELSE 0 END",
        },
        series="c",
    )
    say(f"{N_CASES} cases at {time.perf_counter() - start:.0f}s")
    cr.execute("ANALYZE res_partner, stock_picking, stock_move, stock_lot, stock_move_line, crm_service_case")
    return ids, t


def ensure(env, say=print):
    """{version, ids, templates} of the warranty data; built unless this version of the builder did."""
    return layer.ensure(
        env,
        MARKER,
        VERSION,
        "warranty data",
        _build,
        say,
        detail=f"{N_SERIALS} serials, {N_CUSTOMERS} customers, {N_CASES} cases",
    )
