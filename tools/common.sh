#!/usr/bin/env bash
# Shared settings for the project's scripts: where the per-user cache lives,
# which PostgreSQL server and role Odoo uses, and small helpers.
# Sourced, never executed.

set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="${CRM_EXTENDED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/crm_extended}"
VENV_DIR="$CACHE_DIR/venv"
ODOO_DIR="$CACHE_DIR/odoo-18.0"
DATA_DIR="$CACHE_DIR/data"
CONF_FILE="$CACHE_DIR/odoo.conf"
LOG_DIR="$CACHE_DIR/logs"
NODE_DIR="$CACHE_DIR/node"
PY="$VENV_DIR/bin/python"
ODOO_BIN="$ODOO_DIR/odoo-bin"

# PostgreSQL: libpq's own variables win; the defaults match a local cluster.
export PGHOST="${PGHOST:-127.0.0.1}"
export PGPORT="${PGPORT:-5432}"
# Odoo refuses to run as the role "postgres": use a dedicated one.
if [ -z "${PGUSER:-}" ] || [ "${PGUSER}" = "postgres" ]; then
    export PGUSER=crm_extended
fi
export PGDATABASE=postgres
export PGOPTIONS="${PGOPTIONS:---client-min-messages=warning}"

# Modules every database of this project starts from.
BASE_MODULES="crm,sale_crm,sale_stock,mass_mailing_crm,mass_mailing_sms,repair,purchase"
DEMO_DB="${CRM_EXTENDED_DEMO_DB:-crm_extended_demo}"
BENCH_DB="${CRM_EXTENDED_BENCH_DB:-crm_extended_bench}"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

odoo() {
    "$PY" "$ODOO_BIN" -c "$CONF_FILE" "$@"
}

odoo_shell() {
    "$PY" "$ODOO_BIN" shell -c "$CONF_FILE" "$@"
}

db_exists() {
    [ "$(psql -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'")" = "1" ]
}

# Hash of what a template database depends on: Odoo's code version and the
# module list. A new Odoo or a new dependency gives a new template.
template_db_name() {
    local key
    key="$(cat "$ODOO_DIR/.crm_extended_source_id" 2>/dev/null || echo none)|$BASE_MODULES"
    echo "crm_extended_tmpl_$(printf '%s' "$key" | sha1sum | cut -c1-10)"
}

# Copy a database and its filestore (attachments live on disk).
copy_db() {
    local src="$1" dst="$2"
    psql -qc "DROP DATABASE IF EXISTS \"$dst\"" >/dev/null
    createdb -T "$src" "$dst"
    rm -rf "$DATA_DIR/filestore/$dst"
    if [ -d "$DATA_DIR/filestore/$src" ]; then
        mkdir -p "$DATA_DIR/filestore"
        cp -a "$DATA_DIR/filestore/$src" "$DATA_DIR/filestore/$dst"
    fi
}

drop_db() {
    psql -qc "DROP DATABASE IF EXISTS \"$1\"" >/dev/null
    rm -rf "$DATA_DIR/filestore/$1"
}
