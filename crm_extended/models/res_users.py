from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResUsers(models.Model):
    _inherit = "res.users"

    crm_phone_extension = fields.Char(
        string="Phone Extension",
        index="btree_not_null",
        help="The user's internal number on the company's PBX: calls ringing there are announced to them.",
    )

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + ["crm_phone_extension"]

    @api.constrains("crm_phone_extension", "company_ids", "active")
    def _check_crm_phone_extension(self):
        for user in self.filtered(lambda user: user.crm_phone_extension and user.active):
            twin = self.search(
                [
                    ("id", "!=", user.id),
                    ("crm_phone_extension", "=", user.crm_phone_extension),
                    ("company_ids", "in", user.company_ids.ids),
                ],
                limit=1,
            )
            if twin:
                raise ValidationError(
                    self.env._(
                        "Extension %(extension)s is already %(user)s's: one extension rings one user.",
                        extension=user.crm_phone_extension,
                        user=twin.name,
                    )
                )

    @api.model
    def _crm_click_to_dial_connection(self):
        """The PBX connection the current user dials through (their company's
        first active connection able to originate calls, when the user has an
        extension), or an empty recordset."""
        user = self.env.user
        if not user.crm_phone_extension:
            return self.env["crm.pbx.connection"]
        # sudo: connections are configured by administrators; the user only dials through one
        return (
            self.env["crm.pbx.connection"]
            .sudo()
            .search(
                [("company_id", "=", self.env.company.id), ("adapter", "in", self._crm_dialling_adapters())],
                limit=1,
            )
        )

    @api.model
    def _crm_dialling_adapters(self):
        """Adapters that can originate a call (extension hook)."""
        return ["asterisk", "mango"]
