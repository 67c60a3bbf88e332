from datetime import date, timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .test_money import MultiCurrencyCase


class CampaignCase(MultiCurrencyCase):
    """A small channel data set whose every figure is derived by hand below.

    Rates (shared): the foreign currency is worth 4 company units from 2021
    (rate 0.25, from MultiCurrencyCase) and 2 units from 2026-02-01 (rate 0.5).

    Channels: source Fair (medium Offline, campaign Spring Fair) and source
    Ads (medium Paid, campaign Search).

    Costs (company currency after conversion at each cost's own date):
      K1 Spring Fair / Fair   2026-01-15  100 foreign x 4 = 400
      K2 Search / Ads         2026-02-10  100 foreign x 2 = 200
      K3 Search / Ads         2026-02-11  300 company     = 300
    (K4, 50 foreign in the second company on 2026-02-15, only in the
    multi-company tests.)

    Leads (date they came in; salesperson):
      L1 client X, Fair, 2026-01-10, a lead, open                      (sam)
      L4 no client, Fair, 2026-01-12, a lead, open                     (olga)
      L2 client X, Ads,  2026-02-05, opportunity, won 2026-02-20       (sam)
      L3 client Y, Ads,  2026-02-06, opportunity, open                 (olga)
      L5 client Y, Fair, 2026-02-15, opportunity, won 2026-02-28       (olga)
    X's first lead is L1 (Fair), Y's first lead is L3 (Ads): first touch
    moves L2 to Fair and L5 to Ads. X's first won deal is L2, Y's is L5: both
    bring a new customer.

    Invoices (untaxed, company currency; the product's cost price is 150):
      I1 L2's order, 2026-02-25: 2 x 500 = 1000, cost of goods 2 x 150 = 300
      I2 L5's order, 2026-03-03: 1 x 500 =  500, cost of goods 150
      R1 credit note of I2, 2026-03-05: 1 x 200 = -200, cost of goods -150
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.currency.rate"].create(
            {"currency_id": cls.foreign.id, "name": "2026-02-01", "rate": 0.5, "company_id": False}
        )
        Utm = cls.env  # UTM records
        cls.medium_offline = Utm["utm.medium"].create({"name": "Offline Test"})
        cls.medium_paid = Utm["utm.medium"].create({"name": "Paid Test"})
        cls.source_fair = Utm["utm.source"].create({"name": "Fair Test"})
        cls.source_ads = Utm["utm.source"].create({"name": "Ads Test"})
        cls.campaign_fair = Utm["utm.campaign"].create({"title": "Spring Fair Test"})
        cls.campaign_ads = Utm["utm.campaign"].create({"title": "Search Test"})
        Cost = cls.env["crm.campaign.cost"]
        cls.cost_k1, cls.cost_k2, cls.cost_k3 = Cost.create(
            [
                cls._cost_vals(
                    cls.campaign_fair, cls.source_fair, cls.medium_offline, "2026-01-15", 100, cls.foreign
                ),
                cls._cost_vals(
                    cls.campaign_ads, cls.source_ads, cls.medium_paid, "2026-02-10", 100, cls.foreign
                ),
                cls._cost_vals(
                    cls.campaign_ads, cls.source_ads, cls.medium_paid, "2026-02-11", 300, cls.currency
                ),
            ]
        )
        Partner = cls.env["res.partner"]
        cls.client_x = Partner.create({"name": "Xeno Test LLC", "is_company": True})
        cls.client_y = Partner.create({"name": "Yakut Test JSC", "is_company": True})
        cls.goods = cls.env["product.product"].create(
            {
                "name": "Channel Desk",
                "type": "consu",
                "list_price": 500.0,
                "standard_price": 150.0,
                "taxes_id": [Command.clear()],
                "invoice_policy": "order",
            }
        )
        fair = (cls.campaign_fair, cls.source_fair, cls.medium_offline)
        ads = (cls.campaign_ads, cls.source_ads, cls.medium_paid)
        sam, olga = cls.user_salesman, cls.user_salesman_other
        cls.lead_1 = cls._lead("L1", cls.client_x, fair, "2026-01-10", "lead", sam)
        cls.lead_4 = cls._lead("L4", None, fair, "2026-01-12", "lead", olga)
        cls.lead_2 = cls._lead("L2", cls.client_x, ads, "2026-02-05", "opportunity", sam, won="2026-02-20")
        cls.lead_3 = cls._lead("L3", cls.client_y, ads, "2026-02-06", "opportunity", olga)
        cls.lead_5 = cls._lead("L5", cls.client_y, fair, "2026-02-15", "opportunity", olga, won="2026-02-28")
        cls.invoice_1 = cls._deal_invoice(cls.lead_2, 2, 500.0, "2026-02-25")
        cls.invoice_2 = cls._deal_invoice(cls.lead_5, 1, 500.0, "2026-03-03")
        reversal = (
            cls.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=cls.invoice_2.ids)
            .create({"journal_id": cls.invoice_2.journal_id.id, "reason": "discount", "date": "2026-03-05"})
        )
        cls.refund_1 = cls.env["account.move"].browse(reversal.refund_moves()["res_id"])
        cls.refund_1.invoice_date = "2026-03-05"
        cls.refund_1.invoice_line_ids.price_unit = 200.0
        cls.refund_1.action_post()
        cls.env.flush_all()

    @classmethod
    def _cost_vals(cls, campaign, source, medium, day, amount, currency, company=None):
        return {
            "campaign_id": campaign.id,
            "source_id": source.id,
            "medium_id": medium.id,
            "date": day,
            "amount": amount,
            "currency_id": currency.id,
            "company_id": (company or cls.company).id,
            "name": f"{campaign.title} {day}",
        }

    @classmethod
    def _lead(cls, name, client, channel, came_in, lead_type, user, won=None):
        campaign, source, medium = channel
        lead = cls.env["crm.lead"].create(
            {
                "name": f"{name} Channel Test",
                "type": lead_type,
                "partner_id": client.id if client else False,
                "campaign_id": campaign.id,
                "source_id": source.id,
                "medium_id": medium.id,
                "user_id": user.id,
                "team_id": False,
            }
        )
        if won:
            lead.action_set_won()
            lead.date_closed = f"{won} 12:00:00"
        cls.env.flush_all()
        cls.env.cr.execute(
            "UPDATE crm_lead SET create_date = %s WHERE id = %s", (f"{came_in} 10:00:00", lead.id)
        )
        lead.invalidate_recordset(["create_date"])
        return lead

    @classmethod
    def _deal_invoice(cls, lead, qty, price, invoice_date):
        order = cls.env["sale.order"].create(
            {
                "partner_id": lead.partner_id.id,
                "opportunity_id": lead.id,
                "user_id": lead.user_id.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": cls.goods.id,
                            "product_uom_qty": qty,
                            "price_unit": price,
                            "tax_id": False,
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        invoice = order._create_invoices()
        invoice.invoice_date = invoice_date
        invoice.action_post()
        return invoice

    def _report(self, user, *companies):
        companies = companies or (self.company,)
        return self._as(user, *companies)["crm.channel.report"]

    def _sums(self, report, groupby, measures, attribution="last", domain=None):
        """{group key: {measure: value}} of the report read as its environment's user."""
        domain = [("attribution", "=", attribution), *(domain or [])]
        rows = report._read_group(domain, groupby, [f"{m}:sum" for m in measures])
        result = {}
        for row in rows:
            keys, values = row[: len(groupby)], row[len(groupby) :]
            key = tuple(k.id if hasattr(k, "id") else k for k in keys)
            result[key[0] if len(key) == 1 else key] = dict(zip(measures, values, strict=True))
        return result


@tagged("post_install", "-at_install")
class TestCampaignCosts(CampaignCase):
    """Cost lines in any currency, converted at their own date; vendor bills as costs."""

    def test_cost_converted_at_its_own_date(self):
        """100 foreign units cost 400 on 2026-01-15 (rate 0.25) and 200 on 2026-02-10 (rate 0.5)."""
        self.assertAlmostEqual(self.cost_k1.amount_company, 400.0)
        self.assertAlmostEqual(self.cost_k2.amount_company, 200.0)
        self.assertAlmostEqual(self.cost_k3.amount_company, 300.0)
        # the same as Odoo's own conversion at each date
        self.assertAlmostEqual(
            self.cost_k2.amount_company,
            self.foreign._convert(100, self.currency, self.company, date(2026, 2, 10)),
        )

    def test_campaign_figures(self):
        """The campaign form: cost, leads, won deals, invoiced revenue and ROI (last touch).

        Spring Fair: cost K1 400; leads L1, L4, L5 = 3; qualified L5 = 1; won L5 = 1;
        revenue I2 500 - R1 200 = 300; ROI (300 - 400) / 400 = -25 %."""
        campaign = self.campaign_fair.with_env(self._as(self.user_sales_manager, self.company))
        self.assertAlmostEqual(campaign.crm_cost_amount, 400.0)
        self.assertEqual(campaign.crm_lead_count, 3)
        self.assertEqual(campaign.crm_opportunity_count, 1)
        self.assertEqual(campaign.crm_won_count, 1)
        self.assertAlmostEqual(campaign.crm_revenue_amount, 300.0)
        self.assertAlmostEqual(campaign.crm_roi, -25.0)
        self.assertEqual(campaign.crm_currency_id, self.currency)

    def test_goals_progress(self):
        """Goals of 6 leads, 4 won deals, 1200 revenue and a 800 budget: 3/6 = 50 %, 1/4 = 25 %,
        300/1200 = 25 %, 400/800 = 50 %."""
        self.campaign_fair.write(
            {
                "crm_goal_lead_count": 6,
                "crm_goal_won_count": 4,
                "crm_goal_revenue": 1200.0,
                "crm_budget": 800.0,
                "crm_budget_currency_id": self.currency.id,
                "crm_date_start": "2026-01-01",
            }
        )
        campaign = self.campaign_fair.with_env(self._as(self.user_sales_manager, self.company))
        self.assertAlmostEqual(campaign.crm_goal_lead_progress, 50.0)
        self.assertAlmostEqual(campaign.crm_goal_won_progress, 25.0)
        self.assertAlmostEqual(campaign.crm_goal_revenue_progress, 25.0)
        self.assertAlmostEqual(campaign.crm_budget_used, 50.0)

    def _vendor_bill(self, amount):
        bill = self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": self.client_x.id,
                "invoice_date": "2026-03-01",
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Fair stand", "quantity": 1, "price_unit": amount, "tax_ids": False}
                    )
                ],
            }
        )
        bill.invoice_line_ids.write(
            {"crm_campaign_id": self.campaign_fair.id, "crm_medium_id": self.medium_offline.id}
        )
        return bill

    def test_vendor_bill_line_is_the_cost(self):
        """A posted vendor bill line linked to the campaign becomes its cost line (250 more:
        650); back to draft, the cost line is gone (400 again)."""
        bill = self._vendor_bill(250.0)
        Cost = self.env["crm.campaign.cost"]
        self.assertFalse(Cost.search([("move_line_id", "in", bill.line_ids.ids)]), "a draft bill is no cost")
        bill.action_post()
        cost = Cost.search([("move_line_id", "in", bill.line_ids.ids)])
        self.assertEqual(len(cost), 1)
        self.assertAlmostEqual(cost.amount_company, 250.0)
        self.assertEqual(cost.date, date(2026, 3, 1))
        self.assertEqual(cost.medium_id, self.medium_offline)
        campaign = self.campaign_fair.with_env(self._as(self.user_sales_manager, self.company))
        self.assertAlmostEqual(campaign.crm_cost_amount, 650.0)
        bill.button_draft()
        self.assertFalse(cost.exists())
        campaign.invalidate_recordset()
        self.assertAlmostEqual(campaign.crm_cost_amount, 400.0)


@tagged("post_install", "-at_install")
class TestChannelReport(CampaignCase):
    """The channel report's figures on the hand-checked data set (see CampaignCase)."""

    MEASURES = (
        "lead_count",
        "opportunity_count",
        "won_count",
        "new_customer_count",
        "revenue",
        "cost",
        "margin",
    )

    def test_last_touch_by_source(self):
        """Last touch (each lead's own source):
        Fair: leads L1 L4 L5 = 3, qualified L5 = 1, won L5 = 1, new customer Y = 1,
              revenue 500 - 200 = 300, cost 400, margin 300 - (150 - 150) = 300;
        Ads:  leads L2 L3 = 2, qualified 2, won L2 = 1, new customer X = 1,
              revenue 1000, cost 200 + 300 = 500, margin 1000 - 300 = 700."""
        report = self._report(self.user_sales_manager)
        sums = self._sums(report, ["source_id"], self.MEASURES)
        self.assertEqual(
            sums[self.source_fair.id],
            {
                "lead_count": 3,
                "opportunity_count": 1,
                "won_count": 1,
                "new_customer_count": 1,
                "revenue": 300.0,
                "cost": 400.0,
                "margin": 300.0,
            },
        )
        self.assertEqual(
            sums[self.source_ads.id],
            {
                "lead_count": 2,
                "opportunity_count": 2,
                "won_count": 1,
                "new_customer_count": 1,
                "revenue": 1000.0,
                "cost": 500.0,
                "margin": 700.0,
            },
        )

    def test_first_touch_by_source(self):
        """First touch (the source of the client's first lead): X's first lead L1 is Fair,
        so L2 and I1 count for Fair; Y's first lead L3 is Ads, so L5, I2 and R1 count for Ads;
        L4 has no client and keeps its own source. Costs do not move.
        Fair: leads L1 L2 L4 = 3, qualified L2 = 1, won L2 = 1, new 1, revenue 1000, cost 400;
        Ads:  leads L3 L5 = 2, qualified 2, won L5 = 1, new 1, revenue 300, cost 500."""
        report = self._report(self.user_sales_manager)
        sums = self._sums(report, ["source_id"], self.MEASURES, attribution="first")
        fair, ads = sums[self.source_fair.id], sums[self.source_ads.id]
        self.assertEqual(
            (fair["lead_count"], fair["opportunity_count"], fair["won_count"], fair["new_customer_count"]),
            (3, 1, 1, 1),
        )
        self.assertEqual((fair["revenue"], fair["cost"]), (1000.0, 400.0))
        self.assertEqual(
            (ads["lead_count"], ads["opportunity_count"], ads["won_count"], ads["new_customer_count"]),
            (2, 2, 1, 1),
        )
        self.assertEqual((ads["revenue"], ads["cost"]), (300.0, 500.0))

    def test_attribution_side_by_side(self):
        """Grouped by attribution and source, both readings come in one answer."""
        report = self._report(self.user_sales_manager)
        rows = report._read_group([], ["attribution", "source_id"], ["revenue:sum"])
        revenue = {(attribution, source.id): value for attribution, source, value in rows}
        self.assertEqual(revenue[("last", self.source_fair.id)], 300.0)
        self.assertEqual(revenue[("first", self.source_fair.id)], 1000.0)
        self.assertEqual(revenue[("last", self.source_ads.id)], 1000.0)
        self.assertEqual(revenue[("first", self.source_ads.id)], 300.0)

    def test_by_month(self):
        """Last touch per month: January: leads L1 L4 = 2, cost K1 400; February: leads L2 L3 L5
        = 3, cost 200 + 300 = 500, revenue I1 1000; March: revenue 500 - 200 = 300."""
        report = self._report(self.user_sales_manager)
        rows = report._read_group(
            [("attribution", "=", "last"), ("date", ">=", "2026-01-01"), ("date", "<", "2026-04-01")],
            ["date:month"],
            ["lead_count:sum", "cost:sum", "revenue:sum"],
        )
        by_month = {month.month: (leads, cost, revenue) for month, leads, cost, revenue in rows}
        self.assertEqual(by_month, {1: (2, 400.0, 0.0), 2: (3, 500.0, 1000.0), 3: (0, 0.0, 300.0)})

    def test_date_bounds_of_a_domain(self):
        """The dates a search asks for are read off its top-level conjunction only, as
        inclusive bounds that the domain implies."""
        bounds = self.env["crm.channel.report"]._crm_date_bounds
        month = [("date", ">=", "2026-02-01"), ("date", "<", "2026-03-01")]
        self.assertEqual(bounds(month), (date(2026, 2, 1), date(2026, 3, 1)))
        self.assertEqual(bounds([("date", "=", date(2026, 2, 3))]), (date(2026, 2, 3), date(2026, 2, 3)))
        self.assertEqual(bounds([("date", ">", "2026-02-01 12:00:00")]), (date(2026, 2, 1), None))
        self.assertEqual(
            bounds([*month, ("date", "<=", "2026-02-15"), ("source_id", "=", 1)]),
            (date(2026, 2, 1), date(2026, 2, 15)),
        )
        # an OR or a NOT anywhere, other operators, other fields, no usable value: no bound
        self.assertIsNone(bounds(["|", ("date", ">=", "2026-02-01"), ("source_id", "=", 1)]))
        self.assertIsNone(bounds([("source_id", "=", 1), "!", ("date", "<", "2026-02-01")]))
        self.assertIsNone(bounds([("date", "!=", "2026-02-01"), ("date", "in", ["2026-02-01"])]))
        self.assertIsNone(bounds([("create_date", ">=", "2026-02-01"), ("date", ">=", False)]))
        self.assertIsNone(bounds([("date", ">=", "not a date")]))
        self.assertIsNone(bounds([]))

    def test_dates_reach_the_facts_with_the_same_answer(self):
        """A search's dates filter the leads, invoices and costs it reads (so that a month
        reads a month), and every answer is the one of the report filtered afterwards: on the
        data set and on leads that came in near midnight, in time zones a day apart."""
        Report = type(self.env["crm.channel.report"])
        near_midnight = [
            # UTC creation, the time zone whose local date makes it a February lead, or not
            ("2026-01-31 10:30:00", "Pacific/Kiritimati"),  # UTC+14: 1 February 00:30
            ("2026-03-01 10:30:00", "Pacific/Pago_Pago"),  # UTC-11: 28 February 23:30
            ("2026-01-31 23:30:00", "Pacific/Pago_Pago"),  # 31 January 12:30: January
        ]
        for created, _tz in near_midnight:
            fair = (self.campaign_fair, self.source_fair, self.medium_offline)
            lead = self._lead("Midnight", self.client_x, fair, "2026-02-10", "lead", self.user_salesman)
            self.env.cr.execute("UPDATE crm_lead SET create_date = %s WHERE id = %s", (created, lead.id))
        self.env.invalidate_all()
        measures = [f"{m}:sum" for m in self.MEASURES]
        domains = [
            [("date", ">=", "2026-02-01"), ("date", "<", "2026-03-01")],
            [("date", ">=", "2026-02-01"), ("date", "<=", "2026-02-28"), ("attribution", "=", "first")],
            [("date", "=", "2026-02-25")],
            [("date", ">", "2026-02-28")],
            [("date", "<", "2026-02-06")],
        ]
        for tz in ("UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"):
            report = self._report(self.user_sales_manager).with_context(tz=tz)
            for domain in domains:
                with self.subTest(tz=tz, domain=domain):
                    bounded = report._read_group(domain, ["source_id", "date:day"], measures)
                    with patch.object(Report, "_crm_date_bounds", return_value=None):
                        unbounded = report._read_group(domain, ["source_id", "date:day"], measures)
                    self.assertTrue(unbounded)
                    self.assertEqual(bounded, unbounded)
        # February's leads in each time zone: L2, L3, L5 and the midnight leads whose local
        # date is in February (the data set's leads came in at 10:00 UTC)
        february = [("attribution", "=", "last"), *domains[0]]
        counts = {
            tz: self._report(self.user_sales_manager)
            .with_context(tz=tz)
            ._read_group(february, [], ["lead_count:sum"])[0][0]
            for tz in ("UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago")
        }
        self.assertEqual(counts, {"UTC": 3, "Pacific/Kiritimati": 5, "Pacific/Pago_Pago": 4})
        # the bounds are in the statement (the facts' scans), not only in its outer filter
        params = self._report(self.user_sales_manager)._search(domains[0]).select().params
        self.assertIn(date(2026, 2, 1), params)  # the invoices' and costs' first day
        self.assertIn(date(2026, 1, 31), params)  # the leads', widened by a day
        self.assertIn(date(2026, 3, 2), params)  # the leads' end, widened by a day

    def test_dates_in_a_forged_context_are_ignored(self):
        """Bounds sent in the context (over RPC) change nothing: only the report's own search
        passes them, from its domain."""
        report = self._report(self.user_sales_manager)
        forged = report.with_context(crm_channel_dates=("2030-01-01", "2030-01-02"))
        measures = [f"{m}:sum" for m in self.MEASURES]
        self.assertEqual(
            forged._read_group([], ["source_id"], measures), report._read_group([], ["source_id"], measures)
        )
        records = report.search([("attribution", "=", "last")])
        self.assertEqual(forged.browse(records.ids).read(["lead_count"]), records.read(["lead_count"]))

    def test_ratios_of_a_group_are_not_averages(self):
        """A group's ratios come from its summed figures, not from its rows' ratios:
        all sources, last touch: ROI (1300 - 900) / 900 = 44.44 % (the average of
        -25 % and 100 % would be 37.5 %); lead to qualified 3 / 5 = 60 % (not the average
        of 33.3 % and 100 %); cost per lead 900 / 5 = 180; cost per won client 900 / 2 = 450;
        qualified to won 2 / 3 = 66.67 %; lead to won 2 / 5 = 40 %; margin 1000 / 1300."""
        report = self._report(self.user_sales_manager)
        ratios = [
            "roi",
            "opportunity_rate",
            "cost_per_lead",
            "cost_per_customer",
            "win_rate",
            "lead_win_rate",
            "margin_rate",
        ]
        mine = [("attribution", "=", "last"), ("source_id", "in", (self.source_fair + self.source_ads).ids)]
        [values] = report._read_group(mine, [], [f"{r}:avg" for r in ratios])
        result = dict(zip(ratios, values, strict=True))
        self.assertAlmostEqual(result["roi"], 400.0 / 900.0 * 100.0)
        self.assertAlmostEqual(result["opportunity_rate"], 60.0)
        self.assertAlmostEqual(result["cost_per_lead"], 180.0)
        self.assertAlmostEqual(result["cost_per_customer"], 450.0)
        self.assertAlmostEqual(result["win_rate"], 2.0 / 3.0 * 100.0)
        self.assertAlmostEqual(result["lead_win_rate"], 40.0)
        self.assertAlmostEqual(result["margin_rate"], 1000.0 / 1300.0 * 100.0)
        # per source: Fair ROI (300 - 400) / 400 = -25 %, Ads (1000 - 500) / 500 = 100 %
        rows = report._read_group([("attribution", "=", "last")], ["source_id"], ["roi:avg"])
        roi = {source.id: value for source, value in rows}
        self.assertAlmostEqual(roi[self.source_fair.id], -25.0)
        self.assertAlmostEqual(roi[self.source_ads.id], 100.0)

    def test_pivot_read_group(self):
        """The pivot's own call (web_read_group with the fields' aggregators) gives the same ROI."""
        report = self._report(self.user_sales_manager)
        groups = report.web_read_group([("attribution", "=", "last")], ["roi", "cost"], ["source_id"])[
            "groups"
        ]
        roi = {group["source_id"][0]: group["roi"] for group in groups if group["source_id"]}
        self.assertAlmostEqual(roi[self.source_ads.id], 100.0)

    def test_channel_views_load(self):
        """The report's pivot, graph and search views load for a manager and a salesperson,
        without the cost measures for the salesperson."""
        for user in (self.user_sales_manager, self.user_salesman):
            report = self._report(user)
            views = report.get_views([(False, "pivot"), (False, "graph"), (False, "search")])
            pivot = views["views"]["pivot"]["arch"]
            self.assertIn('name="lead_count"', pivot)
            self.assertEqual(
                'name="cost"' in pivot, user == self.user_sales_manager, f"{user.login}: {pivot}"
            )


@tagged("post_install", "-at_install")
class TestChannelRoles(CampaignCase):
    """Costs and ROI for CRM managers and accountants (read); salespeople see their own leads."""

    def test_salesperson_sees_own_leads_not_costs(self):
        """Sam sees his own leads (L1, L2) and L2's invoice, no cost row, and is refused costs."""
        report = self._report(self.user_salesman)
        [(leads, revenue)] = report._read_group(
            [("attribution", "=", "last")], [], ["lead_count:sum", "revenue:sum"]
        )
        self.assertEqual((leads, revenue), (2, 1000.0))
        self.assertFalse(report.search_count([("kind", "=", "cost")]))
        for measure in ("cost:sum", "roi:avg", "margin:sum", "cost_per_lead:avg"):
            with self.assertRaises(AccessError, msg=measure):
                report._read_group([], [], [measure])
        self.assertNotIn("cost", report.fields_get())

    def test_salesperson_refused_costs_over_rpc(self):
        """Over RPC (read, search_read), cost lines and the campaign's money are refused."""
        env = self._as(self.user_salesman, self.company)
        with self.assertRaises(AccessError):
            env["crm.campaign.cost"].search_read([], ["amount"])
        campaign = self.campaign_fair.with_env(env)
        for name in ("crm_cost_amount", "crm_roi", "crm_revenue_amount", "crm_cost_ids", "crm_budget"):
            with self.assertRaises(AccessError, msg=name):
                campaign.read([name])
        self.assertEqual(campaign.read(["crm_lead_count"])[0]["crm_lead_count"], 1, "his own lead L1")
        with self.assertRaises(AccessError):
            env["account.move.line"].search_read([], ["crm_campaign_id"], limit=1)

    def test_accountant_reads_costs_read_only(self):
        """The accountant reads costs, ROI and the report's money, and may not change a cost."""
        env = self._as(self.user_accountant, self.company)
        campaign = self.campaign_ads.with_env(env)
        # Search: cost 500, revenue 1000 -> ROI 100 %
        self.assertAlmostEqual(campaign.crm_cost_amount, 500.0)
        self.assertAlmostEqual(campaign.crm_roi, 100.0)
        [(cost,)] = env["crm.channel.report"]._read_group(
            [
                ("attribution", "=", "last"),
                ("campaign_id", "in", (self.campaign_fair + self.campaign_ads).ids),
            ],
            [],
            ["cost:sum"],
        )
        self.assertAlmostEqual(cost, 900.0)
        cost_line = self.cost_k3.with_env(env)
        self.assertAlmostEqual(cost_line.amount, 300.0)
        with self.assertRaises(AccessError):
            cost_line.write({"amount": 1.0})
        with self.assertRaises(AccessError):
            env["crm.campaign.cost"].create(
                self._cost_vals(
                    self.campaign_ads, self.source_ads, self.medium_paid, "2026-02-12", 1, self.currency
                )
            )
        with self.assertRaises(AccessError):
            cost_line.unlink()

    def test_manager_edits_costs(self):
        """A sales manager records a cost from the campaign form."""
        env = self._as(self.user_sales_manager, self.company)
        with Form(self.campaign_fair.with_env(env)) as form, form.crm_cost_ids.new() as line:
            line.date = "2026-01-20"
            line.medium_id = self.medium_offline
            line.amount = 10.0
        self.assertEqual(len(self.campaign_fair.crm_cost_ids), 2)

    def test_portal_and_warehouse_offered_nothing(self):
        """Portal and warehouse users are refused the report and the costs."""
        for user in (self.user_portal, self.user_stock):
            env = self._as(user, self.company)
            for model in ("crm.channel.report", "crm.campaign.cost"):
                with self.assertRaises(AccessError, msg=f"{user.login} {model}"):
                    env[model].search_read([], ["date"])


@tagged("post_install", "-at_install")
class TestChannelMultiCompany(CampaignCase):
    """Only the selected companies count; each company's money converted at its date."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cost_k4 = cls.env["crm.campaign.cost"].create(
            cls._cost_vals(
                cls.campaign_ads,
                cls.source_ads,
                cls.medium_paid,
                "2026-02-15",
                50,
                cls.foreign,
                cls.company_2,
            )
        )
        cls.env.flush_all()

    def _cost(self, *companies):
        report = self._report(self.user_sales_manager, *companies)
        [(cost,)] = report._read_group(
            [
                ("attribution", "=", "last"),
                ("campaign_id", "in", (self.campaign_fair + self.campaign_ads).ids),
            ],
            [],
            ["cost:sum"],
        )
        return cost

    def test_other_company_left_out(self):
        """With the first company only, the second company's K4 is not counted: 900."""
        self.assertAlmostEqual(self._cost(self.company), 900.0)

    def test_both_companies_converted_at_the_cost_date(self):
        """With both, K4's 50 foreign units count at 2026-02-15's rate (0.5): 100; 1000 in all."""
        self.assertAlmostEqual(self._cost(self.company, self.company_2), 1000.0)
        self.assertAlmostEqual(
            self.foreign._convert(50, self.currency, self.company_2, date(2026, 2, 15)), 100.0
        )

    def test_in_the_current_company_currency(self):
        """With the second company current, everything is in its currency at each date:
        K1 400 x 0.25 = 100, K2 200 x 0.5 = 100, K3 300 x 0.5 = 150, K4 50: 400."""
        self.assertAlmostEqual(self._cost(self.company_2, self.company), 400.0)
        report = self._report(self.user_sales_manager, self.company_2, self.company)
        self.assertEqual(report.search([], limit=1).currency_id, self.foreign)


@tagged("post_install", "-at_install")
class TestSegments(CampaignCase):
    """Segments: saved filters over contacts and leads, with a live count, as a mailing's recipients."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        today = fields.Datetime.now()
        # Alpha Trade bought 30 days ago; Zeta 400 days ago; Omega never (a tag keeps other partners out)
        cls.tag = cls.env["res.partner.category"].create({"name": "Channel Test"})
        cls.contact_accountant.category_id = cls.tag
        cls.client_z = Partner.create({"name": "Zeta Test", "is_company": True})
        cls.client_o = Partner.create({"name": "Omega Test", "is_company": True})
        cls.accountant_z = Partner.create(
            {
                "name": "Zoya Z",
                "category_id": [Command.set(cls.tag.ids)],
                "parent_id": cls.client_z.id,
                "email": "zoya@zeta.example.com",
                "contact_role_ids": [Command.set(cls.role_accountant.ids)],
            }
        )
        cls.accountant_o = Partner.create(
            {
                "name": "Oleg O",
                "category_id": [Command.set(cls.tag.ids)],
                "parent_id": cls.client_o.id,
                "email": "oleg@omega.example.com",
                "contact_role_ids": [Command.set(cls.role_accountant.ids)],
            }
        )
        for partner, days in ((cls.entity_a, 30), (cls.client_z, 400)):
            order = cls.env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "order_line": [Command.create({"product_id": cls.goods.id, "product_uom_qty": 1})],
                }
            )
            order.action_confirm()
            order.date_order = today - timedelta(days=days)
        # a quotation never confirmed does not count as an order
        cls.env["sale.order"].create(
            {"partner_id": cls.client_o.id, "order_line": [Command.create({"product_id": cls.goods.id})]}
        )
        cls.partner_model = cls.env["ir.model"]._get("res.partner")
        cls.segment = cls.env["mailing.filter"].create(
            {
                "name": "Accountants of last year's buyers",
                "crm_is_segment": True,
                "mailing_model_id": cls.partner_model.id,
                "mailing_domain": repr(
                    [
                        ("category_id", "in", cls.tag.ids),
                        ("contact_role_ids.code", "=", "accountant"),
                        ("crm_days_since_last_order", "<=", 365),
                    ]
                ),
            }
        )

    def test_days_since_last_order(self):
        """The company and its contacts share its last order's age; never ordered is empty."""
        self.assertEqual(self.entity_a.crm_days_since_last_order, 30)
        self.assertEqual(self.contact_accountant.crm_days_since_last_order, 30)
        self.assertEqual(self.accountant_z.crm_days_since_last_order, 400)
        self.assertFalse(self.accountant_o.crm_days_since_last_order)

    def test_role_segment_count(self):
        """Accountants of companies that bought in the last year: Anna (Alpha, 30 days) only;
        Zoya's company bought 400 days ago, Oleg's never."""
        self.assertEqual(self.segment.crm_record_count, 1)
        found = self.env["res.partner"].search(self.segment._crm_domain())
        self.assertEqual(found, self.contact_accountant)

    def test_older_and_never(self):
        """More than a year: Zoya; never ordered (= False): Oleg, not Anna nor Zoya."""
        Partner = self.env["res.partner"]
        accountants = [("category_id", "in", self.tag.ids), ("contact_role_ids.code", "=", "accountant")]
        self.assertEqual(
            Partner.search([*accountants, ("crm_days_since_last_order", ">", 365)]), self.accountant_z
        )
        never = Partner.search([*accountants, ("crm_days_since_last_order", "=", False)])
        self.assertIn(self.accountant_o, never)
        self.assertNotIn(self.accountant_z, never)
        self.assertNotIn(self.contact_accountant, never)

    def test_lead_segment_count_follows_the_user(self):
        """Leads from the fair: L1, L4, L5 = 3 for a manager; Sam sees his own L1 only."""
        segment = self.env["mailing.filter"].create(
            {
                "name": "Fair leads",
                "crm_is_segment": True,
                "mailing_model_id": self.env["ir.model"]._get("crm.lead").id,
                "mailing_domain": repr([("source_id", "=", self.source_fair.id)]),
            }
        )
        self.assertEqual(
            segment.with_env(self._as(self.user_sales_manager, self.company)).crm_record_count, 3
        )
        self.assertEqual(segment.with_env(self._as(self.user_salesman, self.company)).crm_record_count, 1)

    def test_segment_as_mailing_recipients(self):
        """A mailing given the segment as its favorite filter mails exactly the segment's contacts."""
        for mailing_type in ("mail", "sms"):
            mailing = self.env["mailing.mailing"].create(
                {
                    "subject": "Closing the year",
                    "body_plaintext": "Hello",
                    "mailing_type": mailing_type,
                    "mailing_model_id": self.partner_model.id,
                    "mailing_filter_id": self.segment.id,
                }
            )
            self.assertEqual(mailing.mailing_domain, self.segment.mailing_domain)
            self.assertEqual(set(mailing._get_recipients()), {self.contact_accountant.id}, mailing_type)

    def test_campaign_targets_a_segment(self):
        """A campaign's target segment is a segment."""
        self.campaign_fair.crm_segment_id = self.segment
        self.assertEqual(self.campaign_fair.crm_segment_id.crm_record_count, 1)


@tagged("post_install", "-at_install")
class TestMailingKeepsCampaign(CampaignCase):
    """A reply to a mass mailing creates a lead that keeps the mailing's campaign, source and medium."""

    def test_reply_creates_lead_with_utm(self):
        """Send a mailing of the Spring Fair campaign to Anna, answer it through the mail
        gateway: the lead created carries the campaign, the mailing's source and medium."""
        mailing = self.env["mailing.mailing"].create(
            {
                "subject": "Visit our stand",
                "body_html": "<p>Hello</p>",
                "mailing_type": "mail",
                "campaign_id": self.campaign_fair.id,
                "medium_id": self.medium_offline.id,
                "mailing_model_id": self.env["ir.model"]._get("res.partner").id,
                "mailing_domain": repr([("id", "=", self.contact_accountant.id)]),
            }
        )
        mailing.action_send_mail()
        trace = self.env["mailing.trace"].search([("mass_mailing_id", "=", mailing.id)])
        self.assertEqual(len(trace), 1)
        self.assertTrue(trace.message_id)
        self.assertEqual(trace.campaign_id, self.campaign_fair)
        raw = (
            "From: Anna Accountant <anna@alpha.example.com>\r\n"
            "To: sales@example.com\r\n"
            "Subject: Re: Visit our stand\r\n"
            "Message-ID: <reply-channel-test@alpha.example.com>\r\n"
            f"In-Reply-To: {trace.message_id}\r\n"
            f"References: {trace.message_id}\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "\r\n"
            "We would like 40 chairs.\r\n"
        )
        lead_id = self.env["mail.thread"].sudo().message_process("crm.lead", raw)
        lead = self.env["crm.lead"].browse(lead_id)
        self.assertEqual(lead.campaign_id, self.campaign_fair)
        self.assertEqual(lead.source_id, mailing.source_id)
        self.assertTrue(lead.source_id)
        self.assertEqual(lead.medium_id, self.medium_offline)


@tagged("post_install", "-at_install")
class TestChannelClientFacts(CampaignCase):
    """The leads' stored client facts the channel report joins (client, first touch,
    new customer) follow every change of the client's leads, and always equal a
    recomputation from scratch."""

    def _facts(self):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT id, crm_client_id, crm_ft_source_id, crm_new_customer FROM crm_lead"
            " WHERE id = ANY(%s) ORDER BY id",
            [self.leads.ids],
        )
        return self.env.cr.fetchall()

    def _assert_fresh(self):
        """What is stored is what a full recomputation gives."""
        stored = self._facts()
        self.env["crm.lead"]._crm_refresh_client_facts()
        self.assertEqual(stored, self._facts())

    def _fact(self, lead):
        lead.invalidate_recordset()
        return (lead.crm_client_id, lead.crm_ft_source_id, lead.crm_new_customer)

    def setUp(self):
        super().setUp()
        self.leads = self.lead_1 | self.lead_2 | self.lead_3 | self.lead_4 | self.lead_5

    def test_facts_of_the_data_set(self):
        """X's first lead L1 is Fair, its first won deal L2; Y's first lead L3 is Ads,
        its first won deal L5; L4 has no client."""
        self.assertEqual(self._fact(self.lead_1), (self.client_x, self.source_fair, False))
        self.assertEqual(self._fact(self.lead_2), (self.client_x, self.source_fair, True))
        self.assertEqual(self._fact(self.lead_3), (self.client_y, self.source_ads, False))
        self.assertEqual(self._fact(self.lead_5), (self.client_y, self.source_ads, True))
        self.assertFalse(self.lead_4.crm_client_id)
        self._assert_fresh()

    def test_lead_created_after_and_given_an_earlier_lead(self):
        """A new lead of X keeps X's first touch (Fair); L4 (2026-01-12, before Y's
        leads) given to Y becomes Y's first lead: Y's first touch turns Fair."""
        lead = self.env["crm.lead"].create(
            {"name": "L6", "partner_id": self.client_x.id, "source_id": self.source_ads.id}
        )
        self.leads |= lead
        self.assertEqual(self._fact(lead), (self.client_x, self.source_fair, False))
        self.lead_4.partner_id = self.client_y
        self.assertEqual(self._fact(self.lead_4), (self.client_y, self.source_fair, False))
        self.assertEqual(self._fact(self.lead_3)[1], self.source_fair)
        self.assertEqual(self._fact(self.lead_5)[1], self.source_fair)
        self.lead_4.partner_id = False
        self.assertFalse(self._fact(self.lead_4)[0])
        self.assertEqual(self._fact(self.lead_3)[1], self.source_ads)
        self._assert_fresh()

    def test_won_lost_archived(self):
        """L3 won before L5 closed becomes Y's first win; L3 lost hands it back to L5;
        L2 archived leaves X without a won deal but keeps X's first touch."""
        self.lead_3.action_set_won()
        self.lead_3.date_closed = "2026-02-27 12:00:00"
        self.assertTrue(self._fact(self.lead_3)[2])
        self.assertFalse(self._fact(self.lead_5)[2])
        self.lead_3.action_set_lost()
        self.assertFalse(self._fact(self.lead_3)[2])
        self.assertTrue(self._fact(self.lead_5)[2])
        self.lead_2.action_archive()
        self.assertEqual(self._fact(self.lead_2), (self.client_x, self.source_fair, False))
        self.lead_2.action_unarchive()
        self.assertTrue(self._fact(self.lead_2)[2])
        self._assert_fresh()

    def test_merged_and_deleted(self):
        """L1 and L2 merged: one lead of X is left, its first touch and win follow;
        deleting Y's first lead L3 makes L5 Y's first lead (Fair)."""
        merged = (self.lead_1 | self.lead_2).merge_opportunity(auto_unlink=True)
        self.leads = self.leads.exists()
        self.assertEqual(len(self.leads & (self.lead_1 | self.lead_2)), 1)
        self.assertEqual(self._fact(merged)[0], self.client_x)
        self.lead_3.unlink()
        self.leads = self.leads.exists()
        self.assertEqual(self._fact(self.lead_5), (self.client_y, self.source_fair, True))
        self._assert_fresh()

    def test_clients_merged_by_odoo_wizard(self):
        """Two records of one person, each with a lead: Odoo's merge wizard moves the older
        one's lead (Fair, January) to the kept record in SQL. The kept record's won deal
        (Ads, February) now has Fair as its client's first touch, and every fact equals a
        recomputation from scratch."""
        fair = (self.campaign_fair, self.source_fair, self.medium_offline)
        ads = (self.campaign_ads, self.source_ads, self.medium_paid)
        older = self.env["res.partner"].create({"name": "Pavel Merged"})
        kept = self.env["res.partner"].create({"name": "Pavel Merged"})
        first = self._lead("M1", older, fair, "2026-01-03", "lead", self.user_salesman)
        won = self._lead("M2", kept, ads, "2026-02-03", "opportunity", self.user_salesman, won="2026-02-10")
        self.leads |= first | won
        self.assertEqual(self._fact(won), (kept, self.source_ads, True))
        wizard = self.env["base.partner.merge.automatic.wizard"]
        wizard._merge((older | kept).ids, dst_partner=kept, extra_checks=False)
        self.assertFalse(older.exists())
        self.assertEqual(self._fact(first), (kept, self.source_fair, False))
        self.assertEqual(self._fact(won), (kept, self.source_fair, True))
        self._assert_fresh()

    def test_contact_moves_to_another_company(self):
        """A contact's lead counts for its company; moved to Y, for Y."""
        contact = self.env["res.partner"].create({"name": "Xavier", "parent_id": self.client_x.id})
        lead = self.env["crm.lead"].create({"name": "L7", "partner_id": contact.id})
        self.leads |= lead
        self.assertEqual(self._fact(lead)[0], self.client_x)
        contact.parent_id = self.client_y
        self.assertEqual(self._fact(lead), (self.client_y, self.source_ads, False))
        self._assert_fresh()

    def test_stored_facts_only_for_their_own_companies(self):
        """X's lead in the second company: with the first company alone the report
        recomputes (X's first touch there is still Fair), with both it uses the
        stored facts, whose first touch is now the second company's earlier lead."""
        lead = self.env["crm.lead"].create(
            {
                "name": "L8",
                "partner_id": self.client_x.id,
                "source_id": self.source_ads.id,
                "company_id": self.company_2.id,
            }
        )
        self.env.flush_all()
        self.env.cr.execute("UPDATE crm_lead SET create_date = '2025-12-01' WHERE id = %s", [lead.id])
        self.env["crm.lead"]._crm_refresh_client_facts([self.client_x.id])
        report = self._report(self.user_sales_manager)
        companies = (self.company.id,)
        self.assertFalse(report._crm_client_facts_apply(companies))
        fair = self._sums(report, ["source_id"], ["lead_count", "revenue"], attribution="first")
        self.assertEqual(fair[self.source_fair.id], {"lead_count": 3, "revenue": 1000.0})
        both = self._report(self.user_sales_manager, self.company, self.company_2)
        self.assertTrue(both._crm_client_facts_apply((self.company.id, self.company_2.id)))
        ads = self._sums(both, ["source_id"], ["lead_count", "revenue"], attribution="first")
        self.assertEqual(ads[self.source_ads.id]["revenue"], 1300.0)
