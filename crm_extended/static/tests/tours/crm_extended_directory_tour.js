/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

function addContact(name, role) {
    return [
        {
            content: "Add a contact",
            trigger: ".o_field_widget[name=child_ids] .o-kanban-button-new",
            run: "click",
        },
        {
            content: "It is a contact person",
            trigger: ".modal .o_field_widget[name=type] input[data-value=contact]",
            run: "click",
        },
        {
            content: `Name the contact ${name}`,
            trigger: ".modal .o_field_widget[name=name] input",
            run: `edit ${name}`,
        },
        {
            content: `Give ${name} the role ${role}`,
            trigger: ".modal .o_field_widget[name=contact_role_ids] input",
            run: `edit ${role}`,
        },
        {
            trigger: `.modal .o-autocomplete--dropdown-item:contains(${role})`,
            run: "click",
        },
        {
            trigger: `.modal .o_field_widget[name=contact_role_ids] .o_tag:contains(${role})`,
        },
        {
            content: "Save the contact",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: `${name} is listed with the role ${role}`,
            trigger: `.o_field_widget[name=child_ids] .o_kanban_record:contains(${name}):contains(${role})`,
        },
    ];
}

registry.category("web_tour.tours").add("crm_extended_holding_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("crm.crm_menu_root", "Open CRM"),
        {
            trigger: '.o_main_navbar button[data-menu-xmlid="crm.crm_menu_sales"]',
            run: "click",
        },
        {
            trigger: '.o-dropdown--menu a[data-menu-xmlid="crm.res_partner_menu_customer"]',
            run: "click",
        },
        {
            content: "Create a customer",
            trigger: ".o_control_panel .o-kanban-button-new, .o_control_panel .o_list_button_add",
            run: "click",
        },
        {
            content: "It is a company",
            trigger: ".o_field_widget[name=company_type] input[data-value=company]",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=name] input",
            run: "edit Tour Company LLC",
        },
        {
            content: "Attach it to the holding",
            trigger: ".o_field_widget[name=client_group_id] input",
            run: "edit Tour Holding",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Tour Holding)",
            run: "click",
        },
        ...addContact("Tina Buyer", "Buyer"),
        ...addContact("Arkady Accountant", "Accountant"),
        ...stepUtils.saveForm(),
        ...stepUtils.goToAppSteps("crm.crm_menu_root", "Back to CRM"),
        {
            trigger: '.o_main_navbar button[data-menu-xmlid="crm_extended.crm_extended_directory_menu"]',
            run: "click",
        },
        {
            trigger: '.o-dropdown--menu a[data-menu-xmlid="crm_extended.crm_client_group_menu"]',
            run: "click",
        },
        {
            content: "Open the holding",
            trigger: ".o_data_row td[name=name]:contains(Tour Holding)",
            run: "click",
        },
        {
            content: "The new company is one of its legal entities",
            trigger: ".o_field_widget[name=partner_ids] .o_data_row:contains(Tour Company LLC)",
        },
        {
            content: "Two entities are counted",
            trigger: 'button[name=action_view_entities] .o_stat_value:contains("2")',
        },
        {
            content: "The pipeline of the other entity is rolled up",
            trigger: ".o_field_widget[name=pipeline_amount]:contains(5,000.00)",
        },
    ],
});

registry.category("web_tour.tours").add("crm_extended_delivery_desk_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("stock.menu_stock_root", "Open Inventory"),
        {
            trigger: '.o_main_navbar button[data-menu-xmlid="stock.menu_stock_warehouse_mgmt"]',
            run: "click",
        },
        {
            trigger: '.o-dropdown--menu a[data-menu-xmlid="crm_extended.stock_delivery_desk_menu"]',
            run: "click",
        },
        {
            content: "Type the phone number the caller gives, in their own format",
            trigger: ".o_field_widget[name=query] input",
            run: "edit 8 (913) 555-00-11",
        },
        {
            trigger: ".o_form_sheet",
            run: "click",
        },
        {
            content: "The customer's delivery is found with its state",
            trigger: ".o_field_widget[name=picking_ids] .o_data_row:contains(Desk Customer LLC):contains(Ready)",
        },
        {
            trigger: ".o_notebook a:contains(Ordered and Delivered)",
            run: "click",
        },
        {
            content: "Per order line: what is still to deliver",
            trigger: ".o_field_widget[name=line_ids] .o_data_row:contains(Desk Chair):contains(4.00)",
        },
        {
            content: "It says how the number was read",
            trigger: ".o_field_widget[name=match_note]:contains(read as a number of Russia)",
        },
        {
            content: "A search, not a record: the breadcrumb names the desk, nothing to save or discard",
            trigger:
                ".o_breadcrumb .active:contains(Delivery Desk):not(:has(.o_form_status_indicator_buttons))",
        },
        {
            trigger: ".o_control_panel:not(:has(.o_form_button_save)):not(:has(.o_form_button_cancel))",
        },
        {
            content: "Leave the desk",
            trigger: '.o_main_navbar button[data-menu-xmlid="stock.menu_stock_warehouse_mgmt"]',
            run: "click",
        },
        {
            trigger: '.o-dropdown--menu a[data-menu-xmlid="crm_extended.stock_delivery_desk_menu"]',
            run: "click",
        },
        {
            content: "The desk is empty again: nothing was kept",
            trigger: ".o_form_view:not(:has(.o_field_widget[name=picking_ids] .o_data_row))",
        },
    ],
});
