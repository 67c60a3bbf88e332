import contextlib

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from ..services.sql_markers import Marker, fill
from .common import CrmExtendedCase, captured_queries


@tagged("post_install", "-at_install")
class TestRuleCondition(CrmExtendedCase):
    """ir.rule._crm_rule_condition: the user's record rules compiled to SQL
    once, for the caller lookup and the delivery desk."""

    def _ids_under_condition(self, user, model_name):
        Rule = self.env["ir.rule"].with_user(user)
        condition = Rule._crm_rule_condition(model_name, "rec")
        table = self.env[model_name]._table
        self.env.flush_all()
        self.env.cr.execute(SQL("SELECT rec.id FROM %s rec WHERE %s", SQL.identifier(table), condition))
        return {row[0] for row in self.env.cr.fetchall()}

    def _salesman_rule(self, domain):
        return self.env["ir.rule"].create(
            {
                "name": "Test: salespeople see only some partners",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "groups": [(6, 0, self.env.ref("sales_team.group_sale_salesman").ids)],
                "domain_force": domain,
                "perm_read": True,
            }
        )

    def test_condition_selects_what_search_finds(self):
        """The compiled condition selects exactly the records the ORM's search lets the user read."""
        self.env["crm.lead"].create(
            [
                {"name": "Mine", "user_id": self.user_salesman.id},
                {"name": "Theirs", "user_id": self.user_salesman_other.id},
                {"name": "Nobody's", "user_id": False},
            ]
        )
        for model_name in ("crm.lead", "res.partner", "stock.picking"):
            expected = set(
                self.env[model_name]
                .with_user(self.user_salesman)
                .with_context(active_test=False)
                .search([])
                .ids
            )
            self.assertEqual(self._ids_under_condition(self.user_salesman, model_name), expected, model_name)

    def test_superuser_has_no_condition(self):
        """In superuser mode no rule applies: no condition."""
        self.assertIsNone(self.env["ir.rule"].sudo()._crm_rule_condition("crm.lead", "rec"))

    def test_new_rule_applies_at_once(self):
        """A rule created after the condition was compiled and cached restricts the very next lookup."""
        Partner = self.env["res.partner"].with_user(self.user_salesman)
        self.assertEqual(Partner.crm_lookup_phone("8 913 700-45-67")["partners"], self.contact_buyer)
        rule = self._salesman_rule(f"[('id', '!=', {self.contact_buyer.id})]")
        self.assertFalse(Partner.crm_lookup_phone("8 913 700-45-67")["partners"])
        rule.active = False
        self.assertEqual(Partner.crm_lookup_phone("8 913 700-45-67")["partners"], self.contact_buyer)

    def test_stable_domains(self):
        """Only domains whose compilation reads nothing that may change are kept compiled."""
        Rule = self.env["ir.rule"]
        Partner = self.env["res.partner"]
        self.assertTrue(Rule._crm_domain_is_stable(Partner, [("company_id", "parent_of", [1])]))
        self.assertTrue(
            Rule._crm_domain_is_stable(Partner, ["|", ("user_id", "=", 2), ("company_id", "=", False)])
        )
        self.assertFalse(Rule._crm_domain_is_stable(Partner, [("id", "child_of", [self.entity_a.id])]))
        self.assertFalse(Rule._crm_domain_is_stable(Partner, [("phone_mobile_search", "=", "+7913")]))
        self.assertFalse(
            Rule._crm_domain_is_stable(
                self.env["crm.lead"], [("partner_id", "any", [("id", "child_of", [self.entity_a.id])])]
            )
        )

    def test_hierarchy_rule_sees_new_contacts(self):
        """A rule on a partner hierarchy is compiled anew: a contact added after a first
        lookup is found by the next one, a contact outside the hierarchy is not."""
        self._salesman_rule(f"['|', ('id', 'child_of', [{self.entity_a.id}]), ('partner_share', '=', False)]")
        Partner = self.env["res.partner"].with_user(self.user_salesman)
        self.assertEqual(Partner.crm_lookup_phone("8 913 700-45-67")["partners"], self.contact_buyer)
        newcomer = self.env["res.partner"].create(
            {"name": "Nina Newcomer", "parent_id": self.entity_a.id, "mobile": "+7 913 555 10 20"}
        )
        self.env["res.partner"].create({"name": "Outsider", "mobile": "+7 913 555 10 21"})
        self.assertEqual(Partner.crm_lookup_phone("89135551020")["partners"], newcomer)
        self.assertFalse(Partner.crm_lookup_phone("89135551021")["partners"])

    def test_salesman_lookup_is_one_query_once_compiled(self):
        """Once the user's rules are compiled, a lookup on an empty cache runs one query in all."""
        Partner = self.env["res.partner"].with_user(self.user_salesman)
        Partner.crm_lookup_phone("8 913 700-45-67")
        self.env.invalidate_all()
        with captured_queries() as queries:
            result = Partner.crm_lookup_phone("8 913 700-45-67")
        self.assertEqual(len(queries), 1, queries)
        self.assertEqual(result["partners"], self.contact_buyer)
        self.assertEqual(result["companies"], self.entity_a)

    def test_company_hierarchy_expanded_to_ids(self):
        """Hierarchy leaves on the company tree become plain id lists; others are left to Odoo."""
        branch = self.env["res.company"].create({"name": "Rule Branch", "parent_id": self.company.id})
        Rule = self.env["ir.rule"]
        Partner = self.env["res.partner"]
        self.assertEqual(
            Rule._crm_expand_company_hierarchy(Partner, [("company_id", "parent_of", [branch.id])]),
            [("company_id", "in", sorted([self.company.id, branch.id]))],
        )
        self.assertEqual(
            Rule._crm_expand_company_hierarchy(
                Partner, ["|", ("company_id", "child_of", self.company.id), ("id", "=", 1)]
            ),
            ["|", ("company_id", "in", sorted([self.company.id, branch.id])), ("id", "=", 1)],
        )
        partner_tree = [("parent_id", "child_of", [self.entity_a.id])]
        self.assertEqual(Rule._crm_expand_company_hierarchy(Partner, partner_tree), partner_tree)

    def test_lookup_refused_without_lead_access(self):
        """A user who may not read leads (warehouse) gets an AccessError from the lookup, every time."""
        Partner = self.env["res.partner"].with_user(self.user_stock)
        for _attempt in range(2):
            with self.assertRaises(AccessError):
                Partner.crm_lookup_phone("8 913 700-45-67")

    def test_markers_filled_per_call(self):
        """A kept statement's markers take each call's values; its other parameters stay."""
        keys = Marker("keys")
        statement = SQL("SELECT id FROM res_partner WHERE phone_e164 = ANY(%s) AND company_id = %s", keys, 7)
        code, params = fill(statement, {keys: ["+79137004567"]})
        self.assertEqual(code, statement.code)
        self.assertEqual(params, [["+79137004567"], 7])


@tagged("post_install", "-at_install")
class TestRuleConditionMatchesSearch(CrmExtendedCase):
    """Proof that ir.rule._crm_rule_condition selects what Odoo's search()
    lets the user read: every read rule the installed modules ship on the
    models the lookups read, and rules written to stress the compiler (any,
    child_of, user.partner_id, company_ids, translated and non-stored related
    fields), under every context that changes a rule's meaning."""

    MODELS = ("res.partner", "crm.lead", "stock.picking")
    # (model, domain) of rules no module ships but a customer may write
    WRITTEN_RULES = (
        ("res.partner", "[('user_ids', 'any', [('share', '=', False)])]"),
        ("res.partner", "[('country_code', '=', 'RU')]"),
        ("res.partner", "['|', ('id', 'child_of', user.partner_id.id), ('parent_id', '!=', False)]"),
        ("res.partner", "[('commercial_partner_id.user_ids', '!=', False)]"),
        ("crm.lead", "[('partner_id', 'any', [('active', '=', True), ('country_id.code', '=', 'RU')])]"),
        ("crm.lead", "['|', ('user_id.partner_id', '=', user.partner_id.id), ('user_id', '=', False)]"),
        ("crm.lead", "[('company_id', 'in', company_ids)]"),
        ("crm.lead", "[('stage_id.name', 'ilike', 'new')]"),
        ("crm.lead", "[('lang_code', '=', False)]"),
        ("stock.picking", "[('partner_id', 'child_of', %(entity)s)]"),
        ("stock.picking", "[('sale_id.user_id', 'in', [user.id, False])]"),
    )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("ru_RU")
        cls.stage_new = cls.env["crm.stage"].create({"name": "New (rule test)", "sequence": 0})
        cls.stage_new.with_context(lang="ru_RU").name = "Новая (проверка)"
        cls.company_2 = cls.env["res.company"].create({"name": "Rule Test Co 2"})
        cls.user = cls.user_salesman
        cls.user.write({"company_ids": [Command.link(cls.company_2.id)]})
        archived_user = new_test_user(cls.env, login="ce_rule_archived", groups="base.group_user")
        archived_user.active = False
        portal_partner = cls.user_portal.partner_id
        Partner = cls.env["res.partner"]
        archived_company = Partner.create(
            {"name": "Archived Co", "is_company": True, "country_id": cls.country_ru.id}
        )
        Partner.create({"name": "Contact of archived", "parent_id": archived_company.id})
        archived_company.active = False
        other_company_partner = Partner.create(
            {"name": "Co 2 client", "company_id": cls.company_2.id, "country_id": cls.country_de.id}
        )
        Lead = cls.env["crm.lead"]
        leads = Lead.create(
            [
                {
                    "name": "Own",
                    "user_id": cls.user.id,
                    "partner_id": cls.entity_a.id,
                    "stage_id": cls.stage_new.id,
                },
                {"name": "Theirs", "user_id": cls.user_salesman_other.id, "partner_id": cls.entity_b.id},
                {"name": "Nobody's", "user_id": False, "partner_id": archived_company.id},
                {"name": "Co 2", "company_id": cls.company_2.id, "partner_id": other_company_partner.id},
                {"name": "Archived user's", "user_id": archived_user.id, "partner_id": portal_partner.id},
                {"name": "Lang", "lang_id": cls.env["res.lang"]._lang_get("ru_RU").id},
            ]
        )
        leads[1].active = False
        warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        warehouse_2 = cls.env["stock.warehouse"].search([("company_id", "=", cls.company_2.id)], limit=1)
        for partner, picking_type, company in (
            (cls.contact_buyer, warehouse.out_type_id, cls.company),
            (archived_company, warehouse.out_type_id, cls.company),
            (other_company_partner, warehouse_2.out_type_id, cls.company_2),
        ):
            cls.env["stock.picking"].create(
                {"partner_id": partner.id, "picking_type_id": picking_type.id, "company_id": company.id}
            )

    def _contexts(self):
        """Contexts that change what a rule means: the active test (archived
        rows in its sub-queries), the companies selected, the language
        (translated columns); each asked twice, in both orders, so that a
        condition kept from an earlier call under another context shows."""
        contexts = [
            {"active_test": active_test, "allowed_company_ids": companies, "lang": lang}
            for active_test in (True, False)
            for companies in ([self.company.id], [self.company.id, self.company_2.id])
            for lang in ("en_US", "ru_RU")
        ]
        return contexts + contexts[::-1]

    def _assert_matches_search(self, model_name, label):
        Model = self.env[model_name].with_user(self.user)
        table = Model._table
        for context in self._contexts():
            scoped = Model.with_context(**context)
            condition = scoped.env["ir.rule"]._crm_rule_condition(model_name, "rec")
            active = context["active_test"] and scoped._active_name
            self.env.flush_all()
            self.env.cr.execute(
                SQL(
                    "SELECT rec.id FROM %s rec WHERE %s AND %s",
                    SQL.identifier(table),
                    condition or SQL("TRUE"),
                    SQL.identifier("rec", active) if active else SQL("TRUE"),
                )
            )
            compiled = {row[0] for row in self.env.cr.fetchall()}
            self.assertEqual(compiled, set(scoped.search([]).ids), f"{label} under {context}")

    @contextlib.contextmanager
    def _rules_restored(self):
        """Undo the rule changes made inside, and forget what was compiled from them."""
        try:
            with contextlib.closing(self.env.cr.savepoint()):
                yield
                self.env.flush_all()
        finally:
            self.env.invalidate_all(flush=False)
            self.env.registry.clear_cache()

    def _only(self, rule):
        """Make ``rule`` the only active read rule of its model, for every user."""
        others = self.env["ir.rule"].search(
            [("model_id", "=", rule.model_id.id), ("id", "!=", rule.id), ("perm_read", "=", True)]
        )
        others.active = False
        rule.write({"active": True, "groups": [Command.clear()]})

    def test_all_rules_together(self):
        """With every rule of the installed modules at once, as a salesperson, the compiled
        condition selects what search() finds, under every context."""
        for model_name in self.MODELS:
            self._assert_matches_search(model_name, model_name)

    def test_each_shipped_rule(self):
        """Each read rule shipped on res.partner, crm.lead and stock.picking, alone and
        applied to the user, compiles to what search() finds, under every context."""
        rules = self.env["ir.rule"].search(
            [("model_id.model", "in", self.MODELS), ("perm_read", "=", True)], order="id"
        )
        self.assertGreaterEqual(len(rules), 6, rules.mapped("name"))
        for rule in rules:
            with self.subTest(rule=rule.name), self._rules_restored():
                self._only(rule)
                self._assert_matches_search(rule.model_id.model, rule.name)

    def test_written_rules(self):
        """Rules with any, child_of, user.partner_id, company_ids, a translated field and a
        non-stored related field compile to what search() finds, under every context."""
        for model_name, domain in self.WRITTEN_RULES:
            with self.subTest(domain=domain), self._rules_restored():
                rule = self.env["ir.rule"].create(
                    {
                        "name": "written",
                        "model_id": self.env["ir.model"]._get_id(model_name),
                        "domain_force": domain % {"entity": self.entity_a.id} if "%(" in domain else domain,
                    }
                )
                self._only(rule)
                self._assert_matches_search(model_name, domain)
