"""How many SMS parts a text takes (3GPP TS 23.038 and 23.040).

A text in the GSM 7-bit default alphabet fits 160 characters in one SMS; a
longer one is cut into parts of 153 (7 characters go to the concatenation
header). The characters of the extension table (``^ { } [ ] ~ \\ | €`` and
form feed) are an escape and a character: they count twice, and a pair is
never cut between parts. Any other character (Cyrillic, emoji...) makes the
whole text UCS-2: 70 characters in one SMS, 67 per part, counted in UTF-16
units (an emoji outside the basic plane takes 2, never cut).
"""

import dataclasses

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


@dataclasses.dataclass(frozen=True)
class Segments:
    encoding: str  # "gsm7" or "ucs2"
    units: int  # septets (gsm7) or UTF-16 units (ucs2) of the whole text
    count: int  # SMS parts


def is_gsm7(text):
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def _pack(sizes, part):
    """Parts needed for characters of ``sizes`` units each, ``part`` units a part, none cut."""
    count, used = 1, 0
    for size in sizes:
        if used + size > part:
            count, used = count + 1, 0
        used += size
    return count


def count(text):
    """The :class:`Segments` of ``text`` (0 parts for an empty text)."""
    text = text or ""
    if is_gsm7(text):
        sizes = [2 if char in GSM7_EXTENSION else 1 for char in text]
        single, part, encoding = GSM7_SINGLE, GSM7_PART, "gsm7"
    else:
        sizes = [2 if ord(char) > 0xFFFF else 1 for char in text]
        single, part, encoding = UCS2_SINGLE, UCS2_PART, "ucs2"
    units = sum(sizes)
    if not units:
        return Segments(encoding, 0, 0)
    return Segments(encoding, units, 1 if units <= single else _pack(sizes, part))
