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
_UNCACHEABLE = object()


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
        company selection; plus the language of translated columns, and the
        active test, which decides whether archived rows count inside the
        sub-queries a rule compiles to) and is
        cleared with it (a rule, a user's groups or companies change). A
        domain whose compilation reads data that may change (hierarchy
        operators outside the company tree, searches on non-stored fields)
        is compiled anew on each call.
        """
        if self.env.su:
            return None
        condition = self._crm_rule_condition_cached(model_name, alias, mode)
        if condition is _UNCACHEABLE:
            condition = self._crm_compile_rule_condition(model_name, alias, mode)
        return condition

    @tools.ormcache(
        "self.env.uid",
        "self.env.su",
        "self.env.lang",
        "self.env.context.get('active_test', True)",
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
        domain = self._crm_expand_company_hierarchy(model, domain)
        query = Query(self.env, alias, SQL.identifier(model._table))
        # sudo: as _apply_ir_rules does, the rules' own conditions are not
        # filtered by the rules of the models they reach
        expression.expression(domain, model.sudo(), alias, query)
        if query._joins or len(query._tables) > 1:
            # a join cannot be written as one condition: Odoo's own rule
            # application, in a sub-select (its sub-queries under the
            # caller's active test, as search() has them)
            rule_query = model._where_calc([], active_test=False)
            model._apply_ir_rules(rule_query, mode)
            return SQL("%s IN %s", SQL.identifier(alias, "id"), rule_query.subselect())
        return SQL("(%s)", query.where_clause)

    @api.model
    def _crm_rule_condition_is_stable(self, model_name, alias, mode="read"):
        """Whether :meth:`_crm_rule_condition` gives the same SQL on every call
        until the registry cache is cleared (so that a statement built on it
        may be kept too)."""
        return self.env.su or self._crm_rule_condition_cached(model_name, alias, mode) is not _UNCACHEABLE

    @api.model
    def _crm_expand_company_hierarchy(self, model, domain):
        """``domain`` with its hierarchy leaves on the company tree (the
        multi-company rules' ``company_id parent_of company_ids``) replaced by
        the ids they stand for: ``company_id in [...]`` is planned faster than
        the sub-select Odoo writes for them, and the tree cannot change."""
        result = []
        for leaf in domain:
            if expression.is_leaf(leaf) and tuple(leaf) not in (expression.TRUE_LEAF, expression.FALSE_LEAF):
                path, operator, value = leaf
                target = self._crm_path_target(model, path)
                if operator in _HIERARCHY_OPERATORS and target is not None and target._name == "res.company":
                    ids = [value] if isinstance(value, int) else [i for i in value or [] if i]
                    # sudo: the company tree, as Odoo's own parent_of/child_of reads it
                    companies = self.env["res.company"].sudo().with_context(active_test=False)
                    if operator == "parent_of":
                        related = {
                            int(part)
                            for company in companies.browse(ids)
                            for part in company.parent_path.split("/")[:-1]
                        }
                    else:
                        related = set(companies.search([("id", "child_of", ids)]).ids)
                    leaf = (path, "in", sorted(related))
                elif operator in ("any", "not any") and target is not None:
                    leaf = (path, operator, self._crm_expand_company_hierarchy(target, value))
            result.append(leaf)
        return result

    @api.model
    def _crm_path_target(self, model, path):
        """The model a domain path ends on (its last relational field's comodel,
        or ``model`` itself), None when a step is not a field."""
        target = model
        for name in str(path).split("."):
            field = target._fields.get(name)
            if field is None:
                return None
            if field.relational:
                target = target.env[field.comodel_name]
        return target

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
