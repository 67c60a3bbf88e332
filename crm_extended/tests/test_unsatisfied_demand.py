from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import CompetitorCommon


class DemandCommon(CompetitorCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        Team = env["crm.team"]
        cls.team_a = Team.create({"name": "Team A", "member_ids": [Command.link(cls.user_salesman.id)]})
        cls.team_b = Team.create({"name": "Team B", "member_ids": [Command.link(cls.user_salesman_other.id)]})
        cls.user_teammate = cls.env["res.users"].create(
            {
                "name": "Tanya Teammate",
                "login": "ce_teammate",
                "password": "ce_teammate",
                "groups_id": [Command.link(env.ref("sales_team.group_sale_salesman").id)],
            }
        )
        cls.team_a.member_ids = [Command.link(cls.user_teammate.id)]
        cls.warehouse = env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        cls.Demand = env["crm.unsatisfied.demand"]

    @classmethod
    def _demand(cls, user, product=None, **vals):
        return cls.Demand.create(
            {
                "product_id": (product or cls.product).id,
                "quantity": 5,
                "partner_id": cls.entity_a.id,
                "user_id": user.id,
                **vals,
            }
        )


@tagged("post_install", "-at_install")
class TestUnsatisfiedDemand(DemandCommon):
    """The register of demand the company could not meet: sources, lost revenue, notifications."""

    def test_recorded_by_hand_with_lost_revenue(self):
        """A salesperson records a request by hand; the lost revenue is the quantity at our list price."""
        demand = self.Demand.with_user(self.user_salesman).create(
            {"product_id": self.product.id, "quantity": 3, "partner_id": self.entity_a.id}
        )
        self.assertRecordValues(
            demand,
            [
                {
                    "origin": "manual",
                    "reason": "out_of_stock",
                    "user_id": self.user_salesman.id,
                    "team_id": self.team_a.id,
                    "list_price": 100.0,
                    "amount_lost": 300.0,
                    "state": "open",
                }
            ],
        )
        dozen = self.env.ref("uom.product_uom_dozen")
        demand.uom_id = dozen
        self.assertAlmostEqual(demand.amount_lost, 3600.0)

    def test_free_text_when_we_do_not_carry_it(self):
        """What we do not carry is recorded as text, reason 'not in our range', without revenue."""
        with Form(self.Demand.with_user(self.user_salesman)) as form:
            form.description = "Standing desk with a treadmill"
            form.reason = "not_in_range"
            form.partner_id = self.entity_a
        self.assertEqual(form.record.amount_lost, 0.0)
        self.assertIn("Standing desk", form.record.display_name)

    def test_from_a_call(self):
        """From a call, the register gets the caller, the call and its origin."""
        call = self.env["crm.phone.call"].create(
            {
                "direction": "inbound",
                "state": "answered",
                "partner_id": self.entity_a.id,
                "caller_number": "+79137004567",
            }
        )
        context = {
            "default_origin": "call",
            "default_phone_call_id": call.id,
            "default_partner_id": self.entity_a.id,
        }
        with Form(self.Demand.with_user(self.user_salesman).with_context(**context)) as form:
            form.product_id = self.product_desk
            form.quantity = 4
        self.assertRecordValues(
            form.record, [{"origin": "call", "phone_call_id": call.id, "partner_id": self.entity_a.id}]
        )

    def test_from_a_quotation_cancelled_for_lack_of_stock(self):
        """A quotation cancelled while a product lacks free stock registers that line, not a line in stock."""
        self.env["stock.quant"]._update_available_quantity(self.product_desk, self.warehouse.lot_stock_id, 50)
        order = self.env["sale.order"].create(
            {
                "partner_id": self.contact_buyer.id,
                "user_id": self.user_salesman.id,
                "opportunity_id": self.lead_own.id,
                "order_line": [
                    Command.create({"product_id": self.product.id, "product_uom_qty": 7}),
                    Command.create({"product_id": self.product_desk.id, "product_uom_qty": 2}),
                ],
            }
        )
        order.with_user(self.user_salesman).action_cancel()
        demand = self.Demand.search([("order_id", "=", order.id)])
        self.assertRecordValues(
            demand,
            [
                {
                    "product_id": self.product.id,
                    "quantity": 7,
                    "origin": "cancelled_line",
                    "reason": "out_of_stock",
                    "partner_id": self.entity_a.id,
                    "user_id": self.user_salesman.id,
                    "lead_id": self.lead_own.id,
                    "sale_line_id": order.order_line[0].id,
                }
            ],
        )

    def test_from_a_quotation_line_removed_for_lack_of_stock(self):
        """A line removed from a quotation while its product lacks free stock is registered; a line
        in stock and a section are not."""
        self.env["stock.quant"]._update_available_quantity(self.product_desk, self.warehouse.lot_stock_id, 50)
        order = self.env["sale.order"].create(
            {
                "partner_id": self.contact_buyer.id,
                "user_id": self.user_salesman.id,
                "opportunity_id": self.lead_own.id,
                "order_line": [
                    Command.create({"display_type": "line_section", "name": "Office"}),
                    Command.create({"product_id": self.product.id, "product_uom_qty": 7}),
                    Command.create({"product_id": self.product_desk.id, "product_uom_qty": 2}),
                    Command.create({"product_id": self.product.id, "product_uom_qty": 1}),
                ],
            }
        )
        with Form(order.with_user(self.user_salesman)) as form:
            for _index in range(3):
                form.order_line.remove(0)
        self.assertEqual(order.order_line.mapped("product_uom_qty"), [1.0])
        demand = self.Demand.search([("order_id", "=", order.id)])
        self.assertRecordValues(
            demand,
            [
                {
                    "product_id": self.product.id,
                    "quantity": 7,
                    "origin": "removed_line",
                    "reason": "out_of_stock",
                    "partner_id": self.entity_a.id,
                    "user_id": self.user_salesman.id,
                    "lead_id": self.lead_own.id,
                    "sale_line_id": False,
                    "amount_lost": 700.0,
                }
            ],
        )

    def test_removed_line_in_stock_is_not_registered(self):
        """A line removed while the free stock covers its whole quantity is not unmet demand."""
        self.env["stock.quant"]._update_available_quantity(self.product, self.warehouse.lot_stock_id, 10)
        order = self.env["sale.order"].create(
            {
                "partner_id": self.contact_buyer.id,
                "user_id": self.user_salesman.id,
                "order_line": [Command.create({"product_id": self.product.id, "product_uom_qty": 10})],
            }
        )
        order.order_line.with_user(self.user_salesman).unlink()
        self.assertFalse(self.Demand.search([("order_id", "=", order.id)]))

    def test_deleted_draft_quotation_registers_its_short_lines(self):
        """A draft quotation deleted without being cancelled leaves its lines short of stock in
        the register, once each, for the quotation's salesperson, naming the quotation; a line in
        stock and a section do not."""
        self.env["stock.quant"]._update_available_quantity(self.product_desk, self.warehouse.lot_stock_id, 50)
        order = self.env["sale.order"].create(
            {
                "partner_id": self.contact_buyer.id,
                "user_id": self.user_salesman.id,
                "opportunity_id": self.lead_own.id,
                "order_line": [
                    Command.create({"display_type": "line_section", "name": "Office"}),
                    Command.create({"product_id": self.product.id, "product_uom_qty": 4}),
                    Command.create({"product_id": self.product_desk.id, "product_uom_qty": 2}),
                ],
            }
        )
        name = order.name
        before = self.Demand.search([])
        order.with_user(self.user_sales_manager).unlink()  # salespeople may not delete orders
        self.assertFalse(order.exists())
        demand = self.Demand.search([]) - before
        self.assertRecordValues(
            demand,
            [
                {
                    "product_id": self.product.id,
                    "quantity": 4,
                    "origin": "deleted_quotation",
                    "reason": "out_of_stock",
                    "partner_id": self.entity_a.id,
                    "user_id": self.user_salesman.id,
                    "lead_id": self.lead_own.id,
                    "sale_line_id": False,
                    "order_id": False,
                    "amount_lost": 400.0,
                }
            ],
        )
        self.assertIn(name, demand.note)

    def test_deleted_cancelled_quotation_is_not_registered_twice(self):
        """A quotation cancelled (registered then) and deleted afterwards is not registered again;
        a refused deletion registers nothing."""
        order = self.env["sale.order"].create(
            {
                "partner_id": self.contact_buyer.id,
                "user_id": self.user_salesman.id,
                "order_line": [Command.create({"product_id": self.product.id, "product_uom_qty": 3})],
            }
        )
        order.action_quotation_sent()
        before = self.Demand.search([])
        with self.assertRaises(UserError):
            order.unlink()  # a sent quotation is cancelled before it is deleted
        self.assertFalse(self.Demand.search([]) - before)
        order._action_cancel()
        order.unlink()
        self.assertEqual((self.Demand.search([]) - before).mapped("origin"), ["cancelled_line"])

    def test_back_in_stock_tells_the_salespeople(self):
        """Goods received for a product clients wait for give each one's salesperson an activity."""
        waiting = self._demand(self.user_salesman) | self._demand(
            self.user_salesman_other, partner_id=self.entity_b.id
        )
        priced_out = self._demand(self.user_salesman, reason="price")
        other_product = self._demand(self.user_salesman, product=self.product_desk)
        self.env["stock.quant"].with_context(inventory_mode=True).create(
            {
                "product_id": self.product.id,
                "location_id": self.warehouse.lot_stock_id.id,
                "inventory_quantity": 20,
            }
        ).action_apply_inventory()
        self.assertEqual(waiting.mapped("state"), ["notified", "notified"])
        for demand in waiting:
            activity = demand.activity_ids
            self.assertEqual(len(activity), 1)
            self.assertEqual(activity.user_id, demand.user_id)
            self.assertIn("Test Office Chair", activity.summary)
            self.assertIn(demand.partner_id.name, activity.note)
        self.assertEqual((priced_out | other_product).mapped("state"), ["open", "open"])
        self.assertFalse((priced_out | other_product).activity_ids)

    def test_analysis_by_reason_and_product(self):
        """The analysis gives lost revenue per reason at our list price, quantities in the product's unit."""
        self._demand(self.user_salesman, quantity=2)
        self._demand(self.user_salesman, quantity=1, uom_id=self.env.ref("uom.product_uom_dozen").id)
        self._demand(self.user_salesman, product=self.product_desk, quantity=1, reason="price")
        Report = self.env["crm.unsatisfied.demand.report"].with_user(self.user_sales_manager)
        rows = {
            reason: (quantity, amount)
            for reason, quantity, amount in Report._read_group(
                [("partner_id", "=", self.entity_a.id)], ["reason"], ["quantity:sum", "amount_lost:sum"]
            )
        }
        self.assertEqual(rows, {"out_of_stock": (14.0, 1400.0), "price": (1.0, 300.0)})

    def test_demand_signals_list_repeated_products(self):
        """Demand signals list the products asked for at least twice, with every client waiting."""
        self._demand(self.user_salesman)
        self._demand(self.user_salesman_other, partner_id=self.entity_b.id, quantity=3)
        self._demand(self.user_salesman, product=self.product_desk)
        Report = self.env["crm.unsatisfied.demand.report"].with_user(self.user_buyer)
        rows = Report.search([("state", "=", "open"), ("product_request_count", ">=", 2)])
        self.assertEqual(rows.product_id, self.product)
        self.assertEqual(rows.partner_id, self.entity_a | self.entity_b)
        self.assertEqual(sum(rows.mapped("quantity")), 8.0)


@tagged("post_install", "-at_install")
class TestUnsatisfiedDemandAccess(DemandCommon):
    """Salespeople their own and their team's, buyers read all, accounting and warehouse nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.demand_own = cls._demand(cls.user_salesman)
        cls.demand_teammate = cls._demand(cls.user_teammate)
        cls.demand_other_team = cls._demand(cls.user_salesman_other)
        cls.all_demands = cls.demand_own | cls.demand_teammate | cls.demand_other_team

    def test_salesperson_reads_own_and_team(self):
        """A salesperson reads their own and their team's requests, not another team's."""
        Demand = self.Demand.with_user(self.user_salesman)
        self.assertEqual(
            Demand.search([("id", "in", self.all_demands.ids)]), self.demand_own | self.demand_teammate
        )
        with self.assertRaises(AccessError):
            self.demand_other_team.with_user(self.user_salesman).read(["quantity"])
        Report = self.env["crm.unsatisfied.demand.report"].with_user(self.user_salesman)
        self.assertEqual(set(Report.search([]).ids), set((self.demand_own | self.demand_teammate).ids))

    def test_buyer_reads_all_and_writes_nothing(self):
        """A buyer (purchase user) reads every request and the signals, and cannot change them."""
        Demand = self.Demand.with_user(self.user_buyer)
        self.assertEqual(Demand.search([("id", "in", self.all_demands.ids)]), self.all_demands)
        with self.assertRaises(AccessError):
            self.demand_own.with_user(self.user_buyer).quantity = 1
        with self.assertRaises(AccessError):
            Demand.create({"product_id": self.product.id})

    def test_sales_manager_reads_and_edits_all(self):
        """A sales manager reads and edits every request."""
        Demand = self.Demand.with_user(self.user_sales_manager)
        self.assertEqual(Demand.search([("id", "in", self.all_demands.ids)]), self.all_demands)
        self.demand_other_team.with_user(self.user_sales_manager).quantity = 9

    def test_accountant_and_warehouse_read_nothing(self):
        """Accountants, warehouse and portal users read neither the register nor its analysis."""
        for user in (self.user_accountant, self.user_stock, self.user_portal):
            for model in ("crm.unsatisfied.demand", "crm.unsatisfied.demand.report"):
                with self.assertRaises(AccessError, msg=f"{user.login} {model}"):
                    self.env[model].with_user(user).search([])


@tagged("post_install", "-at_install")
class TestUnsatisfiedDemandMoney(DemandCommon):
    """Lost revenue in a database of two companies keeping two currencies: the register's list
    adds up each demand converted at its own date to the current company's currency, over the
    companies the user selected only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company_b = env["res.company"].create(
            {"name": "Demand Sister Co", "currency_id": cls.foreign_currency.id}
        )
        # Company B's own rates say the same as company A's: 1 unit of A's currency = 2, later 4, of B's.
        env["res.currency.rate"].create(
            [
                {"currency_id": currency.id, "company_id": cls.company_b.id, "name": day, "rate": rate}
                for day, rates in (("2019-03-01", (0.5, 1.0)), ("2019-06-01", (0.25, 1.0)))
                for currency, rate in zip((cls.company_currency, cls.foreign_currency), rates, strict=True)
            ]
        )
        cls.user_sales_manager.company_ids = [Command.link(cls.company_b.id)]
        manager = cls.user_sales_manager
        cls.demand_a = cls._demand(manager, quantity=2, date="2019-07-01")
        cls.demand_b_april = cls._demand(manager, quantity=3, date="2019-04-01", company_id=cls.company_b.id)
        cls.demand_b_july = cls._demand(manager, quantity=1, date="2019-07-01", company_id=cls.company_b.id)
        cls.demands = cls.demand_a | cls.demand_b_april | cls.demand_b_july

    def _as_manager(self, *companies):
        return self.Demand.with_user(self.user_sales_manager).with_context(
            allowed_company_ids=[company.id for company in companies]
        )

    def _list_total(self, Demand, groupby=()):
        rows = Demand.read_group(
            [("id", "in", self.demands.ids)], ["amount_lost_converted:sum"], list(groupby)
        )
        if groupby:
            return {row[groupby[0]][0]: row["amount_lost_converted"] for row in rows}
        return rows[0]["amount_lost_converted"]

    def test_each_demand_kept_in_its_company_currency(self):
        """Each demand's list price and lost revenue are in its company's currency, at its date."""
        self.assertRecordValues(
            self.demands,
            [
                {"currency_id": self.company_currency.id, "list_price": 100.0, "amount_lost": 200.0},
                {"currency_id": self.foreign_currency.id, "list_price": 200.0, "amount_lost": 600.0},
                {"currency_id": self.foreign_currency.id, "list_price": 400.0, "amount_lost": 400.0},
            ],
        )

    def test_list_adds_up_converted_amounts(self):
        """The list's rows and total convert each demand to the current company's currency at its date."""
        Demand = self._as_manager(self.company, self.company_b)
        demands = Demand.browse(self.demands.ids)
        self.assertEqual(demands.converted_currency_id, self.company_currency)
        self.assertEqual(demands.mapped("amount_lost_converted"), [200.0, 300.0, 100.0])
        self.assertAlmostEqual(self._list_total(Demand), 600.0)
        self.assertEqual(
            self._list_total(Demand, ["company_id"]), {self.company.id: 200.0, self.company_b.id: 400.0}
        )
        fields = Demand.fields_get(["amount_lost", "amount_lost_converted"], ["aggregator"])
        self.assertEqual(fields["amount_lost_converted"].get("aggregator"), "sum")
        self.assertFalse(
            fields["amount_lost"].get("aggregator"), "amounts in different currencies are not summed"
        )

    def test_list_total_in_the_other_company_currency(self):
        """With the other company current, the same demands add up in its currency, at its rates."""
        Demand = self._as_manager(self.company_b, self.company)
        self.assertEqual(Demand.browse(self.demands.ids).converted_currency_id, self.foreign_currency)
        self.assertAlmostEqual(self._list_total(Demand), 800.0 + 600.0 + 400.0)

    def test_only_the_selected_companies(self):
        """A company the user did not select is neither listed nor added up."""
        Demand = self._as_manager(self.company)
        self.assertEqual(Demand.search([("id", "in", self.demands.ids)]), self.demand_a)
        self.assertAlmostEqual(self._list_total(Demand), 200.0)

    def test_analysis_agrees_with_the_list(self):
        """The analysis gives the same converted total as the register's list."""
        Report = self.env["crm.unsatisfied.demand.report"].with_user(self.user_sales_manager)
        for companies, total in (((self.company, self.company_b), 600.0), ((self.company,), 200.0)):
            report = Report.with_context(allowed_company_ids=[company.id for company in companies])
            [(amount,)] = report._read_group([("id", "in", self.demands.ids)], [], ["amount_lost:sum"])
            self.assertAlmostEqual(amount, total)
            self.assertAlmostEqual(self._list_total(self._as_manager(*companies)), total)
