from odoo import fields, models

FIELD_SELECTION = [
    ("name", "Name"),
    ("vat", "Tax ID (INN)"),
    ("kpp", "KPP"),
    ("phone", "Phone"),
    ("mobile", "Mobile"),
    ("email", "E-mail"),
    ("website", "Website"),
    ("street", "Address"),
    ("city", "City"),
    ("zip", "ZIP"),
    ("country", "Country"),
    ("contact_name", "Contact Person"),
    ("function", "Job Position"),
    ("role", "Contact Role"),
    ("holding", "Holding (name or tax ID)"),
    ("comment", "Notes"),
    ("partner_name", "Company"),
    ("source", "Source"),
    ("medium", "Medium"),
    ("campaign", "Campaign"),
    ("user", "Salesperson (name or login)"),
    ("expected_revenue", "Expected Revenue"),
]


class CrmImportColumn(models.Model):
    """A column of the file being imported and the field it goes to (editable)."""

    _name = "crm.import.column"
    _description = "Import Column"
    _order = "job_id, sequence"

    job_id = fields.Many2one("crm.import.job", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(help="The column's position in the file, from 0.")
    header = fields.Char(readonly=True)
    field = fields.Selection(FIELD_SELECTION, string="Imported As", help="Empty: the column is not imported.")
