import secrets

from odoo import api, fields, models

from odoo.addons.base.models.res_partner import _tz_get

from ..services.pbx import generic, mango

# Adapters reading each kind of connection's webhooks (Asterisk's bridge posts
# the generic format); extension point: add a vendor's module here.
ADAPTERS = {"generic": generic, "asterisk": generic, "mango": mango}


class CrmPbxConnection(models.Model):
    """A telephone exchange sending its call events to Odoo.

    Each connection has its own URL (a random token in it) and its own secret;
    both are for administrators only, and the secret is never sent to a
    browser: it is typed (the one configured in the PBX, e.g. from
    ``openssl rand -hex 32``), stored, and never read back.
    """

    _name = "crm.pbx.connection"
    _inherit = ["crm.secret.mixin"]
    _description = "PBX Connection"
    _order = "sequence, id"

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    adapter = fields.Selection(
        [("generic", "Generic JSON"), ("mango", "Mango Office"), ("asterisk", "Asterisk (AMI bridge)")],
        required=True,
        default="generic",
        help="How the PBX sends its call events: the generic signed JSON (any PBX or middleware), "
        "Mango Office's notifications, or Asterisk through the AMI bridge shipped with the add-on "
        "(it posts the generic JSON).",
    )
    token = fields.Char(
        required=True,
        copy=False,
        readonly=True,
        index=True,
        default=lambda self: secrets.token_urlsafe(24),
        groups="base.group_system",
    )
    url = fields.Char(
        string="Webhook URL",
        compute="_compute_url",
        groups="base.group_system",
        help="Where the PBX posts events.",
    )
    # no group may read it (as Odoo's two-factor secret): only the code, in sudo
    secret = fields.Char(copy=False, groups=fields.NO_ACCESS, prefetch=False)
    has_secret = fields.Boolean(compute="_compute_has_secret")
    new_secret = fields.Char(
        string="Set Secret",
        compute="_compute_new_secret",
        inverse="_inverse_new_secret",
        help="Type the secret the PBX signs its requests with; it is stored and never shown again.",
    )
    tz = fields.Selection(_tz_get, string="Time Zone", default=lambda self: self.env.user.tz or "UTC")
    user_ids = fields.Many2many(
        "res.users",
        string="Queue",
        help="Users notified of calls to a number or extension nobody owns (the reception, a queue).",
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        help="Team of the leads created from missed calls of unknown numbers.",
    )
    create_lead_on_missed = fields.Boolean(
        string="Lead From Missed Unknown Calls",
        default=True,
        help="A missed call from a number nobody has becomes a lead (source Phone), assigned by the team's "
        "rules.",
    )
    callback_sla_minutes = fields.Integer(
        string="Call Back Within (minutes)",
        default=30,
        help="A missed inbound call gets a Call back activity due this long after the call.",
    )
    callback_working_hours = fields.Boolean(
        string="In Working Hours",
        default=True,
        help="Count the call-back time in the company's working hours (its working schedule).",
    )
    # Mango Office: its unique PBX code (the secret is its signature key)
    api_key = fields.Char(string="API Key", groups="base.group_system", help="Mango Office's vpbx_api_key.")
    api_url = fields.Char(string="API Address", default=mango.DEFAULT_API_URL, groups="base.group_system")
    # Asterisk: click to dial through the Manager Interface
    ami_host = fields.Char(string="AMI Host", groups="base.group_system")
    ami_port = fields.Integer(string="AMI Port", default=5038, groups="base.group_system")
    ami_user = fields.Char(string="AMI User", groups="base.group_system")
    ami_secret = fields.Char(string="AMI Secret", copy=False, groups=fields.NO_ACCESS, prefetch=False)
    new_ami_secret = fields.Char(
        string="Set AMI Secret",
        compute="_compute_new_secret",
        inverse="_inverse_new_ami_secret",
        help="The secret of the AMI user (manager.conf); stored and never shown again.",
    )
    ami_channel = fields.Char(
        string="Channel",
        default="PJSIP/{extension}",
        groups="base.group_system",
        help="The user's phone channel.",
    )
    ami_context = fields.Char(string="Dial Context", default="from-internal", groups="base.group_system")
    call_count = fields.Integer(compute="_compute_call_count")

    _sql_constraints = [
        ("token_uniq", "unique (token)", "Two PBX connections cannot share a URL."),
        (
            "callback_sla_positive",
            "CHECK (callback_sla_minutes >= 0)",
            "The call-back time cannot be negative.",
        ),
    ]

    def _compute_url(self):
        base = self.get_base_url()
        for connection in self:
            connection.url = f"{base}/crm_extended/pbx/{connection.token}"

    def _compute_has_secret(self):
        # sudo: whether a secret is set, never the secret
        for connection, stored in zip(self, self.sudo().mapped("secret"), strict=True):
            connection.has_secret = bool(stored)

    def _compute_new_secret(self):
        # write-only: a secret is never read back
        self.new_secret = False
        self.new_ami_secret = False

    def _inverse_new_secret(self):
        self._crm_store_typed_secret("new_secret", "secret")

    def _inverse_new_ami_secret(self):
        self._crm_store_typed_secret("new_ami_secret", "ami_secret")

    def _compute_call_count(self):
        counts = dict(
            self.env["crm.phone.call"]._read_group(
                [("connection_id", "in", self.ids)], ["connection_id"], ["__count"]
            )
        )
        for connection in self:
            connection.call_count = counts.get(connection, 0)

    def action_view_calls(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_extended.crm_phone_call_action")
        action["domain"] = [("connection_id", "=", self.id)]
        return action

    # helpers

    def _crm_adapter(self):
        """The module reading this connection's webhooks (services/pbx)."""
        self.ensure_one()
        return ADAPTERS[self.adapter]

    def _crm_read_request(self, pbx_request, now):
        """The events of ``pbx_request`` (services/pbx ``PbxRequest``) once its
        adapter has checked it came from this connection's PBX; raises the
        adapter's ``Refused`` or ``Malformed`` otherwise."""
        self.ensure_one()
        adapter = self._crm_adapter()
        # sudo: the connection's secrets, used here and never returned
        connection = self.sudo()
        if self.adapter == "mango":
            adapter.verify(pbx_request, connection.secret or "", now, api_key=connection.api_key)
        else:
            adapter.verify(pbx_request, connection.secret or "", now)
        return adapter.parse(pbx_request)

    def _crm_originate(self, extension, number):
        """Ask the PBX to ring ``extension`` and dial ``number``; an error
        message a user can act on, or None when the PBX accepted."""
        self.ensure_one()
        # sudo: the connection's credentials, used here and never returned
        connection = self.sudo()
        if connection.adapter == "asterisk":
            return connection._crm_originate_asterisk(extension, number)
        if connection.adapter == "mango":
            try:
                mango.originate(connection.api_url, connection.api_key, connection.secret, extension, number)
            except mango.DialError as error:
                return error.message(self.env)
            return None
        return self.env._("Connection %(name)s cannot dial.", name=self.name)

    def _crm_originate_asterisk(self, extension, number):
        from ..services.pbx import ami

        try:
            ami.originate(
                host=self.ami_host,
                port=self.ami_port or 5038,
                username=self.ami_user,
                secret=self.ami_secret or "",
                channel=(self.ami_channel or "PJSIP/{extension}").format(extension=extension),
                exten=number,
                context=self.ami_context or "from-internal",
                caller_id=extension,
            )
        except ami.AmiUnreachable:
            return self.env._("The PBX is unreachable: check the AMI host and port.")
        except ami.AmiAuthError:
            return self.env._("The PBX refused the AMI login: check the AMI user and secret.")
        except ami.AmiError as error:
            return self.env._("The PBX did not dial: %(reason)s", reason=str(error))
        return None

    @api.model
    def _crm_find_by_token(self, token):
        """The active connection whose URL carries ``token`` (sudo: the webhook is not a user)."""
        if not token or len(token) > 64:
            return self.browse()
        # sudo: the PBX is authenticated by the token and the signature, not by a user. One
        # query for the search and the columns the request reads, the secret included (every
        # PBX request runs this before anything else)
        columns = [
            name for name, field in self._fields.items() if field.column_type and field.prefetch is True
        ]
        return self.sudo().search_fetch([("token", "=", token)], [*columns, "secret"], limit=1)
