from ast import literal_eval

from odoo import api, fields, models

# The models a segment may select: contacts (the directory) and leads.
SEGMENT_MODELS = ("res.partner", "crm.lead")


class MailingFilter(models.Model):
    """A segment is one of mass mailing's saved filters, marked as such: a
    named domain over contacts or leads built with Odoo's domain editor. A
    mailing takes it as its recipients (its *Favorite Filter*), a campaign as
    its target and an analysis as a filter."""

    _inherit = "mailing.filter"

    crm_is_segment = fields.Boolean(
        string="Segment",
        help="Offered as a campaign's target segment and listed under CRM > Directory > Segments.",
    )
    crm_description = fields.Text(string="Description")
    crm_record_count = fields.Integer(
        string="Records",
        compute="_compute_crm_record_count",
        help="How many contacts or leads the segment selects now, as you may see them.",
    )

    @api.depends("mailing_domain", "mailing_model_id")
    @api.depends_context("uid", "allowed_company_ids")
    def _compute_crm_record_count(self):
        for segment in self:
            segment.crm_record_count = segment._crm_search_count()

    def _crm_domain(self):
        self.ensure_one()
        return literal_eval(self.mailing_domain or "[]")

    def _crm_search_count(self):
        """The number of records the segment selects for the current user."""
        self.ensure_one()
        model = self.mailing_model_id.model
        if not model or model not in self.env:
            return 0
        return self.env[model].search_count(self._crm_domain())

    def action_crm_view_records(self):
        self.ensure_one()
        model = self.mailing_model_id.model
        return {
            "type": "ir.actions.act_window",
            "name": self.name,
            "res_model": model,
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": self._crm_domain(),
        }
