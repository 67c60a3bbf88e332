/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

registry.category("web_tour.tours").add("crm_extended_analytics_dashboard", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("crm.crm_menu_root", "Open CRM"),
        {
            content: "Open Reporting",
            trigger: '.o_main_navbar button[data-menu-xmlid="crm.crm_menu_report"]',
            run: "click",
        },
        {
            content: "Open the dashboard",
            trigger: '.o-dropdown--menu a[data-menu-xmlid="crm_extended.crm_analytics_dashboard_menu"]',
            run: "click",
        },
        {
            content: "The funnel chart is drawn",
            trigger: ".o_crm_analytics_dashboard canvas",
        },
        {
            content: "The team of the tour's leads",
            trigger: ".o_crm_analytics_team",
            run: "selectByLabel Tour Analytics Team",
        },
        {
            content: "The funnel counts its three leads",
            trigger: ".o_crm_analytics_funnel_header .o_crm_analytics_leads:contains(3)",
        },
        {
            content: "Drill into the leads that entered Qualified",
            trigger: '.o_crm_analytics_stage[data-stage="Qualified"]',
            run: "click",
        },
        {
            content: "The two leads that entered Qualified are listed",
            trigger: ".o_list_view .o_data_row:contains(Tour qualified lost)",
        },
        {
            content: "and only those two",
            trigger: ".o_list_view:not(:has(.o_data_row:contains(Tour new only)))",
        },
    ],
});
