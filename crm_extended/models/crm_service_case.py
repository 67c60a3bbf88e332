from collections import defaultdict

import pytz
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL

from ..services import warranty as wty
from .crm_service_case_type import PRIORITIES

WARRANTY_STATES = [
    (wty.VALID, "Under Warranty"),
    (wty.EXPIRED, "Warranty Expired"),
    (wty.NO_WARRANTY, "No Warranty"),
    (wty.NOT_DELIVERED, "Not Delivered to This Customer"),
    (wty.UNKNOWN, "No Serial or Delivery"),
]
COST_GROUPS = "crm_extended.group_crm_extended_service_manager,account.group_account_invoice"


class CrmServiceCase(models.Model):
    """A complaint, warranty claim, service or return request about what was sold and delivered."""

    _name = "crm.service.case"
    _inherit = ["mail.thread.cc", "mail.activity.mixin", "crm.service.case.portal"]
    _description = "Service Case"
    _order = "priority desc, date_open desc, id desc"
    _rec_names_search = ["name", "subject", "lot_id.name"]
    _primary_email = "email_from"

    def _default_stage(self):
        type_id = self.env.context.get("default_type_id")
        if type_id:
            return self.env["crm.service.case.stage"].search([("type_id", "=", type_id)], limit=1)
        return False

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="New", index="trigram"
    )
    subject = fields.Char(required=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    type_id = fields.Many2one(
        "crm.service.case.type",
        string="Case Type",
        required=True,
        index=True,
        tracking=True,
        default=lambda self: self.env["crm.service.case.type"]._default_type(),
    )
    stage_id = fields.Many2one(
        "crm.service.case.stage",
        string="Stage",
        compute="_compute_stage_id",
        store=True,
        readonly=False,
        index=True,
        tracking=True,
        group_expand="_read_group_stage_ids",
        domain="[('type_id', '=', type_id)]",
        copy=False,
    )
    is_closed = fields.Boolean(related="stage_id.is_closed", store=True, string="Closed")
    priority = fields.Selection(PRIORITIES, default="1", index=True, tracking=True)
    user_id = fields.Many2one(
        "res.users", string="Responsible", index=True, tracking=True, default=lambda self: self.env.user
    )
    team_id = fields.Many2one("crm.team", string="Team", index="btree_not_null")
    partner_id = fields.Many2one("res.partner", string="Customer", index=True, tracking=True)
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True, string="Customer Entity"
    )
    client_group_id = fields.Many2one(
        related="commercial_partner_id.client_group_id", store=True, index="btree_not_null", string="Holding"
    )
    contact_id = fields.Many2one(
        "res.partner",
        string="Contact",
        compute="_compute_contact_id",
        store=True,
        readonly=False,
        domain="[('commercial_partner_id', '=', commercial_partner_id)]",
    )
    email_from = fields.Char(string="E-mail")
    phone_call_id = fields.Many2one("crm.phone.call", string="Call", index="btree_not_null", copy=False)
    product_id = fields.Many2one(
        "product.product",
        string="Product",
        compute="_compute_product_id",
        store=True,
        readonly=False,
        index=True,
    )
    product_categ_id = fields.Many2one(related="product_id.categ_id", store=True, string="Product Category")
    lot_id = fields.Many2one(
        "stock.lot",
        string="Serial/Lot",
        index="btree_not_null",
        tracking=True,
        domain="[('product_id', '=?', product_id)]",
        check_company=True,
    )
    sale_order_id = fields.Many2one(
        "sale.order", string="Sale Order", compute="_compute_picking_id", store=True, readonly=False
    )
    picking_id = fields.Many2one(
        "stock.picking",
        string="Delivery",
        compute="_compute_picking_id",
        store=True,
        readonly=False,
        help="The delivery that shipped the unit: found from the serial, "
        "chosen among the customer's deliveries otherwise.",
    )
    delivery_option_ids = fields.Many2many(
        "stock.picking", string="Deliveries of the Product", compute="_compute_delivery_option_ids"
    )
    invoice_id = fields.Many2one(
        "account.move",
        string="Invoice",
        domain="[('move_type', '=', 'out_invoice'), ('partner_id', 'child_of', commercial_partner_id)]",
    )
    description = fields.Html()
    cause_id = fields.Many2one("crm.service.cause", string="Cause", index="btree_not_null")
    resolution = fields.Html()
    # dates and SLA
    date_open = fields.Datetime(string="Opened", required=True, default=fields.Datetime.now, index=True)
    date_first_response = fields.Datetime(string="First Response", copy=False)
    date_closed = fields.Datetime(string="Closed On", copy=False, index="btree_not_null")
    sla_response_deadline = fields.Datetime(
        string="Respond By", compute="_compute_sla_deadlines", store=True, index="btree_not_null"
    )
    sla_resolution_deadline = fields.Datetime(
        string="Resolve By", compute="_compute_sla_deadlines", store=True, index="btree_not_null"
    )
    response_hours = fields.Float(string="Hours to First Response", compute="_compute_durations", store=True)
    resolution_hours = fields.Float(string="Hours to Resolution", compute="_compute_durations", store=True)
    response_late = fields.Boolean(string="Response Late", compute="_compute_durations", store=True)
    resolution_late = fields.Boolean(string="Resolution Late", compute="_compute_durations", store=True)
    sla_overdue = fields.Boolean(
        string="SLA Overdue", compute="_compute_sla_overdue", search="_search_sla_overdue"
    )
    # warranty: computed, never typed
    warranty_state = fields.Selection(
        WARRANTY_STATES, string="Warranty", compute="_compute_warranty", store=True, index=True
    )
    warranty_start = fields.Date(compute="_compute_warranty", store=True)
    warranty_end = fields.Date(string="Warranty Until", compute="_compute_warranty", store=True)
    warranty_picking_id = fields.Many2one(
        "stock.picking", string="Warranty Proof", compute="_compute_warranty", store=True
    )
    warranty_label = fields.Char(compute="_compute_warranty_label")
    lot_partner_id = fields.Many2one(
        "res.partner",
        string="Serial Delivered To",
        compute="_compute_warranty",
        store=True,
        help="Set when the serial went to another customer than this case's.",
    )
    # hand-offs
    picking_ids = fields.One2many("stock.picking", "service_case_id", string="Transfers")
    return_picking_ids = fields.One2many(
        "stock.picking", "service_case_id", domain=[("service_role", "=", "return")], string="Returns"
    )
    replacement_picking_ids = fields.One2many(
        "stock.picking",
        "service_case_id",
        domain=[("service_role", "=", "replacement")],
        string="Replacements",
    )
    repair_ids = fields.One2many("repair.order", "service_case_id", string="Repairs")
    credit_note_ids = fields.One2many("account.move", "service_case_id", string="Credit Notes")
    handoff_count = fields.Integer(compute="_compute_handoff_count")
    waiting_on = fields.Selection(
        [("return", "Return"), ("replacement", "Replacement")],
        compute="_compute_waiting_on",
        store=True,
        index="btree_not_null",
    )
    # warranty cost, in the case's company currency (each document at its own date)
    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    cost_return = fields.Monetary(
        string="Returned Goods (Cost)", compute="_compute_costs", store=True, groups=COST_GROUPS
    )
    cost_repair = fields.Monetary(
        string="Repair Cost", compute="_compute_costs", store=True, groups=COST_GROUPS
    )
    cost_replacement = fields.Monetary(
        string="Replacement Cost", compute="_compute_costs", store=True, groups=COST_GROUPS
    )
    cost_refund = fields.Monetary(
        string="Credit Notes (Amount)", compute="_compute_costs", store=True, groups=COST_GROUPS
    )
    cost_total = fields.Monetary(
        string="Warranty Cost", compute="_compute_costs", store=True, groups=COST_GROUPS
    )

    # ------------------------------------------------------------------ computes

    @api.depends("type_id")
    def _compute_stage_id(self):
        for case in self:
            if not case.type_id:
                case.stage_id = False
            elif case.stage_id.type_id != case.type_id:
                case.stage_id = case.type_id.stage_ids.filtered(lambda s: not s.is_closed)[:1]

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        type_id = self.env.context.get("default_type_id")
        if type_id:
            return stages.search([("type_id", "=", type_id)])
        return stages

    @api.depends("partner_id")
    def _compute_contact_id(self):
        for case in self:
            partner = case.partner_id
            if not partner:
                case.contact_id = False
            elif case.contact_id.commercial_partner_id != partner.commercial_partner_id:
                if partner.is_company:
                    case.contact_id = partner._crm_contact_for_role("technical") or partner
                else:
                    case.contact_id = partner

    @api.depends("lot_id")
    def _compute_product_id(self):
        for case in self:
            if case.lot_id:
                case.product_id = case.lot_id.product_id

    @api.depends("lot_id", "partner_id", "company_id")
    def _compute_picking_id(self):
        for case in self:
            if not case.lot_id:
                continue
            deliveries = self._warranty_deliveries(
                case.lot_id, case.commercial_partner_id, case.company_id, until=case.date_open
            )
            chosen, _start = wty.warranty_start(deliveries, case.company_id.service_warranty_restarts)
            picking = self.env["stock.picking"].browse(chosen.picking_id if chosen else [])
            case.picking_id = picking
            case.sale_order_id = picking.sale_id or case.sale_order_id

    @api.depends("commercial_partner_id", "product_id", "company_id")
    def _compute_delivery_option_ids(self):
        for case in self:
            if not (case.commercial_partner_id and case.product_id):
                case.delivery_option_ids = False
                continue
            case.delivery_option_ids = self.env["stock.picking"].search(
                [
                    ("picking_type_code", "=", "outgoing"),
                    ("state", "=", "done"),
                    ("partner_id", "child_of", case.commercial_partner_id.id),
                    ("company_id", "=", case.company_id.id),
                    ("move_ids.product_id", "=", case.product_id.id),
                ],
                order="date_done desc, id desc",
                limit=50,
            )

    @api.depends("date_open", "priority", "type_id", "company_id")
    def _compute_sla_deadlines(self):
        for case in self:
            calendar = case.company_id.resource_calendar_id
            if not (case.type_id and case.date_open and calendar):
                case.sla_response_deadline = case.sla_resolution_deadline = False
                continue
            response, resolution = case.type_id._sla_hours(case.priority)
            case.sla_response_deadline = (
                calendar.plan_hours(response, case.date_open, compute_leaves=True) if response else False
            )
            case.sla_resolution_deadline = (
                calendar.plan_hours(resolution, case.date_open, compute_leaves=True) if resolution else False
            )

    @api.depends(
        "date_open", "date_first_response", "date_closed", "sla_response_deadline", "sla_resolution_deadline"
    )
    def _compute_durations(self):
        for case in self:
            opened = case.date_open
            case.response_hours = (
                (case.date_first_response - opened).total_seconds() / 3600
                if case.date_first_response
                else 0.0
            )
            case.resolution_hours = (
                (case.date_closed - opened).total_seconds() / 3600 if case.date_closed else 0.0
            )
            case.response_late = bool(
                case.date_first_response
                and case.sla_response_deadline
                and case.date_first_response > case.sla_response_deadline
            )
            case.resolution_late = bool(
                case.date_closed
                and case.sla_resolution_deadline
                and case.date_closed > case.sla_resolution_deadline
            )

    @api.depends("is_closed", "date_first_response", "sla_response_deadline", "sla_resolution_deadline")
    def _compute_sla_overdue(self):
        now = fields.Datetime.now()
        for case in self:
            case.sla_overdue = not case.is_closed and bool(
                (
                    not case.date_first_response
                    and case.sla_response_deadline
                    and case.sla_response_deadline < now
                )
                or (case.sla_resolution_deadline and case.sla_resolution_deadline < now)
            )

    def _search_sla_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Search SLA Overdue with = or != and True or False."))
        now = fields.Datetime.now()
        domain = [
            ("is_closed", "=", False),
            "|",
            "&",
            ("date_first_response", "=", False),
            ("sla_response_deadline", "<", now),
            ("sla_resolution_deadline", "<", now),
        ]
        if (operator == "=") != value:
            return ["!", *domain]
        return domain

    @api.depends("lot_id", "picking_id", "product_id", "commercial_partner_id", "company_id", "date_open")
    def _compute_warranty(self):
        for case in self:
            result, other = case._warranty_result()
            case.warranty_state = result.state
            case.warranty_start = result.start
            case.warranty_end = result.end
            case.warranty_picking_id = result.picking_id or False
            case.lot_partner_id = other

    @api.depends("warranty_state", "warranty_end", "warranty_picking_id", "lot_partner_id")
    def _compute_warranty_label(self):
        for case in self:
            case.warranty_label = case._warranty_text()

    @api.depends("return_picking_ids", "replacement_picking_ids", "repair_ids", "credit_note_ids")
    def _compute_handoff_count(self):
        for case in self:
            case.handoff_count = len(case.picking_ids) + len(case.repair_ids) + len(case.credit_note_ids)

    @api.depends("picking_ids.state", "picking_ids.service_role", "stage_id.waiting_on", "is_closed")
    def _compute_waiting_on(self):
        for case in self:
            pending = case.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
            if case.is_closed:
                case.waiting_on = False
            elif "return" in pending.mapped("service_role"):
                case.waiting_on = "return"
            elif "replacement" in pending.mapped("service_role"):
                case.waiting_on = "replacement"
            else:
                case.waiting_on = case.stage_id.waiting_on

    @api.depends(
        "picking_ids.state",
        "picking_ids.move_ids.quantity",
        "repair_ids.state",
        "repair_ids.move_ids.quantity",
        "credit_note_ids.state",
        "credit_note_ids.amount_untaxed_signed",
    )
    def _compute_costs(self):
        for case in self:
            company = case.company_id

            def at_cost(moves, company=company):
                return sum(m.product_id.with_company(company).standard_price * m.quantity for m in moves)

            done = case.picking_ids.filtered(lambda p: p.state == "done")
            case.cost_return = at_cost(done.filtered(lambda p: p.service_role == "return").move_ids)
            case.cost_replacement = at_cost(done.filtered(lambda p: p.service_role == "replacement").move_ids)
            repairs = case.repair_ids.filtered(lambda r: r.state == "done")
            parts = repairs.move_ids.filtered(lambda m: m.repair_line_type == "add" and m.state == "done")
            operations = repairs.sale_order_id.order_line.filtered(
                lambda line: line.product_id.type == "service"
            )
            case.cost_repair = at_cost(parts) + sum(
                line.product_id.with_company(company).standard_price * line.product_uom_qty
                for line in operations
            )
            refunds = case.credit_note_ids.filtered(lambda m: m.state == "posted")
            # amount_untaxed_signed: in the company currency, converted by Odoo at the note's date
            case.cost_refund = -sum(refunds.mapped("amount_untaxed_signed"))
            case.cost_total = case.cost_return + case.cost_replacement + case.cost_repair + case.cost_refund

    # ------------------------------------------------------------------ constraints

    @api.constrains("picking_id", "company_id", "commercial_partner_id")
    def _check_picking(self):
        for case in self.filtered("picking_id"):
            picking = case.picking_id
            if picking.company_id != case.company_id:
                raise ValidationError(
                    self.env._(
                        "Delivery %(picking)s belongs to %(picking_company)s, case %(case)s to %(company)s: "
                        "choose a delivery of %(company)s.",
                        picking=picking.name,
                        picking_company=picking.company_id.name,
                        case=case.name,
                        company=case.company_id.name,
                    )
                )
            if (
                case.commercial_partner_id
                and picking.partner_id.commercial_partner_id != case.commercial_partner_id
            ):
                raise ValidationError(
                    self.env._(
                        "Delivery %(picking)s went to %(other)s, not to %(customer)s: "
                        "choose one of the customer's deliveries.",
                        picking=picking.name,
                        other=picking.partner_id.commercial_partner_id.display_name,
                        customer=case.commercial_partner_id.display_name,
                    )
                )

    @api.constrains("lot_id", "product_id")
    def _check_lot_product(self):
        for case in self.filtered("lot_id"):
            if case.product_id and case.lot_id.product_id != case.product_id:
                raise ValidationError(
                    self.env._(
                        "Serial %(lot)s is a %(lot_product)s, not a %(product)s.",
                        lot=case.lot_id.name,
                        lot_product=case.lot_id.product_id.display_name,
                        product=case.product_id.display_name,
                    )
                )

    # ------------------------------------------------------------------ CRUD

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "New") == "New":
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                vals["name"] = (
                    self.env["ir.sequence"].with_company(company).next_by_code("crm.service.case") or "New"
                )
        cases = super().create(vals_list)
        cases.filtered("is_closed")._set_closed_dates()
        return cases

    def write(self, vals):
        res = super().write(vals)
        if "stage_id" in vals:
            self._set_closed_dates()
        return res

    @api.model
    def _crm_replan_sla(self, domain):
        """Plan again the SLA deadlines of the open cases in ``domain``, after
        their type's hours or their company's working calendar changed (closed
        cases keep the deadlines they were measured against)."""
        # sudo: a calendar or type edited by an administrator replans every open case it affects
        cases = self.sudo().search(expression.AND([domain, [("is_closed", "=", False)]]))
        for name in ("sla_response_deadline", "sla_resolution_deadline"):
            self.env.add_to_compute(self._fields[name], cases)
        cases.flush_recordset(["sla_response_deadline", "sla_resolution_deadline"])

    def _set_closed_dates(self):
        now = fields.Datetime.now()
        for case in self:
            if case.is_closed and not case.date_closed:
                case.date_closed = now
            elif not case.is_closed and case.date_closed:
                case.date_closed = False

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        values = {
            "subject": msg_dict.get("subject") or self.env._("No Subject"),
            "email_from": msg_dict.get("from"),
            "partner_id": msg_dict.get("author_id", False),
            "description": msg_dict.get("body"),
        }
        values.update(custom_values or {})
        return super(CrmServiceCase, self.with_context(default_user_id=False)).message_new(
            msg_dict, custom_values=values
        )

    def _message_post_after_hook(self, message, msg_vals):
        # a reply to the customer (not an internal note) by an employee is the first response
        if (
            message.message_type == "comment"
            and message.subtype_id == self.env.ref("mail.mt_comment")
            and message.author_id.user_ids.filtered(lambda u: not u.share)
        ):
            self.filtered(lambda c: not c.date_first_response).date_first_response = message.date
        return super()._message_post_after_hook(message, msg_vals)

    # ------------------------------------------------------------------ helpers

    @api.model
    def _service_stats(self, groupby, domain):
        """{group record: {open, year, avg_hours, overdue}} for the client cards, as the user sees them."""
        since = fields.Datetime.now() - relativedelta(months=12)
        stats = defaultdict(lambda: {"open": 0, "year": 0, "avg_hours": 0.0, "overdue": 0})
        queries = (
            ("open", [("is_closed", "=", False)], "__count"),
            ("year", [("date_open", ">=", since)], "__count"),
            ("avg_hours", [("is_closed", "=", True), ("date_closed", "!=", False)], "resolution_hours:avg"),
            ("overdue", [("sla_overdue", "=", True)], "__count"),
        )
        for key, extra, aggregate in queries:
            for group, value in self._read_group(domain + extra, [groupby], [aggregate]):
                stats[group][key] = value or 0
        return stats

    def _compute_display_name(self):
        for case in self:
            case.display_name = f"{case.name} {case.subject}" if case.subject else case.name

    def _warranty_result(self):
        """(wty.Warranty, partner the serial went to instead) for this case."""
        self.ensure_one()
        return self._warranty_of(
            self.lot_id,
            self.product_id,
            self.commercial_partner_id,
            self.company_id,
            self.picking_id,
            self.date_open,
        )

    @api.model
    def _warranty_of(self, lot, product, customer, company, picking, moment):
        """(wty.Warranty, partner the serial went to instead) of a unit for a customer at ``moment``."""
        product = lot.product_id or product
        if not product or not (lot or picking):
            return wty.Warranty(wty.UNKNOWN), False
        months = wty.warranty_months(
            product.service_warranty_months,
            product.categ_id._service_warranty_months(),
            lot.service_warranty_extension_months,
        )
        moment = moment or fields.Datetime.now()
        other = False
        if lot:
            deliveries = self._warranty_deliveries(lot, customer, company, until=moment)
            if not deliveries:
                other = self._lot_delivered_to(lot, company)
        else:
            deliveries = [wty.Delivery(self._local_date(picking.date_done, company), picking.id)]
        on_day = self._local_date(moment, company)
        result = wty.compute_warranty(on_day, deliveries, months, company.service_warranty_restarts)
        return result, other

    @api.model
    def _local_date(self, moment, company):
        """The day ``moment`` (naive UTC) falls on in the company's working calendar."""
        tz = pytz.timezone(company.resource_calendar_id.tz or "UTC")
        return pytz.utc.localize(moment).astimezone(tz).date()

    @api.model
    def _warranty_deliveries(self, lot, customer, company, until=None):
        """The done deliveries of ``lot`` to ``customer`` (a commercial entity) up to ``until``
        (the case's opening; now when None), as wty.Delivery. One indexed query."""
        if not (lot and customer):
            return []
        self.env["stock.move.line"].flush_model(["lot_id", "state", "location_dest_id", "picking_id", "date"])
        self.env["stock.picking"].flush_model(["partner_id", "service_case_id", "service_role"])
        self.flush_model(["warranty_start"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT ml.date, ml.picking_id, sc.warranty_start
                  FROM stock_move_line ml
                  JOIN stock_location dest ON dest.id = ml.location_dest_id AND dest.usage = 'customer'
                  JOIN stock_picking pk ON pk.id = ml.picking_id
                  JOIN res_partner rp ON rp.id = pk.partner_id
             LEFT JOIN crm_service_case sc ON sc.id = pk.service_case_id AND pk.service_role = 'replacement'
                 WHERE ml.lot_id = %(lot)s AND ml.state = 'done' AND ml.company_id = %(company)s
                   AND rp.commercial_partner_id = %(customer)s AND ml.date <= %(until)s
                """,
                until=until or fields.Datetime.now(),
                lot=lot.id,
                company=company.id,
                customer=customer.id,
            )
        )
        return [
            wty.Delivery(self._local_date(day, company), picking_id, start) for day, picking_id, start in rows
        ]

    @api.model
    def warranty_for_serial(self, serial, partner_id):
        """What the case form answers when a serial is typed: the warranty of that unit for that
        customer today, as plain values (RPC-friendly).

        One query: the serial and the customer's company under the user's record rules (Odoo's
        own, as sub-selects), the serial's product's and category's months, its company's
        calendar and its deliveries to customers (each with the customer's company); the same
        rules as the case's computed warranty (services/warranty.py). A customer the user may not
        read is refused as Odoo refuses reading it."""
        if not serial:
            return {"state": wty.UNKNOWN, "lot_id": False, "end": False, "picking_id": False}
        # the serial under Odoo's own record rules, found by the add-on's btree index on upper(name)
        # (Odoo 18 indexes it for trigrams only, slow for an exact match on millions): a sub-select
        # of the one query below
        lots = self.env["stock.lot"]._search([], limit=1)
        lots.add_where(SQL("upper(stock_lot.name) = upper(%s) AND stock_lot.name = %s", serial, serial))
        # the customer's company under the user's record rules, as reading the partner would: a
        # sub-select too (Odoo's fetch() of that one column took 0.8-1.0 ms of a 3.2-4.2 ms call)
        # Odoo's partner rule (company_id parent_of the user's companies) reads those companies'
        # parent_path: read that column alone first, or the rule's read fetches every column of
        # res.company (about 1 ms of a 4.6 ms call on the bench)
        # sudo: the parent_path of the user's own allowed companies, nothing else
        self.env.companies.sudo().fetch(["parent_path"])
        Partner = self.env["res.partner"].with_context(active_test=False)
        customer_sql = SQL("NULL::int")
        if partner_id:
            customer_sql = Partner._search([("id", "=", partner_id)]).subselect(
                SQL.identifier("res_partner", "commercial_partner_id")
            )
        # the query reads eleven models' columns (the lot's, its product's and categories', the
        # company's and its calendar's, the deliveries'): whatever is pending is written first
        # (a company's Replacement Restarts Warranty just changed, say)
        self.env.flush_all()
        now = fields.Datetime.now()
        # Each join costs planning time (PostgreSQL plans this statement on every call, and
        # planning was most of its time): the calendar, the category's parent, the location
        # usage, the picking's customer and the replaced unit's start are read by sub-selects,
        # planned alone, and the deliveries' LATERAL is planned apart (OFFSET 0): pulled up, its
        # tables would join the lot's in one search of join orders
        rows = self.env.execute_query(
            SQL(
                """
                SELECT lot.id, lot.service_warranty_extension_months, pt.service_warranty_months,
                       (SELECT c.service_warranty_months FROM product_category c
                         WHERE c.id = ANY(string_to_array(rtrim(
                                   (SELECT pc.parent_path FROM product_category pc WHERE pc.id = pt.categ_id),
                                   '/'), '/')::int[])
                           AND c.service_warranty_months > 0
                      ORDER BY length(c.parent_path) DESC LIMIT 1),
                       company.service_warranty_restarts,
                       COALESCE((SELECT cal.tz FROM resource_calendar cal
                                  WHERE cal.id = company.resource_calendar_id), 'UTC'),
                       %(customer)s, d.date, d.picking_id, d.customer, d.warranty_start
                  FROM stock_lot lot
                  JOIN product_product pp ON pp.id = lot.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                  JOIN res_company company ON company.id = COALESCE(lot.company_id, %(company)s)
             LEFT JOIN LATERAL (
                       SELECT ml.id, ml.date, ml.picking_id,
                              (SELECT rp.commercial_partner_id FROM res_partner rp
                                WHERE rp.id = pk.partner_id) AS customer,
                              CASE WHEN pk.service_role = 'replacement' THEN
                                   (SELECT sc.warranty_start FROM crm_service_case sc
                                     WHERE sc.id = pk.service_case_id)
                              END AS warranty_start
                         FROM stock_move_line ml
                    LEFT JOIN stock_picking pk ON pk.id = ml.picking_id
                        WHERE ml.lot_id = lot.id AND ml.state = 'done' AND ml.company_id = company.id
                          AND ml.location_dest_id = ANY(ARRAY(
                                  SELECT dest.id FROM stock_location dest WHERE dest.usage = 'customer'))
                       OFFSET 0
                       ) d ON TRUE
                 WHERE lot.id = ANY(ARRAY%(lots)s)
              ORDER BY d.date DESC, d.id DESC
                """,
                company=self.env.company.id,
                customer=customer_sql,
                lots=lots.subselect(),
            )
        )
        customer = rows[0][6] if rows else None
        if partner_id and customer is None:
            # a customer the user may not read (or none): Odoo's own refusal, as reading it does
            partner = Partner.browse(partner_id)
            partner.fetch(["commercial_partner_id"])
            customer = partner.commercial_partner_id.id
        if not rows:
            return {"state": wty.NOT_DELIVERED, "lot_id": False, "end": False, "picking_id": False}
        lot_id, extension, product_months, category_months, restarts, tz_name, *_ = rows[0]
        tz = pytz.timezone(tz_name)

        def local(moment):
            return pytz.utc.localize(moment).astimezone(tz).date()

        # the serial's deliveries to this customer until now; else the customer it last went to
        deliveries = [
            wty.Delivery(local(day), picking, start)
            for *_, day, picking, to, start in rows
            if picking and customer and to == customer and day <= now
        ]
        months = wty.warranty_months(product_months, category_months, extension)
        result = wty.compute_warranty(local(now), deliveries, months, restarts)
        return {
            "state": result.state,
            "lot_id": lot_id,
            "end": result.end or False,
            "picking_id": result.picking_id or False,
            "delivered_to": False if deliveries else (rows[0][9] or False),
        }

    @api.model
    def _lot_delivered_to(self, lot, company):
        """The customer the serial was last delivered to, if any."""
        line = (
            self.env["stock.move.line"]
            .sudo()
            .search(  # sudo: names the other customer in the warning only
                [
                    ("lot_id", "=", lot.id),
                    ("state", "=", "done"),
                    ("location_dest_id.usage", "=", "customer"),
                    ("company_id", "=", company.id),
                ],
                order="date desc",
                limit=1,
            )
        )
        return line.picking_id.partner_id.commercial_partner_id

    def _warranty_text(self):
        self.ensure_one()
        state = self.warranty_state
        proof = self.warranty_picking_id.name
        if state == wty.VALID:
            return self.env._(
                "Under warranty until %(end)s (delivery %(proof)s)", end=self.warranty_end, proof=proof
            )
        if state == wty.EXPIRED:
            return self.env._(
                "Warranty expired %(end)s (delivery %(proof)s)", end=self.warranty_end, proof=proof
            )
        if state == wty.NO_WARRANTY:
            return self.env._("No warranty period for this product (delivery %(proof)s)", proof=proof)
        if state == wty.NOT_DELIVERED:
            if self.lot_partner_id:
                return self.env._(
                    "Serial %(lot)s was never delivered to this customer: it went to %(other)s",
                    lot=self.lot_id.name,
                    other=self.lot_partner_id.display_name,
                )
            return self.env._("Serial %(lot)s was never delivered to this customer", lot=self.lot_id.name)
        return self.env._("Give the serial number or choose the delivery to know the warranty")
