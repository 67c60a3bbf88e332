"""The money and goods of a list of deals (method: bench/README.md).

ours: the deal_* figures of the 80 deals at once; stock: _read_group on orders, on journal
items through sale_line_ids (Odoo has no opportunity on invoices), order lines and
deliveries, amounts converted with _convert; and sale_crm's sale_amount_total (ordered).
Both as the salesperson "BENCH Salesperson (all leads)", empty cache each run.
"""

from collections import defaultdict

import _data
import harness

RUNS = 30
TYPES = ("out_invoice", "out_refund")


def ours(env, ids):
    from odoo.addons.crm_extended.models.crm_lead import DEAL_FIGURES

    return {lead.id: [lead[name] for name in DEAL_FIGURES] for lead in env["crm.lead"].browse(ids)}


def stock(env, ids):
    """The same figures from _read_group on orders, journal items, order lines and deliveries."""
    amounts, counts, lead_of_order = defaultdict(lambda: [0.0] * 6), defaultdict(lambda: [0] * 4), {}
    leads = env["crm.lead"].browse(ids)
    currency = {lead.id: lead.company_currency or env.company.currency_id for lead in leads}
    groups = ["opportunity_id", "state", "currency_id", "company_id", "date_order:day"]
    domain = [("opportunity_id", "in", ids), ("state", "!=", "cancel")]
    orders = env["sale.order"]._read_group(domain, groups, ["amount_untaxed:sum", "id:array_agg"])
    for lead, state, from_currency, company, day, untaxed, order_ids in orders:
        amounts[lead.id][state == "sale"] += from_currency._convert(untaxed, currency[lead.id], company, day)
        lead_of_order.update(dict.fromkeys(order_ids if state == "sale" else [], lead.id))
    domain = [("sale_line_ids.order_id.opportunity_id", "in", ids), ("parent_state", "=", "posted")]
    items = env["account.move.line"]._read_group(
        [*domain, ("move_type", "in", TYPES)], ["move_id", "sale_line_ids"]
    )
    for move, lead_id in {move: line.order_id.opportunity_id.id for move, line in items}.items():
        total, residual = move.amount_total_signed, move.amount_residual_signed
        for figure, amount in enumerate((move.amount_untaxed_signed, total, total - residual, residual), 2):
            args = (currency[lead_id], move.company_id, move.invoice_date)
            amounts[lead_id][figure] += move.company_currency_id._convert(amount, *args)
        counts[lead_id][2] += 1
    domain = [("order_id", "in", list(lead_of_order)), ("display_type", "=", False)]
    quantities = ["product_uom_qty:sum", "qty_delivered:sum"]
    lines = env["sale.order.line"]._read_group(
        [*domain, ("product_id.type", "=", "consu")], ["order_id"], quantities
    )
    for order, ordered, delivered in lines:
        counts[lead_of_order[order.id]][0] += ordered
        counts[lead_of_order[order.id]][1] += delivered
    domain = [("sale_id", "in", list(lead_of_order)), ("picking_type_code", "=", "outgoing")]
    for order, count in env["stock.picking"]._read_group(domain, ["sale_id"], ["__count"]):
        counts[lead_of_order[order.id]][3] += count
    figures = {}
    for lead_id in ids:
        ordered, delivered, invoices, deliveries = counts[lead_id]
        figures[lead_id] = [currency[lead_id].round(amount) for amount in amounts[lead_id]]
        figures[lead_id] += [100.0 * min(delivered / ordered, 1.0) if ordered else 0.0, invoices, deliveries]
    return figures


def sale_amount_total(env, ids):
    """sale_crm's own figure: the confirmed orders' untaxed total, converted."""
    return {lead.id: lead.sale_amount_total for lead in env["crm.lead"].browse(ids)}


def main():
    with harness.environment() as env:
        _data.ensure(env, harness.detail)
    from odoo.addons.crm_extended.models.crm_lead import DEAL_FIGURES

    with harness.environment() as env:  # timed in a transaction of its own, not the building one
        ids = env["crm.lead"].search([("name", "=like", "DEAL BENCH %")], order="id").ids
        seller = env(user=env["res.users"].search([("login", "=", "bench_sales_all")]))
        harness.detail(f"{len(ids)} deals, as {seller.user.name}; figures: {', '.join(DEAL_FIGURES)}")
        methods = [("ours", seller, ours), ("stock read_group", seller, stock)]
        methods.append(("stock sale_amount_total (ordered only)", seller, sale_amount_total))
        for name, _env, function in methods if harness.EXPLAIN else ():
            harness.explain_call(seller, name, function, seller, ids, slow_ms=1.0)
        if harness.EXPLAIN:
            return
        harness.detail(f"{harness.load_average()} before timing")
        runs = harness.alternate(methods, [ids] * RUNS, warmup=3)
        cold = harness.alternate(methods, [ids] * 5, cache="cold")
        harness.detail(f"{harness.load_average()} after timing")
        queries = {}
        for name, _env, function in methods:
            seller.invalidate_all()
            start = seller.cr.sql_log_count
            function(seller, ids)
            queries[name] = seller.cr.sql_log_count - start
        for name, (times, _results) in runs.items():
            harness.detail(f"{name:<40} fresh cache {harness.timing(times)}, {queries[name]} queries per run")
            harness.detail(f"{name:<40} after a registry cache clear {harness.timing(cold[name][0])}")
        ours_, stock_, total = (runs[name][1][-1] for name, _env, _function in methods)
        same = [i for i in ids if all(abs(a - b) < 0.005 for a, b in zip(ours_[i], stock_[i], strict=True))]
        column = DEAL_FIGURES.index("deal_amount_ordered")
        ordered = [i for i in ids if abs(ours_[i][column] - total[i]) < 0.005]
        harness.detail(f"DEAL BENCH 01, ours: {dict(zip(DEAL_FIGURES, ours_[ids[0]], strict=True))}")
        harness.detail(f"ours and stock read_group give the same figures for {len(same)}/{len(ids)} deals")
        harness.detail(f"ours' ordered and sale_amount_total agree for {len(ordered)}/{len(ids)} deals")
        for i in sorted(set(ids) - set(same))[:3]:
            harness.detail(f"  differ: lead {i}: ours {ours_[i]}, stock {stock_[i]}")
        p50 = harness.medians(runs)
        harness.report("deal_amounts", p50["ours"], p50["stock read_group"], "ms")
        harness.report("deal_amounts_queries", queries["ours"], queries["stock read_group"], "q")
        harness.report("deal_amounts_ordered", p50["ours"], p50[methods[2][0]], "ms")


if __name__ == "__main__":
    main()
