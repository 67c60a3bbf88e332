from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL, plaintext2html

from ..services import warranty as wty

# new requests a client contact may open per hour (the form is open to the internet)
PORTAL_RATE_LIMIT = 5
PORTAL_RATE_WINDOW = timedelta(hours=1)


class CrmServiceCasePortal(models.AbstractModel):
    """A service case as its client sees it in the portal (#18), mixed into crm.service.case:
    kept apart from crm_service_case.py so that what reaches the portal reads on its own.

    Portal users have no access to cases: the portal's routes search them in sudo
    under ``_crm_portal_domain`` and show only what the templates name (stage,
    history, product, serial, warranty, the client's and the team's public messages);
    never the internal notes, cause, resolution, costs or the responsible's notes."""

    _name = "crm.service.case.portal"
    _description = "Service Case in the Portal"

    def write(self, vals):
        before = {case: case.stage_id for case in self} if "stage_id" in vals else {}
        result = super().write(vals)
        moved = self.filtered(lambda c: c in before and c.stage_id != before[c])
        moved._crm_notify_stage()
        return result

    def _crm_notify_stage(self):
        """Tell the client's contacts the request moved on (#18)."""
        for case in self:
            self.env["res.partner"]._crm_notify(
                case,
                "case_stage",
                case.commercial_partner_id,
                lambda partner, case=case: partner.env._(
                    "Your request %(case)s (%(subject)s) is now: %(stage)s. %(url)s",
                    case=case.name,
                    subject=case.subject,
                    stage=case.stage_id.with_context(lang=partner.lang).name,
                    url=case.get_base_url() + case._crm_portal_url(),
                ),
            )

    @api.model
    def _crm_portal_domain(self, user=None):
        """The cases of the legal entities the portal user sees."""
        user = user or self.env.user
        return [("commercial_partner_id", "in", user._crm_portal_entities().ids)]

    def _crm_portal_url(self):
        self.ensure_one()
        return f"/my/cases/{self.id}"

    def _crm_portal_messages(self):
        """The case's messages a client may read: comments and e-mails on a public subtype
        (what Odoo sends the followers), oldest first; never a note."""
        self.ensure_one()
        return self.message_ids.filtered(
            lambda m: m.message_type in ("comment", "email", "email_outgoing")
            and m.subtype_id
            and not m.subtype_id.internal
            and not m.is_internal
        ).sorted(lambda m: (m.date, m.id))

    def _crm_portal_attachments(self):
        """The files the client may download: those of the messages it reads, nothing else."""
        self.ensure_one()
        return self._crm_portal_messages().attachment_ids

    def _crm_portal_history(self):
        """[(datetime, stage name)]: the opening and every stage the case went through."""
        self.ensure_one()
        values = self.env["mail.tracking.value"].search(
            [
                ("mail_message_id", "in", self.message_ids.ids),
                ("field_id.name", "=", "stage_id"),
                ("field_id.model", "=", self._name),
            ],
            order="id",
        )
        history = [(self.date_open, self.env._("Opened"))]
        history += [(value.mail_message_id.date, value.new_value_char) for value in values]
        return history

    @api.model
    def _crm_portal_delivered_products(self, entities):
        """The products delivered to these legal entities (done deliveries), by name."""
        self.env["stock.move"].flush_model(["state", "product_id", "location_dest_id", "picking_id"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT DISTINCT sm.product_id
                  FROM stock_move sm
                  JOIN stock_location dest ON dest.id = sm.location_dest_id AND dest.usage = 'customer'
                  JOIN stock_picking pk ON pk.id = sm.picking_id
                  JOIN res_partner rp ON rp.id = pk.partner_id
                 WHERE sm.state = 'done' AND rp.commercial_partner_id = ANY(%s)
                """,
                entities.ids,
            )
        )
        return self.env["product.product"].browse([row[0] for row in rows]).sorted("display_name")

    @api.model
    def _crm_portal_warranty(self, serial, entity):
        """What the portal form shows as soon as a serial is typed: {ok, state, label, product_id}.
        A serial that did not go to this entity is refused without saying where it went."""
        serial = (serial or "").strip()[:64]
        if not serial:
            return {"ok": True, "state": wty.UNKNOWN, "label": "", "product_id": False}
        answer = self.warranty_for_serial(serial, entity.id)
        if answer["state"] in (wty.NOT_DELIVERED, wty.UNKNOWN) or not answer.get("picking_id"):
            return {
                "ok": False,
                "state": wty.NOT_DELIVERED,
                "label": self.env._(
                    "Serial %(serial)s was not delivered to %(entity)s: check the number on the label.",
                    serial=serial,
                    entity=entity.name,
                ),
                "product_id": False,
            }
        picking = self.env["stock.picking"].browse(answer["picking_id"])
        lot = self.env["stock.lot"].browse(answer["lot_id"])
        end = answer["end"]
        if answer["state"] == wty.VALID:
            label = self.env._(
                "Under warranty until %(end)s (delivery %(proof)s)", end=end, proof=picking.name
            )
        elif answer["state"] == wty.EXPIRED:
            label = self.env._("Warranty expired %(end)s (delivery %(proof)s)", end=end, proof=picking.name)
        else:
            label = self.env._("No warranty period for this product (delivery %(proof)s)", proof=picking.name)
        return {
            "ok": True,
            "state": answer["state"],
            "label": label,
            "product_id": lot.product_id.id,
            "product": lot.product_id.display_name,
            "lot_id": lot.id,
            "company_id": lot.company_id.id or picking.company_id.id,
        }

    @api.model
    def _crm_portal_rate_limit(self):
        """New requests a contact may open per hour (extension hook)."""
        return PORTAL_RATE_LIMIT

    @api.model
    def _crm_portal_recent_count(self, user):
        """New requests the user opened in the rate-limit window."""
        return self.search_count(
            [("create_uid", "=", user.id), ("create_date", ">=", fields.Datetime.now() - PORTAL_RATE_WINDOW)]
        )

    @api.model
    def _prepare_portal_case_vals(self, user, entity, case_type, subject, description, product, lot, company):
        contact = user.partner_id if user.partner_id.commercial_partner_id == entity else entity
        return {
            "subject": subject,
            "type_id": case_type.id,
            "partner_id": contact.id,
            "contact_id": user.partner_id.id,
            "email_from": user.partner_id.email,
            "product_id": product.id or False,
            "lot_id": lot.id or False,
            "description": plaintext2html(description) if description else False,
            "company_id": company.id,
            "user_id": entity.user_id.id or False,
        }

    def _crm_portal_post(self, author, body, attachments=()):
        """Post the client's message (and its checked files) on the case's chatter."""
        self.ensure_one()
        return self.message_post(
            author_id=author.id,
            body=plaintext2html(body or ""),
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            # (name, content): created on the case by message_post (checked files only)
            attachments=[(name, data) for name, data, _mimetype in attachments],
        )

    def _crm_portal_warranty_text(self):
        """The warranty line the client reads: never the name of another customer."""
        self.ensure_one()
        if self.warranty_state == wty.NOT_DELIVERED:
            return self.env._("Serial %(lot)s was not delivered to you", lot=self.lot_id.name)
        return self._warranty_text()
