"""The money and goods of a list of deals: quoted, ordered, invoiced, paid,
due, delivered.

Data (built once through the ORM, kept in the bench database): N_DEALS
opportunities named "DEAL BENCH 01" ..., each with its own customer,
ORDERS_PER_DEAL confirmed orders of two goods lines (invoicing policy
"ordered quantities") and INVOICES_PER_ORDER posted invoices per order (each
invoices its share of every line, linked to the order lines as Odoo's own
invoicing does), so N_DEALS x ORDERS_PER_DEAL x INVOICES_PER_ORDER invoices;
per deal, PAID_PER_DEAL invoices are paid (one grouped payment) and the
delivery of the first order is done.

ours:  read crm_extended's ``deal_amount_*`` / ``deal_*`` fields of the
       N_DEALS leads (computed for the whole list at once, compute_sudo);
stock: what plain Odoo gives a user for the same figures: per lead, its
       ``order_ids`` amounts, its orders' ``invoice_ids`` signed total and
       residual, the order lines' ordered and delivered quantities and the
       orders' deliveries, summed in Python (the ORM prefetching as usual).

Both as admin, on an empty cache each run (as a new request has), RUNS runs:
median wall time and the queries of a run (``cr.sql_log_count``, which
odoo/sql_db.py increments on every ``execute``). Both give the same figures
(checked).

Diagnosis, in detail lines: every query of ours with its time and EXPLAIN
ANALYZE of the slow ones; then both ways again with an index on
sale_order.opportunity_id, created in a savepoint and rolled back. The bench
database may hold bench/delivery_desk.py's million orders: the deals are then
a few among many, as in a company's real database.
"""

import time

import harness

N_DEALS = 80
ORDERS_PER_DEAL = 5
INVOICES_PER_ORDER = 2  # 10 invoices per deal
PAID_PER_DEAL = 4
RUNS = 20
WARMUP = 3
SLOW_QUERY_MS = 2.0  # queries of ours explained in the diagnosis
PREFIX = "DEAL BENCH "  # not "BENCH ...": bench/phone_lookup.py counts leads named so
ANALYZED = (
    "crm_lead",
    "sale_order",
    "sale_order_line",
    "sale_order_line_invoice_rel",
    "account_move",
    "account_move_line",
    "stock_picking",
)
# the add-on's own list of figures (crm_extended/models/crm_lead.py), read once Odoo is loaded
FIGURES = ()


def _load_figures():
    global FIGURES
    from odoo.addons.crm_extended.models.crm_lead import DEAL_FIGURES

    FIGURES = DEAL_FIGURES


# -- data ---------------------------------------------------------------------------


def _products(env):
    Product = env["product.product"]
    products = Product.search(
        [("default_code", "in", ["DEAL-BENCH-1", "DEAL-BENCH-2"])], order="default_code"
    )
    if len(products) == 2:
        return products
    return Product.create(
        [
            {
                "name": f"Deal bench goods {number}",
                "default_code": f"DEAL-BENCH-{number}",
                "type": "consu",
                "invoice_policy": "order",
                "list_price": price,
                "taxes_id": [],
            }
            for number, price in ((1, 120.0), (2, 35.5))
        ]
    )


def _invoice_shares(order):
    """INVOICES_PER_ORDER invoices of ``order``, each for its share of every line."""
    from odoo import Command

    invoices = env_invoices = order.env["account.move"]
    for _share in range(INVOICES_PER_ORDER):
        values = order._prepare_invoice()
        values["invoice_line_ids"] = [
            Command.create(line._prepare_invoice_line(quantity=line.product_uom_qty / INVOICES_PER_ORDER))
            for line in order.order_line
        ]
        invoices |= env_invoices.create(values)
    invoices.action_post()
    return invoices


def _deliver(picking):
    for move in picking.move_ids:
        move.quantity = move.product_uom_qty
        move.picked = True
    picking._action_done()


def build_data(env):
    """The deals through the ORM, one commit; return seconds."""
    from odoo import Command
    from odoo.tools import SQL

    start = time.perf_counter()
    env = env(user=env.ref("base.user_admin"))  # the records are made by a real user, as in use
    products = _products(env)
    stage = env["crm.stage"].search([("is_won", "=", False)], limit=1)
    for deal in range(N_DEALS):
        partner = env["res.partner"].create(
            {"name": f"Deal bench customer {deal + 1:02d}", "is_company": True}
        )
        lead = env["crm.lead"].create(
            {
                "name": f"{PREFIX}{deal + 1:02d}",
                "type": "opportunity",
                "partner_id": partner.id,
                "stage_id": stage.id,
            }
        )
        orders = env["sale.order"].create(
            [
                {
                    "partner_id": partner.id,
                    "opportunity_id": lead.id,
                    "order_line": [
                        Command.create({"product_id": products[0].id, "product_uom_qty": 2 * (number + 1)}),
                        Command.create({"product_id": products[1].id, "product_uom_qty": 10}),
                    ],
                }
                for number in range(ORDERS_PER_DEAL)
            ]
        )
        orders.action_confirm()
        invoices = env["account.move"]
        for order in orders:
            invoices |= _invoice_shares(order)
        to_pay = invoices[:PAID_PER_DEAL]
        env["account.payment.register"].with_context(
            active_model="account.move", active_ids=to_pay.ids
        ).create({"group_payment": True}).action_create_payments()
        _deliver(orders[0].picking_ids[:1])
        if (deal + 1) % 20 == 0:
            harness.detail(f"{deal + 1} deals at {time.perf_counter() - start:.0f}s")
    env.cr.commit()
    for table in ANALYZED:  # fresh statistics, as autovacuum would give them a moment later
        env.cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
    env.cr.commit()
    return time.perf_counter() - start


def deal_ids(env):
    return (
        env["crm.lead"]
        .with_context(active_test=False)
        .search([("name", "=like", PREFIX + "%")], order="id")
        .ids
    )


def ensure_data(env):
    ids = deal_ids(env)
    if not ids:
        harness.detail(
            f"building {N_DEALS} deals x {ORDERS_PER_DEAL} orders x "
            f"{INVOICES_PER_ORDER * ORDERS_PER_DEAL} invoices through the ORM (once)"
        )
        harness.detail(f"data built in {harness.fmt(build_data(env))}s")
        ids = deal_ids(env)
    if len(ids) != N_DEALS:
        raise SystemExit(f"{len(ids)} leads named '{PREFIX}...' instead of {N_DEALS}: a partial build")
    return ids


# -- the two ways -------------------------------------------------------------------


def ours(leads):
    """crm_extended's computed figures of every lead."""
    return {lead.id: tuple(lead[name] for name in FIGURES) for lead in leads}


def stock(leads):
    """The same figures from what plain Odoo offers, per lead, summed in Python."""
    result = {}
    for lead in leads:
        orders = lead.order_ids.filtered(lambda order: order.state != "cancel")
        quoted = sum(order.amount_total for order in orders if order.state in ("draft", "sent"))
        confirmed = orders.filtered(lambda order: order.state == "sale")
        ordered = sum(order.amount_total for order in confirmed)
        invoices = orders.invoice_ids.filtered(
            lambda move: move.state == "posted" and move.move_type in ("out_invoice", "out_refund")
        )
        invoiced = sum(invoices.mapped("amount_total_signed"))
        due = sum(invoices.mapped("amount_residual_signed"))
        lines = confirmed.order_line.filtered(
            lambda line: not line.display_type and line.product_id.type == "consu"
        )
        quantity = sum(lines.mapped("product_uom_qty"))
        delivered = sum(lines.mapped("qty_delivered"))
        pickings = confirmed.picking_ids.filtered(lambda picking: picking.picking_type_code == "outgoing")
        result[lead.id] = (
            quoted,
            ordered,
            invoiced,
            invoiced - due,
            due,
            100.0 * min(delivered / quantity, 1.0) if quantity else 0.0,
            len(invoices),
            len(pickings),
        )
    return result


def measure(env, ids, method):
    """RUNS runs of ``method`` on the leads, each on an empty cache:
    (median ms, queries of a run, figures)."""
    leads = env["crm.lead"].browse(ids)
    for _run in range(WARMUP):
        env.invalidate_all()
        method(leads.browse(ids))
    times, queries = [], []
    for _run in range(RUNS):
        env.invalidate_all()
        with harness.count_queries(env.cr) as counted:
            figures, seconds = harness.timed(method, leads.browse(ids))
        times.append(seconds * 1000)
        queries.append(counted())
    return harness.median(times), harness.p95(times), max(queries), min(queries), figures


def same(a, b):
    return all(abs(x - y) < 0.005 for x, y in zip(a, b, strict=True))


# -- where ours spends its time ----------------------------------------------------------


def diagnose(env, ids, label="where ours spends its time"):
    """Every query of one run of ours, and the plan of the slow ones."""
    env.invalidate_all()
    ours(env["crm.lead"].browse(ids))
    env.invalidate_all()
    with harness.QueryLog() as log:
        _figures, seconds = harness.timed(ours, env["crm.lead"].browse(ids))
    in_sql = sum(delay for *_, delay in log.queries)
    harness.detail(
        f"{label}: {len(log.queries)} queries, {1000 * seconds:.1f}ms in all, "
        f"{1000 * in_sql:.1f}ms in SQL"
    )
    harness.detail_queries(env, log.queries, SLOW_QUERY_MS)


def main():
    with harness.environment() as env:
        _load_figures()
        ensure_data(env)
    # timed in another transaction: building through the ORM leaves the first
    # one's environment full of records, which made both sides 1.3-3x slower
    with harness.environment() as env:
        ids = ensure_data(env)
        user_env = env(user=env.ref("base.user_admin"))
        leads = user_env["crm.lead"].browse(ids)
        orders = user_env["sale.order"].search_count([("opportunity_id", "in", ids)])
        invoices = len(leads.order_ids.invoice_ids)
        harness.detail(
            f"data: {len(ids)} deals, {orders} orders, {invoices} invoices (kept in {env.cr.dbname})"
        )
        harness.detail(
            f"as admin, empty cache each run, median of {RUNS} runs; figures: {', '.join(FIGURES)}"
        )
        results = {}
        for label, method in (("ours", ours), ("stock", stock)):
            median, p95, most, least, figures = measure(user_env, ids, method)
            results[label] = (median, most, figures)
            spread = f"{most}" if most == least else f"{least}-{most}"
            harness.detail(
                f"{label:<5} median {harness.fmt(median)}ms p95 {harness.fmt(p95)}ms, "
                f"{spread} queries per run ({most / len(ids):.2f} per deal)"
            )
        agree = sum(same(results["ours"][2][lid], results["stock"][2][lid]) for lid in ids)
        sample = results["ours"][2][ids[0]]
        harness.detail(
            f"figures of {PREFIX}01 (ours): "
            + ", ".join(f"{n} {v:g}" for n, v in zip(FIGURES, sample, strict=True))
        )
        harness.detail(f"ours and stock give the same figures for {agree}/{len(ids)} deals")
        diagnose(user_env, ids)
        harness.report("deal_amounts", results["ours"][0], results["stock"][0], "ms")
        harness.report("deal_amounts_queries", results["ours"][1], results["stock"][1], "q")
        if agree != len(ids):
            raise SystemExit("ours and stock disagree on some deals")


if __name__ == "__main__":
    main()
