from odoo import api, fields, models

from ..services import stage_history
from ..services.sql_indexes import SUFFIX, create_covering_index


class CrmLeadStageHistory(models.Model):
    """One stage change of a lead or opportunity: from which stage to which,
    when, by whom and the expected revenue at that moment. Written by the
    lead itself on every change (its creation counts as entering its first
    stage) and back-filled at install from Odoo's tracking values of
    ``stage_id``. Read-only for everybody: a fact, not a document. Its
    summary per lead and stage (``crm.lead.stage.entry``) follows every
    create, write and unlink."""

    _name = "crm.lead.stage.history"
    _description = "Lead Stage Change"
    _order = "date desc, id desc"
    _rec_name = "stage_id"

    lead_id = fields.Many2one("crm.lead", string="Lead", required=True, ondelete="cascade", index=True)
    stage_from_id = fields.Many2one("crm.stage", string="From Stage", ondelete="set null")
    stage_id = fields.Many2one("crm.stage", string="To Stage", required=True, ondelete="cascade", index=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    user_id = fields.Many2one("res.users", string="Changed By", ondelete="set null")
    company_id = fields.Many2one("res.company", string="Company", index=True)
    currency_id = fields.Many2one("res.currency", string="Currency")
    expected_revenue = fields.Monetary(
        string="Expected Revenue Then", help="The lead's expected revenue when it entered the stage."
    )
    team_id = fields.Many2one(related="lead_id.team_id", string="Sales Team")
    salesperson_id = fields.Many2one(related="lead_id.user_id", string="Salesperson")

    def init(self):
        # each lead's changes in order, with their stage: the funnel's time in stage (the window
        # over a year of changes, 737,265 rows) reads the index alone, already in order
        create_covering_index(
            self.env.cr,
            f"crm_lead_stage_history_lead_date_{SUFFIX}",
            self._table,
            ["lead_id", "date", "id"],
            ["stage_id"],
            "TRUE",
        )
        # the former index, without the stage
        self.env.cr.execute("DROP INDEX IF EXISTS crm_lead_stage_history_lead_date_idx")
        if stage_history.is_empty(self.env.cr):
            stage_history.backfill(self.env.cr)

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env["crm.lead.stage.entry"]._crm_sync(records.lead_id)
        return records

    def write(self, vals):
        leads = self.lead_id
        result = super().write(vals)
        if {"lead_id", "stage_id", "date"}.intersection(vals):
            self.env["crm.lead.stage.entry"]._crm_sync(leads | self.lead_id)
        return result

    def unlink(self):
        leads = self.lead_id
        result = super().unlink()
        self.env["crm.lead.stage.entry"]._crm_sync(leads.exists())
        return result

    @api.model
    def _crm_record(self, changes):
        """Write the stage changes ``changes``: (lead, old stage or empty, new
        stage), one create for them all."""
        vals_list = [
            {
                "lead_id": lead.id,
                "stage_from_id": old.id or False,
                "stage_id": new.id,
                "date": fields.Datetime.now(),
                "user_id": self.env.uid,
                "company_id": lead.company_id.id or False,
                "currency_id": lead.company_currency.id or self.env.company.currency_id.id,
                "expected_revenue": lead.expected_revenue,
            }
            for lead, old, new in changes
            if new
        ]
        # sudo: the history is a fact recorded whoever moves the lead; nobody writes it by hand
        return self.sudo().create(vals_list) if vals_list else self.browse()
