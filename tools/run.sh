#!/usr/bin/env bash
# Prepare everything, create (once) the demo database with crm_extended and
# its demo data, bring it up to date with the code, and start Odoo on
# http://localhost:8069 (login admin / admin).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_DIR"

bash tools/prepare.sh
TMPL="$(bash tools/template.sh)"
log="$LOG_DIR/$DEMO_DB.log"
# The demo database is disposable: it is made again when the demo data changed.
stamp_file="$CACHE_DIR/$DEMO_DB.demo-stamp"
stamp="$TMPL $(cat crm_extended/demo/*.xml | sha1sum | cut -c1-16)"
if db_exists "$DEMO_DB" && [ "$(cat "$stamp_file" 2>/dev/null)" != "$stamp" ]; then
    say "The demo data changed: making $DEMO_DB again"
    drop_db "$DEMO_DB"
fi
if db_exists "$DEMO_DB" && [ "$(psql -d "$DEMO_DB" -tAc "SELECT state FROM ir_module_module WHERE name = 'crm_extended'")" = "installed" ]; then
    say "Updating crm_extended in $DEMO_DB"
    odoo -d "$DEMO_DB" -u crm_extended --stop-after-init --no-http --log-level=warn >"$log" 2>&1 \
        || { tail -n 30 "$log" >&2; die "Updating crm_extended in $DEMO_DB failed; full log: $log"; }
else
    say "Creating the demo database $DEMO_DB (crm_extended with demo data, Russian loaded)"
    drop_db "$DEMO_DB"
    copy_db "$TMPL" "$DEMO_DB"
    if ! odoo -d "$DEMO_DB" -i crm_extended --load-language=ru_RU --stop-after-init --no-http \
        --log-level=warn >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        drop_db "$DEMO_DB"
        die "Installing crm_extended in $DEMO_DB failed; full log: $log"
    fi
    # --load-language runs before Odoo loads the installed modules' models, so
    # it translates only base's records (menus, views): load Russian again with
    # every model known, for the other modules' records (CRM stages, units of
    # measure, activity types...). Existing translations are kept.
    say "Loading Russian for the records of every installed module"
    if ! echo 'env["ir.module.module"].search([("state", "=", "installed")])._update_translations(["ru_RU"]); env.cr.commit()' \
        | odoo_shell -d "$DEMO_DB" --no-http --log-level=warn >>"$log" 2>&1; then
        tail -n 30 "$log" >&2
        drop_db "$DEMO_DB"
        die "Loading Russian into $DEMO_DB failed; full log: $log"
    fi
    echo "$stamp" > "$stamp_file"
fi
port="${CRM_EXTENDED_HTTP_PORT:-8069}"
say "Odoo is starting on http://localhost:$port (login admin / admin); Ctrl-C stops it"
exec "$PY" "$ODOO_BIN" -c "$CONF_FILE" -d "$DEMO_DB" --db-filter="^$DEMO_DB\$" --http-port="$port"
