from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .common import CompetitorCommon


@tagged("post_install", "-at_install")
class TestPricePosition(CompetitorCommon):
    """Our pricelist price beside competitors' latest prices: gap, age, rank, in a chosen currency."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.context_today(cls.env.user)
        cls.today = today
        cls.pricelist = cls.env["product.pricelist"].create(
            {"name": "Retail", "currency_id": cls.company_currency.id}
        )
        cls.pricelist_foreign = cls.env["product.pricelist"].create(
            {"name": "Export", "currency_id": cls.foreign_currency.id}
        )
        # chair (ours 100): Vasilek 90 now (120 before), Romashka 132 with 20% VAT = 110;
        # desk (ours 300): Vasilek 250, 200 days ago
        cls._observe(cls.competitor_vasilek, 120.0, today - timedelta(days=30))
        cls.chair_vasilek = cls._observe(cls.competitor_vasilek, 90.0, today - timedelta(days=5))
        cls.chair_romashka = cls._observe(
            cls.competitor_romashka, 132.0, today - timedelta(days=10), tax_included=True, tax_rate=20.0
        )
        cls.desk_vasilek = cls._observe(
            cls.competitor_vasilek, 250.0, today - timedelta(days=200), product=cls.product_desk
        )

    def _position(self, user=None, **vals):
        Position = self.env["crm.competitor.price.position"].with_user(user or self.user_competitor)
        position = Position.create({"pricelist_id": self.pricelist.id, "categ_id": self.category.id, **vals})
        position.action_compute()
        return position

    def test_gap_age_and_rank(self):
        """Each product's competitors' latest prices beside ours: the gap, the age and our rank."""
        lines = self._position().line_ids
        self.assertEqual(lines.observation_id, self.chair_vasilek | self.chair_romashka | self.desk_vasilek)
        by = {(line.product_id, line.competitor_id): line for line in lines}
        vasilek = by[self.product, self.competitor_vasilek]
        self.assertRecordValues(
            vasilek,
            [{"our_price": 100.0, "competitor_price": 90.0, "age_days": 5, "rank": 2, "competitor_count": 2}],
        )
        self.assertAlmostEqual(vasilek.gap_percent, 11.11, places=2)
        romashka = by[self.product, self.competitor_romashka]
        self.assertAlmostEqual(romashka.competitor_price, 110.0)
        self.assertAlmostEqual(romashka.gap_percent, -9.09, places=2)
        self.assertFalse(vasilek.is_most_expensive)
        self.assertTrue(vasilek.is_cheapest_competitor)
        desk = by[self.product_desk, self.competitor_vasilek]
        self.assertRecordValues(
            desk, [{"rank": 2, "is_most_expensive": True, "is_old": True, "age_days": 200}]
        )
        self.assertFalse(vasilek.is_old)

    def test_filters_most_expensive_and_old(self):
        """The filters find where we are the most expensive and the observations older than 90 days."""
        position = self._position()
        Line = self.env["crm.competitor.price.position.line"].with_user(self.user_competitor)
        domain = [("position_id", "=", position.id)]
        self.assertEqual(
            Line.search([*domain, ("is_most_expensive", "=", True)]).product_id, self.product_desk
        )
        self.assertEqual(Line.search([*domain, ("is_old", "=", True)]).observation_id, self.desk_vasilek)

    def test_in_the_pricelist_currency(self):
        """In another currency, ours comes from that pricelist and theirs is converted at the day's rate."""
        position = self._position(pricelist_id=self.pricelist_foreign.id)
        self.assertEqual(position.currency_id, self.foreign_currency)
        line = position.line_ids.filtered(
            lambda line: line.product_id == self.product and line.competitor_id == self.competitor_vasilek
        )
        self.assertAlmostEqual(line.our_price, 400.0)  # 4 foreign units a company unit
        self.assertAlmostEqual(line.competitor_price, 360.0)
        self.assertAlmostEqual(line.gap_percent, 11.11, places=2)

    def test_history_of_a_product(self):
        """A line opens the product's price history: every observation, a line per competitor."""
        line = self._position().line_ids.filtered(lambda line: line.product_id == self.product)[:1]
        action = line.action_open_history()
        self.assertEqual(action["res_model"], "crm.competitor.price")
        self.assertEqual(self.Price.search_count(action["domain"]), 3)
        self.assertTrue(action["view_mode"].startswith("graph"))

    def test_salesperson_position_uses_own_deals_only(self):
        """The position reads observations under the user's rules; accountants cannot open it."""
        with self.assertRaises(AccessError):
            self._position(user=self.user_accountant)
        with self.assertRaises(AccessError):
            self._position(user=self.user_salesman)

    def test_quotation_line_shows_cheapest_competitor_to_managers(self):
        """On a quotation line a sales manager sees the cheapest competitor price, a salesperson not."""
        order = self.env["sale.order"].create(
            {
                "partner_id": self.entity_a.id,
                "order_line": [Command.create({"product_id": self.product.id, "product_uom_qty": 1})],
            }
        )
        line = order.order_line.with_user(self.user_sales_manager)
        self.assertEqual(line.competitor_best_price, 90.0)
        self.assertEqual(line.competitor_best_id, self.competitor_vasilek)
        self.assertNotIn("competitor_best_price", order.order_line.with_user(self.user_salesman).fields_get())
        with self.assertRaises(AccessError):
            order.order_line.with_user(self.user_accountant).read(["competitor_best_price"])
        with Form(order.with_user(self.user_sales_manager)) as form:
            with form.order_line.new() as new_line:
                new_line.product_id = self.product_desk
                self.assertEqual(new_line.competitor_best_price, 250.0)

    def _customer_group(self):
        """Dealers: Alpha Trade (tagged itself and through its buyer) and Alpha Logistics on the
        export pricelist, a third client on retail."""
        group = self.env["res.partner.category"].create({"name": "Dealers"})
        retail_client = self.env["res.partner"].create(
            {"name": "Gamma Retail", "is_company": True, "category_id": [Command.link(group.id)]}
        )
        for client in (self.entity_a, self.contact_buyer, self.entity_b):
            client.category_id = [Command.link(group.id)]
        (self.entity_a | self.entity_b).property_product_pricelist = self.pricelist_foreign
        retail_client.property_product_pricelist = self.pricelist
        return group

    def test_customer_group_chooses_its_pricelist(self):
        """A customer group's position uses the pricelist most of its clients are served, in its currency."""
        group = self._customer_group()
        Position = self.env["crm.competitor.price.position"].with_user(self.user_competitor)
        with Form(Position) as form:
            form.partner_category_id = group
            self.assertEqual(form.pricelist_id, self.pricelist_foreign)
            self.assertEqual(form.currency_id, self.foreign_currency)
            self.assertIn("2 of the 3 clients of Dealers", form.pricelist_note)
            form.categ_id = self.category
        position = form.record
        action = position.action_compute()
        self.assertIn("Dealers", action["name"])
        line = position.line_ids.filtered(
            lambda line: line.product_id == self.product and line.competitor_id == self.competitor_vasilek
        )
        self.assertAlmostEqual(line.our_price, 400.0)
        self.assertAlmostEqual(line.competitor_price, 360.0)

    def test_pricelist_still_chosen_by_hand(self):
        """The pricelist stays a choice: chosen after the group, or without a group, it is the one used."""
        group = self._customer_group()
        Position = self.env["crm.competitor.price.position"].with_user(self.user_competitor)
        with Form(Position) as form:
            form.partner_category_id = group
            form.pricelist_id = self.pricelist
            self.assertIn("1 of the 3 clients", form.pricelist_note)
            form.categ_id = self.category
        position = form.record
        self.assertEqual(
            (position.pricelist_id, position.currency_id), (self.pricelist, self.company_currency)
        )
        position.action_compute()
        line = position.line_ids.filtered(
            lambda line: line.product_id == self.product and line.competitor_id == self.competitor_vasilek
        )
        self.assertAlmostEqual(line.our_price, 100.0)
        empty = self.env["res.partner.category"].create({"name": "Nobody"})
        with Form(Position) as form:
            form.pricelist_id = self.pricelist_foreign
            form.partner_category_id = empty
            self.assertEqual(form.pricelist_id, self.pricelist_foreign)
            self.assertIn("No client has the tag Nobody", form.pricelist_note)

    def _expected_lines(self, position):
        """The position worked out the ORM's way, as its user: each product's pricelist price one
        by one (``_get_product_price``), the latest observations (``_get_latest``), each converted
        with ``_convert`` at the position's date, ranks and flags counted in Python."""
        env = position.env
        products = env["product.product"].search(position._get_product_domain())
        latest = env["crm.competitor.price"]._get_latest(
            [("product_id", "in", products.ids), ("price", ">", 0)]
        )
        expected = {}
        for product in products:
            ours = position.pricelist_id._get_product_price(
                product, 1.0, currency=position.currency_id, date=position.date
            )
            theirs = {
                observation: observation.company_currency_id._convert(
                    observation.price_company, position.currency_id, env.company, position.date
                )
                for observation in latest.filtered(lambda obs, product=product: obs.product_id == product)
            }
            for observation, price in theirs.items():
                expected[product.id, observation.competitor_id.id] = {
                    "observation": observation.id,
                    "categ": product.categ_id.id,
                    "ours": ours,
                    "theirs": price,
                    "gap": (ours - price) / price * 100,
                    "age": (position.date - observation.date).days,
                    "rank": 1 + sum(1 for other in theirs.values() if other < ours),
                    "count": len(theirs),
                    "most_expensive": ours > max(theirs.values()),
                    "cheapest": price == min(theirs.values()),
                }
        return expected

    def test_same_answer_as_the_orm_way(self):
        """The lines written in SQL (prices from one pricelist call, ranks from one aggregate) say
        what the ORM's way says, product by product, over two companies and currencies, for the
        user's selected companies only."""
        company_b = self.env["res.company"].create(
            {"name": "Position Sister Co", "currency_id": self.foreign_currency.id}
        )
        self.user_competitor.company_ids = [Command.link(company_b.id)]
        lamp = self.env["product.product"].create(
            {"name": "Test Lamp", "list_price": 55.55, "categ_id": self.category.id, "taxes_id": False}
        )
        self.env["product.pricelist.item"].create(
            [
                {
                    "pricelist_id": pricelist.id,
                    "applied_on": "0_product_variant",
                    "product_id": lamp.id,
                    "compute_price": "percentage",
                    "percent_price": 7.0,
                }
                for pricelist in (self.pricelist, self.pricelist_foreign)
            ]
        )
        today = self.today
        self._observe(self.competitor_romashka, 49.99, today - timedelta(days=120), product=lamp)
        self._observe(self.competitor_romashka, 0.0, today - timedelta(days=1), product=lamp)
        self._observe(
            self.competitor_vasilek, 51.66, today - timedelta(days=3), product=lamp, min_quantity=10
        )
        self._observe(self.competitor_vasilek, 53.17, today - timedelta(days=3), product=lamp)
        # a competitor asking exactly our price: not counted as cheaper in our rank
        self._observe(self.competitor_romashka, 300.0, today - timedelta(days=7), product=self.product_desk)
        # in the sister company, in its currency: the latest of the chair's Romashka when selected
        self._observe(
            self.competitor_romashka,
            455.0,
            today - timedelta(days=2),
            currency=self.foreign_currency,
            company_id=company_b.id,
        )
        self._observe(
            self.competitor_vasilek,
            1180.0,
            today - timedelta(days=40),
            product=self.product_desk,
            currency=self.foreign_currency,
            company_id=company_b.id,
        )
        for companies in ((self.company, company_b), (self.company,)):
            for pricelist in (self.pricelist, self.pricelist_foreign):
                Position = (
                    self.env["crm.competitor.price.position"]
                    .with_user(self.user_competitor)
                    .with_context(allowed_company_ids=[company.id for company in companies])
                )
                position = Position.create({"pricelist_id": pricelist.id, "categ_id": self.category.id})
                position.action_compute()
                expected = self._expected_lines(position)
                self.assertEqual(len(expected), 6)
                chair_romashka = expected[self.product.id, self.competitor_romashka.id]["observation"]
                self.assertEqual(chair_romashka == self.chair_romashka.id, company_b not in companies)
                got = {(line.product_id.id, line.competitor_id.id): line for line in position.line_ids}
                self.assertEqual(set(got), set(expected), f"{len(companies)} companies, {pricelist.name}")
                for key, want in expected.items():
                    line = got[key]
                    self.assertEqual(
                        (line.observation_id.id, line.categ_id.id, line.age_days, line.rank),
                        (want["observation"], want["categ"], want["age"], want["rank"]),
                    )
                    self.assertEqual(
                        (line.competitor_count, line.is_most_expensive, line.is_cheapest_competitor),
                        (want["count"], want["most_expensive"], want["cheapest"]),
                    )
                    self.assertEqual(line.is_old, want["age"] > 90)
                    self.assertGreater(line.competitor_price, 0.0)
                    self.assertAlmostEqual(line.our_price, want["ours"], places=6)
                    self.assertAlmostEqual(line.competitor_price, want["theirs"], places=2)
                    self.assertAlmostEqual(line.gap_percent, want["gap"], places=4)
