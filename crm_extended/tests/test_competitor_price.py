from dateutil.relativedelta import relativedelta
from freezegun import freeze_time
from lxml import etree

from odoo import fields
from odoo.tests import Form, tagged

from .common import CompetitorCommon


@tagged("post_install", "-at_install")
class TestCompetitorPrice(CompetitorCommon):
    """Competitor prices carry a readable name and are analysed in one currency, never summed."""

    def test_display_name_names_competitor_product_and_date(self):
        """The breadcrumb names the competitor, the product (with its code) and the date seen."""
        price = self._observe(self.competitor_vasilek, 70.0, "2019-03-15", currency=self.company_currency)
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
        price = self._observe(self.competitor_vasilek, 100.0, "2019-03-15", currency=self.foreign_currency)
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
        self._observe(
            self.competitor_vasilek, 100.0, "2019-03-15", currency=self.foreign_currency
        )  # 50 in company
        self._observe(self.competitor_romashka, 80.0, "2019-03-20", currency=self.company_currency)
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


@tagged("post_install", "-at_install")
class TestCompetitorObservations(CompetitorCommon):
    """Observations keep their history; the latest per competitor and product is what reports use."""

    def test_latest_observation_per_competitor_and_product(self):
        """Of several observations, the latest date wins per competitor and product; history stays."""
        self._observe(self.competitor_vasilek, 90.0, "2019-01-10")
        newest = self._observe(self.competitor_vasilek, 95.0, "2019-05-10")
        self._observe(self.competitor_vasilek, 92.0, "2019-03-10")
        romashka = self._observe(self.competitor_romashka, 80.0, "2019-02-01")
        desk = self._observe(self.competitor_vasilek, 310.0, "2019-02-01", product=self.product_desk)
        latest = self.Price._get_latest(
            [("competitor_id", "in", (self.competitor_vasilek | self.competitor_romashka).ids)]
        )
        self.assertEqual(latest, newest | romashka | desk)
        self.assertEqual(self.Price.search_count([("competitor_id", "=", self.competitor_vasilek.id)]), 4)

    def test_latest_takes_the_base_quantity_break_of_the_day(self):
        """On the latest day, the price from the smallest quantity is the one compared."""
        self._observe(self.competitor_vasilek, 80.0, "2019-05-10", min_quantity=100)
        base = self._observe(self.competitor_vasilek, 95.0, "2019-05-10", min_quantity=1)
        self.assertEqual(self.Price._get_latest([("product_id", "=", self.product.id)]), base)

    def test_latest_applies_the_users_record_rules(self):
        """A salesperson's latest prices come from their own deals only, never a colleague's newer one."""
        own = self._observe(self.competitor_vasilek, 90.0, "2019-01-10", lead_id=self.lead_own.id)
        self._observe(self.competitor_vasilek, 99.0, "2019-05-10", lead_id=self.lead_other.id)
        self._observe(self.competitor_vasilek, 98.0, "2019-05-11")
        Price = self.Price.with_user(self.user_salesman)
        self.assertEqual(Price._get_latest([("product_id", "=", self.product.id)]), own)
        self.assertEqual(len(self.Price.with_user(self.user_competitor)._get_latest([])), 1)

    def test_vat_included_price_compares_without_vat(self):
        """A price seen with 20% VAT compares as its price without VAT."""
        price = self._observe(self.competitor_vasilek, 120.0, "2019-03-15", tax_included=True, tax_rate=20.0)
        self.assertAlmostEqual(price.price_company, 100.0)
        price.tax_included = False
        self.assertAlmostEqual(price.price_company, 120.0)

    def test_vat_rate_defaults_to_our_sales_tax(self):
        """Without a rate typed, the VAT taken out is our own sales tax of the product."""
        tax = self.env["account.tax"].create(
            {"name": "VAT 20", "amount": 20.0, "amount_type": "percent", "type_tax_use": "sale"}
        )
        self.product.taxes_id = tax
        price = self._observe(self.competitor_vasilek, 240.0, "2019-03-15", tax_included=True)
        self.assertEqual(price.tax_rate, 20.0)
        self.assertAlmostEqual(price.price_company, 200.0)

    def test_price_per_pack_compares_per_our_unit(self):
        """A price per dozen compares as the price of one of our units, in our currency."""
        dozen = self.env.ref("uom.product_uom_dozen")
        price = self._observe(
            self.competitor_vasilek, 2400.0, "2019-03-15", currency=self.foreign_currency, uom_id=dozen.id
        )
        self.assertAlmostEqual(price.price_company, 100.0)  # 2400 / 12 units / 2 (rate)

    def test_cheapest_latest_price(self):
        """The cheapest known competitor price is the lowest normalised latest price, not an old one."""
        self._observe(self.competitor_vasilek, 50.0, "2019-01-10")
        self._observe(self.competitor_vasilek, 96.0, "2019-05-10")
        romashka = self._observe(self.competitor_romashka, 90.0, "2019-05-01")
        cheapest = self.Price._get_cheapest(self.product)
        self.assertEqual(cheapest[self.product.id], romashka)

    def test_competitor_relation_flags_the_competitor(self):
        """An 'is competitor of' relation makes its left partner a competitor."""
        partner = self.env["res.partner"].create({"name": "Lilac Furniture", "is_company": True})
        self.assertFalse(partner.is_competitor)
        self.env["res.partner.relation"].create(
            {
                "left_partner_id": partner.id,
                "type_id": self.env.ref("crm_extended.relation_type_competitor").id,
                "right_partner_id": self.entity_a.id,
            }
        )
        self.assertTrue(partner.is_competitor)

    def _competitor_relation(self, partner, right=None):
        return self.env["res.partner.relation"].create(
            {
                "left_partner_id": partner.id,
                "type_id": self.env.ref("crm_extended.relation_type_competitor").id,
                "right_partner_id": (right or self.entity_a).id,
            }
        )

    def test_flag_cleared_with_the_last_competitor_relation(self):
        """A flag set by relations goes when the last of them is removed, not before."""
        partner = self.env["res.partner"].create({"name": "Lilac Furniture", "is_company": True})
        first = self._competitor_relation(partner)
        second = self._competitor_relation(partner, right=self.entity_b)
        self.assertRecordValues(partner, [{"is_competitor": True, "is_competitor_by_relation": True}])
        first.unlink()
        self.assertTrue(partner.is_competitor)
        second.unlink()
        self.assertRecordValues(partner, [{"is_competitor": False, "is_competitor_by_relation": False}])

    def test_flag_cleared_when_the_relation_changes_type(self):
        """A competitor relation turned into another kind clears the flag it set."""
        partner = self.env["res.partner"].create({"name": "Lilac Furniture", "is_company": True})
        relation = self._competitor_relation(partner)
        relation.type_id = self.env.ref("crm_extended.relation_type_supplier")
        self.assertFalse(partner.is_competitor)
        relation.type_id = self.env.ref("crm_extended.relation_type_competitor")
        self.assertTrue(partner.is_competitor)

    def test_flag_follows_the_relation_in_force(self):
        """A competitor relation counts from its start to its end: one that ended or has not begun
        sets no flag; the daily job clears the flag when the last one ends and sets it when one
        starts; a flag set by hand stays."""
        Relation = self.env["res.partner.relation"]
        today = fields.Date.context_today(Relation)
        partner = self.env["res.partner"].create({"name": "Lilac Furniture", "is_company": True})
        ended = self._competitor_relation(partner)
        ended.write({"date_start": today - relativedelta(years=2), "date_end": today - relativedelta(days=1)})
        self.assertRecordValues(partner, [{"is_competitor": False, "is_competitor_by_relation": False}])
        coming = self._competitor_relation(partner, right=self.entity_b)
        coming.date_start = today + relativedelta(days=1)
        self.assertFalse(partner.is_competitor)
        current = Relation.create(
            {
                "left_partner_id": partner.id,
                "type_id": self.env.ref("crm_extended.relation_type_competitor").id,
                "right_partner_id": self.entity_b.id,
                "date_start": today - relativedelta(months=1),
                "date_end": today,
            }
        )
        self.assertRecordValues(partner, [{"is_competitor": True, "is_competitor_by_relation": True}])
        by_hand = self.env["res.partner"].create({"name": "Heather Chairs", "is_company": True})
        by_hand.with_user(self.user_competitor).is_competitor = True
        self._competitor_relation(by_hand).date_end = today
        with freeze_time(today + relativedelta(days=1)):
            # the relation ending today has ended; the one starting tomorrow starts
            Relation._cron_update_competitor_flags()
            self.assertRecordValues(partner, [{"is_competitor": True, "is_competitor_by_relation": True}])
        coming.date_end = today + relativedelta(days=1)
        with freeze_time(today + relativedelta(days=2)):
            Relation._cron_update_competitor_flags()
            self.assertRecordValues(partner, [{"is_competitor": False, "is_competitor_by_relation": False}])
            self.assertTrue(by_hand.is_competitor)
        self.assertTrue(current.exists())

    def test_flag_set_by_hand_stays(self):
        """A competitor flagged by hand, before or after its relation, keeps the flag when it goes."""
        before = self._competitor_relation(self.competitor_vasilek)
        partner = self.env["res.partner"].create({"name": "Lilac Furniture", "is_company": True})
        after = self._competitor_relation(partner)
        partner.with_user(self.user_competitor).is_competitor = True
        self.assertFalse(partner.is_competitor_by_relation)
        (before | after).unlink()
        self.assertTrue(self.competitor_vasilek.is_competitor)
        self.assertTrue(partner.is_competitor)
