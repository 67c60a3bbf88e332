#!/usr/bin/env bash
# Export crm_extended's terms from Odoo into i18n/crm_extended.pot and merge
# them into i18n/ru.po (existing translations kept, new terms left empty and
# listed). `make test` fails while a term has no Russian translation.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_DIR"

bash tools/prepare.sh
TMPL="$(bash tools/template.sh)"
DB="crm_extended_i18n_$$"
trap 'drop_db "$DB" 2>/dev/null || true' EXIT
copy_db "$TMPL" "$DB"
say "Installing crm_extended on $DB to export its terms"
odoo -d "$DB" -i crm_extended --stop-after-init --no-http --log-level=warn >/dev/null
odoo -d "$DB" --i18n-export="$REPO_DIR/crm_extended/i18n/crm_extended.pot" --modules=crm_extended \
    --stop-after-init --no-http --log-level=warn >/dev/null
"$PY" tools/po_merge.py crm_extended/i18n/crm_extended.pot crm_extended/i18n/ru.po
