"""Russian tax identifiers: INN (python-stdnum's check) and KPP (format)."""

import re

from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.ru import inn as stdnum_inn

_KPP = re.compile(r"^\d{4}[0-9A-Z]{2}\d{3}$")


def clean_inn(value):
    """The INN's digits, without spaces or a leading country prefix 'RU'."""
    text = re.sub(r"\s", "", value or "").upper()
    return text[2:] if text.startswith("RU") else text


def inn_error(value):
    """None when ``value`` is a valid INN, else a code naming the rule it breaks.

    Codes: ``digits`` (anything but the ASCII digits 0-9, e.g. "²"),
    ``length`` (neither 10 nor 12 digits), ``checksum10`` / ``checksum12``
    (check digits do not match). The check is python-stdnum's ``ru.inn``.
    """
    inn = clean_inn(value)
    try:
        stdnum_inn.validate(inn)
    except InvalidLength:  # a kind of InvalidFormat: caught first
        return "length"
    except InvalidChecksum:
        return "checksum10" if len(inn) == 10 else "checksum12"
    except InvalidFormat:
        return "digits"
    return None


def is_valid_kpp(value):
    """A KPP is 9 characters: 4 digits, 2 digits or capital letters, 3 digits."""
    return bool(_KPP.match((value or "").strip()))
