from odoo import api, fields, models
from odoo.tools import SQL


class CrmPhoneCallEvent(models.Model):
    """The events a PBX sent, one row per call and kind: what makes a retried
    or duplicated event a no-op.

    Claimed with ``INSERT ... ON CONFLICT DO NOTHING`` on a unique key: two
    requests carrying the same event at the same time cannot both claim it (in
    Odoo's repeatable-read transactions the loser gets a serialization
    failure, and Odoo retries its request, which then sees the event as
    already there). The row kind ``call`` claims the creation of the call.
    """

    _name = "crm.phone.call.event"
    _description = "PBX Call Event"
    _order = "id desc"
    _log_access = False

    connection_id = fields.Many2one("crm.pbx.connection", required=True, ondelete="cascade", index=True)
    call_ref = fields.Char(string="PBX Call Id", required=True)
    kind = fields.Char(required=True)
    received_at = fields.Datetime(required=True, default=fields.Datetime.now)
    call_id = fields.Many2one("crm.phone.call", ondelete="cascade", index="btree_not_null")

    _sql_constraints = [
        (
            "event_uniq",
            "unique (connection_id, call_ref, kind)",
            "This event of this call was already received.",
        ),
    ]

    @api.model
    def _crm_claim(self, connection, call_ref, kind):
        """Record that ``kind`` of call ``call_ref`` arrived; False when it had
        already (a retry, a duplicate)."""
        self.env.cr.execute(
            SQL(
                """INSERT INTO crm_phone_call_event (connection_id, call_ref, kind, received_at)
                   VALUES (%s, %s, %s, now() AT TIME ZONE 'UTC')
                   ON CONFLICT (connection_id, call_ref, kind) DO NOTHING
                   RETURNING id""",
                connection.id,
                call_ref,
                kind,
            )
        )
        return bool(self.env.cr.fetchone())

    @api.model
    def _crm_claim_event(self, connection, call_ref, kind):
        """:meth:`_crm_claim` of ``kind`` and of the call's creation (the row
        kind ``call``) in one statement, each new row linked to the call
        already logged under ``call_ref`` if there is one. None when ``kind``
        had already arrived (a retry, a duplicate: the call's creation was
        claimed with it then); else ``(call_new, call_id)``: whether this event
        claimed the creation of the call, and the logged call's id (None when
        there is none yet)."""
        # a click-to-dial call given its PBX id in this transaction must be found
        self.env["crm.phone.call"].flush_model(["connection_id", "pbx_call_id", "start_at"])
        self.env.cr.execute(
            SQL(
                """INSERT INTO crm_phone_call_event (connection_id, call_ref, kind, received_at, call_id)
                   SELECT %s, %s, claimed.kind, now() AT TIME ZONE 'UTC',
                          (SELECT call.id FROM crm_phone_call call
                            WHERE call.connection_id = %s AND call.pbx_call_id = %s
                         ORDER BY call.start_at DESC, call.id DESC LIMIT 1)
                     FROM unnest(%s::varchar[]) AS claimed(kind)
                   ON CONFLICT (connection_id, call_ref, kind) DO NOTHING
                   RETURNING kind, call_id""",
                connection.id,
                call_ref,
                connection.id,
                call_ref,
                [kind, "call"],
            )
        )
        rows = dict(self.env.cr.fetchall())
        if kind not in rows:
            return None
        return "call" in rows, rows[kind]

    @api.model
    def _crm_link(self, connection, call_ref, call):
        """Attach the claimed events of ``call_ref`` to their call record."""
        self.env.cr.execute(
            SQL(
                "UPDATE crm_phone_call_event SET call_id = %s"
                " WHERE connection_id = %s AND call_ref = %s AND call_id IS NULL",
                call.id,
                connection.id,
                call_ref,
            )
        )
