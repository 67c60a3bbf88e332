from odoo import api, fields, models
from odoo.tools import email_normalize, plaintext2html

from ..services import portal_scope

# a change of these on a portal user's contact changes what the user's record rules let through
PORTAL_SCOPE_FIELDS = {"crm_portal_holding", "contact_role_ids", "parent_id", "is_company", "active"}


class ResPartner(models.Model):
    """The client's side of the portal: who sees the holding, what each contact is told.

    Kept apart from res_partner.py (the directory) so that the portal's fields and
    hooks read on their own."""

    _inherit = "res.partner"

    crm_portal_holding = fields.Boolean(
        string="Holding Representative",
        help="In the portal, this contact sees the orders, deliveries, invoices and service requests of "
        "every legal entity of its company's holding, each labelled with its entity.",
    )

    # what the contact is told, chosen by it in the portal (/my/notifications)
    crm_notify_email = fields.Boolean(
        string="Notify by E-mail", default=True, help="The client contact accepts notifications by e-mail."
    )
    crm_notify_sms = fields.Boolean(
        string="Notify by SMS", default=True, help="The client contact accepts notifications by SMS."
    )
    crm_notify_optout_ids = fields.Many2many(
        "crm.notification.event",
        "crm_notification_event_optout_rel",
        "partner_id",
        "event_id",
        string="Notifications Declined",
        help="The events this contact chose, in the portal, not to be told of.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        if any(vals.get("crm_portal_holding") for vals in vals_list):
            self.env.registry.clear_cache()  # ir.rule: the portal scope of the users
        return partners

    def write(self, vals):
        result = super().write(vals)
        if "client_group_id" in vals or (
            PORTAL_SCOPE_FIELDS.intersection(vals) and self.sudo().with_context(active_test=False).user_ids
        ):
            # sudo: whether a portal user logs in as this contact; ir.rule caches each user's scope
            self.env.registry.clear_cache()
        return result

    # ------------------------------------------------------------------ statement

    def _crm_client_currency(self, company):
        """The currency the client is invoiced in: its pricelist's, else the company's."""
        self.ensure_one()
        return self.property_product_pricelist.currency_id or company.currency_id

    def _crm_open_invoices_summary(self, invoices, company, today=None):
        """{currency, due, overdue} of the open invoices (credit notes less), in the client's
        currency, each converted at today's rate from its own currency."""
        self.ensure_one()
        today = today or fields.Date.context_today(self)
        currency = self._crm_client_currency(company)
        due = overdue = 0.0
        for invoice in invoices:
            sign = -1 if invoice.move_type == "out_refund" else 1
            amount = invoice.currency_id._convert(
                sign * invoice.amount_residual, currency, invoice.company_id, today
            )
            due += amount
            if invoice.invoice_date_due and invoice.invoice_date_due < today and sign > 0:
                overdue += amount
        return {"currency": currency, "due": due, "overdue": overdue}

    def _crm_reconciliation(self, date_from, date_to, company):
        """The reconciliation statement of this legal entity with ``company`` for a period: the
        opening balance, every posted receivable entry of the period (invoices, credit notes,
        payments) and the closing balance, in the company's currency. Read in sudo by the caller
        once the entity was checked."""
        self.ensure_one()
        Line = self.env["account.move.line"]
        base = [
            ("parent_state", "=", "posted"),
            ("account_id.account_type", "=", "asset_receivable"),
            ("partner_id", "child_of", self.id),
            ("company_id", "=", company.id),
        ]
        opening = (
            sum(
                balance
                for [balance] in Line._read_group(base + [("date", "<", date_from)], [], ["balance:sum"])
            )
            or 0.0
        )
        lines = Line.search(
            base + [("date", ">=", date_from), ("date", "<=", date_to)], order="date, move_name, id"
        )
        rows = []
        running = opening
        for line in lines:
            running += line.balance
            rows.append(
                {
                    "date": line.date,
                    "document": line.move_id.name,
                    "label": line.move_id.ref or line.name or "",
                    "debit": line.debit,
                    "credit": line.credit,
                    "balance": running,
                }
            )
        return {
            "entity": self,
            "company": company,
            "currency": company.currency_id,
            "date_from": date_from,
            "date_to": date_to,
            "opening": opening,
            "debit": sum(lines.mapped("debit")),
            "credit": sum(lines.mapped("credit")),
            "closing": running,
            "rows": rows,
        }

    # ------------------------------------------------------------------ notifications

    @api.model
    def _crm_notify_recipients(self, entity, event):
        """The contacts told of ``event`` on a document of ``entity`` (a legal entity): those with
        portal access to it (its own contacts, its holding's representatives) whose roles open the
        event's document and who did not decline the event."""
        if not entity:
            return self.browse()
        entity = entity.commercial_partner_id
        # sudo: who has portal access to the entity, to tell them; nothing of it is shown
        users = (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    ("share", "=", True),
                    ("active", "=", True),
                    "|",
                    ("partner_id.commercial_partner_id", "=", entity.id),
                    "&",
                    ("partner_id.crm_portal_holding", "=", True),
                    ("partner_id.commercial_partner_id.client_group_id", "!=", False),
                ]
            )
        )
        group = entity.client_group_id
        users = users.filtered(
            lambda u: u.commercial_partner_id == entity
            or (group and u.partner_id.commercial_partner_id.client_group_id == group)
        )
        return users.filtered(
            lambda u: event.document
            in portal_scope.documents_for_roles(u.partner_id.contact_role_ids.mapped("code"))
            and event not in u.partner_id.crm_notify_optout_ids
        ).partner_id

    def _crm_notify_channel(self):
        """The cheapest channel this contact accepts and can be reached on: e-mail (free), else
        SMS (through the active SMS provider), else False."""
        self.ensure_one()
        if self.crm_notify_email and email_normalize(self.email or ""):
            # sudo: whether the address may be written to
            if (
                not self.env["mail.blacklist"]
                .sudo()
                .search_count([("email", "=", email_normalize(self.email))])
            ):
                return "email"
        number = self.phone_sanitized
        if self.crm_notify_sms and number and self.env["crm.sms.provider"]._crm_active_provider():
            if not self.env["phone.blacklist"].sudo().search_count([("number", "=", number)]):
                return "sms"
        return False

    @api.model
    def _crm_notify(self, document, event_code, entity, message):
        """Tell the entity's contacts of ``event_code`` on ``document`` (a mail.thread record), each
        by the cheapest channel it accepts, in its language; every notice is a message on the
        document's chatter (an e-mail, an SMS, or a note saying who could not be reached).

        ``message(partner)`` returns the text for that contact (it is called in the contact's
        language). Returns {partner: channel}."""
        if self.env.context.get("crm_portal_notify") is False:
            return {}
        event = self.env["crm.notification.event"].sudo().search([("code", "=", event_code)], limit=1)
        if not event:
            return {}
        sent = {}
        author = self.env.ref("base.partner_root")
        # sudo: the notice is posted by the add-on, whoever triggered the event; the contacts told
        # do not become followers (sale.order subscribes the recipients of its messages by default)
        document = document.sudo().with_context(mail_post_autofollow=False)
        for partner in self._crm_notify_recipients(entity, event):
            channel = partner._crm_notify_channel()
            local = document.with_context(lang=partner.lang or self.env.lang)
            text = message(partner.with_context(lang=partner.lang or self.env.lang))
            if channel == "email":
                local.message_post(
                    body=plaintext2html(text),
                    subject=event.with_context(lang=partner.lang).name,
                    partner_ids=partner.ids,
                    author_id=author.id,
                    message_type="comment",
                    subtype_xmlid="mail.mt_note",
                    email_layout_xmlid="mail.mail_notification_light",
                )
            elif channel == "sms":
                local._message_sms(text, partner_ids=partner.ids, number_field=False)
            else:
                document._message_log(
                    body=self.env._(
                        "%(contact)s was not told (%(event)s): no e-mail or SMS channel it accepts.",
                        contact=partner.name,
                        event=event.name,
                    )
                )
            sent[partner] = channel
        return sent
