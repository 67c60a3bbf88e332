/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

function openSalesMenu(xmlid) {
    return [
        ...stepUtils.goToAppSteps("crm.crm_menu_root", "Open CRM"),
        {
            trigger: '.o_main_navbar button[data-menu-xmlid="crm.crm_menu_sales"]',
            run: "click",
        },
        {
            trigger: `.o-dropdown--menu a[data-menu-xmlid="crm_extended.${xmlid}"]`,
            run: "click",
        },
    ];
}

// A new lead arrived: its salesperson finds the first-contact task in My Day, logs a call from the lead,
// and sees the call and the in-time response on the KPI board.
registry.category("web_tour.tours").add("crm_extended_my_day_tour", {
    url: "/odoo",
    steps: () => [
        ...openSalesMenu("crm_my_day_menu"),
        {
            content: "The new lead's first contact is in My Day",
            trigger: ".o_list_view .o_data_row:contains(Tour: 12 chairs):contains(New Lead to Contact)",
        },
        {
            content: "Open the lead",
            trigger: ".o_list_view .o_data_row:contains(Tour: 12 chairs) button[name=action_open]",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=name]:contains(Tour: 12 chairs), .o_form_view .o_field_widget[name=name] textarea",
        },
        {
            content: "Log the call made",
            trigger: ".o_form_view button[name=action_crm_log_call]",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=called_number] input",
            run: "edit +7 913 555 44 33",
        },
        {
            trigger: ".modal .o_field_widget[name=note] textarea",
            run: "edit Interested, send an offer",
        },
        {
            content: "Save the call",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
        ...openSalesMenu("crm_kpi_report_mine_menu"),
        {
            content: "The board counts the call",
            trigger: ".o_list_view .o_data_row:contains(Calls Made) td[name=fact]:contains(1)",
        },
        {
            content: "and the lead answered within its SLA",
            trigger: ".o_list_view .o_data_row:contains(Leads Responded within SLA) td[name=fact]:contains(1)",
        },
    ],
});
