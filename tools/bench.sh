#!/usr/bin/env bash
# Run crm_extended's benchmarks: `make bench` runs every bench/<name>.py,
# `make bench NAME=<name>` only that one. Each benchmark prints its detail
# lines and one "BENCH <name> ours=... stock=... ratio=...x" line.
#
# They run on the database $BENCH_DB (default crm_extended_bench): a copy of
# the template database with crm_extended installed, created once and updated
# (-u crm_extended) on every run so that code changes apply. The data
# bench/_data.py builds stays in it between runs; when the builder changed
# (its version marker differs), the database is made again from the template.
# ARGS (make bench NAME=x ARGS=--explain) go to the benchmark; BENCH_SCALE=0.05
# builds a smaller database (give it another name: CRM_EXTENDED_BENCH_DB).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_DIR"

NAME="${1:-}"

bench_names() {  # every bench/<name>.py but the helper module
    local f
    for f in bench/*.py; do
        f="$(basename "$f" .py)"
        case "$f" in harness|_*) ;; *) echo "$f" ;; esac
    done
}

module_state() {  # state of crm_extended in $BENCH_DB, empty when unknown
    psql -d "$BENCH_DB" -tAc "SELECT state FROM ir_module_module WHERE name = 'crm_extended'" 2>/dev/null || true
}

ensure_bench_db() {
    local tmpl="$1" log="$LOG_DIR/bench-install.log" mode
    if ! db_exists "$BENCH_DB"; then
        say "Creating the bench database $BENCH_DB from $tmpl"
        copy_db "$tmpl" "$BENCH_DB"
    fi
    if [ "$(module_state)" = "installed" ]; then
        mode="-u"
        say "Updating crm_extended in $BENCH_DB; log: $log"
    else
        mode="-i"
        say "Installing crm_extended in $BENCH_DB; log: $log"
    fi
    local start=$SECONDS
    if ! odoo -d "$BENCH_DB" "$mode" crm_extended --stop-after-init --no-http --log-level=warn >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        die "Could not install/update crm_extended in $BENCH_DB; full log: $log"
    fi
    say "crm_extended ready in $BENCH_DB ($((SECONDS - start))s)"
    [ "$(module_state)" = "installed" ] || die "crm_extended is not installed in $BENCH_DB; see $log"
}

ensure_data_version() {  # a database built by another version of bench/_data.py is made again
    local want have
    want="$("$PY" bench/_data.py --version)"
    db_exists "$BENCH_DB" || return 0
    have="$(psql -d "$BENCH_DB" -tAc "SELECT value::json->>'version' FROM ir_config_parameter
                                      WHERE key = 'crm_extended.bench_data'" 2>/dev/null || true)"
    # no shared data yet (a database holding only, say, the warranty layer): built in place
    if [ -n "$have" ] && [ "$have" != "$want" ]; then
        say "Bench data ${have:-of an older builder} in $BENCH_DB, builder now $want: making $BENCH_DB again"
        drop_db "$BENCH_DB"
    fi
}

if [ -n "$NAME" ]; then
    grep -qx -- "$NAME" <<<"$(bench_names)" \
        || die "No benchmark '$NAME'; available: $(bench_names | tr '\n' ' ')"
    NAMES="$NAME"
else
    NAMES="$(bench_names)"
fi

bash tools/prepare.sh
TMPL="$(bash tools/template.sh)"
ensure_data_version
ensure_bench_db "$TMPL"

# What the Python benchmarks read (bench/harness.py).
export REPO_DIR CACHE_DIR CONF_FILE LOG_DIR DATA_DIR ODOO_DIR ODOO_BIN PY BENCH_DB BASE_MODULES
export TEMPLATE_DB="$TMPL"
export PYTHONPATH="$ODOO_DIR${PYTHONPATH:+:$PYTHONPATH}"

# What autovacuum would have done by now (it may be off, as on this project's machine): an
# earlier benchmark's rolled-back writes (the import's 170,000 partners, say) leave dead rows
# that slow every later lookup (the delivery desk's order search 3.5 -> 6.1 ms p50 with them).
vacuum_bench_db() {
    local start=$SECONDS
    psql -d "$BENCH_DB" -qc "SET client_min_messages = error" -c "VACUUM (ANALYZE)" >/dev/null
    say "VACUUM (ANALYZE) of $BENCH_DB in $((SECONDS - start))s"
}

failed=0
for name in $NAMES; do
    say "Benchmark $name"
    vacuum_bench_db
    # shellcheck disable=SC2086 # ARGS are words
    if ! "$PY" "bench/$name.py" ${ARGS:-}; then
        failed=$((failed + 1))
        printf 'BENCH %s FAILED\n' "$name"
    fi
done
[ "$failed" = 0 ] || die "$failed benchmark(s) failed"
