/** @odoo-module **/

import { Component, onMounted, onWillUnmount, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

/**
 * The progress of an import written in the background: polled every second
 * while the import is queued or running, the form reloaded when it moves on.
 */
export class ImportProgressField extends Component {
    static template = "crm_extended.ImportProgressField";
    static props = { ...standardFieldProps };

    setup() {
        this.orm = useService("orm");
        this.state = useState({ info: null });
        onMounted(() => {
            this.timer = setInterval(() => this.poll(), 1000);
        });
        onWillUnmount(() => clearInterval(this.timer));
    }

    get running() {
        return ["queued", "running"].includes(this.props.record.data.state);
    }

    get percent() {
        const progress = this.state.info ? this.state.info.progress : this.props.record.data.progress;
        return Math.round(progress || 0);
    }

    async poll() {
        const record = this.props.record;
        if (!this.running || !record.resId || this.polling) {
            return;
        }
        this.polling = true;
        try {
            const result = await this.orm.call("crm.import.job", "crm_import_progress", [[record.resId]]);
            const info = result[record.resId];
            const moved = info && (!this.state.info || info.done !== this.state.info.done);
            this.state.info = info;
            if (info && (moved || info.state !== record.data.state)) {
                await record.load();
            }
        } finally {
            this.polling = false;
        }
    }
}

registry.category("fields").add("crm_import_progress", {
    component: ImportProgressField,
    supportedTypes: ["float"],
});
