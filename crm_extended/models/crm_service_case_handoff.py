from odoo import Command, models
from odoo.exceptions import UserError

from ..services import warranty as wty


class CrmServiceCase(models.Model):
    """Hand-offs of a case: return, repair, replacement, credit note; the stage follows them."""

    _inherit = "crm.service.case"

    # ------------------------------------------------------------------ actions

    def action_create_return(self):
        """Reverse the delivery that shipped the unit, for this serial only (Odoo's return wizard)."""
        self.ensure_one()
        self._check_handoff_ready()
        delivery = self._handoff_delivery()
        self.check_access("write")
        # sudo: the warehouse receives the return; service staff record it without stock rights
        wizard = (
            self.env["stock.return.picking"]
            .sudo()
            .with_context(active_model="stock.picking", active_id=delivery.id, active_ids=delivery.ids)
            .create({"picking_id": delivery.id})
        )
        chosen = wizard.product_return_moves.filtered(
            lambda line: line.product_id == self.product_id
            and (not self.lot_id or self.lot_id in line.move_id.move_line_ids.lot_id)
        )[:1]
        if not chosen:
            raise UserError(
                self.env._(
                    "Delivery %(picking)s has no %(product)s to return.",
                    picking=delivery.name,
                    product=self.product_id.display_name,
                )
            )
        (wizard.product_return_moves - chosen).quantity = 0
        chosen.quantity = 1 if self.lot_id else chosen.move_id.quantity
        returned = wizard._create_return()
        returned.write({"service_case_id": self.id, "service_role": "return"})
        if self.lot_id:
            self._set_lot_on(returned)
        self._log_handoff(returned)
        return self._open_handoffs()

    def action_create_repair(self):
        """A repair order for the unit, under warranty when the case says so."""
        self.ensure_one()
        self._check_handoff_ready()
        returned = self.return_picking_ids.filtered(lambda p: p.state == "done")[:1]
        repair = self.env["repair.order"].create(self._prepare_repair_vals(returned))
        self._log_handoff(repair)
        return self._open_handoffs()

    def action_create_replacement(self):
        """A zero-priced delivery of a new unit to the customer."""
        self.ensure_one()
        self._check_handoff_ready()
        self.check_access("write")
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.company_id.id)], limit=1)
        if not warehouse.out_type_id:
            raise UserError(
                self.env._(
                    "Company %(company)s has no warehouse to deliver from.", company=self.company_id.name
                )
            )
        picking_type = warehouse.out_type_id
        address = self.partner_id.address_get(["delivery"])["delivery"]
        # sudo: the warehouse ships the replacement; service staff order it without stock rights
        picking = (
            self.env["stock.picking"]
            .sudo()
            .create(
                {
                    "picking_type_id": picking_type.id,
                    "partner_id": address,
                    "company_id": self.company_id.id,
                    "origin": self.name,
                    "location_id": picking_type.default_location_src_id.id,
                    "location_dest_id": self.env.ref("stock.stock_location_customers").id,
                    "service_case_id": self.id,
                    "service_role": "replacement",
                    "move_ids": [
                        Command.create(
                            {
                                "name": self.product_id.display_name,
                                "product_id": self.product_id.id,
                                "product_uom_qty": 1.0,
                                "product_uom": self.product_id.uom_id.id,
                                "location_id": picking_type.default_location_src_id.id,
                                "location_dest_id": self.env.ref("stock.stock_location_customers").id,
                                "company_id": self.company_id.id,
                            }
                        )
                    ],
                }
            )
        )
        picking.action_confirm()
        picking.action_assign()
        self._log_handoff(picking)
        return self._open_handoffs()

    def action_create_credit_note(self):
        """A draft credit note for the unit, reversing its invoice line (Odoo's reversal wizard)."""
        self.ensure_one()
        self._check_handoff_ready()
        invoice = (
            self.invoice_id
            or self.sale_order_id.invoice_ids.filtered(
                lambda m: m.move_type == "out_invoice" and m.state == "posted"
            )[:1]
        )
        if not invoice or invoice.state != "posted":
            raise UserError(
                self.env._(
                    "Case %(case)s has no posted invoice to credit: set the invoice first.", case=self.name
                )
            )
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(
                {
                    "move_ids": [Command.set(invoice.ids)],
                    "journal_id": invoice.journal_id.id,
                    "reason": self.name,
                }
            )
        )
        reversal.refund_moves()
        refund = reversal.new_move_ids
        other_lines = refund.invoice_line_ids.filtered(lambda line: line.product_id != self.product_id)
        kept = refund.invoice_line_ids - other_lines
        refund.write(
            {
                "service_case_id": self.id,
                "invoice_line_ids": [Command.unlink(line.id) for line in other_lines]
                + [Command.update(line.id, {"quantity": 1.0}) for line in kept[:1]]
                + [Command.unlink(line.id) for line in kept[1:]],
            }
        )
        self.invoice_id = invoice
        self._log_handoff(refund)
        return self._open_handoffs()

    # ------------------------------------------------------------------ stage automation

    def _on_handoff_done(self, kind):
        """Move each case to the stage its type configures for a done hand-off of ``kind``."""
        for case in self:
            stage = case.type_id[f"stage_{kind}_done_id"]
            if stage and case.stage_id != stage:
                # sudo: the hand-off's own state moves the case, whoever validated it (warehouse, accountant)
                case.sudo().stage_id = stage

    # ------------------------------------------------------------------ helpers

    def _check_handoff_ready(self):
        if not self.product_id:
            raise UserError(
                self.env._(
                    "Case %(case)s names no product: set the product or the serial number first.",
                    case=self.name,
                )
            )
        if self.lot_partner_id:
            raise UserError(
                self.env._(
                    "Serial %(lot)s was delivered to %(other)s, not to %(customer)s: "
                    "check the serial number or the customer.",
                    lot=self.lot_id.name,
                    other=self.lot_partner_id.display_name,
                    customer=self.commercial_partner_id.display_name,
                )
            )

    def _handoff_delivery(self):
        delivery = self.warranty_picking_id or self.picking_id
        if not delivery:
            raise UserError(
                self.env._(
                    "Case %(case)s has no delivery to return from: "
                    "give the serial number or choose the delivery.",
                    case=self.name,
                )
            )
        return delivery

    def _set_lot_on(self, picking):
        moves = picking.move_ids.filtered(lambda m: m.product_id == self.product_id)
        for move in moves:
            if move.move_line_ids:
                move.move_line_ids[:1].write({"lot_id": self.lot_id.id, "quantity": 1.0})
                move.move_line_ids[1:].unlink()
            else:
                self.env["stock.move.line"].sudo().create(  # sudo: as the return above
                    dict(move._prepare_move_line_vals(quantity=1.0), lot_id=self.lot_id.id)
                )

    def _prepare_repair_vals(self, returned):
        vals = {
            "product_id": self.product_id.id,
            "lot_id": self.lot_id.id,
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "under_warranty": self.warranty_state == wty.VALID,
            "service_case_id": self.id,
            "internal_notes": self.description,
        }
        if returned:
            vals["picking_id"] = returned.id
        return vals

    def _log_handoff(self, record):
        self._message_log(
            body=self.env._("Handed off: %(record)s", record=record.display_name),
        )

    def _open_handoffs(self):
        return True
