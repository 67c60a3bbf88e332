from lxml import etree

from odoo.tests import Form, tagged

from .common import CrmExtendedCase


@tagged("post_install", "-at_install")
class TestCompetitorPrice(CrmExtendedCase):
    """Competitor prices carry a readable name and are analysed in one currency, never summed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_currency = cls.company.currency_id
        eur, usd = cls.env.ref("base.EUR"), cls.env.ref("base.USD")
        cls.foreign_currency = eur if cls.company_currency != eur else usd
        cls.foreign_currency.active = True
        # Company-specific rates win over shared ones: 1 company unit = 2, later 4, foreign units.
        cls.env["res.currency.rate"].create(
            [
                {
                    "currency_id": currency.id,
                    "company_id": cls.company.id,
                    "name": day,
                    "rate": rate,
                }
                for day, rates in (("2019-03-01", (1.0, 2.0)), ("2019-06-01", (1.0, 4.0)))
                for currency, rate in zip((cls.company_currency, cls.foreign_currency), rates, strict=True)
            ]
        )
        cls.competitor_vasilek = cls.env["res.partner"].create(
            {"name": "Vasilek Office Supply", "is_company": True}
        )
        cls.competitor_romashka = cls.env["res.partner"].create(
            {"name": "Romashka Trade", "is_company": True}
        )
        cls.product.default_code = "CHAIR-01"
        cls.Price = cls.env["crm.competitor.price"]

    def _observe(self, competitor, price, currency, day, **vals):
        return self.Price.create(
            {
                "competitor_id": competitor.id,
                "product_id": self.product.id,
                "price": price,
                "currency_id": currency.id,
                "date": day,
                **vals,
            }
        )

    def test_display_name_names_competitor_product_and_date(self):
        """The breadcrumb names the competitor, the product (with its code) and the date seen."""
        price = self._observe(self.competitor_vasilek, 70.0, self.company_currency, "2019-03-15")
        name = price.display_name
        self.assertIn("Vasilek Office Supply", name)
        self.assertIn("[CHAIR-01] Test Office Chair", name)
        self.assertIn("2019", name)
        self.assertNotIn("crm.competitor.price", name)
        price.competitor_id = self.competitor_romashka
        self.assertIn("Romashka Trade", price.display_name, "the name follows the competitor")

    def test_form_shows_the_name_in_its_title(self):
        """The form's title area shows the record's name, filled as competitor and product are chosen."""
        arch = etree.fromstring(self.Price.get_views([(False, "form")])["views"]["form"]["arch"])
        self.assertTrue(arch.xpath("//div[hasclass('oe_title')]//field[@name='display_name']"))
        with Form(self.Price.with_user(self.user_competitor)) as form:
            form.competitor_id = self.competitor_vasilek
            form.product_id = self.product
            form.price = 70.0
            self.assertIn("Vasilek Office Supply", form.display_name)
        self.assertIn("Test Office Chair", form.record.display_name)

    def test_price_converted_at_the_observation_date(self):
        """The company-currency price uses the rate of the day the price was seen, and follows edits."""
        price = self._observe(self.competitor_vasilek, 100.0, self.foreign_currency, "2019-03-15")
        self.assertEqual(price.company_currency_id, self.company_currency)
        self.assertAlmostEqual(price.price_company, 50.0)
        price.date = "2019-06-15"
        self.assertAlmostEqual(price.price_company, 25.0)
        price.currency_id = self.company_currency
        self.assertAlmostEqual(price.price_company, 100.0)
        price.price = 120.0
        self.assertAlmostEqual(price.price_company, 120.0)

    def test_grouped_prices_give_average_lowest_and_highest(self):
        """Two competitors in two currencies: the group shows avg/min/max of converted prices, not a sum."""
        self._observe(self.competitor_vasilek, 100.0, self.foreign_currency, "2019-03-15")  # 50 in company
        self._observe(self.competitor_romashka, 80.0, self.company_currency, "2019-03-20")
        Price = self.Price.with_user(self.user_competitor)
        fields_ = Price.fields_get(["price_company", "price_company_min", "price_company_max"])
        aggregates = [f"{fname}:{fields_[fname]['aggregator']}" for fname in fields_]
        [(product, *values)] = Price._read_group(
            [("product_id", "=", self.product.id)], ["product_id"], aggregates
        )
        self.assertEqual(product, self.product)
        self.assertEqual(
            dict(zip(fields_, values, strict=True)),
            {"price_company": 65.0, "price_company_min": 50.0, "price_company_max": 80.0},
        )
        self.assertEqual(
            {fname: description["string"] for fname, description in fields_.items()},
            {
                "price_company": "Average Price",
                "price_company_min": "Lowest Price",
                "price_company_max": "Highest Price",
            },
        )

    def test_report_views_never_sum_prices(self):
        """No measure the pivot, graph or list offers adds prices together."""
        result = self.Price.with_user(self.user_competitor).get_views(
            [(False, "list"), (False, "pivot"), (False, "graph"), (False, "search")]
        )
        fields_ = result["models"]["crm.competitor.price"]["fields"]
        price_fields = {
            fname
            for fname, description in fields_.items()
            if description["type"] == "monetary" or fname == "our_price"
        }
        # what the web client offers as measures: every number with an aggregator
        summed = {fname for fname in price_fields if fields_[fname].get("aggregator") == "sum"}
        self.assertFalse(summed, f"price fields summed in reports: {sorted(summed)}")
        self.assertGreaterEqual(price_fields, {"price", "price_company", "our_price"})
        for view_type in ("pivot", "graph"):
            arch = etree.fromstring(result["views"][view_type]["arch"])
            measures = arch.xpath("//field[@type='measure']/@name")
            self.assertTrue(measures, f"the {view_type} view names its measures")
            for fname in measures:
                self.assertIn(
                    fields_[fname].get("aggregator"), ("avg", "min", "max"), f"{view_type}: {fname}"
                )
        list_arch = etree.fromstring(result["views"]["list"]["arch"])
        for fname in price_fields:
            for node in list_arch.xpath(f"//field[@name='{fname}']"):
                self.assertFalse(node.get("sum"), f"list column {fname} shows a sum")

    def test_default_graph_compares_products_by_competitor(self):
        """The graph opens as bars of the average converted price per product, split by competitor."""
        arch = etree.fromstring(self.Price.get_views([(False, "graph")])["views"]["graph"]["arch"])
        self.assertEqual(arch.get("type"), "bar")
        self.assertEqual(arch.xpath("//field[not(@type='measure')]/@name"), ["product_id", "competitor_id"])
        self.assertEqual(arch.xpath("//field[@type='measure']/@name"), ["price_company"])
