"""Document totals in words, in the partner's language, with num2words.

"Одна тысяча двести рублей 50 копеек", "One thousand two hundred dollars and
50 cents": the integer part in words, the currency's unit declined for that
number, the cents as two digits with their subunit declined too. The phrase is
num2words' own ``to_currency`` where the language knows the currency (so each
language keeps its grammar: Russian plural forms, Spanish "un euro", German
"ein Euro"); otherwise the integer part in words followed by the names the
caller gives (Odoo's currency unit and subunit labels) or the ISO code.
"""

import inspect
from decimal import ROUND_HALF_UP, Decimal

from num2words import CONVERTER_CLASSES

FALLBACK_LANG = "en"
# Odoo language codes whose num2words converter goes by another name
_LANG_ALIASES = {"nb": "no", "da": "dk", "cs": "cz"}
# what joins the units and the cents where the language's own default reads badly
_SEPARATORS = {"en": " and", "ru": "", "uk": ""}
_CURRENCY_PARAMS = {"currency", "cents", "separator"}
_CENT = Decimal("0.01")


def converter_lang(lang_code):
    """The num2words language for an Odoo language code, English when unsupported.

    The full code is tried first ("pt_BR", "fr_BE", "en_IN"), then the
    language alone ("ru_RU" -> "ru", "sr@latin" -> "sr").
    """
    code = (lang_code or "").replace("-", "_")
    base = code.split("@")[0]
    for candidate in (code, base, base.split("_")[0]):
        candidate = _LANG_ALIASES.get(candidate, candidate)
        if candidate in CONVERTER_CLASSES:
            return candidate
    return FALLBACK_LANG


def split_amount(amount):
    """``(negative, units, cents)`` of ``amount`` rounded half up to two decimals.

    The amount goes through its shortest text form, so 1200.505 gives 51 cents
    (the binary float just below it would round to 50).
    """
    value = Decimal(str(amount or 0)).quantize(_CENT, rounding=ROUND_HALF_UP)
    units, cents = divmod(int(abs(value) * 100), 100)
    return value < 0, units, cents


def _separator(converter, lang):
    if lang.split("_")[0] in _SEPARATORS:
        return _SEPARATORS[lang.split("_")[0]]
    to_currency = getattr(converter, "to_currency", None)
    if to_currency is not None:
        param = inspect.signature(to_currency).parameters.get("separator")
        if param is not None and isinstance(param.default, str):
            return param.default
    return ","


def _num2words_phrase(converter, units, cents, currency_code, separator):
    """num2words' own phrase for a currency the language knows, else None."""
    to_currency = getattr(converter, "to_currency", None)
    if to_currency is None or currency_code not in (getattr(converter, "CURRENCY_FORMS", None) or {}):
        return None
    if not _CURRENCY_PARAMS <= inspect.signature(to_currency).parameters.keys():
        return None
    value = Decimal(units) + Decimal(cents) / 100
    try:
        phrase = to_currency(value, currency=currency_code, cents=False, separator=separator)
    except (NotImplementedError, ValueError):  # e.g. "Decimals not supported for JPY"
        return None
    # as Odoo's own amount_total_words: no comma between groups of thousands
    return phrase.replace(",", "") if "," not in separator else phrase


def _named_phrase(converter, units, cents, currency_code, currency_names, separator):
    """The integer part in words followed by the given unit and subunit names."""
    unit, subunit = (tuple(currency_names or ()) + (None, None))[:2]
    words = converter.to_cardinal(units).replace(",", "")
    cents_part = f"{cents:02d} {subunit}" if subunit else f"{cents:02d}"
    return f"{words} {unit or currency_code}{separator} {cents_part}"


def amount_in_words(amount, currency_code, lang_code, currency_names=None):
    """``amount`` in ``currency_code`` written out in ``lang_code``, first letter capitalised.

    :param amount: a float, Decimal or int (an int is a number of units, not of cents)
    :param currency_code: ISO 4217 code, e.g. "RUB"
    :param lang_code: an Odoo language code, e.g. "ru_RU"; unsupported ones give English
    :param currency_names: ``(unit, subunit)`` names used when num2words does not know
        the currency in that language (Odoo's currency unit and subunit labels);
        without them the ISO code stands for the unit
    """
    lang = converter_lang(lang_code)
    converter = CONVERTER_CLASSES[lang]
    negative, units, cents = split_amount(amount)
    separator = _separator(converter, lang)
    phrase = _num2words_phrase(converter, units, cents, currency_code, separator) or _named_phrase(
        converter, units, cents, currency_code, currency_names, separator
    )
    phrase = " ".join(phrase.split())
    if negative:
        minus = (getattr(converter, "negword", None) or "").strip() or "-"
        phrase = f"{minus} {phrase}"
    return phrase[:1].upper() + phrase[1:]
