"""Tasks and KPI data for bench/kpi.py, layered on the bench database beside bench/_data.py.

50 salespeople in 5 teams, 50,000 client companies (each with a salesperson), over three years
(36 months to 2026-11-30): 250,000 posted customer invoices of 4 product lines each (1,000,000
invoice lines, plus their receivable lines), 40% of them paid (a partial reconciliation each),
2,000,000 calls (70% outbound), 500,000 activities, 100,000 meetings, 100,000 opportunities
(30% won, 70% answered within their response SLA), and every salesperson's monthly targets of
the 8 KPIs. Rows are made with INSERT ... SELECT over generate_series from records made the
ordinary way through the ORM (kept as templates): every column a row does not set holds what
the ORM stored. Its own marker (``crm_extended.bench_data_kpi``: a hash of this file and the
scale), so the shared builder's version and the other layers are left as they are.
"""

import datetime
import os
import time

import _layer as layer

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
N_USERS, N_TEAMS = 50, 5
N_CLIENTS = int(50_000 * SCALE)
N_MOVES = int(250_000 * SCALE)
LINES_PER_MOVE = 4
N_CALLS, N_ACTIVITIES = int(2_000_000 * SCALE), int(500_000 * SCALE)
N_MEETINGS, N_LEADS = int(100_000 * SCALE), int(100_000 * SCALE)
DAYS, LAST_DAY = 36 * 30 + 15, datetime.date(2026, 11, 30)
VERSION = layer.version(__file__)
MARKER = "crm_extended.bench_data_kpi"
KPIS = ("invoiced", "margin", "paid", "new_customers", "won", "calls", "meetings", "sla")


def day_sql(expr):
    """A day of the three years from the series expression ``expr`` (spread evenly)."""
    return f"(DATE '{LAST_DAY}' - (({expr}) * 7919 % {DAYS})::int)"


def _templates(env):
    from odoo import Command

    users = (
        env["res.users"]
        .with_context(no_reset_password=True)
        .create(
            [
                {
                    "name": f"BENCH-K Seller {n:02d}",
                    "login": f"bench_k_seller_{n:02d}",
                    "groups_id": [Command.set([env.ref("sales_team.group_sale_salesman").id])],
                    "tz": "UTC",
                }
                for n in range(N_USERS)
            ]
        )
    )
    manager = (
        env["res.users"]
        .with_context(no_reset_password=True)
        .create(
            {
                "name": "BENCH-K Sales Manager",
                "login": "bench_k_manager",
                # a sales manager who also invoices: the stock side reads payments and journal items
                "groups_id": [
                    Command.set(
                        [
                            env.ref("sales_team.group_sale_manager").id,
                            env.ref("account.group_account_invoice").id,
                        ]
                    )
                ],
                "tz": "UTC",
            }
        )
    )
    teams = env["crm.team"].create(
        [
            {
                "name": f"BENCH-K Team {t}",
                "user_id": users[t * 10].id,
                "crm_team_member_ids": [
                    Command.create({"user_id": u.id}) for u in users[t * 10 : t * 10 + 10]
                ],
            }
            for t in range(N_TEAMS)
        ]
    )
    product = env["product.product"].create(
        {"name": "BENCH-K Goods", "type": "consu", "standard_price": 60.0, "taxes_id": [Command.clear()]}
    )
    client = env["res.partner"].create(
        {"name": "BENCH-K template client", "is_company": True, "user_id": users[0].id}
    )
    invoice = env["account.move"].create(
        {
            "move_type": "out_invoice",
            "partner_id": client.id,
            "invoice_date": LAST_DAY,
            "invoice_user_id": users[0].id,
            "invoice_line_ids": [
                Command.create({"product_id": product.id, "quantity": 1, "price_unit": 100, "tax_ids": []})
            ],
        }
    )
    invoice.action_post()
    env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
        {"amount": 50.0, "payment_date": LAST_DAY}
    )._create_payments()
    partial = env["account.partial.reconcile"].search([("debit_move_id.move_id", "=", invoice.id)], limit=1)
    call = env["crm.phone.call"].create(
        {
            "direction": "outbound",
            "called_number": "+7 912 345 67 89",
            "user_id": users[0].id,
            "state": "answered",
        }
    )
    activity = client.activity_schedule("mail.mail_activity_data_call", user_id=users[0].id)
    meeting = env["calendar.event"].create(
        {
            "name": "BENCH-K meeting",
            "user_id": users[0].id,
            "start": datetime.datetime(2026, 1, 5, 9),
            "stop": datetime.datetime(2026, 1, 5, 10),
            "partner_ids": [],
        }
    )
    won = env["crm.stage"].search([("is_won", "=", True)], limit=1)
    lead = env["crm.lead"].create(
        {"name": "BENCH-K template deal", "type": "opportunity", "user_id": users[0].id}
    )
    env.flush_all()
    return {
        "users": users.ids,
        "manager": manager.id,
        "teams": teams.ids,
        "product": product.id,
        "client": client.id,
        "invoice": invoice.id,
        "product_line": invoice.invoice_line_ids[0].id,
        "receivable_line": invoice.line_ids.filtered(lambda line: line.display_type == "payment_term")[0].id,
        "partial": partial.id,
        "payment_line": partial.credit_move_id.id,
        "call": call.id,
        "activity": activity.id,
        "meeting": meeting.id,
        "lead": lead.id,
        "won_stage": won.id,
    }


def _build(env, say):
    cr, start = env.cr, time.perf_counter()
    t = _templates(env)
    user0 = t["users"][0]  # the users' ids are consecutive: user0 + (g % 50)
    assert t["users"] == list(range(user0, user0 + N_USERS))
    user = f"({user0} + (g % {N_USERS}))"
    ids = {
        "res_partner": layer.reserve(cr, "res_partner", N_CLIENTS),
        "account_move": layer.reserve(cr, "account_move", N_MOVES),
        "account_move_line": layer.reserve(cr, "account_move_line", N_MOVES * (LINES_PER_MOVE + 1)),
        "account_partial_reconcile": layer.reserve(cr, "account_partial_reconcile", N_MOVES),
        "crm_phone_call": layer.reserve(cr, "crm_phone_call", N_CALLS),
        "mail_activity": layer.reserve(cr, "mail_activity", N_ACTIVITIES),
        "calendar_event": layer.reserve(cr, "calendar_event", N_MEETINGS),
        "crm_lead": layer.reserve(cr, "crm_lead", N_LEADS),
    }
    p, mv, ml = ids["res_partner"], ids["account_move"], ids["account_move_line"]
    name = "'BENCH-K Client ' || lpad(g::text, 6, '0')"
    layer.clone(
        cr,
        "res_partner",
        t["client"],
        N_CLIENTS,
        {
            "id": f"{p} + g",
            "name": name,
            "complete_name": name,
            "commercial_company_name": name,
            "commercial_partner_id": f"{p} + g",
            "user_id": user,
        },
    )
    say(f"{N_CLIENTS} clients at {time.perf_counter() - start:.0f}s")
    # invoice g: client (g * 31 % N_CLIENTS) (its salesperson), a day of the three years; line k of
    # invoice g: quantity 1 + (4g + k) % 5 at 100 + ((4g + k) % 7) * 10
    qty = "(1 + (g % 5))"
    price = "(100 + (g % 7) * 10)"
    total = (
        f"(SELECT SUM((1 + (({LINES_PER_MOVE} * g + k) % 5)) * (100 + (({LINES_PER_MOVE} * g + k) % 7) * 10))"
        f" FROM generate_series(0, {LINES_PER_MOVE - 1}) k)"
    )
    client = f"({p} + (g * 31 % {N_CLIENTS}))"
    client_user = f"({user0} + ((g * 31 % {N_CLIENTS}) % {N_USERS}))"
    layer.clone(
        cr,
        "account_move",
        t["invoice"],
        N_MOVES,
        {
            "id": f"{mv} + g",
            "name": "'BK/' || lpad(g::text, 7, '0')",
            "sequence_prefix": "'BK/'",
            "sequence_number": "g + 1",
            "partner_id": client,
            "commercial_partner_id": client,
            "invoice_user_id": client_user,
            "invoice_date": day_sql("g"),
            "date": day_sql("g"),
            "invoice_date_due": day_sql("g"),
            "amount_untaxed": total,
            "amount_total": total,
            "amount_untaxed_signed": total,
            "amount_total_signed": total,
            "amount_total_in_currency_signed": total,
            "amount_residual": "0",
            "amount_residual_signed": "0",
        },
    )
    say(f"{N_MOVES} invoices at {time.perf_counter() - start:.0f}s")
    move = f"({mv} + g / {LINES_PER_MOVE})"
    line_amount = f"({qty} * {price})"
    layer.clone(
        cr,
        "account_move_line",
        t["product_line"],
        N_MOVES * LINES_PER_MOVE,
        {
            "id": f"{ml} + g",
            "move_id": move,
            "move_name": f"'BK/' || lpad((g / {LINES_PER_MOVE})::text, 7, '0')",
            "partner_id": f"({p} + ((g / {LINES_PER_MOVE}) * 31 % {N_CLIENTS}))",
            "date": day_sql(f"g / {LINES_PER_MOVE}"),
            "invoice_date": day_sql(f"g / {LINES_PER_MOVE}"),
            "quantity": qty,
            "price_unit": price,
            "price_subtotal": line_amount,
            "price_total": line_amount,
            "balance": f"-{line_amount}",
            "amount_currency": f"-{line_amount}",
            "credit": line_amount,
            "debit": "0",
        },
    )
    receivable = ml + N_MOVES * LINES_PER_MOVE
    layer.clone(
        cr,
        "account_move_line",
        t["receivable_line"],
        N_MOVES,
        {
            "id": f"{receivable} + g",
            "move_id": f"{mv} + g",
            "move_name": "'BK/' || lpad(g::text, 7, '0')",
            "partner_id": client,
            "date": day_sql("g"),
            "invoice_date": day_sql("g"),
            "date_maturity": day_sql("g"),
            "balance": total,
            "amount_currency": total,
            "debit": total,
            "credit": "0",
            "amount_residual": "0",
            "amount_residual_currency": "0",
            "reconciled": "TRUE",
            "full_reconcile_id": "NULL",
        },
    )
    say(f"{N_MOVES * (LINES_PER_MOVE + 1)} journal items at {time.perf_counter() - start:.0f}s")
    # 40% of the invoices paid (g % 5 < 2), 15 days after the invoice (a day of the three years + 15)
    paid = N_MOVES
    layer.clone(
        cr,
        "account_partial_reconcile",
        t["partial"],
        paid,
        {
            "id": f"{ids['account_partial_reconcile']} + g",
            "debit_move_id": f"{receivable} + g",
            "credit_move_id": str(t["payment_line"]),
            "amount": total,
            "debit_amount_currency": total,
            "credit_amount_currency": total,
            "max_date": f"({day_sql('g')} + 15)",
            "full_reconcile_id": "NULL",
        },
    )
    cr.execute(
        f"DELETE FROM account_partial_reconcile WHERE id >= {ids['account_partial_reconcile']} "
        f"AND (id - {ids['account_partial_reconcile']}) % 5 >= 2"
    )
    say(f"payments at {time.perf_counter() - start:.0f}s")
    moment = f"({day_sql('g')} + TIME '09:00' + ((g % 480) || ' minutes')::interval)"
    layer.clone(
        cr,
        "crm_phone_call",
        t["call"],
        N_CALLS,
        {
            "id": f"{ids['crm_phone_call']} + g",
            "direction": "CASE WHEN g % 10 < 7 THEN 'outbound' ELSE 'inbound' END",
            "user_id": user,
            "start_at": moment,
            "answer_at": moment,
            "end_at": f"{moment} + interval '3 minutes'",
            "partner_id": f"({p} + (g % {N_CLIENTS}))",
            "commercial_partner_id": f"({p} + (g % {N_CLIENTS}))",
        },
    )
    layer.clone(
        cr,
        "mail_activity",
        t["activity"],
        N_ACTIVITIES,
        {
            "id": f"{ids['mail_activity']} + g",
            "res_id": f"({p} + (g % {N_CLIENTS}))",
            "res_name": f"'BENCH-K Client ' || lpad((g % {N_CLIENTS})::text, 6, '0')",
            "user_id": user,
            "date_deadline": day_sql("g"),
        },
    )
    layer.clone(
        cr,
        "calendar_event",
        t["meeting"],
        N_MEETINGS,
        {
            "id": f"{ids['calendar_event']} + g",
            "user_id": user,
            "start": moment,
            "stop": f"{moment} + interval '1 hour'",
        },
    )
    layer.clone(
        cr,
        "crm_lead",
        t["lead"],
        N_LEADS,
        {
            "id": f"{ids['crm_lead']} + g",
            "name": "'BENCH-K deal ' || g",
            "user_id": user,
            "stage_id": f"CASE WHEN g % 10 < 3 THEN {t['won_stage']} ELSE t.stage_id END",
            "probability": "CASE WHEN g % 10 < 3 THEN 100 ELSE t.probability END",
            "date_closed": f"CASE WHEN g % 10 < 3 THEN {moment} END",
            "create_date": f"{moment} - interval '2 hours'",
            "responded_at": moment,
            "response_in_time": "g % 10 < 7",
        },
    )
    say(f"calls, activities, meetings, deals at {time.perf_counter() - start:.0f}s")
    # targets: every salesperson, month and KPI
    cr.execute(
        """
        INSERT INTO crm_kpi_target (company_id, month, user_id, team_id, kpi, target,
                                    create_uid, create_date, write_uid, write_date)
        SELECT %(company)s, m::date, u, (SELECT crm_team_id FROM crm_team_member WHERE user_id = u LIMIT 1),
               k, CASE k WHEN 'invoiced' THEN 400000 WHEN 'margin' THEN 150000 WHEN 'paid' THEN 160000
                         WHEN 'new_customers' THEN 20 WHEN 'won' THEN 60 WHEN 'calls' THEN 1000
                         WHEN 'meetings' THEN 50 ELSE 140 END,
               1, now(), 1, now()
          FROM generate_series(%(first)s::date, %(last)s::date, interval '1 month') m,
               unnest(%(users)s) u, unnest(%(kpis)s) k
        """,
        {
            "company": env.company.id,
            "first": (LAST_DAY.replace(day=1) - datetime.timedelta(days=36 * 31)).replace(day=1),
            "last": LAST_DAY,
            "users": t["users"],
            "kpis": list(KPIS),
        },
    )
    cr.execute(
        "ANALYZE res_partner, account_move, account_move_line, account_partial_reconcile, crm_phone_call, "
        "mail_activity, calendar_event, crm_lead, crm_kpi_target"
    )
    return ids, t


def ensure(env, say=print):
    """{version, ids, templates} of the KPI data; built unless this version of the builder did."""
    return layer.ensure(
        env,
        MARKER,
        VERSION,
        "KPI data",
        _build,
        say,
        detail=f"{N_MOVES * LINES_PER_MOVE} invoice lines, {N_CALLS} calls",
    )
