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


def drop_indexes(cr):
    """Drop every index this add-on created outside the ORM's bookkeeping."""
    cr.execute(SQL("SELECT indexname FROM pg_indexes WHERE indexname LIKE %s", f"%\\_{SUFFIX}"))
    for (name,) in cr.fetchall():
        cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(name)))
