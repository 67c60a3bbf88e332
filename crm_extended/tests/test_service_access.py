from datetime import date

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, JsonRpcException, tagged

from .common import ServiceCaseCommon


class ServiceAccessCommon(ServiceCaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lot = cls._lot("SN-ACL")
        cls._deliver(cls.lot, cls.entity_a, date(2026, 6, 1))
        cls.case_a = cls._case(lot_id=cls.lot.id, description="<p>Customer says the lift sinks</p>")
        cls.case_b = cls._case(partner_id=cls.entity_b.id, subject="Logistics complaint")
        cls.case_waiting = cls._case(subject="Waiting on return", lot_id=cls.lot.id)
        cls.case_waiting.action_create_return()
        cls.other_company = cls.env["res.company"].create({"name": "Service Sister Co"})
        cls.case_other_company = cls._case(company_id=cls.other_company.id, partner_id=cls.entity_b.id)


@tagged("post_install", "-at_install")
class TestServiceAccess(ServiceAccessCommon):
    """Who reads and writes which case, as the least-privileged user of each role."""

    def _readable(self, user, cases):
        return cases.with_user(user).search([("id", "in", cases.ids)]).ids

    def test_service_user(self):
        """Reads and edits every case of its company, not another company's; cannot delete or configure."""
        cases = self.case_a | self.case_b | self.case_waiting
        self.assertEqual(
            sorted(self._readable(self.user_service, cases | self.case_other_company)), sorted(cases.ids)
        )
        self.case_a.with_user(self.user_service).write({"subject": "Lift sinks (checked)"})
        with self.assertRaises(AccessError):
            self.case_other_company.with_user(self.user_service).read(["subject"])
        with self.assertRaises(AccessError):
            self.case_b.with_user(self.user_service).unlink()
        with self.assertRaises(AccessError):
            self.env["crm.service.case.type"].with_user(self.user_service).create({"name": "Mine"})
        self.assertNotIn("cost_total", self.env["crm.service.case"].with_user(self.user_service).fields_get())

    def test_service_manager(self):
        """Configures types and reads the warranty cost."""
        Type = self.env["crm.service.case.type"].with_user(self.user_service_manager)
        Type.create({"name": "Installation"})
        self.assertIn(
            "cost_total", self.env["crm.service.case"].with_user(self.user_service_manager).fields_get()
        )
        self.case_a.with_user(self.user_service_manager).read(["cost_total"])

    def test_salesperson_reads_own_customers_cases(self):
        """A salesperson reads the cases of customers they sell to, read-only; not other customers'."""
        self.assertEqual(self._readable(self.user_salesman, self.case_a | self.case_b), self.case_a.ids)
        self.case_a.with_user(self.user_salesman).read(["subject", "warranty_state"])
        with self.assertRaises(AccessError):
            self.case_b.with_user(self.user_salesman).read(["subject"])
        with self.assertRaises(AccessError):
            self.case_a.with_user(self.user_salesman).write({"subject": "changed"})
        with self.assertRaises(AccessError):
            self.case_a.with_user(self.user_salesman_other).read(["subject"])
        self.assertNotIn(
            "cost_total", self.env["crm.service.case"].with_user(self.user_salesman).fields_get()
        )

    def test_accountant_reads_no_case_text(self):
        """An accountant reads no case (no description, no chatter)."""
        with self.assertRaises(AccessError):
            self.case_a.with_user(self.user_accountant).read(["description"])
        with self.assertRaises(AccessError):
            self.env["crm.service.case"].with_user(self.user_accountant).search([])

    def test_warehouse_sees_cases_waiting_on_it(self):
        """A warehouse user reads the cases waiting on a return or replacement, no other, and no cost."""
        self.assertEqual(self.case_waiting.waiting_on, "return")
        readable = self.env["crm.service.case"].with_user(self.user_stock).search([])
        self.assertEqual(readable, self.case_waiting)
        with self.assertRaises(AccessError):
            self.case_a.with_user(self.user_stock).read(["subject"])
        with self.assertRaises(AccessError):
            self.case_waiting.with_user(self.user_stock).write({"subject": "x"})
        with self.assertRaises(AccessError):
            self.case_waiting.with_user(self.user_stock).read(["cost_total"])

    def test_portal_reads_nothing(self):
        """A portal user reads no case, type or cause."""
        for model in ("crm.service.case", "crm.service.case.type", "crm.service.cause"):
            with self.assertRaises(AccessError, msg=model):
                self.env[model].with_user(self.user_portal).search([])


@tagged("post_install", "-at_install")
class TestServiceAccessRpc(HttpCase, ServiceAccessCommon):
    """The same refusals over JSON-RPC, as a browser or a script would ask."""

    def _call(self, login, model, method, args, kwargs=None):
        self.authenticate(login, login)
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )

    def test_rpc_salesperson(self):
        """Over RPC a salesperson reads their customer's case, is refused another's and any write."""
        rows = self._call(
            "ce_salesman", "crm.service.case", "read", [self.case_a.ids, ["subject", "warranty_state"]]
        )
        self.assertEqual(rows[0]["warranty_state"], "valid")
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self._call("ce_salesman", "crm.service.case", "read", [self.case_b.ids, ["subject"]])
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self._call("ce_salesman", "crm.service.case", "write", [self.case_a.ids, {"subject": "x"}])

    def test_rpc_accountant_and_warehouse(self):
        """Over RPC an accountant reads no case; a warehouse user no cost and no case outside its queue."""
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self._call("ce_accountant", "crm.service.case", "search_read", [[]], {"fields": ["description"]})
        rows = self._call("ce_stock", "crm.service.case", "search_read", [[]], {"fields": ["subject"]})
        self.assertEqual([row["id"] for row in rows], self.case_waiting.ids)
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self._call("ce_stock", "crm.service.case", "read", [self.case_waiting.ids, ["cost_total"]])

    def test_rpc_portal(self):
        """Over RPC a portal user is refused cases."""
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self._call("ce_portal", "crm.service.case", "search_read", [[]], {"fields": ["subject"]})
