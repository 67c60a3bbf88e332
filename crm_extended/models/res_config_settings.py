from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    crm_overdue_reminder_days = fields.Integer(related="company_id.crm_overdue_reminder_days", readonly=False)
    crm_overdue_reminders = fields.Integer(related="company_id.crm_overdue_reminders", readonly=False)
