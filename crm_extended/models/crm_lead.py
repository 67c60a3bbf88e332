from odoo import api, fields, models

from ..services import phone as phone_service


class CrmLead(models.Model):
    _inherit = "crm.lead"

    partner_vat = fields.Char(
        string="Tax ID",
        help="The prospect's tax id (INN in Russia): converting the lead looks for a customer with it.",
    )
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
    duplicate_partner_ids = fields.Many2many(
        "res.partner",
        compute="_compute_duplicate_partner_ids",
        string="Matching Customers",
        help="Customers with the same tax id, phone or e-mail as this lead.",
    )
    duplicate_warning = fields.Char(compute="_compute_duplicate_partner_ids")

    @api.depends("phone", "mobile", "country_id")
    def _compute_phone_keys(self):
        for lead in self:
            region = (lead.country_id or lead.company_id.country_id or self.env.company.country_id).code
            lead.phone_e164 = phone_service.normalize(lead.phone, region)
            lead.mobile_e164 = phone_service.normalize(lead.mobile, region)
            lead.phone_invalid = bool(
                (lead.phone and not lead.phone_e164) or (lead.mobile and not lead.mobile_e164)
            )

    @api.depends("partner_vat", "phone_e164", "mobile_e164", "email_from", "partner_id")
    def _compute_duplicate_partner_ids(self):
        Partner = self.env["res.partner"]
        for lead in self:
            matches = Partner.browse() if lead.partner_id else lead._crm_matching_partners()
            lead.duplicate_partner_ids = matches
            lead.duplicate_warning = lead._crm_match_message(matches) if matches else False

    def _crm_matching_partners(self):
        """Customers sharing this lead's tax id, phone or e-mail, companies first."""
        self.ensure_one()
        Partner = self.env["res.partner"]
        matches = Partner._crm_find_duplicates(
            tax_key=Partner._crm_tax_key(self.partner_vat, self.country_id.code),
            phone_keys=[self.phone_e164, self.mobile_e164],
            email=self.email_from,
        )
        return matches.sorted(lambda p: (not p.is_company, p.id))

    def _crm_match_reasons(self, partner):
        Partner = self.env["res.partner"]
        reasons = []
        tax_key = Partner._crm_tax_key(self.partner_vat, self.country_id.code)
        if tax_key and partner.tax_key == tax_key:
            reasons.append(self.env._("tax id"))
        if ({self.phone_e164, self.mobile_e164} - {False, None}) & {partner.phone_e164, partner.mobile_e164}:
            reasons.append(self.env._("phone"))
        if self.email_normalized and partner.email_normalized == self.email_normalized:
            reasons.append(self.env._("e-mail"))
        return reasons

    def _crm_match_message(self, matches):
        return self.env._(
            "Already a customer? %(matches)s",
            matches="; ".join(
                self.env._(
                    "%(partner)s (same %(reasons)s)",
                    partner=match.display_name,
                    reasons=", ".join(self._crm_match_reasons(match)),
                )
                for match in matches
            ),
        )

    def _find_matching_partner(self, email_only=False):
        """Strong keys first: a customer with the lead's tax id, phone or
        e-mail is the customer, before Odoo's own e-mail and name guesses."""
        self.ensure_one()
        if not self.partner_id:
            matches = self._crm_matching_partners()
            if matches:
                return matches[0]
        return super()._find_matching_partner(email_only=email_only)

    def _prepare_customer_values(self, partner_name, is_company=False, parent_id=False):
        values = super()._prepare_customer_values(partner_name, is_company=is_company, parent_id=parent_id)
        if is_company or not parent_id:
            values["vat"] = self.partner_vat
        return values
