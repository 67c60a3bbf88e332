#!/usr/bin/env bash
# Prepare everything `make run`, `make test` and `make bench` need, idempotently:
# Odoo 18.0 source, a virtual environment, Chromium, PostgreSQL and its role,
# the lint tools and Odoo's configuration file. Everything lives in the per-user
# cache ($CRM_EXTENDED_CACHE, default ~/.cache/crm_extended), so a fresh clone
# of the repository reuses it.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

NIGHTLY_URL="${ODOO_NIGHTLY_URL:-https://nightly.odoo.com/18.0/nightly/tgz/odoo_18.0.latest.tar.gz}"
PYTHON="${PYTHON:-python3}"

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else return 1
    fi
}

apt_install() {
    command -v apt-get >/dev/null 2>&1 || die "Missing system packages: $*. Install them with your package manager and run again."
    say "Installing system packages: $*"
    if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1; then
        as_root apt-get update -qq >/dev/null 2>&1 || true
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null \
            || die "Could not install $* (run as root or with sudo): apt-get install $*"
    fi
}

# --- Odoo source -------------------------------------------------------------
source_id() {  # fingerprint of a source tree: paths and sizes of its files
    (cd "$1" && find odoo addons odoo-bin requirements.txt -path odoo/custom_addons -prune -o \
        -type f ! -name '*.pyc' -printf '%P %s\n' 2>/dev/null | LC_ALL=C sort | sha1sum | cut -c1-16)
}

check_odoo_tree() {
    [ -f "$1/odoo-bin" ] && [ -f "$1/odoo/release.py" ] \
        && grep -q "^version_info = (18, 0," "$1/odoo/release.py"
}

install_odoo_tree() {  # $1: a folder holding an Odoo 18.0 tree
    local src="$1" id tmp
    check_odoo_tree "$src" || die "ODOO_SRC=$src is not an Odoo 18.0 source tree (no odoo-bin, or odoo/release.py is not 18.0)."
    id="$(source_id "$src")"
    if [ -f "$ODOO_DIR/.crm_extended_source_id" ] && [ "$(cat "$ODOO_DIR/.crm_extended_source_id")" = "$id" ]; then
        return 0
    fi
    say "Copying Odoo 18.0 source from $src into $ODOO_DIR"
    tmp="$ODOO_DIR.tmp.$$"
    rm -rf "$tmp" && mkdir -p "$tmp"
    (cd "$src" && tar -cf - --exclude=./odoo/custom_addons --exclude='*.pyc' --exclude=./.git .) | tar -xf - -C "$tmp"
    echo "$id" > "$tmp/.crm_extended_source_id"
    rm -rf "$ODOO_DIR" && mv "$tmp" "$ODOO_DIR"
}

install_odoo_tarball() {  # $1: a .tar.gz of an Odoo 18.0 tree
    local tmp
    tmp="$(mktemp -d)"
    tar -xzf "$1" -C "$tmp" || die "Cannot unpack $1: not a readable tarball of Odoo 18.0."
    local top
    top="$(dirname "$(find "$tmp" -maxdepth 3 -name odoo-bin -print -quit)")"
    [ -n "$top" ] && [ "$top" != "." ] || die "$1 holds no odoo-bin: not an Odoo source tarball."
    install_odoo_tree "$top"
    rm -rf "$tmp"
}

prepare_odoo() {
    mkdir -p "$CACHE_DIR"
    if [ -n "${ODOO_SRC:-}" ]; then
        if [ -d "$ODOO_SRC" ]; then install_odoo_tree "$ODOO_SRC"
        elif [ -f "$ODOO_SRC" ]; then install_odoo_tarball "$ODOO_SRC"
        else die "ODOO_SRC=$ODOO_SRC does not exist: point it at an Odoo 18.0 source folder or tarball."
        fi
    elif check_odoo_tree "$ODOO_DIR" && [ -f "$ODOO_DIR/.crm_extended_source_id" ]; then
        :
    else
        say "Odoo 18.0 source not in $ODOO_DIR: downloading $NIGHTLY_URL"
        local tgz="$CACHE_DIR/odoo_18.0.tar.gz"
        if ! curl -fsSL --connect-timeout 20 -o "$tgz.part" "$NIGHTLY_URL"; then
            rm -f "$tgz.part"
            die "Odoo 18.0 source not found: set ODOO_SRC=/path/to/odoo-18.0 (a source folder or tarball), or allow downloading from $NIGHTLY_URL."
        fi
        mv "$tgz.part" "$tgz"
        install_odoo_tarball "$tgz"
    fi
}

# --- system packages -------------------------------------------------------
prepare_system() {
    command -v "$PYTHON" >/dev/null 2>&1 || die "Python 3 not found: install python3 (3.10 to 3.12) or set PYTHON=/path/to/python3."
    "$PYTHON" -c 'import sys; sys.exit(not ((3, 10) <= sys.version_info[:2] <= (3, 12)))' \
        || die "Odoo 18.0 needs Python 3.10 to 3.12; $PYTHON is $("$PYTHON" -V 2>&1). Set PYTHON=/path/to/python3.11."
    local missing=()
    [ -f /usr/include/ldap.h ] || missing+=(libldap2-dev)
    [ -f /usr/include/sasl/sasl.h ] || missing+=(libsasl2-dev)
    command -v pg_config >/dev/null 2>&1 || missing+=(libpq-dev)
    command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
    command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
    chromium_bin >/dev/null || missing+=(chromium)
    # Odoo prints PDF reports (quotations, invoices, delivery slips, statements) with it
    command -v wkhtmltopdf >/dev/null 2>&1 || missing+=(wkhtmltopdf)
    # a font with Cyrillic letters for Russian documents (else wkhtmltopdf prints boxes)
    if command -v fc-list >/dev/null 2>&1 && [ -z "$(fc-list :lang=ru 2>/dev/null | head -n 1)" ]; then
        missing+=(fonts-dejavu-core)
    fi
    if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
    chromium_bin >/dev/null || die "Chromium not found after installing it: install the package chromium (browser tests need it)."
    command -v wkhtmltopdf >/dev/null 2>&1 \
        || die "wkhtmltopdf not found after installing it: install the package wkhtmltopdf (PDF reports need it)."
}

chromium_bin() {
    local b
    for b in chromium chromium-browser google-chrome google-chrome-stable; do
        if command -v "$b" >/dev/null 2>&1; then command -v "$b"; return 0; fi
    done
    return 1
}

# --- Python virtual environment ----------------------------------------------
prepare_venv() {
    local stamp want
    want="$(cat "$ODOO_DIR/requirements.txt" "$REPO_DIR/tools/requirements.txt" "$REPO_DIR/tools/constraints.txt" | sha1sum | cut -c1-16)"
    stamp="$VENV_DIR/.crm_extended_stamp"
    if [ -x "$PY" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    say "Building the virtual environment in $VENV_DIR (a few minutes, once)"
    [ -x "$PY" ] || "$PYTHON" -m venv "$VENV_DIR" || die "Cannot create a virtual environment: install python3-venv."
    export PIP_CONSTRAINT="$REPO_DIR/tools/constraints.txt"
    export PIP_DISABLE_PIP_VERSION_CHECK=1
    local log="$CACHE_DIR/pip.log"
    "$PY" -m pip install -q --upgrade "pip<25" "wheel" "setuptools<81" >"$log" 2>&1 \
        || { tail -n 20 "$log" >&2; die "pip could not upgrade itself: check access to the Python package index (log: $log)."; }
    "$PY" -m pip install -q -r "$ODOO_DIR/requirements.txt" -r "$REPO_DIR/tools/requirements.txt" >>"$log" 2>&1 \
        || { tail -n 30 "$log" >&2; die "Installing Odoo's Python requirements failed (log: $log)."; }
    "$PY" -c 'import websocket, phonenumbers, num2words, xlrd, openpyxl, psycopg2, lxml' \
        || die "The virtual environment lacks a required module (see above)."
    echo "$want" > "$stamp"
}

# --- lint tools from npm (prettier + XML plugin) ----------------------------
prepare_node() {
    local want stamp
    want="$(sha1sum "$REPO_DIR/tools/package.json" | cut -c1-16)"
    stamp="$NODE_DIR/.crm_extended_stamp"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
    say "Installing prettier and its XML plugin into $NODE_DIR"
    mkdir -p "$NODE_DIR"
    cp "$REPO_DIR/tools/package.json" "$NODE_DIR/package.json"
    (cd "$NODE_DIR" && npm install --silent --no-audit --no-fund >/dev/null) \
        || die "npm install of the lint tools failed: check access to the npm registry."
    echo "$want" > "$stamp"
}

# --- PostgreSQL --------------------------------------------------------------
pg_up() { pg_isready -q -h "$PGHOST" -p "$PGPORT" 2>/dev/null; }

prepare_postgres() {
    if ! pg_up; then
        case "$PGHOST" in
            127.0.0.1|localhost|/*) ;;
            *) die "PostgreSQL at $PGHOST:$PGPORT does not answer: start it, or point PGHOST/PGPORT at a running server." ;;
        esac
        if ! command -v pg_ctlcluster >/dev/null 2>&1; then
            apt_install postgresql
        fi
        local ver
        for ver in $(ls /etc/postgresql 2>/dev/null); do
            say "Starting the local PostgreSQL $ver cluster"
            as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main start 2>/dev/null || true
        done
        local i
        for i in $(seq 1 20); do pg_up && break; sleep 1; done
        pg_up || die "PostgreSQL does not answer at $PGHOST:$PGPORT: start it (pg_ctlcluster <version> main start) or set PGHOST/PGPORT."
    fi
    if ! psql -qtAc 'SELECT 1' >/dev/null 2>&1; then
        say "Creating the PostgreSQL role $PGUSER"
        local sql="CREATE ROLE \"$PGUSER\" LOGIN CREATEDB PASSWORD '${PGPASSWORD:-$PGUSER}'"
        psql -U postgres -qc "$sql" >/dev/null 2>&1 \
            || (cd / && as_root su postgres -c "psql -qc \"$sql\"" >/dev/null 2>&1) \
            || die "Cannot create the PostgreSQL role $PGUSER: create it yourself (CREATE ROLE $PGUSER LOGIN CREATEDB) or set PGUSER to a role that can create databases (not postgres)."
        psql -qtAc 'SELECT 1' >/dev/null 2>&1 \
            || die "Role $PGUSER exists but cannot log in at $PGHOST:$PGPORT: set PGPASSWORD, or allow it in pg_hba.conf."
    fi
}

# --- Odoo configuration --------------------------------------------------------
write_config() {
    mkdir -p "$DATA_DIR" "$LOG_DIR"
    local tmp="$CONF_FILE.tmp.$$"
    cat > "$tmp" <<CONF
[options]
addons_path = $ODOO_DIR/odoo/addons,$ODOO_DIR/addons,$REPO_DIR
data_dir = $DATA_DIR
db_host = $PGHOST
db_port = $PGPORT
db_user = $PGUSER
db_password = ${PGPASSWORD:-False}
admin_passwd = ${CRM_EXTENDED_MASTER_PASSWORD:-admin}
http_interface = ${CRM_EXTENDED_HTTP_INTERFACE:-127.0.0.1}
http_port = ${CRM_EXTENDED_HTTP_PORT:-8069}
list_db = True
without_demo = False
CONF
    mv "$tmp" "$CONF_FILE"
}

prepare_system
prepare_odoo
prepare_postgres
prepare_venv
prepare_node
write_config
