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
