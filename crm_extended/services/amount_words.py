"""Document totals in words, in the partner's language, with num2words.

"Одна тысяча двести рублей 50 копеек", "One thousand two hundred dollars and
50 cents": the integer part in words, the currency's unit declined for that
number, the subunit as digits (as many as the currency's decimal places: "353
fils" for a Kuwaiti dinar) with its name declined too, and no subunit part at
all for a currency without decimals ("One thousand five hundred yen").

The phrase is num2words' own ``to_currency`` where the language knows the
currency and that phrase fits its decimals (num2words counts 100 subunits to
the unit, or none for a currency it writes without a subunit), so each language
keeps its grammar: Russian plural forms, Spanish "un euro", German "ein Euro".
Otherwise it is the integer part in words followed by the unit and subunit:
the language's own names when num2words knows the currency, else the names the
caller gives (Odoo's currency unit and subunit labels), else the ISO code.
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


def split_amount(amount, decimal_places=2):
    """``(negative, units, subunits)`` of ``amount`` rounded half up to ``decimal_places``.

    The amount goes through its shortest text form, so 1200.505 gives 51 cents
    (the binary float just below it would round to 50). With 3 decimal places
    1.353 gives ``(False, 1, 353)``; with none, 1500.5 gives ``(False, 1501, 0)``.
    """
    value = Decimal(str(amount or 0)).quantize(Decimal(1).scaleb(-decimal_places), rounding=ROUND_HALF_UP)
    units, subunits = divmod(int(abs(value).scaleb(decimal_places)), 10**decimal_places)
    return value < 0, units, subunits


def _separator(converter, lang):
    if lang.split("_")[0] in _SEPARATORS:
        return _SEPARATORS[lang.split("_")[0]]
    to_currency = getattr(converter, "to_currency", None)
    if to_currency is not None:
        param = inspect.signature(to_currency).parameters.get("separator")
        if param is not None and isinstance(param.default, str):
            return param.default
    return ","


def _currency_forms(converter, currency_code):
    """``(unit forms, subunit forms)`` num2words has for the currency in that language.

    Each is a tuple of the plural forms ("рубль", "рубля", "рублей"), empty where the
    language has none (num2words writes yen in Japanese with no subunit) or where
    the converter keeps them in another shape.
    """
    forms = (getattr(converter, "CURRENCY_FORMS", None) or {}).get(currency_code) or ()
    if isinstance(forms, str | bytes):
        forms = ()
    return tuple(
        tuple(names) if isinstance(names, tuple | list) and all(isinstance(n, str) for n in names) else ()
        for names in (tuple(forms) + ((), ()))[:2]
    )


def _num2words_phrase(converter, units, subunits, currency_code, separator, decimal_places):
    """num2words' own phrase where it fits the currency's decimals, else None.

    num2words writes 100 subunits to the unit, or no subunit at all where the
    language has no name for one; any other count of decimals would be misread.
    """
    to_currency = getattr(converter, "to_currency", None)
    if to_currency is None or currency_code not in (getattr(converter, "CURRENCY_FORMS", None) or {}):
        return None
    if not _CURRENCY_PARAMS <= inspect.signature(to_currency).parameters.keys():
        return None
    has_subunit = bool(_currency_forms(converter, currency_code)[1])
    if decimal_places != (2 if has_subunit else 0):
        return None
    value = Decimal(units) + Decimal(subunits).scaleb(-decimal_places)
    try:
        phrase = to_currency(value, currency=currency_code, cents=False, separator=separator)
    except (NotImplementedError, ValueError):  # e.g. "Decimals not supported for JPY"
        return None
    # as Odoo's own amount_total_words: no comma between groups of thousands
    return phrase.replace(",", "") if "," not in separator else phrase


def _declined(converter, number, forms, fallback):
    """The name in ``forms`` declined for ``number``, else ``fallback``."""
    if not forms:
        return fallback
    try:
        return converter.pluralize(number, forms)
    except (NotImplementedError, IndexError, TypeError):  # no plural rule, or another count of forms
        return fallback


def _named_phrase(converter, units, subunits, currency_code, currency_names, separator, decimal_places):
    """The integer part in words followed by the unit and subunit names.

    The names are the language's own where num2words has them, else the given
    ones, else the ISO code for the unit; the subunit is written with as many
    digits as the currency has decimals, and left out when it has none.
    """
    unit, subunit = (tuple(currency_names or ()) + (None, None))[:2]
    unit_forms, subunit_forms = _currency_forms(converter, currency_code)
    words = converter.to_cardinal(units).replace(",", "")
    phrase = f"{words} {_declined(converter, units, unit_forms, unit or currency_code)}"
    if not decimal_places:
        return phrase
    subunit = _declined(converter, subunits, subunit_forms, subunit)
    digits = f"{subunits:0{decimal_places}d}"
    return f"{phrase}{separator} {digits} {subunit}" if subunit else f"{phrase}{separator} {digits}"


def amount_in_words(amount, currency_code, lang_code, currency_names=None, decimal_places=2):
    """``amount`` in ``currency_code`` written out in ``lang_code``, first letter capitalised.

    :param amount: a float, Decimal or int (an int is a number of units, not of cents)
    :param currency_code: ISO 4217 code, e.g. "RUB"
    :param lang_code: an Odoo language code, e.g. "ru_RU"; unsupported ones give English
    :param currency_names: ``(unit, subunit)`` names used when num2words does not know
        the currency in that language (Odoo's currency unit and subunit labels);
        without them the ISO code stands for the unit
    :param decimal_places: the currency's decimal places (Odoo's
        ``res.currency.decimal_places``): the amount is rounded half up to them and
        the subunit written with that many digits (none at all for 0)
    """
    lang = converter_lang(lang_code)
    converter = CONVERTER_CLASSES[lang]
    negative, units, subunits = split_amount(amount, decimal_places)
    separator = _separator(converter, lang)
    phrase = _num2words_phrase(
        converter, units, subunits, currency_code, separator, decimal_places
    ) or _named_phrase(converter, units, subunits, currency_code, currency_names, separator, decimal_places)
    phrase = " ".join(phrase.split())
    if negative:
        minus = (getattr(converter, "negword", None) or "").strip() or "-"
        phrase = f"{minus} {phrase}"
    return phrase[:1].upper() + phrase[1:]
