from odoo import models

from ..services import amount_words


class CrmAmountWordsMixin(models.AbstractModel):
    """Documents whose total is also written out in the partner's language."""

    _name = "crm.amount.words.mixin"
    _description = "Total in Words"

    def _crm_set_amount_total_words(self, applies=None):
        """Fill ``amount_total_words`` from ``amount_total``, ``currency_id`` (its
        decimal places and unit/subunit labels) and the partner's language (else the
        user's); False where ``applies`` says no. Currency labels are read once per
        language, not per document."""
        default_lang = self.env.lang or self.env.user.lang
        labels = {}  # language -> {currency id: (unit, subunit)}
        for record in self:
            currency = record.currency_id
            if not currency or (applies and not applies(record)):
                record.amount_total_words = False
                continue
            lang = record.partner_id.lang or default_lang
            if lang not in labels:
                labels[lang] = {
                    cur.id: (cur.currency_unit_label, cur.currency_subunit_label)
                    for cur in self.currency_id.with_context(lang=lang)
                }
            record.amount_total_words = amount_words.amount_in_words(
                record.amount_total,
                currency.name,
                lang,
                labels[lang][currency.id],
                decimal_places=currency.decimal_places,
            )
