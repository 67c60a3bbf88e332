#!/usr/bin/env bash
# Run lint, then crm_extended's whole test suite inside Odoo 18.0 (unit tests
# and browser tours in headless Chromium) on a fresh copy of the template
# database, then the uninstall check. Ends with "N passed, N failed".
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_DIR"

bash tools/prepare.sh
[ "${SKIP_LINT:-0}" = 1 ] || bash tools/lint.sh
TMPL="$(bash tools/template.sh)"
DB="crm_extended_test_$$"
trap 'drop_db "$DB" 2>/dev/null || true' EXIT
copy_db "$TMPL" "$DB"

PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
LOG="$LOG_DIR/test-$(date +%Y%m%d-%H%M%S).log"
TAGS="${TEST_TAGS:-/crm_extended}"
say "Installing crm_extended on $DB and running its tests ($TAGS); full log: $LOG"
set +e
odoo -d "$DB" -i crm_extended --test-enable --test-tags "$TAGS" --stop-after-init \
    --http-port "$PORT" --log-level=info ${ODOO_EXTRA_ARGS:-} >"$LOG" 2>&1
rc=$?
set -e
# Show what matters: test progress, failures, errors, warnings.
grep -E "(ERROR|CRITICAL|WARNING|FAIL|odoo\.addons\.crm_extended\.tests.*(Starting|skipped)|tests when loading|post-tests in)" "$LOG" \
    | grep -v "Running as user 'root'" | cut -c1-400 || true

"$PY" tools/test_summary.py "$LOG" "$rc"
summary_rc=$?

uninstall_passed=0
uninstall_failed=0
if [ "${SKIP_UNINSTALL:-0}" != 1 ]; then
    say "Uninstall check: crm_extended leaves partners, leads and orders in place"
    if odoo_shell -d "$DB" --no-http --log-level=warn <tools/check_uninstall.py 2>&1 | tee -a "$LOG" | grep -q "^UNINSTALL OK"; then
        uninstall_passed=1
    else
        uninstall_failed=1
        grep -E "^UNINSTALL|Error|error" "$LOG" | tail -n 20 >&2
    fi
fi
"$PY" tools/test_summary.py "$LOG" "$rc" --final "$uninstall_passed" "$uninstall_failed"
