"""Sales analytics data for bench/analytics.py, layered on the bench database beside bench/_data.py.

500,000 opportunities of 10 teams and 20 salespeople created over three years, each with its
stage history (about 2,400,000 changes: every lead enters New; a lead of depth d goes on to
Qualified, Proposition and Won as far as d, after b "bounces" back to New and forward to
Qualified), 100,000 customers (1,000 holdings of 5 entities), 500,000 posted customer invoices
of two product lines each (1,000,000 invoice lines) over three years. Rows are made with
INSERT ... SELECT over generate_series from records made the ordinary way through the ORM (kept
as templates): every column a row does not set holds what the ORM stored. The invoices carry
their product lines only (no receivable line: nothing read here uses it).
Its own marker (``crm_extended.bench_data_analytics``, a hash of this file and the scale).

The generator's formulas (``depth``, ``bounces``, ``team`` ...) are the truth the benchmark
checks the funnel against.
"""

import datetime
import os
import time

import _layer as layer

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
N_LEADS, N_CUSTOMERS, N_MOVES = int(500_000 * SCALE), int(100_000 * SCALE), int(500_000 * SCALE)
N_TEAMS, N_USERS, DAYS, HOLDING_ENTITIES = 10, 20, 3 * 365, 5
N_HOLDINGS = N_CUSTOMERS // 100
VERSION = layer.version(__file__)
MARKER, BASE_DAY = "crm_extended.bench_data_analytics", datetime.date(2026, 11, 30)
STEP_DAYS, LOST_AFTER = 6, 30  # days between two stage changes; a lead left this long is lost


# -- the generator's formulas: SQL and Python say the same --------------------------------------


def depth(g):
    """0 New only, 1 Qualified, 2 Proposition, 3 Won: 35/25/22/18%."""
    r = g * 7 % 100
    return 0 if r < 35 else 1 if r < 60 else 2 if r < 82 else 3


def bounces(g):
    return 0 if depth(g) == 0 else g % 5


def team(g):
    return g % N_USERS % N_TEAMS


def age(g):
    return g * 104729 % DAYS


def steps(g):
    return 1 + 2 * bounces(g) + depth(g)


SQL_DEPTH = (
    "(CASE WHEN g * 7 % 100 < 35 THEN 0 WHEN g * 7 % 100 < 60 THEN 1 WHEN g * 7 % 100 < 82 THEN 2 ELSE 3 END)"
)
SQL_BOUNCES = f"(CASE WHEN {SQL_DEPTH} = 0 THEN 0 ELSE g % 5 END)"
SQL_STEPS = f"(1 + 2 * {SQL_BOUNCES} + {SQL_DEPTH})"
SQL_CREATED = (
    f"(TIMESTAMP '{BASE_DAY}' - (g::bigint * 104729 % {DAYS}) * INTERVAL '1 day' + INTERVAL '9 hours')"
)
SQL_STEP_INTERVAL = f"(({STEP_DAYS} + g % 5) * INTERVAL '1 day')"


def _templates(env):
    """Teams, salespeople, a customer, a holding, an opportunity and a posted invoice, through the ORM."""
    from odoo import Command

    stages = [env.ref(f"crm.stage_lead{i}") for i in (1, 2, 3, 4)]
    teams = env["crm.team"].create([{"name": f"BENCH-A Team {i}"} for i in range(N_TEAMS)])
    salesman = env.ref("sales_team.group_sale_salesman")
    users = env["res.users"].create(
        [
            {
                "name": f"BENCH-A Seller {i}",
                "login": f"bench_a_seller_{i}",
                "groups_id": [Command.set(salesman.ids)],
            }
            for i in range(N_USERS)
        ]
    )
    for i, user in enumerate(users):
        teams[i % N_TEAMS].member_ids = [Command.link(user.id)]
    group = env["crm.client.group"].create({"name": "BENCH-A template holding"})
    partner = env["res.partner"].create({"name": "BENCH-A template customer", "is_company": True})
    lead = env["crm.lead"].create(
        {"name": "BENCH-A template", "type": "opportunity", "partner_id": partner.id, "team_id": teams[0].id}
    )
    history = env["crm.lead.stage.history"].search([("lead_id", "=", lead.id)], limit=1)
    product = env["product.product"].create({"name": "BENCH-A Device", "standard_price": 60.0})
    move = env["account.move"].create(
        {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": BASE_DAY,
            "invoice_line_ids": [
                Command.create(
                    {"product_id": product.id, "quantity": 1, "price_unit": 100.0, "tax_ids": False}
                )
            ],
        }
    )
    move.action_post()
    line = move.line_ids.filtered(lambda aml: aml.display_type == "product")
    env.flush_all()
    return {
        "stages": [stage.id for stage in stages],
        "teams": teams.ids,
        "users": users.ids,
        "group": group.id,
        "partner": partner.id,
        "lead": lead.id,
        "history": history.id,
        "product": product.id,
        "move": move.id,
        "line": line.id,
        "journal": move.journal_id.id,
    }


def _build(env, say):
    cr = env.cr
    start = time.perf_counter()
    t = _templates(env)
    ids = {
        "crm_client_group": layer.reserve(cr, "crm_client_group", N_HOLDINGS),
        "res_partner": layer.reserve(cr, "res_partner", N_CUSTOMERS),
        "crm_lead": layer.reserve(cr, "crm_lead", N_LEADS),
        "account_move": layer.reserve(cr, "account_move", N_MOVES),
        "account_move_line": layer.reserve(cr, "account_move_line", 2 * N_MOVES),
    }
    grp, p, lead, mv, aml = (
        ids[k] for k in ("crm_client_group", "res_partner", "crm_lead", "account_move", "account_move_line")
    )
    layer.clone(
        cr,
        "crm_client_group",
        t["group"],
        f"generate_series(0, {N_HOLDINGS - 1}) g",
        {"id": f"{grp} + g", "name": "'BENCH-A Holding ' || g"},
    )
    holding = f"CASE WHEN g < {N_HOLDINGS * HOLDING_ENTITIES} THEN {grp} + g / {HOLDING_ENTITIES} END"
    layer.clone(
        cr,
        "res_partner",
        t["partner"],
        f"generate_series(0, {N_CUSTOMERS - 1}) g",
        {
            "id": f"{p} + g",
            "name": "'BENCH-A Customer ' || g",
            "complete_name": "'BENCH-A Customer ' || g",
            "commercial_partner_id": f"{p} + g",
            "client_group_id": holding,
        },
    )
    say(f"{N_CUSTOMERS} customers at {time.perf_counter() - start:.0f}s")
    stage = t["stages"]
    users = t["users"]
    last_stage = f"(ARRAY{stage})[{SQL_DEPTH} + 1]"
    last_entered = f"({SQL_CREATED} + ({SQL_STEPS} - 1) * {SQL_STEP_INTERVAL})"
    won = f"{SQL_DEPTH} = 3"
    lost = f"(NOT {won} AND {last_entered} + INTERVAL '{LOST_AFTER} days' < TIMESTAMP '{BASE_DAY}')"
    closed_at = (
        f"CASE WHEN {won} THEN {last_entered} "
        f"WHEN {lost} THEN {last_entered} + INTERVAL '{LOST_AFTER} days' END"
    )
    layer.clone(
        cr,
        "crm_lead",
        t["lead"],
        f"generate_series(0, {N_LEADS - 1}) g",
        {
            "id": f"{lead} + g",
            "name": "'BENCH-A deal ' || g",
            "partner_id": f"{p} + g % {N_CUSTOMERS}",
            "user_id": f"(ARRAY{users})[g % {N_USERS} + 1]",
            "team_id": f"(ARRAY{t['teams']})[g % {N_USERS} % {N_TEAMS} + 1]",
            "stage_id": last_stage,
            "create_date": SQL_CREATED,
            "date_open": SQL_CREATED,
            "date_last_stage_update": last_entered,
            "expected_revenue": "1000 + g * 37 % 9000",
            "active": f"NOT {lost}",
            "probability": f"CASE WHEN {won} THEN 100 WHEN {lost} THEN 0 "
            f"ELSE (ARRAY[10, 30, 60])[{SQL_DEPTH} + 1] END",
            "prorated_revenue": f"(1000 + g * 37 % 9000) * CASE WHEN {won} THEN 1 WHEN {lost} THEN 0 "
            f"ELSE (ARRAY[0.1, 0.3, 0.6])[{SQL_DEPTH} + 1] END",
            "date_closed": closed_at,
            "date_deadline": f"({last_entered} + INTERVAL '30 days')::date",
            "crm_client_id": f"{p} + g % {N_CUSTOMERS}",
        },
    )
    say(f"{N_LEADS} leads at {time.perf_counter() - start:.0f}s")
    # the stay s of lead g: New first; bounces Qualified/New; then forward to its depth
    stage_of = (
        f"(ARRAY{stage})[CASE WHEN s = 0 THEN 1 WHEN s <= 2 * {SQL_BOUNCES} THEN 1 + s % 2 "
        f"ELSE s - 2 * {SQL_BOUNCES} + 1 END]"
    )
    previous = (
        f"CASE WHEN s = 0 THEN NULL ELSE (ARRAY{stage})[CASE WHEN s - 1 = 0 THEN 1 "
        f"WHEN s - 1 <= 2 * {SQL_BOUNCES} THEN 1 + (s - 1) % 2 ELSE s - 1 - 2 * {SQL_BOUNCES} + 1 END] END"
    )
    layer.clone(
        cr,
        "crm_lead_stage_history",
        t["history"],
        f"generate_series(0, {N_LEADS - 1}) g, generate_series(0, {SQL_STEPS} - 1) s",
        {
            "id": "nextval('crm_lead_stage_history_id_seq')",
            "lead_id": f"{lead} + g",
            "stage_id": stage_of,
            "stage_from_id": previous,
            "date": f"{SQL_CREATED} + s * {SQL_STEP_INTERVAL}",
            "expected_revenue": "1000 + g * 37 % 9000",
        },
    )
    say(f"stage history at {time.perf_counter() - start:.0f}s")
    # its summary per lead and stage, as an install or upgrade back-fills it (the ORM keeps it after)
    from odoo.addons.crm_extended.services import stage_history

    cr.execute("DELETE FROM crm_lead_stage_entry")
    entries = stage_history.backfill_entries(cr)
    say(f"{entries} stage entries at {time.perf_counter() - start:.0f}s")
    paths = stage_history.refresh_paths(cr)
    say(f"{paths} leads' stages entered (crm_stage_path) at {time.perf_counter() - start:.0f}s")
    day = f"(DATE '{BASE_DAY}' - (g::bigint * 7919 % {DAYS})::int)"
    amount = "(2 * (100 + g * 31 % 900))"
    layer.clone(
        cr,
        "account_move",
        t["move"],
        f"generate_series(0, {N_MOVES - 1}) g",
        {
            "id": f"{mv} + g",
            "name": "'BENCH-A/' || g",
            "partner_id": f"{p} + g * 13 % {N_CUSTOMERS}",
            "commercial_partner_id": f"{p} + g * 13 % {N_CUSTOMERS}",
            "invoice_date": day,
            "date": day,
            "invoice_date_due": day,
            "amount_untaxed": amount,
            "amount_untaxed_signed": amount,
            "amount_total": amount,
            "amount_total_signed": amount,
            "amount_total_in_currency_signed": amount,
            "amount_residual": "0",
            "amount_residual_signed": "0",
            "payment_state": "'paid'",
            "sequence_number": "g + 1000000",
            "crm_opportunity_id": "NULL",
        },
    )
    half = "(100 + (g / 2) * 31 % 900)"
    layer.clone(
        cr,
        "account_move_line",
        t["line"],
        f"generate_series(0, {2 * N_MOVES - 1}) g",
        {
            "id": f"{aml} + g",
            "move_id": f"{mv} + g / 2",
            "move_name": "'BENCH-A/' || (g / 2)",
            "partner_id": f"{p} + (g / 2) * 13 % {N_CUSTOMERS}",
            "date": f"(DATE '{BASE_DAY}' - ((g / 2)::bigint * 7919 % {DAYS})::int)",
            "invoice_date": f"(DATE '{BASE_DAY}' - ((g / 2)::bigint * 7919 % {DAYS})::int)",
            "quantity": "1",
            "price_unit": half,
            "price_subtotal": half,
            "price_total": half,
            "balance": f"-{half}",
            "credit": half,
            "debit": "0",
            "amount_currency": f"-{half}",
            "amount_residual": "0",
            "amount_residual_currency": "0",
        },
    )
    say(f"{N_MOVES} invoices, {2 * N_MOVES} lines at {time.perf_counter() - start:.0f}s")
    cr.execute("ANALYZE res_partner, crm_lead, crm_lead_stage_history, account_move, account_move_line")
    return ids, t


def ensure(env, say=print):
    """{version, ids, templates} of the analytics data; built unless this version of the builder did."""
    return layer.ensure(
        env,
        MARKER,
        VERSION,
        "analytics data",
        _build,
        say,
        detail=f"{N_LEADS} leads, {N_CUSTOMERS} customers, {N_MOVES} invoices",
    )
