from odoo import api, fields, models

STOCK_WORDS = {
    "out": ("нет", "0", "out", "no", "отсутствует", "нет в наличии", "out of stock"),
    "lead_time": ("под заказ", "ожидается", "on order", "order", "заказ"),
    "low": ("мало", "low", "few"),
}


class CrmCompetitorImportLine(models.Model):
    """A row of a competitor's price list: its values, the product matched and how, or why not."""

    _name = "crm.competitor.import.line"
    _description = "Competitor Price List Row"
    _order = "import_id, row_number"

    import_id = fields.Many2one("crm.competitor.import", required=True, index=True, ondelete="cascade")
    row_number = fields.Integer(string="Row", readonly=True)
    reference = fields.Char(string="Their Reference", readonly=True)
    name = fields.Char(string="Their Name", readonly=True)
    price = fields.Float(readonly=True, digits="Product Price", aggregator=None)
    min_quantity = fields.Float(string="From Quantity", readonly=True, aggregator=None)
    stock = fields.Char(string="Stock", readonly=True)
    product_id = fields.Many2one("product.product", string="Our Product")
    match = fields.Selection(
        [
            ("mapping", "Their Product"),
            ("reference", "Our Reference"),
            ("name", "Our Name"),
            ("manual", "By Hand"),
        ],
        string="Matched By",
        readonly=True,
    )
    state = fields.Selection(
        [("unmatched", "Unmatched"), ("imported", "Imported"), ("error", "Error")],
        required=True,
        default="unmatched",
        readonly=True,
    )
    message = fields.Char(readonly=True)
    observation_id = fields.Many2one("crm.competitor.price", string="Observation", readonly=True)
    company_id = fields.Many2one(related="import_id.company_id", store=True, index=True)

    def write(self, vals):
        if vals.get("product_id") and "match" not in vals:
            vals = dict(vals, match="manual")
        return super().write(vals)

    @api.model
    def _error_message(self, number, code, detail):
        messages = {
            "no_price": self.env._("Row %(row)s: no price.", row=number),
            "bad_price": self.env._(
                "Row %(row)s: the price %(value)r is not a number.", row=number, value=detail
            ),
            "negative_price": self.env._(
                "Row %(row)s: the price %(value)s is negative.", row=number, value=detail
            ),
            "bad_quantity": self.env._(
                "Row %(row)s: the quantity break %(value)r is not a number.", row=number, value=detail
            ),
            "no_product": self.env._("Row %(row)s: neither a reference nor a name.", row=number),
        }
        return messages.get(code) or self.env._("Row %(row)s: %(code)s", row=number, code=code)

    def _match_products(self):
        """Our product of each unmatched row: the competitor's mapping (reference, then name), then
        our reference, then our product name (case-insensitive, exact)."""
        todo = self.filtered(lambda line: line.state == "unmatched" and not line.product_id)
        for job in todo.import_id:
            lines = todo.filtered(lambda line, job=job: line.import_id == job)
            references = {line.reference for line in lines if line.reference}
            names = {line.name for line in lines if line.name}
            mapped = self.env["crm.competitor.product"]._find_products(job.competitor_id, references, names)
            Product = self.env["product.product"]
            by_code = (
                {
                    product.default_code.strip().lower(): product
                    for product in Product.search([("default_code", "in", list(references))])
                    if product.default_code
                }
                if references
                else {}
            )
            by_name = (
                {
                    product.name.strip().lower(): product
                    for product in Product.search([("name", "in", list(names))])
                }
                if names
                else {}
            )
            for line in lines:
                reference = (line.reference or "").strip().lower()
                name = (line.name or "").strip().lower()
                for match, product in (
                    ("mapping", mapped.get(("reference", reference))),
                    ("mapping", mapped.get(("name", name))),
                    ("reference", by_code.get(reference)),
                    ("name", by_name.get(name)),
                ):
                    if product:
                        line.write({"product_id": product.id, "match": match})
                        break
                else:
                    line.message = self.env._("Row %(row)s: no product of ours matches.", row=line.row_number)

    def _stock_level(self):
        self.ensure_one()
        text = (self.stock or "").strip().lower()
        if not text:
            return False
        for level, words in STOCK_WORDS.items():
            if text in words:
                return level
        return "in_stock"

    def _import_mapped(self):
        """Record the price of each matched row not recorded yet, and remember the competitor's
        product for the next price list."""
        todo = self.filtered(
            lambda line: line.state == "unmatched" and line.product_id and not line.observation_id
        )
        if not todo:
            return self.env["crm.competitor.price"]
        vals_list = []
        for line in todo:
            job = line.import_id
            level = line._stock_level()
            quantity = False
            if level == "in_stock":
                try:
                    quantity = float((line.stock or "").replace(",", "."))
                except ValueError:
                    quantity = False
            vals_list.append(
                {
                    "competitor_id": job.competitor_id.id,
                    "product_id": line.product_id.id,
                    "competitor_product_name": line.name or False,
                    "price": line.price,
                    "currency_id": job.currency_id.id,
                    "tax_included": job.tax_included,
                    "min_quantity": line.min_quantity or 1.0,
                    "kind": "list",
                    "source": "price_list",
                    "source_note": job.file_name or False,
                    "date": job.date,
                    "stock_level": level,
                    "quantity_in_stock": quantity or 0.0,
                    "company_id": job.company_id.id,
                    "import_line_id": line.id,
                }
            )
        observations = self.env["crm.competitor.price"].create(vals_list)
        for line, observation in zip(todo, observations, strict=True):
            line.write({"observation_id": observation.id, "state": "imported", "message": False})
        todo._remember_mappings()
        return observations

    def _remember_mappings(self):
        Mapping = self.env["crm.competitor.product"]
        for line in self.filtered(lambda line: line.match != "mapping"):
            competitor = line.import_id.competitor_id
            mapping = Mapping.search(
                [("competitor_id", "=", competitor.id), ("product_id", "=", line.product_id.id)], limit=1
            )
            if mapping:
                mapping.write(
                    {"reference": mapping.reference or line.reference, "name": mapping.name or line.name}
                )
            else:
                Mapping.create(
                    {
                        "competitor_id": competitor.id,
                        "product_id": line.product_id.id,
                        "reference": line.reference or False,
                        "name": line.name or False,
                        "company_id": line.import_id.company_id.id,
                    }
                )
