# ruff: noqa: RUF001 (Russian client names)
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestImportTour(HttpCase):
    """A salesperson imports a client list in the browser: upload, preview
    with its duplicates, commit, the progress of the background job, the report."""

    def test_import_tour(self):
        new_test_user(self.env, login="tour_import", groups="sales_team.group_sale_salesman")
        self.env["res.partner"].create(
            {"name": "Alpha Trade LLC", "is_company": True, "phone": "+7 383 211-22-33"}
        )
        self.env["ir.config_parameter"].set_param("crm_extended.import_batch_size", 2)
        self.start_tour("/odoo", "crm_extended_import_tour", login="tour_import")
        job = self.env["crm.import.job"].search([("file_name", "=", "clients.csv")])
        self.assertEqual((job.state, job.row_count, job.create_count), ("queued", 5, 3))
        Job = self.env["crm.import.job"]
        Job._cron_run_imports()  # one batch of two rows, as Odoo's cron would run it
        url = f"/odoo/action-crm_extended.crm_import_job_action/{job.id}"
        self.start_tour(url, "crm_extended_import_progress_tour", login="tour_import")
        while job.state != "done":
            Job._cron_run_imports()
        self.start_tour(url, "crm_extended_import_report_tour", login="tour_import")
        self.assertEqual(job.done_count, 4)
        self.assertEqual(
            self.env["res.partner"].search([("name", "=", "ООО Ромашка")]).child_ids.mapped("name"),
            ["Иван Петров", "Мария Иванова"],
        )
