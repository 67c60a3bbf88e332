"""Expression indexes the add-on's exact lookups use, named so that the
uninstall hook finds them again."""

from odoo.tools import SQL
from odoo.tools.sql import create_index, index_exists

SUFFIX = "crm_extended"


def upper_index_name(table, column):
    return f"{table}_{column}_upper_{SUFFIX}"


def create_upper_index(cr, table, column):
    """A btree index on upper(column): exact, case-insensitive matches of
    references people read out (order, invoice, delivery, serial numbers).

    A new expression index has no statistics until the table is analysed, and
    the planner then misjudges the lookups: analyse it at once."""
    name = upper_index_name(table, column)
    if index_exists(cr, name):
        return
    create_index(cr, name, table, [f"upper({column})"])
    cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))


def create_covering_index(cr, name, table, keys, include, where):
    """A partial btree index on ``keys`` carrying ``include`` (column names), so that a scan of
    the rows ``where`` holds (an SQL condition written by the add-on, never by a user) reads
    the index alone, without visiting the table (PostgreSQL's index-only scan)."""
    cr.execute(
        SQL(
            "CREATE INDEX IF NOT EXISTS %s ON %s (%s) INCLUDE (%s) WHERE %s",
            SQL.identifier(name),
            SQL.identifier(table),
            SQL(", ").join(SQL.identifier(column) for column in keys),
            SQL(", ").join(SQL.identifier(column) for column in include),
            SQL(where),
        )
    )


def drop_indexes(cr):
    """Drop every index this add-on created outside the ORM's bookkeeping."""
    cr.execute(SQL("SELECT indexname FROM pg_indexes WHERE indexname LIKE %s", f"%\\_{SUFFIX}"))
    for (name,) in cr.fetchall():
        cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(name)))
