from odoo import fields, models

# who reads the classes (README's role table) and who reads the money behind them
CLASS_GROUPS = "sales_team.group_sale_salesman,account.group_account_invoice"
CLASS_MONEY_GROUPS = "account.group_account_invoice"

ABC_SELECTION = [("A", "A"), ("B", "B"), ("C", "C")]


class CrmCustomerClassMixin(models.AbstractModel):
    """A client's classes (#15): ABC by revenue and by margin, XYZ by the
    regularity of its monthly purchases, its RFM segment. A holding is one
    client: its entities and their contacts carry the holding's classes.
    Written by ``crm.analytics._crm_compute_customer_classes`` (a daily job,
    or on demand), never by hand."""

    _name = "crm.customer.class.mixin"
    _description = "Customer Classes"

    crm_abc_class = fields.Selection(
        ABC_SELECTION,
        string="ABC (Revenue)",
        readonly=True,
        copy=False,
        groups=CLASS_GROUPS,
        help="A: the clients making the first 80% of the invoiced revenue of the period, "
        "B: the next 15%, C: the rest (thresholds in the system parameters).",
    )
    crm_abc_margin_class = fields.Selection(
        ABC_SELECTION,
        string="ABC (Margin)",
        readonly=True,
        copy=False,
        groups=CLASS_GROUPS,
        help="The same classes by margin (revenue less the cost price of the goods invoiced).",
    )
    crm_xyz_class = fields.Selection(
        [("X", "X: regular"), ("Y", "Y: irregular"), ("Z", "Z: occasional")],
        string="XYZ (Regularity)",
        readonly=True,
        copy=False,
        groups=CLASS_GROUPS,
        help="How regular the monthly purchases are (coefficient of variation of the monthly revenue): "
        "X up to 0.5, Y up to 1.0, Z above.",
    )
    crm_rfm_segment = fields.Selection(
        [
            ("champions", "Champions"),
            ("loyal", "Loyal"),
            ("promising", "Promising"),
            ("at_risk", "At Risk"),
            ("hibernating", "Hibernating"),
            ("lost", "Lost"),
        ],
        string="Loyalty (RFM)",
        readonly=True,
        copy=False,
        groups=CLASS_GROUPS,
        help="From how recently and how often the client bought (recency, frequency).",
    )
    crm_recency_days = fields.Integer(
        string="Days Since Last Invoice", readonly=True, copy=False, groups=CLASS_GROUPS
    )
    crm_invoice_frequency = fields.Integer(
        string="Invoices in the Period", readonly=True, copy=False, groups=CLASS_GROUPS
    )
    crm_class_revenue = fields.Monetary(
        string="Revenue (Classes)",
        currency_field="crm_class_currency_id",
        readonly=True,
        copy=False,
        groups=CLASS_MONEY_GROUPS,
        help="Invoiced revenue (untaxed, less credit notes) of the client in the period of the classes.",
    )
    crm_class_margin = fields.Monetary(
        string="Margin (Classes)",
        currency_field="crm_class_currency_id",
        readonly=True,
        copy=False,
        groups=CLASS_MONEY_GROUPS,
    )
    crm_class_currency_id = fields.Many2one(
        "res.currency",
        string="Currency (Classes)",
        compute="_compute_crm_class_currency_id",
        help="The currency the classes' revenue and margin were computed in (one for the whole database).",
    )

    def _compute_crm_class_currency_id(self):
        # one currency for every client's classes (crm.analytics._crm_class_currency): not a
        # column of each row, whose foreign key PostgreSQL checked on each client's first classes
        self.crm_class_currency_id = self.env["crm.analytics"]._crm_class_currency()
