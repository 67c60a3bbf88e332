from datetime import datetime, time, timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestServiceUi(HttpCase):
    """A salesperson records a warranty claim by serial, sees "under warranty" and creates a repair."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.salesman = new_test_user(
            env,
            login="tour_service_sales",
            name="Tour Service Salesman",
            groups="sales_team.group_sale_salesman,crm_extended.group_crm_extended_service_user",
        )
        customer = env["res.partner"].create(
            {"name": "Tour Warranty Customer", "is_company": True, "user_id": cls.salesman.id}
        )
        product = env["product.product"].create(
            {
                "name": "Tour Office Chair",
                "type": "consu",
                "is_storable": True,
                "tracking": "serial",
                "service_warranty_months": 12,
            }
        )
        lot = env["stock.lot"].create({"name": "TOUR-SN-0001", "product_id": product.id})
        warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
        env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 1, lot_id=lot)
        customers = env.ref("stock.stock_location_customers")
        where = {"location_id": warehouse.lot_stock_id.id, "location_dest_id": customers.id}
        picking = env["stock.picking"].create(
            where
            | {
                "partner_id": customer.id,
                "picking_type_id": warehouse.out_type_id.id,
                "move_ids": [
                    Command.create(where | {"name": "chair", "product_id": product.id, "product_uom_qty": 1})
                ],
            }
        )
        picking.action_confirm()
        move = picking.move_ids
        move.move_line_ids.unlink()
        env["stock.move.line"].create(dict(move._prepare_move_line_vals(quantity=1), lot_id=lot.id))
        move.picked = True
        picking._action_done()
        moment = datetime.combine(fields.Date.today() - timedelta(days=40), time(12))
        picking.move_ids.move_line_ids.date = moment
        picking.date_done = moment
        cls.lot, cls.picking = lot, picking

    def test_salesperson_records_warranty_claim(self):
        """By serial: under warranty, with the delivery as proof; the repair made from the case too."""
        self.start_tour("/odoo", "crm_extended_service_warranty_tour", login="tour_service_sales")
        case = self.env["crm.service.case"].search([("lot_id", "=", self.lot.id)])
        self.assertEqual(len(case), 1)
        self.assertEqual((case.warranty_state, case.warranty_picking_id), ("valid", self.picking))
        self.assertEqual(case.user_id, self.salesman)
        self.assertEqual(len(case.repair_ids), 1)
        self.assertTrue(case.repair_ids.under_warranty)
        self.assertEqual(case.repair_ids.lot_id, self.lot)
