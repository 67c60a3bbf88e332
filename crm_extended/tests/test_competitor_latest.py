import base64

from odoo import Command
from odoo.tests import tagged

from .common import CompetitorCommon


@tagged("post_install", "-at_install")
class TestLatestPriceFlag(CompetitorCommon):
    """The latest observation with a price per product, competitor and company is flagged, kept
    right by every change; the price position reads the flagged rows when the rules allow."""

    def _flagged(self, product=None):
        return self.Price.search(
            [("product_id", "=", (product or self.product).id), ("is_latest_priced", "=", True)]
        )

    def test_flag_follows_creation_and_date(self):
        """A newer observation takes the flag; moved back in time, it gives the flag back."""
        older = self._observe(self.competitor_vasilek, 90.0, "2019-05-01")
        self.assertEqual(self._flagged(), older)
        newer = self._observe(self.competitor_vasilek, 80.0, "2019-06-01")
        self.assertEqual(self._flagged(), newer)
        newer.date = "2019-04-01"
        self.assertEqual(self._flagged(), older)
        bulk = self._observe(self.competitor_vasilek, 85.0, "2019-05-01", min_quantity=10)
        self.assertEqual(self._flagged(), older, "the smallest quantity break of the day")
        older.min_quantity = 20
        self.assertEqual(self._flagged(), bulk)

    def test_flag_follows_deletion_and_prices(self):
        """Deleted, or priced 0 (a stock-only sighting), the latest gives the flag to the previous one."""
        older = self._observe(self.competitor_vasilek, 90.0, "2019-05-01")
        newer = self._observe(self.competitor_vasilek, 80.0, "2019-06-01")
        romashka = self._observe(self.competitor_romashka, 70.0, "2019-06-01")
        newer.price = 0.0
        self.assertEqual(self._flagged(), older | romashka)
        self._observe(self.competitor_vasilek, 0.0, "2019-07-01", kind="stock", stock_level="out")
        self.assertEqual(self._flagged(), older | romashka)
        newer.price = 75.0
        self.assertEqual(self._flagged(), newer | romashka)
        newer.unlink()
        self.assertEqual(self._flagged(), older | romashka)
        romashka.competitor_id = self.competitor_vasilek
        self.assertEqual(self._flagged(), romashka)

    def test_flag_follows_offers_deleted(self):
        """An offer line, an offer or a deal deleted takes its observations with it: the previous
        price is flagged again."""
        older = self._observe(self.competitor_vasilek, 90.0, "2019-05-01")

        def offer(lead):
            return self.env["crm.competitor.offer"].create(
                {
                    "lead_id": lead.id,
                    "competitor_id": self.competitor_vasilek.id,
                    "date": "2019-06-01",
                    "document": base64.b64encode(b"%PDF-1.4"),
                    "line_ids": [
                        Command.create({"product_id": self.product.id, "quantity": 1, "price_unit": 85.0})
                    ],
                }
            )

        first = offer(self.lead_own)
        self.assertEqual(self._flagged(), first.line_ids.observation_id)
        first.line_ids.unlink()
        self.assertEqual(self._flagged(), older)
        second = offer(self.lead_own)
        self.assertNotEqual(self._flagged(), older)
        second.unlink()
        self.assertEqual(self._flagged(), older)
        offer(self.lead_other)
        self.assertNotEqual(self._flagged(), older)
        self.lead_other.unlink()
        self.assertEqual(self._flagged(), older)

    def test_flag_per_company_and_the_same_answer(self):
        """Each company has its own latest; over the companies a user selected, the flagged rows give
        the answer every observation gives, and a salesperson's own deals are read in full."""
        company_b = self.env["res.company"].create({"name": "Latest Sister Co"})
        in_a = self._observe(self.competitor_vasilek, 90.0, "2019-05-01")
        in_b = self._observe(self.competitor_vasilek, 80.0, "2019-06-01", company_id=company_b.id)
        own_deal = self._observe(self.competitor_romashka, 70.0, "2019-01-01", lead_id=self.lead_own.id)
        self._observe(self.competitor_romashka, 75.0, "2019-02-01")
        self.assertEqual(self._flagged() & (in_a | in_b), in_a | in_b)
        self.user_competitor.company_ids = [Command.link(company_b.id)]
        for companies, expected in (((self.env.company, company_b), in_b), ((self.env.company,), in_a)):
            Price = self.Price.with_user(self.user_competitor).with_context(
                allowed_company_ids=[company.id for company in companies]
            )
            self.assertTrue(Price._crm_rules_by_company_only())
            Price.flush_model()
            self.env.cr.execute(Price._latest_priced_query(self.product))
            fast = {row[0] for row in self.env.cr.fetchall()}
            slow = Price._get_latest([("product_id", "=", self.product.id), ("price", ">", 0)])
            self.assertEqual(fast, set(slow.ids))
            self.assertIn(expected.id, fast)
        Salesman = self.Price.with_user(self.user_salesman)
        self.assertFalse(Salesman._crm_rules_by_company_only())
        self.assertEqual(Salesman._get_cheapest(self.product)[self.product.id], own_deal)

    def test_flags_made_again_for_data_written_in_bulk(self):
        """Rows written by SQL (an upgrade, a bulk load) are flagged by one refresh."""
        older = self._observe(self.competitor_vasilek, 90.0, "2019-05-01")
        newer = self._observe(self.competitor_vasilek, 80.0, "2019-06-01")
        self.env.cr.execute("UPDATE crm_competitor_price SET is_latest_priced = (id = %s)", [older.id])
        self.Price.invalidate_model(["is_latest_priced"])
        self.Price._crm_refresh_latest()
        self.assertEqual(self._flagged(), newer)
