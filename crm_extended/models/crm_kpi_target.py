from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError

KPIS = [
    ("invoiced", "Invoiced Revenue"),
    ("margin", "Margin"),
    ("paid", "Paid Revenue"),
    ("new_customers", "New Customers"),
    ("won", "Deals Won"),
    ("calls", "Calls Made"),
    ("meetings", "Meetings Held"),
    ("sla", "Leads Responded within SLA"),
]
MONEY_KPIS = ("invoiced", "margin", "paid")


class CrmKpiTarget(models.Model):
    """A month's plan for one KPI: of a salesperson (with their team), or of
    a team as a whole (no salesperson). Quarters and years are the sums of
    their months. Edited by sales managers only; the fact is never typed: it
    is read from the database's own records (``crm.kpi.report``)."""

    _name = "crm.kpi.target"
    _description = "KPI Target"
    _order = "month desc, team_id, user_id, kpi"
    _rec_name = "kpi"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    month = fields.Date(required=True, index=True, help="The month (its first day).")
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        index="btree_not_null",
        help="Empty: a target of the team as a whole.",
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        compute="_compute_team_id",
        store=True,
        readonly=False,
        index=True,
    )
    kpi = fields.Selection(KPIS, string="KPI", required=True)
    target = fields.Float(required=True)
    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")

    def init(self):
        super().init()
        # one target per company, month, KPI and salesperson (or team, for a team's own target)
        tools.create_unique_index(
            self.env.cr,
            "crm_kpi_target_unique_idx",
            self._table,
            [
                "company_id",
                "month",
                "kpi",
                "COALESCE(user_id, 0)",
                "COALESCE(CASE WHEN user_id IS NULL THEN team_id END, 0)",
            ],
        )

    @api.depends("user_id")
    def _compute_team_id(self):
        for target in self.filtered("user_id"):
            target.team_id = target.user_id.sale_team_id or target.team_id

    @api.constrains("user_id", "team_id", "target")
    def _check_target(self):
        for target in self:
            if not target.user_id and not target.team_id:
                raise ValidationError(self.env._("A target is a salesperson's or a team's: choose one."))
            if target.target < 0:
                raise ValidationError(self.env._("A target cannot be negative."))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("month"):
                vals["month"] = fields.Date.to_date(vals["month"]).replace(day=1)
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("month"):
            vals["month"] = fields.Date.to_date(vals["month"]).replace(day=1)
        return super().write(vals)

    @api.model
    def _crm_upsert(self, rows):
        """Create or update targets from ``rows`` (dicts with month, user_id,
        team_id, kpi, target) in the current company; returns (created, updated)."""
        created = updated = 0
        company = self.env.company
        for row in rows:
            month = fields.Date.to_date(row["month"]).replace(day=1)
            domain = [("company_id", "=", company.id), ("month", "=", month), ("kpi", "=", row["kpi"])]
            if row.get("user_id"):
                domain.append(("user_id", "=", row["user_id"]))
            else:
                domain += [("user_id", "=", False), ("team_id", "=", row["team_id"])]
            existing = self.search(domain, limit=1)
            if existing:
                existing.target = row["target"]
                updated += 1
            else:
                self.create(
                    {
                        "company_id": company.id,
                        "month": month,
                        "user_id": row.get("user_id") or False,
                        "team_id": row.get("team_id") or False,
                        "kpi": row["kpi"],
                        "target": row["target"],
                    }
                )
                created += 1
        return created, updated

    @api.model
    def _crm_copy_month(self, month_from, month_to, growth_percent=0.0):
        """Copy the current company's targets of ``month_from`` into ``month_to``, grown by
        ``growth_percent``; returns (created, updated)."""
        sources = self.search(
            [
                ("company_id", "=", self.env.company.id),
                ("month", "=", fields.Date.to_date(month_from).replace(day=1)),
            ]
        )
        factor = 1.0 + (growth_percent or 0.0) / 100.0
        return self._crm_upsert(
            [
                {
                    "month": month_to,
                    "user_id": target.user_id.id,
                    "team_id": target.team_id.id,
                    "kpi": target.kpi,
                    "target": round(target.target * factor, 2),
                }
                for target in sources
            ]
        )

    @api.model
    def _crm_import_rows(self, rows):
        """Targets from spreadsheet rows (services/kpi_targets.read_rows): salespeople by login or
        name, teams by name; an unknown one is refused with its row."""
        Users = self.env["res.users"].with_context(active_test=False)
        Teams = self.env["crm.team"]
        values = []
        for row in rows:
            user = team = None
            if row["salesperson"]:
                user = Users.search([("login", "=", row["salesperson"])], limit=1) or Users.search(
                    [("name", "=ilike", row["salesperson"]), ("share", "=", False)], limit=1
                )
                if not user:
                    raise UserError(
                        self.env._(
                            "Row %(row)s: no salesperson %(name)s.", row=row["row"], name=row["salesperson"]
                        )
                    )
            if row["team"]:
                team = Teams.search([("name", "=ilike", row["team"])], limit=1)
                if not team:
                    raise UserError(
                        self.env._("Row %(row)s: no sales team %(name)s.", row=row["row"], name=row["team"])
                    )
            if not user and not team:
                raise UserError(self.env._("Row %(row)s: name a salesperson or a team.", row=row["row"]))
            values.append(
                {
                    "month": row["month"],
                    "user_id": user.id if user else False,
                    "team_id": team.id if team else False,
                    "kpi": row["kpi"],
                    "target": row["target"],
                }
            )
        return self._crm_upsert(values)
