/** @odoo-module **/

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("crm_extended_competitor_offer_tour", {
    steps: () => [
        {
            content: "The deal's competitor offers",
            trigger: ".o_notebook a.nav-link:contains(Competitor Offers)",
            run: "click",
        },
        {
            content: "Record the offer the client showed",
            trigger: ".o_field_widget[name=competitor_offer_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=competitor_id] input",
            run: "edit Tour Rival",
        },
        {
            trigger: ".modal .o-autocomplete--dropdown-item:contains(Tour Rival Supply)",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=name] input",
            run: "edit KP-42",
        },
        {
            content: "Their line: our chair at their price",
            trigger: ".modal .o_field_widget[name=line_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=line_ids] .o_data_row .o_field_widget[name=product_id] input",
            run: "edit Tour Chair",
        },
        {
            trigger: ".modal .o-autocomplete--dropdown-item:contains(Tour Chair)",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=line_ids] .o_data_row .o_field_widget[name=price_unit] input",
            run: "edit 80",
        },
        {
            content: "Save the offer",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "The offer is on the deal, with its total",
            trigger: ".o_field_widget[name=competitor_offer_ids] .o_data_row:contains(Tour Rival Supply):contains(80.00)",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Lose the deal",
            trigger: ".o_form_renderer.o_form_saved .o_statusbar_buttons button[data-hotkey=l]:contains(Lost)",
            run: "click",
        },
        {
            content: "To that offer",
            trigger: ".modal .o_field_widget[name=competitor_offer_id] input",
            run: "edit Tour Rival",
        },
        {
            trigger: ".modal .o-autocomplete--dropdown-item:contains(Tour Rival Supply)",
            run: "click",
        },
        {
            content: "The competitor and its price follow the offer",
            trigger: ".modal .o_field_widget[name=competitor_id] input:value(Tour Rival Supply)",
        },
        {
            content: "Register what the client bought elsewhere",
            trigger: ".modal .o_field_widget[name=register_demand] input",
            run: "click",
        },
        {
            content: "The offer's line is listed to register, ticked",
            trigger:
                ".modal .o_field_widget[name=demand_line_ids] .o_data_row:contains(Tour Chair):has(.o_field_widget[name=is_selected] input:checked)",
        },
        {
            trigger: ".modal button[name=action_lost_reason_apply]",
            run: "click",
        },
        {
            content: "The deal is lost",
            trigger: ".o_statusbar_buttons button[name=toggle_active]:contains(Restore)",
        },
        {
            content: "Open the deal's unmet demand",
            trigger: "button[name=action_view_unsatisfied_demand]",
            run: "click",
        },
        {
            content: "The register shows the chair the client bought from the competitor",
            trigger: ".o_list_view .o_data_row:contains(Tour Chair):contains(Tour Client):contains(Competitor Won)",
        },
    ],
});

registry.category("web_tour.tours").add("crm_extended_price_position_tour", {
    steps: () => [
        {
            content: "Reporting",
            trigger: ".o_menu_sections button[data-menu-xmlid='crm.crm_menu_report']",
            run: "click",
        },
        {
            trigger: ".dropdown-menu .dropdown-item:contains(Price Position)",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=categ_id] input",
            run: "edit Tour Chairs",
        },
        {
            trigger: ".modal .o-autocomplete--dropdown-item:contains(Tour Chairs)",
            run: "click",
        },
        {
            content: "Our prices beside the competitors'",
            trigger: ".modal button[name=action_compute]",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_group_header:contains(Tour Chair)",
            run: "click",
        },
        {
            content: "The chair: the rival's 80 against our 100, 25% more, our rank 2",
            trigger: ".o_list_view .o_data_row:contains(Tour Rival Supply):contains(80.00):contains(25.0)",
        },
    ],
});
