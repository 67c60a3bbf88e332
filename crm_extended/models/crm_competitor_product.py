from odoo import api, fields, models


class CrmCompetitorProduct(models.Model):
    """One of our products as a competitor sells it: their name, reference and page.

    A product of ours has several of them (one per competitor); a price-list
    import finds our product by them first (then by reference, then by name).
    """

    _name = "crm.competitor.product"
    _description = "Competitor Product"
    _order = "competitor_id, product_id"
    _rec_names_search = ["name", "reference", "product_id"]

    competitor_id = fields.Many2one(
        "res.partner",
        string="Competitor",
        required=True,
        index=True,
        ondelete="cascade",
        domain=[("is_competitor", "=", True)],
    )
    product_id = fields.Many2one(
        "product.product", string="Our Product", required=True, index=True, ondelete="cascade"
    )
    name = fields.Char(string="Their Name", help="The name under which the competitor sells it.")
    reference = fields.Char(string="Their Reference", index="btree_not_null")
    url = fields.Char(string="Page", help="Where the competitor shows it.")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "competitor_product_uniq",
            "unique (competitor_id, product_id, company_id)",
            "This product is already mapped for this competitor.",
        ),
    ]

    @api.depends("competitor_id.name", "product_id.display_name", "name", "reference")
    def _compute_display_name(self):
        for mapping in self:
            theirs = " ".join(
                part for part in (mapping.reference and f"[{mapping.reference}]", mapping.name) if part
            )
            mapping.display_name = (
                f"{mapping.competitor_id.name}: {theirs or mapping.product_id.display_name}"
            )

    @api.model
    def _find_products(self, competitor, references=(), names=()):
        """{("reference"|"name", key): product} of this competitor's mappings
        matching the given references and names (case-insensitive)."""
        found = {}
        references = {ref.strip().lower() for ref in references if ref and ref.strip()}
        names = {name.strip().lower() for name in names if name and name.strip()}
        if not references and not names:
            return found
        mappings = self.search([("competitor_id", "=", competitor.id)])
        for mapping in mappings:
            if mapping.reference and mapping.reference.strip().lower() in references:
                found[("reference", mapping.reference.strip().lower())] = mapping.product_id
            if mapping.name and mapping.name.strip().lower() in names:
                found[("name", mapping.name.strip().lower())] = mapping.product_id
        return found
