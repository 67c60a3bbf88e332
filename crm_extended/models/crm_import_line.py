from odoo import fields, models

LINE_ACTIONS = [
    ("create", "Create"),
    ("update", "Update"),
    ("link", "Link to Existing"),
    ("skip", "Skip"),
    ("conflict", "Conflict"),
    ("error", "Invalid"),
]


class CrmImportLine(models.Model):
    """A row of an import: what it would do (preview) and what it did (report)."""

    _name = "crm.import.line"
    _description = "Import Row"
    _order = "job_id, row"
    _rec_name = "row"

    job_id = fields.Many2one("crm.import.job", required=True, ondelete="cascade", index=True)
    row = fields.Integer(readonly=True, help="Row number in the sheet, as the spreadsheet shows it.")
    name = fields.Char(string="Client Name", readonly=True)
    contact_name = fields.Char(string="Contact", readonly=True)
    action = fields.Selection(LINE_ACTIONS, required=True, readonly=True, index=True)
    reason = fields.Char(readonly=True, help="Why: what matched, within the file or in the directory.")
    problems = fields.Text(
        string="Invalid Values", readonly=True, help="Values kept but flagged, or refused, by column."
    )
    changes = fields.Text(readonly=True, help="The fields an update would fill.")
    values = fields.Json(readonly=True)
    match_kinds = fields.Char(string="Matched On", readonly=True)
    origin_row = fields.Integer(
        string="Same As Row", readonly=True, help="The earlier row of the same client."
    )
    partner_id = fields.Many2one("res.partner", string="Existing Client", readonly=True, ondelete="set null")
    contact_id = fields.Many2one("res.partner", string="Existing Contact", readonly=True, ondelete="set null")
    lead_id = fields.Many2one("crm.lead", string="Existing Lead", readonly=True, ondelete="set null")
    candidate_ids = fields.Many2many(
        "res.partner", string="Candidates", readonly=True, help="The clients a conflicting row matches."
    )
    resolution_partner_id = fields.Many2one(
        "res.partner",
        string="Resolve As",
        ondelete="set null",
        help="For a conflict: the client this row is, then imported as a link to it.",
    )
    state = fields.Selection(
        [("pending", "Pending"), ("done", "Done"), ("failed", "Failed")],
        default="pending",
        required=True,
        readonly=True,
        index=True,
    )
    error = fields.Text(readonly=True, help="Why the row could not be written.")
    result_partner_id = fields.Many2one("res.partner", string="Client", readonly=True, ondelete="set null")
    result_lead_id = fields.Many2one("crm.lead", string="Lead", readonly=True, ondelete="set null")
    created = fields.Json(readonly=True, help="[model, id] of each record this row created (undo).")
    previous = fields.Json(
        readonly=True, help="[model, id, {field: value before}] of each record it updated."
    )
