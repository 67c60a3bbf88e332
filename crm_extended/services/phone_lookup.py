"""The statement of the caller lookup (``res.partner.crm_lookup_phone``).

Written to be cheap to plan, which costs more than running it: each table is
named once per branch, and the caller's company is a scalar sub-select, not a
join (a join of the partner table to itself under the record rules takes
twice as long to plan).
"""

from odoo.tools import SQL

# The aliases the statement gives its rows, and the model each stands for:
# the conditions (record rules, active test) come per alias.
ALIASES = (("caller", "res.partner"), ("company", "res.partner"), ("lead", "crm.lead"))


def _has_key(alias, keys):
    return SQL(
        "(%s = ANY(%s) OR %s = ANY(%s))",
        SQL.identifier(alias, "phone_e164"),
        keys,
        SQL.identifier(alias, "mobile_e164"),
        keys,
    )


def statement(partner_table, lead_table, keys, conditions):
    """Rows (kind, id, company id): the partners ('p', with the id of their
    commercial partner when ``conditions["company"]`` lets it be read) and the
    open leads ('l') whose phone or mobile key is one of ``keys`` (a list of
    E.164 numbers, or a marker standing for it). ``conditions`` maps each alias
    of :data:`ALIASES` to the SQL condition its rows must meet."""
    return SQL(
        """SELECT 'p', caller.id,
                  (SELECT company.id
                     FROM %(partner)s company
                    WHERE company.id = caller.commercial_partner_id AND %(company_where)s)
             FROM %(partner)s caller
            WHERE %(caller_has_key)s AND %(caller_where)s
        UNION ALL
           SELECT 'l', lead.id, NULL
             FROM %(lead)s lead
            WHERE %(lead_has_key)s
              AND (lead.probability < 100 OR lead.probability IS NULL)
              AND %(lead_where)s""",
        partner=SQL.identifier(partner_table),
        lead=SQL.identifier(lead_table),
        company_where=conditions["company"],
        caller_has_key=_has_key("caller", keys),
        caller_where=conditions["caller"],
        lead_has_key=_has_key("lead", keys),
        lead_where=conditions["lead"],
    )
