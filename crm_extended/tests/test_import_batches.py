# ruff: noqa: RUF001 (Russian client names)
import contextlib
import itertools
from unittest.mock import patch

from odoo import Command
from odoo.tests import tagged

from ..models import crm_import_planner
from .test_import import ImportCase
from .test_import_services import make_xlsx

# the context the background job writes with (crm.import.job._crm_run_batch)
WRITE_CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_notrack": True,
    "crm_import_matched": True,
}
# what differs between two creations of the same values: the id, and
# calendar's default "now" (the second of the call)
IDENTITY_COLUMNS = {"id", "calendar_last_notif_ack"}


class _Rollback(Exception):
    """Leaves a savepoint without keeping what was done in it."""


@tagged("post_install", "-at_install")
class TestImportBatches(ImportCase):
    """The import writes and plans in batches; what it stores is what
    ``res.partner.create`` stores, and a batch's queries do not grow with its rows."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        pricelist = cls.env["product.pricelist"].create({"name": "Wholesale (import test)"})
        cls.entity_address = Partner.create(
            {
                "name": "Gamma Steel LLC",
                "is_company": True,
                "vat": "7707083893",
                "street": "Lenina 1",
                "city": "Novosibirsk",
                "zip": "630000",
                "country_id": cls.country_ru.id,
                "specific_property_product_pricelist": pricelist.id,
            }
        )
        cls.entity_bare = Partner.create({"name": "Delta Bare", "is_company": True, "vat": "500100732259"})
        cls.parents = cls.entity_a | cls.entity_b | cls.entity_address | cls.entity_bare

    def stored(self, partners):
        """Every column of ``partners`` as stored, in their order, and their roles."""
        self.env.flush_all()
        self.env.cr.execute("SELECT * FROM res_partner WHERE id = ANY(%s)", [partners.ids])
        by_id = {row["id"]: row for row in self.env.cr.dictfetchall()}
        return [
            (
                {
                    # a company is its own commercial entity: "itself", whatever its id
                    column: "itself" if column == "commercial_partner_id" and value == partner.id else value
                    for column, value in by_id[partner.id].items()
                    if column not in IDENTITY_COLUMNS
                },
                partner.contact_role_ids.ids,
            )
            for partner in partners
        ]

    def differences(self, batch, orm):
        """The columns that differ, per record: what a failure shows."""
        return [
            {key: (mine[key], theirs[key]) for key in mine if mine[key] != theirs[key]} or roles
            for (mine, roles), (theirs, _roles) in zip(batch, orm, strict=True)
        ]

    def created_both_ways(self, vals_list, batch_method):
        """What ``res.partner.create`` stores for ``vals_list`` (as the salesman,
        in the job's context), and what the import's ``batch_method`` stores;
        each in a savepoint rolled back after it is read."""
        results = []
        for how in ("orm", "import"):
            with contextlib.suppress(_Rollback), self.env.cr.savepoint():
                if how == "orm":
                    Partner = (
                        self.env["res.partner"].with_user(self.user_salesman).with_context(**WRITE_CONTEXT)
                    )
                    partners = Partner.create([dict(vals) for vals in vals_list])
                else:
                    Job = (
                        self.env["crm.import.job"].with_user(self.user_salesman).with_context(**WRITE_CONTEXT)
                    )
                    partners = getattr(Job, batch_method)([dict(vals) for vals in vals_list])
                results.append(self.stored(partners))
                raise _Rollback
            self.env.invalidate_all()
        return results

    def test_contacts_stored_as_create_stores_them(self):
        """Contacts created together by the import store exactly what
        res.partner.create stores creating them (the company's tax id, its
        address, its pricelist and accounts, language, roles), every column."""
        vals_list = [
            {
                "name": f"Контакт {index}",
                "parent_id": parent.id,
                "type": "contact",
                "function": "Менеджер",
                "email": f"contact{index}@example.com",
                "mobile": f"+7 912 000-00-{index:02d}",
                "contact_role_ids": [Command.set(self.role_buyer.ids if index % 2 else [])],
            }
            for index, parent in enumerate(list(self.parents) * 2)
        ]
        orm, batch = self.created_both_ways(vals_list, "_crm_create_contacts")
        self.assertEqual(len(batch), 8)
        self.assertEqual(batch, orm, self.differences(batch, orm))
        # the sync did happen: the address and the tax id are the company's
        self.assertEqual(batch[2][0]["city"], "Novosibirsk")
        self.assertEqual(batch[2][0]["vat"], "7707083893")

    def test_companies_stored_as_create_stores_them(self):
        """Clients created together by the import (their defaults read once)
        store exactly what res.partner.create stores, every column."""
        vals_list = [
            {
                "name": f"ООО Пакет {index}",
                "is_company": True,
                "vat": vat,
                "phone": f"8 (495) 100-00-{index:02d}",
                "city": "Москва" if index % 2 else False,
                "country_id": self.country_ru.id,
            }
            for index, vat in enumerate(("7736050003", "7702070139", "7710140679"))
        ]
        vals_list.append({"name": "Пётр Одиночка", "is_company": False, "email": "petr@example.com"})
        orm, batch = self.created_both_ways(vals_list, "_crm_create_partners")
        self.assertEqual(len(batch), 4)
        self.assertEqual(batch, orm, self.differences(batch, orm))

    def plan_batch_queries(self, rows, batch_size):
        """Queries of each whole batch of the preview (reading its rows,
        matching them, creating its lines), batches of ``batch_size`` rows."""
        marks = []
        original = type(self.env["crm.import.job"])._crm_plan_partners

        def counted(job, entries, clusters, context):
            marks.append(job.env.cr.sql_log_count)
            return original(job, entries, clusters, context)

        job = self.new_job(make_xlsx(rows))
        self.env.invalidate_all()
        with (
            patch.object(crm_import_planner, "PLAN_BATCH_SIZE", batch_size),
            patch.object(type(self.env["crm.import.job"]), "_crm_plan_partners", counted),
        ):
            job.action_preview()
        self.assertEqual(job.row_count, len(rows) - 1)
        return [after - before for before, after in itertools.pairwise(marks)]

    def test_preview_queries_per_batch_constant(self):
        """A batch of the preview costs the same queries whether it holds 3
        rows or 9, and the last batches no more than the second: no query per
        row, nothing growing with the rows already previewed."""
        rows = [["Компания", "ИНН", "Телефон", "Контактное лицо", "E-mail"]]
        for index in range(9):
            # a new client, the same client spelled otherwise, a known client with a new contact
            number = f"8 (912) 300-{index:02d}-00"
            rows.append([f"ООО Ряд {index}", "", number, f"Иван {index}", f"ivan{index}@row.example.com"])
            rows.append([f"ряд {index}", "", number.replace("8 (912)", "+7912"), "", ""])
            rows.append(["Альфа Трейд", "5401001113", "", f"Новый {index}", f"new{index}@alpha.example.com"])
        small = self.plan_batch_queries(rows, 3)
        large = self.plan_batch_queries(rows, 9)
        self.assertEqual(len(small), 8)
        self.assertEqual(len(large), 2)
        # the first batch reads what every later one finds cached (countries, rules...)
        self.assertEqual(set(small[1:]), {large[1]}, f"queries per batch: 3 rows {small}, 9 rows {large}")

    def planned(self, data, batch_size, kind="partner"):
        """What the preview says of each row, the file planned in batches of ``batch_size``."""
        job = self.new_job(data, kind=kind)
        with patch.object(crm_import_planner, "PLAN_BATCH_SIZE", batch_size):
            job.action_preview()
        return [
            (line.row, line.action, line.origin_row, line.match_kinds, line.reason, line.partner_id.id)
            for line in job.line_ids.sorted("row")
        ]

    def test_plan_across_batches(self):
        """What the file's earlier rows say of a row (a repeat, a conflict between two clients
        of the file, a contact already seen under its client) is kept in the database between
        batches, not in the process: a batch of one row plans each row as one batch of all."""
        rows = [
            ["Компания", "ИНН", "Телефон", "Контактное лицо", "E-mail"],
            ["ООО Ромашка", "", "8 495 111 00 01", "Иван Петров", "a@romashka.example.com"],
            ["ООО Лютик", "", "8 495 111 00 02", "Пётр Иванов", "b@lutik.example.com"],
            ["ромашка", "", "+7 495 111-00-01", "иван петров", ""],
            ["Ромашка и Лютик", "", "8 495 111 00 01", "", "b@lutik.example.com"],
            ["ООО Ромашка", "", "", "Анна Смирнова", ""],
            ["Альфа", "5401001113", "", "Новый Человек", ""],
            ["Alpha", "54 0100 1113", "", "новый человек", ""],
            ["Итого: 7", "", "", "", ""],
        ]
        whole = self.planned(make_xlsx(rows), 100)
        self.assertEqual(whole, self.planned(make_xlsx(rows), 1))
        by_row = {line[0]: line for line in whole}
        self.assertEqual(by_row[4][1:3], ("skip", 2), "the same contact under the same client of the file")
        self.assertEqual(by_row[5][1], "conflict")
        self.assertIn("2, 3", by_row[5][4])
        self.assertEqual(by_row[6][1:3], ("link", 2), "found by its name: a new contact of row 2's client")

    def test_lead_plan_across_batches(self):
        """Leads too: a repeat in a later batch names the first row of the file."""
        rows = [
            ["Сделка", "Компания", "Телефон", "E-mail"],
            ["Стулья", "Новый клиент", "8 495 300 00 02", ""],
            ["Столы", "Другой", "", "x@other.example.com"],
            ["Стулья ещё", "Новый клиент", "+7 495 300-00-02", ""],
            ["", "", "", ""],
            ["Кресла", "Другой", "", "X@Other.example.com"],
        ]
        whole = self.planned(make_xlsx(rows), 100, kind="lead")
        self.assertEqual(whole, self.planned(make_xlsx(rows), 1, kind="lead"))
        by_row = {line[0]: line for line in whole}
        self.assertEqual(by_row[4][1:3], ("skip", 2))
        self.assertEqual(by_row[6][1:3], ("skip", 3))
