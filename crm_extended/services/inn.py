"""Russian tax identifiers: INN (with its checksum) and KPP (format)."""

import re

_INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_1 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_2 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_KPP = re.compile(r"^\d{4}[0-9A-Z]{2}\d{3}$")


def _check_digit(digits, weights):
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def clean_inn(value):
    """The INN's digits, without spaces or a leading country prefix 'RU'."""
    text = re.sub(r"\s", "", value or "").upper()
    return text[2:] if text.startswith("RU") else text


def inn_error(value):
    """None when ``value`` is a valid INN, else a code naming the rule it breaks.

    Codes: ``digits`` (non-digit characters), ``length`` (neither 10 nor 12
    digits), ``checksum10`` / ``checksum12`` (check digits do not match).
    """
    inn = clean_inn(value)
    if not inn.isdigit():
        return "digits"
    if len(inn) == 10:
        if _check_digit(inn[:9], _INN10_WEIGHTS) != int(inn[9]):
            return "checksum10"
        return None
    if len(inn) == 12:
        if _check_digit(inn[:10], _INN12_WEIGHTS_1) != int(inn[10]) or _check_digit(
            inn[:11], _INN12_WEIGHTS_2
        ) != int(inn[11]):
            return "checksum12"
        return None
    return "length"


def is_valid_kpp(value):
    """A KPP is 9 characters: 4 digits, 2 digits or capital letters, 3 digits."""
    return bool(_KPP.match((value or "").strip()))
