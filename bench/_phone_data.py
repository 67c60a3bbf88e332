"""Deterministic phone numbers in the formats people type, for bench/phone_lookup.py.

Pure Python (no Odoo): which countries, which national numbers and which
spellings the generated partners and leads get, and how a number is spelled
again in another format for a lookup.

A number is a country code (ISO) and its national significant number ``nsn``
(no trunk prefix: "9123456789" for Russia's "8 (912) 345-67-89").
"""

import random

# Where the partners' numbers come from: a Russian company's customer base.
COUNTRY_WEIGHTS = {"RU": 70, "DE": 8, "GB": 8, "US": 7, "FR": 7}
CALLING_CODES = {"RU": "7", "DE": "49", "GB": "44", "US": "1", "FR": "33"}
JUNK = ["call me", "n/a", "-", "нет", "ask reception", "123", "see e-mail", "TBD", "0", "+7 ???"]
JUNK_SHARE = 0.03
US_AREAS = ["212", "310", "415", "617", "312", "206", "305", "512"]


def _digits(rng, count):
    return f"{rng.randrange(10**count):0{count}d}"


def national_number(rng, country):
    """A valid national significant number of ``country``."""
    kind = rng.random()
    if country == "RU":
        if kind < 0.7:
            return "9" + _digits(rng, 9)
        return rng.choice(["495", "499", "812", "343", "383"]) + _digits(rng, 7)
    if country == "DE":
        if kind < 0.5:
            return rng.choice(["151", "176"]) + _digits(rng, 8)
        return "30" + _digits(rng, 8)
    if country == "GB":
        if kind < 0.5:
            return "7" + rng.choice("458") + _digits(rng, 8)
        return "20" + rng.choice("378") + _digits(rng, 7)
    if country == "US":
        return rng.choice(US_AREAS) + str(rng.randrange(200, 1000)) + _digits(rng, 4)
    if kind < 0.5:  # France
        return "6" + rng.choice("0124578") + _digits(rng, 7)
    return "1" + _digits(rng, 8)


def groups(country, nsn):
    """The digit groups a number of ``country`` is written in."""
    if country == "RU":
        return [nsn[:3], nsn[3:6], nsn[6:8], nsn[8:]]
    if country == "DE":
        cut = 3 if nsn.startswith("1") else 2
        return [nsn[:cut], nsn[cut:]]
    if country == "GB":
        return [nsn[:2], nsn[2:6], nsn[6:]] if nsn.startswith("2") else [nsn[:4], nsn[4:]]
    if country == "US":
        return [nsn[:3], nsn[3:6], nsn[6:]]
    return [nsn[0], nsn[1:3], nsn[3:5], nsn[5:7], nsn[7:]]


def _ru(style, g):
    a, b, c, d = g
    return {
        "ru_8_paren": f"8 ({a}) {b}-{c}-{d}",
        "ru_8_dashes": f"8-{a}-{b}-{c}-{d}",
        "ru_8_plain": f"8{a}{b}{c}{d}",
        "ru_plus7_spaces": f"+7 {a} {b} {c} {d}",
        "ru_plus7_paren": f"+7({a}){b}-{c}-{d}",
        "ru_007": f"007 {a} {b}{c}{d}",
    }[style]


def _national(country, style, g):
    if country == "US":
        a, b, c = g
        return {"nat_a": f"({a}) {b}-{c}", "nat_b": f"{a}-{b}-{c}"}[style]
    if country == "FR":
        return {"nat_a": "0" + " ".join(g), "nat_b": "0" + ".".join(g)}[style]
    if country == "DE":
        return {"nat_a": f"0{g[0]} {g[1]}", "nat_b": f"0{g[0]}/{g[1]}"}[style]
    return {"nat_a": "0" + " ".join(g), "nat_b": "0" + "".join(g)}[style]  # GB


def _international(country, style, g):
    code = CALLING_CODES[country]
    return {
        "intl_plus": f"+{code} " + " ".join(g),
        "intl_plus_compact": f"+{code}" + "".join(g),
        "intl_00": f"00{code} " + " ".join(g),
        "pbx_810": f"8 10 {code} " + "".join(g),  # how a Russian PBX or person dials abroad
    }[style]


RU_STYLES = ["ru_8_paren", "ru_8_dashes", "ru_8_plain", "ru_plus7_spaces", "ru_plus7_paren", "ru_007"]
NATIONAL_STYLES = ["nat_a", "nat_b"]
INTERNATIONAL_STYLES = ["intl_plus", "intl_plus_compact", "intl_00"]
QUERY_FOREIGN_STYLES = INTERNATIONAL_STYLES + ["pbx_810"]


def render(country, nsn, style):
    """``nsn`` of ``country`` spelled in ``style``."""
    g = groups(country, nsn)
    if country == "RU":
        return _ru(style, g)
    if style.startswith("nat_"):
        return _national(country, style, g)
    return _international(country, style, g)


def stored_styles(country, has_country):
    """The spellings a record's number may be stored in: a foreign number
    typed nationally only makes sense when the record's country is set."""
    if country == "RU":
        return RU_STYLES
    return NATIONAL_STYLES + INTERNATIONAL_STYLES if has_country else INTERNATIONAL_STYLES


def query_styles(country):
    """The spellings a caller's number may arrive in at a Russian company:
    any Russian format; foreign numbers with their country code."""
    return RU_STYLES if country == "RU" else QUERY_FOREIGN_STYLES


def pick_country(rng):
    """A country by COUNTRY_WEIGHTS."""
    return rng.choices(list(COUNTRY_WEIGHTS), weights=list(COUNTRY_WEIGHTS.values()))[0]


def has_country(rng, country):
    """Whether the record's country field is filled: always for foreign
    records, for 60% of the Russian ones (the company's country stands in)."""
    return country != "RU" or rng.random() < 0.6


def human_number(rng, country, with_country):
    """A number as typed on a record (or, for JUNK_SHARE of them, not a number)."""
    if rng.random() < JUNK_SHARE:
        return rng.choice(JUNK)
    style = rng.choice(stored_styles(country, with_country))
    return render(country, national_number(rng, country), style)


def chunk_rng(seed, chunk_index):
    """The generator of one chunk: the same data whatever the worker order."""
    return random.Random(seed * 1_000_003 + chunk_index)
