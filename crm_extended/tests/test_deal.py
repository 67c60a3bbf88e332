from lxml import etree

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import Form, tagged
from odoo.tools import format_date

from .common import CrmExtendedCase


@tagged("post_install", "-at_install")
class TestDealFigures(CrmExtendedCase):
    """The opportunity knows its money and goods, across currencies and partial steps."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.goods = cls.env["product.product"].create(
            {
                "name": "Deal Desk",
                "type": "consu",
                "is_storable": True,
                "list_price": 100.0,
                "taxes_id": [Command.clear()],
                "invoice_policy": "order",
            }
        )
        warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        cls.env["stock.quant"]._update_available_quantity(cls.goods, warehouse.lot_stock_id, 50)
        cls.lead = cls.env["crm.lead"].create(
            {"name": "Desks for Alpha", "type": "opportunity", "partner_id": cls.entity_a.id}
        )
        # a confirmed order in the company currency: 2 x 100, half delivered, invoiced, 50 paid
        cls.order = cls._make_order(cls.lead, 2, 100.0)
        cls.order.action_confirm()
        picking = cls.order.picking_ids
        picking.move_ids.quantity = 1
        picking.move_ids.picked = True
        backorder_action = picking.button_validate()
        Form.from_action(cls.env, backorder_action).save().process()
        cls.invoice = cls.order._create_invoices()
        cls.invoice.action_post()
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=cls.invoice.ids
        ).create({"amount": 50.0})._create_payments()
        # an open quotation in a foreign currency at 2 units per company unit: 100 foreign = 50
        company_currency = cls.company.currency_id
        foreign = (
            cls.env.ref("base.EUR")
            if company_currency != cls.env.ref("base.EUR")
            else cls.env.ref("base.USD")
        )
        foreign.active = True
        cls.env["res.currency.rate"].search([("currency_id", "=", foreign.id)]).unlink()
        cls.env["res.currency.rate"].create(
            {"currency_id": foreign.id, "rate": 2.0, "name": "2000-01-01", "company_id": cls.company.id}
        )
        pricelist = cls.env["product.pricelist"].create({"name": "Foreign", "currency_id": foreign.id})
        cls.quotation = cls._make_order(cls.lead, 1, 100.0, pricelist=pricelist)

    @classmethod
    def _make_order(cls, lead, qty, price, pricelist=None):
        values = {
            "partner_id": lead.partner_id.id,
            "opportunity_id": lead.id,
            "order_line": [
                Command.create(
                    {"product_id": cls.goods.id, "product_uom_qty": qty, "price_unit": price, "tax_id": False}
                )
            ],
        }
        if pricelist:
            values["pricelist_id"] = pricelist.id
        return cls.env["sale.order"].create(values)

    def test_figures_follow_the_users_access(self):
        """A salesperson's figures count the documents they may open, as Odoo's own Orders
        button does: a colleague's order on their deal is not counted."""
        self.lead.user_id = self.user_salesman
        self.order.user_id = self.user_salesman_other
        self.invoice.invoice_user_id = self.user_salesman_other
        lead = self.lead.with_user(self.user_salesman)
        self.assertAlmostEqual(lead.deal_amount_ordered, 0.0)
        self.assertAlmostEqual(lead.deal_amount_ordered, lead.sale_amount_total)
        self.assertAlmostEqual(lead.deal_amount_invoiced, 0.0)

    def test_amounts(self):
        """Quoted, ordered, invoiced, paid and due, in the company currency."""
        lead = self.lead
        self.assertAlmostEqual(lead.deal_amount_quoted, 50.0)
        self.assertAlmostEqual(lead.deal_amount_ordered, 200.0)
        self.assertAlmostEqual(lead.deal_amount_invoiced, 200.0)
        self.assertAlmostEqual(lead.deal_amount_paid, 50.0)
        self.assertAlmostEqual(lead.deal_amount_due, 150.0)
        self.assertEqual(lead.deal_invoice_count, 1)

    def test_partial_delivery(self):
        """One of two delivered: 50% delivered, the delivery and its backorder are counted."""
        self.assertAlmostEqual(self.lead.deal_delivered_percent, 50.0)
        self.assertEqual(self.lead.deal_delivery_count, 2)

    def test_credit_note_reduces_invoiced(self):
        """A posted credit note for the order is deducted from what was invoiced."""
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=self.invoice.ids)
            .create({"journal_id": self.invoice.journal_id.id, "reason": "damaged"})
        )
        credit_note = self.env["account.move"].browse(reversal.refund_moves()["res_id"])
        credit_note.invoice_line_ids.quantity = 0.5
        credit_note.action_post()
        self.env.invalidate_all()
        self.assertAlmostEqual(self.lead.deal_amount_invoiced, 150.0)
        self.assertEqual(self.lead.deal_invoice_count, 2)

    def test_smart_button_actions(self):
        """The buttons open exactly the deal's invoices, payments and deliveries."""
        self.assertEqual(
            self.env["account.move"].search(self.lead.action_view_deal_invoices()["domain"]), self.invoice
        )
        payments = self.env["account.payment"].search(self.lead.action_view_deal_payments()["domain"])
        self.assertEqual(len(payments), 1)
        self.assertAlmostEqual(payments.amount, 50.0)
        pickings = self.env["stock.picking"].search(self.lead.action_view_deal_deliveries()["domain"])
        self.assertEqual(pickings, self.order.picking_ids)

    def test_queries_do_not_grow_with_deals(self):
        """A list of deals costs the same number of queries as one deal."""
        leads = self.lead
        for index in range(4):
            lead = self.env["crm.lead"].create(
                {"name": f"More {index}", "type": "opportunity", "partner_id": self.entity_b.id}
            )
            self._make_order(lead, 1, 10.0).action_confirm()
            leads |= lead
        self.env.invalidate_all()
        self.lead.mapped("deal_amount_due")  # warm the environment
        self.env.invalidate_all()
        start = self.cr.sql_log_count
        self.lead.mapped("deal_amount_due")
        one = self.cr.sql_log_count - start
        self.env.invalidate_all()
        start = self.cr.sql_log_count
        leads.mapped("deal_amount_due")
        five = self.cr.sql_log_count - start
        self.assertEqual(one, five)
        self.assertLessEqual(five, 8)

    def test_salesman_reads_figures_but_cannot_post(self):
        """A salesperson reads the figures of their deal, orders and invoices, but cannot post an invoice."""
        lead = self.lead.with_user(self.user_salesman)
        self.lead.user_id = self.user_salesman
        (self.order | self.quotation).user_id = self.user_salesman
        self.invoice.invoice_user_id = self.user_salesman
        self.assertAlmostEqual(lead.deal_amount_due, 150.0)
        draft = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.entity_a.id,
                "invoice_line_ids": [
                    Command.create({"name": "x", "quantity": 1, "price_unit": 1.0, "tax_ids": False})
                ],
            }
        )
        with self.assertRaises(AccessError):
            draft.with_user(self.user_salesman).action_post()


@tagged("post_install", "-at_install")
class TestReceivables(CrmExtendedCase):
    """Salespeople see what the customer, or its whole holding, owes past due."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for partner, amount, date in (
            (cls.entity_a, 300.0, "2020-01-10"),
            (cls.entity_b, 200.0, "2020-03-01"),
        ):
            invoice = cls.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": date,
                    "invoice_line_ids": [
                        Command.create({"name": "Old", "quantity": 1, "price_unit": amount, "tax_ids": False})
                    ],
                }
            )
            invoice.action_post()
            # the due date is what makes a debt overdue: set it in the past explicitly
            invoice.line_ids.filtered(lambda line: line.date_maturity).date_maturity = date
            invoice.invoice_date_due = date
        cls.not_due = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.entity_a.id,
                "invoice_date": fields.Date.today(),
                "invoice_line_ids": [
                    Command.create({"name": "New", "quantity": 1, "price_unit": 999.0, "tax_ids": False})
                ],
            }
        )
        cls.not_due.action_post()

    def test_holding_receivables(self):
        """For an entity of a holding, every entity's overdue invoices count; the oldest date is kept."""
        self.assertAlmostEqual(self.contact_buyer.crm_overdue_amount, 500.0)
        self.assertEqual(str(self.contact_buyer.crm_overdue_date), "2020-01-10")

    def test_customer_without_holding(self):
        """Without a holding, only the customer's own overdue invoices count."""
        self.entity_b.client_group_id = False
        self.assertAlmostEqual(self.entity_b.crm_overdue_amount, 200.0)
        self.assertAlmostEqual(self.entity_a.crm_overdue_amount, 300.0)

    def test_opportunity_shows_receivables_to_salesman(self):
        """The opportunity of a salesperson shows the customer's overdue amount."""
        lead = self.env["crm.lead"].create(
            {
                "name": "Next order",
                "type": "opportunity",
                "partner_id": self.entity_a.id,
                "user_id": self.user_salesman.id,
            }
        )
        self.assertAlmostEqual(lead.with_user(self.user_salesman).customer_overdue_amount, 500.0)


@tagged("post_install", "-at_install")
class TestRevenueAnalysis(CrmExtendedCase):
    """Accountants analyse invoiced revenue by deal, source, campaign and salesperson."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.source = cls.env["utm.source"].create({"name": "Trade fair 2026"})
        cls.campaign = cls.env["utm.campaign"].create({"name": "Autumn chairs"})
        cls.lead = cls.env["crm.lead"].create(
            {
                "name": "Fair contact: 10 chairs",
                "type": "opportunity",
                "partner_id": cls.entity_a.id,
                "source_id": cls.source.id,
                "campaign_id": cls.campaign.id,
                "user_id": cls.user_salesman.id,
            }
        )
        cls.product.invoice_policy = "order"
        order = cls.env["sale.order"].create(
            {
                "partner_id": cls.entity_a.id,
                "opportunity_id": cls.lead.id,
                "source_id": cls.source.id,
                "campaign_id": cls.campaign.id,
                "user_id": cls.user_salesman.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": cls.product.id,
                            "product_uom_qty": 10,
                            "price_unit": 30.0,
                            "tax_id": False,
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        cls.invoice = order._create_invoices()
        cls.invoice.action_post()

    def test_accountant_groups_revenue_by_source_and_deal(self):
        """The accountant's analysis attributes the invoice to its source, campaign and deal."""
        Report = self.env["account.invoice.report"].with_user(self.user_accountant)
        rows = Report._read_group(
            [("move_id", "=", self.invoice.id)],
            ["source_id", "campaign_id", "opportunity_name", "invoice_user_id"],
            ["price_subtotal:sum"],
        )
        self.assertEqual(len(rows), 1)
        source, campaign, deal, salesperson, revenue = rows[0]
        self.assertEqual(source, self.source)
        self.assertEqual(campaign, self.campaign)
        self.assertEqual(deal, "Fair contact: 10 chairs")
        self.assertEqual(salesperson, self.user_salesman)
        self.assertAlmostEqual(revenue, 300.0)

    def test_accountant_cannot_open_the_crm(self):
        """The same accountant reads no lead itself."""
        with self.assertRaises(AccessError):
            self.lead.with_user(self.user_accountant).read(["name"])


@tagged("post_install", "-at_install")
class TestOverdueConfirmation(CrmExtendedCase):
    """Confirming an order for a customer with overdue invoices asks first and logs who went on."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.entity_b.id,
                "invoice_date": "2021-05-01",
                "invoice_date_due": "2021-05-01",
                "invoice_payment_term_id": False,
                "invoice_line_ids": [
                    Command.create({"name": "Old", "quantity": 1, "price_unit": 120.0, "tax_ids": False})
                ],
            }
        )
        invoice.action_post()
        invoice.line_ids.filtered("date_maturity").date_maturity = "2021-05-01"
        invoice.invoice_date_due = "2021-05-01"

    def _order(self, partner):
        return (
            self.env["sale.order"]
            .with_user(self.user_salesman)
            .create(
                {
                    "partner_id": partner.id,
                    "user_id": self.user_salesman.id,
                    "order_line": [Command.create({"product_id": self.product.id, "product_uom_qty": 1})],
                }
            )
        )

    def test_form_confirmation_asks_first(self):
        """From the form, the holding's overdue invoices open the confirmation dialog instead."""
        order = self._order(self.entity_a)  # entity_a's holding sibling entity_b is overdue
        action = order.with_context(crm_check_overdue=True).action_confirm()
        self.assertEqual(action["res_model"], "sale.order.overdue.confirm")
        self.assertEqual(order.state, "draft")
        wizard = Form.from_action(self.env(user=self.user_salesman), action).save()
        self.assertAlmostEqual(wizard.overdue_amount, 120.0)
        self.assertEqual(str(wizard.overdue_date), "2021-05-01")

    def test_confirm_anyway_is_logged(self):
        """Confirming anyway confirms the order and logs who did it and for how much."""
        order = self._order(self.entity_a)
        action = order.with_context(crm_check_overdue=True).action_confirm()
        Form.from_action(self.env(user=self.user_salesman), action).save().action_confirm()
        self.assertEqual(order.state, "sale")
        note = order.message_ids.filtered(lambda m: "despite" in (m.body or ""))
        self.assertEqual(len(note), 1)
        self.assertIn(self.user_salesman.name, note.body)
        # who owes (the holding's sister entity), how much, since when
        self.assertIn("Alpha Logistics JSC", note.body)
        self.assertIn("120.00", note.body)
        self.assertIn(format_date(self.env, "2021-05-01"), note.body)

    def test_confirm_anyway_without_email(self):
        """A user without an e-mail address confirms anyway (the log line needs no sender address)."""
        self.user_salesman.partner_id.email = False
        order = self._order(self.entity_a)
        action = order.with_context(crm_check_overdue=True).action_confirm()
        Form.from_action(self.env(user=self.user_salesman), action).save().action_confirm()
        self.assertEqual(order.state, "sale")

    def test_customer_without_overdue_confirms_directly(self):
        """A customer with nothing overdue is confirmed at once."""
        customer = self.env["res.partner"].create({"name": "Clean Payer", "is_company": True})
        order = self._order(customer)
        self.assertTrue(order.with_context(crm_check_overdue=True).action_confirm())
        self.assertEqual(order.state, "sale")

    def test_programmatic_confirmation_not_interrupted(self):
        """Confirmations by code (portal signature, imports) are not interrupted."""
        order = self._order(self.entity_a)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_invoice_shows_its_deal_to_accountants(self):
        """An invoice made from an opportunity's order names the deal; accountants read it."""
        lead = self.env["crm.lead"].create(
            {
                "name": "Origin deal",
                "type": "opportunity",
                "partner_id": self.entity_a.id,
                "user_id": self.user_salesman.id,
            }
        )
        order = self._order(self.entity_a)
        order.opportunity_id = lead
        order.action_confirm()
        self.product.invoice_policy = "order"
        invoice = order._create_invoices()
        self.assertEqual(invoice.crm_opportunity_id, lead)
        self.assertEqual(invoice.with_user(self.user_accountant).crm_opportunity_name, "Origin deal")


@tagged("post_install", "-at_install")
class TestDealBasis(CrmExtendedCase):
    """One screen, one basis: orders and pipeline untaxed (as Odoo's Orders button),
    what is owed and paid with taxes; each figure says which."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tax = cls.env["account.tax"].create(
            {"name": "VAT 15% (test)", "amount": 15.0, "type_tax_use": "sale"}
        )
        cls.lead = cls.env["crm.lead"].create(
            {"name": "Taxed deal", "type": "opportunity", "partner_id": cls.entity_a.id}
        )
        cls.product.invoice_policy = "order"
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": cls.entity_a.id,
                "opportunity_id": cls.lead.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": cls.product.id,
                            "product_uom_qty": 2,
                            "price_unit": 100.0,
                            "tax_id": tax.ids,
                        }
                    )
                ],
            }
        )
        cls.order.action_confirm()
        cls.invoice = cls.order._create_invoices()
        cls.invoice.action_post()

    def test_orders_untaxed_as_odoo_button(self):
        """Ordered is the untaxed total, the figure of Odoo's own Orders button."""
        self.assertAlmostEqual(self.lead.deal_amount_ordered, 200.0)
        self.assertAlmostEqual(self.lead.deal_amount_ordered, self.lead.sale_amount_total)

    def test_invoiced_untaxed_and_owed_with_taxes(self):
        """Invoiced is untaxed beside it; what the invoices ask, paid and due are with taxes."""
        lead = self.lead
        self.assertAlmostEqual(lead.deal_amount_invoiced, 200.0)
        self.assertAlmostEqual(lead.deal_amount_invoiced_total, 230.0)
        self.assertAlmostEqual(lead.deal_amount_due, 230.0)
        self.assertAlmostEqual(lead.deal_amount_paid + lead.deal_amount_due, lead.deal_amount_invoiced_total)

    def test_each_figure_names_its_basis(self):
        """The labels say untaxed or taxes included."""
        labels = self.env["crm.lead"].fields_get(
            ["deal_amount_quoted", "deal_amount_ordered", "deal_amount_invoiced", "deal_amount_due"],
            ["string"],
        )
        self.assertIn("untaxed", labels["deal_amount_ordered"]["string"])
        self.assertIn("untaxed", labels["deal_amount_quoted"]["string"])
        self.assertIn("untaxed", labels["deal_amount_invoiced"]["string"])
        self.assertIn("taxes incl.", labels["deal_amount_due"]["string"])

    def test_invoice_names_the_renamed_deal(self):
        """Renaming the deal after invoicing renames it on the invoice (and in the revenue analysis)."""
        self.assertEqual(self.invoice.crm_opportunity_name, "Taxed deal")
        self.lead.name = "Taxed deal, renamed"
        self.assertEqual(self.invoice.crm_opportunity_name, "Taxed deal, renamed")
        rows = self.env["account.invoice.report"]._read_group(
            [("move_id", "=", self.invoice.id)], ["opportunity_name"], ["price_subtotal:sum"]
        )
        self.assertEqual(rows[0][0], "Taxed deal, renamed")

    def test_paid_button_only_for_those_who_can_open_payments(self):
        """The Paid button opens payments: a salesperson, who cannot open them, is not shown it."""
        self.lead.user_id = self.user_salesman
        arch = (
            self.env["crm.lead"]
            .with_user(self.user_salesman)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertNotIn("action_view_deal_payments", arch)
        self.assertIn("action_view_deal_invoices", arch)
        self.assertIn("deal_amount_paid", arch)
        with self.assertRaises(AccessError):
            self.env["account.payment"].with_user(self.user_salesman).search([])

    def test_accountant_deal_block_opens_nothing_forbidden(self):
        """On the invoice, the accountant's Deal block names the deal and its team without links
        to records they cannot open (the lead, the sales team's form)."""
        views = self.env["account.move"].with_user(self.user_accountant).get_views([(False, "form")])
        arch = views["views"]["form"]
        block = etree.fromstring(arch["arch"]).xpath("//group[@name='crm_deal']")[0]
        self.assertFalse(block.xpath(".//field[@name='crm_opportunity_id']"))
        self.assertTrue(block.xpath(".//field[@name='crm_opportunity_name']"))
        for name in ("team_id", "invoice_user_id", "campaign_id", "source_id", "medium_id"):
            self.assertIn("no_open", block.xpath(f".//field[@name='{name}']")[0].get("options", ""), name)
