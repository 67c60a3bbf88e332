from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..services import inn
from .common import CrmExtendedCase


@tagged("post_install", "-at_install")
class TestTaxId(CrmExtendedCase):
    def test_inn_checksums(self):
        """10-digit (company) and 12-digit (individual) INNs are checked by their check digits."""
        self.assertIsNone(inn.inn_error("7707083893"))
        self.assertIsNone(inn.inn_error("500100732259"))
        self.assertIsNone(inn.inn_error("RU 5401001113"))
        self.assertEqual(inn.inn_error("7707083894"), "checksum10")
        self.assertEqual(inn.inn_error("500100732250"), "checksum12")
        self.assertEqual(inn.inn_error("77070838"), "length")
        self.assertEqual(inn.inn_error("77070838AB"), "digits")

    def test_non_ascii_digits_are_refused_with_a_message(self):
        """Digits that are not 0-9 ("²", Arabic-Indic digits) give the digits rule, not a crash."""
        self.assertEqual(inn.inn_error("770708389²"), "digits")
        self.assertEqual(inn.inn_error("٧٧٠٧٠٨٣٨٩٣"), "digits")
        with self.assertRaisesRegex(ValidationError, "digits only"):
            self.env["res.partner"].create(
                {"name": "Odd INN", "is_company": True, "country_id": self.country_ru.id, "vat": "770708389²"}
            )

    def test_invalid_inn_refused_with_the_rule(self):
        """A Russian partner with a wrong INN is refused with a message naming the broken rule."""
        with self.assertRaisesRegex(ValidationError, "check digit"):
            self.env["res.partner"].create(
                {"name": "Bad INN", "is_company": True, "country_id": self.country_ru.id, "vat": "7707083894"}
            )
        with self.assertRaisesRegex(ValidationError, "10 digits"):
            self.entity_b.vat = "123"

    def test_inn_not_checked_outside_russia(self):
        """Tax ids of other countries are left to Odoo's own VAT check."""
        partner = self.env["res.partner"].create(
            {"name": "German", "is_company": True, "country_id": self.country_de.id, "vat": "DE123"}
        )
        self.assertEqual(partner.vat, "DE123")

    def test_kpp_format(self):
        """A KPP has 9 characters: 4 digits, 2 digits or capital letters, 3 digits."""
        self.entity_b.kpp = "7736AB001"
        with self.assertRaisesRegex(ValidationError, "9 characters"):
            self.entity_b.kpp = "77360100"
        self.assertTrue(inn.is_valid_kpp("773601001"))
        self.assertFalse(inn.is_valid_kpp("77360100X"))

    def test_import_row_with_bad_inn_stores_nothing(self):
        """An import (res.partner.load, what Odoo's import screen calls) with one
        wrong INN reports that row and the broken rule, and stores no row."""
        Partner = self.env["res.partner"].with_user(self.user_salesman)
        before = Partner.search_count([])
        result = Partner.load(
            ["name", "is_company", "country_id/id", "vat"],
            [
                ["Good Imported LLC", "1", "base.ru", "7707083893"],
                ["Bad Imported LLC", "1", "base.ru", "7707083894"],
            ],
        )
        self.assertFalse(result["ids"])
        errors = [message for message in result["messages"] if message["type"] == "error"]
        # Odoo repeats the batch's first error on its first row: every message
        # names the wrong partner and INN, so none points at the good row
        self.assertIn(1, [error["record"] for error in errors], errors)
        for error in errors:
            self.assertIn("INN 7707083894 of Bad Imported LLC", error["message"])
            self.assertIn("check digit", error["message"])
        self.assertEqual(Partner.search_count([]), before)
        self.assertEqual(self.entity_a.vat, "5401001113")
