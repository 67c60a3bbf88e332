import json
from unittest.mock import patch

from odoo.tests import tagged

from ..services import phone
from .common import CrmExtendedCase, captured_queries


@tagged("post_install", "-at_install")
class TestPhoneNormalisation(CrmExtendedCase):
    """services/phone.py: one E.164 key whatever the spelling."""

    def test_russian_formats(self):
        """Russian numbers as people and PBXs write them give one key."""
        for written in (
            "8 (912) 345-67-89",
            "+7 912 345 67 89",
            "0079123456789",
            "89123456789",
            "+7(912)3456789 доб. 12",
        ):
            self.assertEqual(phone.normalize(written, "RU"), "+79123456789", written)
        self.assertEqual(phone.normalize("+7 912 345 67 89"), "+79123456789")

    def test_other_countries(self):
        """National formats of Germany, the United Kingdom, the United States and France."""
        self.assertEqual(phone.normalize("030 1234567", "DE"), "+49301234567")
        self.assertEqual(phone.normalize("0049 30 1234567", "RU"), "+49301234567")
        self.assertEqual(phone.normalize("020 7946 0958", "GB"), "+442079460958")
        self.assertEqual(phone.normalize("(650) 253-0000", "US"), "+16502530000")
        self.assertEqual(phone.normalize("01 42 68 53 00", "FR"), "+33142685300")
        self.assertEqual(phone.normalize("8 10 49 30 1234567", "RU"), "+49301234567")

    def test_invalid_numbers_give_no_key(self):
        """Junk and impossible numbers give no key rather than a wrong one."""
        for junk in ("", "call after 5pm", "12345", "+7 000 000 00 00", None):
            self.assertIsNone(phone.normalize(junk, "RU"), junk)

    def test_candidates_read_national_numbers_in_each_region(self):
        """An incoming national number is read in each region given, company's first."""
        self.assertEqual(phone.candidates("030 1234567", ["RU", "DE"]), ["+49301234567"])
        self.assertEqual(phone.candidates("+44 20 7946 0958", []), ["+442079460958"])


@tagged("post_install", "-at_install")
class TestPhoneKeys(CrmExtendedCase):
    """The stored keys on partners and leads, and the caller lookup."""

    def test_partner_keys_stored(self):
        """Phone and mobile are stored normalised next to what was typed."""
        self.assertEqual(self.entity_a.phone, "8 (383) 211-22-33")
        self.assertEqual(self.entity_a.phone_e164, "+73832112233")
        self.assertEqual(self.contact_buyer.mobile_e164, "+79137004567")
        self.assertFalse(self.entity_a.phone_invalid)

    def test_region_from_partner_country(self):
        """A national number is read in the partner's country, else the company's."""
        german = self.env["res.partner"].create(
            {"name": "Berlin GmbH", "country_id": self.country_de.id, "phone": "030 1234567"}
        )
        self.assertEqual(german.phone_e164, "+49301234567")
        nowhere = self.env["res.partner"].create({"name": "No Country", "phone": "8 912 345 67 89"})
        self.assertEqual(nowhere.phone_e164, "+79123456789")

    def test_invalid_phone_kept_and_flagged(self):
        """An invalid number is kept exactly as typed and flagged, never dropped."""
        partner = self.env["res.partner"].create({"name": "Typo", "phone": "call me at 5"})
        self.assertEqual(partner.phone, "call me at 5")
        self.assertFalse(partner.phone_e164)
        self.assertTrue(partner.phone_invalid)
        self.assertIn(partner, self.env["res.partner"].search([("phone_invalid", "=", True)]))
        partner.phone = "+7 912 000 11 22"
        self.assertFalse(partner.phone_invalid)

    def test_lead_keys(self):
        """Leads carry the same keys, read in the lead's country."""
        lead = self.env["crm.lead"].create(
            {
                "name": "Caller",
                "phone": "8 (912) 345-67-89",
                "mobile": "nonsense",
                "country_id": self.country_ru.id,
            }
        )
        self.assertEqual(lead.phone_e164, "+79123456789")
        self.assertTrue(lead.phone_invalid)
        self.assertEqual(lead.mobile, "nonsense")

    def test_lookup_finds_contact_company_and_open_leads(self):
        """Any spelling of a number finds the contact, its company and the open leads with it."""
        lead = self.env["crm.lead"].create({"name": "Chairs", "mobile": "+7 913 700 45 67"})
        lost = self.env["crm.lead"].create({"name": "Lost", "mobile": "+79137004567", "probability": 0})
        lost.action_set_lost()
        Partner = self.env["res.partner"]
        for written in ("8 (913) 700-45-67", "+7 913 700 45 67", "0079137004567", "89137004567"):
            result = Partner.crm_lookup_phone(written)
            self.assertEqual(result["keys"], ["+79137004567"], written)
            self.assertEqual(result["partners"], self.contact_buyer, written)
            self.assertEqual(result["companies"], self.entity_a, written)
            self.assertEqual(result["leads"], lead, written)

    def test_lookup_unknown_and_malformed(self):
        """An unknown number finds nothing; a malformed one finds nothing and raises nothing."""
        Partner = self.env["res.partner"]
        self.assertFalse(Partner.crm_lookup_phone("+7 999 999 99 99")["partners"])
        result = Partner.crm_lookup_phone("not a number")
        self.assertEqual(result["keys"], [])
        self.assertFalse(result["partners"] or result["leads"])

    def test_lookup_respects_record_rules(self):
        """A salesperson's lookup does not reveal a colleague's private lead."""
        self.env["crm.lead"].create(
            {"name": "Theirs", "phone": "+7 916 765 43 21", "user_id": self.user_salesman_other.id}
        )
        result = self.env["res.partner"].with_user(self.user_salesman).crm_lookup_phone("89167654321")
        self.assertFalse(result["leads"])

    def test_lookup_is_one_query(self):
        """Partners, companies and leads come from one statement, whatever the number of matches."""
        Partner = self.env["res.partner"]
        self.env["crm.lead"].create([{"name": f"Call {i}", "phone": "+7 913 700 45 67"} for i in range(5)])
        self.env.flush_all()
        with captured_queries() as queries:
            result = Partner.crm_lookup_phone("8 (913) 700-45-67")
        self.assertEqual(len(queries), 1, queries)
        self.assertEqual(len(result["leads"]), 5)
        self.assertEqual(result["partners"], self.contact_buyer)
        self.assertEqual(result["companies"], self.entity_a)

    def test_lookup_hides_other_companies_contacts(self):
        """A contact and company of another company of the database are not revealed by a lookup."""
        other_company = self.env["res.company"].create(
            {"name": "Other Branch", "country_id": self.country_ru.id}
        )
        company_partner = self.env["res.partner"].create(
            {"name": "Branch Customer", "is_company": True, "company_id": other_company.id}
        )
        self.env["res.partner"].create(
            {
                "name": "Branch Contact",
                "parent_id": company_partner.id,
                "mobile": "+7 913 444 55 66",
                "company_id": other_company.id,
            }
        )
        result = self.env["res.partner"].with_user(self.user_salesman).crm_lookup_phone("8 913 444-55-66")
        self.assertFalse(result["partners"] or result["companies"])
        found = self.env["res.partner"].crm_lookup_phone("8 913 444-55-66")
        self.assertEqual(found["companies"], company_partner)

    def test_company_country_change_is_seen_by_lookup(self):
        """National numbers are read in the company's country first: it follows a change of that country."""
        Partner = self.env["res.partner"]
        self.assertEqual(Partner._crm_lookup_regions()[0], "RU")
        self.company.partner_id.country_id = self.country_de
        self.assertEqual(Partner._crm_lookup_regions()[0], "DE")
        self.assertEqual(Partner.crm_lookup_phone("030 1234567")["readings"][0], ("+49301234567", "DE"))

    def test_national_number_read_in_the_clients_countries(self):
        """With the company elsewhere, a Russian client's number typed as its card shows it
        ("8 (495) 739-71-11") is still found: read in the company's country, then in the
        countries the clients are in, most frequent first; the answer says which reading matched."""
        Partner = self.env["res.partner"]
        client = Partner.create(
            {
                "name": "Moscow Client",
                "is_company": True,
                "country_id": self.country_ru.id,
                "phone": "8 (495) 739-71-11",
            }
        )
        self.company.partner_id.country_id = self.env.ref("base.us")
        self.env.registry.clear_cache()  # the clients' countries are counted once per cache
        self.assertIn("RU", Partner._crm_client_regions())
        self.assertEqual(Partner._crm_lookup_regions()[0], "US")
        result = Partner.crm_lookup_phone("8 (495) 739-71-11")
        self.assertEqual(result["partners"], client)
        self.assertIn(("+74957397111", "RU"), result["readings"])
        answer = Partner.crm_identify_caller("8 (495) 739-71-11")
        self.assertEqual(answer["partners"][0]["matched"], {"key": "+74957397111", "country": "RU"})

    def test_stored_key_does_not_depend_on_the_selected_company(self):
        """A number with no country is stored with the same key whichever company the saving
        user has selected: the record's company's country, else the main company's."""
        other = self.env["res.company"].create(
            {"name": "US Branch", "country_id": self.env.ref("base.us").id}
        )
        self.env.user.company_ids |= other
        Partner = self.env["res.partner"]
        keys = {
            Partner.with_company(company)
            .create({"name": f"Caller via {company.name}", "phone": "8 912 345 67 89"})
            .phone_e164
            for company in (self.company, other)
        }
        self.assertEqual(keys, {"+79123456789"})

    def test_phone_validation_would_store_a_wrong_key(self):
        """Why Odoo's phone_validation parser is not used for the key: it turns a Russian
        national number read in the United States into a Vietnamese one (+84...), where
        the key's reading refuses it and goes on to the clients' countries."""
        from odoo.addons.phone_validation.tools import phone_validation

        self.assertEqual(
            phone_validation.phone_format("84956135241", "US", 1, force_format="E164", raise_exception=False),
            "+84956135241",
        )
        self.assertIsNone(phone.normalize("8 (495) 613-52-41", "US"))
        self.assertEqual(phone.first_reading("8 (495) 613-52-41", ["US", "RU"]), "+74956135241")

    def test_identify_caller_for_rpc(self):
        """The RPC form of the lookup answers in plain values: ids, names, roles, lead stage."""
        lead = self.env["crm.lead"].create(
            {"name": "Chairs", "mobile": "+7 913 700 45 67", "user_id": self.user_salesman.id}
        )
        answer = (
            self.env["res.partner"].with_user(self.user_salesman).crm_identify_caller("8 (913) 700-45-67")
        )
        self.assertEqual(answer["keys"], ["+79137004567"])
        self.assertEqual(
            answer["partners"],
            [
                {
                    "id": self.contact_buyer.id,
                    "name": self.contact_buyer.display_name,
                    "company_id": self.entity_a.id,
                    "roles": self.role_buyer.mapped("name"),
                    "matched": {"key": "+79137004567", "country": "RU"},
                }
            ],
        )
        self.assertEqual(answer["companies"], [{"id": self.entity_a.id, "name": self.entity_a.display_name}])
        self.assertEqual([item["id"] for item in answer["leads"]], [lead.id])
        self.assertEqual(answer["leads"][0]["stage"], lead.stage_id.name)
        self.assertEqual(answer["leads"][0]["user"], self.user_salesman.name)
        json.dumps(answer)  # nothing an RPC client could not read


@tagged("post_install", "-at_install")
class TestClientRegions(CrmExtendedCase):
    """The clients' countries, ranked: counted on a small directory, read from PostgreSQL's
    statistics on a large one; both give the same most frequent countries."""

    def test_statistics_rank_as_the_count(self):
        """With the statistics path forced, the ranking agrees with counting the partners."""
        from ..models import res_partner as res_partner_module

        Partner = self.env["res.partner"]
        Partner.create(
            [{"name": f"Kazakh {index}", "country_id": self.env.ref("base.kz").id} for index in range(300)]
        )
        self.env.flush_all()
        self.env.cr.execute("ANALYZE res_partner")
        self.env.registry.clear_cache()
        counted = Partner._crm_client_regions()
        self.env.registry.clear_cache()
        with patch.object(res_partner_module, "CLIENT_REGIONS_COUNT_LIMIT", -1):
            from_statistics = Partner._crm_client_regions()
        self.assertEqual(counted[0], "KZ")
        self.assertEqual(from_statistics[0], counted[0])
        self.assertTrue(set(from_statistics) & set(counted[1:]))
