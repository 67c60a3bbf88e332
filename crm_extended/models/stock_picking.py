from urllib.parse import urlsplit

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..services.sql_indexes import create_upper_index


class StockPicking(models.Model):
    _inherit = "stock.picking"

    # a service case's hand-off: the return of the unit or its replacement
    service_case_id = fields.Many2one(
        "crm.service.case", string="Service Case", index="btree_not_null", copy=False, ondelete="set null"
    )
    service_role = fields.Selection(
        [("return", "Return"), ("replacement", "Replacement")], string="Service Hand-Off", copy=False
    )
    # what the client follows in the portal (stock_delivery's carrier fields are not needed for it)
    crm_carrier_name = fields.Char(string="Carrier", copy=False)
    crm_tracking_ref = fields.Char(string="Tracking Reference", copy=False, index="btree_not_null")
    crm_tracking_url = fields.Char(
        string="Tracking Link",
        copy=False,
        help="The carrier's page where the client follows the parcel (http or https), shown in the portal "
        "and in the shipping notification.",
    )

    def init(self):
        super().init()
        # the delivery desk matches references as people read them out
        create_upper_index(self.env.cr, self._table, "name")
        create_upper_index(self.env.cr, self._table, "origin")

    @api.constrains("crm_tracking_url")
    def _check_crm_tracking_url(self):
        for picking in self.filtered("crm_tracking_url"):
            if urlsplit(picking.crm_tracking_url.strip()).scheme not in ("http", "https"):
                raise ValidationError(
                    self.env._(
                        "The tracking link of %(picking)s must start with http:// or https://.",
                        picking=picking.name,
                    )
                )

    def _action_done(self):
        res = super()._action_done()
        for role in ("return", "replacement"):
            done = self.filtered(lambda p, role=role: p.service_role == role and p.state == "done")
            done.service_case_id._on_handoff_done(role)
        return res

    # ------------------------------------------------------------------ portal

    def _crm_portal_kind(self):
        """'delivery' or 'return', as the client reads it."""
        self.ensure_one()
        return "return" if self.picking_type_code == "incoming" else "delivery"

    def _crm_portal_status(self):
        """(label, badge colour) of the delivery for the client."""
        self.ensure_one()
        if self.state == "cancel":
            return self.env._("Cancelled"), "danger"
        if self.state == "done":
            if self._crm_portal_kind() == "return":
                return self.env._("Returned"), "secondary"
            return self.env._("Delivered"), "success"
        if self.crm_tracking_ref:
            return self.env._("Shipped"), "info"
        if self.state == "assigned":
            return self.env._("Ready"), "info"
        return self.env._("In Preparation"), "warning"

    def _crm_portal_serials(self):
        """The serial/lot numbers that went out (or came back) in this delivery, by product."""
        self.ensure_one()
        lines = self.move_line_ids.filtered(lambda line: line.lot_id or line.lot_name)
        serials = {}
        for line in lines:
            serials.setdefault(line.product_id, []).append(line.lot_id.name or line.lot_name)
        return serials

    def _crm_portal_url(self):
        self.ensure_one()
        return f"/my/deliveries/{self.id}"
