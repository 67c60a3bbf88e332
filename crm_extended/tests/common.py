import contextlib
import threading
from datetime import datetime, time

from odoo import Command
from odoo.tests import TransactionCase, new_test_user


@contextlib.contextmanager
def captured_queries():
    """The SQL text of every query this thread runs inside the block (Odoo's query_hooks)."""
    queries = []
    thread = threading.current_thread()
    thread.query_hooks = (lambda cr, query, params, start, delay: queries.append(str(query)),)
    try:
        yield queries
    finally:
        del thread.query_hooks


class CrmExtendedCase(TransactionCase):
    """One fixture for every test: a user per role and a small client directory.

    Nothing here relies on demo data.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_notrack=True))
        cls.company = cls.env.company
        cls.country_ru = cls.env.ref("base.ru")
        cls.country_de = cls.env.ref("base.de")
        cls.company.country_id = cls.country_ru

        cls.user_salesman = new_test_user(
            cls.env, login="ce_salesman", name="Sam Salesman", groups="sales_team.group_sale_salesman"
        )
        cls.user_salesman_other = new_test_user(
            cls.env, login="ce_salesman2", name="Olga Otherseller", groups="sales_team.group_sale_salesman"
        )
        cls.user_sales_manager = new_test_user(
            cls.env, login="ce_sales_manager", name="Mary Manager", groups="sales_team.group_sale_manager"
        )
        cls.user_accountant = new_test_user(
            cls.env, login="ce_accountant", name="Alex Accountant", groups="account.group_account_invoice"
        )
        cls.user_stock = new_test_user(
            cls.env, login="ce_stock", name="Walter Warehouse", groups="stock.group_stock_user"
        )
        cls.user_competitor = new_test_user(
            cls.env,
            login="ce_competitor",
            name="Irina Intelligence",
            groups="sales_team.group_sale_salesman,crm_extended.group_crm_extended_competitor",
        )
        cls.user_portal = new_test_user(
            cls.env, login="ce_portal", name="Pat Portal", groups="base.group_portal"
        )

        Role = cls.env["crm.contact.role"]
        cls.role_buyer = Role.search([("code", "=", "buyer")])
        cls.role_accountant = Role.search([("code", "=", "accountant")])
        cls.role_storekeeper = Role.search([("code", "=", "storekeeper")])

        Partner = cls.env["res.partner"]
        cls.group_holding = cls.env["crm.client.group"].create({"name": "Test Holding"})
        cls.entity_a = Partner.create(
            {
                "name": "Alpha Trade LLC",
                "is_company": True,
                "country_id": cls.country_ru.id,
                "vat": "5401001113",
                "kpp": "540101001",
                "phone": "8 (383) 211-22-33",
                "client_group_id": cls.group_holding.id,
            }
        )
        cls.entity_b = Partner.create(
            {
                "name": "Alpha Logistics JSC",
                "is_company": True,
                "country_id": cls.country_ru.id,
                "vat": "6602002221",
                "client_group_id": cls.group_holding.id,
            }
        )
        cls.contact_buyer = Partner.create(
            {
                "name": "Boris Buyer",
                "parent_id": cls.entity_a.id,
                "mobile": "+7 913 700-45-67",
                "email": "boris@alpha.example.com",
                "contact_role_ids": [(6, 0, cls.role_buyer.ids)],
            }
        )
        cls.contact_accountant = Partner.create(
            {
                "name": "Anna Accountant",
                "parent_id": cls.entity_a.id,
                "email": "anna@alpha.example.com",
                "contact_role_ids": [(6, 0, cls.role_accountant.ids)],
            }
        )
        cls.contact_storekeeper = Partner.create(
            {
                "name": "Stas Storekeeper",
                "parent_id": cls.entity_a.id,
                "phone": "8 (383) 211-22-34",
                "contact_role_ids": [(6, 0, cls.role_storekeeper.ids)],
            }
        )
        cls.product = cls.env["product.product"].create(
            {
                "name": "Test Office Chair",
                "type": "consu",
                "is_storable": True,
                "list_price": 100.0,
            }
        )


class ServiceCaseCommon(CrmExtendedCase):
    """Service cases (#13): a serial-tracked product with a warranty, deliveries on chosen days."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.user_service = new_test_user(
            env,
            login="ce_service",
            name="Sveta Service",
            groups="crm_extended.group_crm_extended_service_user",
        )
        cls.user_service_manager = new_test_user(
            env,
            login="ce_service_manager",
            name="Semyon Servicehead",
            groups="crm_extended.group_crm_extended_service_manager",
        )
        cls.entity_a.user_id = cls.user_salesman
        cls.calendar = env["resource.calendar"].create(
            {
                "name": "Service hours (UTC)",
                "tz": "UTC",
                "attendance_ids": [
                    Command.create(
                        {"name": f"{day} {start}", "dayofweek": str(day), "hour_from": start, "hour_to": end}
                    )
                    for day in range(5)
                    for start, end in ((8, 12), (13, 17))
                ],
            }
        )
        cls.company.resource_calendar_id = cls.calendar
        cls.type_warranty = env.ref("crm_extended.crm_service_case_type_warranty")
        cls.category = env["product.category"].create({"name": "Chairs", "service_warranty_months": 24})
        cls.serial_product = env["product.product"].create(
            {
                "name": "Ergo Chair",
                "type": "consu",
                "is_storable": True,
                "tracking": "serial",
                "categ_id": cls.category.id,
                "service_warranty_months": 12,
                "standard_price": 80.0,
                "list_price": 150.0,
            }
        )
        cls.warehouse = env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        cls.customers = env.ref("stock.stock_location_customers")

    @classmethod
    def _lot(cls, name, product=None):
        return cls.env["stock.lot"].create(
            {"name": name, "product_id": (product or cls.serial_product).id, "company_id": cls.company.id}
        )

    @classmethod
    def _deliver(cls, lot, partner, day, **picking_vals):
        """Deliver the serial to the partner, done on ``day`` (noon UTC)."""
        env = cls.env
        product = lot.product_id
        env["stock.quant"]._update_available_quantity(product, cls.warehouse.lot_stock_id, 1, lot_id=lot)
        picking = env["stock.picking"].create(
            {
                "picking_type_id": cls.warehouse.out_type_id.id,
                "partner_id": partner.id,
                "location_id": cls.warehouse.lot_stock_id.id,
                "location_dest_id": cls.customers.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": 1,
                            "product_uom": product.uom_id.id,
                            "location_id": cls.warehouse.lot_stock_id.id,
                            "location_dest_id": cls.customers.id,
                        }
                    )
                ],
                **picking_vals,
            }
        )
        picking.action_confirm()
        cls._validate(picking, lot)
        moment = datetime.combine(day, time(12))
        picking.move_ids.write({"date": moment})
        picking.move_ids.move_line_ids.write({"date": moment})
        picking.date_done = moment
        return picking

    @classmethod
    def _validate(cls, picking, lot=None):
        move = picking.move_ids
        move.move_line_ids.unlink()
        cls.env["stock.move.line"].create(
            dict(move._prepare_move_line_vals(quantity=1.0), lot_id=lot.id if lot else False)
        )
        move.picked = True
        picking._action_done()
        return picking

    @classmethod
    def _case(cls, **vals):
        values = {
            "subject": "Chair sinks",
            "type_id": cls.type_warranty.id,
            "partner_id": cls.entity_a.id,
        }
        values.update(vals)
        return cls.env["crm.service.case"].create(values)


class TasksKpiCommon(CrmExtendedCase):
    """Tasks and KPI (#17): a working calendar in UTC (Mon-Fri 8-12 and 13-17) with a public
    holiday, a team led by the sales manager, a response rule of 2 working hours."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.calendar = env["resource.calendar"].create(
            {
                "name": "Office hours (UTC)",
                "tz": "UTC",
                "attendance_ids": [
                    Command.create(
                        {"name": f"{day} {start}", "dayofweek": str(day), "hour_from": start, "hour_to": end}
                    )
                    for day in range(5)
                    for start, end in ((8, 12), (13, 17))
                ],
            }
        )
        cls.company.resource_calendar_id = cls.calendar
        # Monday 2026-03-09 is a public holiday
        env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": cls.calendar.id,
                "date_from": datetime(2026, 3, 9, 0, 0),
                "date_to": datetime(2026, 3, 9, 23, 59, 59),
            }
        )
        cls.team = env["crm.team"].create(
            {
                "name": "Test Sales Team",
                "user_id": cls.user_sales_manager.id,
                "crm_team_member_ids": [
                    Command.create({"user_id": cls.user_salesman.id}),
                    Command.create({"user_id": cls.user_salesman_other.id}),
                ],
            }
        )
        cls.source_web = env["utm.source"].create({"name": "Test Website"})
        cls.rule = env["crm.response.rule"].create(
            {
                "name": "New leads: 2 hours",
                "team_id": cls.team.id,
                "response_hours": 2.0,
                "reassign_after_hours": 4.0,
                "reassign_user_id": cls.user_salesman_other.id,
            }
        )

    @classmethod
    def _lead(cls, **vals):
        values = {
            "name": "Need 20 chairs",
            "type": "lead",
            "team_id": cls.team.id,
            "user_id": cls.user_salesman.id,
        }
        values.update(vals)
        return cls.env["crm.lead"].create(values)


class CompetitorCommon(CrmExtendedCase):
    """Competitor intelligence and unmet demand (#14): two competitors, a second currency
    with known rates, a deal per salesperson, a buyer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company_currency = cls.company.currency_id
        eur, usd = env.ref("base.EUR"), env.ref("base.USD")
        cls.foreign_currency = eur if cls.company_currency != eur else usd
        cls.foreign_currency.active = True
        # Company-specific rates win over shared ones: 1 company unit = 2, later 4, foreign units.
        env["res.currency.rate"].create(
            [
                {
                    "currency_id": currency.id,
                    "company_id": cls.company.id,
                    "name": day,
                    "rate": rate,
                }
                for day, rates in (("2019-03-01", (1.0, 2.0)), ("2019-06-01", (1.0, 4.0)))
                for currency, rate in zip((cls.company_currency, cls.foreign_currency), rates, strict=True)
            ]
        )
        Partner = env["res.partner"]
        cls.competitor_vasilek = Partner.create(
            {"name": "Vasilek Office Supply", "is_company": True, "is_competitor": True}
        )
        cls.competitor_romashka = Partner.create(
            {"name": "Romashka Trade", "is_company": True, "is_competitor": True}
        )
        cls.product.default_code = "CHAIR-01"
        cls.category = env["product.category"].create({"name": "Office Chairs"})
        cls.product.categ_id = cls.category
        cls.product_desk = env["product.product"].create(
            {
                "name": "Test Desk",
                "default_code": "DESK-01",
                "type": "consu",
                "is_storable": True,
                "list_price": 300.0,
                "categ_id": cls.category.id,
                "taxes_id": False,
            }
        )
        cls.product.taxes_id = False
        cls.user_buyer = new_test_user(
            env, login="ce_buyer", name="Boris Purchaser", groups="purchase.group_purchase_user"
        )
        Lead = env["crm.lead"]
        cls.lead_own = Lead.create(
            {
                "name": "Chairs for Alpha",
                "type": "opportunity",
                "partner_id": cls.entity_a.id,
                "user_id": cls.user_salesman.id,
            }
        )
        cls.lead_other = Lead.create(
            {
                "name": "Desks for Alpha Logistics",
                "type": "opportunity",
                "partner_id": cls.entity_b.id,
                "user_id": cls.user_salesman_other.id,
            }
        )
        cls.Price = env["crm.competitor.price"]

    @classmethod
    def _observe(cls, competitor, price, day, product=None, currency=None, **vals):
        return cls.Price.create(
            {
                "competitor_id": competitor.id,
                "product_id": (product or cls.product).id,
                "price": price,
                "currency_id": (currency or cls.company_currency).id,
                "date": day,
                **vals,
            }
        )


class AnalyticsCommon(CrmExtendedCase):
    """Sales analytics (#15): a team of its own (so that the template's leads
    stay out of the figures), Odoo's four stages, leads with a hand-written
    stage history."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.team = env["crm.team"].create({"name": "Analytics Team", "company_id": cls.company.id})
        cls.stage_new = env.ref("crm.stage_lead1")
        cls.stage_qualified = env.ref("crm.stage_lead2")
        cls.stage_proposition = env.ref("crm.stage_lead3")
        cls.stage_won = env.ref("crm.stage_lead4")
        cls.source_web = env["utm.source"].create({"name": "Analytics Web"})

    @classmethod
    def _lead_path(cls, name, path, outcome="open", user=None, revenue=1000.0, **vals):
        """A lead whose stage history is ``path``: [(stage, datetime), ...],
        in order; ``outcome`` won (the last stage is the won one), lost
        (archived, probability 0, closed at ``closed``) or open."""
        env = cls.env
        values = {
            "name": name,
            "type": "opportunity",
            "team_id": cls.team.id,
            "user_id": user.id if user else False,
            "stage_id": path[-1][0].id,
            "expected_revenue": revenue,
            "company_id": cls.company.id,
        }
        if outcome == "lost":
            values.update(active=False, probability=0)
        values.update(vals)
        lead = env["crm.lead"].create(values)
        if outcome == "won":
            lead.date_closed = path[-1][1]
        History = env["crm.lead.stage.history"].sudo()
        History.search([("lead_id", "=", lead.id)]).unlink()
        previous = History.browse()
        for stage, moment in path:
            History.create(
                {
                    "lead_id": lead.id,
                    "stage_from_id": previous.id or False,
                    "stage_id": stage.id,
                    "date": moment,
                    "company_id": cls.company.id,
                    "expected_revenue": revenue,
                }
            )
            previous = stage
        env.cr.execute("UPDATE crm_lead SET create_date = %s WHERE id = %s", (path[0][1], lead.id))
        lead.invalidate_recordset(["create_date"])
        return lead


class PortalCommon(ServiceCaseCommon):
    """The client's portal (#18): a holding of two entities and a client outside it, a portal user
    per role, an order of each entity delivered in part (a serial among the goods), an invoice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        Partner = env["res.partner"]
        role_director = env["crm.contact.role"].search([("code", "=", "director")])
        cls.entity_c = Partner.create({"name": "Gamma Foods LLC", "is_company": True})
        cls.contact_rep = Partner.create(
            {
                "name": "Helen Holding",
                "parent_id": cls.entity_a.id,
                "email": "helen@alpha.example.com",
                "crm_portal_holding": True,
                "contact_role_ids": [Command.set(role_director.ids)],
            }
        )
        cls.contact_b = Partner.create(
            {"name": "Bella Logistics", "parent_id": cls.entity_b.id, "email": "bella@alpha-log.example.com"}
        )
        cls.contact_c = Partner.create(
            {"name": "Gleb Gamma", "parent_id": cls.entity_c.id, "email": "gleb@gamma.example.com"}
        )

        def portal_user(login, partner):
            return env["res.users"].create(
                {
                    "login": login,
                    "password": login + "-Pass-2026",
                    "partner_id": partner.id,
                    "groups_id": [Command.set([env.ref("base.group_portal").id])],
                }
            )

        cls.portal_buyer = portal_user("pt_buyer", cls.contact_buyer)
        cls.portal_accountant = portal_user("pt_accountant", cls.contact_accountant)
        cls.portal_storekeeper = portal_user("pt_storekeeper", cls.contact_storekeeper)
        cls.portal_rep = portal_user("pt_rep", cls.contact_rep)
        cls.portal_b = portal_user("pt_bella", cls.contact_b)
        cls.portal_other = portal_user("pt_gamma", cls.contact_c)

        cls.order_a = cls._portal_order(cls.entity_a)
        cls.order_b = cls._portal_order(cls.entity_b)
        cls.order_c = cls._portal_order(cls.entity_c)
        cls.lot_a = cls._lot("SN-PORTAL-A1")
        cls.picking_a = cls._portal_ship(cls.order_a, cls.lot_a, tracking="TRK-777-A")
        cls.lot_c = cls._lot("SN-PORTAL-C1")
        cls.picking_b = cls.order_b.picking_ids
        cls.picking_c = cls._portal_ship(cls.order_c, cls.lot_c, tracking="TRK-999-C")
        cls.invoice_a = cls.order_a._create_invoices()
        cls.invoice_a.action_post()
        cls.invoice_c = cls.order_c._create_invoices()
        cls.invoice_c.action_post()

    @classmethod
    def _portal_order(cls, entity):
        env = cls.env
        env["stock.quant"]._update_available_quantity(cls.product, cls.warehouse.lot_stock_id, 10)
        order = env["sale.order"].create(
            {
                "partner_id": entity.id,
                "order_line": [
                    Command.create({"product_id": cls.serial_product.id, "product_uom_qty": 1}),
                    Command.create({"product_id": cls.product.id, "product_uom_qty": 5}),
                ],
            }
        )
        order.action_confirm()
        return order

    @classmethod
    def _portal_ship(cls, order, lot, tracking):
        """Ship the serial and 2 of the 5 chairs: a backorder keeps the 3 left."""
        env = cls.env
        picking = order.picking_ids
        picking.write(
            {
                "crm_carrier_name": "CDEK",
                "crm_tracking_ref": tracking,
                "crm_tracking_url": f"https://track.example.com/{tracking}",
            }
        )
        env["stock.quant"]._update_available_quantity(
            lot.product_id, cls.warehouse.lot_stock_id, 1, lot_id=lot
        )
        picking.action_assign()
        serial_move = picking.move_ids.filtered(lambda m: m.product_id == lot.product_id)
        serial_move.move_line_ids.unlink()
        env["stock.move.line"].create(dict(serial_move._prepare_move_line_vals(quantity=1.0), lot_id=lot.id))
        other = picking.move_ids - serial_move
        other.quantity = 2
        picking.move_ids.picked = True
        picking._action_done()
        return picking
