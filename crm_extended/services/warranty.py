"""Warranty of a delivered unit, computed from its deliveries (plain Python, no ORM).

A unit is under warranty on day D when D falls on or before the last day of
its period: delivered 2026-03-15 with 12 months, it is covered until
2027-03-14 inclusive and expired from 2027-03-15.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

VALID = "valid"
EXPIRED = "expired"
NO_WARRANTY = "none"
NOT_DELIVERED = "not_delivered"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Delivery:
    """One delivery of the unit to the customer.

    ``original_start`` is set when the delivery replaced a unit under a service
    case: the day the replaced unit's warranty started.
    """

    day: date
    picking_id: int
    original_start: date | None = None


@dataclass(frozen=True)
class Warranty:
    state: str
    start: date | None = None
    end: date | None = None
    picking_id: int | None = None


def warranty_months(product_months, category_months, extension_months=0):
    """The product's period, else its category's (0 = not set), plus an extension sold for the unit."""
    base = product_months or category_months or 0
    if not base and not extension_months:
        return 0
    return base + (extension_months or 0)


def warranty_end(start, months):
    """The last day covered by a warranty of ``months`` starting on ``start``."""
    return start + relativedelta(months=months) - timedelta(days=1)


def warranty_start(deliveries, restart_on_replacement):
    """The delivery the warranty counts from, and the day it starts.

    ``deliveries``: the unit's deliveries to this customer, in any order. A
    replacement restarts the warranty (the newest delivery counts) or keeps the
    replaced unit's start, as configured.
    """
    if not deliveries:
        return None, None
    ordered = sorted(deliveries, key=lambda d: (d.day, d.picking_id))
    chosen = ordered[-1] if restart_on_replacement else ordered[0]
    start = chosen.day
    if not restart_on_replacement and chosen.original_start:
        start = min(start, chosen.original_start)
    return chosen, start


def compute_warranty(on_day, deliveries, months, restart_on_replacement=True, has_unit=True):
    """The warranty of a unit on ``on_day``.

    ``has_unit`` is False when the case names no product/serial at all.
    """
    if not has_unit:
        return Warranty(UNKNOWN)
    chosen, start = warranty_start(deliveries, restart_on_replacement)
    if chosen is None:
        return Warranty(NOT_DELIVERED)
    if not months:
        return Warranty(NO_WARRANTY, start=start, picking_id=chosen.picking_id)
    end = warranty_end(start, months)
    state = VALID if on_day <= end else EXPIRED
    return Warranty(state, start=start, end=end, picking_id=chosen.picking_id)
