/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

registry.category("web_tour.tours").add("crm_extended_service_warranty_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("crm_extended.crm_service_root_menu", "Open Service"),
        {
            content: "Record a new case",
            trigger: ".o_control_panel .o-kanban-button-new, .o_control_panel .o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=subject] input",
            run: "edit The seat does not hold its height",
        },
        {
            content: "The customer",
            trigger: ".o_field_widget[name=partner_id] input",
            run: "edit Tour Warranty Customer",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Tour Warranty Customer)",
            run: "click",
        },
        {
            content: "The serial number the customer reads from the label",
            trigger: ".o_field_widget[name=lot_id] input",
            run: "edit TOUR-SN-0001",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(TOUR-SN-0001)",
            run: "click",
        },
        {
            content: "The case says the unit is under warranty, with the delivery as proof",
            trigger: ".alert-success:contains(Under warranty until):contains(WH/OUT/)",
        },
        {
            content: "Hand the unit to the repair shop",
            trigger: "button[name=action_create_repair]",
            run: "click",
        },
        {
            trigger: ".o_notebook a.nav-link:contains(Hand-Offs)",
            run: "click",
        },
        {
            content: "The repair is listed on the case, under warranty",
            trigger: ".o_field_widget[name=repair_ids] .o_data_row",
        },
    ],
});
