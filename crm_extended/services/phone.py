"""Phone numbers as people and PBXs write them, reduced to one E.164 key.

The key is what duplicate detection and caller identification compare: two
records share a number when their keys are equal, whatever the spelling
("8 (912) 345-67-89", "+7 912 345 67 89", "0079123456789" are one number).
"""

import re

import phonenumbers

# Countries where a leading "8" is the trunk prefix and "8 10" the old
# international prefix (former USSR numbering plan).
_RU_PLAN = {"RU", "KZ", "BY"}
_NON_DIALABLE = re.compile(r"[^\d+]")


def _clean(number):
    """Keep digits and a leading plus; turn international call prefixes into '+'."""
    text = (number or "").strip()
    # extensions ("доб. 123", "ext 12", "x12") are not part of the line number
    text = re.split(r"(?i)\s*(?:доб\.?|ext\.?|x)\s*\d+\s*$", text)[0]
    digits = _NON_DIALABLE.sub("", text)
    if digits.startswith("+"):
        return "+" + digits[1:].replace("+", "")
    digits = digits.replace("+", "")
    if digits.startswith("00"):
        return "+" + digits[2:]
    return digits


def normalize(number, region=None):
    """Return the E.164 form of ``number`` or None when it is not a valid number.

    ``region`` is the ISO country code used for numbers written without a
    country code (the record's country, else the company's).
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


def candidates(number, regions):
    """Every E.164 key ``number`` can stand for, trying ``regions`` in order.

    An incoming call's number carries no country: a national number is read
    in each region given (the company's first). A number with its country
    code gives one key whatever the regions.
    """
    if _clean(number).startswith("+"):
        key = normalize(number)
        return [key] if key else []
    keys = []
    for region in regions or []:
        key = normalize(number, region)
        if key and key not in keys:
            keys.append(key)
    return keys
