/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// A salesperson's client list: a company twice (tax ID with spaces, phone
// written otherwise), a client already in the directory, two new ones.
const CSV = [
    "Компания;ИНН;Телефон;Контактное лицо",
    "ООО Ромашка;7707083893;8 (495) 111-22-33;Иван Петров",
    "Ромашка ООО;7707 083 893;+7 495 111 22 33;Мария Иванова",
    "Alpha Trade;;8 383 211 22 33;",
    "ООО Лютик;;8 (495) 222-33-44;",
    "ООО Василёк;;8 (495) 333-44-55;",
].join("\r\n");

registry.category("web_tour.tours").add("crm_extended_import_tour", {
    steps: () => [
        ...stepUtils.goToAppSteps("crm.crm_menu_root", "Open CRM"),
        {
            content: "Open Directory",
            trigger: '.o_main_navbar button[data-menu-xmlid="crm_extended.crm_extended_directory_menu"]',
            run: "click",
        },
        {
            content: "Open Import",
            trigger: '.o-dropdown--menu a[data-menu-xmlid="crm_extended.crm_import_job_menu"]',
            run: "click",
        },
        {
            content: "Start a new import",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "Upload the client list",
            trigger: ".o_field_widget[name=file]:contains(Upload your file)",
            run() {
                const input = document.querySelector(".o_field_widget[name=file] input[type=file]");
                const files = new DataTransfer();
                files.items.add(new File([CSV], "clients.csv", { type: "text/csv" }));
                input.files = files.files;
                input.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            content: "The file is there",
            trigger: ".oe_title .o_field_widget[name=name]:contains(clients.csv)",
        },
        {
            content: "Preview",
            trigger: "button[name=action_preview]",
            run: "click",
        },
        {
            content: "The second row is the first one's client, spelled otherwise",
            trigger: ".o_field_widget[name=line_ids] .o_data_row:contains(Same client as row 2)",
        },
        {
            content: "Alpha Trade is already in the directory",
            trigger: ".o_field_widget[name=line_ids] .o_data_row:contains(Already in the directory)",
        },
        {
            content: "Three clients to create",
            trigger: ".o_field_widget[name=create_count]:contains(3)",
        },
        {
            content: "Import",
            trigger: "button[name=action_commit]",
            run: "click",
        },
        {
            content: "The import waits for the background job, its progress at 0%",
            trigger: ".o_crm_import_progress:contains(0%)",
        },
        {
            content: "Queued",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Queued)",
        },
    ],
});

registry.category("web_tour.tours").add("crm_extended_import_progress_tour", {
    steps: () => [
        {
            content: "Half of the rows are written",
            trigger: ".o_crm_import_progress:contains(50%)",
        },
        {
            content: "Importing",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Importing)",
        },
    ],
});

registry.category("web_tour.tours").add("crm_extended_import_report_tour", {
    steps: () => [
        {
            content: "All written",
            trigger: ".o_crm_import_progress:contains(100%)",
        },
        {
            content: "Done",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Done)",
        },
        {
            content: "The report: each row written",
            trigger: ".o_field_widget[name=line_ids] .o_data_row:contains(ООО Василёк):contains(Done)",
        },
        {
            content: "The rows can be filtered and downloaded",
            trigger: "button[name=action_download_report]",
        },
        {
            content: "Open the rows",
            trigger: "button[name=action_view_lines]",
            run: "click",
        },
        {
            content: "Filter the skipped rows",
            trigger: ".o_searchview_input",
            run: "click",
        },
        {
            trigger: ".o_filter_menu .o-dropdown-item:contains(Skip)",
            run: "click",
        },
        {
            content: "Only Alpha Trade was skipped",
            trigger: ".o_list_view .o_data_row:contains(Alpha Trade)",
        },
    ],
});
