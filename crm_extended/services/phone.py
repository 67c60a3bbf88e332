"""Phone numbers as people and PBXs write them, reduced to one E.164 key.

The key is what duplicate detection and caller identification compare: two
records share a number when their keys are equal, whatever the spelling
("8 (912) 345-67-89", "+7 912 345 67 89", "0079123456789" are one number).

Parsing is the phonenumbers library's, as Odoo's own ``phone_validation``
does, but stricter: ``phone_validation.phone_parse`` puts a "+" before a
national number that is too long for the region ("8 (495) 613-52-41" read in
the United States becomes +84 956..., a Vietnamese number), a guess that would
store a wrong key and hide the right reading; here a number is valid in the
region it is read in, or it has no key there (tests compare both). Added: an
extension after the number, and the former USSR's "8 10" international prefix.
"""

import functools
import re

import phonenumbers

# Countries where a leading "8" is the trunk prefix and "8 10" the old
# international prefix (former USSR numbering plan).
_RU_PLAN = {"RU", "KZ", "BY"}
_NON_DIALABLE = re.compile(r"[^\d+]")
# extensions ("доб. 123", "ext 12", "x12") are not part of the line number
_EXTENSION = re.compile(r"(?i)\s*(?:доб\.?|ext\.?|x)\s*\d+\s*$")


def _clean(number):
    """Keep digits and a leading plus; turn international call prefixes into '+'."""
    text = _EXTENSION.split((number or "").strip())[0]
    digits = _NON_DIALABLE.sub("", text)
    if digits.startswith("+"):
        return "+" + digits[1:].replace("+", "")
    digits = digits.replace("+", "")
    if digits.startswith("00"):
        return "+" + digits[2:]
    return digits


def is_international(number):
    """Whether ``number`` carries its country code (then no region is needed)."""
    return _clean(number).startswith("+")


@functools.lru_cache(maxsize=4096)
def normalize(number, region=None):
    """Return the E.164 form of ``number`` or None when it is not a valid number.

    ``region`` is the ISO country code used for numbers written without a
    country code. Remembered for the last 4,096 numbers and regions: an
    incoming call's number is read for the call, its caller's lookup and the
    card of every user it rings.
    """
    cleaned = _clean(number)
    if len(cleaned.lstrip("+")) < 5:
        return None
    region = (region or "").upper() or None
    if region in _RU_PLAN and cleaned.startswith("810") and len(cleaned) > 12:
        cleaned = "+" + cleaned[3:]
    try:
        parsed = phonenumbers.parse(cleaned, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def readings(number, regions):
    """Every valid reading of ``number``: ``[(E.164 key, region)]``, the
    regions tried in the order given (a number with its country code has one
    reading, whatever the regions; its region is None)."""
    if is_international(number):
        key = normalize(number)
        return [(key, None)] if key else []
    result = []
    for region in regions or []:
        key = normalize(number, region)
        if key and key not in (known for known, _region in result):
            result.append((key, region))
    return result


def first_reading(number, regions):
    """The key of the first valid reading of ``number`` in ``regions`` (in
    that order), None when there is none: what is stored for a record."""
    found = readings(number, regions)
    return found[0][0] if found else None


def candidates(number, regions):
    """Every E.164 key ``number`` can stand for, trying ``regions`` in order.

    An incoming call's number carries no country: a national number is read
    in each region given (the company's first). A number with its country
    code gives one key whatever the regions.
    """
    return [key for key, _region in readings(number, regions)]
