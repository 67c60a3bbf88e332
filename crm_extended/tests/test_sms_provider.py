import json

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from ..services.sms_providers import Message, Report, Result, WebhookRequest
from ..services.sms_providers.generic import GenericProvider
from .common import CrmExtendedCase
from .sms_generic_server import GenericSmsServer
from .sms_ru_server import SmsRuServer

NUMBER_A = "+79123456781"
NUMBER_B = "+79123456782"
NUMBER_SHORT = "+7912345678"  # 10 digits: SMS.ru answers 202 for it (a Russian mobile has 11)


class SmsProviderCase(CrmExtendedCase):
    """An SMS.ru server and a generic gateway on loopback, a provider for each (SMS.ru active)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.smsru = cls.enterClassContext(SmsRuServer(api_id="api-id-123"))
        cls.gateway = cls.enterClassContext(GenericSmsServer(token="gw-token"))
        Provider = cls.env["crm.sms.provider"]
        cls.provider = Provider.create(
            {
                "name": "SMS.ru",
                "kind": "smsru",
                "api_url": cls.smsru.api_url,
                "new_api_key": "api-id-123",
                "price_per_segment": 2.5,
                "currency_id": cls.env.ref("base.RUB").id,
                "timeout": 5,
            }
        )
        cls.generic = Provider.create(
            {
                "name": "Gateway",
                "kind": "generic",
                "sequence": 20,
                "active": False,
                "send_url": f"{cls.gateway.url}/messages",
                "auth_header": "Authorization",
                "new_api_key": "Bearer gw-token",
                "new_webhook_secret": "gw-report-secret",
                "id_path": "message.id",
                "status_path": "message.status",
                "ok_values": "queued",
                "error_path": "error",
                "balance_url": f"{cls.gateway.url}/balance",
                "timeout": 5,
            }
        )
        cls.client_a = cls.env["res.partner"].create(
            {"name": "SMS Client A", "mobile": NUMBER_A, "phone": NUMBER_A}
        )
        cls.client_b = cls.env["res.partner"].create(
            {"name": "SMS Client B", "mobile": NUMBER_B, "phone": NUMBER_B}
        )

    def setUp(self):
        super().setUp()
        self.smsru.balance = 1000.0
        self.smsru.outage = self.smsru.unavailable = False
        self.smsru.limited_numbers.clear()
        self.gateway.down = self.gateway.rate_limited = False
        self.gateway.close_after = 0

    def make_sms(self, *numbers, body="Your order is ready"):
        return self.env["sms.sms"].sudo().create([{"number": number, "body": body} for number in numbers])


@tagged("post_install", "-at_install")
class TestSmsRuSending(SmsProviderCase):
    def test_sent_through_smsru(self):
        """An SMS goes to SMS.ru (not IAP) and keeps SMS.ru's message id."""
        sms = self.make_sms(NUMBER_A, NUMBER_B)
        before = self.smsru.sent_count
        sms.send(unlink_sent=False)
        self.assertEqual(sms.mapped("state"), ["pending", "pending"])
        self.assertEqual(self.smsru.sent_count - before, 2)
        path, form = self.smsru.requests[-1]
        self.assertEqual(path, "/sms/send")
        self.assertEqual(form["to"], "79123456781,79123456782")  # one request, both numbers
        self.assertEqual(form["msg"], "Your order is ready")
        for record in sms:
            self.assertEqual(self.smsru.messages[record.crm_provider_ref]["number"], record.number[1:])
        self.assertEqual(sms.crm_provider_id, self.provider)

    def test_different_texts_one_request(self):
        """Different texts go in one request with multi[...] (SMS.ru's form for it)."""
        sms = self.make_sms(NUMBER_A) | self.make_sms(NUMBER_B, body="Another text")
        sms.send(unlink_sent=False)
        self.assertEqual(sms.mapped("state"), ["pending", "pending"])
        _path, form = self.smsru.requests[-1]
        self.assertEqual(form["multi[79123456782]"], "Another text")
        self.assertEqual(form["multi[79123456781]"], "Your order is ready")

    def test_no_balance(self):
        """SMS.ru's 201 (no money) fails the messages with Insufficient Credit and SMS.ru's words."""
        self.smsru.balance = 1.0
        sms = self.make_sms(NUMBER_A)
        sms.send(unlink_failed=False)
        self.assertEqual(sms.state, "error")
        self.assertEqual(sms.failure_type, "sms_credit")
        self.assertIn("SMS.ru 201", sms.crm_failure_reason)

    def test_invalid_number_per_recipient(self):
        """A number SMS.ru refuses (202) fails alone: the batch's other messages are sent."""
        sms = self.make_sms(NUMBER_A, NUMBER_SHORT, NUMBER_B)
        sms.send(unlink_sent=False)
        good, bad = (
            sms.filtered(lambda s: s.number != NUMBER_SHORT),
            sms.filtered(lambda s: s.number == NUMBER_SHORT),
        )
        self.assertEqual(good.mapped("state"), ["pending", "pending"])
        self.assertEqual(bad.state, "error")
        self.assertEqual(bad.failure_type, "sms_number_format")
        self.assertIn("SMS.ru 202", bad.crm_failure_reason)

    def test_wrong_api_id(self):
        """SMS.ru's 200 (wrong api_id) is an account error, said on the message."""
        self.provider.new_api_key = "not-the-key"
        sms = self.make_sms(NUMBER_A)
        sms.send()
        self.assertEqual((sms.state, sms.failure_type), ("error", "sms_acc"))
        self.assertIn("SMS.ru 200", sms.crm_failure_reason)

    def test_rate_limit_stays_queued(self):
        """A number over SMS.ru's per-minute limit (231) stays queued with the reason, and goes later."""
        self.smsru.limited_numbers.add(NUMBER_B[1:])
        sms = self.make_sms(NUMBER_A, NUMBER_B)
        sms.send(unlink_sent=False)
        limited = sms.filtered(lambda s: s.number == NUMBER_B)
        self.assertEqual(limited.state, "outgoing")
        self.assertFalse(limited.failure_type)
        self.assertIn("SMS.ru 231", limited.crm_failure_reason)
        self.assertEqual((sms - limited).state, "pending")
        self.smsru.limited_numbers.clear()
        self.env["sms.sms"]._process_queue(ids=limited.ids)  # what the SMS queue's cron does
        self.assertEqual(limited.state, "pending")
        self.assertTrue(limited.to_delete)
        self.assertFalse(limited.crm_failure_reason)

    def test_outage_then_recovery(self):
        """An outage (HTTP 503, then SMS.ru's 220) leaves the messages queued with the reason; they go
        when it returns."""
        sms = self.make_sms(NUMBER_A, NUMBER_B)
        self.smsru.outage = True
        sms.send(unlink_sent=False)
        self.assertEqual(sms.mapped("state"), ["outgoing", "outgoing"])
        self.assertIn("503", sms[0].crm_failure_reason)
        self.smsru.outage, self.smsru.unavailable = False, True
        sms.send(unlink_sent=False)
        self.assertEqual(sms.mapped("state"), ["outgoing", "outgoing"])
        self.assertIn("SMS.ru 220", sms[0].crm_failure_reason)
        self.smsru.unavailable = False
        sms.send(unlink_sent=False)
        self.assertEqual(sms.mapped("state"), ["pending", "pending"])
        self.assertEqual(len({self.smsru.messages[r.crm_provider_ref]["number"] for r in sms}), 2)

    def test_unreachable_server_stays_queued(self):
        """A provider that cannot be reached at all keeps the messages queued, with the reason."""
        self.provider.api_url = "http://127.0.0.1:9"  # discard port: nothing listens
        sms = self.make_sms(NUMBER_A)
        sms.send()
        self.assertEqual(sms.state, "outgoing")
        self.assertIn("unreachable", sms.crm_failure_reason)

    def test_balance_and_status(self):
        """Balance and delivery status are read from SMS.ru's my/balance and sms/status."""
        self.smsru.balance = 321.5
        action = self.provider.action_check_balance()
        self.assertIn("321.5", action["params"]["message"])
        sms = self.make_sms(NUMBER_A)
        sms.send(unlink_sent=False)
        self.smsru.set_status(sms.crm_provider_ref, 103)
        reports = self.provider._crm_client().status([sms.crm_provider_ref, "000000-404"])
        self.assertEqual(reports[sms.crm_provider_ref].state, "sent")
        self.assertNotIn("000000-404", reports)  # -1: unknown to SMS.ru

    def test_chatter_notification_follows(self):
        """An SMS posted on a record: its notification follows the provider's answer."""
        self.client_a._message_sms("Hello from the chatter", partner_ids=self.client_a.ids)
        notification = self.env["mail.notification"].search(
            [("res_partner_id", "=", self.client_a.id), ("notification_type", "=", "sms")]
        )
        self.assertEqual(notification.notification_status, "pending")
        tracker = notification.sms_tracker_ids
        self.assertTrue(tracker.crm_provider_ref)
        self.assertEqual(tracker.crm_provider_id, self.provider)

    def test_iap_untouched_without_provider(self):
        """With no active provider, Odoo's IAP path runs as before (in tests IAP refuses: a server error), and
        nothing reaches the provider."""
        self.provider.active = False
        before = len(self.smsru.requests)
        sms = self.make_sms(NUMBER_A)
        sms.send(unlink_failed=False)
        self.assertEqual((sms.state, sms.failure_type), ("error", "sms_server"))
        self.assertFalse(sms.crm_provider_id)
        self.assertFalse(sms.crm_failure_reason)
        self.assertEqual(len(self.smsru.requests), before)


@tagged("post_install", "-at_install")
class TestGenericSending(SmsProviderCase):
    def setUp(self):
        super().setUp()
        self.provider.active = False
        self.generic.active = True

    def test_sent_and_each_error(self):
        """Accepted, invalid number (400: per recipient), rate limit (429) and outage (503) through the
        generic provider."""
        sms = self.make_sms(NUMBER_A, "12345")
        sms.send(unlink_sent=False, unlink_failed=False)
        ok, bad = sms
        self.assertEqual(
            (ok.state, ok.crm_provider_ref), ("pending", self.gateway.received[-2] and ok.crm_provider_ref)
        )
        self.assertTrue(ok.crm_provider_ref.startswith("m-"))
        self.assertEqual(self.gateway.received[-2]["to"], NUMBER_A)
        self.assertEqual(self.gateway.received[-2]["reference"], ok.uuid)
        self.assertEqual(bad.state, "error")
        self.assertIn("invalid number", bad.crm_failure_reason)
        more = self.make_sms(NUMBER_B)
        self.gateway.rate_limited = True
        more.send()
        self.assertEqual(more.state, "outgoing")
        self.assertIn("429", more.crm_failure_reason)
        self.gateway.rate_limited, self.gateway.down = False, True
        more.send()
        self.assertIn("503", more.crm_failure_reason)
        self.gateway.down = False
        more.send()
        self.assertEqual(more.state, "pending")

    def test_kept_alive(self):
        """The messages of one sending share one connection (one handshake), and a gateway that
        closes its connections after two requests gets each message once all the same."""
        numbers = [f"+7912345670{k}" for k in range(5)]
        sms = self.make_sms(*numbers)
        requests, connections = self.gateway.requests, self.gateway.connections
        sms.send(unlink_sent=False)
        self.assertEqual(sms.mapped("state"), ["pending"] * 5)
        self.assertEqual(self.gateway.requests - requests, 5)
        self.assertEqual(self.gateway.connections - connections, 1)
        self.assertEqual([m["to"] for m in self.gateway.received[-5:]], numbers)
        self.gateway.close_after = 2
        more = self.make_sms(*numbers)
        requests, connections, received = (
            self.gateway.requests,
            self.gateway.connections,
            len(self.gateway.received),
        )
        more.send(unlink_sent=False)
        self.assertEqual(more.mapped("state"), ["pending"] * 5)
        self.assertEqual(self.gateway.requests - requests, 5, "each message posted once")
        self.assertEqual(self.gateway.connections - connections, 3)
        self.assertEqual(len(self.gateway.received) - received, 5)

    def test_batches(self):
        """With a batch template: one request per batch of at most batch_size messages, each message
        its own result (an invalid number its own error), the others taken."""
        self.generic.sudo().write(
            {
                "send_url": f"{self.gateway.url}/batch",
                "batch_template": '{"messages": [{messages}]}',
                "batch_size": 2,
                "results_path": "results",
                "id_path": "id",
                "status_path": "status",
            }
        )
        sms = self.make_sms(NUMBER_A, "12345", NUMBER_B, False)
        requests = self.gateway.requests
        sms.send(unlink_sent=False, unlink_failed=False)
        self.assertEqual(self.gateway.requests - requests, 2, "3 messages with a number, 2 per request")
        ok_a, bad, ok_b, no_number = sms
        self.assertEqual((ok_a.state, ok_b.state), ("pending", "pending"))
        self.assertTrue(ok_a.crm_provider_ref.startswith("m-"))
        self.assertNotEqual(ok_a.crm_provider_ref, ok_b.crm_provider_ref)
        self.assertEqual(bad.state, "error")
        self.assertIn("invalid number", bad.crm_failure_reason)
        self.assertEqual((no_number.state, no_number.failure_type), ("error", "sms_number_missing"))
        self.assertEqual(self.gateway.received[-1]["reference"], ok_b.uuid)
        # an outage: every message of the batch stays queued for the next run
        later = self.make_sms(NUMBER_A, NUMBER_B)
        self.gateway.down = True
        later.send()
        self.assertEqual(later.mapped("state"), ["outgoing", "outgoing"])
        self.assertIn("503", later[0].crm_failure_reason)

    def test_batch_answer_unreadable(self):
        """A batch answer without one result per message: every message of it an error saying so,
        never posted again (the gateway may have taken them)."""
        self.generic.sudo().write(
            {
                "send_url": f"{self.gateway.url}/batch",
                "batch_template": '{"messages": [{messages}]}',
                "results_path": "answers",
            }
        )
        sms = self.make_sms(NUMBER_A, NUMBER_B)
        sms.send(unlink_sent=False, unlink_failed=False)
        self.assertEqual(sms.mapped("state"), ["error", "error"])
        self.assertIn("no list of 2 results at 'answers'", sms[0].crm_failure_reason)

    def test_payload_escaped(self):
        """Quotes and line breaks of a text stay inside its JSON string."""
        body = GenericProvider({"payload_template": '{"to": "{number}", "text": "{body}"}'}).payload(
            Message("u", NUMBER_A, 'say "hi"\nnow')
        )
        self.assertEqual(json.loads(body), {"to": NUMBER_A, "text": 'say "hi"\nnow'})

    def test_balance(self):
        """The generic balance URL and path."""
        self.assertEqual(self.generic._crm_client().balance(), 12.5)

    def test_forged_report_refused(self):
        """A report signed with another key, or not signed, is refused by the provider's code."""
        client = self.generic._crm_client()
        body, headers = GenericSmsServer.report("other", {"id": "m-1", "status": "delivered"})
        from ..services.sms_providers import Refused

        with self.assertRaises(Refused):
            client.parse_delivery_report(WebhookRequest(body, {k.lower(): v for k, v in headers.items()}))
        with self.assertRaises(Refused):
            client.parse_delivery_report(WebhookRequest(body, {}))
        body, headers = GenericSmsServer.report("gw-report-secret", {"id": "m-1", "status": "delivered"})
        [report] = client.parse_delivery_report(
            WebhookRequest(body, {k.lower(): v for k, v in headers.items()})
        )
        self.assertEqual((report.provider_id, report.state), ("m-1", "sent"))


@tagged("post_install", "-at_install")
class TestSmsProviderAccess(SmsProviderCase):
    def test_salesperson_cannot_read(self):
        """A salesperson cannot read providers at all (nor their price through RPC)."""
        with self.assertRaises(AccessError):
            self.provider.with_user(self.user_salesman).read(["name"])
        with self.assertRaises(AccessError):
            self.env["crm.sms.provider"].with_user(self.user_salesman).search_read([], ["price_per_segment"])

    def test_admin_never_reads_credentials(self):
        """An administrator sets credentials but never reads them back: not by read, web_read, web_save,
        nor are they offered by fields_get."""
        admin = self.env.ref("base.user_admin")
        provider = self.provider.with_user(admin)
        with self.assertRaises(AccessError):
            provider.read(["api_key"])
        with self.assertRaises(AccessError):
            provider.read(["webhook_secret"])
        self.assertNotIn("api_key", provider.fields_get())
        self.assertNotIn("webhook_secret", provider.fields_get())
        spec = {"new_api_key": {}, "has_api_key": {}, "new_webhook_secret": {}, "name": {}}
        [read] = provider.web_read(spec)
        self.assertFalse(read["new_api_key"])
        self.assertTrue(read["has_api_key"])
        [saved] = provider.web_save({"new_api_key": "typed-now", "new_webhook_secret": "typed-too"}, spec)
        self.assertFalse(saved["new_api_key"])
        self.assertFalse(saved["new_webhook_secret"])
        self.assertNotIn("typed-now", json.dumps(saved))
        self.assertEqual(self.provider.sudo().api_key, "typed-now")  # stored for the sending code
        [new] = (
            self.env["crm.sms.provider"]
            .with_user(admin)
            .web_save({"name": "New", "new_api_key": "fresh-key"}, spec)
        )
        self.assertNotIn("fresh-key", json.dumps(new))


@tagged("post_install", "-at_install")
class TestSmsDeliveryReports(HttpCase, SmsProviderCase):
    def post(self, provider, data=None, body=None, headers=None):
        self.env.flush_all()
        return self.url_open(
            f"/crm_extended/sms/{provider.token}", data=data if data is not None else body, headers=headers
        )

    def test_report_updates_sms_notification_and_trace(self):
        """SMS.ru's signed callback marks the SMS, the chatter's notification and the mailing trace
        delivered or failed."""
        mailing = self.env["mailing.mailing"].create(
            {
                "name": "SMS campaign",
                "subject": "SMS campaign",
                "mailing_type": "sms",
                "body_plaintext": "Spring sale",
                "mailing_model_id": self.env.ref("base.model_res_partner").id,
                "mailing_domain": repr([("id", "in", (self.client_a | self.client_b).ids)]),
                "sms_force_send": True,
                "keep_archives": True,
            }
        )
        mailing.action_send_sms()
        traces = mailing.mailing_trace_ids
        self.assertEqual(sorted(traces.mapped("trace_status")), ["pending", "pending"])
        trackers = traces.sms_tracker_ids
        self.assertEqual(len(trackers.filtered("crm_provider_ref")), 2)
        trace_a = traces.filtered(lambda t: t.sms_number == NUMBER_A)
        trace_b = traces - trace_a
        ref_a = trace_a.sms_tracker_ids.crm_provider_ref
        ref_b = trace_b.sms_tracker_ids.crm_provider_ref
        sms_a = self.env["sms.sms"].sudo().search([("crm_provider_ref", "=", ref_a)])
        response = self.post(self.provider, data=self.smsru.callback_form([(ref_a, 103), (ref_b, 104)]))
        self.assertEqual((response.status_code, response.text), (200, "100"))
        self.env.invalidate_all()
        self.assertEqual(trace_a.trace_status, "sent")
        self.assertEqual(sms_a.state, "sent")
        self.assertEqual((trace_b.trace_status, trace_b.failure_type), ("error", "sms_expired"))
        self.assertIn("SMS.ru 104", trace_b.failure_reason)

    def test_report_before_its_message_is_kept(self):
        """A report on a message not known yet (its batch is still being written by another
        request) is acknowledged and kept; when the batch is written with that id, the
        report applies at once and is forgotten."""
        response = self.post(
            self.provider, data=self.smsru.callback_form([("early-1", 103), ("early-2", 104)])
        )
        self.assertEqual((response.status_code, response.text), (200, "100"))
        Early = self.env["crm.sms.early.report"]
        kept = Early.search([("provider_id", "=", self.provider.id)])
        self.assertEqual(sorted(kept.mapped("provider_ref")), ["early-1", "early-2"])
        self.assertEqual(kept.filtered(lambda early: early.provider_ref == "early-2").state, "error")
        sms = self.make_sms(NUMBER_A)
        sms._crm_apply_results(
            self.provider, [Result(sms.uuid, "pending", provider_id="early-1")], unlink_sent=False
        )
        self.assertEqual(sms.state, "sent")
        self.assertEqual(Early.search([]).mapped("provider_ref"), ["early-2"])

    def test_kept_reports_applied_later_then_dropped(self):
        """The scheduled job applies kept reports whose message is now known, and drops the ones
        that waited more than three days."""
        Early = self.env["crm.sms.early.report"]
        Early._crm_keep(self.provider, [Report("late-1", "error", "sms_number_format", "SMS.ru 207")])
        Early._crm_keep(self.provider, [Report("never", "sent")])
        self.assertEqual(Early._crm_apply_waiting(), 0)
        sms = self.make_sms(NUMBER_B)
        sms.write({"state": "pending", "crm_provider_id": self.provider.id, "crm_provider_ref": "late-1"})
        self.assertEqual(Early._crm_apply_waiting(), 1)
        self.assertEqual((sms.state, sms.failure_type), ("error", "sms_number_format"))
        self.assertEqual(Early.search([]).mapped("provider_ref"), ["never"])
        self.env.cr.execute("UPDATE crm_sms_early_report SET create_date = now() - interval '4 days'")
        Early._crm_apply_waiting()
        self.assertFalse(Early.search([]))

    def test_early_reports_read_by_administrators_only(self):
        """Kept reports are provider data: a salesperson reads none of them."""
        with self.assertRaises(AccessError):
            self.env["crm.sms.early.report"].with_user(self.user_salesman).search([])

    def test_forged_report_refused(self):
        """A callback whose hash is not made with the provider's api_id is refused (403) and changes
        nothing."""
        self.client_a._message_sms("Hello", partner_ids=self.client_a.ids)
        notification = self.env["mail.notification"].search(
            [("res_partner_id", "=", self.client_a.id), ("notification_type", "=", "sms")]
        )
        ref = notification.sms_tracker_ids.crm_provider_ref
        forged = self.smsru.callback_form([(ref, 103)], api_id="guessed-key")
        response = self.post(self.provider, data=forged)
        self.assertEqual(response.status_code, 403)
        unsigned = {
            key: value for key, value in self.smsru.callback_form([(ref, 103)]).items() if key != "hash"
        }
        self.assertEqual(self.post(self.provider, data=unsigned).status_code, 403)
        self.assertEqual(self.url_open("/crm_extended/sms/not-a-token", data=forged).status_code, 404)
        self.env.invalidate_all()
        self.assertEqual(notification.notification_status, "pending")
        # the genuine one is accepted
        response = self.post(self.provider, data=self.smsru.callback_form([(ref, 103)]))
        self.assertEqual(response.status_code, 200)
        self.env.invalidate_all()
        self.assertEqual(notification.notification_status, "sent")

    def test_generic_report(self):
        """The generic gateway's HMAC-signed JSON report: accepted when signed, 403 when forged."""
        self.provider.active = False
        self.generic.active = True
        sms = self.make_sms(NUMBER_A)
        sms.send(unlink_sent=False)
        self.assertEqual(sms.state, "pending")
        payload = {"id": sms.crm_provider_ref, "status": "failed"}
        body, headers = GenericSmsServer.report("not-the-secret", payload)
        self.assertEqual(self.post(self.generic, body=body, headers=headers).status_code, 403)
        self.env.invalidate_all()
        self.assertEqual(sms.state, "pending")
        body, headers = GenericSmsServer.report("gw-report-secret", payload)
        self.assertEqual(self.post(self.generic, body=body, headers=headers).status_code, 200)
        self.env.invalidate_all()
        self.assertEqual((sms.state, sms.failure_type), ("error", "sms_not_delivered"))


@tagged("post_install", "-at_install")
class TestMailingTestSms(SmsProviderCase):
    def test_mailing_test_sms_through_provider(self):
        """A mailing's "Test" SMS goes through the provider; the mailing's log says where it went or
        why not."""
        mailing = self.env["mailing.mailing"].create(
            {
                "subject": "Test campaign",
                "mailing_type": "sms",
                "body_plaintext": "Hello test",
                "mailing_model_id": self.env.ref("base.model_res_partner").id,
            }
        )
        before = self.smsru.sent_count
        refused = "+79123456789"  # a well-formed number SMS.ru refuses (202)
        self.smsru.invalid_numbers.add(refused[1:])
        self.addCleanup(self.smsru.invalid_numbers.clear)
        numbers = f"{NUMBER_A}\n{refused}\n{NUMBER_SHORT}"
        self.env["mailing.sms.test"].create({"mailing_id": mailing.id, "numbers": numbers}).action_send_sms()
        self.assertEqual(self.smsru.sent_count - before, 1)
        self.assertEqual(self.smsru.requests[-1][1]["msg"], "Hello test")
        log = mailing.message_ids[0].body
        self.assertIn(f"Test SMS sent to {NUMBER_A} through SMS.ru", log)
        self.assertIn(f"Test SMS could not be sent to {refused}: SMS.ru 202", log)
        self.assertIn(f"not correctly encoded: {NUMBER_SHORT}", log)  # refused by Odoo's own formatting


@tagged("post_install", "-at_install")
class TestSmsProviderCompanies(SmsProviderCase):
    def test_other_company_provider(self):
        """A provider of another company neither sends this company's SMS nor shows in its list."""
        other = self.env["res.company"].create({"name": "Other SMS Company"})
        self.provider.company_id = other
        self.assertFalse(self.env["crm.sms.provider"]._crm_active_provider())
        admin = self.env.ref("base.user_admin")
        admin.company_ids |= other
        visible = (
            self.env["crm.sms.provider"].with_user(admin).with_context(allowed_company_ids=[self.company.id])
        )
        self.assertNotIn(self.provider, visible.search([]))
        self.provider.company_id = False  # every company's
        self.assertEqual(self.env["crm.sms.provider"]._crm_active_provider(), self.provider)
