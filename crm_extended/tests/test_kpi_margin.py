from datetime import date, datetime

from odoo import Command
from odoo.tests import tagged

from .common import TasksKpiCommon
from .test_money import MultiCurrencyCase

MARCH, APRIL = date(2026, 3, 1), date(2026, 4, 1)


class KpiMarginCase(TasksKpiCommon):
    """The margin takes the cost of the goods when they were sold, not today's cost.

    By hand: a desk at a standard cost of 40, 10 in stock (valued 400). Order A, 2 desks at 100,
    delivered at 40 and invoiced on 2026-03-10 by Sam. The cost then becomes 60 (the 8 left
    revalued to 480). Order B, 2 desks at 100, delivered at 60 and invoiced on 2026-04-10 by Sam.
    March's margin is 200 - 2 x 40 = 120, April's 200 - 2 x 60 = 80 (today's cost, 60, would make
    March 80 too)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.warehouse = env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        cls.categ_standard = env["product.category"].create(
            {"name": "Desks at standard cost", "property_cost_method": "standard"}
        )
        cls.desk = env["product.product"].create(
            {
                "name": "Standing Desk",
                "type": "consu",
                "is_storable": True,
                "categ_id": cls.categ_standard.id,
                "standard_price": 40.0,
                "list_price": 100.0,
                "taxes_id": [Command.clear()],
            }
        )
        env["stock.quant"].with_context(inventory_mode=True).create(
            {
                "product_id": cls.desk.id,
                "location_id": cls.warehouse.lot_stock_id.id,
                "inventory_quantity": 10,
            }
        ).action_apply_inventory()
        cls.order_a = cls._sell(cls.desk, 2)
        cls._deliver_all(cls.order_a)
        cls.invoice_a = cls._invoice_order(cls.order_a, date(2026, 3, 10))
        cls.desk.standard_price = 60.0
        cls.order_b = cls._sell(cls.desk, 2)
        cls._deliver_all(cls.order_b)
        cls.invoice_b = cls._invoice_order(cls.order_b, date(2026, 4, 10))

    @classmethod
    def _sell(cls, product, quantity, price=100.0, user=None):
        order = cls.env["sale.order"].create(
            {
                "partner_id": cls.entity_a.id,
                "user_id": (user or cls.user_salesman).id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": quantity,
                            "price_unit": price,
                            "tax_id": [Command.clear()],
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        return order

    @classmethod
    def _deliver_all(cls, order):
        picking = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        picking.action_assign()
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        picking._action_done()
        return picking

    @classmethod
    def _deliver(cls, order, quantity):
        """Deliver ``quantity`` of the order's open delivery (its backorder keeps the rest)."""
        picking = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        picking.action_assign()
        picking.move_ids.quantity = quantity
        picking.move_ids.picked = True
        picking._action_done()
        return picking

    @classmethod
    def _invoice_order(cls, order, day):
        invoice = order._create_invoices()
        invoice.invoice_date = day
        invoice.action_post()
        return invoice

    def _margin(self, month, user=None):
        rows = self.env["crm.kpi.report"]._read_group(
            [
                ("month", "=", month),
                ("level", "=", "person"),
                ("kpi", "=", "margin"),
                ("user_id", "=", (user or self.user_salesman).id),
            ],
            [],
            ["fact:sum"],
        )
        return rows[0][0] or 0.0

    def _backdate_layers(self, product, moment):
        layers = self.env["stock.valuation.layer"].search([("product_id", "=", product.id)])
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE stock_valuation_layer SET create_date = %s WHERE id IN %s", [moment, tuple(layers.ids)]
        )
        layers.invalidate_recordset(["create_date"])


@tagged("post_install", "-at_install")
class TestKpiMarginCost(KpiMarginCase):
    """The cost of the delivered goods, of the stock on the invoice's day, or today's (see
    KpiMarginCase for the figures)."""

    def test_cost_changed_between_two_invoices(self):
        """Two invoices of the same goods around a cost change have two margins: 120 in March at 40
        a desk, 80 in April at 60."""
        self.assertEqual(self.desk.standard_price, 60.0)
        self.assertAlmostEqual(self._margin(MARCH), 120.0)
        self.assertAlmostEqual(self._margin(APRIL), 80.0)

    def test_credit_note_of_a_delivery_returns_its_cost(self):
        """Crediting order A's invoice (1 desk of the 2) takes back its revenue and its cost at 40,
        not at 60: March's margin 120 - (100 - 40) = 60."""
        credit = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=self.invoice_a.ids)
            .create({"date": date(2026, 3, 20), "journal_id": self.invoice_a.journal_id.id})
        )
        refund = self.env["account.move"].browse(credit.refund_moves()["res_id"])
        refund.invoice_line_ids.quantity = 1
        refund.invoice_date = date(2026, 3, 20)
        refund.action_post()
        self.assertAlmostEqual(self._margin(MARCH), 60.0)

    def test_invoice_without_order_takes_the_stock_value_of_its_day(self):
        """An invoice made without an order (nothing delivered for it) takes the product's stock
        value per unit on its day: with the layers of A dated before 2026-03-15 and those of the
        cost change and B after, Olga's invoice of 1 desk at 100 on 2026-03-15 costs
        (400 - 80) / 8 = 40: margin 60; dated 2026-04-20 it costs (320 + 160 - 120) / 6 = 60:
        margin 40."""
        self._backdate_layers(self.desk, datetime(2026, 3, 1, 9, 0))
        later = self.env["stock.valuation.layer"].search(
            [
                ("product_id", "=", self.desk.id),
                "|",
                ("quantity", "=", 0),
                ("stock_move_id.sale_line_id.order_id", "=", self.order_b.id),
            ]
        )
        self.assertEqual(len(later), 2)
        self.env.cr.execute(
            "UPDATE stock_valuation_layer SET create_date = %s WHERE id IN %s",
            [datetime(2026, 4, 5, 9, 0), tuple(later.ids)],
        )
        for day in (date(2026, 3, 15), date(2026, 4, 20)):
            move = self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.entity_b.id,
                    "invoice_date": day,
                    "invoice_user_id": self.user_salesman_other.id,
                    "invoice_line_ids": [
                        Command.create(
                            {"product_id": self.desk.id, "quantity": 1, "price_unit": 100.0, "tax_ids": []}
                        )
                    ],
                }
            )
            move.action_post()
        self.assertAlmostEqual(self._margin(MARCH, self.user_salesman_other), 60.0)
        self.assertAlmostEqual(self._margin(APRIL, self.user_salesman_other), 40.0)

    def test_unit_of_measure_of_the_line(self):
        """A line in dozens of a product costed per unit costs 12 units: a dozen at 1,000 of a
        consumable costing 30 a unit leaves 1,000 - 360 = 640."""
        dozen = self.env.ref("uom.product_uom_dozen")
        pen = self.env["product.product"].create(
            {"name": "Pen", "type": "consu", "standard_price": 30.0, "taxes_id": [Command.clear()]}
        )
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.entity_b.id,
                "invoice_date": date(2026, 3, 3),
                "invoice_user_id": self.user_salesman_other.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": pen.id,
                            "product_uom_id": dozen.id,
                            "quantity": 1,
                            "price_unit": 1000.0,
                            "tax_ids": [],
                        }
                    )
                ],
            }
        )
        move.action_post()
        self.assertAlmostEqual(self._margin(MARCH, self.user_salesman_other), 640.0)


@tagged("post_install", "-at_install")
class TestKpiMarginBooked(KpiMarginCase):
    """Anglo-saxon accounting with automated valuation: the invoice books its cost of goods sold.

    By hand: a lamp at a standard cost of 40, 10 in stock. Order C, 2 lamps at 100, invoiced on
    order on 2026-03-10 before any delivery: its invoice books 2 x 40 = 80 of cost of goods sold.
    The cost then becomes 60 and the 2 lamps leave at 60. March's margin is the books' 200 - 80 =
    120 (120 is also order A's, so Sam's March is 240), not 200 - 2 x 60 = 80."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company.anglo_saxon_accounting = True
        Account = env["account.account"]
        accounts = {
            code: Account.create(
                {"name": f"Test {code}", "code": code, "reconcile": True, "account_type": "asset_current"}
            )
            for code in ("KSTIN", "KSTOUT", "KSTVAL")
        }
        categ = env["product.category"].create(
            {
                "name": "Lamps, automated valuation",
                "property_cost_method": "standard",
                "property_valuation": "real_time",
                "property_stock_valuation_account_id": accounts["KSTVAL"].id,
                "property_stock_account_input_categ_id": accounts["KSTIN"].id,
                "property_stock_account_output_categ_id": accounts["KSTOUT"].id,
            }
        )
        cls.lamp = env["product.product"].create(
            {
                "name": "Desk Lamp",
                "type": "consu",
                "is_storable": True,
                "invoice_policy": "order",
                "categ_id": categ.id,
                "standard_price": 40.0,
                "taxes_id": [Command.clear()],
            }
        )
        env["stock.quant"].with_context(inventory_mode=True).create(
            {
                "product_id": cls.lamp.id,
                "location_id": cls.warehouse.lot_stock_id.id,
                "inventory_quantity": 10,
            }
        ).action_apply_inventory()
        cls.order_c = cls._sell(cls.lamp, 2)
        cls.invoice_c = cls._invoice_order(cls.order_c, date(2026, 3, 10))
        cls.lamp.standard_price = 60.0
        cls._deliver_all(cls.order_c)

    def test_booked_cost_of_goods_sold(self):
        """The invoice's booked cost of goods sold (80) makes its margin: Sam's March is 120 + 120."""
        cogs = self.invoice_c.line_ids.filtered(lambda line: line.display_type == "cogs")
        self.assertEqual(sorted(cogs.mapped("balance")), [-80.0, 80.0])
        self.assertAlmostEqual(self._margin(MARCH), 240.0)


@tagged("post_install", "-at_install")
class TestKpiMarginPartialDeliveries(KpiMarginCase):
    """A sale line delivered in parts at different costs: each invoice takes the cost of the
    deliveries it invoices, in delivery order, as Odoo's own cost of goods sold does.

    By hand, as Odoo's ``test_standard_delivered_invoice_post_partial_delivery`` (sale_stock):
    anglo-saxon accounting; two products at a standard cost of 40, 10 of each in stock, invoiced
    on delivered quantities: a lamp valued automatically (Odoo books its cost of goods sold) and a
    desk valued by hand (no entry: our figure comes from its deliveries). Sam sells 4 lamps, Olga
    4 desks, at 100. Both deliver 2 and invoice them on 2026-05-10; the cost becomes 60; both
    deliver the other 2 and invoice them on 2026-06-10. Odoo books 2 x 40 = 80 then 2 x 60 = 120
    for the lamps, so May's margin is 200 - 80 = 120 and June's 200 - 120 = 80 for both (the
    average of the two deliveries, 50, would give 100 in both months)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company.anglo_saxon_accounting = True
        Account = env["account.account"]
        accounts = {
            code: Account.create(
                {"name": f"Test {code}", "code": code, "reconcile": True, "account_type": "asset_current"}
            )
            for code in ("KPIN", "KPOUT", "KPVAL")
        }
        automated = env["product.category"].create(
            {
                "name": "Lamps, automated valuation",
                "property_cost_method": "standard",
                "property_valuation": "real_time",
                "property_stock_valuation_account_id": accounts["KPVAL"].id,
                "property_stock_account_input_categ_id": accounts["KPIN"].id,
                "property_stock_account_output_categ_id": accounts["KPOUT"].id,
            }
        )
        manual = env["product.category"].create(
            {"name": "Desks, manual valuation", "property_cost_method": "standard"}
        )
        manual.property_valuation = "manual_periodic"
        products = env["product.product"].create(
            [
                {
                    "name": name,
                    "type": "consu",
                    "is_storable": True,
                    "invoice_policy": "delivery",
                    "categ_id": categ.id,
                    "standard_price": 40.0,
                    "taxes_id": [Command.clear()],
                }
                for name, categ in (("Partial Lamp", automated), ("Partial Desk", manual))
            ]
        )
        cls.lamp, cls.desk_manual = products
        for product in products:
            env["stock.quant"].with_context(inventory_mode=True).create(
                {
                    "product_id": product.id,
                    "location_id": cls.warehouse.lot_stock_id.id,
                    "inventory_quantity": 10,
                }
            ).action_apply_inventory()
        cls.order_lamps = cls._sell(cls.lamp, 4)
        cls.order_desks = cls._sell(cls.desk_manual, 4, user=cls.user_salesman_other)
        cls.invoices = {}
        for day, cost in ((date(2026, 5, 10), None), (date(2026, 6, 10), 60.0)):
            if cost:
                products.standard_price = cost
            for order in (cls.order_lamps, cls.order_desks):
                cls._deliver(order, 2)
                cls.invoices[order, day.month] = cls._invoice_order(order, day)

    def _odoo_cogs(self, month):
        """The cost of goods sold Odoo booked on the lamps' invoice of ``month``."""
        cogs = self.invoices[self.order_lamps, month].line_ids.filtered(
            lambda line: line.display_type == "cogs" and line.balance > 0
        )
        return sum(cogs.mapped("balance"))

    def test_deliveries_at_two_costs(self):
        """Odoo books 80 then 120 for the lamps; the desks, valued by hand, have the same margins:
        200 - 80 = 120 in May, 200 - 120 = 80 in June."""
        self.assertEqual(len(self.order_desks.picking_ids), 2)
        self.assertEqual(self.order_desks.order_line.qty_invoiced, 4)
        self.assertFalse(
            self.invoices[self.order_desks, 5].line_ids.filtered(lambda line: line.display_type == "cogs")
        )
        self.assertEqual((self._odoo_cogs(5), self._odoo_cogs(6)), (80.0, 120.0))
        for month in (5, 6):
            with self.subTest(month=month):
                revenue = self.invoices[self.order_desks, month].amount_untaxed
                expected = revenue - self._odoo_cogs(month)
                day = date(2026, month, 1)
                self.assertAlmostEqual(self._margin(day, self.user_salesman_other), expected)
                self.assertAlmostEqual(self._margin(day), expected)

    def test_credit_note_gives_back_the_last_quantities(self):
        """Crediting 1 desk of June's invoice gives back its cost at 60 (the last delivered): June's
        margin 80 - (100 - 60) = 40."""
        june = self.invoices[self.order_desks, 6]
        credit = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=june.ids)
            .create({"date": date(2026, 6, 20), "journal_id": june.journal_id.id})
        )
        refund = self.env["account.move"].browse(credit.refund_moves()["res_id"])
        refund.invoice_line_ids.quantity = 1
        refund.invoice_date = date(2026, 6, 20)
        refund.action_post()
        self.assertAlmostEqual(self._margin(date(2026, 6, 1), self.user_salesman_other), 40.0)
        self.assertAlmostEqual(self._margin(date(2026, 5, 1), self.user_salesman_other), 120.0)


@tagged("post_install", "-at_install")
class TestKpiMarginCompanies(MultiCurrencyCase):
    """Each company's cost in its own books, converted with the revenue, for the selected companies.

    By hand: one desk product in both companies. The current company holds 5 at 100 a unit, the
    foreign branch 5 at 10 (foreign units), both counted in 2020; the branch's cost becomes 15 in
    June 2021. Sam invoices 1 desk at 50 foreign units from the branch on 2021-03-01: its margin is
    50 - 10 = 40 foreign units, 160 in the current company's currency at that date's 4 (at today's
    cost it would be 140; with both companies' stock mixed, (500 + 50) / 10 = 55 a unit, -20)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        categ = env["product.category"].create({"name": "Desks, both", "property_cost_method": "standard"})
        cls.desk = env["product.product"].create(
            {"name": "Shared Desk", "type": "consu", "is_storable": True, "categ_id": categ.id}
        )
        Quant = env["stock.quant"].with_context(inventory_mode=True)
        for company, cost in ((cls.company, 100.0), (cls.company_2, 10.0)):
            warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
            cls.desk.with_company(company).standard_price = cost
            Quant.with_company(company).create(
                {"product_id": cls.desk.id, "location_id": warehouse.lot_stock_id.id, "inventory_quantity": 5}
            ).action_apply_inventory()
        env.flush_all()
        env.cr.execute(
            "UPDATE stock_valuation_layer SET create_date = '2020-12-01' WHERE product_id = %s", [cls.desk.id]
        )
        cls.desk.with_company(cls.company_2).standard_price = 15.0
        env.flush_all()
        env.cr.execute(
            "UPDATE stock_valuation_layer SET create_date = '2021-06-01'"
            " WHERE product_id = %s AND quantity = 0",
            [cls.desk.id],
        )
        move = (
            env["account.move"]
            .with_company(cls.company_2)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": cls.entity_b.id,
                    "invoice_date": date(2021, 3, 1),
                    "invoice_user_id": cls.user_salesman.id,
                    "invoice_line_ids": [
                        Command.create(
                            {"product_id": cls.desk.id, "quantity": 1, "price_unit": 50.0, "tax_ids": []}
                        )
                    ],
                }
            )
        )
        move.action_post()

    def _margin(self, *companies):
        rows = self._as(self.user_sales_manager, *companies)["crm.kpi.report"]._read_group(
            [
                ("month", "=", date(2021, 3, 1)),
                ("level", "=", "person"),
                ("kpi", "=", "margin"),
                ("user_id", "=", self.user_salesman.id),
            ],
            [],
            ["fact:sum"],
        )
        return rows[0][0] or 0.0

    def test_branch_cost_converted(self):
        """With both companies selected, the branch's margin at its cost of the day, converted: 160."""
        self.assertAlmostEqual(self._margin(self.company, self.company_2), 160.0)

    def test_unselected_company_left_out(self):
        """With only the current company selected, the branch's invoice is not counted."""
        self.assertAlmostEqual(self._margin(self.company), 0.0)
