from odoo.tools import SQL

from . import models
from . import report
from . import wizards


def uninstall_hook(env):
    """Drop what init() created outside the ORM's bookkeeping."""
    env.cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier("res_partner_name_trgm_crm_extended")))
