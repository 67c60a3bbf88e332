from markupsafe import Markup

from odoo import models


class MailingSmsTest(models.TransientModel):
    """A mailing's test SMS goes through the active SMS provider too (Odoo calls IAP directly here)."""

    _inherit = "mailing.sms.test"

    def action_send_sms(self):
        self.ensure_one()
        provider = self.env["crm.sms.provider"]._crm_active_provider()
        if not provider:
            return super().action_send_sms()
        numbers = [number.strip() for number in self.numbers.splitlines() if number.strip()]
        formatted = {number: self.env.user._phone_format(number=number) for number in numbers}
        body = self.mailing_id.body_plaintext
        record = self.env[self.mailing_id.mailing_model_real].search([], limit=1)
        if record:
            body = self.env["mail.render.mixin"]._render_template(
                body, self.mailing_id.mailing_model_real, record.ids
            )[record.id]
        # sudo: as Odoo's test wizard, the SMS are technical records
        sms = (
            self.env["sms.sms"]
            .sudo()
            .create([{"body": body, "number": number} for number in formatted.values() if number])
        )
        sms._send(unlink_failed=False, unlink_sent=False)
        lines = [
            self.env._("The following numbers are not correctly encoded: %(numbers)s", numbers=number)
            for number, valid in formatted.items()
            if not valid
        ]
        for test_sms in sms:
            if test_sms.state == "pending":
                lines.append(
                    self.env._(
                        "Test SMS sent to %(number)s through %(provider)s",
                        number=test_sms.number,
                        provider=provider.name,
                    )
                )
            elif test_sms.state == "outgoing":
                lines.append(
                    self.env._(
                        "Test SMS to %(number)s queued: %(reason)s",
                        number=test_sms.number,
                        reason=test_sms.crm_failure_reason,
                    )
                )
            else:
                lines.append(
                    self.env._(
                        "Test SMS could not be sent to %(number)s: %(reason)s",
                        number=test_sms.number,
                        reason=test_sms.crm_failure_reason or test_sms.failure_type,
                    )
                )
        if lines:
            body = Markup("<ul>%s</ul>") % Markup().join(Markup("<li>%s</li>") % line for line in lines)
            self.mailing_id._message_log(body=body)
        return True
