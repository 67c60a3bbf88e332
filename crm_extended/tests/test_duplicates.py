from odoo.tests import Form, tagged

from ..services import duplicates
from .common import CrmExtendedCase, captured_queries


def duplicate_notes(partner):
    """The chatter notes of ``partner`` that name possible duplicates."""
    return partner.message_ids.filtered(lambda m: "Possible duplicate" in (m.body or ""))


@tagged("post_install", "-at_install")
class TestSharedKeys(CrmExtendedCase):
    """services/duplicates.py: which strong keys two clients share."""

    def test_each_kind_of_key(self):
        """Each shared key is named once, tax id first, then phone, then e-mail."""
        ours = duplicates.client_keys("7707083893", ["+79123456789", "+74951234567"], "a@x.ru")
        self.assertEqual(
            duplicates.shared_keys(ours, duplicates.client_keys("7707083893", ["+74951234567"], "a@x.ru")),
            [duplicates.TAX, duplicates.PHONE, duplicates.EMAIL],
        )
        self.assertEqual(
            duplicates.shared_keys(ours, duplicates.client_keys(None, ["+79123456789", None], "b@x.ru")),
            [duplicates.PHONE],
        )

    def test_empty_keys_never_match(self):
        """Two clients without tax id, phone or e-mail are not the same client."""
        empty = duplicates.client_keys(False, [False, None], "")
        self.assertEqual(duplicates.shared_keys(empty, duplicates.client_keys(None, [None], None)), [])


@tagged("post_install", "-at_install")
class TestDuplicateGuard(CrmExtendedCase):
    """No silent duplicates: by hand, through RPC/import, and when converting a lead."""

    def assert_one_search_notes(self, vals_list, noted_names):
        """Creating ``vals_list`` in one batch runs one duplicate search and notes
        exactly the partners named ``noted_names``."""
        with captured_queries() as queries:
            partners = self.env["res.partner"].create(vals_list)
        searches = [q for q in queries if '"phone_e164" IN' in q]
        self.assertEqual(len(searches), 1, searches)
        self.assertEqual(partners.filtered(duplicate_notes).mapped("name"), noted_names)

    def test_manual_partner_shows_banner(self):
        """A partner typed with a known phone shows "possible duplicate" naming the match and why."""
        with Form(self.env["res.partner"]) as form:
            form.name = "Alpha again"
            form.phone = "+7 383 211 22 33"
            self.assertIn("Alpha Trade LLC", form.duplicate_warning)
            self.assertIn("phone", form.duplicate_warning)
        partner = form.save()
        self.assertIn(self.entity_a, partner.duplicate_partner_ids)

    def test_tax_id_match(self):
        """The same INN (with or without spaces or 'RU') is a duplicate."""
        partner = self.env["res.partner"].create(
            {
                "name": "Alpha copy",
                "is_company": True,
                "country_id": self.country_ru.id,
                "vat": "RU 5401001113",
            }
        )
        self.assertEqual(partner.duplicate_partner_ids, self.entity_a)
        self.assertIn("tax id", partner.duplicate_warning)

    def test_rpc_create_leaves_a_note(self):
        """Created through RPC or import, a duplicate is not blocked but gets a note naming the match."""
        partner = (
            self.env["res.partner"]
            .with_user(self.user_salesman)
            .create({"name": "Boris from import", "email": "Boris <BORIS@alpha.example.com>"})
        )
        notes = duplicate_notes(partner)
        self.assertEqual(len(notes), 1)
        self.assertIn("Boris Buyer", notes.body)
        self.assertIn("e-mail", notes.body)

    def test_rpc_write_leaves_a_note_once(self):
        """Edited through RPC or import into a duplicate, a partner gets one note
        naming the new match; later writes do not repeat it."""
        partner = (
            self.env["res.partner"]
            .with_user(self.user_salesman)
            .create({"name": "Vera from import", "phone": "+7 495 999 88 77"})
        )
        self.assertFalse(duplicate_notes(partner))
        partner.write({"mobile": "8 (913) 700-45-67"})
        self.assertEqual(len(duplicate_notes(partner)), 1)
        self.assertIn("Boris Buyer (same phone)", duplicate_notes(partner).body)
        partner.write({"mobile": "+7 913 7004567", "function": "Buyer"})
        partner.write({"email": "vera@example.com"})
        self.assertEqual(len(duplicate_notes(partner)), 1)

    def test_import_notes_new_and_updated_duplicates(self):
        """An import (res.partner.load) that creates one duplicate and turns an
        existing partner into another notes both, naming the match."""
        existing = self.env["res.partner"].create({"name": "Galina", "phone": "+7 495 111 22 33"})
        result = (
            self.env["res.partner"]
            .with_user(self.user_salesman)
            .load(
                [".id", "name", "mobile"],
                [[str(existing.id), "Galina", "8 (913) 700-45-67"], ["", "Imported Boris", "+79137004567"]],
            )
        )
        self.assertEqual(len(result["ids"]), 2, result["messages"])
        for partner in self.env["res.partner"].browse(result["ids"]):
            notes = duplicate_notes(partner)
            self.assertEqual(len(notes), 1, partner.name)
            self.assertIn("Boris Buyer (same phone)", notes.body)

    def test_write_without_keys_does_not_search(self):
        """A write that changes no tax id, phone, e-mail, country or company runs no duplicate search."""
        with captured_queries() as queries:
            self.contact_buyer.write({"function": "Head of purchasing"})
            self.env.flush_all()
        self.assertFalse([q for q in queries if '"phone_e164" IN' in q], queries)

    def test_contacts_of_same_company_are_not_duplicates(self):
        """A contact sharing its company's phone is not reported as a duplicate of it."""
        colleague = self.env["res.partner"].create(
            {"name": "Colleague", "parent_id": self.entity_a.id, "phone": "8 (383) 211-22-33"}
        )
        self.assertFalse(colleague.duplicate_partner_ids)
        self.assertFalse(duplicate_notes(colleague))

    def test_unrelated_partner_is_not_flagged(self):
        """A partner sharing nothing strong with others gets no banner and no note."""
        partner = self.env["res.partner"].create({"name": "Alpha Trade LLC", "phone": "+7 495 999 88 77"})
        self.assertFalse(partner.duplicate_partner_ids)
        self.assertFalse(partner.duplicate_warning)

    def test_lead_conversion_links_existing_customer(self):
        """Converting a lead whose phone is a customer's proposes linking that customer, with the reason."""
        lead = self.env["crm.lead"].create(
            {
                "name": "Call about chairs",
                "type": "lead",
                "contact_name": "Boris",
                "partner_name": "Alpha",
                "mobile": "8 (913) 700-45-67",
            }
        )
        self.assertIn("Boris Buyer", lead.duplicate_warning)
        self.assertIn("phone", lead.duplicate_warning)
        wizard = Form(
            self.env["crm.lead2opportunity.partner"].with_context(
                active_model="crm.lead", active_id=lead.id, active_ids=lead.ids
            )
        )
        self.assertEqual(wizard.action, "exist")
        self.assertEqual(wizard.partner_id, self.contact_buyer)
        self.assertIn("Boris Buyer (same phone)", wizard.duplicate_warning)
        partners_before = self.env["res.partner"].search_count([])
        wizard.save().action_apply()
        self.assertEqual(lead.partner_id, self.contact_buyer)
        self.assertEqual(self.env["res.partner"].search_count([]), partners_before)

    def test_lead_conversion_by_tax_id_prefers_company(self):
        """A lead carrying a known INN is linked to the company holding it."""
        lead = self.env["crm.lead"].create(
            {"name": "Tender", "type": "lead", "partner_vat": "6602002221", "country_id": self.country_ru.id}
        )
        self.assertEqual(lead._find_matching_partner(), self.entity_b)

    def test_lead_conversion_creates_new_customer_with_tax_id(self):
        """With no match, the user creates a new customer and the lead's tax id goes with it."""
        lead = self.env["crm.lead"].create(
            {
                "name": "New prospect",
                "type": "lead",
                "partner_name": "Brand New LLC",
                "contact_name": "Nina New",
                "partner_vat": "7803003330",
                "country_id": self.country_ru.id,
            }
        )
        self.assertFalse(lead.duplicate_partner_ids)
        wizard = Form(
            self.env["crm.lead2opportunity.partner"].with_context(
                active_model="crm.lead", active_id=lead.id, active_ids=lead.ids
            )
        )
        self.assertEqual(wizard.action, "create")
        wizard.save().action_apply()
        self.assertEqual(lead.partner_id.commercial_partner_id.vat, "7803003330")

    def test_import_batch_is_one_search(self):
        """Importing many partners looks for duplicates in one search, and still notes each one."""
        vals_list = [{"name": f"Imported {i}", "phone": f"+7 913 600 00 {i:02d}"} for i in range(30)]
        vals_list.append({"name": "Imported twin of Boris", "mobile": "8 (913) 700-45-67"})
        self.assert_one_search_notes(vals_list, ["Imported twin of Boris"])

    def test_import_of_contacts_is_one_search(self):
        """Contacts imported into a company (which copies its tax id and address
        onto them) still cost one duplicate search for the whole batch."""
        vals_list = [
            {"name": f"Contact {i}", "parent_id": self.entity_b.id, "phone": f"+7 913 610 00 {i:02d}"}
            for i in range(20)
        ]
        vals_list.append({"name": "Boris again", "parent_id": self.entity_b.id, "mobile": "8 913 700 45 67"})
        self.assert_one_search_notes(vals_list, ["Boris again"])


@tagged("post_install", "-at_install")
class TestDuplicateGuardEdges(CrmExtendedCase):
    """The duplicate guard in the situations a review found: no e-mail address,
    sudo flows across companies, lead conversion choices, bounded searches."""

    def test_user_without_email_can_save_a_duplicate(self):
        """A user without an e-mail address saves a contact that looks like a duplicate (RPC):
        the note is a log line, it does not need the sender's address."""
        self.user_salesman.partner_id.email = False
        partner = (
            self.env["res.partner"]
            .with_user(self.user_salesman)
            .create({"name": "Boris again", "mobile": "8 (913) 700-45-67"})
        )
        self.assertIn("Boris Buyer", duplicate_notes(partner).body)
        partner.with_user(self.user_salesman).write({"phone": "8 (383) 211-22-33"})
        self.assertEqual(len(duplicate_notes(partner)), 2)

    def test_sudo_flow_names_only_partners_the_company_may_see(self):
        """Under sudo (a signup, a web form), a note never names a partner private to
        another company; a shared partner with the same number is named."""
        other = self.env["res.company"].create({"name": "Other Co (guard)"})
        self.env["res.partner"].create(
            {"name": "Private to Other Co", "company_id": other.id, "mobile": "+7 913 111 22 33"}
        )
        shared = self.env["res.partner"].create({"name": "Shared Twin", "mobile": "+7 913 111 22 33"})
        signup = (
            self.env["res.partner"]
            .sudo()
            .with_company(self.company)
            .create({"name": "Signed up", "company_id": self.company.id, "mobile": "8 913 111-22-33"})
        )
        note = duplicate_notes(signup).body
        self.assertIn("Shared Twin", note)
        self.assertNotIn("Private to Other Co", note)
        self.assertEqual(signup.sudo()._crm_find_duplicates(), shared)

    def test_every_guard_search_is_bounded(self):
        """The guard's searches carry a limit: a number shared by thousands never reads them all."""
        with captured_queries() as queries:
            self.env["res.partner"].create({"name": "Twin", "mobile": "8 (913) 700-45-67"})
        searches = [q for q in queries if '"phone_e164" IN' in q]
        self.assertTrue(searches)
        self.assertTrue(all("LIMIT" in q for q in searches), searches)

    def test_conversion_keeps_the_callers_contact(self):
        """A lead whose phone is a contact's and whose tax id is the company's is linked to
        the contact (the caller's direct number), within that company."""
        lead = self.env["crm.lead"].create(
            {
                "name": "Boris calls",
                "type": "lead",
                "partner_vat": "5401001113",
                "country_id": self.country_ru.id,
                "mobile": "8 (913) 700-45-67",
            }
        )
        self.assertEqual(lead._find_matching_partner(), self.contact_buyer)
        self.assertEqual(lead._find_matching_partner().commercial_partner_id, self.entity_a)

    def test_mass_conversion_matches_by_email_only(self):
        """Odoo's mass conversion asks for e-mail matches only: a phone or tax id match is
        not linked automatically there, an exact e-mail is."""
        by_phone = self.env["crm.lead"].create(
            {"name": "By phone", "type": "lead", "mobile": "8 (913) 700-45-67"}
        )
        self.assertEqual(by_phone._find_matching_partner(), self.contact_buyer)
        self.assertFalse(by_phone._find_matching_partner(email_only=True))
        by_email = self.env["crm.lead"].create(
            {"name": "By e-mail", "type": "lead", "email_from": "anna@alpha.example.com"}
        )
        self.assertEqual(by_email._find_matching_partner(email_only=True), self.contact_accountant)
