/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// A salesperson confirms an order for a customer whose sister company is overdue.
registry.category("web_tour.tours").add("crm_extended_overdue_dialog_tour", {
    steps: () => [
        {
            content: "Confirm the quotation from its form",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The dialog names the sister company that owes, not the customer",
            trigger: ".modal .o_field_widget[name=overdue_summary]:contains(Tour Sister Logistics JSC owes)",
        },
        {
            content: "with the amount in its currency",
            trigger: ".modal .o_field_widget[name=overdue_amount]:contains(1,200.00)",
        },
        {
            content: "and the oldest due date",
            trigger: ".modal .o_field_widget[name=overdue_date]:contains(03/01/2021)",
        },
        {
            content: "Confirm anyway",
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The order is confirmed",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Sales Order)",
        },
    ],
});

// A sales manager opens the revenue analysis promised under CRM > Reporting.
registry.category("web_tour.tours").add("crm_extended_manager_revenue_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("crm.crm_menu_root", "Open CRM"),
        {
            trigger: '.o_main_navbar button[data-menu-xmlid="crm.crm_menu_report"]',
            run: "click",
        },
        {
            trigger: '.o-dropdown--menu a[data-menu-xmlid="crm_extended.account_invoice_report_deal_crm_menu"]',
            run: "click",
        },
        {
            content: "The analysis opens as a pivot of revenue by source",
            trigger: ".o_breadcrumb .active:contains(Revenue by Deal Source)",
        },
        {
            trigger: ".o_pivot .o_pivot_header_cell_closed:contains(Tour Fair)",
        },
    ],
});

// A salesperson opens a colleague's holding: read-only, nothing to type into.
registry.category("web_tour.tours").add("crm_extended_colleague_holding_tour", {
    steps: () => [
        {
            content: "The holding's name is shown, not editable",
            trigger: ".o_form_view .o_field_widget[name=name]:contains(Colleague Holding):not(:has(input))",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=user_id]:not(:has(input))",
        },
        {
            content: "Its money is there, in the company currency",
            trigger: ".o_form_view .o_field_widget[name=receivable_amount]",
        },
    ],
});

// Competitor prices read as what they are: a name, and averages instead of sums.
registry.category("web_tour.tours").add("crm_extended_competitor_price_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("crm.crm_menu_root", "Open CRM"),
        {
            trigger: '.o_main_navbar button[data-menu-xmlid="crm_extended.crm_extended_directory_menu"]',
            run: "click",
        },
        {
            trigger: '.o-dropdown--menu a[data-menu-xmlid="crm_extended.crm_competitor_price_menu"]',
            run: "click",
        },
        {
            trigger: ".o_data_row td:contains(Tour Rival LLC)",
            run: "click",
        },
        {
            content: "The breadcrumb names the observation, not crm.competitor.price,<id>",
            trigger: ".o_breadcrumb .active:contains(Tour Rival LLC):not(:contains(crm.competitor.price))",
        },
        {
            trigger: ".o_breadcrumb a:contains(Competitor Prices)",
            run: "click",
        },
        {
            trigger: ".o_switch_view.o_pivot",
            run: "click",
        },
        {
            content: "The pivot shows the average price, not a sum",
            trigger: ".o_pivot th:contains(Average Price)",
        },
    ],
});
