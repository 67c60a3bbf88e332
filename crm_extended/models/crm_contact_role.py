from odoo import fields, models


class CrmContactRole(models.Model):
    """What a contact person of a client is the one to call for."""

    _name = "crm.contact.role"
    _description = "Contact Role"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        help="Technical key documents use to find the contact for a purpose "
        "(buyer, accountant, storekeeper).",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True, help="What this contact is the one to call for.")
    partner_ids = fields.Many2many(
        "res.partner",
        "crm_contact_role_res_partner_rel",
        "role_id",
        "partner_id",
        string="Contacts",
    )

    _sql_constraints = [
        ("code_uniq", "unique (code)", "Two contact roles cannot share a technical key."),
    ]
