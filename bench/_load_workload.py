"""What the load benchmark's users ask, chosen by SQL from what the bench
database holds, and the users themselves (bench/load.py).

Callers: 70% numbers of active partners (80%) and open unassigned leads (20%)
spelled in another format than stored, 30% valid Russian mobile numbers that
nobody has (drawn at random and checked absent from the phone columns, not
read by our parser). Delivery desk: order numbers, customers' phones in
another format, serial numbers and misses. Deals: opportunities with orders
first. New leads: a name, a contact and a phone. All from
``random.Random(42)`` and ``TABLESAMPLE ... REPEATABLE``: the same on every run.
"""

import json
import random
import re

PREFIX = "load_"  # logins of the users the benchmark creates
LEAD_PREFIX = "LOAD LEAD "  # names of the leads it creates (removed after each run)
ITEMS = 2000  # queries per kind, shared by every user of that kind
GROUPS = {
    "caller": ["sales_team.group_sale_salesman"],
    "deal": ["sales_team.group_sale_salesman_all_leads"],
    "lead": ["sales_team.group_sale_salesman"],
    "desk": ["stock.group_stock_user"],
    "admin": ["base.group_system", "sales_team.group_sale_manager"],
}
# how many users of each kind play at once (one connection each)
USERS = {"caller": 8, "desk": 2, "deal": 2, "lead": 1}

_SEPARATORS = re.compile(r"[\s\\./()\-]")
# country codes of the bench data's numbers, longest first
_CODES = ("49", "44", "33", "7", "1")
DEAL_FIELDS = (
    "deal_amount_quoted",
    "deal_amount_ordered",
    "deal_amount_invoiced",
    "deal_amount_invoiced_total",
    "deal_amount_paid",
    "deal_amount_due",
    "deal_delivered_percent",
    "deal_invoice_count",
    "deal_delivery_count",
)


# -- users --------------------------------------------------------------------------


def logins():
    """Login of each user of each kind: {kind: [login, ...]}; the password is the login."""
    return {
        kind: [f"{PREFIX}{kind}_{index:02d}" for index in range(1, count + 1)]
        for kind, count in USERS.items()
    }


def ensure_users(env):
    """Create the benchmark's users when missing (kept between runs), each in
    the main company with the groups of its kind, and a group of its own for
    the first caller (the cross-worker cache check puts a record rule on it).
    Returns {login: uid} and the id of that group."""
    Users = env["res.users"].with_context(no_reset_password=True, active_test=False)
    company = env.ref("base.main_company")
    wanted = {login: kind for kind, names in logins().items() for login in names}
    wanted[f"{PREFIX}admin"] = "admin"
    uids = {}
    for login, kind in wanted.items():
        user = Users.search([("login", "=", login)])
        if not user:
            user = Users.create(
                {
                    "name": f"Load {kind.title()} {login[-2:]}",
                    "login": login,
                    "password": login,
                    "company_id": company.id,
                    "company_ids": [(6, 0, company.ids)],
                    "groups_id": [(6, 0, [env.ref(xmlid).id for xmlid in GROUPS[kind]])],
                }
            )
        uids[login] = user.id
    group = env["res.groups"].search([("name", "=", "Load bench: first caller")])
    if not group:
        group = env["res.groups"].create(
            {"name": "Load bench: first caller", "users": [(6, 0, [uids[logins()["caller"][0]]])]}
        )
    env.cr.commit()
    return uids, group.id


def remove_created_leads(env):
    """Remove the leads the run created (through the ORM: their messages and followers go too)."""
    leads = env["crm.lead"].with_context(active_test=False).search([("name", "=like", f"{LEAD_PREFIX}%")])
    count = len(leads)
    leads.unlink()
    env.cr.commit()
    return count


# -- spellings ------------------------------------------------------------------------


def _stripped(text):
    return _SEPARATORS.sub("", text or "")


def respell(e164, stored):
    """``e164`` written as people and PBXs do, in a spelling other than ``stored``'s
    (compared without separators, as Odoo's phone_mobile_search does); None when
    the number's country is not one of the bench data's."""
    digits = e164[1:]
    code = next((code for code in _CODES if digits.startswith(code)), None)
    if code is None:
        return None
    rest = digits[len(code) :]
    if code == "7" and len(rest) == 10:
        spellings = [
            f"8 ({rest[:3]}) {rest[3:6]}-{rest[6:8]}-{rest[8:]}",
            f"+7 {rest[:3]} {rest[3:6]} {rest[6:8]} {rest[8:]}",
            f"8{rest}",
            f"007{rest}",
        ]
    else:
        spellings = [f"+{code} {rest[:3]} {rest[3:]}", f"00{code}{rest}", f"8 10 {code} {rest}"]
    other = [spelling for spelling in spellings if _stripped(spelling) != _stripped(stored)]
    return other[int(digits[-2:]) % len(other)] if other else None


# -- what the users ask ---------------------------------------------------------------------


def _rpc(model, method, args, kwargs=None, uid=None):
    """Path and JSON-RPC body of a /web/dataset/call_kw call, as the web client sends it."""
    context = {"lang": "en_US", "tz": "UTC", "allowed_company_ids": [1]}
    if uid:
        context["uid"] = uid
    body = {
        "jsonrpc": "2.0",
        "method": "call",
        "id": 1,
        "params": {
            "model": model,
            "method": method,
            "args": args,
            "kwargs": dict(kwargs or {}, context=context),
        },
    }
    return f"/web/dataset/call_kw/{model}/{method}", json.dumps(body, ensure_ascii=False)


def _found(record_id):
    """What a JSON answer holding the record ``record_id`` contains."""
    return f'"id": {record_id},' if record_id else ""


def _rows(cr, table, query, count=ITEMS, alias=""):
    """The first ``count`` rows of ``query``, where ``{sample}`` stands for
    ``table`` (named ``alias``) sampled with a fixed seed: about 5 * ``count``
    rows, whatever its size."""
    cr.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
    share = min(100.0, 500.0 * count / max(cr.fetchone()[0], 1.0))
    cr.execute(query.format(sample=f"{table} {alias} TABLESAMPLE BERNOULLI ({share:.6f}) REPEATABLE (42)"))
    return cr.fetchall()[:count]


def caller_queries(cr, rng):
    """[(number, "partner" or "lead" or "", the id expected, 0 for a number nobody has)]."""
    partners = _rows(
        cr,
        "res_partner",
        """SELECT id, phone, phone_e164 FROM {sample}
            WHERE active AND phone_e164 IS NOT NULL AND phone IS NOT NULL ORDER BY id""",
    )
    leads = _rows(
        cr,
        "crm_lead",
        """SELECT id, phone, phone_e164 FROM {sample}
            WHERE active AND user_id IS NULL AND (probability < 100 OR probability IS NULL)
              AND phone_e164 IS NOT NULL AND phone IS NOT NULL ORDER BY id""",
    )
    hits, wanted_partners = [], int(ITEMS * 0.7 * 0.8)
    for kind, rows, wanted in (
        ("partner", partners, wanted_partners),
        ("lead", leads, int(ITEMS * 0.7) - wanted_partners),
    ):
        spelled = [(respell(e164, stored), kind, record_id) for record_id, stored, e164 in rows]
        pool = [item for item in spelled if item[0]]
        hits += rng.sample(pool, min(wanted, len(pool)))
    misses = []
    while len(misses) < ITEMS - len(hits):
        candidates = [f"+79{rng.randrange(10**9):09d}" for _index in range(ITEMS)]
        cr.execute(
            """SELECT unnest(%s::varchar[])
               EXCEPT SELECT phone_e164 FROM res_partner WHERE phone_e164 = ANY(%s)
               EXCEPT SELECT mobile_e164 FROM res_partner WHERE mobile_e164 = ANY(%s)
               EXCEPT SELECT phone_sanitized FROM res_partner WHERE phone_sanitized = ANY(%s)
               EXCEPT SELECT phone_e164 FROM crm_lead WHERE phone_e164 = ANY(%s)
               EXCEPT SELECT mobile_e164 FROM crm_lead WHERE mobile_e164 = ANY(%s)""",
            [candidates] * 6,
        )
        free = sorted(row[0] for row in cr.fetchall())
        misses += [(f"8 ({key[2:5]}) {key[5:8]}-{key[8:10]}-{key[10:]}", "", 0) for key in free]
    queries = hits + misses[: ITEMS - len(hits)]
    rng.shuffle(queries)
    return queries


def desk_queries(cr, rng):
    """[(text, expected picking id or 0)]: order numbers (40%), customers'
    phones in another format (30%), serial numbers (15%), misses (15%)."""
    orders = _rows(
        cr,
        "sale_order",
        """SELECT so.name, (SELECT max(p.id) FROM stock_picking p WHERE p.sale_id = so.id) FROM {sample}
            WHERE EXISTS (SELECT 1 FROM stock_picking p WHERE p.sale_id = so.id) ORDER BY so.id""",
        alias="so",
    )
    phones = _rows(
        cr,
        "stock_picking",
        """SELECT DISTINCT ON (partner.id) partner.phone, partner.phone_e164 FROM {sample}
             JOIN res_partner partner ON partner.commercial_partner_id = picking.partner_id
            WHERE partner.phone_e164 IS NOT NULL AND partner.active""",
        alias="picking",
    )
    serials = _rows(
        cr,
        "stock_move_line",
        """SELECT lot.name, line.picking_id FROM {sample} JOIN stock_lot lot ON lot.id = line.lot_id
            WHERE line.picking_id IS NOT NULL ORDER BY line.id""",
        alias="line",
    )
    kinds = [
        (0.4, orders),
        (0.3, [(respell(e164, stored), 0) for stored, e164 in phones if respell(e164, stored)]),
        (0.15, serials),
    ]
    queries = []
    for share, rows in kinds:
        if rows:
            queries += [rng.choice(rows) for _index in range(int(ITEMS * share))]
    queries += [(f"ZZ{rng.randrange(10**7):07d}", 0) for _index in range(ITEMS - len(queries))]
    rng.shuffle(queries)
    return queries, {"orders": len(orders), "phones": len(phones), "serials": len(serials)}


def deal_ids(cr, rng, company_id):
    """Opportunities to open: those with orders first (they have money figures), then others;
    of the users' company (``company_id``): the salespeople of the load belong to it alone, and
    a deal of another company is refused to them, as it should be."""
    cr.execute(
        """SELECT DISTINCT s.opportunity_id FROM sale_order s
             JOIN crm_lead l ON l.id = s.opportunity_id
            WHERE l.company_id IS NULL OR l.company_id = %s
            ORDER BY s.opportunity_id LIMIT %s""",
        [company_id, ITEMS // 2],
    )
    with_orders = [row[0] for row in cr.fetchall()]
    others = _rows(
        cr,
        "crm_lead",
        "SELECT id FROM {sample} WHERE type = 'opportunity' AND active"
        f" AND (company_id IS NULL OR company_id = {int(company_id)}) ORDER BY id",
        ITEMS,
    )
    ids = with_orders * max(1, ITEMS // 2 // max(1, len(with_orders))) + [row[0] for row in others]
    rng.shuffle(ids)
    return ids[:ITEMS], len(with_orders)


# -- requests --------------------------------------------------------------------------------


def _new_lead(rng, index):
    """A lead as a web form or a salesperson types it."""
    number = f"8 (9{rng.randrange(100):02d}) {rng.randrange(1000):03d}-{rng.randrange(10000):04d}"
    return {
        "name": f"{LEAD_PREFIX}{index:04d}",
        "contact_name": f"Load Caller {index:04d}",
        "phone": number,
        "type": "lead",
    }


def _stock_identification(number, kind, expected):
    """The best stock way for the same answer: phone_mobile_search "=" (what
    Odoo's partner search uses, btree-indexed) on partners, then on leads."""
    partner_fields = ["display_name", "commercial_partner_id", "phone", "mobile"]
    lead_fields = ["name", "type", "stage_id", "user_id", "partner_id", "phone"]
    domain = [[["phone_mobile_search", "=", number]]]
    return [
        (
            _found(expected if kind == "partner" else 0),
            *_rpc("res.partner", "search_read", domain, {"fields": partner_fields, "limit": 80}),
        ),
        (
            _found(expected if kind == "lead" else 0),
            *_rpc("crm.lead", "search_read", domain, {"fields": lead_fields, "limit": 80}),
        ),
    ]


def requests_by_kind(env):
    """{kind: [(check, path, body), ...]} for every kind of user (the stock
    kind: two requests per identification), what was found to ask, and a
    (number, partner id) that the callers find."""
    rng = random.Random(42)
    cr = env.cr
    callers = caller_queries(cr, rng)
    desk, desk_found = desk_queries(cr, rng)
    deals, deals_with_orders = deal_ids(cr, rng, env.ref("base.main_company").id)
    deal_spec = {
        "name": {},
        "partner_id": {"fields": {"display_name": {}}},
        "stage_id": {"fields": {"display_name": {}}},
        "user_id": {"fields": {"display_name": {}}},
        "expected_revenue": {},
        "probability": {},
        **{name: {} for name in DEAL_FIELDS},
    }
    identify = [
        (_found(expected), *_rpc("res.partner", "crm_identify_caller", [number]))
        for number, _kind, expected in callers
    ]
    kinds = {
        "caller": identify,
        "stock": [item for query in callers for item in _stock_identification(*query)],
        "desk": [
            (_found(expected), *_rpc("stock.delivery.desk", "crm_find_deliveries", [text]))
            for text, expected in desk
        ],
        "deal": [
            (_found(lead), *_rpc("crm.lead", "web_read", [[lead]], {"specification": deal_spec}))
            for lead in deals
        ],
        "lead": [("", *_rpc("crm.lead", "create", [[_new_lead(rng, index)]])) for index in range(ITEMS)],
        # the floor: the cheapest authenticated call_kw (an access check, no SQL once cached)
        "empty": [("", *_rpc("res.partner", "check_access", [[], "read"]))] * ITEMS,
    }
    found = {
        "caller hits": sum(1 for _number, _kind, expected in callers if expected),
        "caller misses": sum(1 for _number, _kind, expected in callers if not expected),
        **{f"desk {name}": count for name, count in desk_found.items()},
        "deals with orders": deals_with_orders,
    }
    probe = next((number, record_id) for number, kind, record_id in callers if kind == "partner")
    return kinds, found, probe
