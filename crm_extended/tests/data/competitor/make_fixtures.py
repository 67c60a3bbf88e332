# ruff: noqa: RUF001 (Russian headers)
"""Makes pricelist.xls, the competitor price list fixture that is checked in: xlwt
(which writes the old Excel format) is not among the add-on's requirements. Run with
xlwt on the path:

    pip install --target /tmp/xlwt xlwt
    PYTHONPATH=/tmp/xlwt python crm_extended/tests/data/competitor/make_fixtures.py
"""

import os

import xlwt

ROWS = [
    ["Прайс-лист ООО Василек на 01.12.2026"],
    [],
    ["Артикул", "Наименование", "Цена, руб", "Наличие"],
    ["V-CH-1", "Кресло офисное Эрго", 95.5, "есть"],
    ["", "Test Desk", 280, "под заказ"],
    ["V-XX-9", "Лампа настольная", 40, 12],
    ["V-BAD", "Шкаф", "договорная", ""],
    ["", "", 10, ""],
]


def main():
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Прайс")
    for row, values in enumerate(ROWS):
        for column, value in enumerate(values):
            sheet.write(row, column, value)
    book.save(os.path.join(os.path.dirname(os.path.abspath(__file__)), "pricelist.xls"))


if __name__ == "__main__":
    main()
