import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools.sql import create_index

from ..services import phone as phone_service
from ..services.pbx.event import DIRECTIONS
from ..services.sql_indexes import SUFFIX

CALL_STATES = [
    ("ringing", "Ringing"),
    ("answered", "Answered"),
    ("missed", "Missed"),
    ("busy", "Busy"),
    ("failed", "Failed"),
]
# an internal extension, never a client's number
INTERNAL_EXTENSION_MAX = 5


class CrmPhoneCall(models.Model):
    """One telephone call: logged from the PBX's events (or typed by hand),
    linked to the contact, company and lead it was with."""

    _name = "crm.phone.call"
    _description = "Phone Call"
    _inherit = ["crm.phone.call.processing"]
    _order = "start_at desc, id desc"
    _rec_names_search = ["caller_number", "called_number", "partner_id", "lead_id"]

    connection_id = fields.Many2one("crm.pbx.connection", string="PBX", ondelete="restrict", index=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, readonly=True
    )
    pbx_call_id = fields.Char(string="PBX Call Id", readonly=True, index="btree_not_null", copy=False)
    origin = fields.Selection(
        [("pbx", "PBX"), ("click_to_dial", "Click to Dial"), ("manual", "Logged by Hand")],
        default="manual",
        required=True,
        readonly=True,
    )
    direction = fields.Selection(
        [(direction, direction.capitalize()) for direction in DIRECTIONS], required=True, default="outbound"
    )
    state = fields.Selection(CALL_STATES, required=True, default="answered", index=True)
    start_at = fields.Datetime(string="Start", required=True, default=fields.Datetime.now, index=True)
    answer_at = fields.Datetime(string="Answered At")
    end_at = fields.Datetime(string="End")
    # computed before the INSERT (precompute): a call is logged in one statement, not two
    wait_seconds = fields.Integer(
        string="Wait (s)", compute="_compute_durations", store=True, precompute=True, aggregator="avg"
    )
    talk_seconds = fields.Integer(
        string="Talk (s)", compute="_compute_durations", store=True, precompute=True, aggregator="avg"
    )
    answered_percent = fields.Integer(
        string="Answered (%)", compute="_compute_durations", store=True, precompute=True, aggregator="avg"
    )
    start_hour = fields.Integer(
        string="Hour",
        compute="_compute_start_hour",
        store=True,
        precompute=True,
        aggregator=None,
        help="Local hour of the call.",
    )
    caller_number = fields.Char(string="From", help="The calling number as the PBX sent it.")
    called_number = fields.Char(string="To", help="The called number as the PBX sent it.")
    caller_e164 = fields.Char(string="From (key)", index="btree_not_null", readonly=True)
    called_e164 = fields.Char(string="To (key)", index="btree_not_null", readonly=True)
    number_invalid = fields.Boolean(
        string="Junk Number",
        readonly=True,
        help="The client's number is not a valid phone number: logged as sent.",
    )
    extension = fields.Char(index="btree_not_null")
    user_id = fields.Many2one("res.users", string="User", index=True, default=lambda self: self.env.user)
    team_id = fields.Many2one("crm.team", string="Sales Team", index=True)
    partner_id = fields.Many2one("res.partner", string="Contact", index=True)
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id",
        string="Client Company",
        store=True,
        precompute=True,
        index=True,
    )
    client_group_id = fields.Many2one(
        related="commercial_partner_id.client_group_id",
        string="Client Group",
        store=True,
        precompute=True,
        index="btree_not_null",
    )
    lead_id = fields.Many2one("crm.lead", string="Lead/Opportunity", index="btree_not_null")
    recording_url = fields.Char(string="Recording")
    result = fields.Selection(
        [
            ("reached", "Reached"),
            ("no_answer", "No Answer"),
            ("call_back", "Call Back"),
            ("wrong_number", "Wrong Number"),
        ]
    )
    note = fields.Text()
    # no inbound call left without an answer
    callback_deadline = fields.Datetime(string="Call Back By", readonly=True, index="btree_not_null")
    callback_user_id = fields.Many2one(
        "res.users", string="To Call Back", readonly=True, index="btree_not_null"
    )
    callback_activity_id = fields.Many2one("mail.activity", readonly=True, ondelete="set null")
    called_back_at = fields.Datetime(string="Called Back At", readonly=True)
    callback_done = fields.Boolean(string="Called Back", readonly=True)
    callback_overdue = fields.Boolean(
        string="Call-Back Overdue", compute="_compute_callback_overdue", search="_search_callback_overdue"
    )
    callback_notice_pending = fields.Boolean(
        string="Call-Back Notice Pending",
        readonly=True,
        help="The notice telling the responsible of the call-back is yet to be sent by the background job.",
    )
    callback_late = fields.Integer(
        string="Call-Backs Late",
        readonly=True,
        help="1 for a missed call not called back within the time set on its PBX connection.",
    )

    def init(self):
        super().init()
        # the KPI board's calls made: a month's outbound calls counted in the index alone
        create_index(
            self.env.cr,
            f"crm_phone_call_outbound_{SUFFIX}",
            self._table,
            ["start_at", "company_id", "user_id"],
            where="direction = 'outbound'",
        )
        # the call-backs whose notice the background job has yet to send: a handful at any time
        create_index(
            self.env.cr,
            f"crm_phone_call_notice_pending_{SUFFIX}",
            self._table,
            ["id"],
            where="callback_notice_pending",
        )

    @api.depends("direction", "state", "caller_number", "called_number", "partner_id", "lead_id")
    def _compute_display_name(self):
        labels = dict(self._fields["direction"]._description_selection(self.env))
        for call in self:
            number = call.caller_number if call.direction == "inbound" else call.called_number
            who = call.partner_id.display_name or call.lead_id.name or number or ""
            call.display_name = self.env._(
                "%(direction)s call, %(who)s", direction=labels[call.direction], who=who
            )

    @api.depends("start_at", "answer_at", "end_at", "state")
    def _compute_durations(self):
        for call in self:
            answered = call.state == "answered"
            until = call.answer_at if answered else call.end_at
            call.wait_seconds = max(int((until - call.start_at).total_seconds()), 0) if until else 0
            call.talk_seconds = (
                max(int((call.end_at - call.answer_at).total_seconds()), 0)
                if answered and call.answer_at and call.end_at
                else 0
            )
            call.answered_percent = 100 if answered else 0

    @api.depends("state", "callback_done", "callback_deadline")
    def _compute_callback_overdue(self):
        now = fields.Datetime.now()
        for call in self:
            call.callback_overdue = bool(
                call.state == "missed"
                and not call.callback_done
                and call.callback_deadline
                and call.callback_deadline < now
            )

    def _search_callback_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Search call-backs overdue with = True or = False."))
        domain = [
            ("state", "=", "missed"),
            ("callback_done", "=", False),
            ("callback_deadline", "<", fields.Datetime.now()),
        ]
        return domain if (operator == "=") == value else ["!", *expression.normalize_domain(domain)]

    @api.depends("start_at", "connection_id.tz")
    def _compute_start_hour(self):
        for call in self:
            zone = pytz.timezone(call.connection_id.tz or self.env.user.tz or "UTC")
            call.start_hour = pytz.utc.localize(call.start_at).astimezone(zone).hour if call.start_at else 0

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            vals.update(self._prepare_number_vals(vals.get("caller_number"), vals.get("called_number"), vals))
        calls = super().create(vals_list)
        calls._crm_respond_to_leads()
        return calls

    def write(self, vals):
        if {"caller_number", "called_number"} & set(vals):
            for call in self:
                super(CrmPhoneCall, call).write(
                    dict(
                        vals,
                        **call._prepare_number_vals(
                            vals.get("caller_number", call.caller_number),
                            vals.get("called_number", call.called_number),
                            vals,
                        ),
                    )
                )
        else:
            super().write(vals)
        if {"state", "lead_id"} & set(vals):
            self._crm_respond_to_leads()
        return True

    def _crm_respond_to_leads(self):
        """An answered call with a lead is its first contact (response SLA)."""
        for call in self.filtered(
            lambda call: call.state == "answered" and call.lead_id and call.direction != "internal"
        ):
            call.lead_id._crm_mark_responded(call.answer_at or call.start_at, "phone")

    @api.model
    def _prepare_number_vals(self, caller, called, vals):
        """The E.164 keys of the numbers, and the junk flag of the client's
        number (the caller's for an inbound call, else the called one)."""
        regions = self.env["res.partner"]._crm_lookup_regions()
        caller_key = phone_service.first_reading(caller or "", regions)
        called_key = phone_service.first_reading(called or "", regions)
        client_number, client_key = (
            (caller, caller_key) if vals.get("direction", "outbound") == "inbound" else (called, called_key)
        )
        return {
            "caller_e164": caller_key or False,
            "called_e164": called_key or False,
            "number_invalid": bool(
                client_number
                and not client_key
                and not (client_number.isdigit() and len(client_number) <= INTERNAL_EXTENSION_MAX)
            ),
        }

    @api.model
    def crm_click_to_dial(self, number, res_model=False, res_id=False):
        """Ask the user's PBX to ring their phone and then dial ``number``;
        the call is logged as outbound (with the record it was dialled from).
        Returns a notification for the web client; a PBX that refuses or
        cannot be reached gives a message the user can act on, and the call
        stays logged as failed."""
        connection = self.env["res.users"]._crm_click_to_dial_connection()
        if not connection:
            raise UserError(
                self.env._("You have no phone extension on a PBX that can dial: ask an administrator.")
            )
        record = (
            self.env[res_model].browse(res_id).exists() if res_model in ("res.partner", "crm.lead") else None
        )
        if record:
            record.check_access("read")
        call = self.create(
            {
                "connection_id": connection.id,
                "company_id": connection.company_id.id,
                "origin": "click_to_dial",
                "direction": "outbound",
                "state": "ringing",
                "called_number": number,
                "extension": self.env.user.crm_phone_extension,
                "user_id": self.env.user.id,
                "team_id": self.env.user.sale_team_id.id,
                "partner_id": record.id
                if record and record._name == "res.partner"
                else record and record.partner_id.id,
                "lead_id": record.id if record and record._name == "crm.lead" else False,
            }
        )
        error = connection._crm_originate(self.env.user.crm_phone_extension, number)
        if error:
            call.write({"state": "failed", "end_at": fields.Datetime.now(), "note": error})
        return {
            "type": "danger" if error else "success",
            "message": error or self.env._("Your phone rings: pick it up to call %(number)s.", number=number),
        }

    def action_open_record(self):
        """Open the contact, else the lead, the call was with."""
        self.ensure_one()
        record = self.partner_id or self.lead_id
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "res_id": record.id,
            "views": [(False, "form")],
        }

    def action_create_service_case(self):
        """Open a new service case for the caller, from the call screen."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.service.case",
            "views": [(False, "form")],
            "target": "current",
            "context": self._crm_case_defaults(self.partner_id, self),
        }

    @api.model
    def _crm_case_defaults(self, partner, call):
        """Defaults of a service case opened from ``call`` with ``partner``
        (the call left out when the user may not read it)."""
        defaults = {
            "default_partner_id": (partner.commercial_partner_id or partner).id,
            "default_contact_id": partner.id,
        }
        if call:
            defaults["default_phone_call_id"] = call.id
            defaults["default_subject"] = self.env._("Call of %(date)s", date=call.start_at)
        return defaults
