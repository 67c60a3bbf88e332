#!/usr/bin/env bash
# Lint: ruff (style, imports), pylint with pylint-odoo (Odoo's mandatory
# checks) and prettier's XML plugin (format of every XML file). Zero findings.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_DIR"

status=0
say "ruff check"
"$VENV_DIR/bin/ruff" check crm_extended bench tools || status=1
say "ruff format --check"
"$VENV_DIR/bin/ruff" format --check crm_extended bench tools || status=1
say "pylint (pylint-odoo)"
"$VENV_DIR/bin/pylint" --rcfile=.pylintrc crm_extended || status=1
say "prettier --check (XML)"
"$NODE_DIR/node_modules/.bin/prettier" --check --log-level warn \
    --plugin="$NODE_DIR/node_modules/@prettier/plugin-xml/src/plugin.js" \
    "crm_extended/**/*.xml" || status=1
[ "$status" = 0 ] || die "Lint found problems (above). 'make format' fixes the formatting ones."
say "lint: no findings"
