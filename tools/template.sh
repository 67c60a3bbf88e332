#!/usr/bin/env bash
# Ensure the template database: a fresh Odoo database with BASE_MODULES
# (common.sh) installed (with demo data, as Odoo's own test runs have). Every
# `make test` copies it instead of installing the dependencies again.
# Prints the template's name on stdout.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

TMPL="$(template_db_name)"
wanted="'${BASE_MODULES//,/\',\'}'"
count=$(tr ',' '\n' <<<"$BASE_MODULES" | wc -l)
if db_exists "$TMPL" && [ "$(psql -d "$TMPL" -tAc "SELECT count(*) FROM ir_module_module WHERE name IN ($wanted) AND state = 'installed'")" = "$count" ]; then
    echo "$TMPL"
    exit 0
fi

say "Creating the template database $TMPL ($BASE_MODULES, about a minute, once)"
drop_db "$TMPL"
log="$LOG_DIR/$TMPL.log"
start=$(date +%s%N)
if ! odoo -d "$TMPL" -i "$BASE_MODULES" --stop-after-init --no-http --log-level=warn >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    drop_db "$TMPL"
    die "Installing $BASE_MODULES into $TMPL failed; full log: $log"
fi
end=$(date +%s%N)
echo "$(( (end - start) / 1000000 ))" > "$LOG_DIR/$TMPL.install_ms"
echo "$TMPL"
