"""Read an Odoo test log and print the verdict: "N passed, N failed".

Odoo ends a test run with "X failed, Y error(s) of N tests when loading
database". A failure, an error, a skipped test (a browser test without
Chromium or websocket-client is skipped silently by Odoo), an ERROR line
logged outside any test, or Odoo's own non-zero exit all count as failures.

Usage: test_summary.py LOG ODOO_RC [--final EXTRA_PASSED EXTRA_FAILED]
"""

import re
import sys

SUMMARY = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database")
SKIPPED = re.compile(r"INFO \S+ odoo\.addons\.crm_extended\.\S+: skipped (\S+)")
ERROR_LINE = re.compile(r"^\S+ \S+ \d+ (ERROR|CRITICAL) ")
FAIL_LINE = re.compile(r"^(FAIL|ERROR): ")


def main(argv):
    log_path, odoo_rc = argv[1], int(argv[2])
    extra_passed = extra_failed = 0
    final = "--final" in argv
    if final:
        extra_passed, extra_failed = (
            int(argv[argv.index("--final") + 1]),
            int(argv[argv.index("--final") + 2]),
        )
    with open(log_path, encoding="utf-8", errors="replace") as log:
        lines = log.readlines()
    failed = errors = run = 0
    found = False
    for line in lines:
        match = SUMMARY.search(line)
        if match:
            found = True
            failed, errors, run = (int(g) for g in match.groups())
    skipped = sorted({m.group(1) for line in lines if (m := SKIPPED.search(line))})
    error_lines = [line for line in lines if ERROR_LINE.match(line)]
    problems = []
    if not found:
        problems.append("Odoo printed no test summary: the install failed before tests ran (see the log).")
    if not run and found:
        problems.append("Odoo ran no test.")
    if skipped:
        problems.append(f"{len(skipped)} test(s) skipped: {', '.join(skipped)}")
    if error_lines and not (failed or errors):
        problems.append(f"{len(error_lines)} ERROR line(s) logged outside a failing test.")
    if odoo_rc and not (failed or errors):
        problems.append(f"Odoo exited with code {odoo_rc}.")
    bad = failed + errors + len(skipped) + (1 if problems and not (failed or errors or skipped) else 0)
    passed = max(run - failed - errors - len(skipped), 0)
    if not final:
        print(f"Odoo: {run} tests run, {failed} failed, {errors} error(s), {len(skipped)} skipped")
        for problem in problems:
            print(f"PROBLEM: {problem}")
        return 0
    passed += extra_passed
    bad += extra_failed
    print(f"log: {log_path}")
    print(f"{passed} passed, {bad} failed")
    return 1 if bad or not passed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
