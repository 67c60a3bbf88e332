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
    crm_segment_model = fields.Selection(
        [("res.partner", "Contacts"), ("crm.lead", "Leads")],
        string="Segment Of",
        compute="_compute_crm_segment_model",
        store=True,
        readonly=False,
        help="What the segment selects: contacts of the directory or leads.",
    )
    crm_description = fields.Text(string="Description")
    crm_record_count = fields.Integer(
        string="Records",
        compute="_compute_crm_record_count",
        help="How many contacts or leads the segment selects now, as you may see them.",
    )

    @api.depends("mailing_model_id")
    def _compute_crm_segment_model(self):
        for segment in self:
            model = segment.sudo().mailing_model_id.model  # sudo: salespeople do not read ir.model
            segment.crm_segment_model = model if model in SEGMENT_MODELS else False

    @api.depends("mailing_domain", "mailing_model_id")
    @api.depends_context("uid", "allowed_company_ids")
    def _compute_crm_record_count(self):
        for segment in self:
            segment.crm_record_count = segment._crm_search_count()

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._crm_set_model_vals(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._crm_set_model_vals(vals)
        return super().write(vals)

    @api.model
    def _crm_set_model_vals(self, vals):
        """A segment chosen as contacts or leads targets that model (people
        without access to the model registry choose it that way)."""
        if vals.get("crm_segment_model") and not vals.get("mailing_model_id"):
            vals["mailing_model_id"] = self.env["ir.model"]._get_id(vals["crm_segment_model"])

    def _crm_domain(self):
        self.ensure_one()
        return literal_eval(self.mailing_domain or "[]")

    def _crm_search_count(self):
        """The number of records the segment selects for the current user."""
        self.ensure_one()
        model = self.sudo().mailing_model_id.model  # sudo: salespeople do not read ir.model
        if not model or model not in self.env:
            return 0
        return self.env[model].search_count(self._crm_domain())

    def action_crm_view_records(self):
        self.ensure_one()
        model = self.sudo().mailing_model_id.model  # sudo: salespeople do not read ir.model
        return {
            "type": "ir.actions.act_window",
            "name": self.name,
            "res_model": model,
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": self._crm_domain(),
        }
