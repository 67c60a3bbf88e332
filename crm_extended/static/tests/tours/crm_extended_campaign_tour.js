/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

function openDirectoryMenu(xmlid) {
    return [
        ...stepUtils.goToAppSteps("crm.crm_menu_root", "Open CRM"),
        {
            trigger: '.o_main_navbar button[data-menu-xmlid="crm_extended.crm_extended_directory_menu"]',
            run: "click",
        },
        {
            trigger: `.o-dropdown--menu a[data-menu-xmlid="crm_extended.${xmlid}"]`,
            run: "click",
        },
    ];
}

function openCampaign(name) {
    return [
        ...openDirectoryMenu("utm_campaign_crm_menu"),
        {
            content: `Open the campaign ${name}`,
            trigger: `.o_list_view .o_data_row td:contains(${name})`,
            run: "click",
        },
    ];
}

// A CRM manager records a campaign's cost, sees its ROI, and saves a segment.
registry.category("web_tour.tours").add("crm_extended_campaign_cost_tour", {
    url: "/odoo",
    steps: () => [
        ...openCampaign("Tour Expo"),
        {
            content: "Open the costs",
            trigger: ".o_notebook .nav-link:contains(Costs)",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=crm_cost_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "Spent on the offline channel",
            trigger: ".o_field_widget[name=crm_cost_ids] .o_data_row .o_field_widget[name=medium_id] input",
            run: "edit Tour Offline",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Tour Offline)",
            run: "click",
        },
        {
            content: "1,000 for the stand",
            trigger: ".o_field_widget[name=crm_cost_ids] .o_data_row .o_field_widget[name=amount] input",
            run: "edit 1000",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Back to the planning and its results",
            trigger: ".o_notebook .nav-link:contains(Planning)",
            run: "click",
        },
        {
            content: "The cost is on the campaign",
            trigger: ".o_notebook .o_field_widget[name=crm_cost_amount]:contains(1,000.00)",
        },
        {
            content: "Nothing invoiced yet: the ROI is -100 %",
            trigger: ".o_notebook .o_field_widget[name=crm_roi]:contains(-100.0)",
        },
        ...openDirectoryMenu("mailing_filter_segment_menu"),
        {
            content: "Create a segment",
            trigger: ".o_control_panel .o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=name] input",
            run: "edit Tour Expo visitors",
        },
        {
            content: "A segment of contacts",
            trigger: ".o_field_widget[name=crm_segment_model] select",
            run: 'select "res.partner"',
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved, with its live count",
            trigger: ".o_breadcrumb .active:contains(Tour Expo visitors)",
        },
        {
            trigger: ".oe_stat_button .o_field_widget[name=crm_record_count]",
        },
    ],
});

// The deal's invoice is posted: the campaign's ROI follows.
registry.category("web_tour.tours").add("crm_extended_campaign_roi_tour", {
    steps: () => [
        {
            content: "Post the deal's invoice",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_post]",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Posted)",
        },
        ...openCampaign("Tour Expo"),
        {
            trigger: ".o_notebook .nav-link:contains(Planning)",
            run: "click",
        },
        {
            trigger: ".o_notebook .o_field_widget[name=crm_revenue_amount]:contains(3,000.00)",
        },
        {
            content: "3,000 invoiced for 1,000 spent: ROI 200 %",
            trigger: ".o_notebook .o_field_widget[name=crm_roi]:contains(200.0)",
        },
    ],
});
