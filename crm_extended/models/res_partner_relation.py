from odoo import api, fields, models


class ResPartnerRelation(models.Model):
    """A typed, optionally dated link between two clients."""

    _name = "res.partner.relation"
    _description = "Client Relation"
    _order = "left_partner_id, type_id, right_partner_id"
    _rec_names_search = ["left_partner_id", "right_partner_id", "type_id"]

    left_partner_id = fields.Many2one(
        "res.partner", string="Client", required=True, ondelete="cascade", index=True
    )
    type_id = fields.Many2one(
        "res.partner.relation.type", string="Relation", required=True, ondelete="restrict", index=True
    )
    right_partner_id = fields.Many2one(
        "res.partner", string="Related Client", required=True, ondelete="cascade", index=True
    )
    date_start = fields.Date(string="From")
    date_end = fields.Date(string="Until")
    note = fields.Char()

    _sql_constraints = [
        (
            "no_self_relation",
            "CHECK (left_partner_id != right_partner_id)",
            "A client cannot be related to itself.",
        ),
        (
            "dates_ordered",
            "CHECK (date_end IS NULL OR date_start IS NULL OR date_end >= date_start)",
            "A relation cannot end before it starts.",
        ),
        (
            "relation_uniq",
            "unique (left_partner_id, type_id, right_partner_id, date_start)",
            "This relation is already recorded.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        relations = super().create(vals_list)
        relations._mark_competitors()
        return relations

    def write(self, vals):
        result = super().write(vals)
        if {"type_id", "left_partner_id"} & set(vals):
            self._mark_competitors()
        return result

    def _mark_competitors(self):
        """The left client of an "is competitor of" relation is a competitor (#14)."""
        competitor_type = self.env.ref("crm_extended.relation_type_competitor", raise_if_not_found=False)
        partners = self.filtered(lambda relation: relation.type_id == competitor_type).left_partner_id
        # sudo: the flag is read by salespeople, who may record relations without the field's group
        partners.sudo().filtered(lambda partner: not partner.is_competitor).is_competitor = True

    @api.depends("left_partner_id", "type_id", "right_partner_id")
    def _compute_display_name(self):
        for relation in self:
            relation.display_name = " ".join(
                filter(
                    None,
                    [
                        relation.left_partner_id.display_name,
                        relation.type_id.name,
                        relation.right_partner_id.display_name,
                    ],
                )
            )
