/** @odoo-module **/

import { Component } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { useService } from "@web/core/utils/hooks";
import { patch } from "@web/core/utils/patch";
import { session } from "@web/session";
import { PhoneField } from "@web/views/fields/phone/phone_field";

/**
 * Click to dial: beside a phone number, a button asks the user's PBX to ring
 * their own phone and dial the number (logged as an outbound call). Shown only
 * to users with an extension on a PBX connection that can dial; everybody
 * else keeps Odoo's tel: link.
 */
export class ClickToDialButton extends Component {
    static template = "crm_extended.ClickToDialButton";
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.notification = useService("notification");
        this.title = _t("Dial through the PBX");
    }

    async onClick() {
        const record = this.props.record;
        const result = await this.orm.call("crm.phone.call", "crm_click_to_dial", [
            record.data[this.props.name],
            record.resModel,
            record.resId || false,
        ]);
        this.notification.add(result.message, { type: result.type });
    }
}

patch(PhoneField, {
    components: { ...PhoneField.components, ClickToDialButton },
});

patch(PhoneField.prototype, {
    get crmClickToDial() {
        return Boolean(session.crm_extended_click_to_dial);
    },
});
