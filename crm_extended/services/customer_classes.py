"""Customer classes: ABC, XYZ, RFM and dependence on a few clients.

Plain Python over per-client figures (a client is a holding when the
partner belongs to one, else the partner's commercial entity).

* **ABC** (by revenue, or by margin): clients sorted by the figure, largest
  first; a client is *A* while the clients before it make less than 80% of
  the total, *B* while they make less than 95% (80 + 15), else *C*. A client
  with nothing (zero, or a loss) gets no class.
* **XYZ**: the coefficient of variation of the monthly revenue over the
  period's months, months without purchases counted as zero (population
  standard deviation / mean): *X* up to 0.5 (regular), *Y* up to 1.0, *Z*
  above; no class without revenue.
* **RFM**: recency (days since the last invoice) and frequency (invoices in
  the period) scored 1-5 on fixed steps (below), then a segment:
  champions (R >= 4, F >= 4), loyal (R >= 3, F >= 3), promising (R >= 3, F
  <= 2), at risk (R <= 2, F >= 3), hibernating (R = 2, F <= 2), lost (R = 1,
  F <= 2). The monetary side is the ABC class.
* **Dependence**: the top 1, 5 and 10 clients' share of revenue and the
  Herfindahl-Hirschman index (sum of the squared percentage shares, 0 to
  10,000), with a warning at a threshold (1,500 by default: "moderately
  concentrated" in competition practice).
"""

import math

ABC_THRESHOLDS = (0.80, 0.15, 0.05)
XYZ_THRESHOLDS = (0.5, 1.0)
HHI_WARNING = 1500.0
# (at most this many days since the last invoice, score)
RECENCY_STEPS = ((30, 5), (90, 4), (180, 3), (365, 2))
# (at least this many invoices in the period, score)
FREQUENCY_STEPS = ((12, 5), (6, 4), (3, 3), (2, 2))
SEGMENTS = ("champions", "loyal", "promising", "at_risk", "hibernating", "lost")


def abc(values, thresholds=ABC_THRESHOLDS):
    """{client: "A" | "B" | "C" | None} for {client: figure}."""
    positive = sorted(((value, key) for key, value in values.items() if value > 0), key=lambda item: -item[0])
    total = sum(value for value, _key in positive)
    result = dict.fromkeys(values)
    before = 0.0
    a_limit, b_limit = thresholds[0], thresholds[0] + thresholds[1]
    for value, key in positive:
        share = before / total
        # a tolerance for the shares' floating-point sums (0.8 reached exactly is reached)
        if share < a_limit - 1e-9:
            result[key] = "A"
        elif share < b_limit - 1e-9:
            result[key] = "B"
        else:
            result[key] = "C"
        before += value
    return result


def coefficient_of_variation(monthly):
    """Population standard deviation / mean of the monthly figures; None
    when the mean is not positive."""
    if not monthly:
        return None
    mean = sum(monthly) / len(monthly)
    if mean <= 0:
        return None
    variance = sum((value - mean) ** 2 for value in monthly) / len(monthly)
    return math.sqrt(variance) / mean


def xyz(monthly, thresholds=XYZ_THRESHOLDS):
    cv = coefficient_of_variation(monthly)
    if cv is None:
        return None
    if cv <= thresholds[0] + 1e-9:
        return "X"
    if cv <= thresholds[1] + 1e-9:
        return "Y"
    return "Z"


def recency_score(days):
    for limit, score in RECENCY_STEPS:
        if days <= limit:
            return score
    return 1


def frequency_score(count):
    for limit, score in FREQUENCY_STEPS:
        if count >= limit:
            return score
    return 1


def rfm_segment(recency_days, frequency):
    """The RFM segment of a client last invoiced ``recency_days`` ago with
    ``frequency`` invoices in the period; None for a client never invoiced."""
    if recency_days is None:
        return None
    r, f = recency_score(recency_days), frequency_score(frequency)
    if r >= 4 and f >= 4:
        return "champions"
    if r >= 3:
        return "loyal" if f >= 3 else "promising"
    if f >= 3:
        return "at_risk"
    return "hibernating" if r == 2 else "lost"


def dependence(values, warning=HHI_WARNING):
    """Concentration of {client: revenue}: total, top-1/5/10 shares (0-1) and
    the HHI; shares and HHI None when there is no revenue."""
    positive = sorted((value for value in values.values() if value > 0), reverse=True)
    total = sum(positive)
    if total <= 0:
        return {
            "total": 0.0,
            "clients": 0,
            "top1": None,
            "top5": None,
            "top10": None,
            "hhi": None,
            "warning": False,
        }
    hhi = sum((100.0 * value / total) ** 2 for value in positive)
    return {
        "total": total,
        "clients": len(positive),
        "top1": sum(positive[:1]) / total,
        "top5": sum(positive[:5]) / total,
        "top10": sum(positive[:10]) / total,
        "hhi": hhi,
        "warning": hhi >= warning,
    }
