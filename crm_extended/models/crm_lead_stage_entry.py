from odoo import api, fields, models

from ..services import stage_history


class CrmLeadStageEntry(models.Model):
    """A lead's entries into one stage, summed up from its stage history
    (``crm.lead.stage.history``): when it first and last entered the stage
    and how many times. One row per lead and stage, kept by the history's
    own create, write and unlink (in batch, per lead), back-filled from the
    history at install or upgrade. The forecast reads it instead of every
    stage change: a closed lead's furthest stage, a won lead's first entry
    of each stage, an open lead's entry into its current stage."""

    _name = "crm.lead.stage.entry"
    _description = "Lead Stage Entry"
    _order = "lead_id, date_first"
    _rec_name = "stage_id"
    _log_access = False

    lead_id = fields.Many2one("crm.lead", string="Lead", required=True, ondelete="cascade", readonly=True)
    stage_id = fields.Many2one("crm.stage", string="Stage", required=True, ondelete="cascade", readonly=True)
    date_first = fields.Datetime(string="First Entered", required=True, readonly=True)
    date_last = fields.Datetime(string="Last Entered", required=True, readonly=True)
    entry_count = fields.Integer(string="Times Entered", required=True, default=1, readonly=True)
    company_id = fields.Many2one(related="lead_id.company_id", string="Company")

    _sql_constraints = [
        ("lead_stage_unique", "UNIQUE (lead_id, stage_id)", "A lead enters a stage once in this summary."),
    ]

    def init(self):
        if stage_history.entries_missing(self.env.cr):
            stage_history.backfill_entries(self.env.cr)
            stage_history.refresh_paths(self.env.cr)

    @api.model
    def _crm_sync(self, leads):
        """Make the entries of ``leads`` say what their stage history says:
        one grouped read of the history, one read of the entries, then the
        rows that differ created, written or removed; then the stages the
        leads entered (``crm.lead.crm_stage_path``), one statement."""
        if not leads:
            return
        # sudo: a summary of the history, which is recorded whoever moves the lead
        History, Entry = self.env["crm.lead.stage.history"].sudo(), self.sudo()
        wanted = {
            (lead.id, stage.id): {"date_first": first, "date_last": last, "entry_count": count}
            for lead, stage, first, last, count in History._read_group(
                [("lead_id", "in", leads.ids)],
                ["lead_id", "stage_id"],
                ["date:min", "date:max", "__count"],
            )
        }
        current = Entry.search([("lead_id", "in", leads.ids)])
        stale = Entry.browse()
        for entry in current:
            vals = wanted.pop((entry.lead_id.id, entry.stage_id.id), None)
            if vals is None:
                stale |= entry
            elif any(entry[name] != value for name, value in vals.items()):
                entry.write(vals)
        stale.unlink()
        Entry.create([{"lead_id": lead, "stage_id": stage, **vals} for (lead, stage), vals in wanted.items()])
        Entry.flush_model()
        stage_history.refresh_paths(self.env.cr, leads.ids)
        leads.invalidate_recordset(["crm_stage_path"])
