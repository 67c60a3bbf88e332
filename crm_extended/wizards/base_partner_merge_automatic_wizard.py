from odoo import models


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _merge(self, partner_ids, dst_partner=None, extra_checks=True):
        """Odoo's merge moves the leads of the merged contacts in SQL: the client
        facts of the entities involved (first touch, first win) are recomputed
        over their leads as they now are."""
        Partner = self.env["res.partner"]
        clients = Partner.browse(partner_ids).exists().commercial_partner_id
        result = super()._merge(partner_ids, dst_partner=dst_partner, extra_checks=extra_checks)
        survivors = Partner.browse(partner_ids).exists()
        self.env["crm.lead"]._crm_refresh_client_facts((clients | survivors.commercial_partner_id).ids)
        return result
