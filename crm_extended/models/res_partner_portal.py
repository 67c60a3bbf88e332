from odoo import api, fields, models

# a change of these on a portal user's contact changes what the user's record rules let through
PORTAL_SCOPE_FIELDS = {"crm_portal_holding", "contact_role_ids", "parent_id", "is_company", "active"}


class ResPartner(models.Model):
    """The client's side of the portal: who sees the holding, what each contact is told.

    Kept apart from res_partner.py (the directory) so that the portal's fields and
    hooks read on their own."""

    _inherit = "res.partner"

    crm_portal_holding = fields.Boolean(
        string="Holding Representative",
        help="In the portal, this contact sees the orders, deliveries, invoices and service requests of "
        "every legal entity of its company's holding, each labelled with its entity.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        if any(vals.get("crm_portal_holding") for vals in vals_list):
            self.env.registry.clear_cache()  # ir.rule: the portal scope of the users
        return partners

    def write(self, vals):
        result = super().write(vals)
        if "client_group_id" in vals or (
            PORTAL_SCOPE_FIELDS.intersection(vals) and self.sudo().with_context(active_test=False).user_ids
        ):
            # sudo: whether a portal user logs in as this contact; ir.rule caches each user's scope
            self.env.registry.clear_cache()
        return result
