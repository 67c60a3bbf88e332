from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..services import portal_scope


class ResUsers(models.Model):
    _inherit = "res.users"

    crm_phone_extension = fields.Char(
        string="Phone Extension",
        index="btree_not_null",
        help="The user's internal number on the company's PBX: calls ringing there are announced to them.",
    )

    # the portal scope, read by the record rules of security/crm_portal_security.xml
    crm_portal_group_ids = fields.Many2many(
        "crm.client.group",
        string="Portal Holdings",
        compute="_compute_crm_portal_scope",
        compute_sudo=True,
        help="The holding whose every entity this portal user sees (a holding representative's).",
    )
    crm_portal_documents = fields.Char(
        string="Portal Documents",
        compute="_compute_crm_portal_scope",
        compute_sudo=True,
        help="The kinds of documents the contact's roles open in the portal, comma separated.",
    )
    crm_portal_invoices = fields.Boolean(
        string="Portal: Invoices", compute="_compute_crm_portal_scope", compute_sudo=True
    )
    crm_portal_deliveries = fields.Boolean(
        string="Portal: Deliveries", compute="_compute_crm_portal_scope", compute_sudo=True
    )

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + ["crm_phone_extension"]

    @api.depends(
        "partner_id.active",
        "partner_id.crm_portal_holding",
        "partner_id.contact_role_ids.code",
        "partner_id.commercial_partner_id.client_group_id",
    )
    def _compute_crm_portal_scope(self):
        for user in self:
            partner = user.partner_id
            if not partner.active:
                documents = frozenset()
            else:
                documents = portal_scope.documents_for_roles(partner.contact_role_ids.mapped("code"))
            group = partner.commercial_partner_id.client_group_id
            user.crm_portal_group_ids = group if partner.active and partner.crm_portal_holding else False
            user.crm_portal_documents = ",".join(sorted(documents))
            user.crm_portal_invoices = portal_scope.INVOICES in documents
            user.crm_portal_deliveries = portal_scope.DELIVERIES in documents

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

    def _crm_portal_sees(self, document):
        """Whether this (portal) user's contact roles open ``document`` (services/portal_scope)."""
        self.ensure_one()
        return document in (self.crm_portal_documents or "").split(",")

    def _crm_portal_entity_domain(self, path="partner_id.commercial_partner_id"):
        """The domain of the legal entities this portal user sees, on the commercial partner at
        ``path``: its own entity, and every entity of its holding for a representative."""
        self.ensure_one()
        if not self.partner_id.active:
            return [(0, "=", 1)]
        domain = [(path, "=", self.commercial_partner_id.id)]
        if self.crm_portal_group_ids:
            domain = ["|", *domain, (f"{path}.client_group_id", "in", self.crm_portal_group_ids.ids)]
        return domain

    def _crm_portal_entities(self):
        """The legal entities (commercial partners) this portal user sees, own entity first."""
        self.ensure_one()
        if not self.partner_id.active:
            return self.env["res.partner"]
        own = self.commercial_partner_id
        if not self.crm_portal_group_ids:
            return own
        # sudo: the names of the holding's entities, which the representative sees
        return own | self.env["res.partner"].sudo().search(
            [("client_group_id", "in", self.crm_portal_group_ids.ids), ("parent_id", "=", False)],
            order="name",
        )
