import re
from collections import defaultdict

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.osv import expression
from odoo.tools import SQL, email_normalize, format_amount, format_date, plaintext2html
from odoo.tools.sql import create_index

from ..services import duplicates, phone_lookup
from ..services import inn as inn_service
from ..services import phone as phone_service
from ..services.sql_markers import Marker, fill

# address_get() types that a contact role stands in for when the company has
# no dedicated address of that type.
ROLE_FOR_ADDRESS_TYPE = {"invoice": "accountant", "delivery": "storekeeper"}
# Fields a write must change for the duplicate guard to look again.
DUPLICATE_KEY_FIELDS = frozenset({"vat", "country_id", "phone", "mobile", "email", "parent_id"})
# Where the keys go in the kept statement of the caller lookup.
_KEYS = Marker("keys")
# Above this many partners, the clients' countries are ranked by PostgreSQL's
# statistics instead of a count (see _crm_client_regions).
CLIENT_REGIONS_COUNT_LIMIT = 100_000
# Who may read what a client owes (README's role table).
RECEIVABLE_GROUPS = "sales_team.group_sale_salesman,account.group_account_invoice"


SERVICE_CASE_READERS = "crm_extended.group_crm_extended_service_user,sales_team.group_sale_salesman"
# Who may know a partner is a competitor, and what we know of its products (#14).
COMPETITOR_READERS = "sales_team.group_sale_salesman,crm_extended.group_crm_extended_competitor"


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "crm.phone.key.mixin", "crm.first.touch.mixin", "crm.customer.class.mixin"]

    contact_role_ids = fields.Many2many(
        "crm.contact.role",
        "crm_contact_role_res_partner_rel",
        "partner_id",
        "role_id",
        string="Roles",
        help="What this person is the one to call for: documents pick the buyer, "
        "the accountant or the storekeeper of the company from these roles.",
    )
    client_group_id = fields.Many2one(
        "crm.client.group",
        string="Client Group",
        index="btree_not_null",
        help="The holding this legal entity belongs to, with the other entities of the same owner.",
    )
    is_competitor = fields.Boolean(
        string="Competitor",
        index=True,
        groups=COMPETITOR_READERS,
        help="Offered as a competitor in observations, competitor offers and lost deals; set by an "
        "'is competitor of' relation too.",
    )
    is_competitor_by_relation = fields.Boolean(
        string="Competitor by Relation",
        readonly=True,
        groups=COMPETITOR_READERS,
        help="The Competitor flag was set by an 'is competitor of' relation, not by hand: it is "
        "cleared when the partner's last such relation is removed or ends.",
    )
    competitor_product_ids = fields.One2many(
        "crm.competitor.product",
        "competitor_id",
        string="Their Products",
        groups="crm_extended.group_crm_extended_competitor",
    )
    kpp = fields.Char(string="KPP", size=9, help="Russian tax registration reason code (9 characters).")
    tax_key = fields.Char(
        compute="_compute_tax_key",
        store=True,
        index="btree_not_null",
        help="Tax id without spaces or country prefix, compared to find duplicates.",
    )
    relation_all_ids = fields.One2many(
        "res.partner.relation.all",
        "this_partner_id",
        string="Relations",
        readonly=True,
    )
    relation_count = fields.Integer(compute="_compute_relation_count")
    duplicate_partner_ids = fields.Many2many(
        "res.partner",
        compute="_compute_duplicate_partner_ids",
        string="Possible Duplicates",
    )
    duplicate_warning = fields.Char(compute="_compute_duplicate_partner_ids")
    # What the client (every entity of its holding) owes past due, for the
    # roles that decide whether to sell or to chase: salespeople and
    # accountants (a portal user, a warehouse user never read it).
    crm_overdue_amount = fields.Monetary(
        string="Overdue",
        compute="_compute_crm_overdue",
        compute_sudo=True,
        currency_field="crm_company_currency_id",
        groups=RECEIVABLE_GROUPS,
        help="What the customer (every entity of its holding, if it has one) owes on invoices past due, "
        "less its open credit notes, in the companies selected, converted to the current company's "
        "currency at each invoice's date.",
    )
    crm_overdue_date = fields.Date(
        string="Overdue Since",
        compute="_compute_crm_overdue",
        compute_sudo=True,
        groups=RECEIVABLE_GROUPS,
        help="Due date of the oldest invoice still unpaid past its due date.",
    )
    crm_overdue_summary = fields.Text(
        string="Who Owes",
        compute="_compute_crm_overdue",
        compute_sudo=True,
        groups=RECEIVABLE_GROUPS,
        help="Each entity that owes past due, with its amount and oldest due date.",
    )
    crm_days_since_last_order = fields.Integer(
        string="Days Since Last Order",
        compute="_compute_crm_days_since_last_order",
        search="_search_crm_days_since_last_order",
        help="Days since the company's last confirmed order in the selected companies "
        "(empty when it never ordered); contacts share their company's. Searchable, for segments.",
    )
    crm_company_currency_id = fields.Many2one("res.currency", compute="_compute_crm_company_currency_id")
    crm_call_count = fields.Integer(
        string="Calls", compute="_compute_crm_call_count", groups="sales_team.group_sale_salesman"
    )
    # service cases on the card (read by whoever reads the cases)
    service_case_open_count = fields.Integer(
        string="Open Cases", compute="_compute_service_case_stats", groups=SERVICE_CASE_READERS
    )
    service_case_year_count = fields.Integer(
        string="Cases (12 Months)", compute="_compute_service_case_stats", groups=SERVICE_CASE_READERS
    )
    service_case_avg_hours = fields.Float(
        string="Average Resolution (Hours)",
        compute="_compute_service_case_stats",
        groups=SERVICE_CASE_READERS,
    )
    service_case_overdue_count = fields.Integer(
        string="Overdue SLAs", compute="_compute_service_case_stats", groups=SERVICE_CASE_READERS
    )

    def init(self):
        super().init()
        # the clients of a salesperson (the service cases' record rule, "my clients"): Odoo
        # does not index the partner's salesperson. Without it the planner costs the rule's
        # sub-select as a scan of the whole directory, and over PostgreSQL's JIT threshold it
        # compiles every such query (24 ms on 1,000,000 partners for a search that runs in
        # 0.07 ms: the ringing card's open cases, bench/README.md)
        create_index(
            self.env.cr,
            "res_partner_user_id_crm_extended",
            self._table,
            ["user_id"],
            where="user_id IS NOT NULL",
        )
        if self.env.registry.has_trigram:
            # customer names typed in part (delivery desk, duplicate checks) on large directories
            create_index(
                self.env.cr,
                "res_partner_name_trgm_crm_extended",
                self._table,
                ["name gin_trgm_ops"],
                method="gin",
            )

    @api.depends("vat", "country_id")
    def _compute_tax_key(self):
        for partner in self:
            partner.tax_key = partner._crm_tax_key(partner.vat, partner.country_id.code)

    @api.depends_context("company")
    def _compute_crm_company_currency_id(self):
        self.crm_company_currency_id = self.env.company.currency_id

    @api.depends_context("company", "allowed_company_ids", "lang")
    def _compute_crm_overdue(self):
        """Overdue receivables per customer, its holding's entities included,
        for every partner of self in a fixed number of queries.

        compute_sudo: a salesperson may open only the invoices they sell, yet
        must see everything the client owes before selling again; what is
        shown is bounded instead: the fields are for salespeople and
        accountants only (groups), and only the selected companies'
        invoices count (``account.move._crm_receivables``)."""
        currency = self.env.company.currency_id
        scopes, debts = self._crm_overdue_debts()
        names = dict(self.browse(list(debts)).mapped(lambda entity: (entity.id, entity.display_name)))
        for partner in self:
            owing = sorted(
                (eid for eid in scopes.get(partner.id, ()) if eid in debts), key=lambda eid: debts[eid][1]
            )
            partner.crm_overdue_amount = sum(debts[eid][0] for eid in owing)
            partner.crm_overdue_date = debts[owing[0]][1] if owing else False
            partner.crm_overdue_summary = (
                "\n".join(
                    self.env._(
                        "%(entity)s owes %(amount)s past due, the oldest since %(date)s",
                        entity=names[eid],
                        amount=format_amount(self.env, debts[eid][0], currency),
                        date=format_date(self.env, debts[eid][1]),
                    )
                    for eid in owing
                )
                or False
            )

    def _crm_overdue_debts(self):
        """``(scopes, debts)``: :meth:`_crm_receivable_scopes` and what each
        entity of them owes past due, ``account.move._crm_receivables``, in the
        current company's currency. As the fields of :meth:`_compute_crm_overdue`,
        which are computed in sudo, it reads as the current user: call it in sudo."""
        scopes = self._crm_receivable_scopes()
        entity_ids = {eid for ids in scopes.values() for eid in ids}
        currency = self.env.company.currency_id
        return scopes, self.env["account.move"]._crm_receivables(entity_ids, currency, overdue_only=True)

    def _crm_overdue_amounts(self):
        """{partner id: crm_overdue_amount} without the date and summary of
        that field (nor the names they read): what the ringing card shows.
        Read in sudo, as the field: show it only to the roles that may see it."""
        scopes, debts = self.sudo()._crm_overdue_debts()
        amounts = {}
        for partner in self:
            # summed in the field's order (the oldest debt first): the same float
            owing = sorted(
                (eid for eid in scopes.get(partner.id, ()) if eid in debts), key=lambda eid: debts[eid][1]
            )
            amounts[partner.id] = sum(debts[eid][0] for eid in owing)
        return amounts

    def _crm_receivable_scopes(self):
        """{partner id: commercial entity ids whose debts count for it}: the
        whole holding when the customer belongs to one."""
        commercial = self.commercial_partner_id
        group_entities = dict(
            self.env["res.partner"]._read_group(
                [("client_group_id", "in", commercial.client_group_id.ids), ("parent_id", "=", False)],
                ["client_group_id"],
                ["id:array_agg"],
            )
        )
        return {
            partner.id: group_entities.get(partner.commercial_partner_id.client_group_id)
            or [partner.commercial_partner_id.id]
            for partner in self
            if partner.id
        }

    @api.depends_context("allowed_company_ids")
    def _compute_crm_days_since_last_order(self):
        today = fields.Date.context_today(self)
        commercial = self.commercial_partner_id
        ids = tuple(commercial._origin.ids) or (0,)
        self.env.cr.execute(self._crm_last_order_query(ids))
        last = dict(self.env.cr.fetchall())
        for partner in self:
            date = last.get(partner.commercial_partner_id.id)
            partner.crm_days_since_last_order = (today - date).days if date else False

    def _search_crm_days_since_last_order(self, operator, value):
        """Partners whose company's last confirmed order is that many days
        old: one sub-query over the orders, nothing stored that could go stale.
        ``= False`` finds those that never ordered."""
        if value is False or value is None:
            if operator not in ("=", "!="):
                return expression.FALSE_DOMAIN
            ordered = SQL("(%s)", self._crm_last_order_query(None, dates=False))
            return [("commercial_partner_id", "not in" if operator == "=" else "in", ordered)]
        comparisons = {
            "<": SQL("<"),
            "<=": SQL("<="),
            ">": SQL(">"),
            ">=": SQL(">="),
            "=": SQL("="),
            "!=": SQL("<>"),
        }
        if operator not in comparisons or not isinstance(value, int | float):
            raise ValidationError(
                self.env._(
                    "Days since the last order: compare with a number (not %(operator)s).", operator=operator
                )
            )
        today = fields.Date.context_today(self)
        having = SQL("%s::date - MAX(o.date_order)::date %s %s", today, comparisons[operator], int(value))
        recent = SQL("(%s)", self._crm_last_order_query(None, dates=False, having=having))
        return [("commercial_partner_id", "in", recent)]

    @api.model
    def _crm_last_order_query(self, partner_ids, dates=True, having=None):
        """(commercial partner id, date of its last confirmed order) over the
        selected companies' orders (sudo: a fact about the client, read
        without sales rights; only its age is shown)."""
        self.env["sale.order"].flush_model(["state", "date_order", "partner_id", "company_id"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        return SQL(
            """
            SELECT p.commercial_partner_id%(select)s
              FROM sale_order o
              JOIN res_partner p ON p.id = o.partner_id
             WHERE o.state = 'sale' AND o.company_id IN %(companies)s%(partners)s
          GROUP BY p.commercial_partner_id
            %(having)s
            """,
            select=SQL(", MAX(o.date_order)::date") if dates else SQL(""),
            companies=tuple(self.env.companies.ids),
            partners=SQL(" AND p.commercial_partner_id IN %s", tuple(partner_ids))
            if partner_ids
            else SQL(""),
            having=SQL("HAVING %s", having) if having else SQL(""),
        )

    def _compute_crm_call_count(self):
        """Calls with the contact; for a company, with it and its contacts."""
        counts = dict(
            self.env["crm.phone.call"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        company_counts = dict(
            self.env["crm.phone.call"]._read_group(
                [("commercial_partner_id", "in", self.filtered("is_company").ids)],
                ["commercial_partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.crm_call_count = (
                company_counts.get(partner, 0) if partner.is_company else counts.get(partner, 0)
            )

    def _crm_first_touch_targets(self):
        return self | self.commercial_partner_id

    def _compute_service_case_stats(self):
        """A company's (or an individual's) cases; a company contact's cases as the contact."""
        entities = self.filtered(lambda p: p.commercial_partner_id == p)
        Case = self.env["crm.service.case"]
        stats = Case._service_stats("commercial_partner_id", [("commercial_partner_id", "in", entities.ids)])
        stats.update(Case._service_stats("contact_id", [("contact_id", "in", (self - entities).ids)]))
        for partner in self:
            values = stats.get(partner._origin) or {}
            partner.service_case_open_count = values.get("open", 0)
            partner.service_case_year_count = values.get("year", 0)
            partner.service_case_avg_hours = values.get("avg_hours", 0.0)
            partner.service_case_overdue_count = values.get("overdue", 0)

    def action_view_service_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_extended.crm_service_case_action")
        field = "commercial_partner_id" if self.commercial_partner_id == self else "contact_id"
        action["domain"] = [(field, "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        if self.env.context.get("overdue"):
            action["domain"] = action["domain"] + [("sla_overdue", "=", True)]
        return action

    def action_view_calls(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_extended.crm_phone_call_action")
        field = "commercial_partner_id" if self.is_company else "partner_id"
        action["domain"] = [(field, "=", self.id)]
        action["context"] = {"default_partner_id": self.id, "search_default_group_by_state": False}
        return action

    def _compute_relation_count(self):
        counts = dict(
            self.env["res.partner.relation.all"]._read_group(
                [("this_partner_id", "in", self.ids)], ["this_partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.relation_count = counts.get(partner, 0)

    @api.depends("tax_key", "phone_e164", "mobile_e164", "email")
    def _compute_duplicate_partner_ids(self):
        for partner in self:
            matches = partner._crm_find_duplicates()
            partner.duplicate_partner_ids = matches
            partner.duplicate_warning = partner._crm_duplicate_message(matches) if matches else False

    @api.constrains("vat", "country_id")
    def _check_russian_inn(self):
        messages = {
            "digits": self.env._("an INN has digits only"),
            "length": self.env._("an INN has 10 digits (company) or 12 digits (individual)"),
            "checksum10": self.env._("the check digit (10th) of a company INN does not match"),
            "checksum12": self.env._("the check digits (11th and 12th) of a personal INN do not match"),
        }
        for partner in self.filtered(lambda p: p.vat and p.country_id.code == "RU"):
            error = inn_service.inn_error(partner.vat)
            if error:
                raise ValidationError(
                    self.env._(
                        "INN %(inn)s of %(partner)s is not valid: %(rule)s.",
                        inn=partner.vat,
                        partner=partner.display_name,
                        rule=messages[error],
                    )
                )

    @api.constrains("kpp")
    def _check_kpp(self):
        for partner in self.filtered("kpp"):
            if not inn_service.is_valid_kpp(partner.kpp):
                raise ValidationError(
                    self.env._(
                        "KPP %(kpp)s of %(partner)s is not valid: a KPP has 9 characters, "
                        "4 digits, 2 digits or capital letters, then 3 digits.",
                        kpp=partner.kpp,
                        partner=partner.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        # the write guard stays out of creation (Odoo copies the company's tax id
        # and address onto new contacts with write()): the batch is checked below
        partners = (
            super(ResPartner, self.with_context(crm_duplicate_guard_in_create=True))
            .create(vals_list)
            .with_env(self.env)
        )
        # RPC and imports get no banner: leave a note on the new record instead,
        # so that a duplicate is never silent. The client import (crm.import.job)
        # has matched its rows on the same keys before creating them.
        if not self.env.context.get("crm_import_matched"):
            partners._crm_note_duplicates(partners._crm_find_duplicates_batch())
        return partners

    def address_get(self, adr_pref=None):
        """Let contact roles stand in for missing addresses: without a dedicated
        invoice (delivery) address, the company's accountant (storekeeper) is used."""
        result = super().address_get(adr_pref)
        if len(self) != 1:
            return result
        commercial = self.commercial_partner_id
        for address_type, role_code in ROLE_FOR_ADDRESS_TYPE.items():
            if address_type in (adr_pref or []) and result.get(address_type) in (self.id, commercial.id):
                contact = commercial._crm_contact_for_role(role_code)
                if contact:
                    result[address_type] = contact.id
        return result

    def write(self, vals):
        if "is_competitor" in vals and "is_competitor_by_relation" not in vals:
            # set or unset by hand: no relation decides it any more (#14)
            vals = {**vals, "is_competitor_by_relation": False}
        if "country_id" in vals and self.env["res.company"].sudo().search_count(
            [("partner_id", "in", self.ids)]
        ):
            self.env.registry.clear_cache()  # _crm_company_region
        # a new commercial partner moves the contacts' leads to another client
        # in the channel report (#12)
        moving = {"parent_id", "is_company"}.intersection(vals)
        leads = self._crm_channel_leads() if moving else None
        in_create = self.env.context.get("crm_duplicate_guard_in_create")
        matched = self.env.context.get("crm_import_matched")
        if in_create or matched or not DUPLICATE_KEY_FIELDS.intersection(vals):
            result = super().write(vals)
        else:
            # an edit through RPC or import that makes a new duplicate gets a note
            # too; the matches there were before are not noted again
            before = self._crm_find_duplicates_batch()
            result = super().write(vals)
            found = {
                partner: matches - before.get(partner, self.browse())
                for partner, matches in self._crm_find_duplicates_batch().items()
            }
            self._crm_note_duplicates({partner: matches for partner, matches in found.items() if matches})
        if leads is not None:
            leads |= self._crm_channel_leads()
            leads._crm_refresh_channel_clients(leads.crm_client_id)
        return result

    def _inverse_product_pricelist(self):
        """product's inverse, with its search for the default pricelist of the
        partner's country made once per country instead of once per partner
        (an import writes the company's pricelist on a thousand new contacts
        at once): the same search, the same values written."""
        default_for = {}
        for partner in self:
            code = partner.country_id.code or False
            if code not in default_for:
                default_for[code] = self.env["product.pricelist"].search(
                    [("country_group_ids.country_ids.code", "=", code)], limit=1
                )
            default_for_country = default_for[code]
            actual = partner.specific_property_product_pricelist
            if partner.property_product_pricelist or (
                actual and default_for_country and default_for_country.id != actual.id
            ):
                partner.specific_property_product_pricelist = (
                    False
                    if partner.property_product_pricelist.id == default_for_country.id
                    else partner.property_product_pricelist.id
                )

    def _crm_channel_leads(self):
        """Every lead (archived too) of these partners and their contacts."""
        Lead = self.env["crm.lead"].sudo().with_context(active_test=False)
        return Lead.search([("partner_id", "child_of", self.ids)])

    @api.model
    @tools.ormcache("company_id")
    def _crm_company_region(self, company_id):
        """Country code national phone numbers are read in for a company
        (cached: it is read on every incoming call)."""
        # sudo: a country code, readable by anybody who can call
        return self.env["res.company"].sudo().browse(company_id).partner_id.country_id.code or False

    @api.model
    @tools.ormcache()
    def _crm_client_regions(self):
        """Country codes of the clients, most frequent first (at most five):
        where a national number with no country is read after the company's
        own country (cached: read for every phone typed and every call).

        On a large directory the ranking is PostgreSQL's own statistics of
        the column (its most common values, kept by ANALYZE and autovacuum):
        counting a million partners per country took 211 ms, paid by every
        worker after every registry cache clear, for an order that changes
        slowly. A small directory (or one never analysed) is counted."""
        self.env.cr.execute(
            SQL(
                """SELECT c.reltuples, s.most_common_vals::text
                     FROM pg_class c
                LEFT JOIN pg_stats s ON s.schemaname = current_schema()
                                    AND s.tablename = c.relname AND s.attname = 'country_id'
                    WHERE c.oid = to_regclass(%s)""",
                self._table,
            )
        )
        size, common = self.env.cr.fetchone() or (0, None)
        if size > CLIENT_REGIONS_COUNT_LIMIT and common:
            ids = [int(value) for value in common.strip("{}").split(",") if value][:5]
            code_of = {country.id: country.code for country in self.env["res.country"].browse(ids)}
            return tuple(code_of[country_id] for country_id in ids if code_of.get(country_id))
        # sudo: a count of partners per country, no partner is read
        rows = self.sudo()._read_group(
            [("country_id", "!=", False)], ["country_id"], ["__count"], order="__count DESC", limit=5
        )
        return tuple(country.code for country, _count in rows if country.code)

    @api.model
    def _crm_lookup_regions(self):
        """Where an incoming national number is read: the current company's
        country, then the clients' countries (most frequent first)."""
        return tuple(
            dict.fromkeys(
                region
                for region in (self._crm_company_region(self.env.company.id), *self._crm_client_regions())
                if region
            )
        )

    def action_view_relations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_extended.res_partner_relation_all_action")
        action["domain"] = [("this_partner_id", "=", self.id)]
        action["context"] = {"default_this_partner_id": self.id}
        return action

    # helpers

    @api.model
    def _crm_tax_key(self, vat, country_code=None):
        key = re.sub(r"\W", "", vat or "").upper()
        if country_code and key.startswith(country_code.upper()) and not key[:2].isdigit():
            key = key[2:]
        return key or False

    def _crm_contact_for_role(self, role_code):
        """The first active contact of this company holding the role ``role_code``."""
        self.ensure_one()
        return self.child_ids.filtered(lambda c: c.active and role_code in c.contact_role_ids.mapped("code"))[
            :1
        ]

    def _get_crm_duplicate_domain(self, tax_keys=(), phone_keys=(), emails=()):
        """Domain of partners sharing one of the strong keys given (tax keys,
        E.164 phone keys, normalised e-mails); extension hook."""
        tax_keys = [key for key in tax_keys if key]
        phone_keys = [key for key in phone_keys if key]
        emails = [email for email in emails if email]
        branches = []
        if tax_keys:
            # contacts inherit their company's tax id: compare legal entities only
            branches.append([("tax_key", "in", tax_keys), ("parent_id", "=", False)])
        if phone_keys:
            branches.append([("phone_e164", "in", phone_keys)])
            branches.append([("mobile_e164", "in", phone_keys)])
        if emails:
            branches.append([("email_normalized", "in", emails)])
        if not branches:
            return None
        return expression.OR(branches)

    def _crm_find_duplicates(self, tax_key=None, phone_keys=None, email=None):
        """Partners that share this partner's (or the given) tax id, phone or e-mail.

        Contacts of this partner's own company are not duplicates of it.
        """
        if self:
            self.ensure_one()
            tax_key = self.tax_key
            phone_keys = [self.phone_e164, self.mobile_e164]
            email = self.email
        domain = self._get_crm_duplicate_domain([tax_key], phone_keys or (), [email_normalize(email)])
        if domain is None:
            return self.browse()
        commercial_id = self.commercial_partner_id._origin.id
        if commercial_id:
            domain = ["&", ("commercial_partner_id", "!=", commercial_id)] + domain
        if self.env.su:
            domain = expression.AND(
                [domain, self._crm_company_visible_domain(self.company_id or self.env.company)]
            )
        return self.search(domain, limit=10)

    def _crm_find_duplicates_batch(self):
        """{partner: matching partners} for every partner of self with a match,
        from one search whatever the number of partners (imports, RPC batches).
        Contacts are not compared on the tax id they carry from their company."""
        keys = {partner: partner._crm_duplicate_keys(legal_entity_tax=True) for partner in self}
        domain = self._get_crm_duplicate_domain(
            {tax for tax, _phones, _email in keys.values()},
            {phone for _tax, phones, _email in keys.values() for phone in phones},
            {email for _tax, _phones, email in keys.values()},
        )
        if domain is None:
            return {}
        if self.env.su:
            visible = {partner: partner.company_id or self.env.company for partner in self}
            domain = expression.AND(
                [domain, self._crm_company_visible_domain(self.env["res.company"].union(*visible.values()))]
            )
        # at most 10 matches are named per partner: a key shared by thousands
        # (a switchboard, info@...) must not read them all
        candidates = self.search(domain, limit=10 * len(self) + 100)
        candidate_keys = {
            candidate: candidate._crm_duplicate_keys(legal_entity_tax=True) for candidate in candidates
        }
        result = {}
        for partner, partner_keys in keys.items():
            matches = candidates.filtered(
                lambda c, p=partner, k=partner_keys: c.commercial_partner_id != p.commercial_partner_id
                and duplicates.shared_keys(k, candidate_keys[c])
                and (not self.env.su or c._crm_visible_to_company(visible[p]))
            )[:10]
            if matches:
                result[partner] = matches
        return result

    @api.model
    def _crm_company_visible_domain(self, companies):
        """Partners that users of ``companies`` may read, as Odoo's
        multi-company rule on partners says (base.res_partner_rule): for the
        duplicate guard in sudo (signup, web forms), which must not name a
        partner of another company."""
        return [
            "|",
            "|",
            ("partner_share", "=", False),
            ("company_id", "parent_of", companies.ids),
            ("company_id", "=", False),
        ]

    def _crm_visible_to_company(self, company):
        """Whether a user of ``company`` may read this partner, as
        :meth:`_crm_company_visible_domain` says."""
        self.ensure_one()
        return not self.partner_share or not self.company_id or self.company_id in company.parent_ids

    def _crm_duplicate_keys(self, legal_entity_tax=False):
        """This partner's strong keys (services/duplicates.py); with
        ``legal_entity_tax``, no tax key for a contact, whose tax id is its
        company's."""
        tax_key = False if legal_entity_tax and self.parent_id else self.tax_key
        return duplicates.client_keys(tax_key, (self.phone_e164, self.mobile_e164), self.email_normalized)

    def _crm_note_duplicates(self, found):
        """Leave in the chatter of each partner of ``found`` ({partner:
        matches}) a note naming its possible duplicates. A log line, not a
        message: it is never sent, and never needs the user's e-mail address
        (a user without one must still be able to save)."""
        if found:
            self.browse([partner.id for partner in found])._message_log_batch(
                {
                    partner.id: plaintext2html(partner._crm_duplicate_message(matches))
                    for partner, matches in found.items()
                }
            )

    def _crm_duplicate_message(self, matches):
        return self.env._(
            "Possible duplicate of: %(matches)s",
            matches=self._crm_describe_matches(self._crm_duplicate_keys(), matches),
        )

    @api.model
    def _crm_describe_matches(self, keys, matches):
        """The partners ``matches`` of a client whose strong keys are ``keys``,
        each with what it shares, as in "Name (same phone, e-mail); ..."."""
        labels = {
            duplicates.TAX: self.env._("tax id"),
            duplicates.PHONE: self.env._("phone"),
            duplicates.EMAIL: self.env._("e-mail"),
        }
        return "; ".join(
            self.env._(
                "%(partner)s (same %(reasons)s)",
                partner=match.display_name,
                reasons=", ".join(
                    labels[kind] for kind in duplicates.shared_keys(keys, match._crm_duplicate_keys())
                ),
            )
            for match in matches
        )

    @api.model
    def crm_lookup_phone(self, number):
        """Who is calling: contacts, companies and open leads whose phone or
        mobile is ``number``, written in any human or PBX format.

        Returns a dict with the E.164 ``keys`` tried, the matching ``partners``
        (contacts and companies), their ``companies`` and the open ``leads``,
        from one indexed statement in which the user's record rules apply
        (compiled once per user, see ``ir.rule._crm_rule_condition``).
        """
        Lead = self.env["crm.lead"]
        regions, template = self._crm_lookup_phone_setup()
        readings = phone_service.readings(number, regions)
        keys = [key for key, _region in readings]
        result = {"number": number, "keys": keys, "readings": readings, "partners": self.browse()}
        result.update(companies=self.browse(), leads=Lead.browse())
        if not keys:
            return result
        # the keys of records written in this transaction must be in SQL
        self.env.flush_all()
        if template is None:
            self.env.cr.execute(self._crm_lookup_phone_sql(keys))
        else:
            self.env.cr.execute(*fill(template, {_KEYS: keys}))
        ids = defaultdict(list)
        for kind, record_id, company_id in self.env.cr.fetchall():
            ids[kind].append(record_id)
            if company_id and company_id not in ids["c"]:
                ids["c"].append(company_id)
        return dict(
            result,
            partners=self.browse(ids["p"]),
            companies=self.browse(ids["c"]),
            leads=Lead.browse(ids["l"]),
        )

    @api.model
    @api.readonly
    def crm_identify_caller(self, number):
        """:meth:`crm_lookup_phone` for RPC clients (a PBX, a softphone): the
        same answer as plain values, names included, under the caller's
        access rights."""
        found = self.crm_lookup_phone(number)
        region_of = dict(found["readings"])

        def matched(record):
            """The reading of ``number`` that found ``record``: its key and the country it was read in."""
            key = record.phone_e164 if record.phone_e164 in region_of else record.mobile_e164
            return {"key": key, "country": region_of.get(key) or False}

        # each model's fields in one fetch: the names are stored (partners'
        # complete_name), not display names computed record by record.
        # sudo: these records were found under the user's record rules (the
        # lookup's statement); reading their names again under those rules
        # would compile them once per model (3 ms of a 4 ms answer)
        partners, companies, leads = (found[key].sudo() for key in ("partners", "companies", "leads"))
        partners.fetch(
            ["complete_name", "commercial_partner_id", "contact_role_ids", "phone_e164", "mobile_e164"]
        )
        companies.fetch(["complete_name"])
        leads.fetch(["name", "type", "stage_id", "user_id", "phone_e164", "mobile_e164"])
        partners.contact_role_ids.fetch(["name"])
        leads.stage_id.fetch(["name"])
        leads.user_id.partner_id.fetch(["name"])
        return {
            "number": number,
            "keys": found["keys"],
            "readings": [{"key": key, "country": region or False} for key, region in found["readings"]],
            "partners": [
                {
                    "id": partner.id,
                    "name": partner.complete_name,
                    "company_id": partner.commercial_partner_id.id,
                    "roles": partner.contact_role_ids.mapped("name"),
                    "matched": matched(partner),
                }
                for partner in partners
            ],
            "companies": [{"id": company.id, "name": company.complete_name} for company in companies],
            "leads": [
                {
                    "id": lead.id,
                    "name": lead.name,
                    "type": lead.type,
                    "stage": lead.stage_id.name or False,
                    "user": lead.user_id.partner_id.name or False,
                    "matched": matched(lead),
                }
                for lead in leads
            ],
        }

    @api.model
    @tools.ormcache(
        "self.env.uid",
        "self.env.su",
        "self.env.lang",
        "self.env.context.get('active_test', True)",
        "tuple(self.env['ir.rule']._compute_domain_context_values())",
    )
    def _crm_lookup_phone_setup(self):
        """What a lookup needs of the current user, once per user and company
        selection (kept in the registry cache, cleared with the rules and
        access rights): the regions national numbers are read in, and
        :meth:`_crm_lookup_phone_sql` with a marker where the keys go (None
        when the user's rules must be compiled on each call). Raises
        AccessError when the user may not read partners or leads."""
        self.browse().check_access("read")
        self.env["crm.lead"].browse().check_access("read")
        regions = self._crm_lookup_regions()
        Rule = self.env["ir.rule"]
        if not all(Rule._crm_rule_condition_is_stable(model, alias) for alias, model in phone_lookup.ALIASES):
            return regions, None
        return regions, self._crm_lookup_phone_sql(_KEYS)

    @api.model
    def _crm_lookup_phone_sql(self, keys):
        """The statement of :meth:`crm_lookup_phone` (services/phone_lookup.py)
        with the user's record rules and the active test in it."""
        Rule = self.env["ir.rule"]
        active_test = self.env.context.get("active_test", True)
        conditions = {}
        for alias, model_name in phone_lookup.ALIASES:
            parts = [Rule._crm_rule_condition(model_name, alias)]
            if active_test:
                parts.append(SQL("%s", SQL.identifier(alias, "active")))
            conditions[alias] = SQL(" AND ").join(part for part in parts if part) or SQL("TRUE")
        return phone_lookup.statement(self._table, self.env["crm.lead"]._table, keys, conditions)
