/** @odoo-module **/

import { registry } from "@web/core/registry";

// A call rings the salesperson's extension: the caller's card pops up, and
// the salesperson opens the client's card from it.
registry.category("web_tour.tours").add("crm_extended_incoming_call_tour", {
    url: "/odoo",
    steps: () => [
        {
            content: "The web client is ready",
            trigger: ".o_main_navbar",
        },
        {
            content: "The caller's card pops up: name, company, role",
            trigger: ".o_notification.o_crm_extended_incoming_call:contains(Boris Buyer (Alpha Trade LLC)):contains(Buyer)",
            timeout: 30000,
        },
        {
            content: "It names the client's open service case",
            trigger: ".o_notification.o_crm_extended_incoming_call:contains(Chair sinks)",
        },
        {
            content: "Open the card",
            trigger: ".o_notification.o_crm_extended_incoming_call button:contains(Open the card)",
            run: "click",
        },
        {
            content: "The contact's form is open",
            trigger: ".o_form_view .o_field_widget[name=name] input:value(Boris Buyer)",
        },
    ],
});

// A call-desk operator opens a new service case from the incoming call.
registry.category("web_tour.tours").add("crm_extended_incoming_call_case_tour", {
    url: "/odoo",
    steps: () => [
        {
            content: "The web client is ready",
            trigger: ".o_main_navbar",
        },
        {
            content: "The caller's card offers a new case",
            trigger: ".o_notification.o_crm_extended_incoming_call button:contains(New case)",
            timeout: 30000,
            run: "click",
        },
        {
            content: "The case form is for the caller's entity",
            trigger: ".o_form_view .o_field_widget[name=partner_id] input:value(Alpha Trade LLC)",
        },
        {
            content: "Save the case",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved: the record is no longer new",
            trigger: ".o_form_view .o_form_status_indicator:not(.o_form_status_indicator_new_record)",
        },
    ],
});
