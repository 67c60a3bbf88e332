from collections import Counter

from odoo import models


class ResPartnerCategory(models.Model):
    """A partner tag as a customer group (Wholesale, Dealers): the price position compares the
    prices of the pricelist its clients are served (#14)."""

    _inherit = "res.partner.category"

    def _crm_get_pricelist_counts(self):
        """{pricelist: clients} over the clients tagged with this tag or a tag under it, in the
        current company: each client counted once, as its commercial entity (whose contacts share
        its pricelist), with the pricelist Odoo serves it (its own, its country group's, the
        default)."""
        self.ensure_one()
        clients = self.env["res.partner"].search([("category_id", "child_of", self.id)]).commercial_partner_id
        return Counter(self.env["product.pricelist"]._get_partner_pricelist_multi(clients.ids).values())

    def _crm_get_pricelist(self):
        """The pricelist most of the group's clients are served (the first in the pricelists'
        order on a tie), empty when no client has the tag."""
        counts = self._crm_get_pricelist_counts()
        if not counts:
            return self.env["product.pricelist"]
        pricelists = self.env["product.pricelist"].browse([pricelist.id for pricelist in counts]).sorted()
        return max(pricelists, key=lambda pricelist: counts[pricelist])
