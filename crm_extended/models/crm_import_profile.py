import json

from odoo import api, fields, models

from ..services import import_mapping

IMPORT_KINDS = [("partner", "Clients and Contacts"), ("lead", "Leads")]


class CrmImportProfile(models.Model):
    """A saved column mapping: the next file with the same headers uses it at once."""

    _name = "crm.import.profile"
    _description = "Import Mapping Profile"
    _order = "name, id"

    name = fields.Char(required=True)
    kind = fields.Selection(IMPORT_KINDS, required=True, default="partner")
    signature = fields.Char(index=True, readonly=True, help="Digest of the headers this mapping is for.")
    headers = fields.Text(readonly=True, help="The column headers, one per line.")
    mapping = fields.Json(readonly=True, help="{column header: field} of the columns imported.")
    user_id = fields.Many2one(
        "res.users", string="Saved By", default=lambda self: self.env.user, readonly=True
    )
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    active = fields.Boolean(default=True)

    @api.model
    def _crm_find(self, kind, headers):
        """The profile saved for these headers (and kind), newest first."""
        return self.search(
            [("kind", "=", kind), ("signature", "=", import_mapping.signature(headers))],
            order="id desc",
            limit=1,
        )

    def _crm_mapping(self, headers):
        """{column index: field} for ``headers`` by this profile."""
        self.ensure_one()
        by_header = self.mapping or {}
        return {
            index: by_header[import_mapping.normalize_header(header)]
            for index, header in enumerate(headers)
            if by_header.get(import_mapping.normalize_header(header))
        }

    @api.model
    def _crm_values(self, kind, headers, mapping):
        return {
            "kind": kind,
            "signature": import_mapping.signature(headers),
            "headers": "\n".join(headers),
            "mapping": {
                import_mapping.normalize_header(headers[index]): field for index, field in mapping.items()
            },
        }

    def _crm_describe(self):
        self.ensure_one()
        return json.dumps(self.mapping or {}, ensure_ascii=False)
