from odoo import fields, models


class CrmFirstTouchMixin(models.AbstractModel):
    """Who touched the client first: the first user who answered its call or
    wrote it an e-mail, when and how. Written once, never overwritten (the
    salesperson may change; the first touch does not)."""

    _name = "crm.first.touch.mixin"
    _description = "First Touch"

    first_touch_user_id = fields.Many2one(
        "res.users", string="First Touch By", readonly=True, copy=False, groups="base.group_user"
    )
    first_touch_date = fields.Datetime(
        string="First Touch On", readonly=True, copy=False, groups="base.group_user"
    )
    first_touch_channel = fields.Selection(
        [("phone", "Phone"), ("email", "E-mail")],
        string="First Touch Channel",
        readonly=True,
        copy=False,
        groups="base.group_user",
    )

    def _crm_record_first_touch(self, user, when, channel):
        """Record ``user`` touching these records at ``when`` through
        ``channel`` where nobody has before."""
        untouched = self.filtered(lambda record: not record.first_touch_user_id)
        if untouched and user and not user.share:
            # sudo: a fact about the client, written whoever may edit the record
            untouched.sudo().write(
                {"first_touch_user_id": user.id, "first_touch_date": when, "first_touch_channel": channel}
            )

    def message_post(self, **kwargs):
        message = super().message_post(**kwargs)
        if (
            message.message_type == "comment"
            and message.subtype_id == self.env.ref("mail.mt_comment")
            and not self.env.user.share
            and not self.env.su
        ):
            self._crm_first_touch_targets()._crm_record_first_touch(self.env.user, message.date, "email")
        return message

    def _crm_first_touch_targets(self):
        """The records a touch of these records counts for (extension hook)."""
        return self
