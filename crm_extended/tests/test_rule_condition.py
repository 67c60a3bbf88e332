from odoo.exceptions import AccessError
from odoo.tests import tagged
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
