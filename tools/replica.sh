#!/usr/bin/env bash
# A streaming read replica of the project's PostgreSQL server, for the load
# benchmark (bench/load.py), on loopback only:
#
#   tools/replica.sh start    prepare the primary (idempotent), copy it with
#                             pg_basebackup and start the copy as a hot standby;
#                             prints the replica's port
#   tools/replica.sh stop     stop it and remove its data directory
#   tools/replica.sh status   running or not, and how far behind the primary
#
# What `start` changes on the primary ($PGHOST:$PGPORT), each only when
# missing: a role crm_extended_replicator (LOGIN REPLICATION, nothing else; its
# password is generated once and kept in <cache>/replica.pass) and one
# pg_hba.conf line letting it replicate from 127.0.0.1 with that password
# (then pg_reload_conf()). The primary needs wal_level replica (PostgreSQL's
# default) and max_wal_senders > 0; this script never restarts it.
#
# The replica is a second cluster of the same PostgreSQL version, run by the
# owner of the primary's cluster (postgres when run as root), in
# /tmp/crm_extended_replica when run as root (postgres cannot enter /root),
# else <cache>/replica; CRM_EXTENDED_REPLICA_DIR overrides. Its port is the
# first free one from CRM_EXTENDED_REPLICA_PORT (default 5433). Its log is
# copied to <cache>/logs/replica.log when it stops.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ROLE=crm_extended_replicator
PASS_FILE="$CACHE_DIR/replica.pass"
if [ "$(id -u)" = 0 ]; then
    RUN_AS=postgres
    BASE_DIR="${CRM_EXTENDED_REPLICA_DIR:-/tmp/crm_extended_replica}"
else
    RUN_AS="$(id -un)"
    BASE_DIR="${CRM_EXTENDED_REPLICA_DIR:-$CACHE_DIR/replica}"
fi
DATA="$BASE_DIR/data"
LOG="$BASE_DIR/replica.log"

as_owner() {  # run a command as the user who runs the clusters
    if [ "$(id -un)" = "$RUN_AS" ]; then "$@"; else (cd / && runuser -u "$RUN_AS" -- "$@"); fi
}

super_psql() {  # psql as a superuser of the primary: the role postgres over TCP, else through its socket
    PGUSER=postgres psql -X -qtA "$@" 2>/dev/null && return 0
    [ "$(id -u)" = 0 ] || return 1
    (cd / && runuser -u postgres -- psql -X -qtA -p "$PGPORT" "$@")
}

pg_bin() {  # the server programs of the primary's major version
    local num dir
    num="$(psql -X -qtAc 'SHOW server_version_num')" || die "PostgreSQL does not answer at $PGHOST:$PGPORT."
    dir="/usr/lib/postgresql/$((num / 10000))/bin"
    [ -x "$dir/pg_basebackup" ] || die "No PostgreSQL $((num / 10000)) server programs in $dir: install postgresql-$((num / 10000))."
    echo "$dir"
}

replica_password() {
    if [ ! -s "$PASS_FILE" ]; then
        mkdir -p "$CACHE_DIR"
        (umask 077 && od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$PASS_FILE")
    fi
    cat "$PASS_FILE"
}

can_replicate() {
    PGPASSWORD="$(replica_password)" psql -X -qtA \
        "host=$PGHOST port=$PGPORT user=$ROLE dbname=postgres replication=true" \
        -c IDENTIFY_SYSTEM >/dev/null 2>&1
}

prepare_primary() {
    local wal senders hba line password
    wal="$(psql -X -qtAc 'SHOW wal_level')"
    senders="$(psql -X -qtAc 'SHOW max_wal_senders')"
    [ "$wal" != minimal ] && [ "${senders:-0}" -gt 0 ] \
        || die "The primary has wal_level=$wal, max_wal_senders=$senders: set wal_level = replica and max_wal_senders = 10 (PostgreSQL's defaults) and restart it."
    password="$(replica_password)"
    # on standard input, not the command line: the password stays out of `ps`
    super_psql -v ON_ERROR_STOP=1 >/dev/null <<SQL || die "Cannot create the replication role $ROLE: run this as root or with the role postgres reachable on $PGHOST:$PGPORT."
DO \$\$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$ROLE') THEN
        CREATE ROLE $ROLE LOGIN REPLICATION;
    END IF;
END \$\$;
SET password_encryption = 'scram-sha-256';
ALTER ROLE $ROLE LOGIN REPLICATION PASSWORD '$password';
SQL
    can_replicate && return 0
    hba="$(super_psql -c 'SHOW hba_file')" || die "Cannot read the primary's hba_file setting."
    line="host replication $ROLE 127.0.0.1/32 scram-sha-256"
    if ! grep -qxF "$line" "$hba" 2>/dev/null; then
        say "Allowing $ROLE to replicate from 127.0.0.1 in $hba"
        { printf '# crm_extended read replica (tools/replica.sh)\n%s\n' "$line" >>"$hba"; } 2>/dev/null \
            || die "Cannot write $hba: add the line '$line' yourself and reload PostgreSQL."
    fi
    super_psql -c 'SELECT pg_reload_conf()' >/dev/null
    local i
    for i in 1 2 3 4 5; do can_replicate && return 0; sleep 1; done
    die "$ROLE still cannot replicate from $PGHOST:$PGPORT: an earlier line of $hba may refuse it."
}

is_running() {
    [ -f "$DATA/postmaster.pid" ] && as_owner "$(pg_bin)/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

stop_replica() {
    if is_running; then
        say "Stopping the replica ($DATA)"
        as_owner "$(pg_bin)/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
    fi
    if [ -f "$LOG" ]; then
        mkdir -p "$LOG_DIR"
        cp "$LOG" "$LOG_DIR/replica.log"
    fi
    rm -rf "$BASE_DIR"
}

free_port() {
    local port="${CRM_EXTENDED_REPLICA_PORT:-5433}"
    while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
        port=$((port + 1))
        [ "$port" -lt 5500 ] || die "No free port for the replica between 5433 and 5500."
    done
    echo "$port"
}

start_replica() {
    local bin port setting value start=$SECONDS
    bin="$(pg_bin)"
    [ "$PGHOST" = 127.0.0.1 ] || [ "$PGHOST" = localhost ] \
        || die "The replica is made of a server on this machine; PGHOST is $PGHOST."
    id "$RUN_AS" >/dev/null 2>&1 || die "No user $RUN_AS to run the replica cluster."
    prepare_primary
    stop_replica  # what an interrupted run left
    trap 'stop_replica' EXIT  # a failed or interrupted start leaves nothing behind
    trap 'exit 1' INT TERM
    mkdir -p "$BASE_DIR"
    chmod 700 "$BASE_DIR"
    [ "$(id -un)" = "$RUN_AS" ] || chown "$RUN_AS:" "$BASE_DIR"
    local try
    for try in 1 2 3; do  # a database dropped during the copy (another developer's tests) fails it
        say "Copying the primary into $DATA (pg_basebackup)"
        as_owner env PGPASSWORD="$(replica_password)" "$bin/pg_basebackup" -h "$PGHOST" -p "$PGPORT" -U "$ROLE" \
            -D "$DATA" --write-recovery-conf --wal-method=stream --checkpoint=fast --no-sync && break
        as_owner rm -rf "$DATA"
        [ "$try" -lt 3 ] || die "pg_basebackup failed."
        sleep 2
    done
    # Debian keeps the configuration outside the data directory: the replica
    # gets the primary's authentication and the settings a hot standby must
    # not have lower than its primary.
    for setting in hba_file ident_file; do
        value="$(super_psql -c "SHOW $setting")"
        if [ ! -f "$DATA/$(basename "$value")" ]; then
            as_owner cp "$value" "$DATA/$(basename "$value")" || die "Cannot copy the primary's $value."
        fi
    done
    {
        echo "# written by tools/replica.sh"
        for setting in max_connections max_worker_processes max_wal_senders max_prepared_transactions \
            max_locks_per_transaction shared_buffers; do
            echo "$setting = '$(psql -X -qtAc "SHOW $setting")'"
        done
        echo "hot_standby = on"
    } | as_owner tee "$DATA/postgresql.conf" >/dev/null
    port="$(free_port)"
    say "Starting the replica on 127.0.0.1:$port"
    as_owner "$bin/pg_ctl" -D "$DATA" -l "$LOG" -w -t 300 \
        -o "-c port=$port -c listen_addresses=127.0.0.1 -c unix_socket_directories='$BASE_DIR' -c cluster_name=crm_extended_replica" \
        start >/dev/null || {
        tail -n 20 "$LOG" >&2
        grep -q "consistent recovery state reached" "$LOG" \
            && die "The replica copied the primary but cannot open for reads yet: a hot standby waits for the" \
                "primary's transactions with many subtransactions to end (a long data load?). Try again later."
        die "The replica did not start; log: $LOG"
    }
    local i state=""
    for i in $(seq 1 60); do
        # (the receiver's status is shown to superusers only)
        state="$(PGPORT=$port super_psql -c 'SELECT status FROM pg_stat_wal_receiver' || true)"
        [ "$state" = streaming ] && break
        sleep 1
    done
    [ "$state" = streaming ] || { tail -n 20 "$LOG" >&2; die "The replica does not stream from the primary; log: $LOG"; }
    trap - EXIT INT TERM
    say "Replica streaming on 127.0.0.1:$port ($((SECONDS - start))s)"
    echo "$port"
}

status_replica() {
    if ! is_running; then
        echo "not running"
        return 0
    fi
    local port primary replayed
    port="$(sed -n 4p "$DATA/postmaster.pid")"
    primary="$(psql -X -qtAc 'SELECT pg_current_wal_lsn()')"
    replayed="$(PGPORT=$port psql -X -qtAc 'SELECT pg_last_wal_replay_lsn()')"
    echo "running on 127.0.0.1:$port ($DATA), $(psql -X -qtAc "SELECT pg_wal_lsn_diff('$primary', '$replayed')") bytes of WAL behind the primary"
}

case "${1:-}" in
    start) start_replica ;;
    stop) stop_replica ;;
    status) status_replica ;;
    *) die "usage: tools/replica.sh start|stop|status" ;;
esac
