"""Reading KPI targets from a spreadsheet: plain Python, no ORM.

Columns (header names in English or Russian, any order): month, salesperson,
team, KPI, target. A month is a date (its month counts) or ``YYYY-MM`` /
``MM.YYYY``; a KPI is its code (``invoiced``) or its English or Russian name.
"""

from datetime import date, datetime

from . import spreadsheet

COLUMNS = {
    "month": ("month", "месяц", "period", "период"),
    "salesperson": ("salesperson", "user", "продавец", "менеджер", "login", "логин"),
    "team": ("team", "sales team", "команда", "отдел"),
    "kpi": ("kpi", "показатель", "metric"),
    "target": ("target", "plan", "план", "цель"),
}
KPI_NAMES = {
    "invoiced": ("invoiced", "invoiced revenue", "выручка", "выручка по счетам", "выставлено"),
    "margin": ("margin", "маржа"),
    "paid": ("paid", "paid revenue", "оплачено", "оплаты"),
    "new_customers": ("new_customers", "new customers", "новые клиенты"),
    "won": ("won", "deals won", "выигранные сделки", "сделки"),
    "calls": ("calls", "calls made", "звонки"),
    "meetings": ("meetings", "meetings held", "встречи"),
    "sla": ("sla", "leads responded within sla", "реакция в срок"),
}


class TargetFileError(ValueError):
    """A row or a header that cannot be read; the message says which and why."""


def _column_of(header):
    name = " ".join(str(header or "").lower().split())
    for column, names in COLUMNS.items():
        if name in names:
            return column
    return None


def parse_month(value):
    if isinstance(value, datetime):
        return value.date().replace(day=1)
    if isinstance(value, date):
        return value.replace(day=1)
    text = str(value or "").strip()
    for sep, year_first in (("-", True), (".", False), ("/", False)):
        parts = text.split(sep)
        if len(parts) in (2, 3) and all(part.strip().isdigit() for part in parts):
            numbers = [int(part) for part in parts]
            if year_first:
                year, month = numbers[0], numbers[1]
            else:
                year, month = numbers[-1], numbers[-2]
            if 1 <= month <= 12 and 1900 < year < 3000:
                return date(year, month, 1)
    raise TargetFileError(f"'{text}' is not a month")


def parse_kpi(value):
    text = " ".join(str(value or "").lower().split())
    for code, names in KPI_NAMES.items():
        if text in names:
            return code
    raise TargetFileError(f"'{value}' is not a KPI")


def parse_target(value):
    if isinstance(value, int | float):
        return float(value)
    text = str(value or "").replace("\xa0", "").replace(" ", "").replace(",", ".")
    try:
        return float(text)
    except ValueError as error:
        raise TargetFileError(f"'{value}' is not a number") from error


def read_rows(data, file_name=""):
    """The rows of the file as dicts (month, salesperson, team, kpi, target, row)."""
    table = spreadsheet.read(
        data, file_name, is_header=lambda values: sum(bool(_column_of(v)) for v in values)
    )
    columns = {index: _column_of(header) for index, header in enumerate(table.headers)}
    missing = {"month", "kpi", "target"} - set(columns.values())
    if missing:
        raise TargetFileError("missing column(s): " + ", ".join(sorted(missing)))
    rows = []
    for number, values in table.rows:
        cells = {columns.get(index): value for index, value in enumerate(values) if columns.get(index)}
        try:
            rows.append(
                {
                    "row": number,
                    "month": parse_month(cells.get("month")),
                    "salesperson": str(cells.get("salesperson") or "").strip(),
                    "team": str(cells.get("team") or "").strip(),
                    "kpi": parse_kpi(cells.get("kpi")),
                    "target": parse_target(cells.get("target")),
                }
            )
        except TargetFileError as error:
            raise TargetFileError(f"row {number}: {error}") from error
    return rows
