from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import format_amount, plaintext2html

from ..services import phone as phone_service

# how a call that was never answered ended, by the PBX's hangup reason
UNANSWERED = {"busy": "busy", "failed": "failed"}


def _owner(users, extension):
    """The user of ``users`` whose extension is ``extension`` (empty when none is)."""
    return users.filtered(lambda user: extension and user.crm_phone_extension == extension)[:1]


class CrmPhoneCallProcessing(models.AbstractModel):
    """What the PBX's events do to the call log: identify the client, tell the
    user whose phone rings, log the call on the client's card, and make sure
    no missed call is left without an answer."""

    _name = "crm.phone.call.processing"
    _description = "Phone Call Event Processing"

    @api.model
    def _crm_process_events(self, connection, events):
        """Apply ``events`` (services/pbx ``CallEvent``) sent by ``connection``,
        each once: returns ``(accepted, duplicates)``. Runs in the
        connection's company, as superuser (the PBX is not a user); what each
        user is told is read under that user's rights."""
        Event = self.env["crm.phone.call.event"]
        # the e-mails the events cause (a call-back activity's notice) go through the mail queue:
        # the PBX's request never waits for an SMTP server
        Call = (
            self.env["crm.phone.call"]
            .with_company(connection.company_id)
            .with_context(mail_notify_force_send=False)
        )
        accepted = duplicates = 0
        # a call reported only once over (a PBX's summary) rings nobody
        ended = {event.call_id for event in events if event.kind == "hangup"}
        for event in events:
            # each extension a call rings is told once (a queue rings several)
            key = f"ringing:{event.extension}" if event.kind == "ringing" and event.extension else event.kind
            claimed = Event._crm_claim_event(connection, event.call_id, key)
            if claimed is None:
                duplicates += 1
                continue
            call_new, call_id = claimed
            # the users of the extensions the event names, read once for the call and its notification
            users = (
                Call._crm_users_of_extensions(connection, [event.extension, *event.ring_extensions])
                if call_new or event.kind in ("ringing", "answered")
                else self.env["res.users"]
            )
            call = Call._crm_call_for_event(connection, event, call_new, call_id, users)
            if event.kind == "ringing":
                call._crm_on_ringing(event, notify=event.call_id not in ended, users=users)
            elif event.kind == "answered":
                call._crm_on_answered(event, users=users)
            else:
                call._crm_on_hangup(event)
            accepted += 1
        Event.invalidate_model(["call_id"])
        return accepted, duplicates

    @api.model
    def _crm_call_for_event(self, connection, event, call_new, call_id, users):
        """The call ``event`` belongs to (``call_new``, ``call_id``: what claiming
        the event said): created by the first event of the call to arrive
        (whatever its kind), or a click-to-dial call waiting for its PBX id;
        ``users``: those of the extensions the event names."""
        if not call_new:
            return self.browse(call_id or ())
        vals = self._prepare_event_call_vals(connection, event, users)
        dialled = self._crm_click_to_dial_waiting(connection, event)
        if dialled:
            dialled.write({"pbx_call_id": event.call_id})
            call = dialled
        else:
            call = self.create(vals)
        self.env["crm.phone.call.event"]._crm_link(connection, event.call_id, call)
        return call

    @api.model
    def _prepare_event_call_vals(self, connection, event, users=None):
        if users is None:
            users = self._crm_users_of_extensions(connection, [event.extension])
        user = _owner(users, event.extension)
        client_number = event.caller if event.direction == "inbound" else event.called
        partner, lead = (
            self._crm_identify(connection, client_number) if event.direction != "internal" else (None, None)
        )
        return {
            "connection_id": connection.id,
            "company_id": connection.company_id.id,
            "pbx_call_id": event.call_id,
            "origin": "pbx",
            "direction": event.direction,
            "state": "ringing",
            "start_at": event.at,
            "caller_number": event.caller,
            "called_number": event.called,
            "extension": event.extension,
            "user_id": user.id,
            "team_id": (user.sale_team_id or connection.team_id).id,
            "partner_id": partner.id if partner else False,
            "lead_id": lead.id if lead else False,
        }

    @api.model
    def _crm_click_to_dial_waiting(self, connection, event):
        """A call dialled from Odoo in the last minute by the same extension to
        the same number, which the PBX now reports under its own id."""
        if event.direction != "outbound" or not event.extension:
            return self.browse()
        key = phone_service.first_reading(event.called, self.env["res.partner"]._crm_lookup_regions())
        return self.search(
            [
                ("connection_id", "=", connection.id),
                ("origin", "=", "click_to_dial"),
                ("pbx_call_id", "=", False),
                ("extension", "=", event.extension),
                ("called_e164", "=", key or "-"),
                ("start_at", ">=", event.at - timedelta(minutes=1)),
            ],
            order="start_at desc",
            limit=1,
        )

    @api.model
    def _crm_users_of_extensions(self, connection, extensions):
        """The active users of ``connection``'s company owning ``extensions``
        (one user an extension in a company: ``res.users``' constraint), with
        what the events read of them, in one query."""
        extensions = list(dict.fromkeys(ext for ext in extensions if ext))
        if not extensions:
            return self.env["res.users"]
        # ordered by id: by name (the users' order) would join every partner
        return self.env["res.users"].search_fetch(
            [("crm_phone_extension", "in", extensions), ("company_ids", "in", connection.company_id.ids)],
            ["crm_phone_extension", "sale_team_id", "partner_id"],
            order="id",
        )

    @api.model
    def _crm_identify(self, connection, number):
        """The contact (else company) and the open lead with ``number``, among
        those the connection's company may see."""
        if not number:
            return None, None
        Partner = self.env["res.partner"].with_company(connection.company_id)
        found = Partner.crm_lookup_phone(number)
        company = connection.company_id
        # what is read here and on the ringing card, in one query for the callers and their
        # companies (the card reads them only if its user's own lookup found them)
        (found["partners"] | found["companies"]).fetch(
            [
                "name",
                "is_company",
                "partner_share",
                "company_id",
                "commercial_partner_id",
                "user_id",
                "client_group_id",
                "contact_role_ids",
            ]
        )
        partners = found["partners"].filtered(lambda partner: partner._crm_visible_to_company(company))
        leads = found["leads"].filtered(lambda lead: not lead.company_id or lead.company_id == company)
        partner = partners.sorted(lambda p: (p.is_company, -p.id))[:1]
        lead = leads.filtered(
            lambda lead: partner and lead.partner_id.commercial_partner_id == partner.commercial_partner_id
        )[:1]
        return partner, lead or leads[:1]

    # events

    def _crm_on_ringing(self, event, notify=True, users=None):
        """``users``: those of the extensions the event names (read again when not given)."""
        self.ensure_one()
        if notify and self.state == "ringing" and self.direction == "inbound":
            extensions = list(event.ring_extensions) or [event.extension]
            if users is None:
                users = self._crm_users_of_extensions(self.connection_id, extensions)
            users = users.filtered(lambda user: user.crm_phone_extension in extensions)
            self._crm_notify_ringing(users or self.connection_id.user_ids)

    def _crm_on_answered(self, event, users=None):
        """``users``: those of the extensions the event names (read again when not given)."""
        self.ensure_one()
        if users is None:
            users = self._crm_users_of_extensions(self.connection_id, [event.extension])
        user = _owner(users, event.extension)
        vals = {"state": "answered", "answer_at": self.answer_at or event.at}
        if user:
            vals.update(
                user_id=user.id,
                extension=event.extension,
                team_id=(user.sale_team_id or self.team_id).id,
            )
        self.write(vals)
        # the durations the answer changes written with it: one UPDATE, not two
        self.flush_recordset()
        self._crm_close_callbacks()
        touched = self.partner_id | self.partner_id.commercial_partner_id
        touched._crm_record_first_touch(self.user_id, self.answer_at, "phone")
        self.lead_id._crm_record_first_touch(self.user_id, self.answer_at, "phone")

    def _crm_on_hangup(self, event):
        self.ensure_one()
        vals = {"end_at": event.at}
        if event.recording_url:
            vals["recording_url"] = event.recording_url
        if self.state in ("ringing", "missed"):
            vals["state"] = UNANSWERED.get(event.reason, "missed")
        self.write(vals)
        if self.state == "missed" and self.direction == "inbound":
            if not self.partner_id and not self.lead_id and self.connection_id.create_lead_on_missed:
                self._crm_create_lead_from_missed_call()
            self._crm_schedule_callback()
        self._crm_log_on_cards()

    # what the call leaves behind

    def _crm_log_on_cards(self):
        """One line in the chatter of the contact and of the lead: the call, answered or missed."""
        if self.state == "answered":
            body = self.env._(
                "%(direction)s call answered by %(user)s, %(minutes)s min %(seconds)s s",
                direction=dict(self._fields["direction"]._description_selection(self.env))[self.direction],
                user=self.user_id.name or self.extension or "?",
                minutes=self.talk_seconds // 60,
                seconds=self.talk_seconds % 60,
            )
        elif self.state == "missed":
            body = self.env._("Missed call from %(number)s", number=self.caller_number or "?")
        else:
            return
        for record in (self.partner_id, self.lead_id):
            if record:
                record._message_log(body=plaintext2html(body))

    def _crm_schedule_callback(self):
        """A Call back activity for who is responsible for the client, due
        within the connection's call-back time (in working hours when set)."""
        connection = self.connection_id
        responsible = (
            self.partner_id.commercial_partner_id.user_id
            or self.lead_id.user_id
            or self.user_id
            or connection.user_ids[:1]
        ).filtered(lambda user: user.active and not user.share)[:1]
        deadline = self._crm_callback_deadline(self.end_at or self.start_at)
        record = self.lead_id or self.partner_id
        activity = self.env["mail.activity"]
        if record and responsible:
            # Odoo's notice of the activity to its user (an e-mail rendered from two templates:
            # 18 ms of a missed call's 38 ms on the million partners) is sent by the background
            # job (_crm_cron_send_callback_notices), not in the PBX's request, as hr_contract
            # schedules its activities
            activity = record.with_context(mail_activity_quick_update=True).activity_schedule(
                "crm_extended.mail_activity_type_call_back",
                date_deadline=fields.Date.context_today(self, deadline),
                summary=self.env._("Call back %(number)s", number=self.caller_number or ""),
                note=self.env._("Missed call at %(time)s", time=fields.Datetime.to_string(self.start_at)),
                user_id=responsible.id,
            )
        self.write(
            {
                "callback_deadline": deadline,
                "callback_user_id": responsible.id,
                "callback_activity_id": activity.id,
                "callback_notice_pending": bool(activity),
            }
        )
        if activity:
            self.env.ref("crm_extended.ir_cron_crm_phone_call_callback_notices")._trigger()

    def _crm_callback_deadline(self, since):
        connection = self.connection_id
        minutes = connection.callback_sla_minutes
        calendar = connection.company_id.resource_calendar_id
        if connection.callback_working_hours and calendar:
            planned = calendar.plan_hours(minutes / 60.0, since, compute_leaves=True)
            if planned:
                return planned
        return since + timedelta(minutes=minutes)

    def _crm_close_callbacks(self):
        """An answered call with a client closes the call-backs owed to that number."""
        key = self.caller_e164 if self.direction == "inbound" else self.called_e164
        if not key or self.direction == "internal":
            return
        pending = self.search(
            [
                ("id", "!=", self.id),
                ("state", "=", "missed"),
                ("direction", "=", "inbound"),
                ("callback_done", "=", False),
                ("caller_e164", "=", key),
                ("callback_deadline", "!=", False),
            ]
        )
        if not pending:
            return
        when = self.answer_at or fields.Datetime.now()
        for call in pending:
            call.write(
                {
                    "callback_done": True,
                    "called_back_at": when,
                    "callback_late": 1 if call.callback_deadline < when else 0,
                }
            )
        pending.callback_activity_id.action_feedback(
            feedback=self.env._("Reached by phone on %(time)s", time=fields.Datetime.to_string(when))
        )

    def _crm_create_lead_from_missed_call(self):
        """A missed call from a number nobody has: a lead (source Phone), in
        the connection's team, left to the team's assignment rules."""
        lead = (
            self.env["crm.lead"]
            .with_company(self.company_id)
            .create(
                {
                    "name": self.env._("Missed call from %(number)s", number=self.caller_number or "?"),
                    "type": "lead",
                    "phone": self.caller_number,
                    "source_id": self.env.ref("crm_extended.utm_source_phone").id,
                    "medium_id": self.env.ref("utm.utm_medium_phone").id,
                    "team_id": self.connection_id.team_id.id,
                    "user_id": False,
                    "company_id": self.company_id.id,
                }
            )
        )
        self.lead_id = lead

    @api.model
    def _crm_cron_flag_late_callbacks(self):
        """Count as late the call-backs whose time ran out."""
        late = self.search(
            [
                ("state", "=", "missed"),
                ("callback_done", "=", False),
                ("callback_late", "=", 0),
                ("callback_deadline", "<", fields.Datetime.now()),
            ]
        )
        late.write({"callback_late": 1})

    @api.model
    def _crm_cron_send_callback_notices(self, batch_size=200):
        """Send the notices of the call-backs scheduled by the PBX's events: Odoo's own notice of
        an activity assigned by someone else (``mail.activity.action_notify``, in the user's
        language, by e-mail or in Odoo as the user chose), which the event's request left to
        this job. A call-back done or removed meanwhile is not told."""
        calls = self.search([("callback_notice_pending", "=", True)], order="id", limit=batch_size)
        activities = calls.callback_activity_id.exists().filtered(
            lambda activity: activity.active and activity.user_id != self.env.user
        )
        activities.action_notify()
        calls.write({"callback_notice_pending": False})
        if len(calls) == batch_size:
            self.env.ref("crm_extended.ir_cron_crm_phone_call_callback_notices")._trigger()

    # who is calling

    def _crm_notify_ringing(self, users):
        """Tell each user whose phone rings who is calling, read under that user's rights."""
        shared = {}  # what does not depend on the user, read once for all of them
        for user in users:
            card = (
                self.env["crm.phone.call"]
                .with_user(user)
                ._crm_caller_card(self.caller_number or "", self.id, shared)
            )
            user._bus_send("crm_extended/incoming_call", card)

    @api.model
    def _crm_caller_card(self, number, call_id, shared=None):
        """What the user whose phone rings sees of the caller of ``number``
        (plain values, under the user's own rights: a user who may not read
        the CRM gets the number alone). ``shared``: a dict kept across the
        users told of one call, for what is the same for all of them."""
        card = {"call_id": call_id, "number": number, "known": False, "partner": False, "leads": []}
        try:
            found = self.env["res.partner"].crm_lookup_phone(number) if number else None
        except AccessError:
            return card
        if not found:
            return card
        partner = found["partners"].sorted(lambda p: (p.is_company, -p.id))[:1]
        leads = found["leads"]
        card["known"] = bool(partner or leads)
        card["leads"] = [
            {
                "id": lead.id,
                "name": lead.name,
                "stage": lead.stage_id.name or "",
                "user": lead.user_id.name or "",
            }
            for lead in leads[:5]
        ]
        if partner:
            commercial = partner.commercial_partner_id
            card["partner"] = {
                "id": partner.id,
                "name": partner.name,
                "company": commercial.name if commercial != partner else "",
                "roles": partner.contact_role_ids.mapped("name"),
                "salesperson": commercial.user_id.name or "",
            }
            card.update(self._crm_caller_money(commercial, shared))
            card.update(self._crm_caller_cases(partner, self.browse(call_id)))
        return card

    def _crm_caller_cases(self, partner, call):
        """The client's open service cases with their warranty, for the roles
        that may read cases; for those who may open one, the new case's defaults."""
        Case = self.env["crm.service.case"]
        if not Case.has_access("read"):
            return {"cases": [], "case_context": False}
        cases = Case.search(
            [("commercial_partner_id", "=", partner.commercial_partner_id.id), ("is_closed", "=", False)],
            limit=5,
        )
        may_open = Case.has_access("create")
        # the call of a ringing notification exists (made in this transaction): its rights alone
        readable_call = call if may_open and call and call.has_access("read") else call.browse()
        return {
            "cases": [
                {
                    "id": case.id,
                    "name": case.name,
                    "subject": case.subject,
                    "stage": case.stage_id.name or "",
                    "warranty": case.warranty_label or "",
                }
                for case in cases
            ],
            "case_context": call._crm_case_defaults(partner, readable_call) if may_open else False,
        }

    def _crm_caller_money(self, commercial, shared=None):
        """The client's overdue amount and last order with its delivery state,
        for the roles that may read them. ``shared``: see :meth:`_crm_caller_card`."""
        values = {"overdue": "", "last_order": False}
        if self.env.user.has_groups("sales_team.group_sale_salesman,account.group_account_invoice"):
            # the field crm_overdue_amount (the same figure) without its date and summary
            shared = {} if shared is None else shared
            # the same figure for the users of the same companies (selected, current) and day only
            key = (
                "overdue",
                commercial.id,
                self.env.company.id,
                tuple(self.env.companies.ids),
                fields.Date.context_today(self),
            )
            if key not in shared:
                shared[key] = commercial._crm_overdue_amounts()[commercial.id]
            amount = shared[key]
            if amount:
                values["overdue"] = format_amount(self.env, amount, commercial.crm_company_currency_id)
        if self.env["sale.order"].has_access("read"):
            order = self.env["sale.order"].search(
                [("partner_id", "child_of", commercial.id), ("state", "=", "sale")],
                order="date_order desc",
                limit=1,
            )
            if order:
                values["last_order"] = {
                    "name": order.name,
                    "date": fields.Date.to_string(order.date_order),
                    "delivery": dict(order._fields["delivery_status"]._description_selection(self.env)).get(
                        order.delivery_status, ""
                    )
                    if order.delivery_status
                    else "",
                }
        return values
