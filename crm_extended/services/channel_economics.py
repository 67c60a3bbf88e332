"""Channel economics ratios, computed from summed numerators and denominators
(a group's ratio is never an average of its rows' ratios)."""


def ratio(numerator, denominator):
    """numerator / denominator, None when the denominator is zero."""
    return numerator / denominator if denominator else None


def roi(revenue, cost):
    """Return on investment in percent: (revenue - cost) / cost * 100."""
    value = ratio((revenue or 0.0) - (cost or 0.0), cost)
    return None if value is None else value * 100.0


def progress(done, goal):
    """How far ``done`` is towards ``goal``, in percent (0 without a goal)."""
    value = ratio(done or 0, goal)
    return 0.0 if value is None else value * 100.0
