from ast import literal_eval
from datetime import date, datetime, time, timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import ServiceCaseCommon


@tagged("post_install", "-at_install")
class TestServiceWarranty(ServiceCaseCommon):
    """The case finds the delivery of the serial and computes the warranty; nothing is typed."""

    def test_under_warranty_with_delivery_as_proof(self):
        """Delivered 3 months ago: under warranty until a year after, the delivery as proof."""
        lot = self._lot("SN-WARR-1")
        today = fields.Date.today()
        picking = self._deliver(lot, self.contact_storekeeper, today - timedelta(days=90))
        case = self._case(lot_id=lot.id)
        self.assertEqual(case.product_id, self.serial_product)
        self.assertEqual(case.warranty_state, "valid")
        self.assertEqual(case.warranty_picking_id, picking)
        self.assertEqual(case.picking_id, picking)
        self.assertEqual(
            case.warranty_end,
            today - timedelta(days=90) + timedelta(days=0) + _months(12) - timedelta(days=1),
        )
        self.assertIn("Under warranty until", case.warranty_label)
        self.assertIn(picking.name, case.warranty_label)

    def test_warranty_for_serial(self):
        """A typed serial gets its warranty as plain values; a later delivery does not count for a case."""
        lot = self._lot("SN-RPC")
        picking = self._deliver(lot, self.contact_buyer, fields.Date.today() - timedelta(days=10))
        answer = (
            self.env["crm.service.case"]
            .with_user(self.user_service)
            .warranty_for_serial("SN-RPC", self.entity_a.id)
        )
        self.assertEqual(
            (answer["state"], answer["picking_id"], answer["lot_id"]), ("valid", picking.id, lot.id)
        )
        early = self._case(
            lot_id=lot.id, date_open=datetime.combine(fields.Date.today() - timedelta(days=20), time(9))
        )
        self.assertEqual(early.warranty_state, "not_delivered")
        unknown = self.env["crm.service.case"].warranty_for_serial("SN-NOSUCH", self.entity_a.id)
        self.assertEqual(unknown["state"], "not_delivered")

    def test_warranty_for_serial_of_a_customer_the_user_cannot_read(self):
        """Asked for a customer of a company the user may not read: refused as Odoo refuses
        reading that customer; the same customer once readable gets its answer."""
        lot = self._lot("SN-FOREIGN")
        self._deliver(lot, self.contact_buyer, fields.Date.today() - timedelta(days=10))
        other_company = self.env["res.company"].create({"name": "Service Other Co"})
        self.entity_a.company_id = other_company
        Case = self.env["crm.service.case"].with_user(self.user_service)
        with self.assertRaises(AccessError):
            Case.warranty_for_serial("SN-FOREIGN", self.entity_a.id)
        self.user_service.company_ids |= other_company
        answer = Case.with_context(allowed_company_ids=self.user_service.company_ids.ids).warranty_for_serial(
            "SN-FOREIGN", self.entity_a.id
        )
        self.assertEqual(answer["state"], "valid")

    def test_warranty_for_serial_agrees_with_the_case(self):
        """The typed serial's answer (one query) says what the case computes: a parent category's
        months plus the serial's extension, a replacement restarting or not, a serial that went to
        another customer (named), an archived contact of the customer."""
        today = fields.Date.today()
        Case = self.env["crm.service.case"].with_user(self.user_service)

        def answer(serial, partner):
            got = Case.warranty_for_serial(serial, partner.id)
            return got["state"], got["end"], got["picking_id"], got["delivered_to"]

        # months of the parent category (the product and its own category set none) + 6 extended
        furniture = self.env["product.category"].create({"name": "Furniture", "service_warranty_months": 18})
        stools = self.env["product.category"].create({"name": "Stools", "parent_id": furniture.id})
        stool = self.env["product.product"].create(
            {"name": "Stool", "is_storable": True, "tracking": "serial", "categ_id": stools.id}
        )
        lot = self._lot("SN-NESTED", stool)
        lot.service_warranty_extension_months = 6
        picking = self._deliver(lot, self.contact_buyer, today - timedelta(days=400))
        case = self._case(lot_id=lot.id)
        self.assertEqual(
            (case.warranty_state, case.warranty_end),
            ("valid", today - timedelta(days=400) + _months(24) - timedelta(days=1)),
        )
        self.assertEqual(answer("SN-NESTED", self.entity_a), ("valid", case.warranty_end, picking.id, False))

        # a replacement: the warranty restarts from it, or keeps the replaced unit's start
        lot = self._lot("SN-REPLACED")
        first = self._deliver(lot, self.entity_a, today - timedelta(days=500))
        first_case = self._case(
            lot_id=lot.id, date_open=datetime.combine(today - timedelta(days=450), time(9))
        )
        self.env["stock.quant"]._update_available_quantity(
            self.serial_product, self.customers, -1, lot_id=lot
        )
        second = self._deliver(
            lot,
            self.contact_storekeeper,
            today - timedelta(days=100),
            service_case_id=first_case.id,
            service_role="replacement",
        )
        self.company.service_warranty_restarts = True
        restart = self._case(lot_id=lot.id)
        self.assertEqual((restart.warranty_state, restart.warranty_picking_id), ("valid", second))
        self.assertEqual(
            answer("SN-REPLACED", self.entity_a), ("valid", restart.warranty_end, second.id, False)
        )
        self.company.service_warranty_restarts = False
        kept = self._case(lot_id=lot.id)
        self.assertEqual((kept.warranty_state, kept.warranty_picking_id), ("expired", first))
        self.assertEqual(
            answer("SN-REPLACED", self.entity_a), ("expired", kept.warranty_end, first.id, False)
        )

        # a serial that went to another customer: not delivered, and to whom it went
        other = self.env["res.partner"].create({"name": "Other Buyer LLC", "is_company": True})
        lot = self._lot("SN-ELSEWHERE")
        self._deliver(lot, self.entity_a, today - timedelta(days=300))
        self.env["stock.quant"]._update_available_quantity(
            self.serial_product, self.customers, -1, lot_id=lot
        )
        self._deliver(lot, other, today - timedelta(days=30))
        self.assertEqual(answer("SN-ELSEWHERE", self.entity_b), ("not_delivered", False, False, other.id))
        self.assertEqual(answer("SN-ELSEWHERE", self.entity_a)[0], "valid")
        self._lot("SN-NEVER-SENT")
        never = Case.warranty_for_serial("SN-NEVER-SENT", self.entity_a.id)
        self.assertEqual((never["state"], never["delivered_to"]), ("not_delivered", False))

        # asked with an archived contact of the customer: the customer's deliveries still count
        self.contact_buyer.active = False
        self.assertEqual(
            answer("SN-NESTED", self.contact_buyer), ("valid", case.warranty_end, picking.id, False)
        )

    def test_last_day_of_period(self):
        """Claimed on the last day of the period: covered; the day after: expired."""
        lot = self._lot("SN-LAST")
        self._deliver(lot, self.entity_a, date(2025, 3, 15))
        last_day = self._case(lot_id=lot.id, date_open=datetime(2026, 3, 14, 15, 0))
        self.assertEqual((last_day.warranty_state, last_day.warranty_end), ("valid", date(2026, 3, 14)))
        next_day = self._case(lot_id=lot.id, date_open=datetime(2026, 3, 15, 9, 0))
        self.assertEqual(next_day.warranty_state, "expired")
        self.assertIn("expired", next_day.warranty_label)

    def test_category_period_when_product_sets_none(self):
        """A product without months takes its category's (24): delivered 18 months ago, still covered."""
        self.serial_product.service_warranty_months = 0
        lot = self._lot("SN-CATEG")
        self._deliver(lot, self.entity_a, date(2025, 1, 10))
        case = self._case(lot_id=lot.id, date_open=datetime(2026, 7, 10, 10, 0))
        self.assertEqual((case.warranty_state, case.warranty_end), ("valid", date(2027, 1, 9)))
        self.serial_product.service_warranty_months = 12
        expired = self._case(lot_id=lot.id, date_open=datetime(2026, 7, 10, 10, 0))
        self.assertEqual(expired.warranty_state, "expired")

    def test_extended_warranty_of_the_serial(self):
        """An extended warranty sold for the serial adds its months."""
        lot = self._lot("SN-EXT")
        lot.service_warranty_extension_months = 12
        self._deliver(lot, self.entity_a, date(2025, 1, 10))
        case = self._case(lot_id=lot.id, date_open=datetime(2026, 7, 10, 10, 0))
        self.assertEqual((case.warranty_state, case.warranty_end), ("valid", date(2027, 1, 9)))

    def test_two_deliveries_of_the_serial(self):
        """Delivered, returned, delivered again as a replacement: restart as configured."""
        lot = self._lot("SN-TWICE")
        first = self._deliver(lot, self.entity_a, date(2024, 1, 10))
        first_case = self._case(lot_id=lot.id, date_open=datetime(2024, 6, 3, 10, 0))
        self.assertEqual(first_case.warranty_start, date(2024, 1, 10))
        # the unit came back (its return is tested with the hand-offs)
        self.env["stock.quant"]._update_available_quantity(
            self.serial_product, self.customers, -1, lot_id=lot
        )
        second = self._deliver(
            lot,
            self.entity_a,
            date(2025, 6, 2),
            service_case_id=first_case.id,
            service_role="replacement",
        )
        self.company.service_warranty_restarts = True
        restart = self._case(lot_id=lot.id, date_open=datetime(2025, 12, 1, 10, 0))
        self.assertEqual((restart.warranty_state, restart.warranty_picking_id), ("valid", second))
        self.company.service_warranty_restarts = False
        kept = self._case(lot_id=lot.id, date_open=datetime(2025, 12, 1, 10, 0))
        self.assertEqual((kept.warranty_state, kept.warranty_picking_id), ("expired", first))

    def test_serial_of_another_customer_is_flagged(self):
        """A serial delivered to someone else: recorded, flagged; hand-offs refuse with a clear message."""
        other = self.env["res.partner"].create({"name": "Other Buyer LLC", "is_company": True})
        lot = self._lot("SN-OTHER")
        self._deliver(lot, other, date(2025, 5, 5))
        case = self._case(lot_id=lot.id)
        self.assertEqual(case.warranty_state, "not_delivered")
        self.assertEqual(case.lot_partner_id, other)
        self.assertIn("Other Buyer LLC", case.warranty_label)
        with self.assertRaisesRegex(UserError, "was delivered to Other Buyer LLC, not to Alpha Trade LLC"):
            case.action_create_return()

    def test_unknown_serial_still_recorded(self):
        """A serial never delivered to anyone: recorded, flagged as not delivered."""
        case = self._case(lot_id=self._lot("SN-NEVER").id)
        self.assertTrue(case.exists())
        self.assertEqual(case.warranty_state, "not_delivered")
        self.assertFalse(case.lot_partner_id)

    def test_without_serial_choose_among_deliveries(self):
        """Without serial: the customer's deliveries of the product, newest first; the chosen one counts."""
        old = self._deliver(self._lot("SN-A"), self.entity_a, date(2024, 2, 1))
        new = self._deliver(self._lot("SN-B"), self.entity_a, date(2025, 9, 1))
        self._deliver(self._lot("SN-C"), self.entity_b, date(2025, 10, 1))
        case = self._case(product_id=self.serial_product.id, date_open=datetime(2026, 1, 12, 10, 0))
        self.assertEqual(case.delivery_option_ids.ids, (new | old).ids)
        self.assertEqual(case.warranty_state, "unknown")
        case.picking_id = old
        self.assertEqual(case.warranty_state, "expired")
        case.picking_id = new
        self.assertEqual((case.warranty_state, case.warranty_end), ("valid", date(2026, 8, 31)))

    def test_delivery_of_another_customer_or_company_refused(self):
        """A delivery to another customer, or of another company, is refused with what to do."""
        picking_b = self._deliver(self._lot("SN-B2"), self.entity_b, date(2025, 9, 1))
        case = self._case(product_id=self.serial_product.id)
        with self.assertRaisesRegex(ValidationError, "went to Alpha Logistics JSC, not to Alpha Trade LLC"):
            with self.cr.savepoint():
                case.picking_id = picking_b
                case.flush_recordset()
        case.invalidate_recordset()
        other_company = self.env["res.company"].create({"name": "Sister Co"})
        case_other = self._case(product_id=self.serial_product.id, company_id=other_company.id)
        picking_a = self._deliver(self._lot("SN-A2"), self.entity_a, date(2025, 9, 1))
        with self.assertRaisesRegex(ValidationError, "belongs to .*choose a delivery of Sister Co"):
            with self.cr.savepoint():
                case_other.picking_id = picking_a
                case_other.flush_recordset()

    def test_case_without_product(self):
        """A case without product is recorded; hand-offs ask for the product."""
        case = self._case()
        self.assertEqual(case.warranty_state, "unknown")
        with self.assertRaisesRegex(UserError, "names no product"):
            case.action_create_repair()


def _months(n):
    from dateutil.relativedelta import relativedelta

    return relativedelta(months=n)


@tagged("post_install", "-at_install")
class TestServiceSla(ServiceCaseCommon):
    """SLA deadlines in the company's working hours."""

    def test_deadlines_across_a_weekend(self):
        """Opened Friday 15:00, Mon-Fri 8-12 13-17: 4 h response Monday 10:00, 16 h resolved Tuesday 15:00."""
        self.type_warranty.write({"response_hours_high": 4.0, "resolution_hours_high": 16.0})
        friday = datetime(2026, 12, 4, 15, 0)
        self.assertEqual(friday.weekday(), 4)
        case = self._case(priority="2", date_open=friday)
        self.assertEqual(case.sla_response_deadline, datetime(2026, 12, 7, 10, 0))
        self.assertEqual(case.sla_resolution_deadline, datetime(2026, 12, 8, 15, 0))

    def test_deadlines_follow_the_calendar(self):
        """Open cases are planned again when the calendar changes; a closed case keeps the
        deadlines it was measured against. Opened Friday 15:00 with 4 h to answer: Monday
        10:00; Monday made a public holiday: Tuesday 10:00; the holiday removed: Monday again;
        the type's 4 h made 2 h: Friday 17:00 (15:00 + 2 working hours)."""
        self.type_warranty.write({"response_hours_high": 4.0})
        friday = datetime(2026, 12, 4, 15, 0)
        case = self._case(priority="2", date_open=friday)
        closed = self._case(priority="2", date_open=friday)
        closed.stage_id = self.env.ref("crm_extended.crm_service_case_stage_warranty_resolved")
        monday = datetime(2026, 12, 7, 10, 0)
        self.assertEqual((case | closed).mapped("sla_response_deadline"), [monday, monday])
        holiday = self.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": self.calendar.id,
                "date_from": datetime(2026, 12, 7, 0, 0),
                "date_to": datetime(2026, 12, 7, 23, 59, 59),
            }
        )
        self.assertEqual(case.sla_response_deadline, datetime(2026, 12, 8, 10, 0))
        self.assertEqual(closed.sla_response_deadline, monday)
        holiday.unlink()
        self.assertEqual(case.sla_response_deadline, monday)
        self.calendar.write(
            {
                "global_leave_ids": [
                    Command.create(
                        {
                            "name": "Holiday",
                            "date_from": datetime(2026, 12, 7, 0, 0),
                            "date_to": datetime(2026, 12, 7, 23, 59, 59),
                        }
                    )
                ]
            }
        )
        self.assertEqual(case.sla_response_deadline, datetime(2026, 12, 8, 10, 0))
        self.calendar.global_leave_ids.unlink()
        self.type_warranty.response_hours_high = 2.0
        self.assertEqual(case.sla_response_deadline, datetime(2026, 12, 4, 17, 0))
        self.assertEqual(closed.sla_response_deadline, monday)

    def test_deadlines_follow_the_company_calendar(self):
        """A company given another calendar (24/7) replans its open cases: 4 h after Friday 15:00."""
        self.type_warranty.write({"response_hours_high": 4.0})
        case = self._case(priority="2", date_open=datetime(2026, 12, 4, 15, 0))
        around_the_clock = self.env["resource.calendar"].create(
            {
                "name": "24/7 (UTC)",
                "tz": "UTC",
                "attendance_ids": [
                    Command.create({"name": str(day), "dayofweek": str(day), "hour_from": 0, "hour_to": 24})
                    for day in range(7)
                ],
            }
        )
        self.company.resource_calendar_id = around_the_clock
        self.assertEqual(case.sla_response_deadline, datetime(2026, 12, 4, 19, 0))

    def test_first_response_and_overdue(self):
        """An overdue case is found by the overdue search; a reply to the customer is the first response."""
        case = self._case(priority="3", date_open=datetime(2026, 1, 5, 8, 0))
        self.assertTrue(case.sla_overdue)
        self.assertIn(case, self.env["crm.service.case"].search([("sla_overdue", "=", True)]))
        case.with_user(self.user_service).message_post(
            body="We are on it", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.assertTrue(case.date_first_response)
        self.assertTrue(case.response_late)
        case.stage_id = self.env.ref("crm_extended.crm_service_case_stage_warranty_resolved")
        self.assertTrue(case.date_closed)
        self.assertFalse(case.sla_overdue)
        self.assertNotIn(case, self.env["crm.service.case"].search([("sla_overdue", "=", True)]))

    def test_internal_note_is_not_a_response(self):
        """An internal note does not count as the first response."""
        case = self._case()
        case.message_post(body="note", message_type="comment", subtype_xmlid="mail.mt_note")
        self.assertFalse(case.date_first_response)


@tagged("post_install", "-at_install")
class TestServiceHandoffs(ServiceCaseCommon):
    """Return, repair, replacement and credit note, linked to the case; the stage follows them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lot = cls._lot("SN-HAND")
        cls.delivery = cls._deliver(cls.lot, cls.entity_a, fields.Date.today() - timedelta(days=30))

    def test_return_of_that_serial_only(self):
        """The return reverses the delivery for the case's serial; done, the case moves to its stage."""
        case = self._case(lot_id=self.lot.id)
        case.with_user(self.user_service).action_create_return()
        returned = case.return_picking_ids
        self.assertEqual(len(returned), 1)
        self.assertEqual(returned.return_id, self.delivery)
        self.assertEqual(returned.move_ids.move_line_ids.lot_id, self.lot)
        self.assertEqual(returned.move_ids.product_uom_qty, 1.0)
        self.assertEqual(case.waiting_on, "return")
        returned.move_ids.picked = True
        returned._action_done()
        self.assertEqual(returned.state, "done")
        self.assertEqual(case.stage_id, self.type_warranty.stage_return_done_id)
        self.assertFalse(case.waiting_on)

    def test_repair_under_warranty_and_done(self):
        """The repair is under warranty when the case is; done, the case is Resolved."""
        case = self._case(lot_id=self.lot.id)
        case.with_user(self.user_service).action_create_repair()
        repair = case.repair_ids
        self.assertEqual(len(repair), 1)
        self.assertTrue(repair.under_warranty)
        self.assertEqual((repair.lot_id, repair.partner_id), (self.lot, self.entity_a))
        self.env["stock.quant"]._update_available_quantity(
            self.serial_product, repair.product_location_src_id, 1, lot_id=self.lot
        )
        repair.action_validate()
        repair.action_repair_start()
        repair.action_repair_end()
        self.assertEqual(repair.state, "done")
        self.assertEqual(case.stage_id, self.env.ref("crm_extended.crm_service_case_stage_warranty_resolved"))
        self.assertTrue(case.is_closed and case.date_closed)

    def test_repair_out_of_warranty(self):
        """An expired unit's repair is not under warranty."""
        lot = self._lot("SN-OLD")
        self._deliver(lot, self.entity_a, date(2020, 1, 1))
        case = self._case(lot_id=lot.id)
        case.action_create_repair()
        self.assertFalse(case.repair_ids.under_warranty)

    def test_replacement_delivery(self):
        """A replacement delivers one unit to the customer, linked to the case; done, the case is Resolved."""
        case = self._case(lot_id=self.lot.id)
        case.with_user(self.user_service).action_create_replacement()
        replacement = case.replacement_picking_ids
        self.assertEqual(len(replacement), 1)
        self.assertEqual(replacement.picking_type_code, "outgoing")
        self.assertEqual(replacement.partner_id.commercial_partner_id, self.entity_a)
        self.assertEqual(case.waiting_on, "replacement")
        new_lot = self._lot("SN-NEW")
        self.env["stock.quant"]._update_available_quantity(
            self.serial_product, self.warehouse.lot_stock_id, 1, lot_id=new_lot
        )
        self._validate(replacement, new_lot)
        self.assertEqual(case.stage_id, self.type_warranty.stage_replacement_done_id)
        self.assertEqual(case.cost_replacement, 80.0)

    def test_credit_note(self):
        """The credit note reverses the unit's invoice line (one unit); posted, the case is Resolved."""
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.entity_a.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.serial_product.id,
                            "quantity": 3,
                            "price_unit": 150.0,
                            "tax_ids": False,
                        }
                    ),
                    Command.create(
                        {"product_id": self.product.id, "quantity": 1, "price_unit": 10.0, "tax_ids": False}
                    ),
                ],
            }
        )
        invoice.action_post()
        case = self._case(lot_id=self.lot.id, invoice_id=invoice.id)
        case.action_create_credit_note()
        refund = case.credit_note_ids
        self.assertEqual(refund.move_type, "out_refund")
        self.assertEqual(refund.reversed_entry_id, invoice)
        self.assertEqual(refund.invoice_line_ids.product_id, self.serial_product)
        self.assertEqual(refund.amount_untaxed, 150.0)
        refund.action_post()
        self.assertEqual(case.stage_id, self.type_warranty.stage_refund_done_id)
        self.assertEqual(case.cost_refund, 150.0)

    def test_credit_note_needs_an_invoice(self):
        """Without a posted invoice the credit note is refused with what to do."""
        case = self._case(lot_id=self.lot.id)
        with self.assertRaisesRegex(UserError, "no posted invoice to credit"):
            case.action_create_credit_note()


@tagged("post_install", "-at_install")
class TestServiceCards(ServiceCaseCommon):
    """Cases on the contact's, the company's and the holding's card, and on the serial."""

    def test_card_figures(self):
        """Open, 12 months, average resolution and overdue SLAs on company, contact and holding."""
        lot = self._lot("SN-CARD")
        self._deliver(lot, self.entity_a, date(2025, 6, 1))
        open_case = self._case(
            lot_id=lot.id, contact_id=self.contact_buyer.id, date_open=datetime(2026, 1, 5, 8, 0)
        )
        closed = self._case(subject="Wobbles", date_open=fields.Datetime.now() - timedelta(hours=10))
        closed.stage_id = self.env.ref("crm_extended.crm_service_case_stage_warranty_resolved")
        self._case(partner_id=self.entity_b.id, subject="Other entity")
        self.env.invalidate_all()
        company = self.entity_a.with_user(self.user_service)
        self.assertEqual(company.service_case_open_count, 1)
        self.assertEqual(company.service_case_year_count, 2)
        self.assertEqual(company.service_case_overdue_count, 1)
        self.assertAlmostEqual(company.service_case_avg_hours, 10.0, delta=0.1)
        self.assertEqual(self.contact_buyer.with_user(self.user_service).service_case_open_count, 1)
        holding = self.group_holding.with_user(self.user_service)
        self.assertEqual(holding.service_case_open_count, 2)
        self.assertEqual(lot.with_user(self.user_service).service_case_count, 1)
        self.assertEqual(lot.service_case_ids, open_case)

    def test_create_case_from_call(self):
        """The call screen's Create Case opens a case for the caller and its company."""
        call = self.env["crm.phone.call"].create(
            {"partner_id": self.contact_buyer.id, "direction": "inbound", "caller_number": "+79137004567"}
        )
        action = call.action_create_service_case()
        case = self.env["crm.service.case"].with_context(**action["context"]).create({})
        self.assertEqual(case.partner_id, self.entity_a)
        self.assertEqual(case.contact_id, self.contact_buyer)
        self.assertEqual(case.phone_call_id, call)
        self.assertTrue(case.name.startswith("SC/"))

    def test_email_creates_case_of_the_alias_type(self):
        """An e-mail to the type's alias creates a case of that type."""
        self.type_warranty.alias_name = "warranty-test"
        case = self.env["crm.service.case"].message_new(
            {
                "subject": "Broken chair",
                "from": "boris@alpha.example.com",
                "author_id": self.contact_buyer.id,
                "body": "<p>It broke</p>",
            },
            custom_values={"type_id": self.type_warranty.id},
        )
        self.assertEqual(
            (case.subject, case.type_id, case.partner_id),
            ("Broken chair", self.type_warranty, self.contact_buyer),
        )
        self.assertEqual(self.type_warranty.alias_id.alias_model_id.model, "crm.service.case")
        defaults = literal_eval(self.type_warranty.alias_id.alias_defaults)
        self.assertEqual(defaults["type_id"], self.type_warranty.id)
