"""Server-side prepared statements for the add-on's hot lookups.

A caller lookup joins a handful of tables under the user's record rules;
PostgreSQL spends longer planning that statement than running it. Prepared
once per database connection (its text fixed: the rules' values inlined, the
looked-up values as scalar parameters $1, $2 ..., for which PostgreSQL keeps
one generic plan), it is planned once and then only executed. Odoo's
connection pool keeps connections, and their prepared statements, across
requests (it resets them with RESET ALL, which keeps them); a prepared
statement also outlives a rolled-back transaction.
"""

import hashlib
from collections import namedtuple

from odoo.tools import SQL

PREFIX = "crm_extended_"
# Prepared statements kept per connection before they are all deallocated:
# one per statement and distinct set of record rules (e.g. per salesperson).
MAX_PER_CONNECTION = 256

Prepared = namedtuple("Prepared", ["name", "types", "text"])


def prepare(cr, statement, types):
    """A :class:`Prepared` of ``statement`` (an SQL object in which ``$1``,
    ``$2`` ... stand for values of PostgreSQL ``types``): its final text and a
    name derived from it. Nothing is sent to the server yet."""
    text = cr.mogrify(statement).decode()
    digest = hashlib.sha1(f"{types}\n{text}".encode()).hexdigest()[:20]
    return Prepared(PREFIX + digest, tuple(types), text)


def _prepared_names(cr):
    """The names prepared on ``cr``'s database connection (kept on the
    connection object, which lives as long as the server session)."""
    connection = cr._cnx
    names = getattr(connection, "_crm_extended_prepared", None)
    if names is None:
        names = connection._crm_extended_prepared = set()
    return names


def execute(cr, prepared, values):
    """Execute ``prepared`` with ``values`` on ``cr``, preparing it on the
    connection first if needed. Fetch the rows with ``cr``."""
    names = _prepared_names(cr)
    if prepared.name not in names:
        if len(names) >= MAX_PER_CONNECTION:
            cr.execute("DEALLOCATE ALL")
            names.clear()
        # the text is final SQL: its own "%" are not placeholders
        body = SQL(prepared.text.replace("%", "%%"))
        types = SQL(", ".join(prepared.types))
        cr.execute(SQL("PREPARE %s (%s) AS %s", SQL.identifier(prepared.name), types, body))
        names.add(prepared.name)
    placeholders = SQL(", ").join(SQL("%s", value) for value in values)
    cr.execute(SQL("EXECUTE %s (%s)", SQL.identifier(prepared.name), placeholders))
