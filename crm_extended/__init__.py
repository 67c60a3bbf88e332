from . import controllers
from . import models
from . import report
from . import wizards
from .services.sql_indexes import drop_indexes


def uninstall_hook(env):
    """Drop the indexes init() created outside the ORM's bookkeeping."""
    drop_indexes(env.cr)
