from odoo import fields, models


class ResPartnerRelationType(models.Model):
    """A kind of link between two clients, read one way and the other."""

    _name = "res.partner.relation.type"
    _description = "Client Relation Type"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True, help="Read from the left client: 'is parent of'.")
    name_inverse = fields.Char(
        string="Reverse Name",
        required=True,
        translate=True,
        help="Read from the right client: 'is subsidiary of'.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    is_sensitive = fields.Boolean(
        string="Competitor Intelligence",
        help="Relations of this type (who competes with whom) are readable only by the "
        "competitor-intelligence group, like competitor prices: accountants, warehouse staff and plain "
        "salespeople do not see them.",
    )
    relation_ids = fields.One2many("res.partner.relation", "type_id", string="Relations")
