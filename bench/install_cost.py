"""What installing crm_extended costs (method: bench/README.md): next to installing its
dependencies, and on a copy of the bench database (1,000,000 partners) from which it is
uninstalled, -i then -u crm_extended, each stopped after INSTALL_TIMEOUT seconds.
"""

import os
import subprocess
import time

import _data
import harness

TIMEOUT = int(os.environ.get("INSTALL_TIMEOUT", "3600"))
UNINSTALL = "env['ir.module.module'].search([('name', '=', 'crm_extended')]).button_immediate_uninstall()\n"


def shell(*args, function="copy_db"):
    """One of tools/common.sh's helpers (copy_db, drop_db)."""
    common = os.path.join(harness.setting("REPO_DIR"), "tools", "common.sh")
    subprocess.run(["bash", "-c", f'source "$1" && {function} "${{@:2}}"', "bash", common, *args], check=True)


def psql(db_name, query):
    return subprocess.run(["psql", "-tAd", db_name, "-c", query], capture_output=True, text=True).stdout


def run_odoo(label, db_name, *args, stdin=None):
    """Seconds of ``odoo-bin [shell] -d db_name args --stop-after-init`` (None past TIMEOUT)."""
    log_path = os.path.join(harness.setting("LOG_DIR"), f"bench-install_cost-{label.split(':')[0]}.log")
    command = [harness.setting("PY"), harness.setting("ODOO_BIN"), *(["shell"] if stdin else [])]
    command += ["-c", harness.setting("CONF_FILE"), "-d", db_name, *args, "--stop-after-init", "--no-http"]
    start = time.perf_counter()
    with open(log_path, "w", encoding="utf-8") as log:
        try:
            done = subprocess.run(command, input=stdin, text=True, stdout=log, stderr=log, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            return harness.detail(f"{label}: stopped after {TIMEOUT}s, too slow (log {log_path})")
    if done.returncode:
        raise SystemExit(f"{label} failed; see {log_path}")
    harness.detail(f"{label}: {harness.fmt(time.perf_counter() - start)}s (log {log_path})")
    return time.perf_counter() - start


def main():
    import odoo

    with harness.environment() as env:
        _data.ensure(env, harness.detail)
    odoo.sql_db.close_all()  # the database is copied below: no connection may stay open
    copy, modules = f"crm_extended_bench_install_{os.getpid()}", harness.setting("BASE_MODULES")
    try:
        shell(harness.setting("TEMPLATE_DB"), copy)
        ours = run_odoo("ours: -i crm_extended on a copy of the template", copy, "-i", "crm_extended")
        shell(copy, function="drop_db")
        stock = run_odoo(f"stock: -i {modules} on an empty database", copy, "-i", modules)
        shell(copy, function="drop_db")
        harness.detail(f"{harness.load_average()}; copying {harness.setting('BENCH_DB')}")
        shell(harness.setting("BENCH_DB"), copy)
        run_odoo("uninstall: crm_extended from the copy (not counted)", copy, stdin=UNINSTALL)
        state = psql(copy, "SELECT state FROM ir_module_module WHERE name = 'crm_extended'").strip()
        if state != "uninstalled":
            raise SystemExit(f"crm_extended is {state} in {copy} after the uninstall")
        big = run_odoo("big-install: -i crm_extended on the copy", copy, "-i", "crm_extended")
        keys = psql(copy, "SELECT count(phone_e164) + count(mobile_e164) FROM res_partner").strip()
        harness.detail(f"partners' phone keys filled by the install: {keys}")
        update = run_odoo("big-update: -u crm_extended on the copy", copy, "-u", "crm_extended")
    finally:
        shell(copy, function="drop_db")
    harness.detail(harness.load_average())
    harness.report("install_cost", ours, stock, "s")
    for name, seconds in (("install_cost_big_install", big), ("install_cost_big_update", update)):
        if seconds is None:
            print(f"BENCH {name} ours=>{TIMEOUT}s stock=n/a ratio=n/a (too slow)", flush=True)
        else:
            harness.report(name, seconds, None, "s")


if __name__ == "__main__":
    main()
