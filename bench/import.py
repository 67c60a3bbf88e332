"""Excel import of clients: ours (crm.import.job) against Odoo's base_import, on the bench database.

A generated client list (BENCH_IMPORT_ROWS rows, default 100,000): companies with a valid
INN, a phone, a contact person with an e-mail; 15% of the rows are duplicates, half of them
of clients of the bench database (a company's phone in another spelling), half of earlier
rows of the file (the INN with spaces, the e-mail in capitals, the phone spelled otherwise).
The generator's truth says which row is which client.

ours: the whole import as a person runs it (the file stored, read, mapped, matched against
the million partners, previewed row by row, then written in batches as the cron writes them),
end to end; its parts (reading the file alone, preview, writing) are the floors. stock:
base_import.import.execute_import in batches of 2,000 rows, as its screen calls it (each
batch parses the file again), on a smaller file (BENCH_IMPORT_STOCK_ROWS, default 5,000): a
100,000-row run of the stock import does not fit the time of a bench; its seconds for
100,000 rows are extrapolated from its rate, and said so. Everything is rolled back.

``ARGS=--memory``: the preview's peak memory instead, for files of BENCH_IMPORT_MEMORY_ROWS
rows (default 100,000 and 300,000), each previewed alone in a fresh process (this script run
again with ``--preview-alone``): the process's peak RSS before and after the preview.
"""

import base64
import csv
import io
import os
import random
import resource
import subprocess
import sys
import tempfile
import time

import _data
import harness

N_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
N_STOCK = int(os.environ.get("BENCH_IMPORT_STOCK_ROWS", "5000"))
# ARGS=--memory: the preview's peak memory in a fresh process, for files of these sizes
MEMORY_ROWS = [int(n) for n in os.environ.get("BENCH_IMPORT_MEMORY_ROWS", "100000,300000").split(",")]
DUPLICATES = 0.15
HEADERS = ["Компания", "ИНН", "Телефон", "Контактное лицо", "Должность", "E-mail"]


def inn(number):
    """A valid 10-digit INN from a 9-digit number (check digit as the tax office computes it)."""
    digits = [int(d) for d in f"{number:09d}"]
    check = sum(c * d for c, d in zip((2, 4, 10, 3, 5, 9, 4, 6, 8), digits, strict=True)) % 11 % 10
    return "".join(map(str, digits)) + str(check)


def free_numbers(cr, rng, count):
    """``count`` Russian numbers nobody in the bench database has (checked in one query)."""
    numbers = set()
    while len(numbers) < count:
        batch = {"+7" + _data.national_number(rng, "RU") for _ in range(count - len(numbers) + 100)}
        cr.execute("SELECT e164 FROM bench_phone_truth WHERE e164 = ANY(%s)", [list(batch)])
        numbers |= batch - {e164 for (e164,) in cr.fetchall()}
    return sorted(numbers)[:count]  # not the set's order, which changes with each process's string hashing


def generate(cr, ids, count, seed):
    """(rows, truth): truth[i] is ("db", partner id), ("row", index of the first row) or ("new",)."""
    rng = random.Random(seed)
    n_dup = int(count * DUPLICATES)
    n_db, n_file = n_dup // 2, n_dup - n_dup // 2
    cr.execute(
        """SELECT t.res_id, t.e164, t.country, p.phone FROM bench_phone_truth t
             JOIN res_partner p ON p.id = t.res_id
            WHERE t.kind = 'p' AND t.field = 'phone' AND p.is_company AND p.active
              AND t.res_id = ANY(%s)""",
        [[ids["res_partner"] + rng.randrange(_data.N_COMPANIES) for _ in range(3 * n_db)]],
    )
    found = cr.fetchall()
    # a small bench database may have fewer companies to repeat: the rest repeat rows of the file
    known = rng.sample(found, min(n_db, len(found)))
    n_file += n_db - len(known)
    phones = free_numbers(cr, rng, count)
    unique = count - n_dup
    placed = []  # (position key, row, truth); a repeat goes after its first row
    for index in range(unique):
        phone = phones[index]
        row = [
            f"ООО Импорт {index:06d}",  # noqa: RUF001
            inn(100_000_000 + index),
            _data.spell("RU", phone[2:], rng.choice(list(_data.RU_STYLES))),
            f"Контакт {index:06d}",
            "Менеджер",
            f"contact{index:06d}@import.example.com",
        ]
        placed.append((float(index), row, ("new", index)))
    firsts = [row for _key, row, _truth in placed]
    for res_id, e164, country, stored in known:
        query, _style = _data.respell(rng, e164, country, stored, as_stored=0.1)
        row = [f"bench company {res_id - ids['res_partner']:07d}", "", query, "", "", ""]
        placed.append((rng.uniform(0, unique), row, ("db", res_id)))
    for _ in range(n_file):
        item = rng.randrange(unique)
        first, phone = firsts[item], phones[item]
        digits = first[1]
        spelled = _data.spell("RU", phone[2:], rng.choice(list(_data.RU_STYLES)))
        row = [
            first[0].upper(),
            f"{digits[:4]} {digits[4:7]} {digits[7:]}",
            spelled,
            first[3],
            "",
            first[5].upper(),
        ]
        placed.append((rng.uniform(item + 0.5, unique), row, ("copy", item)))
    placed.sort(key=lambda entry: entry[0])
    position = {truth[1]: n for n, (_key, _row, truth) in enumerate(placed) if truth[0] == "new"}
    rows = [row for _key, row, _truth in placed]
    truth = [
        ("row", position[item[1]]) if item[0] == "copy" else ("new",) if item[0] == "new" else item
        for _key, _row, item in placed
    ]
    return rows, truth


def xlsx(rows):
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Клиенты")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows, encoding):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def read_floor(data, name, streaming=False):
    """Seconds to read every row of the file (the add-on's reader; ``streaming``: openpyxl's
    read-only path, the one sheets unpacking to over 64 MB take), and the rows read."""
    from odoo.addons.crm_extended.services import import_mapping, spreadsheet

    start = time.perf_counter()
    if streaming:
        count = sum(1 for _row in spreadsheet._openpyxl_rows(data, None)[2])
    else:
        table = spreadsheet.read(data, name, is_header=import_mapping.header_score("partner"))
        count = sum(1 for _row in table.rows)
    return time.perf_counter() - start, count


def ours(env, data, name):
    """The whole import; {phase: seconds}, the job."""
    Job = env["crm.import.job"]
    times, start = {}, time.perf_counter()
    job = Job.create({"file": base64.b64encode(data), "file_name": name, "kind": "partner"})
    env.flush_all()
    times["store"] = time.perf_counter() - start
    mark = time.perf_counter()
    job.action_preview()
    env.flush_all()
    times["preview"] = time.perf_counter() - mark
    mark = time.perf_counter()
    job.action_commit()
    while job.state != "done":
        job._crm_run_batch()  # what each run of the cron does, in its own transaction
        env.flush_all()
        env.invalidate_all()
    times["write"] = time.perf_counter() - mark
    times["total"] = time.perf_counter() - start
    return times, job


def quality(env, job, truth):
    """Precision and recall of the duplicates found, against the truth."""
    lines = {line.row: line for line in job.line_ids}
    found = correct = 0
    for index, expected in enumerate(truth):
        line = lines[index + 2]  # the header is row 1
        if line.origin_row:
            guess = ("row", line.origin_row - 2)
        elif line.partner_id:
            guess = ("db", line.partner_id.id)
        else:
            guess = ("new",)
        if guess != ("new",):
            found += 1
            if guess == expected:
                correct += 1
    wanted = sum(1 for item in truth if item != ("new",))
    return correct / found if found else 1.0, correct / wanted if wanted else 1.0, found, correct, wanted


def orm_create_alone(env, rows, truth, count):
    """Seconds to write the first ``count`` new clients of the file with Odoo's own ``create``
    alone (nothing read, matched or logged): each row's company, then its contact, in batches
    of 1,000 as our writer sends them: what an import through the ORM's plain ``create`` pays
    (not a floor of ours, whose contacts' sync is done per batch)."""
    new = [row for row, item in zip(rows, truth, strict=True) if item == ("new",)][:count]
    Partner = env["res.partner"]
    start = time.perf_counter()
    for index in range(0, len(new), 1000):
        batch = new[index : index + 1000]
        companies = Partner.create(
            [{"name": row[0], "vat": row[1], "phone": row[2], "is_company": True} for row in batch]
        )
        Partner.create(
            [
                {"name": row[3], "function": row[4], "email": row[5], "parent_id": company.id}
                for row, company in zip(batch, companies, strict=True)
            ]
        )
        env.flush_all()
        env.invalidate_all()
    return time.perf_counter() - start, len(new)


def stock(env, data, name, count):
    """base_import as its screen runs it: batches of 2,000 rows, each a call of execute_import."""
    record = env["base_import.import"].create(
        {
            "res_model": "res.partner",
            "file": data,
            "file_name": name,
            "file_type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    )
    fields = ["name", "vat", "phone", "child_ids/name", "child_ids/function", "child_ids/email"]
    options = {"has_headers": True, "quoting": '"', "separator": ",", "limit": 2000, "skip": 0}
    start, imported = time.perf_counter(), 0
    while True:
        result = record.execute_import(fields, HEADERS, dict(options))
        errors = [m for m in result.get("messages", []) if m.get("type") == "error"]
        if errors:
            raise RuntimeError(f"stock import failed: {errors[:3]}")
        imported += len(result.get("ids") or [])
        if not result.get("nextrow"):
            break
        options["skip"] = result["nextrow"]
        env.invalidate_all()
    return time.perf_counter() - start, imported


def peak_mb():
    """This process's peak resident memory (``VmHWM``): unlike ``ru_maxrss``, which a process
    started by another keeps from it across ``exec``, it counts this program's memory only."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return rss_mb()


def preview_alone(path):
    """In this fresh process: the preview of the xlsx at ``path`` alone (nothing written);
    prints the process's peak RSS before and after, its time and its counts."""
    with harness.environment() as env:
        env = env(user=env.ref("base.user_admin"), context=dict(env.context, tracking_disable=True))
        with open(path, "rb") as file:
            data = file.read()
        env["crm.import.job"].search([], limit=1)  # the registry loaded, as a server's worker has it
        before = peak_mb()
        start = time.perf_counter()
        job = env["crm.import.job"].create({"file": base64.b64encode(data), "file_name": "c.xlsx"})
        job.action_preview()
        env.flush_all()
        print(
            f"MEMORY {before:.0f} {peak_mb():.0f} {time.perf_counter() - start:.1f} "
            f"{job.row_count} {job.create_count} {job.skip_count} {job.conflict_count}"
        )


def memory(env, ids):
    """The preview's peak memory, each file previewed in a fresh process: flat whatever the rows."""
    from odoo.addons.crm_extended.services import spreadsheet

    for count in MEMORY_ROWS:
        rows, _truth = generate(env.cr, ids, count, _data.SEED + 16)
        data = xlsx(rows)
        del rows
        unpacked = spreadsheet._xlsx_facts(data)[0]
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as file:
            file.write(data)
            file.flush()
            out = subprocess.run(
                [sys.executable, __file__, "--preview-alone", file.name],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        before, after, seconds, lines, created, skipped, conflicts = next(
            line.split()[1:] for line in out.splitlines() if line.startswith("MEMORY ")
        )
        reader = "openpyxl streaming" if unpacked > spreadsheet.CALAMINE_MAX_UNPACKED else "python-calamine"
        harness.detail(
            f"{count:,} rows ({len(data) / 1e6:.1f} MB, sheet unpacked {unpacked / 1e6:.0f} MB, read by "
            f"{reader}): preview alone in a fresh process {seconds} s, peak RSS {before} -> {after} MB; "
            f"{lines} lines: create {created}, skip {skipped}, conflict {conflicts} "
            f"({harness.load_average()})"
        )


def main():
    if "--preview-alone" in sys.argv[1:]:
        preview_alone(sys.argv[sys.argv.index("--preview-alone") + 1])
        return
    with harness.environment() as env:
        ids = _data.ensure(env, harness.detail)
        env = env(user=env.ref("base.user_admin"), context=dict(env.context, tracking_disable=True))
        if "--memory" in sys.argv[1:]:
            memory(env, ids)
            return
        harness.detail(f"generating {N_ROWS:,} rows, {DUPLICATES:.0%} duplicates ({harness.load_average()})")
        rows, truth = generate(env.cr, ids, N_ROWS, _data.SEED + 16)
        data = xlsx(rows)
        harness.detail(f"xlsx {len(data) / 1e6:.1f} MB")
        from odoo.addons.crm_extended.services import spreadsheet

        fast = (
            spreadsheet._calamine() and spreadsheet._xlsx_facts(data)[0] <= spreadsheet.CALAMINE_MAX_UNPACKED
        )
        for label, blob, name, streaming in (
            (f"xlsx ({'python-calamine' if fast else 'openpyxl'}, as imported)", data, "clients.xlsx", False),
            (
                "xlsx (openpyxl read-only, streaming: sheets unpacking to over 64 MB)",
                data,
                "clients.xlsx",
                True,
            ),
            ("csv UTF-8", csv_bytes(rows, "utf-8"), "clients.csv", False),
            ("csv Windows-1251", csv_bytes(rows, "cp1251"), "clients.csv", False),
        ):
            seconds, count = read_floor(blob, name, streaming)
            harness.detail(f"floor, reading alone, {label}: {seconds:.1f} s, {count / seconds:,.0f} rows/s")
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            profile = cProfile.Profile()
            profile.enable()
            job = env["crm.import.job"].create({"file": base64.b64encode(data), "file_name": "p.xlsx"})
            job.action_preview()
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(
                "crm_extended|fields.py:3040|selection|translate", 40
            )
            return
        before = rss_mb()
        times, job = ours(env, data, "clients.xlsx")
        peak = rss_mb()
        rate = N_ROWS / times["total"]
        harness.detail(
            "ours end to end: {total:.1f} s ({rate:,.0f} rows/s): store {store:.1f} s, read+match+preview "
            "{preview:.1f} s, write {write:.1f} s".format(rate=rate, **times)
        )
        written = job.done_count
        harness.detail(
            f"  rows: create {job.create_count}, update {job.update_count}, link {job.link_count}, "
            f"skip {job.skip_count}, conflict {job.conflict_count}, invalid {job.error_count}; "
            f"written {written}, failed {job.failed_count}"
        )
        harness.detail(f"  floor, writing alone: {written / times['write']:,.0f} rows/s written in batches")
        harness.detail(f"  peak RSS {peak:.0f} MB (the process held {before:.0f} MB before the import)")
        precision, recall, found, correct, wanted = quality(env, job, truth)
        harness.detail(
            f"  duplicates: precision {100 * precision:.2f}% ({correct}/{found}), "
            f"recall {100 * recall:.2f}% ({correct}/{wanted})"
        )
        env.cr.rollback()
        env.invalidate_all()
        seconds, count = orm_create_alone(env, rows, truth, min(N_STOCK, 5000))
        env.cr.rollback()
        env.invalidate_all()
        harness.detail(
            f"Odoo's own create alone (not a floor of ours): {count:,} new clients (a company and "
            f"its contact each, batches of 1,000) in {seconds:.1f} s, {count / seconds:,.0f} rows/s "
            f"({harness.load_average()})"
        )
        small = xlsx(rows[:N_STOCK])
        ours_small, _job = ours(env, small, "clients-small.xlsx")
        env.cr.rollback()
        env.invalidate_all()
        stock_seconds, imported = stock(env, small, "clients-small.xlsx", N_STOCK)
        env.cr.rollback()
        stock_rate = imported / stock_seconds
        harness.detail(
            f"on {N_STOCK:,} rows: ours {ours_small['total']:.1f} s "
            f"({N_STOCK / ours_small['total']:,.0f} rows/s), "
            f"stock base_import {stock_seconds:.1f} s ({stock_rate:,.0f} rows/s, {imported} records, "
            "no duplicate found: it matches by id only)"
        )
        stock_full = N_ROWS / stock_rate
        harness.detail(
            f"stock for {N_ROWS:,} rows extrapolated from its rate on {N_STOCK:,}: {stock_full:.0f} s "
            f"({harness.load_average()})"
        )
        harness.report("import", times["total"], stock_full, "s")


if __name__ == "__main__":
    main()
