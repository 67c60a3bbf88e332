from odoo import api, fields, models
from odoo.exceptions import UserError


class CrmLeadNextStep(models.AbstractModel):
    """An open deal without a next step: an opportunity, neither won nor
    lost, with no activity planned. Flagged on the pipeline, listed for the
    managers, given one by ``crm.next.step.rule``."""

    _name = "crm.lead.next.step"
    _description = "Deal Next Step"

    crm_no_next_step = fields.Boolean(
        string="No Next Step", compute="_compute_crm_no_next_step", search="_search_crm_no_next_step"
    )

    @api.depends("type", "active", "probability", "activity_ids")
    def _compute_crm_no_next_step(self):
        for lead in self:
            lead.crm_no_next_step = (
                lead.type == "opportunity"
                and lead.active
                and lead.probability < 100
                and not lead.activity_ids
            )

    def _search_crm_no_next_step(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Search No Next Step with = or != and True or False."))
        domain = self._crm_no_next_step_domain()
        return domain if (operator == "=") == value else ["!", *domain]

    @api.model
    def _crm_no_next_step_domain(self):
        return [
            "&",
            "&",
            ("type", "=", "opportunity"),
            ("probability", "<", 100),
            ("activity_ids", "=", False),
        ]
