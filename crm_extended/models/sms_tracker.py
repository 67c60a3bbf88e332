from odoo import fields, models


class SmsTracker(models.Model):
    """The provider's id of the SMS a tracker follows: delivery reports find the
    chatter's notification and the mailing trace by it, after the SMS itself
    was deleted (Odoo deletes sent SMS)."""

    _inherit = "sms.tracker"

    crm_provider_id = fields.Many2one(
        "crm.sms.provider", string="SMS Provider", readonly=True, index="btree_not_null"
    )
    crm_provider_ref = fields.Char(string="Provider Message Id", readonly=True, index="btree_not_null")
