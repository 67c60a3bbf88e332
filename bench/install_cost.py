"""What installing crm_extended costs, next to installing what it depends on.

ours:  ``odoo -i crm_extended`` on a fresh copy of the template database
       (crm, sale_crm and sale_stock already there, with demo data);
stock: ``odoo -i crm,sale_crm,sale_stock`` on a new empty database, which is
       what a customer installs anyway.

Each is run once (they take a while) with the same options (demo data,
--stop-after-init --no-http) and its database is dropped after.
"""

import os
import subprocess
import sys

import harness

COMMON_SH = os.path.join(harness.setting("REPO_DIR"), "tools", "common.sh")


def shell_helper(function, *args):
    """Run one of tools/common.sh's helpers (copy_db, drop_db) with ``args``."""
    script = f'source "$1" && {function} "${{@:2}}"'
    subprocess.run(["bash", "-c", script, "bash", COMMON_SH, *args], check=True)


def odoo_install(db_name, modules, log_path):
    """Install ``modules`` into ``db_name`` and return the wall time in seconds."""
    command = [
        harness.setting("PY"),
        harness.setting("ODOO_BIN"),
        "-c",
        harness.setting("CONF_FILE"),
        "-d",
        db_name,
        "-i",
        modules,
        "--stop-after-init",
        "--no-http",
        "--log-level=warn",
    ]
    with open(log_path, "w", encoding="utf-8") as log:
        result, seconds = harness.timed(subprocess.run, command, stdout=log, stderr=subprocess.STDOUT)
    if result.returncode:
        sys.exit(f"Installing {modules} into {db_name} failed; see {log_path}")
    return seconds


def measure_ours(template):
    """Seconds to install crm_extended on a copy of the template database."""
    db_name = f"crm_extended_bench_install_{os.getpid()}"
    log_path = os.path.join(harness.setting("LOG_DIR"), "bench-install_cost-ours.log")
    try:
        _, copy_seconds = harness.timed(shell_helper, "copy_db", template, db_name)
        harness.detail(f"copy of the template {template}: {harness.fmt(copy_seconds)}s (not counted)")
        seconds = odoo_install(db_name, "crm_extended", log_path)
    finally:
        shell_helper("drop_db", db_name)
    harness.detail(f"ours: -i crm_extended on the copy: {harness.fmt(seconds)}s (log {log_path})")
    return seconds


def measure_stock(modules):
    """Seconds to install ``modules`` (crm, sale_crm, sale_stock) on a new database."""
    db_name = f"crm_extended_bench_stock_{os.getpid()}"
    log_path = os.path.join(harness.setting("LOG_DIR"), "bench-install_cost-stock.log")
    shell_helper("drop_db", db_name)
    try:
        seconds = odoo_install(db_name, modules, log_path)
    finally:
        shell_helper("drop_db", db_name)
    harness.detail(f"stock: -i {modules} on an empty database: {harness.fmt(seconds)}s (log {log_path})")
    return seconds


def main():
    """Measure both installs once and print the BENCH line."""
    ours = measure_ours(harness.setting("TEMPLATE_DB"))
    stock = measure_stock(harness.setting("BASE_MODULES"))
    harness.detail(f"crm_extended adds {100 * ours / stock:.0f}% to the install of its dependencies")
    harness.report("install_cost", ours, stock, "s")


if __name__ == "__main__":
    main()
