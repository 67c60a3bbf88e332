from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import PortalCommon


@tagged("post_install", "-at_install")
class TestPortalStatement(PortalCommon, HttpCase):
    """The client's statement (#18): due and overdue in its currency, the reconciliation
    statement for a period, for the contacts with a money role of the entities they see."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice_a.invoice_date_due = fields.Date.today() - timedelta(days=10)
        cls.period = f"date_from={fields.Date.today().replace(month=1, day=1)}&date_to={fields.Date.today()}"

    def _login(self, user):
        self.authenticate(user.login, user.login + "-Pass-2026")

    def _get(self, url):
        return self.url_open(url, allow_redirects=False)

    def test_due_and_overdue(self):
        """The accountant contact reads what its entity owes and what is overdue."""
        self._login(self.portal_accountant)
        response = self._get("/my/statement")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.invoice_a.name, response.text)
        self.assertIn("o_crm_overdue", response.text)
        self.assertNotIn(self.invoice_c.name, response.text)
        summary = self.entity_a._crm_open_invoices_summary(self.invoice_a, self.company)
        self.assertAlmostEqual(summary["due"], self.invoice_a.amount_residual)
        self.assertAlmostEqual(summary["overdue"], self.invoice_a.amount_residual)

    def test_reconciliation_html(self):
        """The reconciliation statement lists the period's invoice and payment and closes on
        what is still owed."""
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=self.invoice_a.ids
        ).create({"amount": 100.0}).action_create_payments()
        self._login(self.portal_accountant)
        response = self._get(f"/my/statement/reconciliation?report_type=html&{self.period}")
        self.assertEqual(response.status_code, 200)
        html = response.text
        self.assertIn("o_crm_reconciliation", html)
        self.assertIn(self.invoice_a.name, html)
        self.assertIn(self.entity_a.name, html)
        statement = self.entity_a._crm_reconciliation(
            fields.Date.today().replace(month=1, day=1), fields.Date.today(), self.company
        )
        self.assertAlmostEqual(statement["closing"], self.invoice_a.amount_total - 100.0)
        self.assertEqual(len(statement["rows"]), 2)

    def test_roles_and_other_clients(self):
        """A storekeeper gets 403; another client asking for this entity gets its own."""
        self._login(self.portal_storekeeper)
        self.assertEqual(self._get("/my/statement").status_code, 403)
        self.assertEqual(
            self._get(f"/my/statement/reconciliation?report_type=html&{self.period}").status_code, 403
        )
        self._login(self.portal_other)
        html = self._get(
            f"/my/statement/reconciliation?report_type=html&entity_id={self.entity_a.id}&{self.period}"
        ).text
        self.assertNotIn(self.entity_a.name, html)
        self.assertIn(self.entity_c.name, html)
        html = self._get(f"/my/statement?entity_id={self.entity_a.id}").text
        self.assertNotIn(self.invoice_a.name, html)
        self.assertIn(self.invoice_c.name, html)

    def test_holding_representative_chooses_entity(self):
        """A holding representative may print the statement of another entity of its holding."""
        self._login(self.portal_rep)
        html = self._get(
            f"/my/statement/reconciliation?report_type=html&entity_id={self.entity_b.id}&{self.period}"
        ).text
        self.assertIn(self.entity_b.name, html)

    def test_bad_period(self):
        """A missing or reversed period is refused (400), not a server error."""
        self._login(self.portal_accountant)
        self.assertEqual(self._get("/my/statement/reconciliation?report_type=html").status_code, 400)
        response = self._get(
            "/my/statement/reconciliation?report_type=html&date_from=2026-12-31&date_to=2026-01-01"
        )
        self.assertEqual(response.status_code, 400)
        response = self._get("/my/statement/reconciliation?report_type=html&date_from=x&date_to=y")
        self.assertEqual(response.status_code, 400)
