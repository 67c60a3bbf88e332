"""Portal data for bench/portal.py (#18), layered on the bench database beside bench/_data.py.

A holding (crm.client.group) of 20 legal entities; a contact of the first entity marked as the
holding's representative, with a portal user (``bench_p_rep``, password ``PASSWORD``); 50,000
confirmed sale orders of one line each, spread over the 20 entities; 80,000 deliveries and
returns (done, in progress, returned); 60,000 posted invoices with their journal items, linked
to the order lines. Rows are made with INSERT ... SELECT over generate_series from records made
the ordinary way through the ORM (an order confirmed, delivered in part with its backorder, a
return, an invoice: kept as templates): every column a row does not set holds what the ORM
stored. Its own marker (``crm_extended.bench_data_portal``: a hash of this file, of
bench/_layer.py and the scale).

The generator's formulas (below, the same in SQL and in Python) are the truth the benchmark
checks both pages against, never the add-on's code. Order g (0 = the newest):

====================  ===============================  ===============  ================
g % 10                deliveries (picking 2g, 2g + 1)  delivery_status  invoices
====================  ===============================  ===============  ================
0, 1, 2               one, done                        full             one
3                     one, in progress                 pending          none (to invoice)
4, 5, 6               done, its backorder in progress  partial          one
7, 8                  done, a return of 1 unit done    full             two
9                     done, its backorder done         full             two
====================  ===============================  ===============  ================

Per 10 orders: 16 pickings and 12 invoices (50,000 orders: 80,000 and 60,000). The
representative follows every order beside the entity's own contact (the stock way for a contact
to see another legal entity's orders in Odoo's portal: followers).
"""

import datetime
import os
import time

import _layer as layer

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
N_ENTITIES = 20
N_ORDERS = max(int(50_000 * SCALE) // 10 * 10, 10)
VERSION = layer.version(__file__)
MARKER = "crm_extended.bench_data_portal"
LOGIN, PASSWORD = "bench_p_rep", "bench-p-rep"
NEWEST = datetime.datetime(2026, 11, 30, 18, 0)
MINUTES_APART = 17  # orders 17 minutes apart: no two on the same instant, the order of a page is sure

SHAPES = {  # g % 10 -> (second picking: None, "backorder", "backorder_done", "return"), delivery_status
    0: (None, "full"),
    1: (None, "full"),
    2: (None, "full"),
    3: (None, "pending"),
    4: ("backorder", "partial"),
    5: ("backorder", "partial"),
    6: ("backorder", "partial"),
    7: ("return", "full"),
    8: ("return", "full"),
    9: ("backorder_done", "full"),
}


# -- the generator's formulas: SQL and Python say the same --------------------------------------


def entity(g):
    return g % N_ENTITIES


def quantity(g):
    return 2 + g % 4


def price(g):
    return 100 + (g % 7) * 10


def date_order(g):
    return NEWEST - datetime.timedelta(minutes=MINUTES_APART * g)


def name(g):
    return f"BP{g:06d}"


def delivery_status(g):
    return SHAPES[g % 10][1]


def invoice_status(g):
    return "to invoice" if g % 10 == 3 else "invoiced"


def invoice_count(g):
    return 0 if g % 10 == 3 else 2 if g % 10 >= 7 else 1


def truth(page_size=80):
    """What the representative must see: every order, counted per delivery status, and the first
    page (newest first) with each order's name, entity index, delivery and invoice status."""
    counts = {}
    for g in range(N_ORDERS):
        counts[delivery_status(g)] = counts.get(delivery_status(g), 0) + 1
    first = [
        {
            "name": name(g),
            "entity": entity(g),
            "delivery_status": delivery_status(g),
            "invoice_status": invoice_status(g),
            "amount": quantity(g) * price(g),
        }
        for g in range(min(page_size, N_ORDERS))
    ]
    return {"total": N_ORDERS, "counts": counts, "first_page": first}


SQL_QTY = "(2 + g % 4)"
SQL_PRICE = "(100 + (g % 7) * 10)"
SQL_DATE = f"(TIMESTAMP '{NEWEST}' - g * interval '{MINUTES_APART} minutes')"
SQL_NAME = "('BP' || lpad(g::text, 6, '0'))"
SQL_DELIVERY_STATUS = (
    "CASE WHEN g % 10 = 3 THEN 'pending' WHEN g % 10 IN (4, 5, 6) THEN 'partial' ELSE 'full' END"
)
# delivered: all but the backorder's unit (4, 5, 6) or the returned unit (7, 8); none when pending
SQL_DELIVERED = (
    f"CASE WHEN g % 10 = 3 THEN 0 WHEN g % 10 BETWEEN 4 AND 8 THEN {SQL_QTY} - 1 ELSE {SQL_QTY} END"
)


def _templates(env):
    """The holding, its representative, and one order through the ORM: confirmed, delivered in
    part (its backorder left in progress), a return, an invoice."""
    from odoo import Command

    group = env["crm.client.group"].create({"name": "BENCH-P Holding"})
    entities = env["res.partner"].create(
        [
            {"name": f"BENCH-P Entity {n:02d}", "is_company": True, "client_group_id": group.id}
            for n in range(N_ENTITIES)
        ]
    )
    rep = env["res.partner"].create(
        {
            "name": "BENCH-P Representative",
            "parent_id": entities[0].id,
            "email": "rep@bench-p.example.com",
            "crm_portal_holding": True,
        }
    )
    user = (
        env["res.users"]
        .with_context(no_reset_password=True)
        .create(
            {
                "login": LOGIN,
                "password": PASSWORD,
                "partner_id": rep.id,
                "groups_id": [Command.set([env.ref("base.group_portal").id])],
                "tz": "UTC",
            }
        )
    )
    product = env["product.product"].create(
        {
            "name": "BENCH-P Goods",
            "type": "consu",
            "is_storable": True,
            "invoice_policy": "order",
            "list_price": 100,
            "taxes_id": [Command.clear()],
        }
    )
    warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
    env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 100)
    # the template order is another client's (the representative stops following it once cloned)
    client = env["res.partner"].create({"name": "BENCH-P template client", "is_company": True})
    order = env["sale.order"].create(
        {
            "partner_id": client.id,
            "order_line": [
                Command.create(
                    {"product_id": product.id, "product_uom_qty": 2, "price_unit": 100, "tax_id": []}
                )
            ],
        }
    )
    order.message_subscribe(partner_ids=rep.ids)
    order.action_confirm()
    delivery = order.picking_ids
    delivery.move_ids.quantity = 1
    delivery.move_ids.picked = True
    delivery._action_done()
    backorder = order.picking_ids - delivery
    wizard = (
        env["stock.return.picking"]
        .with_context(active_id=delivery.id, active_model="stock.picking")
        .create({})
    )
    wizard.product_return_moves.quantity = 1
    ret = env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
    ret.move_ids.quantity = 1
    ret.move_ids.picked = True
    ret._action_done()
    invoice = order._create_invoices()
    invoice.action_post()
    env.flush_all()
    followers = env["mail.followers"].search([("res_model", "=", "sale.order"), ("res_id", "=", order.id)])
    assert {client.id, rep.id} <= set(followers.partner_id.ids), followers.partner_id
    assert backorder.state == "assigned" and delivery.state == ret.state == "done", (backorder, ret)
    return {
        "group": group.id,
        "entities": entities.ids,
        "rep": rep.id,
        "user": user.id,
        "product": product.id,
        "order": order.id,
        "order_line": order.order_line.id,
        "follower_entity": followers.filtered(lambda f: f.partner_id == client).id,
        "follower_rep": followers.filtered(lambda f: f.partner_id == rep).id,
        "delivery": delivery.id,
        "delivery_move": delivery.move_ids.id,
        "backorder": backorder.id,
        "return": ret.id,
        "return_move": ret.move_ids.id,
        "invoice": invoice.id,
        "invoice_line": invoice.invoice_line_ids.id,
        "receivable_line": invoice.line_ids.filtered(lambda line: line.display_type == "payment_term").id,
    }


def _build(env, say):
    cr, start = env.cr, time.perf_counter()
    t = _templates(env)
    e0 = t["entities"][0]
    assert t["entities"] == list(range(e0, e0 + N_ENTITIES))
    n = N_ORDERS
    ids = {
        "sale_order": layer.reserve(cr, "sale_order", n),
        "sale_order_line": layer.reserve(cr, "sale_order_line", n),
        "mail_followers": layer.reserve(cr, "mail_followers", 2 * n),
        "stock_picking": layer.reserve(cr, "stock_picking", 2 * n),
        "stock_move": layer.reserve(cr, "stock_move", 2 * n),
        "account_move": layer.reserve(cr, "account_move", 2 * n),
        "account_move_line": layer.reserve(cr, "account_move_line", 4 * n),
    }
    so, sol, fol = ids["sale_order"], ids["sale_order_line"], ids["mail_followers"]
    pk, sm, am, aml = ids["stock_picking"], ids["stock_move"], ids["account_move"], ids["account_move_line"]
    partner = f"({e0} + g % {N_ENTITIES})"
    total = f"({SQL_QTY} * {SQL_PRICE})"
    layer.clone(
        cr,
        "sale_order",
        t["order"],
        n,
        {
            "id": f"{so} + g",
            "name": SQL_NAME,
            "partner_id": partner,
            "partner_invoice_id": partner,
            "partner_shipping_id": partner,
            "date_order": SQL_DATE,
            "create_date": SQL_DATE,
            "write_date": SQL_DATE,
            "effective_date": f"CASE WHEN g % 10 = 3 THEN NULL ELSE {SQL_DATE} + interval '1 day' END",
            "amount_untaxed": total,
            "amount_total": total,
            "amount_tax": "0",
            "delivery_status": SQL_DELIVERY_STATUS,
            "invoice_status": "CASE WHEN g % 10 = 3 THEN 'to invoice' ELSE 'invoiced' END",
            "access_token": "gen_random_uuid()::text",
            "procurement_group_id": "NULL",
        },
        order=True,
    )
    layer.clone(
        cr,
        "sale_order_line",
        t["order_line"],
        n,
        {
            "id": f"{sol} + g",
            "order_id": f"{so} + g",
            "order_partner_id": partner,
            "product_uom_qty": SQL_QTY,
            "qty_delivered": SQL_DELIVERED,
            "qty_invoiced": f"CASE WHEN g % 10 = 3 THEN 0 ELSE {SQL_QTY} END",
            "qty_to_invoice": f"CASE WHEN g % 10 = 3 THEN {SQL_QTY} ELSE 0 END",
            "price_unit": SQL_PRICE,
            "price_subtotal": total,
            "price_total": total,
            "price_tax": "0",
            "untaxed_amount_invoiced": f"CASE WHEN g % 10 = 3 THEN 0 ELSE {total} END",
            "untaxed_amount_to_invoice": f"CASE WHEN g % 10 = 3 THEN {total} ELSE 0 END",
            "invoice_status": "CASE WHEN g % 10 = 3 THEN 'to invoice' ELSE 'invoiced' END",
            "create_date": SQL_DATE,
            "write_date": SQL_DATE,
        },
        order=True,
    )
    for k, template, who in ((0, t["follower_entity"], partner), (1, t["follower_rep"], str(t["rep"]))):
        layer.clone(
            cr,
            "mail_followers",
            template,
            n,
            {"id": f"{fol} + 2 * g + {k}", "res_id": f"{so} + g", "partner_id": who},
        )
    cr.execute("DELETE FROM mail_followers WHERE id = %s", [t["follower_rep"]])
    say(f"{n} orders at {time.perf_counter() - start:.0f}s")
    # pickings: 2g the delivery (done unless g % 10 = 3), 2g + 1 its backorder or return
    second = (
        "('BP/' || CASE WHEN g % 10 IN (7, 8) THEN 'RET' ELSE 'OUT' END || '/' "
        "|| lpad((2 * g + k)::text, 6, '0'))"
    )
    done_at = f"{SQL_DATE} + (k + 1) * interval '1 day'"
    picking_state = (
        "CASE WHEN (k = 0 AND g % 10 = 3) OR (k = 1 AND g % 10 IN (4, 5, 6)) THEN 'assigned' ELSE 'done' END"
    )
    move_qty = f"CASE WHEN k = 1 THEN 1 WHEN g % 10 IN (4, 5, 6, 9) THEN {SQL_QTY} - 1 ELSE {SQL_QTY} END"
    series = f"generate_series(0::bigint, {n - 1}) g, generate_series(0, 1) k"
    outgoing = "(k = 0 OR g % 10 IN (4, 5, 6, 9))"
    returns = "(k = 1 AND g % 10 IN (7, 8))"
    for template, where in ((t["delivery"], outgoing), (t["return"], returns)):
        layer.clone(
            cr,
            "stock_picking",
            template,
            series,
            {
                "id": f"{pk} + 2 * g + k",
                "name": second,
                "origin": f"CASE WHEN k = 1 AND g % 10 IN (7, 8) THEN 'Return of BP/OUT/' "
                f"|| lpad((2 * g)::text, 6, '0') ELSE {SQL_NAME} END",
                "partner_id": partner,
                "sale_id": f"{so} + g",
                "backorder_id": f"CASE WHEN k = 1 AND g % 10 IN (4, 5, 6, 9) THEN {pk} + 2 * g END",
                "return_id": f"CASE WHEN k = 1 AND g % 10 IN (7, 8) THEN {pk} + 2 * g END",
                "state": picking_state,
                "scheduled_date": done_at,
                "date_deadline": "NULL",
                "date": SQL_DATE,
                "date_done": f"CASE WHEN {picking_state} = 'done' THEN {done_at} END",
                "create_date": SQL_DATE,
                "write_date": SQL_DATE,
                "group_id": "NULL",
            },
            where=where,
        )
    for template, where in ((t["delivery_move"], outgoing), (t["return_move"], returns)):
        layer.clone(
            cr,
            "stock_move",
            template,
            series,
            {
                "id": f"{sm} + 2 * g + k",
                "picking_id": f"{pk} + 2 * g + k",
                "sale_line_id": f"{sol} + g",
                "partner_id": partner,
                "origin": SQL_NAME,
                "reference": second,
                "state": picking_state,
                "product_uom_qty": move_qty,
                "product_qty": move_qty,
                "quantity": move_qty,
                "picked": f"{picking_state} = 'done'",
                "date": done_at,
                "date_deadline": "NULL",
                "origin_returned_move_id": f"CASE WHEN k = 1 AND g % 10 IN (7, 8) THEN {sm} + 2 * g END",
                "group_id": "NULL",
                "create_date": SQL_DATE,
                "write_date": SQL_DATE,
            },
            where=where,
        )
    say(f"{n * 16 // 10} pickings at {time.perf_counter() - start:.0f}s")
    # invoices: 2g + k, k = 0 for every order but g % 10 = 3, k = 1 for g % 10 >= 7; the first of two
    # invoices the quantity less one, the second one unit
    inv_qty = f"CASE WHEN g % 10 < 7 THEN {SQL_QTY} WHEN k = 0 THEN {SQL_QTY} - 1 ELSE 1 END"
    inv_total = f"({inv_qty} * {SQL_PRICE})"
    inv_name = "('BP/INV/' || lpad((2 * g + k)::text, 6, '0'))"
    inv_day = f"({SQL_DATE})::date + 1 + k * 10"
    invoiced = "(g % 10 <> 3 AND (k = 0 OR g % 10 >= 7))"
    layer.clone(
        cr,
        "account_move",
        t["invoice"],
        series,
        {
            "id": f"{am} + 2 * g + k",
            "name": inv_name,
            "sequence_prefix": "'BP/INV/'",
            "sequence_number": "2 * g + k + 1",
            "partner_id": partner,
            "commercial_partner_id": partner,
            "partner_shipping_id": partner,
            "invoice_origin": SQL_NAME,
            "invoice_date": inv_day,
            "date": inv_day,
            "invoice_date_due": inv_day,
            "amount_untaxed": inv_total,
            "amount_total": inv_total,
            "amount_untaxed_signed": inv_total,
            "amount_untaxed_in_currency_signed": inv_total,
            "amount_total_signed": inv_total,
            "amount_total_in_currency_signed": inv_total,
            "amount_residual": inv_total,
            "amount_residual_signed": inv_total,
            "access_token": "NULL",
            "create_date": SQL_DATE,
            "write_date": SQL_DATE,
        },
        where=invoiced,
    )
    common = {
        "move_id": f"{am} + 2 * g + k",
        "move_name": inv_name,
        "partner_id": partner,
        "date": inv_day,
        "invoice_date": inv_day,
        "create_date": SQL_DATE,
        "write_date": SQL_DATE,
    }
    layer.clone(
        cr,
        "account_move_line",
        t["invoice_line"],
        series,
        common
        | {
            "id": f"{aml} + 4 * g + 2 * k",
            "quantity": inv_qty,
            "price_unit": SQL_PRICE,
            "price_subtotal": inv_total,
            "price_total": inv_total,
            "balance": f"-{inv_total}",
            "amount_currency": f"-{inv_total}",
            "credit": inv_total,
            "debit": "0",
        },
        where=invoiced,
    )
    layer.clone(
        cr,
        "account_move_line",
        t["receivable_line"],
        series,
        common
        | {
            "id": f"{aml} + 4 * g + 2 * k + 1",
            "date_maturity": inv_day,
            "balance": inv_total,
            "amount_currency": inv_total,
            "debit": inv_total,
            "credit": "0",
            "amount_residual": inv_total,
            "amount_residual_currency": inv_total,
        },
        where=invoiced,
    )
    cr.execute(
        f"""
        INSERT INTO sale_order_line_invoice_rel (invoice_line_id, order_line_id)
        SELECT {aml} + 4 * g + 2 * k, {sol} + g FROM {series} WHERE {invoiced}
        """
    )
    say(f"{n * 12 // 10} invoices at {time.perf_counter() - start:.0f}s")
    cr.execute(
        "ANALYZE sale_order, sale_order_line, mail_followers, stock_picking, stock_move, account_move, "
        "account_move_line, sale_order_line_invoice_rel"
    )
    return ids, t


def ensure(env, say=print):
    """{version, ids, templates} of the portal data; built unless this version of the builder did."""
    return layer.ensure(
        env,
        MARKER,
        VERSION,
        "portal data",
        _build,
        say,
        detail=f"{N_ORDERS} orders of {N_ENTITIES} entities",
    )
