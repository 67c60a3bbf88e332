import base64

from odoo import fields, models
from odoo.exceptions import UserError

from ..services import kpi_targets
from ..services.spreadsheet import SpreadsheetError


class CrmKpiTargetImport(models.TransientModel):
    """Targets from a spreadsheet (xlsx, xls or csv): one row per month, salesperson (login or
    name; empty for a team's own target), team, KPI and target. Rows update existing targets."""

    _name = "crm.kpi.target.import"
    _description = "Import KPI Targets"

    file = fields.Binary(required=True)
    file_name = fields.Char()

    def action_import(self):
        self.ensure_one()
        try:
            rows = kpi_targets.read_rows(base64.b64decode(self.file), self.file_name or "")
        except (SpreadsheetError, kpi_targets.TargetFileError) as error:
            raise UserError(self.env._("The file cannot be read: %(reason)s", reason=str(error))) from error
        created, updated = self.env["crm.kpi.target"]._crm_import_rows(rows)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(created)s targets created, %(updated)s updated.", created=created, updated=updated
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
