/** @odoo-module **/

import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { formView } from "@web/views/form/form_view";
import { FormController } from "@web/views/form/form_controller";

/**
 * The delivery desk is a search, not a record: the breadcrumb names the
 * desk (never "New"), no save or discard indicator, and leaving it (or the
 * page) keeps nothing.
 */
export class DeliveryDeskFormController extends FormController {
    static template = "crm_extended.DeliveryDeskFormView";

    displayName() {
        return _t("Delivery Desk");
    }

    beforeVisibilityChange() {}

    async beforeLeave() {
        await this.model.root.discard();
    }

    async beforeUnload() {}
}

registry.category("views").add("crm_extended_delivery_desk_form", {
    ...formView,
    Controller: DeliveryDeskFormController,
});
