import base64
import hashlib

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date

from ..services import competitor_pricelist, spreadsheet

COLUMN_FIELDS = {
    "reference": "column_reference",
    "name": "column_name",
    "price": "column_price",
    "min_quantity": "column_min_quantity",
    "stock": "column_stock",
}


class CrmCompetitorImport(models.Model):
    """A competitor's price list file imported as observations (source *price list file*).

    The column mapping is saved per competitor: the next import of the same competitor starts
    from the last one's. Rows are matched to our products by the competitor's product mapping,
    then by our reference, then by our product name; unmatched rows wait for a product chosen by
    hand; broken rows are listed with their row number and reason, the rest imports. The same
    file for the same competitor and date is imported once.
    """

    _name = "crm.competitor.import"
    _description = "Competitor Price List Import"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"

    competitor_id = fields.Many2one(
        "res.partner",
        string="Competitor",
        required=True,
        index=True,
        domain=[("is_competitor", "=", True)],
        tracking=True,
    )
    date = fields.Date(
        required=True, default=fields.Date.context_today, help="The day the prices hold (the file's date)."
    )
    file = fields.Binary(string="Price List", required=True, attachment=True)
    file_name = fields.Char()
    checksum = fields.Char(compute="_compute_checksum", store=True, index=True)
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.company.currency_id
    )
    tax_included = fields.Boolean(string="VAT Included", help="The file's prices include VAT.")
    column_reference = fields.Char(
        string="Reference Column", compute="_compute_columns", store=True, readonly=False
    )
    column_name = fields.Char(string="Name Column", compute="_compute_columns", store=True, readonly=False)
    column_price = fields.Char(string="Price Column", compute="_compute_columns", store=True, readonly=False)
    column_min_quantity = fields.Char(
        string="Quantity Break Column", compute="_compute_columns", store=True, readonly=False
    )
    column_stock = fields.Char(string="Stock Column", compute="_compute_columns", store=True, readonly=False)
    state = fields.Selection(
        [("draft", "To Import"), ("done", "Imported")], default="draft", required=True, tracking=True
    )
    line_ids = fields.One2many("crm.competitor.import.line", "import_id", string="Rows")
    imported_count = fields.Integer(string="Imported", compute="_compute_counts")
    unmatched_count = fields.Integer(string="Unmatched", compute="_compute_counts")
    error_count = fields.Integer(string="Errors", compute="_compute_counts")
    user_id = fields.Many2one("res.users", string="Imported By", default=lambda self: self.env.user)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )

    @api.depends("competitor_id", "date")
    def _compute_display_name(self):
        for job in self:
            job.display_name = " ".join(
                part
                for part in (job.competitor_id.name, job.date and format_date(self.env, job.date))
                if part
            )

    @api.depends("file")
    def _compute_checksum(self):
        for job in self:
            job.checksum = hashlib.sha1(base64.b64decode(job.file)).hexdigest() if job.file else False

    @api.depends("competitor_id")
    def _compute_columns(self):
        """The columns of the competitor's last import: the mapping saved per competitor."""
        for job in self:
            last = self.search(
                [
                    ("competitor_id", "=", job.competitor_id.id),
                    ("state", "=", "done"),
                    ("id", "!=", job.id or 0),
                ],
                limit=1,
            )
            for field in COLUMN_FIELDS.values():
                job[field] = last[field] if last else job[field]

    @api.depends("line_ids.state")
    def _compute_counts(self):
        counts = {
            (job.id, state): count
            for job, state, count in self.env["crm.competitor.import.line"]._read_group(
                [("import_id", "in", self.ids)], ["import_id", "state"], ["__count"]
            )
        }
        for job in self:
            job.imported_count = counts.get((job.id, "imported"), 0)
            job.unmatched_count = counts.get((job.id, "unmatched"), 0)
            job.error_count = counts.get((job.id, "error"), 0)

    def action_import(self):
        """Read the file, match its rows and record their prices; rows already read stay as they are."""
        for job in self:
            if job.state == "done":
                job.line_ids._import_mapped()
                continue
            job._check_not_imported_yet()
            job._read_file()
            job.line_ids._match_products()
            job.line_ids._import_mapped()
            job.state = "done"
        return True

    def _check_not_imported_yet(self):
        self.ensure_one()
        twin = self.search(
            [
                ("competitor_id", "=", self.competitor_id.id),
                ("checksum", "=", self.checksum),
                ("date", "=", self.date),
                ("state", "=", "done"),
                ("id", "!=", self.id),
            ],
            limit=1,
        )
        if twin:
            raise UserError(
                self.env._(
                    "This file was already imported for %(competitor)s on %(date)s (%(job)s): "
                    "its prices are recorded once.",
                    competitor=self.competitor_id.display_name,
                    date=format_date(self.env, self.date),
                    job=twin.display_name,
                )
            )

    def _read_file(self):
        self.ensure_one()
        try:
            table = spreadsheet.read(
                base64.b64decode(self.file), self.file_name or "", is_header=competitor_pricelist.header_score
            )
        except spreadsheet.SpreadsheetError as error:
            raise UserError(
                self.env._(
                    "The price list cannot be read (%(reason)s): save it as xlsx, xls or csv and try again.",
                    reason=error.code,
                )
            ) from error
        columns = {field: self[fname] for field, fname in COLUMN_FIELDS.items() if self[fname]}
        found = competitor_pricelist.auto_columns(table.headers)
        for field, header in found.items():
            if field not in columns or columns[field] not in table.headers:
                columns[field] = header
        self.write({COLUMN_FIELDS[field]: header for field, header in columns.items()})
        indexes = competitor_pricelist.column_indexes(table.headers, columns)
        if "price" not in indexes or not ({"reference", "name"} & set(indexes)):
            raise UserError(
                self.env._(
                    "No price column, or no reference nor name column, among the headers %(headers)s: "
                    "type the column names of this file.",
                    headers=", ".join(header for header in table.headers if header),
                )
            )
        vals_list = []
        for number, row, error in competitor_pricelist.read_rows(table, indexes):
            vals = {
                "import_id": self.id,
                "row_number": number,
                "reference": row.get("reference") or False,
                "name": row.get("name") or False,
                "price": row.get("price") or 0.0,
                "min_quantity": row.get("min_quantity") or 1.0,
                "stock": row.get("stock") or False,
                "state": "error" if error else "unmatched",
            }
            if error:
                vals["message"] = self.env["crm.competitor.import.line"]._error_message(number, *error)
            vals_list.append(vals)
        self.env["crm.competitor.import.line"].create(vals_list)
