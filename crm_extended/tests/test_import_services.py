# ruff: noqa: RUF001, RUF002, RUF003 (Russian headers and client names)
import datetime
import io
import os
import zipfile
from unittest.mock import patch

import openpyxl

from odoo.tests import BaseCase, tagged

from ..services import duplicates, import_mapping, import_matching, spreadsheet

FIXTURES = os.path.join(os.path.dirname(__file__), "data", "import")
HEADERS_RU = ["Компания", "ИНН", "КПП", "Телефон", "Моб.", "E-mail", "Контактное лицо", "Должность", "Роль"]
ROW_RU = ["ООО «Ромашка»", "7707083893", "770701001", "8 (495) 111-22-33", "+7 912 000-11-22", "a@b.ru"]


def make_xlsx(rows, title="Клиенты", merge=None):
    """An xlsx file (bytes) with ``rows`` on one sheet, made with openpyxl."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    book.create_sheet("Другой")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def make_csv(rows, encoding="utf-8", separator=";"):
    """A CSV file (bytes) with ``rows`` in ``encoding``, quoting as Excel does."""
    import csv

    out = io.StringIO()
    csv.writer(out, delimiter=separator, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def read(data, name, kind="partner"):
    return spreadsheet.read(data, name, is_header=import_mapping.header_score(kind))


@tagged("post_install", "-at_install")
class TestImportReading(BaseCase):
    """services/spreadsheet.py: xlsx, xls and csv read into rows under their header."""

    def test_xlsx_title_merged_header_empty_rows(self):
        """An xlsx with a merged title line above the header, empty rows and a
        total line below: the header is found, empty rows are left out, numbers
        typed as numbers come back as text without '.0'."""
        data = make_xlsx(
            [
                ["Клиенты на 1 декабря"],
                [],
                HEADERS_RU,
                [*ROW_RU[:1], 7707083893, *ROW_RU[2:]],
                [],
                ["Итого: 1"],
            ],
            merge="A1:D1",
        )
        table = read(data, "clients.xlsx")
        self.assertEqual(table.sheets, ["Клиенты", "Другой"])
        self.assertEqual(table.header_row, 3)
        self.assertEqual(table.headers, HEADERS_RU)
        rows = list(table.rows)
        self.assertEqual([number for number, _values in rows], [4, 6])
        self.assertEqual(spreadsheet.text_value(rows[0][1][1]), "7707083893")
        self.assertEqual(rows[1][1], ["Итого: 1"])

    def test_xlsx_readers_agree(self):
        """python-calamine (small files without formulas) and openpyxl (the
        others) give the same rows, row numbers and values."""
        calamine = spreadsheet._calamine()
        if not calamine:
            self.skipTest("python-calamine is not installed")
        data = make_xlsx([["Клиенты"], [], HEADERS_RU, ROW_RU, [], [*ROW_RU[:1], 7707083893], ["Итого"]])
        self.assertFalse(spreadsheet._xlsx_facts(data)[1])
        self.assertTrue(spreadsheet._xlsx_facts(make_xlsx([["a", "=1+1"]]))[1])
        fast = spreadsheet._calamine_rows(calamine, data, None)
        slow = spreadsheet._openpyxl_rows(data, None)
        self.assertEqual(fast[:2], slow[:2])
        fast_rows = [(n, spreadsheet._trim(v)) for n, v in fast[2]]
        slow_rows = [(n, spreadsheet._trim(v)) for n, v in slow[2]]
        self.assertEqual(fast_rows, slow_rows)

    def test_large_sheet_streamed(self):
        """A sheet whose XML unpacks to more than python-calamine may hold in memory is read row
        by row by openpyxl, with the same rows."""
        if not spreadsheet._calamine():
            self.skipTest("python-calamine is not installed")
        data = make_xlsx([HEADERS_RU, ROW_RU, [*ROW_RU[:1], 7707083893]])
        unpacked, _formulas = spreadsheet._xlsx_facts(data)
        small = list(read(data, "clients.xlsx").rows)
        with (
            patch.object(spreadsheet, "CALAMINE_MAX_UNPACKED", unpacked - 1),
            patch.object(spreadsheet, "_openpyxl_rows", wraps=spreadsheet._openpyxl_rows) as streamed,
            patch.object(spreadsheet, "_calamine_rows") as whole,
        ):
            large = list(read(data, "clients.xlsx").rows)
        self.assertTrue(streamed.called)
        self.assertFalse(whole.called)
        self.assertEqual(
            [(n, spreadsheet._trim(v)) for n, v in large], [(n, spreadsheet._trim(v)) for n, v in small]
        )

    def test_xlsx_sheet_choice(self):
        """The sheet asked for is read; an unknown name reads the first."""
        book = openpyxl.Workbook()
        book.active.append(["Name", "Phone"])
        second = book.create_sheet("Leads")
        second.append(["Lead", "E-mail"])
        second.append(["Chairs", "x@example.com"])
        out = io.BytesIO()
        book.save(out)
        table = read(out.getvalue(), "x.xlsx", kind="lead")
        self.assertEqual(table.headers, ["Name", "Phone"])
        table = spreadsheet.read(
            out.getvalue(), "x.xlsx", sheet="Leads", is_header=import_mapping.header_score("lead")
        )
        self.assertEqual((table.sheet, table.headers), ("Leads", ["Lead", "E-mail"]))
        self.assertEqual(list(table.rows), [(2, ["Chairs", "x@example.com"])])

    def test_xls_fixture(self):
        """The checked-in xls (tests/data/import/make_fixtures.py): Cyrillic
        sheet, title line, header, numbers and dates read as values."""
        with open(os.path.join(FIXTURES, "clients.xls"), "rb") as handle:
            table = read(handle.read(), "clients.xls")
        self.assertEqual(table.sheets, ["Клиенты", "Пусто"])
        self.assertEqual(table.header_row, 3)
        self.assertEqual(table.headers[:4], ["Компания", "ИНН", "Телефон", "E-mail"])
        rows = list(table.rows)
        self.assertEqual(rows[0][1][0], "ООО Ромашка")
        self.assertEqual(spreadsheet.text_value(rows[0][1][1]), "7707083893")
        self.assertEqual(rows[0][1][8], datetime.datetime(2026, 11, 2))
        self.assertEqual([number for number, _values in rows], [4, 5, 6, 8])

    def test_csv_utf8_and_cp1251(self):
        """The same rows in UTF-8 (with a BOM, comma) and Windows-1251
        (semicolon, a quoted cell with the separator and quotes in it) read the same."""
        rows = [HEADERS_RU[:4], ['ООО "Ромашка; и Ко"', "7707083893", "770701001", "8 (495) 111-22-33"]]
        utf8 = b"\xef\xbb\xbf" + make_csv(rows, "utf-8", ",")
        cp1251 = make_csv(rows, "cp1251", ";")
        self.assertEqual(spreadsheet.decode(cp1251)[1], "cp1251")
        self.assertEqual(spreadsheet.decode(utf8)[1], "utf-8")
        for data in (utf8, cp1251):
            table = read(data, "clients.csv")
            self.assertEqual(table.headers, HEADERS_RU[:4])
            self.assertEqual(list(table.rows), [(2, rows[1])])

    def test_separator(self):
        """The separator is the one that splits most lines the same way."""
        self.assertEqual(spreadsheet.separator("a;b;c\n1;2,5;3\n"), ";")
        self.assertEqual(spreadsheet.separator("a,b,c\n1,2,3\n"), ",")
        self.assertEqual(spreadsheet.separator("a\tb\n1\t2\n"), "\t")

    def test_formula_and_date_cells(self):
        """A formula is not taken as a value and a date in a text column is
        refused: text_value raises with the reason, for the row's report."""
        table = read(make_xlsx([HEADERS_RU[:3], ["A", "=1+1", datetime.date(2026, 1, 2)]]), "f.xlsx")
        ((_number, values),) = list(table.rows)
        with self.assertRaisesRegex(ValueError, "formula"):
            spreadsheet.text_value(values[1])
        with self.assertRaisesRegex(ValueError, "date"):
            spreadsheet.text_value(values[2])
        self.assertEqual(spreadsheet.number_value("1 500,50"), 1500.5)
        with self.assertRaises(ValueError):
            spreadsheet.number_value("много")

    def test_bad_files(self):
        """Corrupt, password-protected, too big, too wide, empty: each raises
        SpreadsheetError with its own code."""
        cases = {
            "corrupt": b"PK\x03\x04 this is no zip at all" + b"\x00" * 100,
            "encrypted": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
            + b"\x00" * 512
            + "EncryptedPackage".encode("utf-16-le"),
            "too_big": b"x" * (spreadsheet.MAX_BYTES + 1),
            "too_many_columns": make_xlsx([[f"c{n}" for n in range(1000)], list(range(1000))]),
            "empty": b"   \n",
            "unknown_format": b"\x00\x01\x02binary",
        }
        for code, data in cases.items():
            with self.subTest(code=code), self.assertRaises(spreadsheet.SpreadsheetError) as caught:
                list(read(data, "bad.xlsx").rows)
            self.assertEqual(caught.exception.code, code)

    def test_truncated_xlsx(self):
        """An xlsx cut in the middle (a download that stopped) is corrupt, not a crash."""
        data = make_xlsx([HEADERS_RU, ROW_RU] * 50)
        with self.assertRaises(spreadsheet.SpreadsheetError) as caught:
            list(read(data[: len(data) // 2], "cut.xlsx").rows)
        self.assertEqual(caught.exception.code, "corrupt")
        self.assertTrue(zipfile.is_zipfile(io.BytesIO(data)))


@tagged("post_install", "-at_install")
class TestImportMapping(BaseCase):
    """services/import_mapping.py: Russian and English headers mapped to fields."""

    def test_russian_headers(self):
        mapping = import_mapping.auto_map(HEADERS_RU + ["Холдинг", "Источник"], "partner")
        self.assertEqual(
            mapping,
            {
                0: "name",
                1: "vat",
                2: "kpp",
                3: "phone",
                4: "mobile",
                5: "email",
                6: "contact_name",
                7: "function",
                8: "role",
                9: "holding",
            },
        )

    def test_english_headers_and_spelling(self):
        """Case, punctuation, "ё" and a trailing word do not matter; each field once."""
        headers = ["Company Name", "TAX ID", "e-mail", "Phone (work)", "Mobile", "Phone", "Контактное лицо"]
        self.assertEqual(
            import_mapping.auto_map(headers, "partner"),
            {0: "name", 1: "vat", 2: "email", 3: "phone", 4: "mobile", 6: "contact_name"},
        )
        self.assertEqual(import_mapping.field_of("Ответственный менеджер", "lead"), "user")
        self.assertEqual(import_mapping.field_of("Дата рождения", "partner"), None)

    def test_lead_headers(self):
        headers = [
            "Сделка",
            "Компания",
            "Контакт",
            "Телефон",
            "Источник",
            "Канал",
            "Кампания",
            "Ответственный",
        ]
        self.assertEqual(
            list(import_mapping.auto_map(headers, "lead").values()),
            ["name", "partner_name", "contact_name", "phone", "source", "medium", "campaign", "user"],
        )

    def test_signature(self):
        """The same headers written otherwise have one signature; another order another."""
        self.assertEqual(
            import_mapping.signature(["ИНН", "Телефон"]), import_mapping.signature([" инн ", "ТЕЛЕФОН"])
        )
        self.assertNotEqual(
            import_mapping.signature(["ИНН", "Телефон"]), import_mapping.signature(["Телефон", "ИНН"])
        )


def keys(tax=None, phones=(), email=None):
    return duplicates.client_keys(tax, phones, email)


@tagged("post_install", "-at_install")
class TestImportMatching(BaseCase):
    """services/import_matching.py: the same client within a file and in the directory."""

    def file_rows(self):
        """Rows of a file: a tax id and a phone, a phone and an e-mail, the first one's tax id,
        both phones, nothing, the second one's e-mail."""
        return [
            keys("7707083893", ["+74951112233"]),
            keys(None, ["+79120001122"], "a@b.ru"),
            keys("7707083893"),
            keys(None, ["+74951112233", "+79120001122"]),
            keys(),
            keys(None, (), "a@b.ru"),
        ]

    def test_cluster(self):
        """Repeats are found on any shared key, a row joining two clients is a
        conflict, a row without keys is new."""
        rows = self.file_rows()
        self.assertEqual(
            import_matching.cluster(rows),
            [
                ("new", 0, []),
                ("new", 1, []),
                ("repeat", 0, ["tax"]),
                ("conflict", [0, 1], ["phone"]),
                ("new", 4, []),
                ("repeat", 1, ["email"]),
            ],
        )

    def test_batches_with_a_store(self):
        """Rows placed in batches with their keys in a store (only the batch's keys in memory)
        get the same places as all rows placed in memory, whatever the batches' size; labels
        stand for the rows' indexes."""
        rows = [*self.file_rows(), keys(None, ["+79120001122"]), keys()]
        names = [None, "romashka", None, None, "romashka", None, "lyutik", "lyutik"]
        expected = import_matching.cluster(rows, names)
        self.assertEqual(expected[4], ("repeat", 1, ["name"]))
        self.assertEqual(expected[7], ("repeat", 1, ["name"]), "a name takes the client of its first row")
        for size in (1, 2, 3, len(rows)):
            store = import_matching.MemoryStore()
            clusters = import_matching.Clusters(store)
            places = []
            for start in range(0, len(rows), size):
                items = [
                    (index + 100, rows[index], names[index])
                    for index in range(start, min(start + size, len(rows)))
                ]
                places += clusters.add_batch(items)
                self.assertEqual(clusters.owner, {}, "nothing of a batch stays in memory")

            def shifted(place):
                kind, where, kinds = place
                return kind, [w - 100 for w in where] if isinstance(where, list) else where - 100, kinds

            self.assertEqual([shifted(place) for place in places], expected, size)

    def test_key_values_and_match(self):
        """One look-up per batch; each row gets its clients and the shared kinds."""
        rows = [keys("7707083893", ["+74951112233"]), keys(None, ["+79120001122"], "a@b.ru"), keys("1")]
        self.assertEqual(
            import_matching.key_values(rows),
            (["1", "7707083893"], ["+74951112233", "+79120001122"], ["a@b.ru"]),
        )
        candidates = [
            (10, 10, keys("7707083893")),
            (11, 10, keys(None, ["+74951112233"])),
            (20, 20, keys(None, ["+79120001122"])),
            (21, 21, keys(None, (), "a@b.ru")),
        ]
        found = import_matching.match(rows, candidates)
        self.assertEqual(found[0], {10: (["tax", "phone"], [10, 11])})
        self.assertEqual(found[1], {20: (["phone"], [20]), 21: (["email"], [21])})
        self.assertEqual(found[2], {})
        self.assertEqual(import_matching.best_client(found[0]), (10, False))
        self.assertEqual(import_matching.best_client(found[1]), (None, True))
        self.assertEqual(import_matching.best_client(found[2]), (None, False))

    def test_tax_decides(self):
        """A tax id match wins over a phone shared with another client."""
        found = {10: (["tax"], [10]), 20: (["phone"], [20])}
        self.assertEqual(import_matching.best_client(found), (10, False))
