"""The statistical funnel: plain Python over the stage stays of a set of leads.

A lead is a :class:`LeadPath`: its stays in stages (stage, entered, left or
None while it is still there), its outcome (won, lost, open) and when it was
closed. The funnel's steps are the stages that are not won, in their order
(sequence, id), then one *Won* step.

* **entered**: leads that had a stay in the stage;
* **reached**: leads that got to the stage or further (a lead that jumps from
  the first stage to the third passed the second; a won deal passed every
  stage): the funnel never widens;
* **conversion to the next step** = reached(next) / reached(stage), **to
  won** = won / reached(stage), and the inverse, **leads at the stage per won
  deal** = reached(stage) / won;
* **time in stage**: days of each stay that ended with a move to another
  stage (a lead still there, or lost there, has not finished its stay):
  median and 80th percentile, interpolated between the two nearest stays
  (PostgreSQL's ``percentile_cont``).

A ratio over fewer than ``min_sample`` leads (or stays; or won deals for the
inverse) is None: *not enough data*, never a percentage of two leads.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime

MIN_SAMPLE = 5
WON_STEP = "won"


@dataclass
class LeadPath:
    lead_id: int
    outcome: str = "open"  # won, lost, open
    closed_at: datetime | None = None
    # (stage_id, entered, left or None, expected revenue then), in time order
    stays: list = field(default_factory=list)
    group: object = None
    revenue: float = 0.0  # expected revenue now
    team_id: int | None = None
    probability: float = 0.0
    date_deadline: object = None


@dataclass
class Stage:
    id: int
    name: str
    sequence: int = 0
    is_won: bool = False


def percentile(values, fraction):
    """The ``fraction`` percentile of ``values``, interpolated linearly
    between the closest ranks (as PostgreSQL's percentile_cont); None when
    empty."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = math.floor(position)
    high = math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def days_between(start, end):
    return (end - start).total_seconds() / 86400.0


def ratio(numerator, denominator, min_sample):
    """numerator / denominator, or None when the denominator is under min_sample."""
    if denominator < max(min_sample, 1):
        return None
    return numerator / denominator


def funnel_order(stages):
    """The stages a lead moves through (not won), in funnel order."""
    return sorted(
        (stage for stage in stages if not stage.is_won), key=lambda stage: (stage.sequence, stage.id)
    )


def funnel(leads, stages, min_sample=MIN_SAMPLE):
    """The funnel of ``leads`` over ``stages``: a dict with ``leads``,
    ``won``, ``lost``, ``open`` and ``steps`` (one per stage in funnel order,
    then the *Won* step), each step with entered, reached, conversion_next,
    conversion_won, leads_per_won, median_days, p80_days, stays (the number
    of finished stays the times are read from)."""
    order = funnel_order(stages)
    index = {stage.id: position for position, stage in enumerate(order)}
    size = len(order)
    reached = [0] * size
    entered = [0] * size
    durations = [[] for _stage in order]
    counts = {"won": 0, "lost": 0, "open": 0}
    for lead in leads:
        counts[lead.outcome] = counts.get(lead.outcome, 0) + 1
        top = -1
        seen = set()
        for stage_id, entered_at, left_at, *_rest in lead.stays:
            position = index.get(stage_id)
            if position is None:
                continue
            seen.add(position)
            top = max(top, position)
            if left_at is not None:
                durations[position].append(days_between(entered_at, left_at))
        if lead.outcome == "won":
            top = size - 1
        for position in range(top + 1):
            reached[position] += 1
        for position in seen:
            entered[position] += 1
    times = [(len(stays), percentile(stays, 0.5), percentile(stays, 0.8)) for stays in durations]
    return figures(order, len(leads), counts, reached, entered, times, min_sample)


def figures(order, leads, counts, reached, entered, times, min_sample=MIN_SAMPLE):
    """The funnel's dict (see :func:`funnel`) from its counts: ``counts`` of
    the leads per outcome, per stage of ``order`` how many ``reached`` and
    ``entered`` it, and ``times`` (finished stays, their median and 80th
    percentile of days)."""
    size = len(order)
    won = counts["won"]
    steps = []
    for position, stage in enumerate(order):
        following = reached[position + 1] if position + 1 < size else won
        stays, median, p80 = times[position]
        enough_stays = stays >= max(min_sample, 1)
        steps.append(
            {
                "stage_id": stage.id,
                "name": stage.name,
                "entered": entered[position],
                "reached": reached[position],
                "conversion_next": ratio(following, reached[position], min_sample),
                "conversion_won": ratio(won, reached[position], min_sample),
                "leads_per_won": (reached[position] / won if won >= max(min_sample, 1) else None),
                "median_days": median if enough_stays else None,
                "p80_days": p80 if enough_stays else None,
                "stays": stays,
            }
        )
    steps.append(
        {
            "stage_id": WON_STEP,
            "name": "Won",
            "entered": won,
            "reached": won,
            "conversion_next": None,
            "conversion_won": None,
            "leads_per_won": 1.0 if won >= max(min_sample, 1) else None,
            "median_days": None,
            "p80_days": None,
            "stays": 0,
        }
    )
    return {"leads": leads, **counts, "steps": steps}
