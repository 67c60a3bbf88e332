# ruff: noqa: RUF001, RUF002, RUF003 (Russian headers)
"""A competitor's price list read into rows: which column is which, and each row checked.

Plain Python, no ORM. :func:`auto_columns` finds the reference, name, price,
quantity-break and stock columns from the headers (Russian and English);
:func:`read_rows` gives, per data row, its row number and either its values
or the reason it cannot be taken (no price, a price that is not a number, no
reference nor name). The file itself is read by :mod:`.spreadsheet` (xlsx,
xls, csv).
"""

from . import spreadsheet
from .import_mapping import normalize_header

COLUMNS = {
    "reference": [
        "артикул",
        "код",
        "код товара",
        "арт",
        "sku",
        "reference",
        "ref",
        "code",
        "item code",
        "part number",
    ],
    "name": ["наименование", "название", "товар", "номенклатура", "name", "product", "description", "item"],
    "price": [
        "цена",
        "цена руб",
        "цена с ндс",
        "цена без ндс",
        "стоимость",
        "price",
        "unit price",
        "price rub",
    ],
    "min_quantity": [
        "от",
        "от шт",
        "мин партия",
        "мин кол во",
        "min qty",
        "min quantity",
        "quantity from",
        "from qty",
    ],
    "stock": ["наличие", "остаток", "склад", "stock", "availability", "in stock"],
}
_INDEX = {normalize_header(header): column for column, headers in COLUMNS.items() for header in headers}
FIELDS = tuple(COLUMNS)


def header_score(values):
    """How many cells of a row name a known column (the header is the best-scoring row)."""
    return sum(1 for value in values if normalize_header(spreadsheet.text_value_safe(value)) in _INDEX)


def auto_columns(headers):
    """{field: header} for the headers that name a known column (the first one for each field)."""
    found = {}
    for header in headers:
        field = _INDEX.get(normalize_header(header))
        if field and field not in found:
            found[field] = header
    return found


def column_indexes(headers, columns):
    """{field: column index} of ``columns`` ({field: header}), headers compared as normalised."""
    positions = {}
    for index, header in enumerate(headers):
        positions.setdefault(normalize_header(header), index)
    return {
        field: positions[normalize_header(header)]
        for field, header in columns.items()
        if header and normalize_header(header) in positions
    }


def read_rows(table, indexes):
    """Yield (row number, values, error) for each data row of ``table``: ``values`` is
    {"reference", "name", "price", "min_quantity", "stock"}; ``error`` a code and its
    detail, ``("no_price", "")``, ``("bad_price", cell)``, ``("negative_price", cell)``,
    ``("bad_quantity", cell)`` or ``("no_product", "")``, else None."""

    def cell(values, field):
        index = indexes.get(field)
        return values[index] if index is not None and index < len(values) else None

    for number, values in table.rows:
        row = {}
        for field in ("reference", "name", "stock"):
            try:
                row[field] = spreadsheet.text_value(cell(values, field))
            except ValueError:
                row[field] = spreadsheet.text_value_safe(cell(values, field))
        raw_price = cell(values, "price")
        try:
            price = spreadsheet.number_value(_money_text(raw_price))
        except ValueError:
            yield number, row, ("bad_price", spreadsheet.text_value_safe(raw_price))
            continue
        raw_quantity = cell(values, "min_quantity")
        try:
            quantity = spreadsheet.number_value(raw_quantity)
        except ValueError:
            yield number, row, ("bad_quantity", spreadsheet.text_value_safe(raw_quantity))
            continue
        row["price"], row["min_quantity"] = price, quantity or 1.0
        if not row["reference"] and not row["name"]:
            yield number, row, ("no_product", "")
        elif price is None:
            yield number, row, ("no_price", "")
        elif price < 0:
            yield number, row, ("negative_price", spreadsheet.text_value_safe(raw_price))
        else:
            yield number, row, None


def _money_text(value):
    """A price cell without its currency sign or word ("1 250,00 руб.", "$12.50")."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    for token in ("руб.", "руб", "р.", "₽", "$", "€", "rub", "RUB", "USD", "EUR"):
        text = text.replace(token, "")
    return text.strip()
