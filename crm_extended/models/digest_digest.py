from datetime import timedelta

from odoo import fields, models
from odoo.exceptions import AccessError


class DigestDigest(models.Model):
    _inherit = "digest.digest"

    kpi_crm_kpi_plan_percent = fields.Boolean("Sales Plan Done (%)")
    kpi_crm_kpi_plan_percent_value = fields.Float(compute="_compute_kpi_crm_kpi_plan_percent_value")

    def _compute_kpi_crm_kpi_plan_percent_value(self):
        """Invoiced revenue of the digest's period against the targets of its months, in %, for
        the recipient's view (a salesperson: their own; a team leader: their team; managers: all)."""
        if not self.env.user.has_group("sales_team.group_sale_salesman"):
            raise AccessError(self.env._("Do not have access, skip this data for user's digest email"))
        start, end, companies = self._get_kpi_compute_parameters()
        start = fields.Datetime.to_datetime(start).date().replace(day=1)
        last = (fields.Datetime.to_datetime(end) - timedelta(seconds=1)).date().replace(day=1)
        Report = self.env["crm.kpi.report"].with_context(allowed_company_ids=companies.ids)
        groups = Report._read_group(
            [
                ("kpi", "=", "invoiced"),
                ("level", "=", "person"),
                ("month", ">=", start),
                ("month", "<=", last),
            ],
            [],
            ["target:sum", "fact:sum"],
        )
        target, fact = groups[0] if groups else (0.0, 0.0)
        for digest in self:
            digest.kpi_crm_kpi_plan_percent_value = (fact or 0.0) / target * 100.0 if target else 0.0

    def _compute_kpis_actions(self, company, user):
        res = super()._compute_kpis_actions(company, user)
        menu = self.env.ref("crm.crm_menu_root").id
        res["kpi_crm_kpi_plan_percent"] = f"crm_extended.crm_kpi_report_action&menu_id={menu}"
        return res
