from odoo import models

from ..services.sql_indexes import SUFFIX, create_covering_index


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    def init(self):
        super().init()
        # the KPI board's paid revenue: a month's reconciliations by their date, in this index alone
        create_covering_index(
            self.env.cr,
            f"account_partial_reconcile_kpi_{SUFFIX}",
            self._table,
            ["max_date"],
            ["debit_move_id", "credit_move_id", "amount"],
            "max_date IS NOT NULL",
        )
