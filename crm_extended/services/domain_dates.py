"""The dates a domain holds a field to, for SQL reports that narrow their own scans."""

from datetime import date

from odoo import fields
from odoo.osv import expression

RANGE_OPERATORS = ("=", ">=", ">", "<=", "<")


def date_bounds(domain, field_name):
    """``(first, last)`` (inclusive dates, either None) that every record of ``domain`` has
    in ``field_name``, read off the conditions on it of the domain's top-level conjunction
    (a domain with an OR or a NOT anywhere gives none): bounds the domain implies, so that a
    report filtering its facts on them changes no answer. None when there is no bound."""
    normalized = expression.normalize_domain(domain or [])
    if any(token in (expression.OR_OPERATOR, expression.NOT_OPERATOR) for token in normalized):
        return None
    first = last = None
    for leaf in normalized:
        if not isinstance(leaf, list | tuple) or len(leaf) != 3 or leaf[0] != field_name:
            continue
        operator, value = leaf[1], leaf[2]
        if operator not in RANGE_OPERATORS or not isinstance(value, str | date):
            continue
        try:
            value = fields.Date.to_date(value)
        except ValueError:
            continue
        if value is None:
            continue
        if operator in ("=", ">=", ">"):
            first = value if first is None else max(first, value)
        if operator in ("=", "<=", "<"):
            last = value if last is None else min(last, value)
    if first is None and last is None:
        return None
    return first, last
