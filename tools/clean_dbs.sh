#!/usr/bin/env bash
# Drop the databases this project made (tests, templates, demo, bench) and their filestores.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
for db in $(psql -tAc "SELECT datname FROM pg_database WHERE datname LIKE 'crm\_extended\_%'"); do
    say "Dropping $db"
    drop_db "$db"
done
