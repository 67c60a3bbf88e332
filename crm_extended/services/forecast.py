"""The forecast from the statistical funnel, beside Odoo's own, and their backtest.

Plain Python over :class:`services.funnel.LeadPath` rows.

* **Stage statistics** (per team, and for all teams as the fallback): of the
  leads that reached a stage and were closed (won or lost) by the cut-off,
  the share won (``p_win``), and the days from first entering the stage to
  the win, for the won ones (``close_days``).
* **Projection**: each open lead is won with its stage's ``p_win``; the day it
  closes is drawn from ``close_days`` less the days it has already spent
  since entering the stage (a lead older than every past win closes in the
  first bucket). Per bucket (week or month): the expected won deals and
  revenue, and a 90% interval (each lead a Bernoulli draw per bucket, summed:
  mean ± 1.645 standard deviations, never below zero). A lead whose stage has
  fewer than ``min_sample`` closed leads (team, then all teams) is not
  projected and is counted as *not enough data*.
* **Odoo's forecast**: expected revenue times probability, in the bucket of the
  expected closing date (without one: *undated*).
* **Flags**: a month whose projection is under 70% (a dip) or over 130% (a
  peak) of the average won revenue of the last six months, with the stages
  whose contribution to that month differs most from their average.
* **Backtest**: for each of the last 12 months, both forecasts made on the
  month's first day with what was known then (the stage each lead was in,
  its expected revenue at that moment; statistics from leads closed before),
  against the revenue won that month; the absolute percentage error per
  month and its mean (MAPE). Odoo's probability and expected closing date are
  not historised: its backtest uses the lead's closing date as it stands and
  the average probability Odoo gives today's open leads of the same stage.
"""

import math
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .funnel import MIN_SAMPLE, days_between, percentile

Z90 = 1.645
DIP = 0.7
PEAK = 1.3
RECENT_MONTHS = 6


QUANTILES = 20


def quantile_fractions(count=QUANTILES):
    return [(k + 0.5) / count for k in range(count)]


@dataclass
class StageStat:
    reached_closed: int = 0
    won: int = 0
    close_days: list = field(default_factory=list)
    quantiles: list | None = None  # set when read from SQL aggregates

    def p_win(self):
        return self.won / self.reached_closed if self.reached_closed else None

    def samples(self):
        """The days to close, as equally likely values: the wins themselves up
        to QUANTILES of them, else their QUANTILES quantiles (the projection's
        cost does not grow with the history)."""
        if self.quantiles is None:
            if len(self.close_days) <= QUANTILES:
                self.quantiles = list(self.close_days)
            else:
                self.quantiles = [percentile(self.close_days, fraction) for fraction in quantile_fractions()]
        return self.quantiles


def month_start(moment):
    return datetime(moment.year, moment.month, 1)


def add_months(moment, months):
    index = moment.year * 12 + moment.month - 1 + months
    return datetime(index // 12, index % 12 + 1, 1)


def week_buckets(as_of, count=12):
    start = datetime(as_of.year, as_of.month, as_of.day) - timedelta(days=as_of.weekday())
    return [(start + timedelta(weeks=i), start + timedelta(weeks=i + 1)) for i in range(count)]


def month_buckets(as_of, count=6):
    start = month_start(as_of)
    return [(add_months(start, i), add_months(start, i + 1)) for i in range(count)]


def _stays_before(path, as_of):
    return [stay for stay in path.stays if as_of is None or stay[1] < as_of]


def stage_statistics(paths, stages, as_of=None, since=None):
    """{(team, stage_id): StageStat} and {(None, stage_id): StageStat} from
    the leads closed before ``as_of`` (all closed leads when None) and, when
    given, since ``since``."""
    order = sorted((s for s in stages if not s.is_won), key=lambda s: (s.sequence, s.id))
    index = {stage.id: position for position, stage in enumerate(order)}
    stats = defaultdict(StageStat)
    for path in paths:
        if path.outcome == "open" or path.closed_at is None:
            continue
        if as_of is not None and path.closed_at >= as_of:
            continue
        if since is not None and path.closed_at < since:
            continue
        won = path.outcome == "won"
        first_entry = {}
        top = -1
        for stage_id, entered, *_rest in path.stays:
            position = index.get(stage_id)
            if position is None:
                continue
            top = max(top, position)
            first_entry.setdefault(stage_id, entered)
        if won:
            top = len(order) - 1
        for position in range(top + 1):
            stage_id = order[position].id
            for key in ((path.team_id, stage_id), (None, stage_id)):
                stat = stats[key]
                stat.reached_closed += 1
                if won:
                    stat.won += 1
                    if stage_id in first_entry:
                        stat.close_days.append(max(days_between(first_entry[stage_id], path.closed_at), 0.0))
    return stats


def _statistic_for(stats, team_id, stage_id, min_sample):
    for key in ((team_id, stage_id), (None, stage_id)):
        stat = stats.get(key)
        if stat and stat.reached_closed >= max(min_sample, 1) and (stat.samples() or not stat.won):
            return stat
    return None


def open_at(paths, as_of=None):
    """The leads open at ``as_of`` (now when None): (path, stage_id, entered, revenue)."""
    result = []
    for path in paths:
        if as_of is None:
            if path.outcome != "open" or not path.stays:
                continue
            stage_id, entered, *_rest = path.stays[-1]
            result.append((path, stage_id, entered, path.revenue))
            continue
        if path.closed_at is not None and path.closed_at < as_of:
            continue
        stays = _stays_before(path, as_of)
        if not stays:
            continue
        stage_id, entered, _left, revenue = stays[-1]
        result.append((path, stage_id, entered, revenue))
    return result


def _bucket_of(buckets, moment):
    for position, (start, end) in enumerate(buckets):
        if start <= moment < end:
            return position
    return None


def _bucket_bounds(buckets, as_of):
    """The buckets' bounds as days from ``as_of`` (starts, ends), None when
    they are not in order (the bucket of a day is then looked up one by one)."""
    starts = [days_between(as_of, start) for start, _end in buckets]
    ends = [days_between(as_of, end) for _start, end in buckets]
    if any(ends[i] > starts[i + 1] for i in range(len(buckets) - 1)):
        return None
    return starts, ends


def _spread(remaining, share, bounds, per_bucket):
    """Add ``share`` to ``per_bucket`` for each of the days ``remaining`` (in
    order) in the bucket whose [start, end) holds it: the buckets walked once
    along the days, which stop at the last bucket's end."""
    starts, ends = bounds
    last = len(starts) - 1
    position = -1
    for days in remaining:
        while position < last and starts[position + 1] <= days:
            position += 1
        if position < 0:
            continue
        if days < ends[position]:
            per_bucket[position] += share
        elif position == last:
            break


def project(open_leads, stats, as_of, buckets, min_sample=MIN_SAMPLE):
    """The funnel's projection of ``open_leads`` into ``buckets``: a list of
    dicts (start, won, won_low, won_high, revenue, revenue_low, revenue_high,
    by_stage) and the number of leads without enough data."""
    size = len(buckets)
    # per bucket: expected won deals and their variance, revenue and its variance, revenue per stage
    won, won_var, revenue_sum, revenue_var = [0.0] * size, [0.0] * size, [0.0] * size, [0.0] * size
    by_stage = [defaultdict(float) for _bucket in buckets]
    without = 0
    bounds = _bucket_bounds(buckets, as_of)
    # per (team, stage): its statistic's p_win and days to close in order (a few dozen keys)
    chosen = {}
    for path, stage_id, entered, revenue in open_leads:
        key = (path.team_id, stage_id)
        if key not in chosen:
            stat = _statistic_for(stats, path.team_id, stage_id, min_sample)
            chosen[key] = stat and (stat.p_win(), sorted(stat.samples()))
        if chosen[key] is None:
            without += 1
            continue
        p_win, samples = chosen[key]
        if not p_win:
            continue
        age = max(days_between(entered, as_of), 0.0)
        # the wins that took longer than the lead's age, less that age, in order
        remaining = [days - age for days in samples[bisect_right(samples, age) :]] or [0.0]
        share = p_win / len(remaining)
        per_bucket = defaultdict(float)
        if bounds is None:
            for days in remaining:
                position = _bucket_of(buckets, as_of + timedelta(days=days))
                if position is not None:
                    per_bucket[position] += share
        else:
            _spread(remaining, share, bounds, per_bucket)
        for position, q in per_bucket.items():
            spread = q * (1 - q)
            won[position] += q
            won_var[position] += spread
            revenue_sum[position] += q * revenue
            revenue_var[position] += spread * revenue * revenue
            by_stage[position][stage_id] += q * revenue
    result = []
    for position, (start, _end) in enumerate(buckets):
        won_sd, revenue_sd = math.sqrt(won_var[position]), math.sqrt(revenue_var[position])
        result.append(
            {
                "start": start,
                "won": won[position],
                "won_low": max(won[position] - Z90 * won_sd, 0.0),
                "won_high": won[position] + Z90 * won_sd,
                "revenue": revenue_sum[position],
                "revenue_low": max(revenue_sum[position] - Z90 * revenue_sd, 0.0),
                "revenue_high": revenue_sum[position] + Z90 * revenue_sd,
                "by_stage": dict(by_stage[position]),
            }
        )
    return result, without


def odoo_forecast(open_leads, buckets, probability=None):
    """Odoo's forecast: expected revenue times probability by expected closing
    date, per bucket, and the undated total. ``probability(path, stage_id)``
    overrides the lead's own probability (the backtest)."""
    revenue = [0.0] * len(buckets)
    undated = 0.0
    for path, stage_id, _entered, amount in open_leads:
        chance = (probability(path, stage_id) if probability else path.probability) or 0.0
        value = amount * chance / 100.0
        if not path.date_deadline:
            undated += value
            continue
        position = _bucket_of(buckets, datetime.combine(path.date_deadline, datetime.min.time()))
        if position is not None:
            revenue[position] += value
    return revenue, undated


def won_revenue(paths, start, end):
    """Revenue of the deals won in [start, end)."""
    return sum(
        path.revenue
        for path in paths
        if path.outcome == "won" and path.closed_at and start <= path.closed_at < end
    )


def recent_average(paths, as_of):
    """The average won revenue of the RECENT_MONTHS whole months before ``as_of``."""
    start = month_start(as_of)
    recent = [
        won_revenue(paths, add_months(start, -i - 1), add_months(start, -i)) for i in range(RECENT_MONTHS)
    ]
    return sum(recent) / len(recent)


def flag_months(months, average):
    """Mark each projected month as a dip or a peak against ``average`` (the
    won revenue of a recent month), with the stages that cause it."""
    stage_ids = {stage for month in months for stage in month["by_stage"]}
    stage_mean = {
        stage: sum(month["by_stage"].get(stage, 0.0) for month in months) / len(months) for stage in stage_ids
    }
    for month in months:
        month["recent_average"] = average
        month["flag"] = None
        month["causes"] = []
        if average <= 0:
            continue
        if month["revenue"] < DIP * average:
            month["flag"] = "dip"
            gaps = {stage: stage_mean[stage] - month["by_stage"].get(stage, 0.0) for stage in stage_ids}
        elif month["revenue"] > PEAK * average:
            month["flag"] = "peak"
            gaps = {stage: month["by_stage"].get(stage, 0.0) - stage_mean[stage] for stage in stage_ids}
        else:
            continue
        month["causes"] = [
            stage for stage, gap in sorted(gaps.items(), key=lambda item: -item[1]) if gap > 0
        ][:2]
    return months


def backtest(paths, stages, as_of, months=12, min_sample=MIN_SAMPLE, stage_probability=None):
    """Both forecasts of each of the ``months`` months before ``as_of``'s
    month, made on its first day, against the revenue won in it."""
    stage_probability = stage_probability or {}
    rows = []
    first = month_start(as_of)
    for back in range(months, 0, -1):
        start, end = add_months(first, -back), add_months(first, -back + 1)
        stats = stage_statistics(paths, stages, as_of=start)
        pipeline = open_at(paths, start)
        projected, _without = project(pipeline, stats, start, [(start, end)], min_sample)
        odoo, _undated = odoo_forecast(
            pipeline, [(start, end)], probability=lambda path, stage_id: stage_probability.get(stage_id, 0.0)
        )
        actual = won_revenue(paths, start, end)
        rows.append(
            {
                "start": start,
                "actual": actual,
                "funnel": projected[0]["revenue"],
                "odoo": odoo[0],
                "funnel_ape": _ape(projected[0]["revenue"], actual),
                "odoo_ape": _ape(odoo[0], actual),
            }
        )
    return rows, {
        "funnel": _mean(row["funnel_ape"] for row in rows),
        "odoo": _mean(row["odoo_ape"] for row in rows),
    }


def _ape(forecast, actual):
    """Absolute percentage error; None when nothing was won (no percentage of zero)."""
    if actual <= 0:
        return None
    return abs(forecast - actual) / actual * 100.0


def _mean(values):
    values = [value for value in values if value is not None]
    return sum(values) / len(values) if values else None
