"""The sales dashboard (#15) opened in a real browser: headless Chromium on Odoo's web client,
served by Odoo with two workers on the analytics layer's data (bench/_data_analytics.py).

Each run opens CRM -> Reporting -> Dashboard in the web client already loaded (the action
service's ``doAction``, as the menu does) and times it until its four charts are drawn: the
dashboard's calls (the funnel, the forecast, the dependence, the lost reasons' read_group,
sent at once by ``Promise.all``), their answers rendered and Chart.js done. The backtest the
dashboard asks for after its charts (it reads every lead's path, about 40 s here) is waited for
between runs, so that no run shares the workers with an earlier run's backtest. The web client
is booted once before the runs (its assets cached by the browser, as for a user who works in
Odoo). Odoo community has no such dashboard: ``stock=n/a``.

``BENCH analytics_dashboard_browser ours=<p50>ms stock=n/a ratio=n/a``
"""

import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request

import _data_analytics as data
import _load_server
import harness

RUNS = int(os.environ.get("BENCH_RUNS", 5))
LOGIN = "bench_a_manager"
PASSWORD = "bench_a_manager"  # a user of the bench database only
ACTION = "crm_extended.crm_analytics_dashboard_action"

# the dashboard opened as the menu opens it; resolves with the ms until its four charts are drawn
OPEN = """
(async () => {
    const env = odoo.__WOWL_DEBUG__.root.env;
    const drawn = () => {
        const board = document.querySelector(".o_crm_analytics_dashboard");
        if (!board || !board.querySelector(".o_crm_analytics_leads")) {
            return false;
        }
        const canvases = [...board.querySelectorAll("canvas")];
        return canvases.length >= 4 && canvases.every((canvas) => window.Chart && Chart.getChart(canvas));
    };
    const start = performance.now();
    await env.services.action.doAction("ACTION", { clearBreadcrumbs: true });
    while (!drawn()) {
        await new Promise((resolve) => requestAnimationFrame(resolve));
    }
    const elapsed = performance.now() - start;
    const leads = document.querySelector(".o_crm_analytics_dashboard .o_crm_analytics_leads").textContent;
    return JSON.stringify({ elapsed, leads });
})()
""".replace("ACTION", ACTION)


class Browser:
    """Headless Chromium driven through the DevTools protocol (websocket-client)."""

    def __init__(self, url, session_id):
        self.profile = tempfile.mkdtemp(prefix="crm_extended_bench_chrome_")
        self.port = _load_server.free_port()
        binary = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
        if not binary:
            raise SystemExit(
                "No Chromium on this machine: tools/prepare.sh installs the Debian package chromium"
            )
        self.process = subprocess.Popen(
            [
                binary,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--window-size=1366,900",
                f"--remote-debugging-port={self.port}",
                f"--user-data-dir={self.profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.socket = self._connect()
        self.counter = 0
        self.command("Network.enable")
        self.command(
            "Network.setCookie",
            name="session_id",
            value=session_id,
            url=url,
            path="/",
            httpOnly=True,
        )

    def _connect(self):
        import websocket

        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json", timeout=5) as answer:
                    pages = [page for page in json.load(answer) if page.get("type") == "page"]
                if pages:
                    return websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=600)
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("Chromium did not open its DevTools port")
            time.sleep(0.2)

    def command(self, method, **params):
        self.counter += 1
        self.socket.send(json.dumps({"id": self.counter, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.counter:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.command(
            "Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"In the browser: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, timeout=120):
        deadline = time.monotonic() + timeout
        while not self.evaluate(expression):
            if time.monotonic() > deadline:
                raise SystemExit(f"Timed out waiting in the browser for {expression}")
            time.sleep(0.1)

    def close(self):
        try:
            self.socket.close()
        finally:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            shutil.rmtree(self.profile, ignore_errors=True)


def backtests_answered(server):
    """The number of get_backtest requests Odoo's log shows as answered."""
    return sum(1 for line in server.log_lines() if "get_backtest" in line and ' HTTP/1.1" 200 ' in line)


def main():
    with harness.environment() as env:
        data.ensure(env, harness.detail)
        db_name = env.cr.dbname
    from analytics import _committed_user

    with harness.environment() as env:
        manager_id = _committed_user(env.registry, LOGIN, ["sales_team.group_sale_manager"])
        with env.registry.cursor() as cr:
            from odoo import SUPERUSER_ID, api

            api.Environment(cr, SUPERUSER_ID, {})["res.users"].browse(manager_id).password = PASSWORD
            cr.commit()
    server = _load_server.OdooServer(
        2, os.path.join(harness.setting("LOG_DIR"), "bench-analytics-browser.log")
    )
    server.start(harness.setting("PY"), harness.setting("ODOO_BIN"), harness.setting("CONF_FILE"), db_name)
    browser = None
    try:
        browser = Browser(server.url, server.login(db_name, LOGIN, PASSWORD))
        start = time.perf_counter()
        browser.command("Page.enable")
        browser.command("Page.navigate", url=f"{server.url}/odoo")
        browser.wait_for("!!(window.odoo && odoo.__WOWL_DEBUG__ && document.querySelector('.o_main_navbar'))")
        booted = 1000 * (time.perf_counter() - start)
        harness.detail(
            f"Odoo on {server.url}, 2 workers; the web client booted in {booted:.0f} ms "
            f"(first load, assets not cached); {harness.load_average()}"
        )
        times, leads = [], set()
        for run in range(-1, RUNS):  # one warm-up run
            answered = backtests_answered(server)
            result = json.loads(browser.evaluate(OPEN))
            # the backtest the dashboard asks for after its charts: answered before the next run
            deadline = time.monotonic() + 300
            while backtests_answered(server) <= answered and time.monotonic() < deadline:
                time.sleep(0.5)
            if run >= 0:
                times.append(result["elapsed"])
                leads.add(result["leads"].strip())
                harness.detail(
                    f"  run {run + 1}: {result['elapsed']:.0f} ms, leads in the funnel {result['leads']}"
                )
        harness.detail(
            f"dashboard opened, its four charts drawn, in the browser: {harness.timing(times)}; "
            f"leads in the funnel {sorted(leads)}; {harness.load_average()}"
        )
    finally:
        if browser:
            browser.close()
        server.stop()
    harness.report("analytics_dashboard_browser", harness.percentiles(times)[0], None, "ms")


if __name__ == "__main__":
    main()
