"""A spreadsheet row as the import's fields, checked, with its client's keys.

Plain Python. :func:`row_fields` turns a row's cells into ``{field: text}``
(numbers for number fields) by the mapping, with each cell that cannot be
taken kept as a problem (column, field, code). :func:`partner_keys` and
:func:`lead_keys` give a row's strong keys as services/duplicates.py's
``client_keys``; values that are not valid (INN checksum, e-mail, phone)
are flagged, and only valid values make keys.
"""

import re

from odoo.tools import email_normalize

from . import duplicates, phone, spreadsheet
from . import inn as inn_service
from .import_mapping import NUMBER_FIELDS

_DIGITS = re.compile(r"^\d{10}(\d{2})?$")


def row_fields(values, mapping):
    """({field: value}, [(column, field, code)]) of a row's ``values`` under
    ``mapping`` ({column index: field}); empty cells are left out. Codes:
    ``formula``, ``date`` (a date in a text column), ``number``."""
    out, problems = {}, []
    for column, field in mapping.items():
        value = values[column] if column < len(values) else None
        try:
            value = (
                spreadsheet.number_value(value) if field in NUMBER_FIELDS else spreadsheet.text_value(value)
            )
        except ValueError as error:
            problems.append((column, field, str(error)))
            continue
        if value not in (None, ""):
            out[field] = value
    return out, problems


def tax_key(vat, country_code=None):
    """A tax id as res.partner's ``tax_key`` stores it: word characters in
    upper case, the country's prefix dropped."""
    key = re.sub(r"\W", "", vat or "").upper()
    if country_code and key.startswith(country_code.upper()) and not key[:2].isdigit():
        key = key[2:]
    return key or None


def looks_like_inn(text):
    """Whether a holding cell is a tax id (10 or 12 digits, spaces allowed) rather than a name."""
    return bool(_DIGITS.match(re.sub(r"\s", "", text or "")))


def check(fields, country_code, regions):
    """Problems of a row's values that are kept but flagged, and the keys
    they give: ({field: code}, {field: key}). ``regions`` are where a national
    phone number is read (the row's country first)."""
    flags, keys = {}, {}
    vat = fields.get("vat")
    if vat:
        if (country_code or "RU") == "RU" and inn_service.inn_error(vat):
            flags["vat"] = "inn_" + inn_service.inn_error(vat)
        else:
            keys["vat"] = tax_key(vat, country_code or "RU")
    if fields.get("kpp") and not inn_service.is_valid_kpp(fields["kpp"]):
        flags["kpp"] = "kpp"
    for field in ("phone", "mobile"):
        if fields.get(field):
            key = phone.first_reading(fields[field], regions)
            if key:
                keys[field] = key
            else:
                flags[field] = "phone"
    if fields.get("email"):
        email = email_normalize(fields["email"])
        if email:
            keys["email"] = email
        else:
            flags["email"] = "email"
    return flags, keys


def partner_keys(fields, keys):
    """(the client's keys, the contact's keys) of a partner row. With a
    contact person, the mobile and the e-mail are the person's and the phone
    is the company's; without, all are the company's. Returns
    ``client_keys`` tuples."""
    has_contact = bool(fields.get("contact_name"))
    company_phones = [keys.get("phone")] + ([] if has_contact else [keys.get("mobile")])
    company = duplicates.client_keys(
        keys.get("vat"), company_phones, None if has_contact else keys.get("email")
    )
    contact = (
        duplicates.client_keys(None, [keys.get("mobile")], keys.get("email"))
        if has_contact
        else duplicates.client_keys(None, (), None)
    )
    return company, contact


def all_keys(*keys_list):
    """The union of several ``client_keys`` tuples (the first tax key)."""
    tax = next((keys[0] for keys in keys_list if keys[0]), None)
    email = next((keys[2] for keys in keys_list if keys[2]), None)
    phones = [key for keys in keys_list for key in keys[1]]
    return duplicates.client_keys(tax, phones, email)
