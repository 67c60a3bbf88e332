from odoo import api, fields, models

from ..services import phone as phone_service


class CrmPhoneKeyMixin(models.AbstractModel):
    """Phone and mobile stored again as E.164 keys next to what was typed.

    The keys are what caller identification and duplicate detection compare.
    A number that is not valid is kept as typed, gets no key and is flagged.
    Models using it have ``phone``, ``mobile`` and ``country_id`` fields and
    say in :meth:`_crm_phone_region` which country national numbers are read in.
    """

    _name = "crm.phone.key.mixin"
    _description = "Normalised Phone Keys"

    phone_e164 = fields.Char(
        string="Phone Key",
        compute="_compute_phone_keys",
        store=True,
        index="btree_not_null",
        help="Phone in E.164 form, the key caller identification and duplicate detection use.",
    )
    mobile_e164 = fields.Char(
        string="Mobile Key",
        compute="_compute_phone_keys",
        store=True,
        index="btree_not_null",
    )
    phone_invalid = fields.Boolean(
        string="Invalid Phone",
        compute="_compute_phone_keys",
        store=True,
        help="A phone or mobile is filled in but is not a valid number; it is kept as typed.",
    )

    @api.depends("phone", "mobile", "country_id", "company_id")
    def _compute_phone_keys(self):
        for record in self:
            region = record._crm_phone_region()
            record.phone_e164 = phone_service.normalize(record.phone, region)
            record.mobile_e164 = phone_service.normalize(record.mobile, region)
            record.phone_invalid = bool(
                (record.phone and not record.phone_e164) or (record.mobile and not record.mobile_e164)
            )

    def _crm_phone_region(self):
        """ISO code of the country whose national format this record's numbers are
        read in: the record's own country, else its company's, else the current one's."""
        if self.country_id:
            return self.country_id.code
        company = self.company_id if "company_id" in self._fields and self.company_id else self.env.company
        return self.env["res.partner"]._crm_company_region(company.id)
