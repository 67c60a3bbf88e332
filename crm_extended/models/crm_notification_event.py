from odoo import fields, models


class CrmNotificationEvent(models.Model):
    """Something that happens to a client's document and that it may be told of (#18): order
    confirmed, delivery shipped, delivery done, invoice overdue, service request moved on.

    Each client contact with portal access chooses in the portal (``/my/notifications``) which
    events it wants and by which channels; the cheapest channel it accepts is used."""

    _name = "crm.notification.event"
    _description = "Client Notification Event"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Technical key the code sends the event by.")
    sequence = fields.Integer(default=10)
    document = fields.Selection(
        [
            ("orders", "Orders"),
            ("deliveries", "Deliveries"),
            ("invoices", "Invoices"),
            ("cases", "Service Requests"),
        ],
        required=True,
        help="The kind of document: only the contacts whose roles open it are told (services/portal_scope).",
    )
    description = fields.Char(translate=True, help="What the client is told, as the portal shows it.")

    _sql_constraints = [("code_uniq", "unique (code)", "Two notification events cannot share a key.")]
