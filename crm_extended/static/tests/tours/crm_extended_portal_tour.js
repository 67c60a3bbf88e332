/** @odoo-module **/

import { registry } from "@web/core/registry";

// The client's portal (#18), as a portal user of Alpha Trade LLC (tests/test_portal_ui.py).

registry.category("web_tour.tours").add("crm_extended_portal_order_tour", {
    url: "/my/orders",
    steps: () => [
        {
            content: "Open the order",
            trigger: ".o_portal_my_doc_table a:contains(S0)",
            run: "click",
        },
        {
            content: "What is delivered and still to deliver, per line",
            trigger: "#crm_order_status .o_crm_order_lines td:contains(Test Office Chair)",
        },
        {
            content: "The next expected delivery of the backorder",
            trigger: "#crm_order_status .o_crm_next_delivery",
        },
        {
            content: "The carrier's tracking link",
            trigger: "#crm_order_status .o_crm_tracking_link:contains(TRK-777-A)",
        },
        {
            content: "Open the delivery that left (the backorder is still in preparation)",
            trigger: ".o_crm_order_deliveries tr:has(.badge.text-bg-success) a:contains(WH/OUT)",
            run: "click",
        },
        {
            content: "The delivered serial number",
            trigger: ".o_portal_delivery .o_crm_serials:contains(SN-PORTAL-A1)",
        },
        {
            content: "The tracking link and the slip",
            trigger: ".o_portal_delivery .o_crm_tracking_link:contains(TRK-777-A)",
        },
        {
            trigger: ".o_portal_delivery .o_crm_delivery_slip",
        },
    ],
});

registry.category("web_tour.tours").add("crm_extended_portal_warranty_tour", {
    url: "/my/cases",
    steps: () => [
        {
            content: "Open a new request",
            trigger: "a.o_crm_case_new",
            run: "click",
        },
        {
            content: "A warranty claim",
            trigger: "select[name=type_id]",
            run: "selectByLabel Warranty Claim",
        },
        {
            content: "The serial number on the unit's label",
            trigger: "input.o_crm_case_serial",
            run: "edit SN-PORTAL-A1 && click .o_crm_portal_case_new h3",
        },
        {
            content: "The warranty is shown at once",
            trigger: ".o_crm_warranty_status:contains(Under warranty until)",
        },
        {
            trigger: "input[name=subject]",
            run: "edit The seat does not hold its height",
        },
        {
            trigger: "textarea[name=description]",
            run: "edit It sinks within an hour.",
        },
        {
            trigger: "button.o_crm_case_submit",
            run: "click",
        },
        {
            content: "The request, under warranty, at its first stage",
            trigger: ".o_crm_portal_case .o_crm_case_warranty:contains(Under warranty until)",
        },
    ],
});

registry.category("web_tour.tours").add("crm_extended_portal_notifications_tour", {
    url: "/my/notifications",
    steps: () => [
        {
            content: "No SMS, please",
            trigger: "input#crm_channel_sms:checked",
            run: "click",
        },
        {
            content: "Not told of confirmed orders",
            trigger: ".o_crm_notifications_form .form-check:contains(Order confirmed) input:checked",
            run: "click",
        },
        {
            trigger: "button.o_crm_notifications_save",
            run: "click",
        },
        {
            trigger: ".o_crm_notifications_saved",
        },
        {
            content: "The choices are kept",
            trigger: ".o_crm_notifications_form .form-check:contains(Order confirmed) input:not(:checked)",
        },
    ],
});
