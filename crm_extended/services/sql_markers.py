"""SQL statements built once and kept, with markers where each call's values go.

A lookup that runs on every phone call builds its statement once per user (the
record rules compiled in) and keeps it; a call then only puts its values in
place of the markers.
"""

import hashlib
import re
import weakref


class Marker:
    """Stands for a value in a kept statement (an SQL parameter)."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"<marker {self.name}>"


def fill(statement, values):
    """The code and parameters of ``statement`` (an SQL object) with each
    marker replaced by its value in ``values`` ({marker: value})."""
    return statement.code, [
        values[param] if isinstance(param, Marker) else param for param in statement.params
    ]


# Kept statements run as server-side prepared statements: planned once per database
# connection (a generic plan), where a statement sent as text is planned on every call.
# The delivery desk's statement takes 1.2-1.7 ms to plan and 0.1-0.2 ms to run on a million
# deliveries; prepared, a call takes 0.1 ms (bench/README.md, delivery_desk).
_PLACEHOLDER = re.compile(r"%%|%s")
_PREPARED = weakref.WeakKeyDictionary()  # psycopg2 connection: {statement text: name}
_MAX_PREPARED = 100  # statements kept per connection (one per user and kind of call)
PARAMETER = "crm_extended.prepared_statements"


def _connection(cr):
    """The psycopg2 connection under Odoo's cursor (a test cursor wraps one), None when
    there is none to be found. Odoo has no public accessor: ``_cnx`` is its Cursor's."""
    for _depth in range(3):
        connection = getattr(cr, "_cnx", None)
        if connection is not None:
            return connection
        cr = getattr(cr, "_cursor", None)
        if cr is None:
            return None
    return None


def _prepared_text(cr, statement):
    """The text of ``statement`` for PREPARE: its markers as $1, $2... (a marker used twice
    is one parameter) and its other parameters written in (they are the user's, fixed for
    the kept statement: record rules' companies, say); and the markers in order."""
    markers, params = [], iter(statement.params)

    def placeholder(match):
        if match.group() == "%%":
            return "%"
        param = next(params)
        if isinstance(param, Marker):
            if param not in markers:
                markers.append(param)
            return f"${markers.index(param) + 1}"
        return cr.mogrify("%s", [param]).decode()

    return _PLACEHOLDER.sub(placeholder, statement.code), markers


def execute(env, statement, values):
    """Run the kept ``statement`` (an SQL object with markers) with ``values`` ({marker:
    value}) on ``env``'s cursor, as a prepared statement of its connection when it can be:
    prepared on first use, then executed with PostgreSQL's generic plan, not planned again.

    A statement text names its prepared statement, so a changed rule, company or language
    gives another statement. Prepared statements outlive transactions (they are the
    connection's, never rolled back) and follow schema changes (PostgreSQL replans them).
    They need each transaction on one server connection: with a pooler in transaction
    mode in between, set the system parameter ``crm_extended.prepared_statements`` to 0."""
    cr = env.cr
    connection = _connection(cr)
    if connection is None or env["ir.config_parameter"].sudo().get_param(PARAMETER, "1") == "0":
        cr.execute(*fill(statement, values))
        return
    text, markers = _prepared_text(cr, statement)
    names = _PREPARED.setdefault(connection, {})
    name = names.get(text)
    if name is None:
        if len(names) >= _MAX_PREPARED:
            for old in names.values():
                cr.execute(f"DEALLOCATE {old}")
            names.clear()
        name = f"crm_extended_{hashlib.sha1(text.encode()).hexdigest()[:24]}"
        # prepared by an earlier life of this process's bookkeeping (a reloaded module)?
        cr.execute("SELECT 1 FROM pg_prepared_statements WHERE name = %s", [name])
        if not cr.fetchone():
            cr.execute(f"PREPARE {name} AS {text}")  # no parameters: the text goes as it is
        names[text] = name
    # the generic plan, forced: PostgreSQL would plan each call again while it judges
    # a call's own plan cheaper (these statements' estimates are rough)
    execute_sql = f"SET LOCAL plan_cache_mode = force_generic_plan; EXECUTE {name}"
    if markers:
        execute_sql += f" ({', '.join(['%s'] * len(markers))})"
    cr.execute(execute_sql, [values[marker] for marker in markers])
