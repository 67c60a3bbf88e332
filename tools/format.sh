#!/usr/bin/env bash
# Apply the formatters lint checks: ruff (imports, Python format) and prettier (XML).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_DIR"
"$VENV_DIR/bin/ruff" check --fix --select I crm_extended bench tools
"$VENV_DIR/bin/ruff" format crm_extended bench tools
"$NODE_DIR/node_modules/.bin/prettier" --write --log-level warn \
    --plugin="$NODE_DIR/node_modules/@prettier/plugin-xml/src/plugin.js" "crm_extended/**/*.xml"
