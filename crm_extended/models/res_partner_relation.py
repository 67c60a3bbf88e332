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
        moving = {"type_id", "left_partner_id", "date_start", "date_end"} & set(vals)
        competitors_before = self._get_competitor_partners() if moving else None
        result = super().write(vals)
        if moving:
            self._mark_competitors()
            self._unmark_competitors(competitors_before - self._get_competitor_partners())
        return result

    def unlink(self):
        competitors = self._get_competitor_partners()
        result = super().unlink()
        self._unmark_competitors(competitors)
        return result

    def _get_competitor_partners(self):
        """The left clients of these relations that are "is competitor of" relations in force
        today (started, not ended)."""
        competitor_type = self.env.ref("crm_extended.relation_type_competitor", raise_if_not_found=False)
        today = fields.Date.context_today(self)
        return self.filtered(
            lambda relation: relation.type_id == competitor_type
            and not (relation.date_start and relation.date_start > today)
            and not (relation.date_end and relation.date_end < today)
        ).left_partner_id

    @api.model
    def _in_force_domain(self):
        today = fields.Date.context_today(self)
        return [
            "|", ("date_start", "=", False), ("date_start", "<=", today),
            "|", ("date_end", "=", False), ("date_end", ">=", today),
        ]  # fmt: skip

    def _mark_competitors(self):
        """The left client of an "is competitor of" relation is a competitor (#14); the flag
        remembers it came from a relation."""
        partners = self._get_competitor_partners()
        # sudo: the flag is read by salespeople, who may record relations without the field's group
        partners.sudo().filtered(lambda partner: not partner.is_competitor).write(
            {"is_competitor": True, "is_competitor_by_relation": True}
        )

    @api.model
    def _unmark_competitors(self, partners):
        """Of these partners, those flagged by a relation that have no "is competitor of"
        relation left lose the flag; a flag set (or kept) by hand stays (#14)."""
        competitor_type = self.env.ref("crm_extended.relation_type_competitor", raise_if_not_found=False)
        if not partners or not competitor_type:
            return
        # sudo: the remaining relations in force decide, whichever of them the user may read
        remaining = (
            self.sudo()
            .search(
                [("type_id", "=", competitor_type.id), ("left_partner_id", "in", partners.ids)]
                + self._in_force_domain()
            )
            .left_partner_id
        )
        (partners - remaining).sudo().filtered("is_competitor_by_relation").write(
            {"is_competitor": False, "is_competitor_by_relation": False}
        )

    @api.model
    def _cron_update_competitor_flags(self):
        """Daily: a competitor relation that ended yesterday clears the flag it set, one that
        starts today sets it (#14)."""
        competitor_type = self.env.ref("crm_extended.relation_type_competitor", raise_if_not_found=False)
        if not competitor_type:
            return
        relations = self.search([("type_id", "=", competitor_type.id)] + self._in_force_domain())
        relations._mark_competitors()
        flagged = (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search([("is_competitor_by_relation", "=", True)])
        )
        self._unmark_competitors(flagged)

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
