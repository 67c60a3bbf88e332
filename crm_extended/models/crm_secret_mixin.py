from odoo import models


class CrmSecretMixin(models.AbstractModel):
    """Secrets that administrators type and nobody reads back (PBX connections,
    SMS providers): each is stored in a field no group may read
    (``groups=fields.NO_ACCESS``) through a write-only field whose compute
    always gives False."""

    _name = "crm.secret.mixin"
    _description = "Write-Only Secrets"

    def _crm_store_typed_secret(self, typed_field, stored_field):
        """Store what was typed in ``typed_field`` into ``stored_field``."""
        for record in self.filtered(typed_field):
            # sudo: the stored secret is readable by no group
            record.sudo()[stored_field] = record[typed_field]
        # what was typed must not come back in the form's answer
        self.invalidate_recordset([typed_field])
