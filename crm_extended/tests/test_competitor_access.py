from odoo.exceptions import AccessError
from odoo.tests import HttpCase, JsonRpcException, tagged

from .common import CompetitorCommon


class CompetitorAccessCommon(CompetitorCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.price_own_deal = cls._observe(cls.competitor_vasilek, 90.0, "2019-03-10", lead_id=cls.lead_own.id)
        cls.price_other_deal = cls._observe(
            cls.competitor_vasilek, 91.0, "2019-03-11", lead_id=cls.lead_other.id
        )
        cls.price_market = cls._observe(
            cls.competitor_romashka, 92.0, "2019-03-12", user_id=cls.user_sales_manager.id
        )
        cls.mapping = cls.env["crm.competitor.product"].create(
            {"competitor_id": cls.competitor_vasilek.id, "product_id": cls.product.id, "reference": "V-77"}
        )
        cls.all_prices = cls.price_own_deal | cls.price_other_deal | cls.price_market


@tagged("post_install", "-at_install")
class TestCompetitorAccess(CompetitorAccessCommon):
    """Who reads and records competitor observations and product mappings."""

    def test_competitor_group_reads_all(self):
        """The competitor-intelligence group reads every observation and mapping."""
        Price = self.env["crm.competitor.price"].with_user(self.user_competitor)
        self.assertEqual(Price.search([("id", "in", self.all_prices.ids)]), self.all_prices)
        self.assertEqual(self.mapping.with_user(self.user_competitor).reference, "V-77")

    def test_competitor_group_edits_only_its_own(self):
        """The competitor-intelligence group records new observations and edits only its own."""
        Price = self.env["crm.competitor.price"].with_user(self.user_competitor)
        mine = Price.create(
            {"competitor_id": self.competitor_vasilek.id, "product_id": self.product.id, "price": 1}
        )
        mine.price = 2.0
        with self.assertRaises(AccessError):
            self.price_market.with_user(self.user_competitor).price = 1.0

    def test_sales_manager_reads_and_edits_all(self):
        """A sales manager reads and edits every observation and mapping."""
        Price = self.env["crm.competitor.price"].with_user(self.user_sales_manager)
        self.assertEqual(Price.search([("id", "in", self.all_prices.ids)]), self.all_prices)
        self.price_other_deal.with_user(self.user_sales_manager).price = 88.0
        self.mapping.with_user(self.user_sales_manager).unlink()

    def test_salesperson_reads_own_deals_only(self):
        """A salesperson without the group reads the observations of their own deals, nothing else."""
        Price = self.env["crm.competitor.price"].with_user(self.user_salesman)
        self.assertEqual(Price.search([("id", "in", self.all_prices.ids)]), self.price_own_deal)
        for price in (self.price_other_deal, self.price_market):
            with self.assertRaises(AccessError):
                price.with_user(self.user_salesman).read(["price"])
        with self.assertRaises(AccessError):
            self.mapping.with_user(self.user_salesman).read(["reference"])

    def test_salesperson_records_in_own_deal_only(self):
        """A salesperson records an observation in their deal; in a colleague's or in none, refused."""
        Price = self.env["crm.competitor.price"].with_user(self.user_salesman)
        vals = {"competitor_id": self.competitor_vasilek.id, "product_id": self.product.id, "price": 80.0}
        price = Price.create(dict(vals, lead_id=self.lead_own.id))
        self.assertEqual(price.user_id, self.user_salesman)
        for lead in (self.lead_other, self.env["crm.lead"]):
            with self.assertRaises(AccessError):
                Price.create(dict(vals, lead_id=lead.id))

    def test_accountant_warehouse_portal_read_nothing(self):
        """Accountants, warehouse and portal users read no observation and no mapping."""
        for user in (self.user_accountant, self.user_stock, self.user_portal, self.user_buyer):
            for model in ("crm.competitor.price", "crm.competitor.product"):
                with self.assertRaises(AccessError, msg=f"{user.login} {model}"):
                    self.env[model].with_user(user).search([])

    def test_related_fields_hidden_from_accounting_and_warehouse(self):
        """Products and partners do not offer their competitor fields to accountants or warehouse users."""
        hidden = {
            "product.product": ["competitor_product_ids", "competitor_price_ids"],
            "res.partner": ["is_competitor", "competitor_product_ids"],
        }
        for user in (self.user_accountant, self.user_stock, self.user_portal):
            for model, fnames in hidden.items():
                offered = self.env[model].with_user(user).fields_get()
                self.assertFalse(set(fnames) & set(offered), f"{user.login} is offered {model} {fnames}")
            with self.assertRaises(AccessError):
                self.product.with_user(user).read(["competitor_price_ids"])
            with self.assertRaises(AccessError):
                self.competitor_vasilek.with_user(user).read(["is_competitor"])
        offered = self.env["product.product"].with_user(self.user_competitor).fields_get()
        self.assertIn("competitor_price_ids", offered)


@tagged("post_install", "-at_install")
class TestCompetitorAccessRpc(HttpCase, CompetitorAccessCommon):
    """The same refusals over JSON-RPC, as a browser or a script would ask."""

    def _call(self, login, model, method, args, kwargs=None):
        self.authenticate(login, login)
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )

    def test_rpc_accountant_and_warehouse_refused(self):
        """Over RPC accountants and warehouse users are refused observations and the product's prices."""
        for login in ("ce_accountant", "ce_stock"):
            with self.assertRaisesRegex(JsonRpcException, "AccessError"):
                self._call(login, "crm.competitor.price", "search_read", [[]], {"fields": ["price"]})
            with self.assertRaisesRegex(JsonRpcException, "AccessError"):
                self._call(login, "product.product", "read", [self.product.ids, ["competitor_price_ids"]])

    def test_rpc_salesperson_sees_own_deal(self):
        """Over RPC a salesperson reads the observations of their deal only."""
        rows = self._call("ce_salesman", "crm.competitor.price", "search_read", [[]], {"fields": ["price"]})
        self.assertEqual([row["id"] for row in rows], self.price_own_deal.ids)
