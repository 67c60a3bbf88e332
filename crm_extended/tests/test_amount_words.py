from odoo import Command
from odoo.tests import Form, tagged

from ..services import amount_words
from .common import CrmExtendedCase


@tagged("post_install", "-at_install")
class TestAmountWords(CrmExtendedCase):
    """services/amount_words.py: totals in words, declined for the number, per language."""

    def test_russian_thousands_and_kopecks(self):
        """Roubles in Russian: feminine thousands, declined unit, kopecks as two digits."""
        self.assertEqual(
            amount_words.amount_in_words(1200.50, "RUB", "ru_RU"), "Одна тысяча двести рублей 50 копеек"
        )

    def test_russian_unit_declined_for_the_number(self):
        """1 рубль, 2 рубля, 5 рублей, 11 рублей, 21 рубль."""
        expected = {
            1: "Один рубль 00 копеек",
            2: "Два рубля 00 копеек",
            5: "Пять рублей 00 копеек",
            11: "Одиннадцать рублей 00 копеек",
            21: "Двадцать один рубль 00 копеек",
        }
        for amount, words in expected.items():
            self.assertEqual(amount_words.amount_in_words(amount, "RUB", "ru_RU"), words, amount)

    def test_russian_kopecks_alone_and_millions(self):
        """One kopeck is "ноль рублей 01 копейка"; a million is "один миллион рублей"."""
        self.assertEqual(amount_words.amount_in_words(0.01, "RUB", "ru_RU"), "Ноль рублей 01 копейка")
        self.assertEqual(amount_words.amount_in_words(1000000, "RUB", "ru"), "Один миллион рублей 00 копеек")

    def test_russian_dollars_and_euros(self):
        """Dollars and euros in Russian use num2words' Russian forms."""
        self.assertEqual(amount_words.amount_in_words(1, "USD", "ru_RU"), "Один доллар 00 центов")
        self.assertEqual(amount_words.amount_in_words(22.22, "USD", "ru_RU"), "Двадцать два доллара 22 цента")
        self.assertEqual(amount_words.amount_in_words(2, "EUR", "ru_RU"), "Два евро 00 центов")

    def test_english_dollars_and_cents(self):
        """English: singular and plural unit, "and" before the cents, no comma between groups."""
        self.assertEqual(
            amount_words.amount_in_words(1200.50, "USD", "en_US"),
            "One thousand two hundred dollars and 50 cents",
        )
        self.assertEqual(amount_words.amount_in_words(1, "USD", "en_US"), "One dollar and 00 cents")
        self.assertEqual(amount_words.amount_in_words(0.01, "USD", "en_US"), "Zero dollars and 01 cent")

    def test_english_euros(self):
        """Euros in English."""
        self.assertEqual(
            amount_words.amount_in_words(1200.50, "EUR", "en_GB"),
            "One thousand two hundred euro and 50 cents",
        )

    def test_cents_rounded_half_up(self):
        """Cents are rounded half up on two decimals, as written, not as the binary float."""
        self.assertEqual(
            amount_words.amount_in_words(1200.505, "RUB", "ru_RU"), "Одна тысяча двести рублей 51 копейка"
        )
        self.assertEqual(amount_words.split_amount(0.125), (False, 0, 13))

    def test_negative_amounts(self):
        """A negative amount starts with the language's word for minus."""
        self.assertEqual(amount_words.amount_in_words(-3.5, "RUB", "ru_RU"), "Минус три рубля 50 копеек")
        self.assertEqual(
            amount_words.amount_in_words(-3.5, "USD", "en_US"), "Minus three dollars and 50 cents"
        )

    def test_unsupported_language_falls_back_to_english(self):
        """A language num2words does not know is written in English."""
        self.assertEqual(amount_words.converter_lang("zh_CN"), "en")
        self.assertEqual(
            amount_words.amount_in_words(1200.50, "USD", "zh_CN"),
            "One thousand two hundred dollars and 50 cents",
        )
        self.assertEqual(amount_words.converter_lang(False), "en")

    def test_full_language_code_tried_first(self):
        """Regional converters win over the language alone; the language alone over English."""
        self.assertEqual(amount_words.converter_lang("pt_BR"), "pt_BR")
        self.assertEqual(amount_words.converter_lang("ru_RU"), "ru")
        self.assertEqual(amount_words.converter_lang("sr@latin"), "sr")

    def test_unknown_currency_uses_given_names(self):
        """A currency num2words does not know in that language takes the names given, else its code."""
        self.assertEqual(
            amount_words.amount_in_words(1200.50, "CNY", "ru_RU", ("юань", "фэнь")),
            "Одна тысяча двести юань 50 фэнь",
        )
        self.assertEqual(
            amount_words.amount_in_words(2, "KZT", "en_US", ("Tenge", "Tiyn")), "Two Tenge and 00 Tiyn"
        )
        self.assertEqual(amount_words.amount_in_words(2, "KZT", "en_US"), "Two KZT and 00")

    def test_three_decimal_currency_writes_three_digit_subunit(self):
        """A Kuwaiti dinar total (3 decimals, 1000 fils) keeps all three digits of its fils."""
        words = amount_words.amount_in_words(1.353, "KWD", "en_US", ("Dinar", "Fils"), decimal_places=3)
        self.assertNotEqual(words, "One Dinar and 35 Fils")
        self.assertEqual(words, "One Dinar and 353 Fils")

    def test_three_decimals_rounded_half_up(self):
        """On three decimals the subunit is rounded half up, as written, and padded to three digits."""
        self.assertEqual(
            amount_words.amount_in_words(2.0045, "KWD", "en_US", ("Dinar", "Fils"), decimal_places=3),
            "Two Dinar and 005 Fils",
        )
        self.assertEqual(amount_words.split_amount(1.2345, decimal_places=3), (False, 1, 235))

    def test_zero_decimal_currency_in_english_has_no_subunit(self):
        """A yen total (0 decimals) is whole yen: no subunit, no "00", no separator."""
        self.assertEqual(
            amount_words.amount_in_words(1500, "JPY", "en_US", ("Yen", "Cen"), decimal_places=0),
            "One thousand five hundred Yen",
        )

    def test_zero_decimal_currency_in_russian_has_no_subunit(self):
        """A yen total in Russian: feminine thousand, the unit, and nothing after it."""
        self.assertEqual(
            amount_words.amount_in_words(1500, "JPY", "ru_RU", ("иен", "сен"), decimal_places=0),
            "Одна тысяча пятьсот иен",
        )

    def test_zero_decimals_rounded_half_up_to_whole_units(self):
        """A 0-decimal amount is rounded half up to whole units; a negative one keeps its minus."""
        self.assertEqual(amount_words.split_amount(1500.5, decimal_places=0), (False, 1501, 0))
        self.assertEqual(
            amount_words.amount_in_words(-2.5, "JPY", "en_US", ("Yen", "Cen"), decimal_places=0),
            "Minus three Yen",
        )

    def test_zero_decimal_currency_keeps_num2words_phrase_without_subunit(self):
        """Where num2words writes a currency with no subunit at all (yen in Japanese), its phrase stays."""
        self.assertEqual(
            amount_words.amount_in_words(1500, "JPY", "ja_JP", ("Yen", "Cen"), decimal_places=0), "千五百円"
        )

    def test_num2words_phrase_not_used_for_other_subunit_counts(self):
        """num2words counts 100 sen to the yen in Finnish: its declined unit stays, "ja 00 seniä" goes."""
        self.assertEqual(
            amount_words.amount_in_words(1500, "JPY", "fi_FI", ("Yen", "Cen"), decimal_places=0),
            "Tuhat viisisataa jeniä",
        )


@tagged("post_install", "-at_install")
class TestAmountWordsDocuments(CrmExtendedCase):
    """Quotations, orders and invoices show and print their total in words."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("ru_RU")
        cls.rub = cls.env.ref("base.RUB")
        cls.usd = cls.env.ref("base.USD")
        (cls.rub | cls.usd).active = True
        cls.partner_ru = cls.env["res.partner"].create(
            {"name": "Ромашка", "is_company": True, "country_id": cls.country_ru.id, "lang": "ru_RU"}
        )
        cls.partner_en = cls.env["res.partner"].create(
            {
                "name": "Oak Furniture Ltd",
                "is_company": True,
                "country_id": cls.country_de.id,
                "lang": "en_US",
            }
        )
        pricelist_rub = cls.env["product.pricelist"].create({"name": "Roubles", "currency_id": cls.rub.id})
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": cls.partner_ru.id,
                "pricelist_id": pricelist_rub.id,
                "user_id": cls.user_salesman.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": cls.product.id,
                            "product_uom_qty": 1,
                            "price_unit": 1200.50,
                            "tax_id": [Command.clear()],
                        }
                    )
                ],
            }
        )
        cls.invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.partner_en.id,
                "currency_id": cls.usd.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": cls.product.id,
                            "quantity": 2,
                            "price_unit": 600.25,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        cls.invoice.action_post()
        # a Kuwaiti dinar (3 decimals) quotation and a yen (0 decimals) invoice
        cls.kwd = cls.env.ref("base.KWD")
        cls.jpy = cls.env.ref("base.JPY")
        (cls.kwd | cls.jpy).active = True
        cls.env.ref("product.decimal_price").digits = 3  # prices in fils, as a Kuwaiti company sets it
        pricelist_kwd = cls.env["product.pricelist"].create({"name": "Dinars", "currency_id": cls.kwd.id})
        cls.order_kwd = cls.env["sale.order"].create(
            {
                "partner_id": cls.partner_en.id,
                "pricelist_id": pricelist_kwd.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": cls.product.id,
                            "product_uom_qty": 1,
                            "price_unit": 1.353,
                            "tax_id": [Command.clear()],
                        }
                    )
                ],
            }
        )
        cls.invoice_jpy = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.partner_en.id,
                "currency_id": cls.jpy.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": cls.product.id,
                            "quantity": 3,
                            "price_unit": 500,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )

    def test_sale_order_in_russian(self):
        """A quotation for a Russian-speaking customer in roubles reads its total in Russian."""
        order = self.order.with_user(self.user_salesman)
        self.assertEqual(order.currency_id, self.rub)
        self.assertEqual(order.amount_total_words, "Одна тысяча двести рублей 50 копеек")

    def test_sale_order_form_follows_the_total(self):
        """On the form, the words follow the total as lines change."""
        with Form(self.order.with_user(self.user_salesman)) as form:
            with form.order_line.edit(0) as line:
                line.product_uom_qty = 2
                line.price_unit = 1200.50
            self.assertEqual(form.amount_total_words, "Две тысячи четыреста один рубль 00 копеек")

    def test_partner_without_language_uses_the_users(self):
        """Without a partner language, the current user's language is used."""
        self.partner_ru.lang = False
        order = self.order.with_context(lang="en_US")
        self.assertEqual(order.amount_total_words, "One thousand two hundred roubles and 50 kopeks")

    def test_posted_invoice_in_english(self):
        """A posted invoice for an English-speaking customer reads its total in English."""
        self.assertEqual(self.invoice.state, "posted")
        invoice = self.invoice.with_user(self.user_accountant)
        self.assertEqual(invoice.amount_total_words, "One thousand two hundred dollars and 50 cents")

    def test_journal_entry_has_no_words(self):
        """A move that is not an invoice or a receipt carries no total in words."""
        entry = self.env["account.move"].new({"move_type": "entry"})
        self.assertFalse(entry.amount_total_words)

    def test_sale_order_report_prints_words(self):
        """The printed quotation carries the total in words below the totals."""
        html, _report_type = self.env["ir.actions.report"]._render_qweb_html(
            "sale.action_report_saleorder", self.order.ids
        )
        self.assertIn("Одна тысяча двести рублей 50 копеек", html.decode())

    def test_invoice_report_prints_words(self):
        """The printed invoice carries the labelled total in words below the totals."""
        self.invoice.company_id.display_invoice_amount_total_words = False
        html, _report_type = self.env["ir.actions.report"]._render_qweb_html(
            "account.account_invoices_without_payment", self.invoice.ids
        )
        html = html.decode()
        self.assertIn("Total in words:", html)
        self.assertIn("One thousand two hundred dollars and 50 cents", html)

    def test_invoice_report_words_printed_once(self):
        """When the company prints account's own words block, ours is not printed a second time."""
        self.invoice.company_id.display_invoice_amount_total_words = True
        html, _report_type = self.env["ir.actions.report"]._render_qweb_html(
            "account.account_invoices_without_payment", self.invoice.ids
        )
        html = html.decode()
        self.assertEqual(html.count("One thousand two hundred dollars and 50 cents"), 1)
        self.assertNotIn("Total in words:", html)

    def test_sale_order_in_kuwaiti_dinars(self):
        """A quotation in dinars writes its 1.353 KWD total with the three digits of its fils."""
        self.assertEqual(self.order_kwd.currency_id, self.kwd)
        self.assertEqual(self.order_kwd.amount_total, 1.353)
        self.assertEqual(self.order_kwd.amount_total_words, "One Dinar and 353 Fils")

    def test_invoice_in_yen(self):
        """An invoice in yen writes its 1,500 JPY total with no subunit part."""
        self.assertEqual(self.invoice_jpy.currency_id, self.jpy)
        self.assertEqual(self.invoice_jpy.amount_total, 1500)
        self.assertEqual(self.invoice_jpy.amount_total_words, "One thousand five hundred Yen")
