from odoo import fields, models

from ..services.sql_indexes import create_upper_index

SERVICE_READERS = "crm_extended.group_crm_extended_service_user,sales_team.group_sale_salesman"


class StockLot(models.Model):
    _inherit = "stock.lot"

    # an extended warranty sold for this unit, on the order that sold it
    service_warranty_extension_months = fields.Integer(
        string="Extended Warranty (Months)", help="Months added to the product's warranty for this unit."
    )
    service_warranty_order_id = fields.Many2one(
        "sale.order", string="Extended Warranty Sold On", index="btree_not_null", check_company=True
    )
    service_case_ids = fields.One2many(
        "crm.service.case", "lot_id", string="Service Cases", groups=SERVICE_READERS
    )
    service_case_count = fields.Integer(
        string="Cases", compute="_compute_service_case_count", groups=SERVICE_READERS
    )

    def init(self):
        super().init()
        # the delivery desk finds deliveries by serial number
        create_upper_index(self.env.cr, self._table, "name")

    def _compute_service_case_count(self):
        counts = dict(
            self.env["crm.service.case"]._read_group([("lot_id", "in", self.ids)], ["lot_id"], ["__count"])
        )
        for lot in self:
            lot.service_case_count = counts.get(lot, 0)

    def action_view_service_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_extended.crm_service_case_action")
        action["domain"] = [("lot_id", "=", self.id)]
        action["context"] = {"default_lot_id": self.id}
        return action
