# ruff: noqa: RUF001 (Russian headers and client names)
import base64
import json
import os
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from ..services import spreadsheet
from .common import CrmExtendedCase
from .test_import_services import FIXTURES, make_csv, make_xlsx

HEADERS = ["Компания", "ИНН", "Телефон", "Моб.", "E-mail", "Контактное лицо", "Должность", "Роль", "Холдинг"]


def file_rows():
    """A client list as a salesperson keeps it: a title, the header, new
    clients, the same client spelled otherwise, clients already in the
    directory (the fixture's Alpha Trade), a bad INN, a formula, a total."""
    return [
        ["Клиенты отдела продаж"],
        HEADERS,
        # 3: a new company with its buyer, in a new holding
        [
            "ООО Ромашка",
            "7707083893",
            "8 (495) 111-22-33",
            "+7 912 000-11-22",
            "ivan@romashka.example.com",
            "Иван Петров",
            "Директор",
            "Buyer",
            "Цветы",
        ],
        # 4: the same company (INN with spaces, phone written otherwise), its accountant
        [
            "Ромашка ООО",
            "7707 083 893",
            "+7 495 1112233",
            "+7 912 000-33-44",
            "MARIA@romashka.example.com",
            "Мария Иванова",
            "Бухгалтер",
            "Accountant",
            "Цветы",
        ],
        # 5: Alpha Trade by its switchboard, its buyer already known by his mobile
        ["Alpha Trade", "", "8 383 211 22 33", "8 913 700 45 67", "", "Boris Buyer", "", "", ""],
        # 6: Alpha Trade by its INN, with a new contact and its missing website
        ["Альфа Трейд", "5401001113", "", "", "new@alpha.example.com", "Нина Новая", "", "", ""],
        # 7: a company with a wrong INN checksum (kept without it, flagged)
        ["ООО Лютик", "7707083890", "8 (495) 222-33-44", "", "", "", "", "", ""],
        # 8: a formula in the phone column
        ["ООО Формула", "", "=A1", "", "f@formula.example.com", "", "", "", ""],
        [],
        ["Итого: 6"],
    ]


class ImportCase(CrmExtendedCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param("crm_extended.import_batch_size", 2)
        cls.Job = cls.env["crm.import.job"]

    def new_job(self, data, name="clients.xlsx", user=None, kind="partner"):
        user = user or self.user_salesman
        return self.Job.with_user(user).create(
            {"file": base64.b64encode(data), "file_name": name, "kind": kind}
        )

    def run_jobs(self):
        """Run the background job as Odoo's cron does until no row is left; the number of runs."""
        runs = 0
        Job = self.env["crm.import.job"]
        while Job.search_count([("state", "in", ("queued", "running"))]):
            Job._cron_run_imports()
            runs += 1
            self.assertLess(runs, 100)
        return runs

    def lines(self, job):
        return {line.row: line for line in job.line_ids}


@tagged("post_install", "-at_install")
class TestImportPreview(ImportCase):
    """The preview: every row's action and why, before anything is written."""

    def test_preview_actions(self):
        """Rows are new, repeats within the file, existing clients (linked,
        updated or skipped), invalid or junk; nothing is written yet."""
        partners_before = self.env["res.partner"].search_count([])
        job = self.new_job(make_xlsx(file_rows()))
        job.action_preview()
        self.assertEqual(job.state, "preview")
        self.assertEqual(job.header_row, 2)
        lines = self.lines(job)
        self.assertEqual(sorted(lines), [3, 4, 5, 6, 7, 8, 10])
        self.assertEqual(lines[3].action, "create")
        self.assertEqual((lines[4].action, lines[4].origin_row), ("link", 3))
        self.assertIn("tax id, phone", lines[4].reason)
        self.assertEqual((lines[5].action, lines[5].partner_id), ("skip", self.entity_a))
        self.assertEqual(lines[5].contact_id, self.contact_buyer)
        self.assertIn("phone", lines[5].match_kinds)
        self.assertEqual((lines[6].action, lines[6].partner_id), ("link", self.entity_a))
        self.assertEqual(lines[6].match_kinds, "tax id")
        self.assertEqual(lines[7].action, "create")
        self.assertIn("INN check digit does not match", lines[7].problems)
        self.assertNotIn("vat", lines[7].values)
        self.assertIn("formula", lines[8].problems)
        self.assertEqual(lines[10].action, "skip")
        self.assertEqual((job.create_count, job.link_count, job.skip_count, job.conflict_count), (3, 2, 2, 0))
        self.assertEqual(self.env["res.partner"].search_count([]), partners_before)

    def test_update_fills_empty_fields(self):
        """An existing client gets what it lacks; what it has is never overwritten."""
        job = self.new_job(
            make_xlsx(
                [
                    ["Компания", "ИНН", "Телефон", "Сайт"],
                    ["Alpha", "5401001113", "8 383 999 00 00", "alpha.ru"],
                ]
            )
        )
        job.action_preview()
        (line,) = job.line_ids
        self.assertEqual(line.action, "update")
        self.assertEqual(line.values["company_changes"], {"website": "alpha.ru"})
        job.action_commit()
        self.run_jobs()
        self.assertEqual(self.entity_a.website, "http://alpha.ru")
        self.assertEqual(self.entity_a.phone, "8 (383) 211-22-33")

    def test_conflict(self):
        """A row whose phone is one client's and e-mail another's is a conflict
        naming both; unresolved it is not imported, resolved it links."""
        other = self.env["res.partner"].create(
            {"name": "Omega LLC", "is_company": True, "email": "o@omega.example.com"}
        )
        job = self.new_job(
            make_xlsx(
                [["Компания", "Телефон", "E-mail"], ["Omega?", "8 383 211 22 33", "O@omega.example.com"]]
            )
        )
        job.action_preview()
        (line,) = job.line_ids
        self.assertEqual(line.action, "conflict")
        self.assertEqual(set(line.candidate_ids.ids), {self.entity_a.id, other.id})
        self.assertIn("Omega LLC", line.reason)
        self.assertIn("Alpha Trade LLC", line.reason)
        job.action_commit()
        self.run_jobs()
        self.assertEqual(line.state, "failed")
        self.assertIn("conflict", line.error)

    def test_conflict_within_file(self):
        """A row joining two different clients of the same file is a conflict."""
        rows = [
            ["Компания", "Телефон", "E-mail"],
            ["A", "8 495 111 00 01", "a@a.example.com"],
            ["B", "8 495 111 00 02", "b@b.example.com"],
            ["AB", "8 495 111 00 01", "b@b.example.com"],
        ]
        job = self.new_job(make_xlsx(rows))
        job.action_preview()
        lines = self.lines(job)
        self.assertEqual(lines[4].action, "conflict")
        self.assertIn("2, 3", lines[4].reason)

    def test_profile_remembered(self):
        """A mapping saved as a profile is used at once for the next file with the same headers."""
        rows = [["Клиент", "Номер"], ["ООО Ромашка", "8 495 111 22 33"]]
        job = self.new_job(make_xlsx(rows))
        job.action_preview()
        self.assertEqual(job.column_ids.mapped("field"), ["name", False])
        job.column_ids[1].field = "phone"
        job.save_profile_as = "Мой список"
        job.action_preview()
        self.assertTrue(job.profile_id)
        second = self.new_job(make_csv(rows, "cp1251"), name="list.csv")
        second.action_preview()
        self.assertEqual(second.profile_id, job.profile_id)
        self.assertEqual(second.column_ids.mapped("field"), ["name", "phone"])

    def test_xls_and_csv_files(self):
        """The xls fixture and a Windows-1251 CSV preview the same clients."""
        with open(os.path.join(FIXTURES, "clients.xls"), "rb") as handle:
            job = self.new_job(handle.read(), name="clients.xls")
        job.action_preview()
        lines = self.lines(job)
        self.assertEqual(lines[4].action, "create")
        self.assertEqual((lines[5].action, lines[5].origin_row), ("link", 4))
        self.assertEqual(lines[6].action, "create")
        csv_job = self.new_job(
            make_csv([HEADERS[:3], ["ООО Ромашка", "7707083893", "8 495 111 22 33"]], "cp1251"), "c.csv"
        )
        csv_job.action_preview()
        self.assertEqual(csv_job.line_ids.name, "ООО Ромашка")

    def test_bad_files(self):
        """A corrupt file, a password-protected workbook, a file over the size
        limit and a sheet of 1,000 columns: a clear message, nothing written."""
        cases = {
            b"PK\x03\x04 no zip" + b"\x00" * 64: "damaged",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
            + b"\x00" * 512
            + "EncryptedPackage".encode("utf-16-le"): "password",
            make_xlsx([[f"c{n}" for n in range(1000)], ["x"] * 1000]): "1000 columns",
        }
        for data, message in cases.items():
            job = self.new_job(data, name="bad.xlsx")
            with self.subTest(message=message), self.assertRaisesRegex(UserError, message):
                job.action_preview()
            self.assertFalse(job.line_ids)
            self.assertEqual(job.state, "draft")
        big = self.new_job(b"a;b\n" + b"x;y\n" * (1024 * 1024 // 4 + 1), name="big.csv")
        with (
            patch.object(spreadsheet, "MAX_BYTES", 1024 * 1024),
            self.assertRaisesRegex(UserError, "up to 1 MB"),
        ):
            big.action_preview()


@tagged("post_install", "-at_install")
class TestImportCommit(ImportCase):
    """The commit in the background, the report, re-import and undo."""

    def test_commit_in_batches(self):
        """Committing triggers the cron; it writes the rows in batches, each
        row's records as the preview said, and a report per row."""
        job = self.new_job(make_xlsx(file_rows()))
        job.action_preview()
        cron = self.env.ref("crm_extended.ir_cron_crm_import")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        job.action_commit()
        self.assertEqual(self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers + 1)
        self.assertEqual(job.state, "queued")
        self.assertGreater(self.run_jobs(), 2)  # batches of 2 rows
        self.assertEqual(job.state, "done")
        self.assertEqual(job.progress, 100.0)
        self.assertEqual(job.done_count, 5)
        romashka = job.line_ids.filtered(lambda line: line.row == 3).result_partner_id
        self.assertEqual(romashka.name, "ООО Ромашка")
        self.assertEqual(romashka.vat, "7707083893")
        self.assertEqual(romashka.client_group_id.name, "Цветы")
        self.assertEqual(sorted(romashka.child_ids.mapped("name")), ["Иван Петров", "Мария Иванова"])
        ivan = romashka.child_ids.filtered(lambda child: child.name == "Иван Петров")
        self.assertEqual(ivan.contact_role_ids, self.role_buyer)
        self.assertEqual(ivan.mobile_e164, "+79120001122")
        self.assertIn("Нина Новая", self.entity_a.child_ids.mapped("name"))
        self.assertEqual(len(self.entity_a.child_ids.filtered(lambda c: c.name == "Boris Buyer")), 1)
        lutik = job.line_ids.filtered(lambda line: line.row == 7).result_partner_id
        self.assertFalse(lutik.vat)
        self.assertTrue(job.user_id == self.user_salesman and job.date_done and job.file_name)

    def test_reimport_changes_nothing(self):
        """Importing the same file again creates and changes nothing."""
        data = make_xlsx(file_rows())
        first = self.new_job(data)
        first.action_preview()
        first.action_commit()
        self.run_jobs()
        count = self.env["res.partner"].search_count([])
        second = self.new_job(data)
        second.action_preview()
        self.assertEqual(
            (second.create_count, second.update_count, second.link_count, second.conflict_count), (0, 0, 0, 0)
        )
        second.action_commit()
        self.run_jobs()
        self.assertEqual(self.env["res.partner"].search_count([]), count)

    def test_broken_row_does_not_stop_others(self):
        """A row that cannot be written is reported with its reason; the others are written."""
        rows = [
            ["Компания", "ИНН", "Контактное лицо"],
            ["Alpha", "5401001113", "Пётр Первый"],
            ["Новая", "", ""],
        ]
        job = self.new_job(make_xlsx(rows))
        job.action_preview()
        lines = self.lines(job)
        self.assertEqual(lines[2].partner_id, self.entity_a)
        self.entity_a.child_ids.write({"parent_id": False})
        self.entity_a.unlink()  # the client the row links to is gone
        job.action_commit()
        self.run_jobs()
        self.assertEqual((lines[2].state, lines[3].state), ("failed", "done"))
        self.assertTrue(lines[2].error)
        self.assertEqual((job.done_count, job.failed_count), (1, 1))

    def test_undo(self):
        """Undo restores what the import filled in and removes what it
        created: archived for a salesperson, who may not delete partners."""
        rows = [
            ["Компания", "ИНН", "Сайт", "Контактное лицо"],
            ["Alpha", "5401001113", "alpha.ru", "Пётр Первый"],
            ["Новая", "", "", ""],
        ]
        job = self.new_job(make_xlsx(rows))
        job.action_preview()
        job.action_commit()
        self.run_jobs()
        created = job.line_ids.filtered(lambda line: line.row == 3).result_partner_id
        self.assertTrue(created and self.entity_a.website == "http://alpha.ru")
        job.with_user(self.user_salesman).action_undo()
        self.assertEqual(job.state, "undone")
        self.assertFalse(created.active)
        self.assertFalse(self.entity_a.website)
        self.assertNotIn("Пётр Первый", self.entity_a.child_ids.mapped("name"))

    def test_undo_refused_after_a_change(self):
        """A record changed since the import: undo refuses, and changes nothing."""
        job = self.new_job(make_xlsx([["Компания", "Телефон"], ["Новая", "8 495 700 00 01"]]))
        job.action_preview()
        job.action_commit()
        self.run_jobs()
        created = job.line_ids.result_partner_id
        self.env.cr.execute(
            "UPDATE res_partner SET write_date = %s WHERE id = %s",
            [job.date_done.replace(year=2030), created.id],
        )
        created.invalidate_recordset()
        with self.assertRaisesRegex(UserError, "Новая changed since"):
            job.action_undo()
        self.assertTrue(created.exists())
        self.assertEqual(job.state, "done")

    def test_leads(self):
        """Leads with source, medium, campaign and salesperson (by login);
        a repeat is skipped; an open lead with the same phone gets what it
        lacks (the company's name), never what someone typed; a client of
        the directory is linked; the file imported again changes nothing."""
        self.env["crm.lead"].create(
            {"name": "Old", "phone": "8 495 300 00 01", "user_id": self.user_salesman.id}
        )
        rows = [
            ["Сделка", "Компания", "Телефон", "E-mail", "Источник", "Канал", "Кампания", "Ответственный"],
            ["Стулья", "Новый клиент", "8 495 300 00 02", "", "Выставка", "Email", "Весна", "ce_salesman"],
            ["Стулья ещё", "Новый клиент", "+7 495 300-00-02", "", "", "", "", ""],
            ["Столы", "Старый", "+7 495 300 00 01", "", "", "", "", ""],
            ["Кресла", "Alpha", "", "boris@alpha.example.com", "", "", "", "nobody"],
        ]
        job = self.new_job(make_xlsx(rows), kind="lead")
        job.action_preview()
        lines = self.lines(job)
        self.assertEqual([lines[n].action for n in (2, 3, 4, 5)], ["create", "skip", "update", "link"])
        self.assertIn("partner_name", lines[4].changes)
        self.assertNotIn("phone", lines[4].changes)
        self.assertIn("Salesperson", lines[5].problems)
        job.action_commit()
        self.run_jobs()
        lead = lines[2].result_lead_id
        self.assertEqual(
            (lead.source_id.name, lead.medium_id.name, lead.campaign_id.name), ("Выставка", "Email", "Весна")
        )
        self.assertEqual(lead.user_id, self.user_salesman)
        self.assertEqual(lines[5].result_lead_id.partner_id, self.entity_a)
        old = lines[4].lead_id
        self.assertEqual((old.name, old.partner_name, old.phone), ("Old", "Старый", "8 495 300 00 01"))
        rows.append(["Без контактов", "", "", "", "", "", "", ""])
        again = self.new_job(make_xlsx(rows), kind="lead")
        again.action_preview()
        again.action_commit()
        self.run_jobs()
        third = self.new_job(make_xlsx(rows), kind="lead")
        third.action_preview()
        self.assertEqual(
            (third.create_count, third.update_count, third.link_count),
            (0, 0, 0),
            "a lead file imported twice",
        )

    def test_lead_update_undone(self):
        """Undoing a lead import empties again what it filled on an existing lead."""
        old = self.env["crm.lead"].create(
            {"name": "Old", "email_from": "old@lead.example.com", "user_id": self.user_salesman.id}
        )
        rows = [
            ["Сделка", "E-mail", "Контактное лицо", "Телефон"],
            ["Old", "OLD@lead.example.com", "Олег", ""],
        ]
        job = self.new_job(make_xlsx(rows), kind="lead")
        job.action_preview()
        self.assertEqual(self.lines(job)[2].action, "update")
        job.action_commit()
        self.run_jobs()
        self.assertEqual(old.contact_name, "Олег")
        job.with_user(self.user_salesman).action_undo()
        self.assertFalse(old.contact_name)
        self.assertEqual(old.email_from, "old@lead.example.com")


@tagged("post_install", "-at_install")
class TestImportAccess(ImportCase):
    """Who may import, and under which rules."""

    def test_roles_without_create_rights(self):
        """A portal user and a warehouse user cannot start an import."""
        for user in (self.user_portal, self.user_stock):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.new_job(make_xlsx([HEADERS[:2], ["A", ""]]), user=user)

    def test_own_imports_only(self):
        """A salesperson sees only their imports and rows; a CRM manager sees all."""
        job = self.new_job(make_xlsx([HEADERS[:2], ["A", ""]]))
        job.action_preview()
        with self.assertRaises(AccessError):
            job.with_user(self.user_salesman_other).read(["file_name"])
        with self.assertRaises(AccessError):
            job.line_ids.with_user(self.user_salesman_other).read(["name"])
        self.assertEqual(job.with_user(self.user_sales_manager).file_name, "clients.xlsx")

    def test_rules_in_matching_and_writing(self):
        """Matching and writing apply the importer's record rules: a lead of
        another salesperson is not seen (a new lead is made, not a skip)."""
        self.env["crm.lead"].create(
            {"name": "Olga's", "phone": "8 495 300 00 09", "user_id": self.user_salesman_other.id}
        )
        job = self.new_job(make_xlsx([["Сделка", "Телефон"], ["Мой", "8 495 300 00 09"]]), kind="lead")
        job.action_preview()
        self.assertEqual(job.line_ids.action, "create")
        job.action_commit()
        self.run_jobs()
        self.assertEqual(job.line_ids.result_lead_id.create_uid, self.user_salesman)


@tagged("post_install", "-at_install")
class TestImportRpc(HttpCase):
    """Over RPC, as the web client calls it."""

    def test_rpc_refused_to_warehouse(self):
        """A warehouse user's RPC create of an import is refused."""
        new_test_user(self.env, login="ce_rpc_stock", groups="stock.group_stock_user")
        self.authenticate("ce_rpc_stock", "ce_rpc_stock")
        data = base64.b64encode(make_xlsx([["Компания"], ["A"]])).decode()
        response = self.url_open(
            "/web/dataset/call_kw/crm.import.job/create",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {
                        "model": "crm.import.job",
                        "method": "create",
                        "args": [{"file": data, "file_name": "a.xlsx"}],
                        "kwargs": {},
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        error = response.json()["error"]
        self.assertEqual(error["data"]["name"], "odoo.exceptions.AccessError")
        self.assertFalse(self.env["crm.import.job"].search([("file_name", "=", "a.xlsx")]))
