/** @odoo-module **/
// The new service request form (#18): the warranty of the typed serial, shown at once.
import { rpc } from "@web/core/network/rpc";

function setupWarrantyStatus(form) {
    const serial = form.querySelector(".o_crm_case_serial");
    const status = form.querySelector(".o_crm_warranty_status");
    const entity = form.querySelector("[name=entity_id]");
    if (!serial || !status) {
        return;
    }
    let last = null;
    const check = async () => {
        const value = serial.value.trim();
        const key = `${value}|${entity ? entity.value : ""}`;
        if (key === last) {
            return;
        }
        last = key;
        if (!value) {
            status.textContent = "";
            return;
        }
        const answer = await rpc("/my/cases/warranty", {
            serial: value,
            entity_id: entity ? entity.value : null,
        });
        if (key !== last) {
            return;
        }
        status.textContent = answer.product ? `${answer.product}: ${answer.label}` : answer.label;
        status.classList.toggle("text-danger", !answer.ok);
        status.classList.toggle("text-success", answer.ok && answer.state === "valid");
    };
    serial.addEventListener("change", check);
    serial.addEventListener("blur", check);
    if (entity) {
        entity.addEventListener("change", check);
    }
    if (serial.value) {
        check();
    }
}

function start() {
    document.querySelectorAll(".o_crm_case_form").forEach(setupWarrantyStatus);
}

if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
} else {
    start();
}
