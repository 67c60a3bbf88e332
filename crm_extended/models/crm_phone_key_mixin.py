from odoo import api, fields, models

from ..services import phone as phone_service


class CrmPhoneKeyMixin(models.AbstractModel):
    """Phone and mobile stored again as E.164 keys next to what was typed.

    The keys are what caller identification and duplicate detection compare.
    A number that is not valid is kept as typed, gets no key and is flagged.
    Models using it have ``phone``, ``mobile`` and ``country_id`` fields and
    say in :meth:`_crm_phone_regions` which countries national numbers are read in.
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
        # the regions depend on the record's country and company only: read
        # once per pair, not once per record (an import creates thousands)
        regions_of = {}
        for record in self:
            company = record.company_id if "company_id" in record._fields else None
            place = (record.country_id.id, company.id if company else None)
            if place not in regions_of:
                regions_of[place] = record._crm_phone_regions()
            regions = regions_of[place]
            record.phone_e164 = phone_service.first_reading(record.phone, regions)
            record.mobile_e164 = phone_service.first_reading(record.mobile, regions)
            record.phone_invalid = bool(
                (record.phone and not record.phone_e164) or (record.mobile and not record.mobile_e164)
            )

    def _crm_phone_regions(self):
        """ISO codes of the countries whose national format this record's
        numbers are read in, in order; the first valid reading is stored.

        The record's own country alone when it has one. Otherwise its
        company's country (else the main company's: never the company the
        saving user happens to have selected, so that the same number typed
        by anybody gets the same key), then the countries the clients are
        in, most frequent first: a Russian client's "8 (495) 739-70-00" typed
        in a company elsewhere is still read as Russian."""
        if self.country_id:
            return [self.country_id.code]
        Partner = self.env["res.partner"]
        company = self.company_id if "company_id" in self._fields and self.company_id else None
        home = Partner._crm_company_region((company or self.env.ref("base.main_company")).id)
        return list(dict.fromkeys(region for region in (home, *Partner._crm_client_regions()) if region))
