# ruff: noqa: RUF001, RUF002, RUF003 (Russian headers and client names)
"""Which column of a spreadsheet is which field: Russian and English headers.

Plain Python. :func:`auto_map` maps a file's headers onto the import's
fields (each field once, the first column that names it); :func:`signature`
is what a saved mapping profile is recognised by (the same headers, in any
case and spacing, in the same order).
"""

import hashlib
import re

# The fields an import knows, per kind ("partner": companies and their
# contacts; "lead": leads), each with the headers that name it (normalised by
# normalize_header: lower case, "ё" as "е", no punctuation).
PARTNER_FIELDS = {
    "name": [
        "company",
        "company name",
        "name",
        "organization",
        "organisation",
        "client",
        "customer",
        "компания",
        "название",
        "наименование",
        "организация",
        "клиент",
        "контрагент",
        "наименование организации",
        "название компании",
        "юрлицо",
        "юр лицо",
    ],
    "vat": ["inn", "tax id", "vat", "tin", "инн", "инн организации"],
    "kpp": ["kpp", "кпп"],
    "phone": [
        "phone",
        "telephone",
        "tel",
        "work phone",
        "телефон",
        "тел",
        "рабочий телефон",
        "телефон организации",
        "номер телефона",
    ],
    "mobile": [
        "mobile",
        "mobile phone",
        "cell",
        "моб",
        "мобильный",
        "мобильный телефон",
        "сотовый",
        "моб телефон",
    ],
    "email": ["email", "e mail", "mail", "почта", "эл почта", "электронная почта", "емейл"],
    "website": ["website", "web site", "site", "url", "сайт", "веб сайт"],
    "street": ["address", "street", "адрес", "улица", "юридический адрес", "фактический адрес"],
    "city": ["city", "town", "город", "населенный пункт"],
    "zip": ["zip", "postcode", "postal code", "индекс", "почтовый индекс"],
    "country": ["country", "страна"],
    "contact_name": [
        "contact",
        "contact name",
        "contact person",
        "person",
        "контакт",
        "контактное лицо",
        "фио",
        "фио контакта",
        "представитель",
    ],
    "function": ["job position", "position", "job title", "title", "должность"],
    "role": ["role", "roles", "contact role", "роль", "роли", "роль контакта"],
    "holding": [
        "holding",
        "client group",
        "group",
        "parent company",
        "холдинг",
        "группа компаний",
        "группа",
        "головная компания",
        "материнская компания",
    ],
    "comment": ["comment", "comments", "notes", "note", "комментарий", "примечание", "заметки"],
}
LEAD_FIELDS = {
    "name": [
        "lead",
        "opportunity",
        "deal",
        "subject",
        "title",
        "лид",
        "сделка",
        "название сделки",
        "название лида",
        "тема",
        "заявка",
    ],
    "partner_name": [
        "company",
        "company name",
        "organization",
        "customer",
        "client",
        "компания",
        "организация",
        "клиент",
        "название компании",
        "контрагент",
    ],
    "contact_name": [
        "contact",
        "contact name",
        "contact person",
        "name",
        "контакт",
        "контактное лицо",
        "фио",
        "имя",
    ],
    "function": ["job position", "position", "должность"],
    "vat": ["inn", "tax id", "vat", "инн"],
    "phone": PARTNER_FIELDS["phone"],
    "mobile": PARTNER_FIELDS["mobile"],
    "email": PARTNER_FIELDS["email"],
    "website": PARTNER_FIELDS["website"],
    "city": PARTNER_FIELDS["city"],
    "country": PARTNER_FIELDS["country"],
    "source": ["source", "lead source", "источник", "источник лида"],
    "medium": ["medium", "channel", "канал", "тип источника"],
    "campaign": ["campaign", "utm campaign", "кампания", "рекламная кампания"],
    "user": [
        "salesperson",
        "sales person",
        "responsible",
        "owner",
        "manager",
        "login",
        "продавец",
        "ответственный",
        "менеджер",
        "логин",
    ],
    "expected_revenue": [
        "expected revenue",
        "revenue",
        "amount",
        "budget",
        "сумма",
        "бюджет",
        "ожидаемая выручка",
    ],
    "comment": PARTNER_FIELDS["comment"],
}
FIELDS = {"partner": PARTNER_FIELDS, "lead": LEAD_FIELDS}
# Fields whose cells are numbers; the others are text.
NUMBER_FIELDS = frozenset({"expected_revenue"})

_PUNCT = re.compile(r"[^\w]+")


def normalize_header(text):
    """A header as compared: lower case, "ё" read as "е", words only ("Моб." is "моб",
    "E-mail" is "e mail")."""
    text = (text or "").lower().replace("ё", "е")
    return " ".join(_PUNCT.sub(" ", text).replace("_", " ").split())


def _index(kind):
    return {normalize_header(header): field for field, headers in FIELDS[kind].items() for header in headers}


_INDEXES = {kind: _index(kind) for kind in FIELDS}


def field_of(header, kind):
    """The field a header names, None when unknown. An exact name first,
    then a header that starts with a known name ("Телефон рабочий",
    "E-mail контакта")."""
    text = normalize_header(header)
    if not text:
        return None
    index = _INDEXES[kind]
    if text in index:
        return index[text]
    words = text.split()
    for size in range(len(words) - 1, 0, -1):
        field = index.get(" ".join(words[:size]))
        if field:
            return field
    return None


def auto_map(headers, kind):
    """{column index: field} for ``headers``: each field from the first
    column that names it."""
    mapping, taken = {}, set()
    for column, header in enumerate(headers):
        field = field_of(header, kind)
        if field and field not in taken:
            mapping[column] = field
            taken.add(field)
    return mapping


def header_score(kind):
    """A scorer for :func:`spreadsheet.read`: how many cells of a row name a
    field (a header row names several; a title line above it none)."""

    def score(values):
        return len({field_of(str(value), kind) for value in values if isinstance(value, str)} - {None})

    return score


def signature(headers):
    """What a mapping profile is recognised by: a digest of the normalised headers, in order."""
    text = "\t".join(normalize_header(header) for header in headers)
    return hashlib.sha1(text.encode()).hexdigest()
