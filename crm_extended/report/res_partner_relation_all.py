from odoo import fields, models, tools
from odoo.tools import SQL


class ResPartnerRelationAll(models.Model):
    """Every relation read from both sides: a row per relation and direction.

    "Show every company that is a supplier of X" is a plain search on this
    view, whichever side X was recorded on.
    """

    _name = "res.partner.relation.all"
    _description = "Client Relations, Both Directions"
    _auto = False
    _order = "this_partner_id, type_id, other_partner_id"
    _depends = {
        "res.partner.relation": ["left_partner_id", "right_partner_id", "type_id", "date_start", "date_end"],
        "res.partner.relation.type": ["active"],
    }

    relation_id = fields.Many2one("res.partner.relation", string="Relation Record", readonly=True)
    this_partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    other_partner_id = fields.Many2one("res.partner", string="Related Client", readonly=True)
    type_id = fields.Many2one("res.partner.relation.type", string="Relation Type", readonly=True)
    type_name = fields.Char(string="Relation", compute="_compute_type_name", search="_search_type_name")
    is_inverse = fields.Boolean(readonly=True)
    date_start = fields.Date(string="From", readonly=True)
    date_end = fields.Date(string="Until", readonly=True)
    active = fields.Boolean(readonly=True)

    def _compute_type_name(self):
        for row in self:
            row.type_name = row.type_id.name_inverse if row.is_inverse else row.type_id.name

    def _search_type_name(self, operator, value):
        types = self.env["res.partner.relation.type"].with_context(active_test=False)
        return [
            "|",
            "&",
            ("is_inverse", "=", False),
            ("type_id", "in", types._search([("name", operator, value)])),
            "&",
            ("is_inverse", "=", True),
            ("type_id", "in", types._search([("name_inverse", operator, value)])),
        ]

    def _select_direction(self, inverse):
        """One direction of the view; extension hook for more columns."""
        this, other = (
            ("right_partner_id", "left_partner_id") if inverse else ("left_partner_id", "right_partner_id")
        )
        return SQL(
            """
            SELECT rel.id * 2 + %(offset)s AS id,
                   rel.id AS relation_id,
                   rel.%(this)s AS this_partner_id,
                   rel.%(other)s AS other_partner_id,
                   rel.type_id,
                   %(inverse)s AS is_inverse,
                   rel.date_start,
                   rel.date_end,
                   (rel.date_end IS NULL OR rel.date_end >= CURRENT_DATE) AND typ.active AS active
              FROM res_partner_relation rel
              JOIN res_partner_relation_type typ ON typ.id = rel.type_id
            """,
            offset=1 if inverse else 0,
            this=SQL.identifier(this),
            other=SQL.identifier(other),
            inverse=inverse,
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s UNION ALL %s)",
                SQL.identifier(self._table),
                self._select_direction(False),
                self._select_direction(True),
            )
        )
