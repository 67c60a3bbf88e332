"""The one builder of bench data, shared by every benchmark (what it builds: bench/README.md).

Built once in a fixed order and one transaction, kept with a version marker (a hash of this
file and the scale); tools/bench.sh makes the database again when the builder changed. Worker
processes render the rows (a seeded random.Random per chunk) for COPY; the columns a row does
not set get what the ORM stored for a record made the ordinary way. Phone keys come from the
functions the ORM's computes call; each number's truth is kept apart, in bench_phone_truth.
"""

import contextlib
import datetime
import hashlib
import io
import json
import multiprocessing
import os
import random
import subprocess
import sys
import time

SCALE = float(os.environ.get("BENCH_SCALE", "1"))  # a smaller database to develop on
N_PARTNERS, N_LEADS, N_ORDERS = int(1_000_000 * SCALE), int(200_000 * SCALE), int(1_000_000 * SCALE)
N_COMPANIES, N_DEALS, CHUNK, SEED = N_PARTNERS // 10, 80 if SCALE >= 0.1 else 8, 20_000, 42
# channels (#12): leads with a campaign, source and medium beside the phone leads (500,000 in
# all), the deals won among them linked to their customer's orders and invoices, campaign costs
N_CHANNEL_LEADS, N_CAMPAIGNS, N_SOURCES, N_MEDIUMS = int(300_000 * SCALE), 200, 20, 6
CHANNEL_START, CHANNEL_MONTHS = datetime.datetime(2024, 7, 1), 24
with open(__file__, "rb") as _source:
    VERSION = f"{hashlib.sha1(_source.read()).hexdigest()[:12]}-x{SCALE:g}"
MARKER, BASE_DATE = "crm_extended.bench_data", datetime.datetime(2026, 6, 30, 9, 0, 0)

# country: (calling code, weight); distinct weights give the clients' most
# frequent countries, where national numbers are read, one order
COUNTRIES = {"RU": ("7", 70), "DE": ("49", 9), "GB": ("44", 8), "US": ("1", 7), "FR": ("33", 6)}
CLIENT_REGIONS = tuple(COUNTRIES)
JUNK = ["call me", "n/a", "-", "нет", "ask reception", "123", "see e-mail", "TBD", "0", "+7 ???"]
RU_STYLES = {
    "ru_8_paren": "8 ({}) {}-{}-{}",
    "ru_8_dashes": "8-{}-{}-{}-{}",
    "ru_8_plain": "8{}{}{}{}",
    "ru_plus7_spaces": "+7 {} {} {} {}",
    "ru_plus7_paren": "+7({}){}-{}-{}",
    "ru_007": "007 {} {}{}{}",
}
NATIONAL_STYLES, INTL_STYLES = ("nat_spaces", "nat_marks"), ("intl_plus", "intl_plus_compact", "intl_00")
PBX_STYLES = (*INTL_STYLES, "pbx_810")  # how a Russian PBX or person dials a foreign number
PATTERNS = {  # country: [(first digits, how many digits follow)]: mobile and landline numbers
    "RU": [(["9"], 9), (["495", "812", "343"], 7)],
    "DE": [(["151", "176"], 8), (["30"], 8)],
    "GB": [(["74", "75", "78"], 8), (["203", "207", "208"], 7)],
    "US": [([area + first for area in ("212", "310", "415", "617") for first in "23456789"], 6)],
    "FR": [(["60", "61", "62", "64", "65", "67", "68"], 7), (["1"], 8)],
}


def national_number(rng, country):
    """A valid national significant number of ``country``, from its digit patterns."""
    prefixes, count = rng.choice(PATTERNS[country])
    return rng.choice(prefixes) + f"{rng.randrange(10**count):0{count}d}"


def spell(country, nsn, style):
    """``nsn`` of ``country`` written in ``style``."""
    cuts = {"RU": (3, 6, 8), "US": (3, 6), "FR": (1, 3, 5, 7), "DE": (3,) if nsn[0] == "1" else (2,)}
    cuts = cuts.get(country) or ((2, 6) if nsn[0] == "2" else (4,))  # GB
    g = [nsn[start:end] for start, end in zip((0, *cuts), (*cuts, None), strict=True)]
    code, marks = COUNTRIES[country][0], {"DE": "/", "FR": ".", "GB": ""}
    if style in RU_STYLES:
        return RU_STYLES[style].format(*g)
    if style in NATIONAL_STYLES and country == "US":
        return "({}) {}-{}".format(*g) if style == "nat_spaces" else "-".join(g)
    if style in NATIONAL_STYLES:
        return "0" + (" " if style == "nat_spaces" else marks[country]).join(g)
    prefix = {"intl_plus": "+", "intl_plus_compact": "+", "intl_00": "00", "pbx_810": "8 10 "}[style] + code
    return prefix + ("".join(g) if style in ("intl_plus_compact", "pbx_810") else " " + " ".join(g))


def pick_country(rng):
    return rng.choices(list(COUNTRIES), weights=[weight for _code, weight in COUNTRIES.values()])[0]


def pick_has_country(rng, country):
    """Whether a record's country is filled: for 60% of the Russian ones, 95% of the others."""
    return rng.random() < (0.6 if country == "RU" else 0.95)


def company_of(index):
    """The company partner ``index`` is a contact of (every other person), or None."""
    offset = index - N_COMPANIES
    return (offset // 2) % N_COMPANIES if offset >= 0 and offset % 2 == 0 else None


def contact_index(company, k):
    """The ``k``-th contact (0 to 3) of ``company``."""
    return N_COMPANIES + 2 * (company + k * N_COMPANIES)


def company_country(company):
    rng = random.Random(f"{SEED}-company-{company}")
    country = pick_country(rng)
    return country, pick_has_country(rng, country)


def e164(country, nsn):
    return f"+{COUNTRIES[country][0]}{nsn}"


def caller_styles(country):
    """How a caller's number reaches a Russian company: any Russian spelling;
    a foreign number with its country code, or as a Russian PBX dials it."""
    return list(RU_STYLES) if country == "RU" else list(PBX_STYLES)


def respell(rng, number, country, stored, as_stored=0.25):
    """A number someone has (its E.164 truth and stored text) as stored (``as_stored``
    of the times) or as a caller spells it: (query, style)."""
    style = "as stored" if rng.random() < as_stored else rng.choice(caller_styles(country))
    nsn = number[len(COUNTRIES[country][0]) + 1 :]
    query = stored if style == "as stored" else spell(country, nsn, style)
    return query, "as stored" if query == stored else style


def nobodys(cr, rng):
    """A number nobody has (digit patterns checked against the truth), as a caller spells it."""
    while True:
        country = pick_country(rng)
        nsn = national_number(rng, country)
        cr.execute("SELECT 1 FROM bench_phone_truth WHERE e164 = %s", [e164(country, nsn)])
        if not cr.fetchone():
            return spell(country, nsn, rng.choice(caller_styles(country)))


# -- worker processes: COPY text of one chunk ---------------------------------------------

W = {}  # what a worker knows: ids, constant columns, countries, the phone functions
COLUMNS = {  # per table, the columns each row sets (create_date write_date last, but on the last two)
    "res_partner": "id name complete_name commercial_company_name is_company parent_id commercial_partner_id "
    "country_id active phone mobile phone_sanitized phone_e164 mobile_e164 phone_invalid",
    "crm_lead": "id name type contact_name partner_name country_id active probability stage_id date_closed "
    "user_id team_id date_open phone mobile phone_sanitized phone_e164 mobile_e164 phone_invalid phone_state",
    "bench_phone_truth": "kind res_id field e164 country style has_country",
    "sale_order": "id name partner_id partner_invoice_id partner_shipping_id state date_order validity_date "
    "invoice_status",
    "sale_order_line": "id order_id order_partner_id state qty_delivered qty_invoiced qty_to_invoice "
    "invoice_status",
    "stock_picking": "id name origin sale_id partner_id state scheduled_date date_deadline date date_done",
    "stock_move": "id picking_id sale_line_id partner_id state reference origin picked date date_deadline",
    "stock_lot": "id name",
    "stock_move_line": "id picking_id move_id lot_id state reference picked date",
    "account_move": "id name sequence_number partner_id commercial_partner_id partner_shipping_id "
    "invoice_partner_display_name invoice_origin payment_reference date invoice_date invoice_date_due",
    # the two kinds of journal items (display_type, last) keep their own constants
    "account_move_line": "id move_id move_name partner_id date invoice_date date_maturity",
    "sale_order_line_invoice_rel": "invoice_line_id order_line_id",
}
COLUMNS = {table: columns.split() + ["create_date", "write_date"] for table, columns in COLUMNS.items()}
COLUMNS["bench_phone_truth"][-2:] = COLUMNS["sale_order_line_invoice_rel"][-2:] = []
COLUMNS["crm_lead"].append("date_last_stage_update")
COLUMNS["account_move_line"].append("display_type")
TABLES = list(COLUMNS)  # COPY order: every foreign key points at a row already there


def _copy_value(value):
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    text = json.dumps(value) if isinstance(value, dict | list) else str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _init_worker(conf_file, context):
    import odoo

    odoo.tools.config.parse_config(["-c", conf_file], setup_logging=False)
    from odoo.exceptions import UserError

    from odoo.addons.crm_extended.services import phone
    from odoo.addons.phone_validation.tools import phone_validation

    def e164(number, country):
        return phone_validation.phone_format(number, country, COUNTRIES[country][0], force_format="E164")

    W.update(context, phone=phone, format=e164, parse=phone_validation.phone_parse, UserError=UserError)


def _odoo_phone(function, number, country):
    """phone_validation's ``function`` (phone_format to E.164, phone_parse): None on its UserError."""
    try:
        return number and function(number, country)
    except W["UserError"]:
        return None


def _phones(rng, kind, res_id, country, has_country, out, mobile_share=0.4):
    """Phone and mobile of a record and its phone columns as the ORM's computes
    store them; the numbers' truth goes to ``out``."""
    numbers = {"phone": rng.random() < 0.85}
    numbers["mobile"] = not numbers["phone"] or rng.random() < mobile_share
    for field, present in numbers.items():
        if not present or rng.random() < 0.03:
            numbers[field] = rng.choice(JUNK) if present else None
            continue
        styles = list(RU_STYLES) if country == "RU" else [*NATIONAL_STYLES, *INTL_STYLES]
        nsn, style = national_number(rng, country), rng.choice(styles)
        numbers[field] = spell(country, nsn, style)
        truth = (kind, res_id, field, e164(country, nsn), country, style, has_country)
        out["bench_phone_truth"].append(truth)
    phone, mobile = numbers["phone"], numbers["mobile"]
    regions = [country] if has_country else CLIENT_REGIONS  # the main company is in Russia
    keys = [W["phone"].first_reading(number, regions) for number in (phone, mobile)]
    sanitized = lambda number: _odoo_phone(W["format"], number, country if has_country else "RU")  # noqa: E731
    invalid = bool((phone and not keys[0]) or (mobile and not keys[1]))
    return phone, mobile, sanitized(mobile) or sanitized(phone) or None, *keys, invalid


def _partner(rng, index, out):
    first, company = W["ids"]["res_partner"], company_of(index)
    pid, name = first + index, f"BENCH {'Company' if index < N_COMPANIES else 'Person'} {index:07d}"
    if index < N_COMPANIES:
        (country, has_country), values = company_country(index), (name, name, True, None, pid)
    elif company is not None:
        parent = f"BENCH Company {company:07d}"
        country, has_country = company_country(company)
        values = (f"{parent}, {name}", parent, False, first + company, first + company)
    else:
        country = pick_country(rng)
        has_country, values = pick_has_country(rng, country), (name, None, False, None, pid)
    country_id = W["countries"][country] if has_country else None
    phones = _phones(rng, "p", pid, country, has_country, out)
    return (pid, name, *values, country_id, rng.random() < 0.98, *phones, W["now"], W["now"])


def _lead(rng, index, out):
    lid, now, country = W["ids"]["crm_lead"] + index, W["now"], pick_country(rng)
    has_country, kind = pick_has_country(rng, country), "opportunity" if rng.random() < 0.6 else "lead"
    status = rng.random()
    active, probability, stage, closed = True, W["open_probability"], W["open_stage"], None
    if kind == "opportunity" and status < 0.1:  # won
        probability, stage, closed = 100.0, W["won_stage"], now
    elif status > 0.95:  # lost: archived
        active, probability, closed = False, 0.0, now
    phones = _phones(rng, "l", lid, country, has_country, out, mobile_share=0.3)
    prospect = f"BENCH Prospect {index:07d}" if rng.random() < 0.5 else None
    names = (f"BENCH Lead {index:07d}", kind, f"BENCH Contact {index:07d}", prospect)
    country_id, state = W["countries"][country] if has_country else None, None
    if phones[0]:  # crm.lead's phone_state: phone_parse in the lead's own country only
        parsed = _odoo_phone(W["parse"], phones[0], country if has_country else None)
        state = "correct" if parsed else "incorrect"
    stages = (active, probability, stage, closed, None, None, None)
    return (lid, *names, country_id, *stages, *phones, state, now, now, now)


def _order(rng, index, out):
    """An order of a company, its line, delivery (two serials) and, for some, its invoice."""
    ids, days = W["ids"], datetime.timedelta
    order, line, picking, move, invoice = (ids[table] + index for table in TABLES[3:7] + ["account_move"])
    company = rng.randrange(N_COMPANIES)
    customer = ids["res_partner"] + company
    contact = contact_index(company, rng.randrange(4))
    shipped_to = ids["res_partner"] + (company if rng.random() < 0.5 else contact)
    ordered = BASE_DATE - days(minutes=rng.randrange(730 * 24 * 60))
    done = rng.random() < 0.85
    invoiced = done and rng.random() < 0.6
    scheduled = ordered + days(days=2)
    moved = scheduled + days(hours=rng.randrange(1, 72)) if done else scheduled
    name, ref, state = f"BD{index + 1:07d}", f"BD/OUT/{index + 1:07d}", "done" if done else "assigned"
    status, made, touched = "invoiced" if invoiced else "to invoice", (ordered, ordered), (ordered, moved)
    row = (order, name, customer, customer, shipped_to, "sale", ordered, (ordered + days(30)).date(), status)
    out["sale_order"].append((*row, *made))
    qty = (2.0 if done else 0.0, 2.0 if invoiced else 0.0, 0.0 if invoiced else 2.0)
    out["sale_order_line"].append((line, order, customer, "sale", *qty, status, *made))
    dates = (scheduled, scheduled, moved, moved if done else None, *touched)
    out["stock_picking"].append((picking, ref, name, order, shipped_to, state, *dates))
    row = (move, picking, line, shipped_to, state, ref, name, done, moved, scheduled)
    out["stock_move"].append((*row, *touched))
    for serial in (2 * index, 2 * index + 1):
        lot = ids["stock_lot"] + serial
        out["stock_lot"].append((lot, f"SN{serial + 1:07d}", *made))
        row = (ids["stock_move_line"] + serial, picking, move, lot, state, ref, done, moved)
        out["stock_move_line"].append((*row, *touched))
    if invoiced:
        item, day = ids["account_move_line"] + 2 * index, (moved + days(days=1)).date()
        number, due, label = f"INV/BD/{index + 1:07d}", day + days(days=30), f"BENCH Company {company:07d}"
        row = (invoice, number, index + 1, customer, customer, shipped_to, label, name, number, day, day, due)
        out["account_move"].append((*row, moved, moved))
        for offset, maturity, kind in ((0, None, "product"), (1, due, "payment_term")):
            row = (item + offset, invoice, number, customer, day, day, maturity, moved, moved, kind)
            out["account_move_line"].append(row)
        out["sale_order_line_invoice_rel"].append((item, line))


def render(task):
    """{table: COPY text} of one chunk: ``task`` is (kind, first index, count)."""
    kind, start, count = task
    rng, out = random.Random(f"{SEED}-{kind}-{start}"), {table: [] for table in TABLES}
    for index in range(start, start + count):
        if kind == "order":
            _order(rng, index, out)
        elif kind == "partner":
            out["res_partner"].append(_partner(rng, index, out))
        else:
            out["crm_lead"].append(_lead(rng, index, out))
    texts = {}
    for table, rows in out.items():
        tail = W["tails"].get(table, "\n")
        ends = [tail[row[-1]] for row in rows] if isinstance(tail, dict) else [tail] * len(rows)
        lines = ("\t".join(map(_copy_value, row)) + end for row, end in zip(rows, ends, strict=True))
        texts[table] = "".join(lines)
    return {table: text for table, text in texts.items() if text}


# -- the main process -------------------------------------------------------------------------


def _orm_rows(env):
    """{table: rows} of records made the ordinary way through the ORM (rolled back)."""
    from odoo import Command
    from odoo.tools import SQL

    device = {"name": "BENCH Serial-Tracked Device", "is_storable": True, "tracking": "serial"}
    product = env["product.product"].create(device | {"list_price": 150})
    journal = env["account.journal"].create({"name": "BENCH Desk Invoices", "code": "BDINV", "type": "sale"})
    rows = {}
    with contextlib.closing(env.cr.savepoint()):  # closing() rolls the savepoint back
        partner = env["res.partner"].create({"name": "bench"})
        lead = env["crm.lead"].create({"name": "bench", "stage_id": W["open_stage"]})
        line = Command.create({"product_id": product.id, "product_uom_qty": 2, "tax_id": []})
        order = env["sale.order"].create({"partner_id": partner.id, "order_line": [line]})
        out_type = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1).out_type_id
        picking = env["stock.picking"].create({"partner_id": partner.id, "picking_type_id": out_type.id})
        where = {"location_id": picking.location_id.id, "location_dest_id": picking.location_dest_id.id}
        where["product_id"] = product.id
        move = env["stock.move"].create(where | {"name": "b", "picking_id": picking.id, "product_uom_qty": 2})
        lots = env["stock.lot"].create([{"name": f"bench{n}", "product_id": product.id} for n in (1, 2)])
        items = [where | {"move_id": move.id, "lot_id": lot.id} for lot in lots]
        move_lines = env["stock.move.line"].create(items)
        item = {"product_id": product.id, "quantity": 2, "price_unit": 150, "tax_ids": []}
        item["sale_line_ids"] = [Command.link(order.order_line.id)]
        values = {"move_type": "out_invoice", "partner_id": partner.id, "journal_id": journal.id}
        values |= {"invoice_date": BASE_DATE.date(), "invoice_line_ids": [Command.create(item)]}
        invoice = env["account.move"].create(values)
        invoice.action_post()
        env.flush_all()
        made = (partner, lead, order, order.order_line, picking, move, lots, move_lines, invoice)
        for records in (*made, invoice.line_ids):
            table = SQL.identifier(records._table)
            env.cr.execute(SQL("SELECT * FROM %s WHERE id IN %s ORDER BY id", table, records._ids))
            rows[records._table] = env.cr.dictfetchall()
    env.invalidate_all(flush=False)
    return rows


def _constants(rows):
    """{table: (column names, COPY tail or {display_type: tail})}: what the ORM
    stored in the columns the builder does not set itself."""
    out = {}
    for table, table_rows in rows.items():
        keyed = {row["display_type"]: row for row in table_rows} if table == "account_move_line" else {}
        keyed = keyed or {None: table_rows[0]}
        names = {name for row in keyed.values() for name, value in row.items() if value is not None}
        names = sorted(names - {*COLUMNS[table]})
        tails = {key: "".join(f"\t{_copy_value(row[name])}" for name in names) for key, row in keyed.items()}
        tails = {key: tail + "\n" for key, tail in tails.items()}
        out[table] = (names, tails.get(None, tails))
    return out


def _deals(env):
    """N_DEALS opportunities through the ORM, each with 5 orders (the first in
    EUR, the last left a quotation), two invoices per confirmed order (20% tax),
    three paid, every 4th deal a credit note, the first order delivered."""
    from odoo import Command

    env, eur, delta = env(user=env.ref("base.user_admin")), env.ref("base.EUR"), datetime.timedelta
    eur.active = True
    rates = [{"name": (BASE_DATE - delta(days=30 * m)).date(), "rate": 0.9 + m / 100} for m in range(14)]
    env["res.currency.rate"].create([rate | {"currency_id": eur.id} for rate in rates])
    tax = env["account.tax"].create({"name": "BENCH VAT 20%", "amount": 20, "type_tax_use": "sale"})
    goods = {"type": "consu", "invoice_policy": "order", "taxes_id": [Command.set(tax.ids)]}
    goods = [goods | {"name": f"BENCH {price}", "list_price": price} for price in (120, 35.5)]
    products, Move = env["product.product"].create(goods), env["account.move"]
    quantities = list(zip(products, (2, 10), strict=True))
    pricelist = env["product.pricelist"].create({"name": "BENCH EUR", "currency_id": eur.id})
    stage = env["crm.stage"].search([("is_won", "=", False)], limit=1)
    for deal in range(N_DEALS):
        name = f"DEAL BENCH {deal + 1:02d}"
        partner = env["res.partner"].create({"name": f"{name} customer", "is_company": True})
        values = {"name": name, "type": "opportunity", "partner_id": partner.id, "stage_id": stage.id}
        lead = env["crm.lead"].create(values | {"company_id": env.company.id})
        days = [BASE_DATE - delta(days=(deal * 11 + 37 * n) % 400) for n in range(5)]
        order, values = {"partner_id": partner.id, "opportunity_id": lead.id}, []
        for n in range(1, 6):
            lines = [Command.create({"product_id": p.id, "product_uom_qty": q * n}) for p, q in quantities]
            values.append(order | {"order_line": lines, "pricelist_id": n == 1 and pricelist.id})
        orders = env["sale.order"].create(values)
        orders[:4].action_confirm()
        for order, day in zip(orders, days, strict=True):
            order.date_order = day  # confirming sets it to now
        invoices = Move
        for order, day, share in [(o, d, s) for o, d in zip(orders[:4], days, strict=False) for s in (1, 2)]:
            values = order._prepare_invoice() | {"invoice_date": (day + delta(days=share)).date()}
            half = [ln._prepare_invoice_line(quantity=ln.product_uom_qty / 2) for ln in order.order_line]
            invoices |= Move.create(values | {"invoice_line_ids": [Command.create(item) for item in half]})
        invoices.action_post()
        paying = {"active_model": "account.move", "active_ids": invoices[2:5].ids}
        env["account.payment.register"].with_context(**paying).create({}).action_create_payments()
        if deal % 4 == 0:
            invoices[-1]._reverse_moves([{"invoice_date": days[3].date()}]).action_post()
        picking = orders[0].picking_ids[:1]
        for move in picking.move_ids:
            move.quantity, move.picked = move.product_uom_qty, True
        picking._action_done()
    group = env.ref("sales_team.group_sale_salesman_all_leads")
    values = {"name": "BENCH Salesperson (all leads)", "login": "bench_sales_all"}
    env["res.users"].create(values | {"groups_id": [Command.set(group.ids)]})


def _build(env, say):
    """Everything, in one transaction; returns the first ids of the generated rows."""
    from odoo.tools import SQL

    start, cr = time.perf_counter(), env.cr
    env.company.partner_id.country_id = env.ref("base.ru")  # national numbers without a country are Russian
    stages = [env["crm.stage"].search([("is_won", "=", won)], limit=1).id for won in (False, True)]
    W.update(open_stage=stages[0], won_stage=stages[1])
    rows = _orm_rows(env)
    constants = _constants(rows)
    doubled = ("stock_lot", "stock_move_line", "account_move_line")
    counts = {table: N_ORDERS * (2 if table in doubled else 1) for table in TABLES[3:-1]}
    counts |= {"res_partner": N_PARTNERS, "crm_lead": N_LEADS}
    ids = {}
    for table, count in counts.items():  # reserve the ids: the first of ``count``
        cr.execute("SELECT setval(%s, nextval(%s) + %s - 1)", [f"{table}_id_seq", f"{table}_id_seq", count])
        ids[table] = cr.fetchone()[0] - count + 1
    cr.execute("SELECT now() AT TIME ZONE 'UTC'")
    context = {"ids": ids, "now": cr.fetchone()[0], "open_probability": rows["crm_lead"][0]["probability"]}
    countries = env["res.country"].search([("code", "in", list(COUNTRIES))])
    context |= {"countries": {c.code: c.id for c in countries}, **W}
    context["tails"] = {table: tail for table, (_names, tail) in constants.items()}
    columns = {table: COLUMNS[table] + constants.get(table, ([], ""))[0] for table in TABLES}
    truth = "kind char(1), res_id int, field varchar, e164 varchar, country varchar, style varchar"
    cr.execute(f"CREATE TABLE bench_phone_truth ({truth}, has_country boolean)")
    totals = (("partner", N_PARTNERS), ("lead", N_LEADS), ("order", N_ORDERS))
    tasks = [(kind, s, min(CHUNK, total - s)) for kind, total in totals for s in range(0, total, CHUNK)]
    spawn = multiprocessing.get_context("spawn")
    with spawn.Pool(min(2, os.cpu_count() or 1), _init_worker, (os.environ["CONF_FILE"], context)) as pool:
        for number, texts in enumerate(pool.imap(render, tasks), 1):
            for table, text in texts.items():
                names = SQL(", ").join(SQL.identifier(column) for column in columns[table])
                copy = SQL("COPY %s (%s) FROM STDIN", SQL.identifier(table), names)
                cr.copy_expert(copy.code, io.StringIO(text))
            if (
                tasks[number - 1][1] == 0
            ):  # the foreign keys' checks, planned anew on the statistics, use indexes
                cr.execute(f"ANALYZE {', '.join(TABLES)}")
            if number % 10 == 0:
                say(f"{number}/{len(tasks)} chunks copied at {time.perf_counter() - start:.0f}s")
    cr.execute("CREATE INDEX bench_phone_truth_e164 ON bench_phone_truth (e164)")
    cr.execute("CREATE INDEX bench_phone_truth_res ON bench_phone_truth (res_id)")
    # the index an integrator adds for the stock baseline: Odoo 18 indexes phone_sanitized on crm_lead only
    cr.execute("CREATE INDEX bench_res_partner_phone_sanitized ON res_partner (phone_sanitized)")
    cr.execute(f"ANALYZE {', '.join(TABLES)}")  # the ORM's work below plans on fresh statistics
    say(f"COPY done at {time.perf_counter() - start:.0f}s; {N_DEALS} deals through the ORM")
    _deals(env)
    say(f"deals done at {time.perf_counter() - start:.0f}s; channels: {N_CHANNEL_LEADS} leads, costs")
    _channels(env, ids, rows["crm_lead"][0])
    return ids


def _month(day):
    return datetime.date(day.year, day.month, 1)


def _channels(env, ids, template):
    """Campaigns, sources and mediums; a cost per campaign and month; N_CHANNEL_LEADS leads of
    the companies (60% opportunities, a quarter of those won, 10% lost), written with COPY, the
    columns they do not set as the ORM stored them for ``template``; each company's latest won
    lead becomes the opportunity of its orders and their invoices. What the report must find
    goes to bench_channel_truth: per source and month, leads, qualified, won and cost as
    generated here, and the invoices' revenue summed straight from the tables."""
    from odoo import Command
    from odoo.tools import SQL

    cr, rng, delta = env.cr, random.Random(f"{SEED}-channels"), datetime.timedelta
    mediums = env["utm.medium"].create([{"name": f"BENCH Medium {n}"} for n in range(N_MEDIUMS)])
    sources = env["utm.source"].create([{"name": f"BENCH Source {n:02d}"} for n in range(N_SOURCES)])
    titles = [{"title": f"BENCH Campaign {n:03d}"} for n in range(N_CAMPAIGNS)]
    campaigns = env["utm.campaign"].create(titles)
    channel = [(c.id, sources[n % N_SOURCES].id, mediums[n % N_MEDIUMS].id) for n, c in enumerate(campaigns)]
    truth = {}  # (source id, month): [leads, qualified, won, cost]

    def count(source, day, column, value=1):
        truth.setdefault((source, _month(day)), [0, 0, 0, 0.0])[column] += value

    costs = []
    for campaign, source, medium in channel:
        for month in range(CHANNEL_MONTHS):
            day = _month(CHANNEL_START + delta(days=31 * month)) + delta(days=rng.randrange(28))
            amount = rng.randrange(50_000, 5_000_000) / 100
            values = {"campaign_id": campaign, "source_id": source, "medium_id": medium, "date": day}
            costs.append(values | {"amount": amount, "name": f"BENCH cost {campaign} {month}"})
            count(source, day, 3, amount)
    env["crm.campaign.cost"].create(costs)
    columns = [
        "name",
        "type",
        "partner_id",
        "campaign_id",
        "source_id",
        "medium_id",
        "stage_id",
        "probability",
    ]
    columns += ["active", "date_closed", "date_open", "date_last_stage_update", "create_date", "write_date"]
    empty = {
        "phone",
        "mobile",
        "phone_sanitized",
        "phone_e164",
        "mobile_e164",
        "email_from",
        "email_normalized",
    }
    constants = sorted(name for name, value in template.items() if value is not None)
    constants = [name for name in constants if name not in {"id", *columns, *empty}]
    tail = "".join(f"\t{_copy_value(template[name])}" for name in constants) + "\n"
    lines, span = [], CHANNEL_MONTHS * 30 * 24 * 60
    for index in range(N_CHANNEL_LEADS):
        campaign, source, medium = channel[rng.randrange(N_CAMPAIGNS)]
        created = CHANNEL_START + delta(minutes=rng.randrange(span))
        kind = "opportunity" if rng.random() < 0.6 else "lead"
        stage, probability, active, closed, status = (
            W["open_stage"],
            template["probability"],
            True,
            None,
            rng.random(),
        )
        if kind == "opportunity" and status < 0.25:
            stage, probability, closed = W["won_stage"], 100.0, created + delta(days=rng.randrange(10, 60))
        elif status > 0.9:
            probability, active, closed = 0.0, False, created + delta(days=rng.randrange(5, 30))
        partner = ids["res_partner"] + rng.randrange(N_COMPANIES)
        row = (f"BENCH Channel Lead {index:07d}", kind, partner, campaign, source, medium, stage, probability)
        row += (active, closed, created, created, created, created)
        lines.append("\t".join(map(_copy_value, row)) + tail)
        count(source, created, 0)
        count(source, created, 1, kind == "opportunity")
        count(source, created, 2, stage == W["won_stage"] and active)
    names = SQL(", ").join(SQL.identifier(column) for column in columns + constants)
    cr.copy_expert(SQL("COPY crm_lead (%s) FROM STDIN", names).code, io.StringIO("".join(lines)))
    cr.execute("SELECT MIN(id) FROM crm_lead WHERE name LIKE 'BENCH Channel Lead %%'")
    first_lead = cr.fetchone()[0]
    cr.execute("ANALYZE crm_lead")
    # each company's latest won lead is the deal of its orders and their invoices (an invoice
    # has the index, so the id offset, of its order)
    cr.execute(
        SQL(
            """
            WITH won AS (
                SELECT DISTINCT ON (l.partner_id) l.partner_id, l.id, l.name
                  FROM crm_lead l
                 WHERE l.id >= %(first_lead)s AND l.active AND l.stage_id = %(won)s
              ORDER BY l.partner_id, l.id DESC
            )
            UPDATE sale_order o SET opportunity_id = won.id
              FROM won WHERE o.partner_id = won.partner_id AND o.id >= %(first_order)s AND o.id < %(end)s
            """,
            first_lead=first_lead,
            won=W["won_stage"],
            first_order=ids["sale_order"],
            end=ids["sale_order"] + N_ORDERS,
        )
    )
    cr.execute(
        SQL(
            """
            UPDATE account_move m SET crm_opportunity_id = l.id, crm_opportunity_name = l.name
              FROM sale_order o JOIN crm_lead l ON l.id = o.opportunity_id
             WHERE o.id >= %(first_order)s AND o.id < %(end)s
               AND m.id = o.id - %(first_order)s + %(first_move)s
            """,
            first_order=ids["sale_order"],
            first_move=ids["account_move"],
            end=ids["sale_order"] + N_ORDERS,
        )
    )
    device = env["product.product"].search([("name", "=", "BENCH Serial-Tracked Device")], limit=1)
    device.standard_price = 90.0  # a cost price: the report's margin
    cr.execute(
        "CREATE TABLE bench_channel_truth (source_id int, month date, leads int, qualified int, "
        "won int, cost numeric, revenue numeric)"
    )
    rows = [(source, month, *figures, 0.0) for (source, month), figures in truth.items()]
    cr.executemany("INSERT INTO bench_channel_truth VALUES (%s, %s, %s, %s, %s, %s, %s)", rows)
    env.flush_all()
    cr.execute(
        """
        WITH revenue AS (
            SELECT l.source_id, date_trunc('month', m.invoice_date)::date AS month,
                   SUM(m.amount_untaxed_signed) AS amount
              FROM account_move m JOIN crm_lead l ON l.id = m.crm_opportunity_id
             WHERE m.state = 'posted' AND m.move_type IN ('out_invoice', 'out_refund')
          GROUP BY 1, 2
        )
        MERGE INTO bench_channel_truth t USING revenue r ON t.source_id = r.source_id AND t.month = r.month
         WHEN MATCHED THEN UPDATE SET revenue = r.amount
         WHEN NOT MATCHED THEN INSERT VALUES (r.source_id, r.month, 0, 0, 0, 0, r.amount)
        """
    )
    group = env.ref("sales_team.group_sale_manager")
    values = {"name": "BENCH CRM Manager", "login": "bench_crm_manager", "tz": "UTC"}
    env["res.users"].create(values | {"groups_id": [Command.set(group.ids)]})


def ensure(env, say=print):
    """The first id of each table's generated rows; the data is built unless
    this version of the builder did."""
    cr = env.cr
    cr.execute("SELECT value FROM ir_config_parameter WHERE key = %s", [MARKER])
    marker = json.loads((cr.fetchone() or ["{}"])[0])
    if marker.get("version") == VERSION:
        return marker["ids"]
    if marker:
        sys.exit(f"{cr.dbname} holds the data of builder {marker['version']}: `make bench` makes it again")
    say(f"building the bench data {VERSION}: {N_PARTNERS} partners, {N_LEADS} leads, {N_ORDERS} orders")
    start, ids = time.perf_counter(), _build(env, say)
    env["ir.config_parameter"].set_param(MARKER, json.dumps({"version": VERSION, "ids": ids}))
    cr.commit()
    subprocess.run(["psql", "-qd", cr.dbname, "-c", f"VACUUM ANALYZE {', '.join(TABLES)}"], check=True)
    say(f"bench data built in {time.perf_counter() - start:.0f}s")
    return ids


if __name__ == "__main__" and sys.argv[1:] == ["--version"]:  # what tools/bench.sh compares
    print(VERSION)
