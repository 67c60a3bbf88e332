# Run inside `odoo shell`: uninstall crm_extended and check that Odoo's own
# data is untouched (every partner, lead, order, delivery and invoice that the
# add-on did not create itself is still there) and that the add-on's tables
# and columns are gone. Prints "UNINSTALL OK ..." or "UNINSTALL FAILED: ...".
# ruff: noqa: F821  (env is provided by odoo shell)

MODELS = ("res.partner", "crm.lead", "sale.order", "stock.picking", "account.move")
own = env["ir.model.data"].search([("module", "=", "crm_extended"), ("model", "in", MODELS)])
own_ids = {(d.model, d.res_id) for d in own}
kept_before = {
    model: {
        rid
        for rid in env[model].with_context(active_test=False).search([]).ids
        if (model, rid) not in own_ids
    }
    for model in MODELS
}
module = env["ir.module.module"].search([("name", "=", "crm_extended")])
module.button_immediate_uninstall()
env.invalidate_all()
env.cr.execute("SELECT to_regclass('crm_client_group'), to_regclass('res_partner_relation')")
leftover_tables = [name for name in env.cr.fetchone() if name]
env.cr.execute(
    "SELECT column_name FROM information_schema.columns"
    " WHERE table_name = 'res_partner' AND column_name IN ('phone_e164', 'client_group_id', 'kpp')"
)
leftover_columns = [row[0] for row in env.cr.fetchall()]
env.cr.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%crm_extended%'")
leftover_indexes = [row[0] for row in env.cr.fetchall()]
problems = []
if module.state != "uninstalled":
    problems.append(f"module state is {module.state}")
for model, ids in kept_before.items():
    missing = ids - set(env[model].with_context(active_test=False).browse(list(ids)).exists().ids)
    if missing:
        problems.append(f"{model}: {len(missing)} of {len(ids)} records gone")
if leftover_tables:
    problems.append(f"tables left: {leftover_tables}")
if leftover_columns:
    problems.append(f"res_partner columns left: {leftover_columns}")
if leftover_indexes:
    problems.append(f"indexes left: {leftover_indexes}")
if not all(kept_before.values()) and not problems:
    problems.append("nothing to check: a model had no record before uninstalling")
if problems:
    print("UNINSTALL FAILED: " + "; ".join(problems))
else:
    print("UNINSTALL OK " + ", ".join(f"{m}={len(ids)}" for m, ids in kept_before.items()))
env.cr.commit()
