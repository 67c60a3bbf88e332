from datetime import date

from odoo.tests import BaseCase, tagged

from ..services import warranty as wty


@tagged("at_install", "-post_install")
class TestWarrantyRules(BaseCase):
    """services/warranty.py: the period, its last day and which delivery counts."""

    def test_last_day_of_period_is_covered(self):
        """Delivered 2026-03-15 with 12 months: covered on 2027-03-14, expired on 2027-03-15."""
        deliveries = [wty.Delivery(date(2026, 3, 15), 1)]
        last = wty.compute_warranty(date(2027, 3, 14), deliveries, 12)
        self.assertEqual((last.state, last.end), (wty.VALID, date(2027, 3, 14)))
        after = wty.compute_warranty(date(2027, 3, 15), deliveries, 12)
        self.assertEqual(after.state, wty.EXPIRED)

    def test_delivered_on_the_claim_day(self):
        """A unit claimed the day it was delivered is covered."""
        result = wty.compute_warranty(date(2026, 1, 31), [wty.Delivery(date(2026, 1, 31), 1)], 1)
        self.assertEqual((result.state, result.end), (wty.VALID, date(2026, 2, 27)))

    def test_product_period_before_category(self):
        """The product's months win over the category's; the category's apply when the product sets none."""
        self.assertEqual(wty.warranty_months(6, 24), 6)
        self.assertEqual(wty.warranty_months(0, 24), 24)
        self.assertEqual(wty.warranty_months(0, 0), 0)

    def test_extension_adds_months(self):
        """An extended warranty adds its months to the product's period."""
        self.assertEqual(wty.warranty_months(12, 24, 12), 24)
        self.assertEqual(wty.warranty_months(0, 0, 6), 6)

    def test_two_deliveries_restart_or_not(self):
        """Two deliveries of the unit: the newest counts when replacements restart, else the first."""
        deliveries = [wty.Delivery(date(2026, 6, 1), 2), wty.Delivery(date(2025, 1, 10), 1)]
        restart = wty.compute_warranty(date(2026, 7, 1), deliveries, 12, restart_on_replacement=True)
        self.assertEqual((restart.state, restart.picking_id, restart.start), (wty.VALID, 2, date(2026, 6, 1)))
        keep = wty.compute_warranty(date(2026, 7, 1), deliveries, 12, restart_on_replacement=False)
        self.assertEqual((keep.state, keep.picking_id, keep.start), (wty.EXPIRED, 1, date(2025, 1, 10)))

    def test_replacement_keeps_replaced_start(self):
        """A replacement unit without restart keeps the replaced unit's start."""
        deliveries = [wty.Delivery(date(2026, 6, 1), 5, original_start=date(2025, 1, 10))]
        keep = wty.compute_warranty(date(2026, 7, 1), deliveries, 12, restart_on_replacement=False)
        self.assertEqual((keep.state, keep.start), (wty.EXPIRED, date(2025, 1, 10)))

    def test_not_delivered_and_unknown(self):
        """No delivery: not delivered; no unit at all: unknown; no period: no warranty."""
        self.assertEqual(wty.compute_warranty(date(2026, 1, 1), [], 12).state, wty.NOT_DELIVERED)
        self.assertEqual(wty.compute_warranty(date(2026, 1, 1), [], 12, has_unit=False).state, wty.UNKNOWN)
        none = wty.compute_warranty(date(2026, 1, 1), [wty.Delivery(date(2025, 1, 1), 1)], 0)
        self.assertEqual(none.state, wty.NO_WARRANTY)
