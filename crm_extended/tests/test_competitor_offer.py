import base64

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .common import CompetitorCommon


@tagged("post_install", "-at_install")
class TestCompetitorOffer(CompetitorCommon):
    """Competitor offers met in deals, and the lost-reason dialog naming the competitor that won."""

    def _offer(self, lead=None, user=None, **vals):
        Offer = self.env["crm.competitor.offer"].with_user(user or self.user_salesman)
        return Offer.create(
            {
                "lead_id": (lead or self.lead_own).id,
                "competitor_id": self.competitor_vasilek.id,
                "name": "KP-117",
                "date": "2019-05-10",
                "document": base64.b64encode(b"%PDF-1.4 their offer"),
                "document_name": "KP-117.pdf",
                "line_ids": [
                    Command.create({"product_id": self.product.id, "quantity": 10, "price_unit": 85.0}),
                    Command.create({"name": "Assembly", "quantity": 1, "price_unit": 50.0}),
                ],
                **vals,
            }
        )

    def test_offer_total_and_observations(self):
        """The total sums the lines; a line with a product is an observation of the deal, following edits."""
        offer = self._offer()
        self.assertEqual(offer.amount_total, 900.0)
        observation = offer.line_ids.observation_id
        self.assertEqual(len(observation), 1)
        self.assertRecordValues(
            observation,
            [
                {
                    "competitor_id": self.competitor_vasilek.id,
                    "product_id": self.product.id,
                    "price": 85.0,
                    "kind": "offer",
                    "source": "offer",
                    "lead_id": self.lead_own.id,
                    "min_quantity": 10.0,
                    "user_id": self.user_salesman.id,
                }
            ],
        )
        offer.line_ids[0].with_user(self.user_salesman).price_unit = 80.0
        self.assertEqual(observation.price, 80.0)
        self.assertEqual(offer.amount_total, 850.0)
        offer.line_ids[0].with_user(self.user_salesman).unlink()
        self.assertFalse(observation.exists())

    def test_offer_without_lines_keeps_its_typed_total(self):
        """An offer recorded only by its total keeps the total typed."""
        offer = self._offer(line_ids=[], amount_total=1234.0)
        self.assertEqual(offer.amount_total, 1234.0)

    def test_offer_document_is_attached(self):
        """The offer's document is kept as an attachment of the offer, readable by its author."""
        offer = self._offer()
        self.assertEqual(
            base64.b64decode(offer.with_user(self.user_salesman).document), b"%PDF-1.4 their offer"
        )
        attachment = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "crm.competitor.offer"),
                ("res_id", "=", offer.id),
                ("res_field", "=", "document"),
            ]
        )
        self.assertEqual(len(attachment), 1)

    def test_salesperson_records_offers_in_own_deals_only(self):
        """A salesperson records offers in their deal, not in a colleague's, whose offers they cannot read."""
        self._offer()
        with self.assertRaises(AccessError):
            self._offer(lead=self.lead_other)
        other = self._offer(lead=self.lead_other, user=self.user_sales_manager)
        with self.assertRaises(AccessError):
            other.with_user(self.user_salesman).read(["amount_total"])
        self.assertEqual(other.with_user(self.user_competitor).amount_total, 900.0)

    def test_accounting_and_warehouse_read_no_offer(self):
        """Accountants and warehouse users read no offer, no offer line, no lead's offers field."""
        self._offer()
        for user in (self.user_accountant, self.user_stock, self.user_buyer):
            for model in ("crm.competitor.offer", "crm.competitor.offer.line"):
                with self.assertRaises(AccessError, msg=f"{user.login} {model}"):
                    self.env[model].with_user(user).search([])
            fields_ = self.env["crm.lead"].with_user(user).fields_get()
            self.assertFalse(
                {"competitor_offer_ids", "lost_competitor_id", "lost_competitor_price"} & set(fields_)
            )

    def test_lost_wizard_names_the_winning_competitor(self):
        """Losing a deal to an offer records the competitor and its price on the deal and marks the offer."""
        offer = self._offer()
        lead = self.lead_own.with_user(self.user_salesman)
        wizard = Form(
            self.env["crm.lead.lost"].with_user(self.user_salesman).with_context(default_lead_ids=lead.ids)
        )
        wizard.lost_reason_id = self.env["crm.lost.reason"].create({"name": "Too expensive"})
        wizard.competitor_offer_id = offer
        self.assertEqual(wizard.competitor_id, self.competitor_vasilek)
        self.assertEqual(wizard.competitor_price, 900.0)
        wizard.save().action_lost_reason_apply()
        self.assertFalse(self.lead_own.active)
        self.assertEqual(self.lead_own.lost_competitor_id, self.competitor_vasilek)
        self.assertEqual(self.lead_own.lost_competitor_price, 900.0)
        self.assertTrue(offer.is_winner)

    def test_lost_wizard_registers_the_quotation_lines_as_demand(self):
        """Registering the lost deal's demand records its quotation lines, reason 'competitor won'."""
        order = self.env["sale.order"].create(
            {
                "partner_id": self.entity_a.id,
                "opportunity_id": self.lead_own.id,
                "user_id": self.user_salesman.id,
                "order_line": [
                    Command.create({"product_id": self.product.id, "product_uom_qty": 12}),
                    Command.create({"product_id": self.product_desk.id, "product_uom_qty": 2}),
                ],
            }
        )
        Lost = self.env["crm.lead.lost"].with_user(self.user_salesman)
        wizard = Form(Lost.with_context(default_lead_ids=self.lead_own.ids))
        wizard.competitor_id = self.competitor_romashka
        wizard.competitor_price = 1500.0
        wizard.register_demand = True
        self.assertEqual(wizard.demand_reason, "competitor_won")
        wizard.save().action_lost_reason_apply()
        demands = self.env["crm.unsatisfied.demand"].search([("lead_id", "=", self.lead_own.id)])
        self.assertRecordValues(
            demands.sorted("quantity"),
            [
                {
                    "product_id": self.product_desk.id,
                    "quantity": 2,
                    "origin": "lost_deal",
                    "reason": "competitor_won",
                    "competitor_id": self.competitor_romashka.id,
                    "partner_id": self.entity_a.id,
                    "user_id": self.user_salesman.id,
                    "order_id": order.id,
                    "amount_lost": 600.0,
                },
                {
                    "product_id": self.product.id,
                    "quantity": 12,
                    "origin": "lost_deal",
                    "reason": "competitor_won",
                    "competitor_id": self.competitor_romashka.id,
                    "partner_id": self.entity_a.id,
                    "user_id": self.user_salesman.id,
                    "order_id": order.id,
                    "amount_lost": 1200.0,
                },
            ],
        )

    def test_lost_without_quotation_registers_the_winning_offer_lines(self):
        """A deal lost without a quotation registers the winning offer's lines: products and text."""
        offer = self._offer()
        wizard = Form(
            self.env["crm.lead.lost"]
            .with_user(self.user_salesman)
            .with_context(default_lead_ids=self.lead_own.ids)
        )
        wizard.competitor_offer_id = offer
        wizard.register_demand = True
        wizard.save().action_lost_reason_apply()
        demands = self.env["crm.unsatisfied.demand"].search([("lead_id", "=", self.lead_own.id)])
        self.assertEqual(sorted(demands.mapped("quantity")), [1.0, 10.0])
        self.assertEqual(demands.filtered("product_id").product_id, self.product)
        self.assertEqual(demands.filtered(lambda demand: not demand.product_id).description, "Assembly")

    def test_lost_wizard_lists_the_lines_all_ticked(self):
        """The dialog lists the quotation lines to register, every one ticked; a section is not listed."""
        order = self.env["sale.order"].create(
            {
                "partner_id": self.entity_a.id,
                "opportunity_id": self.lead_own.id,
                "user_id": self.user_salesman.id,
                "order_line": [
                    Command.create({"display_type": "line_section", "name": "Office"}),
                    Command.create({"product_id": self.product.id, "product_uom_qty": 12}),
                    Command.create({"product_id": self.product_desk.id, "product_uom_qty": 2}),
                ],
            }
        )
        Lost = self.env["crm.lead.lost"].with_user(self.user_salesman)
        wizard = Form(Lost.with_context(default_lead_ids=self.lead_own.ids))
        wizard.register_demand = True
        self.assertEqual(len(wizard.demand_line_ids), 2)
        record = wizard.save()
        self.assertRecordValues(
            record.demand_line_ids,
            [
                {
                    "is_selected": True,
                    "lead_id": self.lead_own.id,
                    "sale_line_id": order.order_line[1].id,
                    "product_id": self.product.id,
                    "quantity": 12.0,
                },
                {
                    "is_selected": True,
                    "lead_id": self.lead_own.id,
                    "sale_line_id": order.order_line[2].id,
                    "product_id": self.product_desk.id,
                    "quantity": 2.0,
                },
            ],
        )

    def test_lost_wizard_registers_only_the_ticked_lines(self):
        """A line unticked in the dialog is not registered; the ticked ones are."""
        self.env["sale.order"].create(
            {
                "partner_id": self.entity_a.id,
                "opportunity_id": self.lead_own.id,
                "user_id": self.user_salesman.id,
                "order_line": [
                    Command.create({"product_id": self.product.id, "product_uom_qty": 12}),
                    Command.create({"product_id": self.product_desk.id, "product_uom_qty": 2}),
                ],
            }
        )
        Lost = self.env["crm.lead.lost"].with_user(self.user_salesman)
        wizard = Form(Lost.with_context(default_lead_ids=self.lead_own.ids))
        wizard.register_demand = True
        with wizard.demand_line_ids.edit(1) as line:
            line.is_selected = False
        wizard.save().action_lost_reason_apply()
        demands = self.env["crm.unsatisfied.demand"].search([("lead_id", "=", self.lead_own.id)])
        self.assertEqual((demands.product_id, demands.quantity), (self.product, 12.0))

    def test_lost_wizard_lists_the_chosen_offer_lines(self):
        """Without a quotation the dialog lists the lines of the offer chosen as the winner, not another
        offer's; nothing ticked registers nothing."""
        latest = self._offer()
        chosen = self._offer(
            name="KP-200",
            competitor_id=self.competitor_romashka.id,
            line_ids=[
                Command.create({"product_id": self.product_desk.id, "quantity": 3, "price_unit": 250.0})
            ],
        )
        Lost = self.env["crm.lead.lost"].with_user(self.user_salesman)
        wizard = Form(Lost.with_context(default_lead_ids=self.lead_own.ids))
        wizard.register_demand = True
        wizard.competitor_offer_id = chosen
        self.assertEqual(len(wizard.demand_line_ids), 1)
        with wizard.demand_line_ids.edit(0) as line:
            self.assertEqual((line.product_id, line.quantity), (self.product_desk, 3.0))
        wizard.competitor_offer_id = latest
        self.assertEqual(len(wizard.demand_line_ids), 2)
        for index in range(2):
            with wizard.demand_line_ids.edit(index) as line:
                line.is_selected = False
        wizard.save().action_lost_reason_apply()
        self.assertFalse(self.lead_own.active)
        self.assertFalse(self.env["crm.unsatisfied.demand"].search([("lead_id", "=", self.lead_own.id)]))
