import base64
import io
import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..services import import_mapping, spreadsheet
from .crm_import_profile import IMPORT_KINDS

_logger = logging.getLogger(__name__)

# Rows written per batch (one transaction of the background job each).
DEFAULT_BATCH_SIZE = 1000
# Rows read, matched and previewed per batch (one look-up of the directory each).
PLAN_BATCH_SIZE = 2000
IMPORTED_MODEL = {"partner": "res.partner", "lead": "crm.lead"}


class CrmImportJob(models.Model):
    """An import of clients or leads from a spreadsheet: the file, its
    mapping, the preview of every row, the commit in batches in the
    background, the report and the undo. The reading, mapping and matching
    are services/ (spreadsheet, import_mapping, import_matching,
    import_rows); the plan and the writing per kind are
    ``crm.import.planner``'s and ``crm.import.writer``'s."""

    _name = "crm.import.job"
    _description = "Client and Lead Import"
    _inherit = ["crm.import.writer"]
    _order = "id desc"

    name = fields.Char(compute="_compute_name", store=True)
    kind = fields.Selection(IMPORT_KINDS, required=True, default="partner", string="Import")
    file = fields.Binary(attachment=True, required=True, copy=False)
    file_name = fields.Char(required=True)
    sheet = fields.Char(help="The sheet read; empty for the first.")
    sheet_names = fields.Json(readonly=True)
    header_row = fields.Integer(readonly=True)
    profile_id = fields.Many2one("crm.import.profile", string="Mapping Profile", ondelete="set null")
    save_profile_as = fields.Char(
        string="Save Mapping As",
        help="Name a profile to keep this mapping for the next file with these headers.",
    )
    column_ids = fields.One2many("crm.import.column", "job_id", string="Columns")
    line_ids = fields.One2many("crm.import.line", "job_id", string="Rows")
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("preview", "Preview"),
            ("queued", "Queued"),
            ("running", "Importing"),
            ("done", "Done"),
            ("undone", "Undone"),
        ],
        default="draft",
        required=True,
        readonly=True,
        index=True,
    )
    user_id = fields.Many2one(
        "res.users", string="Imported By", default=lambda self: self.env.user, required=True, readonly=True
    )
    company_id = fields.Many2one(
        "res.company", default=lambda self: self.env.company, required=True, readonly=True
    )
    company_ids = fields.Many2many(
        "res.company", string="Companies Selected", default=lambda self: self.env.companies, readonly=True
    )
    date_start = fields.Datetime(string="Started", readonly=True)
    date_done = fields.Datetime(string="Finished", readonly=True)
    row_count = fields.Integer(string="Number of Rows", readonly=True)
    create_count = fields.Integer(string="To Create", readonly=True)
    update_count = fields.Integer(string="To Update", readonly=True)
    link_count = fields.Integer(string="To Link", readonly=True)
    skip_count = fields.Integer(string="To Skip", readonly=True)
    conflict_count = fields.Integer(string="Conflicts", readonly=True)
    error_count = fields.Integer(string="Invalid", readonly=True)
    done_count = fields.Integer(string="Written", readonly=True)
    failed_count = fields.Integer(string="Failed", readonly=True)
    progress = fields.Float(compute="_compute_progress", help="Share of the rows to write that are written.")
    message = fields.Text(readonly=True, help="Why the file could not be read, or the outcome of the import.")

    @api.depends("file_name", "create_date")
    def _compute_name(self):
        for job in self:
            job.name = job.file_name or self.env._("Import")

    @api.depends("row_count", "done_count", "failed_count", "state", "skip_count")
    def _compute_progress(self):
        for job in self:
            todo = job._crm_rows_to_write()
            job.progress = (
                100.0 if job.state == "done" or not todo else 100.0 * job._crm_rows_written() / todo
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._crm_check_can_import({vals.get("kind", "partner") for vals in vals_list})
        return super().create(vals_list)

    # actions

    def action_preview(self):
        """Read the file, map its columns, match every row and show what would be done."""
        self.ensure_one()
        self._crm_check_can_import({self.kind})
        if self.state not in ("draft", "preview"):
            raise UserError(self.env._("This import has already been committed."))
        table = self._crm_read_table()
        self._crm_set_columns(table.headers)
        mapping = {column.sequence: column.field for column in self.column_ids if column.field}
        known = import_mapping.FIELDS[self.kind]
        mapping = {index: field for index, field in mapping.items() if field in known}
        if "name" not in mapping.values() and not {"contact_name", "partner_name"} & set(mapping.values()):
            raise UserError(
                self.env._("No column is imported as the name: choose which column holds the client's name.")
            )
        self.env.cr.execute("DELETE FROM crm_import_line WHERE job_id = %s", [self.id])
        self.invalidate_recordset(["line_ids"])
        try:
            counts = self._crm_plan(table.rows, mapping)
        except spreadsheet.SpreadsheetError as error:
            raise UserError(self._crm_file_message(error)) from error
        self.write(dict(counts, state="preview", sheet_names=table.sheets, header_row=table.header_row))
        if self.save_profile_as:
            self._crm_save_profile(table.headers, mapping)
        return True

    def action_commit(self):
        """Queue the import: the rows are written in batches by the background job."""
        self.ensure_one()
        self._crm_check_can_import({self.kind})
        if self.state != "preview":
            raise UserError(self.env._("Preview the file before importing it."))
        self.write({"state": "queued", "date_start": fields.Datetime.now(), "message": False})
        self.env.ref("crm_extended.ir_cron_crm_import")._trigger()
        return True

    def action_undo(self):
        """Undo the whole import while nothing else has changed its records."""
        self.ensure_one()
        self._crm_check_can_import({self.kind})
        if self.state != "done":
            raise UserError(self.env._("Only a finished import can be undone."))
        self._crm_undo()
        self.write({"state": "undone", "message": self.env._("Undone.")})
        return True

    def action_reset(self):
        """Back to the mapping, before anything is written."""
        self.ensure_one()
        if self.state not in ("draft", "preview"):
            raise UserError(self.env._("This import has already been committed."))
        self.line_ids.unlink()
        self.write({"state": "draft"})
        return True

    def action_view_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_extended.crm_import_line_action")
        action["domain"] = [("job_id", "=", self.id)]
        action["context"] = {"default_job_id": self.id}
        return action

    def action_download_report(self):
        """The preview (or the report) as a spreadsheet: one line per row."""
        self.ensure_one()
        import openpyxl  # only when asked for

        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet(self.env._("Rows"))
        labels = dict(self.env["crm.import.line"]._fields["action"]._description_selection(self.env))
        states = dict(self.env["crm.import.line"]._fields["state"]._description_selection(self.env))
        sheet.append(
            [
                self.env._("Row"),
                self.env._("Client"),
                self.env._("Contact"),
                self.env._("Action"),
                self.env._("Why"),
                self.env._("Invalid Values"),
                self.env._("Changes"),
                self.env._("Status"),
                self.env._("Error"),
            ]
        )
        for line in self.line_ids:
            sheet.append(
                [
                    line.row,
                    line.name or "",
                    line.contact_name or "",
                    labels.get(line.action, line.action),
                    line.reason or "",
                    line.problems or "",
                    line.changes or "",
                    states.get(line.state, line.state),
                    line.error or "",
                ]
            )
        out = io.BytesIO()
        book.save(out)
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"{self.file_name.rsplit('.', 1)[0]}-report.xlsx",
                "datas": base64.b64encode(out.getvalue()),
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        return {"type": "ir.actions.act_url", "url": f"/web/content/{attachment.id}?download=true"}

    @api.model
    def crm_import_progress(self, job_ids):
        """What the form polls while the import runs: {id: {state, progress, done, failed}}."""
        jobs = self.browse(job_ids).exists()
        return {
            job.id: {
                "state": job.state,
                "progress": job.progress,
                "done": job.done_count,
                "failed": job.failed_count,
                "total": job._crm_rows_to_write(),
            }
            for job in jobs
        }

    # the background job

    @api.model
    def _cron_run_imports(self):
        """One batch of the oldest queued import, under its user's rights;
        Odoo's cron runs it again at once while rows remain (progress API)."""
        job = self.search([("state", "in", ("queued", "running"))], order="id", limit=1)
        if not job:
            self.env["ir.cron"]._notify_progress(done=0, remaining=0)
            return
        done = job._crm_run_batch()
        remaining = self.env["crm.import.line"].search_count(
            [("job_id.state", "in", ("queued", "running")), ("state", "=", "pending")]
        )
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)

    def _crm_run_batch(self, batch_size=None):
        """Write the next batch of rows of this import as its user; returns how many were handled."""
        self.ensure_one()
        size = batch_size or int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("crm_extended.import_batch_size", DEFAULT_BATCH_SIZE)
        )
        job = self.with_user(self.user_id).with_context(
            allowed_company_ids=(self.company_id | self.company_ids).ids,
            lang=self.user_id.lang,
            tracking_disable=True,
            mail_create_nolog=True,
            mail_notrack=True,
            # the rows were matched against the directory on the duplicate
            # guard's own keys: the guard need not search again per batch
            crm_import_matched=True,
        )
        if job.state == "queued":
            job.state = "running"
        lines = job.env["crm.import.line"].search(
            [("job_id", "=", job.id), ("state", "=", "pending")], order="row", limit=size
        )
        if lines:
            job._crm_write_lines(lines)
        still = job.env["crm.import.line"].search_count([("job_id", "=", job.id), ("state", "=", "pending")])
        values = {
            "done_count": job._crm_count_lines("done"),
            "failed_count": job._crm_count_lines("failed"),
        }
        if not still:
            values.update(state="done", date_done=fields.Datetime.now())
        job.write(values)
        job._crm_notify_progress()
        return len(lines)

    def _crm_count_lines(self, state):
        return self.env["crm.import.line"].search_count(
            [("job_id", "=", self.id), ("state", "=", state), ("action", "not in", ("skip", "error"))]
        )

    def _crm_notify_progress(self):
        self.ensure_one()
        self.env["bus.bus"]._sendone(
            self.user_id.partner_id,
            "crm_extended.import_progress",
            self.crm_import_progress(self.ids)[self.id] | {"id": self.id},
        )

    # helpers

    def _crm_rows_to_write(self):
        return self.create_count + self.update_count + self.link_count + self.conflict_count

    def _crm_rows_written(self):
        return self.done_count + self.failed_count

    @api.model
    def _crm_check_can_import(self, kinds):
        """Only who may create partners (leads) imports them."""
        for kind in kinds:
            model = self.env[IMPORTED_MODEL[kind]]
            if not model.has_access("create"):
                raise AccessError(
                    self.env._(
                        "You may not create %(records)s, so you may not import them.",
                        records=model._description,
                    )
                )

    def _crm_read_table(self):
        """The chosen sheet of the file, or a UserError saying why it cannot be read."""
        data = base64.b64decode(self.with_context(bin_size=False).file or b"")
        try:
            return spreadsheet.read(
                data,
                self.file_name,
                sheet=self.sheet or None,
                is_header=import_mapping.header_score(self.kind),
            )
        except spreadsheet.SpreadsheetError as error:
            raise UserError(self._crm_file_message(error)) from error

    def _crm_file_message(self, error):
        """A message a person can act on for each way a file cannot be read."""
        name = self.file_name
        messages = {
            "too_big": self.env._(
                "%(name)s is %(size)s MB: files up to %(limit)s MB can be imported. "
                "Split it, or save it as xlsx (smaller than csv or xls).",
                name=name,
                size=error.params.get("size"),
                limit=error.params.get("limit"),
            ),
            "encrypted": self.env._(
                "%(name)s is protected by a password. Open it in your spreadsheet program, "
                "remove the password and import it again.",
                name=name,
            ),
            "corrupt": self.env._(
                "%(name)s cannot be read: the file is damaged or not a spreadsheet (%(detail)s). "
                "Save it again as xlsx or csv.",
                name=name,
                detail=error.params.get("detail", ""),
            ),
            "unknown_format": self.env._(
                "%(name)s is not an xlsx, xls or csv file.",
                name=name,
            ),
            "too_many_columns": self.env._(
                "%(name)s has %(count)s columns: a client list has at most %(limit)s. "
                "Delete the columns that are not to be imported.",
                name=name,
                count=error.params.get("count"),
                limit=error.params.get("limit"),
            ),
            "no_sheet": self.env._("%(name)s has no sheet.", name=name),
            "empty": self.env._("%(name)s has no rows.", name=name),
            "encoding": self.env._(
                "%(name)s is neither UTF-8 nor Windows-1251 text: save it as CSV UTF-8.", name=name
            ),
        }
        return messages.get(error.code) or self.env._("%(name)s cannot be read.", name=name)

    def _crm_set_columns(self, headers):
        """The columns of the file, mapped by the profile chosen, the one saved
        for these headers, or automatically; the user's edits are kept while
        the headers stay the same."""
        current = [column.header or "" for column in self.column_ids.sorted("sequence")]
        if current == headers and not self.env.context.get("crm_import_remap"):
            return
        profile = self.profile_id
        if not profile or profile.signature != import_mapping.signature(headers):
            profile = self.env["crm.import.profile"]._crm_find(self.kind, headers)
        mapping = profile._crm_mapping(headers) if profile else import_mapping.auto_map(headers, self.kind)
        self.column_ids.unlink()
        self.write(
            {
                "profile_id": profile.id,
                "column_ids": [
                    fields.Command.create({"sequence": index, "header": header, "field": mapping.get(index)})
                    for index, header in enumerate(headers)
                ],
            }
        )

    def _crm_save_profile(self, headers, mapping):
        Profile = self.env["crm.import.profile"]
        values = Profile._crm_values(self.kind, headers, mapping)
        profile = Profile.search([("name", "=", self.save_profile_as), ("kind", "=", self.kind)], limit=1)
        if profile:
            profile.write(values)
        else:
            profile = Profile.create(dict(values, name=self.save_profile_as))
        self.write({"profile_id": profile.id, "save_profile_as": False})
