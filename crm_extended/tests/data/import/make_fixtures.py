# ruff: noqa: RUF001, RUF002, RUF003 (Russian headers and client names)
"""Makes clients.xls, the one import fixture that is checked in: xlwt (which
writes the old Excel format) is not among the add-on's requirements, so the
tests cannot make it themselves. Run with xlwt on the path:

    pip install --target /tmp/xlwt xlwt
    PYTHONPATH=/tmp/xlwt python crm_extended/tests/data/import/make_fixtures.py

The xlsx and csv files of the tests are made by the tests (openpyxl, csv).
"""

import datetime
import os

import xlwt

ROWS = [
    ["Список клиентов на 01.12.2026"],
    [],
    ["Компания", "ИНН", "Телефон", "E-mail", "Контактное лицо", "Должность", "Роль", "Холдинг", "Дата"],
    [
        "ООО Ромашка",
        7707083893,
        "8 (495) 111-22-33",
        "info@romashka.example.com",
        "Иван Петров",
        "Директор",
        "Закупщик",
        "Цветы",
        datetime.date(2026, 11, 2),
    ],
    [
        "Ромашка ООО",
        "7707 083 893",
        "+7 495 1112233",
        "INFO@romashka.example.com",
        "Мария Иванова",
        "Бухгалтер",
        "Бухгалтер",
        "Цветы",
        None,
    ],
    ["ООО Лютик", "", "8-912-000-11-22", "", "", "", "", "", None],
    [],
    ["Итого: 3"],
]


def main():
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Клиенты")
    date_style = xlwt.easyxf(num_format_str="DD.MM.YYYY")
    for row, values in enumerate(ROWS):
        for column, value in enumerate(values):
            if isinstance(value, datetime.date):
                sheet.write(row, column, value, date_style)
            elif value is not None:
                sheet.write(row, column, value)
    book.add_sheet("Пусто")
    book.save(os.path.join(os.path.dirname(__file__), "clients.xls"))


if __name__ == "__main__":
    main()
