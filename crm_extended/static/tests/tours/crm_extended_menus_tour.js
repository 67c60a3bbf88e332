/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

function openMenu(sectionXmlid, entryXmlid, title) {
    return [
        {
            content: `Open the ${sectionXmlid} section`,
            trigger: `.o_main_navbar button[data-menu-xmlid="${sectionXmlid}"]`,
            run: "click",
        },
        {
            content: `Open ${entryXmlid}`,
            trigger: `.o-dropdown--menu a[data-menu-xmlid="${entryXmlid}"]`,
            run: "click",
        },
        {
            content: `${title} is displayed`,
            trigger: `.o_breadcrumb .active:contains("${title}")`,
        },
        {
            content: `${title} shows its records or its help`,
            trigger: ".o_action_manager .o_view_controller :is(.o_data_row, .o_view_nocontent, .o_pivot)",
        },
    ];
}

registry.category("web_tour.tours").add("crm_extended_salesman_menus", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("crm.crm_menu_root", "Open CRM"),
        ...openMenu("crm_extended.crm_extended_directory_menu", "crm_extended.crm_client_group_menu", "Client Groups"),
        ...openMenu("crm_extended.crm_extended_directory_menu", "crm_extended.res_partner_relation_menu", "Relations"),
        ...openMenu(
            "crm_extended.crm_extended_directory_menu",
            "crm_extended.crm_competitor_price_menu",
            "Competitor Prices"
        ),
    ],
});

registry.category("web_tour.tours").add("crm_extended_manager_menus", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("crm.crm_menu_root", "Open CRM"),
        ...openMenu("crm.crm_menu_config", "crm_extended.crm_contact_role_menu", "Contact Roles"),
        ...openMenu("crm.crm_menu_config", "crm_extended.res_partner_relation_type_menu", "Relation Types"),
    ],
});
