"""Spreadsheets as people send them, read into rows of text: xlsx, xls, csv.

Plain Python, no ORM. :func:`read` takes the file's bytes and name and gives
a :class:`Table`: the sheets, the header row found, the column names and the
data rows (streamed: an xlsx is read with openpyxl in read-only mode, one row
at a time). A file that cannot be read raises :class:`SpreadsheetError` with
a code the import turns into a message a person can act on; a cell that
cannot be taken as it is (a formula, a date where text is expected) is kept
in the row's ``problems`` and reported for that row and column.
"""

import codecs
import csv
import datetime
import io
import re
import zipfile

MAX_BYTES = 64 * 1024 * 1024  # a 200 MB file is refused before it is opened
MAX_COLUMNS = 200  # a sheet of 1,000 columns is not a client list
HEADER_SCAN = 20  # rows in which the header is looked for
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # xls, and an encrypted xlsx wrapped by Office
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
SEPARATORS = (";", ",", "\t")


class SpreadsheetError(Exception):
    """The file cannot be imported. ``code`` names why (``too_big``,
    ``encrypted``, ``corrupt``, ``unknown_format``, ``too_many_columns``,
    ``no_sheet``, ``empty``, ``encoding``); ``params`` fill the message."""

    def __init__(self, code, **params):
        super().__init__(code, params)
        self.code = code
        self.params = params


class Formula(str):
    """A cell holding a formula (its text): the import takes values only."""


class Table:
    """A sheet read: ``sheets`` (names), ``sheet`` (the one read),
    ``header_row`` (1-based row number, 0 without header), ``headers``
    (column names, "" for an unnamed column) and ``rows``: an iterator of
    (1-based row number, [cell values]) after the header, empty rows left out."""

    def __init__(self, sheets, sheet, header_row, headers, rows):
        self.sheets, self.sheet, self.header_row = sheets, sheet, header_row
        self.headers, self.rows = headers, rows


def kind_of(data, file_name=""):
    """'xlsx', 'xls' or 'csv' from the file's first bytes (its name decides
    only for text). Raises SpreadsheetError for a password-protected workbook."""
    if data[:8] == _OLE2:
        if _ENCRYPTED in data[:65536] or _ENCRYPTED in data[-65536:]:
            raise SpreadsheetError("encrypted")
        return "xls"
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if b"\x00" in data[:4096]:
        raise SpreadsheetError("unknown_format", name=file_name)
    return "csv"


def read(data, file_name="", sheet=None, is_header=None):
    """The :class:`Table` of ``sheet`` (name or None for the first) of the
    file ``data``. ``is_header(values)`` scores a row as a header (the number
    of its cells that name a known column); the best-scoring of the first
    rows is the header, else the first non-empty row."""
    if len(data) > MAX_BYTES:
        raise SpreadsheetError("too_big", size=len(data) // (1024 * 1024), limit=MAX_BYTES // (1024 * 1024))
    if not data.strip():
        raise SpreadsheetError("empty")
    kind = kind_of(data, file_name)
    sheets, name, raw_rows = {"xlsx": _xlsx_rows, "xls": _xls_rows, "csv": _csv_rows}[kind](data, sheet)
    return _with_header(sheets, name, raw_rows, is_header or (lambda values: 0))


def _with_header(sheets, name, raw_rows, is_header):
    """Find the header among the first rows; the rows after it follow."""
    head, rows = [], iter(raw_rows)
    for number, values in rows:
        if len(values) > MAX_COLUMNS and any(value not in (None, "") for value in values[MAX_COLUMNS:]):
            raise SpreadsheetError("too_many_columns", count=len(values), limit=MAX_COLUMNS)
        values = _trim(values[:MAX_COLUMNS])
        if values:
            head.append((number, values))
        if len(head) >= HEADER_SCAN:
            break
    if not head:
        raise SpreadsheetError("empty")
    scores = [is_header(values) for _number, values in head]
    best = max(range(len(head)), key=lambda index: (scores[index], -index))
    header_row, header = head[best]
    headers = [_text(value) for value in header]

    def data_rows():
        for number, values in head[best + 1 :]:
            yield number, values
        for number, values in rows:
            if len(values) > MAX_COLUMNS and any(value not in (None, "") for value in values[MAX_COLUMNS:]):
                raise SpreadsheetError("too_many_columns", count=len(values), limit=MAX_COLUMNS)
            values = _trim(values[:MAX_COLUMNS])
            if values:
                yield number, values

    return Table(sheets, name, header_row, headers, data_rows())


def _trim(values):
    """The row without its trailing empty cells ([] for an empty row)."""
    end = len(values)
    while end and (
        values[end - 1] is None or (isinstance(values[end - 1], str) and not values[end - 1].strip())
    ):
        end -= 1
    return list(values[:end])


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


# -- xlsx -------------------------------------------------------------------------------------


# Up to this size an xlsx is read with python-calamine (a Rust reader, ten times openpyxl's
# speed) when it is installed. It holds the whole sheet in memory, about 1.2 bytes for each
# byte of its unpacked XML (openpyxl's inline strings; 100,000 rows of 6 columns: 52 MB of XML,
# 64 MB read): a sheet whose XML and shared strings unpack to more is streamed by openpyxl,
# which holds one row.
CALAMINE_MAX_UNPACKED = 64 * 1024 * 1024
_FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")


def _is_part(name):
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


def _xlsx_facts(data):
    """(the unpacked bytes of the sheets and shared strings, as the archive declares them,
    whether a worksheet holds a formula: its XML has an <f> element; not looked for in a
    sheet too large for python-calamine, which openpyxl streams anyway)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        unpacked = sum(
            info.file_size
            for info in infos
            if _is_part(info.filename) or info.filename == "xl/sharedStrings.xml"
        )
        return unpacked, unpacked <= CALAMINE_MAX_UNPACKED and _has_formula(archive, infos)


def _has_formula(archive, infos):
    for info in infos:
        if not _is_part(info.filename):
            continue
        with archive.open(info) as stream:
            tail = b""
            while chunk := stream.read(1 << 20):
                if _FORMULA.search(tail + chunk):
                    return True
                tail = chunk[-16:]
    return False


def _calamine():
    try:
        import python_calamine  # optional: tools/requirements.txt installs it
    except ImportError:
        return None
    return python_calamine


def _xlsx_rows(data, sheet):
    calamine = _calamine()
    if calamine:
        try:
            unpacked, formulas = _xlsx_facts(data)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
            raise SpreadsheetError("corrupt", detail=str(error)[:200]) from error
        if unpacked <= CALAMINE_MAX_UNPACKED and not formulas:
            return _calamine_rows(calamine, data, sheet)
    return _openpyxl_rows(data, sheet)


def _calamine_rows(calamine, data, sheet):
    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = book.sheet_names
        if not names:
            raise SpreadsheetError("no_sheet")
        name = sheet if sheet in names else names[0]
        worksheet = book.get_sheet_by_name(name)
    except calamine.PasswordError as error:
        raise SpreadsheetError("encrypted") from error
    except calamine.CalamineError as error:
        raise SpreadsheetError("corrupt", detail=str(error)[:200]) from error
    if worksheet.width > MAX_COLUMNS and worksheet.height:
        raise SpreadsheetError("too_many_columns", count=worksheet.width, limit=MAX_COLUMNS)
    first = worksheet.start[0] if worksheet.start else 0

    def rows():
        for number, values in enumerate(worksheet.iter_rows(), start=first + 1):
            yield number, [None if value == "" else value for value in values]
        book.close()

    return names, name, rows()


def _openpyxl_rows(data, sheet):
    import openpyxl  # only when an xlsx comes

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise SpreadsheetError("corrupt", detail=str(error)[:200]) from error
    except Exception as error:  # openpyxl raises its own kinds for broken parts
        raise SpreadsheetError("corrupt", detail=str(error)[:200]) from error
    names = book.sheetnames
    if not names:
        raise SpreadsheetError("no_sheet")
    name = sheet if sheet in names else names[0]
    worksheet = book[name]
    # some writers leave a wrong dimension (openpyxl then reads one cell
    # only): ignore it; the width is checked row by row
    worksheet.reset_dimensions()

    def rows():
        try:
            for number, cells in enumerate(worksheet.iter_rows(values_only=True), start=1):
                yield number, [_xlsx_value(value) for value in cells]
        except (zipfile.BadZipFile, KeyError, ValueError) as error:
            raise SpreadsheetError("corrupt", detail=str(error)[:200]) from error
        finally:
            book.close()

    return names, name, rows()


def _xlsx_value(value):
    if isinstance(value, str) and value.startswith("=") and len(value) > 1:
        return Formula(value)
    return value


# -- xls --------------------------------------------------------------------------------------


def _xls_rows(data, sheet):
    import xlrd  # only when an xls comes

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except xlrd.XLRDError as error:
        if "encrypt" in str(error).lower():
            raise SpreadsheetError("encrypted") from error
        raise SpreadsheetError("corrupt", detail=str(error)[:200]) from error
    except Exception as error:  # struct errors, truncated streams
        raise SpreadsheetError("corrupt", detail=str(error)[:200]) from error
    names = book.sheet_names()
    if not names:
        raise SpreadsheetError("no_sheet")
    name = sheet if sheet in names else names[0]
    worksheet = book.sheet_by_name(name)
    if worksheet.ncols > MAX_COLUMNS:
        raise SpreadsheetError("too_many_columns", count=worksheet.ncols, limit=MAX_COLUMNS)

    def value(cell):
        if cell.ctype == xlrd.XL_CELL_DATE:
            return xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
        if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
            return None
        if cell.ctype == xlrd.XL_CELL_BOOLEAN:
            return bool(cell.value)
        return cell.value

    def rows():
        for index in range(worksheet.nrows):
            yield index + 1, [value(cell) for cell in worksheet.row(index)]
        book.release_resources()

    return names, name, rows()


# -- csv --------------------------------------------------------------------------------------


def decode(data):
    """(text, encoding): UTF-8 (with or without its BOM) when the bytes are
    UTF-8, else Windows-1251 (Russian Excel's "CSV")."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", "strict"), "utf-8"
    for encoding in ("utf-8", "cp1251"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError("encoding")


def separator(text):
    """The separator of a CSV text: the one of ``;``, ``,``, tab found the
    same number of times (out of quotes) on most of the first lines."""
    lines = [line for line in text.splitlines()[:30] if line.strip()]
    best, best_score = ",", -1
    for candidate in SEPARATORS:
        counts = [len(next(csv.reader([line], delimiter=candidate))) for line in lines]
        counts = [count for count in counts if count > 1]
        if not counts:
            continue
        usual = max(set(counts), key=counts.count)
        score = counts.count(usual) * 1000 + usual
        if score > best_score:
            best, best_score = candidate, score
    return best


_NUMBER = re.compile(r"^-?\d+(?:[.,]\d+)?$")


def _csv_rows(data, sheet):
    text, _encoding = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator(text))

    def rows():
        try:
            for number, values in enumerate(reader, start=1):
                yield number, [value if value.strip() else None for value in values]
        except csv.Error as error:
            raise SpreadsheetError("corrupt", detail=str(error)[:200]) from error

    return ["CSV"], "CSV", rows()


def text_value(value):
    """A cell as text for a text column: numbers without a trailing ".0"
    (an INN or a phone typed as a number). Raises ValueError for a date (a
    date in a text column) and a formula."""
    if value is None:
        return ""
    if isinstance(value, Formula):
        raise ValueError("formula")
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        raise ValueError("date")
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return " ".join(str(value).split())


def number_value(value):
    """A cell as a number (None when empty); ValueError when it is none."""
    if value in (None, ""):
        return None
    if isinstance(value, Formula):
        raise ValueError("formula")
    if isinstance(value, bool) or isinstance(value, datetime.date | datetime.time):
        raise ValueError("number")
    if isinstance(value, int | float):
        return float(value)
    text = re.sub(r"[\s\u00a0]", "", str(value))
    if not _NUMBER.match(text):
        raise ValueError("number")
    return float(text.replace(",", "."))


def text_value_safe(value):
    """A cell as text whatever it holds (a date as ISO, a formula as its text), for messages."""
    if value is None:
        return ""
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())
