from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from ..services import sms_segments
from .test_sms_provider import SmsProviderCase


@tagged("post_install", "-at_install")
class TestSmsSegments(SmsProviderCase):
    def assertParts(self, text, encoding, units, count):
        self.assertEqual(sms_segments.count(text), sms_segments.Segments(encoding, units, count))

    def test_gsm7(self):
        """GSM 7-bit: 160 in one SMS, then parts of 153."""
        self.assertParts("", "gsm7", 0, 0)
        self.assertParts("a" * 160, "gsm7", 160, 1)  # 160 <= 160
        self.assertParts("a" * 161, "gsm7", 161, 2)  # 161 > 160: 153 + 8
        self.assertParts("a" * 306, "gsm7", 306, 2)  # 153 + 153
        self.assertParts("a" * 307, "gsm7", 307, 3)  # 153 + 153 + 1
        self.assertParts("Price: 10$ @ home", "gsm7", 17, 1)  # $ and @ are in the basic table

    def test_gsm7_extension_counts_twice(self):
        """The extension table (€, [, ]...) takes two septets, and a pair is never cut."""
        self.assertParts("€" * 80, "gsm7", 160, 1)  # 80 x 2 = 160 <= 160
        self.assertParts("€" * 81, "gsm7", 162, 2)  # 162 > 160; 76 € (152) + 5 € (10)
        # 152 a + € + 152 a = 306 septets; the € does not fit after 152 a (154 > 153): part 2 is
        # € + 151 a (153), part 3 the last a: 3 parts where 306 / 153 alone says 2
        self.assertParts("a" * 152 + "€" + "a" * 152, "gsm7", 306, 3)

    def test_ucs2(self):
        """Any Cyrillic letter makes the whole text UCS-2: 70 in one SMS, then parts of 67."""
        self.assertParts("Привет", "ucs2", 6, 1)
        self.assertParts("я" * 70, "ucs2", 70, 1)  # 70 <= 70
        self.assertParts("я" * 71, "ucs2", 71, 2)  # 67 + 4
        self.assertParts("я" * 134, "ucs2", 134, 2)  # 67 + 67
        self.assertParts("я" * 135, "ucs2", 135, 3)  # 67 + 67 + 1
        # 100 Latin letters fit one GSM SMS; one Cyrillic letter more: 101 UCS-2 units, 67 + 34
        self.assertParts("a" * 100 + "я", "ucs2", 101, 2)

    def test_ucs2_surrogates(self):
        """An emoji outside the basic plane takes two UTF-16 units and is never cut."""
        self.assertParts("😀" * 35, "ucs2", 70, 1)  # 35 x 2 = 70
        self.assertParts("😀" * 36, "ucs2", 72, 2)  # 33 emoji (66) + 3 emoji (6)


@tagged("post_install", "-at_install")
class TestNoticeCompose(SmsProviderCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.tz = "UTC"
        company_currency = cls.company.currency_id
        cls.price_currency = (
            cls.env.ref("base.EUR")
            if company_currency != cls.env.ref("base.EUR")
            else cls.env.ref("base.USD")
        )
        cls.price_currency.active = True
        cls.env["res.currency.rate"].search(
            [("currency_id", "in", (cls.price_currency | company_currency).ids)]
        ).unlink()
        # 0.01 price currency per company unit: 1 price-currency unit = 100 company units
        cls.env["res.currency.rate"].create(
            {
                "currency_id": cls.price_currency.id,
                "rate": 0.01,
                "name": "2000-01-01",
                "company_id": cls.company.id,
            }
        )
        cls.provider.write(
            {"price_per_segment": 0.5, "currency_id": cls.price_currency.id}
        )  # 50 company units
        Partner = cls.env["res.partner"]
        cls.p_email = Partner.create(
            {"name": "Emma Email", "email": "emma@example.com", "mobile": "+79123456783"}
        )
        cls.p_sms = Partner.create({"name": "Sergey Sms", "mobile": "+79123456784"})
        cls.p_blacklisted_email = Partner.create(
            {"name": "Boris Blacklisted", "email": "boris@example.com", "mobile": "+79123456785"}
        )
        cls.p_invalid = Partner.create({"name": "Ivan Invalid", "email": "not-an-email"})
        cls.p_blacklisted_phone = Partner.create({"name": "Polina Phone", "mobile": "+79123456786"})
        cls.env["mail.blacklist"].sudo()._add("boris@example.com")
        cls.env["phone.blacklist"].sudo()._add(["+79123456786"])
        cls.env.invalidate_all()  # blacklist states computed when the partners were created
        cls.partners = (
            cls.p_email | cls.p_sms | cls.p_blacklisted_email | cls.p_invalid | cls.p_blacklisted_phone
        )
        cls.body = "Новости " * 10  # 8 Cyrillic characters x 10 = 80 UCS-2 units: 67 + 13, 2 parts

    def open_form(self, user=None):
        compose = self.env["crm.notice.compose"].with_user(user or self.user_salesman)
        form = Form(compose.with_context(active_model="res.partner", active_ids=self.partners.ids))
        form.subject = "Our news"
        form.body = self.body
        return form

    def line(self, compose, partner):
        return compose.line_ids.filtered(lambda line: line.partner_id == partner)

    def test_cheapest_channel_proposed(self):
        """E-mail when possible, else SMS at 2 parts x 50 = 100, else unreachable with the reason."""
        compose = self.open_form().save()
        self.assertEqual((compose.segment_count, compose.encoding), (2, "ucs2"))
        self.assertAlmostEqual(compose.sms_price, 50.0)  # 0.5 / 0.01
        channels = {line.partner_id: (line.channel, line.cost) for line in compose.line_ids}
        self.assertEqual(channels[self.p_email], ("email", 0.0))
        self.assertEqual(channels[self.p_sms], ("sms", 100.0))
        self.assertEqual(channels[self.p_blacklisted_email], ("sms", 100.0))
        self.assertEqual(channels[self.p_invalid], ("none", 0.0))
        self.assertEqual(channels[self.p_blacklisted_phone], ("none", 0.0))
        self.assertIn("invalid e-mail", self.line(compose, self.p_invalid).reason)
        self.assertIn("number blacklisted", self.line(compose, self.p_blacklisted_phone).reason)
        self.assertIn("e-mail blacklisted", self.line(compose, self.p_blacklisted_email).reason)
        self.assertAlmostEqual(compose.total_cost, 200.0)  # two SMS lines of 100
        self.assertEqual((compose.email_count, compose.sms_count, compose.unreachable_count), (1, 2, 2))

    def test_switch_channel(self):
        """A line can be switched to another channel the contact has (the total follows), never to one
        it has not."""
        form = self.open_form()
        for index, line in enumerate(form.line_ids._records):
            if line["partner_id"] == self.p_email.id:
                with form.line_ids.edit(index) as edited:
                    edited.channel = "sms"
        self.assertAlmostEqual(form.total_cost, 300.0)  # three SMS lines of 100
        compose = form.save()
        with self.assertRaises(ValidationError):
            self.line(compose, self.p_sms).channel = "email"
        with self.assertRaises(ValidationError):
            self.line(compose, self.p_blacklisted_email).channel = "email"

    def test_no_provider_email_only(self):
        """Without an active provider, SMS is not offered: a contact with a number only is unreachable."""
        self.provider.active = False
        compose = self.open_form().save()
        self.assertFalse(compose.has_sms_provider)
        self.assertEqual(self.line(compose, self.p_sms).channel, "none")
        self.assertIn("no SMS provider", self.line(compose, self.p_sms).reason)
        self.assertEqual(compose.total_cost, 0.0)

    def test_send(self):
        """Sending posts the e-mail on the contact (a mail to it) and the SMS through the provider."""
        compose = self.open_form().save()
        before = self.smsru.sent_count
        compose.action_send()
        self.assertEqual(self.smsru.sent_count - before, 2)
        sent_numbers = {message["number"] for message in list(self.smsru.messages.values())[-2:]}
        self.assertEqual(sent_numbers, {"79123456784", "79123456785"})
        message = self.env["mail.message"].search(
            [("model", "=", "res.partner"), ("res_id", "=", self.p_email.id), ("subject", "=", "Our news")]
        )
        self.assertEqual(message.partner_ids, self.p_email)
        email_notification = message.notification_ids.filtered(lambda n: n.res_partner_id == self.p_email)
        self.assertEqual(email_notification.notification_type, "email")
        sms_notification = self.env["mail.notification"].search(
            [("res_partner_id", "=", self.p_sms.id), ("notification_type", "=", "sms")]
        )
        self.assertEqual(sms_notification.notification_status, "pending")
        self.assertFalse(
            self.env["mail.message"].search(
                [
                    ("res_id", "=", self.p_invalid.id),
                    ("model", "=", "res.partner"),
                    ("subject", "=", "Our news"),
                ]
            )
        )
