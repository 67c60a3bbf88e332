import base64

from odoo import http
from odoo.tests import HttpCase, tagged

from .common import PortalCommon

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@tagged("post_install", "-at_install")
class TestPortalCases(PortalCommon, HttpCase):
    """Service requests in the portal (#18): the client's own cases only, new requests checked
    against what was delivered to it, messages to the chatter, never an internal note."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.case_a = cls._case(lot_id=cls.lot_a.id, subject="Chair A squeaks")
        cls.case_b = cls._case(partner_id=cls.entity_b.id, subject="Logistics complaint")
        cls.case_c = cls._case(partner_id=cls.entity_c.id, lot_id=cls.lot_c.id, subject="Gamma chair broke")
        cls.case_a.message_post(body="Internal: margin 42%, competitor Vasilek", subtype_xmlid="mail.mt_note")
        cls.case_a.message_post(
            body="We will collect the chair on Monday",
            subtype_xmlid="mail.mt_comment",
            message_type="comment",
            author_id=cls.user_service.partner_id.id,
        )

    def _login(self, user):
        self.authenticate(user.login, user.login + "-Pass-2026")

    def _get(self, url):
        return self.url_open(url, allow_redirects=False)

    def _post(self, url, data, files=None):
        data = dict(data, csrf_token=http.Request.csrf_token(self))
        return self.url_open(url, data=data, files=files, allow_redirects=False)

    def _new(self, **values):
        data = {"type_id": self.type_warranty.id, "subject": "It broke", "description": "Leg cracked"}
        data.update(values)
        return data

    def test_list_own_cases_only(self):
        """A contact lists its entity's cases; a holding representative the holding's; nobody
        another client's."""
        self._login(self.portal_buyer)
        html = self._get("/my/cases?filterby=all").text
        self.assertIn(self.case_a.name, html)
        self.assertNotIn(self.case_b.name, html)
        self.assertNotIn(self.case_c.name, html)
        self._login(self.portal_rep)
        html = self._get("/my/cases?filterby=all").text
        self.assertIn(self.case_b.name, html)
        self.assertNotIn(self.case_c.name, html)

    def test_case_page_no_internal_data(self):
        """The case page shows stage, history, warranty and the team's reply; never the
        internal note, the cost or the cause."""
        self.case_a.sudo().cause_id = self.env.ref("crm_extended.crm_service_cause_defect")
        self._login(self.portal_buyer)
        response = self._get(f"/my/cases/{self.case_a.id}")
        self.assertEqual(response.status_code, 200)
        html = response.text
        self.assertIn(self.case_a.stage_id.name, html)
        self.assertIn("We will collect the chair on Monday", html)
        self.assertIn("Under warranty until", html)
        self.assertNotIn("Vasilek", html)
        self.assertNotIn("42%", html)
        self.assertNotIn(self.case_a.cause_id.name, html)
        self.assertNotIn("Warranty Cost", html)

    def test_other_client_case_404(self):
        """Another client's case, a guessed id, its message route: 404; a visitor logs in first."""
        self._login(self.portal_other)
        for case in self.case_a | self.case_b:
            self.assertEqual(self._get(f"/my/cases/{case.id}").status_code, 404)
            response = self._post(f"/my/cases/{case.id}/message", {"body": "hello"})
            self.assertEqual(response.status_code, 404)
        self.assertFalse(self.case_a.message_ids.filtered(lambda m: "hello" in (m.body or "")))
        self.assertEqual(self._get(f"/my/cases/{self.case_c.id + 1000}").status_code, 404)
        self.assertEqual(self._get(f"/my/cases/{self.case_c.id}").status_code, 200)
        self.logout()
        response = self._get(f"/my/cases/{self.case_a.id}")
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])

    def test_case_attachment_not_readable_by_other_client(self):
        """A file on a client's case cannot be downloaded by another client."""
        self._login(self.portal_buyer)
        self._post(
            f"/my/cases/{self.case_a.id}/message",
            {"body": "Photo"},
            files=[("attachments", ("leg.png", PNG, "image/png"))],
        )
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "crm.service.case"), ("res_id", "=", self.case_a.id)]
        )
        self.assertEqual(attachment.mimetype, "image/png")
        self._login(self.portal_other)
        response = self._get(f"/web/content/{attachment.id}")
        self.assertNotEqual(response.status_code, 200)

    def _attach(self, user, case, name="leg.png"):
        """``user`` posts a photo on ``case`` through the portal: the attachment."""
        self._login(user)
        self._post(
            f"/my/cases/{case.id}/message",
            {"body": "Photo"},
            files=[("attachments", (name, PNG, "image/png"))],
        )
        return self.env["ir.attachment"].search(
            [("res_model", "=", "crm.service.case"), ("res_id", "=", case.id), ("name", "=", name)]
        )

    def test_case_attachment_download(self):
        """The case's client downloads the files of its messages and of the team's replies, from
        the links the case page shows; a holding representative too."""
        attachment = self._attach(self.portal_buyer, self.case_a)
        url = f"/my/cases/{self.case_a.id}/attachments/{attachment.id}"
        self.assertIn(url, self._get(f"/my/cases/{self.case_a.id}").text)
        response = self._get(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, PNG)
        self.assertIn("attachment", response.headers["Content-Disposition"])
        self.case_a.message_post(
            body="The repair report",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            author_id=self.user_service.partner_id.id,
            attachments=[("report.txt", b"Leg replaced")],
        )
        report = self.case_a._crm_portal_attachments().filtered(lambda a: a.name == "report.txt")
        self._login(self.portal_rep)
        response = self._get(f"/my/cases/{self.case_a.id}/attachments/{report.id}")
        self.assertEqual((response.status_code, response.content), (200, b"Leg replaced"))

    def test_case_attachment_refused(self):
        """Another client's contact (also through its own case's URL), a visitor and an archived
        contact get 404, never the file; a note's file and a file of another record are never
        served through a case."""
        attachment = self._attach(self.portal_buyer, self.case_a)
        own = f"/my/cases/{self.case_a.id}/attachments/{attachment.id}"
        self._login(self.portal_other)
        for url in (own, f"/my/cases/{self.case_c.id}/attachments/{attachment.id}"):
            response = self._get(url)
            self.assertEqual(response.status_code, 404, url)
            self.assertNotIn(PNG, response.content)
        self.logout()
        response = self._get(own)
        self.assertEqual(response.status_code, 404)
        self.assertNotIn(PNG, response.content)
        note = self.case_a.message_post(
            body="Internal: photo of the supplier's invoice",
            subtype_xmlid="mail.mt_note",
            attachments=[("supplier.txt", b"purchase price 1200")],
        )
        foreign = self.env["ir.attachment"].create(
            {
                "name": "order.txt",
                "raw": b"other record",
                "res_model": "sale.order",
                "res_id": self.order_a.id,
            }
        )
        self._login(self.portal_buyer)
        for other in (note.attachment_ids, foreign):
            response = self._get(f"/my/cases/{self.case_a.id}/attachments/{other.id}")
            self.assertEqual(response.status_code, 404, other.name)
            self.assertNotIn(other.raw, response.content)
        self.assertNotIn("supplier.txt", self._get(f"/my/cases/{self.case_a.id}").text)
        self.portal_buyer.active = False
        self.portal_buyer.partner_id.active = False
        response = self._get(own)
        self.assertNotEqual(response.status_code, 200)
        self.assertNotIn(PNG, response.content)

    def test_message_goes_to_chatter(self):
        """The client's message is a comment on the case's chatter, by the client."""
        self._login(self.portal_buyer)
        response = self._post(f"/my/cases/{self.case_a.id}/message", {"body": "Any news?"})
        self.assertEqual(response.status_code, 303)
        message = self.case_a.message_ids[:1]
        self.assertIn("Any news?", message.body)
        self.assertEqual(message.author_id, self.contact_buyer)
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"))

    def test_new_request_delivered_serial(self):
        """A warranty claim for a serial delivered to the client opens a case under warranty."""
        self._login(self.portal_buyer)
        response = self._post("/my/cases/new", self._new(serial="SN-PORTAL-A1", entity_id=self.entity_a.id))
        self.assertEqual(response.status_code, 303)
        case = self.env["crm.service.case"].search([("subject", "=", "It broke")])
        self.assertEqual(case.lot_id, self.lot_a)
        self.assertEqual(case.product_id, self.serial_product)
        self.assertEqual(case.commercial_partner_id, self.entity_a)
        self.assertEqual(case.warranty_state, "valid")
        self.assertIn(self.contact_buyer, case.message_partner_ids)
        self.assertFalse(case.user_id.share, "a portal user is never made responsible")

    def test_new_request_foreign_serial_refused(self):
        """A serial delivered to another client is refused, without naming that client."""
        self._login(self.portal_buyer)
        response = self._post("/my/cases/new", self._new(serial="SN-PORTAL-C1"))
        self.assertEqual(response.status_code, 400)
        self.assertIn("was not delivered to", response.text)
        self.assertNotIn("Gamma", response.text)
        self.assertFalse(self.env["crm.service.case"].search([("subject", "=", "It broke")]))

    def test_warranty_shown_at_once(self):
        """The form's warranty route answers for a delivered serial and refuses another's."""
        self._login(self.portal_buyer)
        answer = self.make_jsonrpc_request("/my/cases/warranty", {"serial": "SN-PORTAL-A1"})
        self.assertTrue(answer["ok"])
        self.assertIn("Under warranty until", answer["label"])
        answer = self.make_jsonrpc_request("/my/cases/warranty", {"serial": "SN-PORTAL-C1"})
        self.assertFalse(answer["ok"])
        self.assertNotIn("Gamma", answer["label"])
        answer = self.make_jsonrpc_request(
            "/my/cases/warranty", {"serial": "SN-PORTAL-C1", "entity_id": self.entity_c.id}
        )
        self.assertFalse(answer["ok"], "an entity the user does not see is not chosen")

    def test_uploads_limited(self):
        """Files are judged by content: an executable named .pdf and an oversized file are refused."""
        self._login(self.portal_buyer)
        response = self._post(
            "/my/cases/new",
            self._new(serial="SN-PORTAL-A1"),
            files=[("attachments", ("invoice.pdf", b"MZ\x90\x00" + b"\x00" * 200, "application/pdf"))],
        )
        self.assertEqual(response.status_code, 400)
        big = b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024 + 10)
        response = self._post(
            "/my/cases/new",
            self._new(serial="SN-PORTAL-A1"),
            files=[("attachments", ("big.pdf", big, "application/pdf"))],
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.env["crm.service.case"].search([("subject", "=", "It broke")]))
        response = self._post(
            "/my/cases/new",
            self._new(serial="SN-PORTAL-A1"),
            files=[("attachments", ("leg.png", PNG, "image/png"))],
        )
        self.assertEqual(response.status_code, 303)
        case = self.env["crm.service.case"].search([("subject", "=", "It broke")])
        self.assertEqual(case.message_ids.attachment_ids.mapped("name"), ["leg.png"])

    def test_rate_limit(self):
        """A contact opens at most five requests an hour; the sixth is refused (429)."""
        self._login(self.portal_buyer)
        complaint = self.env.ref("crm_extended.crm_service_case_type_complaint")
        for index in range(5):
            response = self._post(
                "/my/cases/new", self._new(type_id=complaint.id, subject=f"Complaint {index}")
            )
            self.assertEqual(response.status_code, 303)
        response = self._post("/my/cases/new", self._new(type_id=complaint.id, subject="Complaint 6"))
        self.assertEqual(response.status_code, 429)
        self.assertFalse(self.env["crm.service.case"].search([("subject", "=", "Complaint 6")]))
