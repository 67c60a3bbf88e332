"""Recurrence of task templates: which period a day falls in, and the task's
due day in that period. Plain Python, no ORM.

A recurrence is every ``interval`` days, weeks or months counted from an
anchor day. Periods are back to back: every 2 weeks from a Monday gives
periods of 14 days starting on Mondays; every 3 months from January gives
quarters. In a weekly period the task is due on the chosen weekday of its
first week; in a monthly period, on the chosen day of its first month (the
31st is the month's last day in shorter months), or on the month's last
working day.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

FREQUENCIES = ("daily", "weekly", "monthly")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MONTH_BY = ("day", "last_working_day")


class RecurrenceError(ValueError):
    """A recurrence that cannot generate anything; the message says why."""


@dataclass(frozen=True)
class Recurrence:
    frequency: str
    interval: int = 1
    weekday: str = "mon"
    month_by: str = "day"
    month_day: int = 1
    anchor: date = date(2000, 1, 3)  # a Monday

    def check(self):
        """Raise RecurrenceError with a readable reason when invalid."""
        if self.frequency not in FREQUENCIES:
            raise RecurrenceError(f"unknown frequency {self.frequency!r}")
        if not isinstance(self.interval, int) or self.interval < 1:
            raise RecurrenceError("the interval must be a whole number of at least 1")
        if self.frequency == "weekly" and self.weekday not in WEEKDAYS:
            raise RecurrenceError("a weekly recurrence needs a weekday")
        if self.frequency == "monthly":
            if self.month_by not in MONTH_BY:
                raise RecurrenceError("a monthly recurrence is on a day of the month or its last working day")
            if self.month_by == "day" and not 1 <= (self.month_day or 0) <= 31:
                raise RecurrenceError("the day of the month must be between 1 and 31")

    def period(self, day):
        """The period ``(start, end)`` containing ``day``; ``end`` is exclusive."""
        self.check()
        if self.frequency == "daily":
            index = (day - self.anchor).days // self.interval
            start = self.anchor + timedelta(days=index * self.interval)
            return start, start + timedelta(days=self.interval)
        if self.frequency == "weekly":
            anchor = self.anchor - timedelta(days=self.anchor.weekday())
            index = (day - anchor).days // (7 * self.interval)
            start = anchor + timedelta(days=index * 7 * self.interval)
            return start, start + timedelta(days=7 * self.interval)
        months = (day.year - self.anchor.year) * 12 + day.month - self.anchor.month
        index = months // self.interval
        start = add_months(date(self.anchor.year, self.anchor.month, 1), index * self.interval)
        return start, add_months(start, self.interval)

    def due(self, period_start, is_working_day=None):
        """The day the task of the period starting on ``period_start`` is due.

        ``is_working_day(day) -> bool`` decides the last working day (Monday to
        Friday when not given)."""
        if self.frequency == "daily":
            return period_start
        if self.frequency == "weekly":
            return period_start + timedelta(days=WEEKDAYS.index(self.weekday))
        last = calendar.monthrange(period_start.year, period_start.month)[1]
        if self.month_by == "day":
            return period_start.replace(day=min(self.month_day, last))
        is_working_day = is_working_day or (lambda day: day.weekday() < 5)
        day = period_start.replace(day=last)
        for _ in range(last):
            if is_working_day(day):
                return day
            day -= timedelta(days=1)
        return period_start.replace(day=last)


def add_months(day, months):
    """The first day of the month ``months`` after ``day``'s month."""
    total = day.year * 12 + day.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)
