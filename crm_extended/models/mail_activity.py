from odoo import fields, models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    crm_task_template_id = fields.Many2one(
        "crm.task.template",
        string="Recurring Task",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )

    def _action_done(self, feedback=False, attachment_ids=None):
        """A lead's *First contact* marked done by hand (a contact the CRM did
        not log: a visit, a messenger) stops its response clock, as marked done."""
        if not self.env.context.get("crm_response_closing"):
            first_contact = self.env.ref(
                "crm_extended.mail_activity_type_first_contact", raise_if_not_found=False
            )
            mine = self.filtered(
                lambda activity: activity.res_model == "crm.lead"
                and activity.activity_type_id == first_contact
            )
            if mine:
                # sudo: the clock is a fact about the lead, stopped by whoever the task was given to
                leads = self.env["crm.lead"].sudo().browse(mine.mapped("res_id")).exists()
                leads = leads.filtered(lambda lead: lead.response_activity_id in mine)
                leads.with_context(crm_response_closing=True)._crm_mark_responded(
                    fields.Datetime.now(), "manual"
                )
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
