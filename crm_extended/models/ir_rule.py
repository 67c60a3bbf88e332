from odoo import api, models, tools
from odoo.osv import expression
from odoo.tools import SQL, Query

# Hierarchy operators expand to ids when the domain is compiled; only the
# company tree is fixed (Odoo refuses to change a company's parent, and
# creating a company clears the registry caches), so only there may the
# compiled condition be kept.
_HIERARCHY_OPERATORS = ("child_of", "parent_of")
_STABLE_HIERARCHIES = ("res.company",)
# Marks a condition that must be compiled on every call.
_UNCACHEABLE = "uncacheable"


class IrRule(models.Model):
    _inherit = "ir.rule"

    @api.model
    def _crm_rule_condition(self, model_name, alias, mode="read"):
        """The SQL condition the current user's ``mode`` rules put on the rows
        of ``model_name`` aliased ``alias`` (None when no rule applies).

        For the statements that run on every incoming call or delivery
        question: compiling the rules' domain to SQL costs more than running
        the statement. The compiled condition is kept in the registry cache
        under the same key as :meth:`_compute_domain` (user, superuser mode,
        company selection; plus the language of translated columns) and is
        cleared with it (a rule, a user's groups or companies change). A
        domain whose compilation reads data that may change (hierarchy
        operators outside the company tree, searches on non-stored fields,
        joins) is compiled anew on each call.
        """
        if self.env.su:
            return None
        condition = self._crm_rule_condition_cached(model_name, alias, mode)
        if condition == _UNCACHEABLE:
            condition = self._crm_compile_rule_condition(model_name, alias, mode)
        return condition

    @api.model
    def _crm_rule_condition_is_stable(self, model_name, alias, mode="read"):
        """Whether :meth:`_crm_rule_condition` gives the same SQL on every call
        until the registry cache is cleared (what a prepared statement needs)."""
        return self.env.su or self._crm_rule_condition_cached(model_name, alias, mode) != _UNCACHEABLE

    @tools.ormcache(
        "self.env.uid",
        "self.env.su",
        "self.env.lang",
        "model_name",
        "alias",
        "mode",
        "tuple(self._compute_domain_context_values())",
    )
    def _crm_rule_condition_cached(self, model_name, alias, mode):
        domain = self._compute_domain(model_name, mode)
        if not self._crm_domain_is_stable(self.env[model_name], domain):
            return _UNCACHEABLE
        return self._crm_compile_rule_condition(model_name, alias, mode)

    @api.model
    def _crm_compile_rule_condition(self, model_name, alias, mode):
        domain = self._compute_domain(model_name, mode)
        if not domain:
            return None
        model = self.env[model_name]
        query = Query(self.env, alias, SQL.identifier(model._table))
        # sudo: as _apply_ir_rules does, the rules' own conditions are not
        # filtered by the rules of the models they reach
        expression.expression(domain, model.sudo(), alias, query)
        if query._joins or len(query._tables) > 1:
            # a join cannot be written as one condition: the ORM's own search
            return SQL(
                "%s IN %s",
                SQL.identifier(alias, "id"),
                model.with_context(active_test=False)._search([]).subselect(),
            )
        return SQL("(%s)", query.where_clause)

    @api.model
    def _crm_domain_is_stable(self, model, domain):
        """Whether compiling ``domain`` on ``model`` reads nothing but its
        leaves' values: stored fields only, hierarchies only in the company
        tree."""
        for leaf in domain:
            if not expression.is_leaf(leaf) or tuple(leaf) in (expression.TRUE_LEAF, expression.FALSE_LEAF):
                continue
            path, operator, value = leaf
            target = model
            for name in str(path).split("."):
                field = target._fields.get(name)
                if field is None or not (field.store or name == "id") or field.inherited:
                    return False
                if field.relational:
                    target = target.env[field.comodel_name]
            if operator in _HIERARCHY_OPERATORS and target._name not in _STABLE_HIERARCHIES:
                return False
            if operator in ("any", "not any") and not self._crm_domain_is_stable(target, value):
                return False
        return True
