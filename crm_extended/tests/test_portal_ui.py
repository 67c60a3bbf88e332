from odoo.tests import HttpCase, tagged

from .common import PortalCommon


@tagged("post_install", "-at_install")
class TestPortalUi(PortalCommon, HttpCase):
    """Browser tours of the client's portal (#18), as a portal user of Alpha Trade LLC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_buyer.password = "pt_buyer"

    def test_follow_order_to_delivery(self):
        """A client follows its order to the delivery, its tracking link and serial."""
        self.start_tour("/my/orders", "crm_extended_portal_order_tour", login="pt_buyer")

    def test_warranty_request(self):
        """A client opens a warranty request for a delivered serial, the warranty shown at once."""
        self.start_tour("/my/cases", "crm_extended_portal_warranty_tour", login="pt_buyer")
        case = self.env["crm.service.case"].search([("subject", "=", "The seat does not hold its height")])
        self.assertEqual(case.lot_id, self.lot_a)
        self.assertEqual(case.warranty_state, "valid")

    def test_notification_preferences(self):
        """A client declines SMS and the order confirmations."""
        self.start_tour("/my/notifications", "crm_extended_portal_notifications_tour", login="pt_buyer")
        partner = self.contact_buyer
        self.assertFalse(partner.crm_notify_sms)
        self.assertTrue(partner.crm_notify_email)
        self.assertIn(
            self.env.ref("crm_extended.crm_notification_event_order_confirmed"), partner.crm_notify_optout_ids
        )
