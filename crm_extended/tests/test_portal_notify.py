from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import ValidationError
from odoo.tests import Form

from .common import PortalCommon
from .sms_ru_server import SmsRuServer


class TestPortalNotify(PortalCommon):
    """Client notifications (#18): each event, per contact opt-out, the cheapest accepted channel,
    SMS through the add-on's provider, every notice on the document's chatter."""

    def _told(self, document, partner):
        """The messages on the document's chatter addressed to ``partner``."""
        return document.message_ids.filtered(lambda m: partner in m.partner_ids)

    def test_order_confirmed_told_by_email(self):
        """Confirming an order tells the entity's portal contacts by e-mail, on the order's chatter;
        another client's contacts are not told."""
        order = self._portal_order(self.entity_a)
        message = self._told(order, self.contact_buyer)
        self.assertEqual(len(message), 1)
        self.assertIn(order.name, message.body)
        self.assertTrue(self._told(order, self.contact_rep), "the holding representative is told too")
        self.assertFalse(self._told(order, self.contact_c))
        notification = message.notification_ids.filtered(lambda n: n.res_partner_id == self.contact_buyer)
        self.assertEqual(notification.notification_type, "email")
        self.assertNotIn(self.contact_rep, order.message_partner_ids, "the contacts told do not follow")

    def test_opt_out(self):
        """A contact that declined the event is not told; the others are."""
        event = self.env.ref("crm_extended.crm_notification_event_order_confirmed")
        self.contact_buyer.crm_notify_optout_ids = [Command.link(event.id)]
        order = self._portal_order(self.entity_a)
        self.assertFalse(self._told(order, self.contact_buyer))
        self.assertTrue(self._told(order, self.contact_accountant))

    def test_no_accepted_channel_logged(self):
        """A contact refusing e-mail, without an SMS provider, is not told and the chatter says so."""
        self.contact_buyer.crm_notify_email = False
        order = self._portal_order(self.entity_a)
        self.assertFalse(self._told(order, self.contact_buyer))
        self.assertTrue(
            order.message_ids.filtered(lambda m: "Boris Buyer was not told" in (m.body or "")),
        )

    def test_sms_through_provider(self):
        """A contact refusing e-mail is told by SMS through the add-on's provider (SMS.ru on
        loopback), the SMS logged on the order's chatter."""
        with SmsRuServer(api_id="api-portal") as server:
            self.env["crm.sms.provider"].create(
                {
                    "name": "SMS.ru",
                    "kind": "smsru",
                    "api_url": server.api_url,
                    "new_api_key": "api-portal",
                    "timeout": 5,
                }
            )
            self.contact_buyer.crm_notify_email = False
            order = self._portal_order(self.entity_a)
            notification = order.message_ids.notification_ids.filtered(
                lambda n: n.res_partner_id == self.contact_buyer and n.notification_type == "sms"
            )
            self.assertEqual(len(notification), 1, "the SMS is on the order's chatter")
            [sent] = [sms for sms in server.messages.values() if sms["number"] == "79137004567"]
            self.assertIn(order.name, sent["text"])
            self.assertIn(notification.notification_status, ("pending", "sent"), "accepted by the provider")

    def test_sms_opt_out_of_channel(self):
        """A contact refusing both channels gets neither, even with a provider."""
        with SmsRuServer(api_id="api-portal") as server:
            self.env["crm.sms.provider"].create(
                {"name": "SMS.ru", "kind": "smsru", "api_url": server.api_url, "new_api_key": "api-portal"}
            )
            self.contact_buyer.write({"crm_notify_email": False, "crm_notify_sms": False})
            order = self._portal_order(self.entity_a)
            self.assertFalse(self._told(order, self.contact_buyer))
            self.assertFalse([sms for sms in server.messages.values() if sms["number"] == "79137004567"])

    def test_delivery_shipped_once_with_tracking(self):
        """Typing a tracking number tells the goods roles once, with the tracking; an accountant is
        not told of deliveries."""
        order = self._portal_order(self.entity_a)
        picking = order.picking_ids
        picking.write({"crm_tracking_ref": "TRK-NEW-1", "crm_tracking_url": "https://track.example.com/1"})
        message = self._told(picking, self.contact_buyer)
        self.assertEqual(len(message), 1)
        self.assertIn("TRK-NEW-1", message.body)
        self.assertFalse(self._told(picking, self.contact_accountant))
        picking.crm_tracking_ref = "TRK-NEW-2"
        self.assertEqual(len(self._told(picking, self.contact_buyer)), 1, "told once")

    def test_delivery_done(self):
        """A done delivery tells the goods roles."""
        self.assertTrue(
            self._told(self.picking_a, self.contact_buyer).filtered(lambda m: "is delivered" in m.body)
        )

    def test_invoice_overdue_once_then_reminders(self):
        """An overdue invoice is told once by the cron, again after the reminder interval, and
        no more after the last reminder; a storekeeper is never told of invoices."""
        invoice = self.invoice_a
        invoice.invoice_date_due = fields.Date.today() - timedelta(days=3)
        Move = self.env["account.move"]
        Move._crm_cron_notify_overdue()
        self.assertEqual(len(self._told(invoice, self.contact_accountant)), 1)
        self.assertFalse(self._told(invoice, self.contact_storekeeper))
        Move._crm_cron_notify_overdue()
        self.assertEqual(len(self._told(invoice, self.contact_accountant)), 1, "not twice the same day")
        days, reminders = Move._crm_overdue_reminder_rule()
        for _index in range(reminders + 2):
            invoice.crm_overdue_notified_date = invoice.crm_overdue_notified_date - timedelta(days=days)
            Move._crm_cron_notify_overdue()
        self.assertEqual(len(self._told(invoice, self.contact_accountant)), 1 + reminders)

    def test_overdue_reminder_rule_is_a_company_setting(self):
        """The reminder rule is the company's (Settings, CRM): 3 days apart and one reminder
        there give a first notice, a reminder 3 days later, then nothing more."""
        settings = Form(self.env["res.config.settings"])
        self.assertEqual((settings.crm_overdue_reminder_days, settings.crm_overdue_reminders), (7, 2))
        settings.crm_overdue_reminder_days = 3
        settings.crm_overdue_reminders = 1
        settings.save().execute()
        company = self.invoice_a.company_id
        self.assertEqual((company.crm_overdue_reminder_days, company.crm_overdue_reminders), (3, 1))
        invoice = self.invoice_a
        invoice.invoice_date_due = fields.Date.today() - timedelta(days=3)
        Move = self.env["account.move"]
        Move._crm_cron_notify_overdue()
        invoice.crm_overdue_notified_date -= timedelta(days=2)
        Move._crm_cron_notify_overdue()
        self.assertEqual(len(self._told(invoice, self.contact_accountant)), 1, "2 days: not yet")
        for _index in range(3):
            invoice.crm_overdue_notified_date -= timedelta(days=3)
            Move._crm_cron_notify_overdue()
        self.assertEqual(
            len(self._told(invoice, self.contact_accountant)), 2, "the first notice and one reminder"
        )

    def test_overdue_reminder_rule_checked(self):
        """An interval under a day or a negative number of reminders is refused."""
        company = self.invoice_a.company_id
        with self.assertRaises(ValidationError):
            company.write({"crm_overdue_reminder_days": 0, "crm_overdue_reminders": 2})
        with self.assertRaises(ValidationError):
            company.write({"crm_overdue_reminder_days": 5, "crm_overdue_reminders": -1})

    def test_case_stage_changed(self):
        """A case moving to another stage tells the client's contacts; an unchanged stage does not."""
        case = self._case(lot_id=self.lot_a.id)
        stage = case.type_id.stage_ids.filtered(lambda s: s != case.stage_id)[:1]
        case.stage_id = stage
        message = self._told(case, self.contact_buyer)
        self.assertEqual(len(message), 1)
        self.assertIn(stage.name, message.body)
        case.stage_id = stage
        self.assertEqual(len(self._told(case, self.contact_buyer)), 1)
