"""Sending SMS through the provider: 100,000 sms.sms through SMS.ru's API on loopback.

The server is crm_extended/tests/sms_ru_server.py (SMS.ru's documented API, imported by
file path) in a process of its own, so that its work and memory are not counted as
Odoo's. The SMS are queued (state outgoing) and sent the way Odoo's SMS cron does it:
``sms.sms._process_queue()`` (10,000 a call, ``send(unlink_failed=False,
unlink_sent=True, auto_commit=True)``: a commit per batch of ``sms.session.batch.size``,
500), each call in a fresh ORM cache as a cron run. Prints the rate, the commits, the
messages the server accepted, and this process's resident memory sampled every 50 ms
during the run (before, peak, after, and the peak of each tenth of the run: flat when
the batches do not accumulate). The SMS and the provider are deleted at the end.
"""

import importlib.util
import multiprocessing
import os
import threading
import time

import harness

N = int(os.environ.get("BENCH_SMS", "100000"))
MARK = "bench sms_send"
API_ID = "bench-api-id"
BALANCE = 1e9


def _serve(queue, stop):
    """The SMS.ru server, in its own process until ``stop`` is set."""
    path = os.path.join(os.path.dirname(__file__), "..", "crm_extended", "tests", "sms_ru_server.py")
    spec = importlib.util.spec_from_file_location("sms_ru_server", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with module.SmsRuServer(api_id=API_ID, balance=BALANCE, price=1.0, keep_messages=False) as server:
        queue.put(server.api_url)
        stop.wait()


def rss_mb():
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Sampler(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.samples, self.done = [], threading.Event()

    def run(self):
        while not self.done.is_set():
            self.samples.append((time.perf_counter(), rss_mb()))
            time.sleep(0.05)


def cleanup(env):
    env.cr.execute("DELETE FROM sms_sms WHERE body LIKE %s", [MARK + "%"])
    env.cr.execute("DELETE FROM crm_sms_provider WHERE name = %s", [MARK])
    env.cr.commit()
    env.invalidate_all()


def queue_sms(env):
    """N outgoing SMS, 50 different texts (so SMS.ru's multi[] form), committed."""
    for start in range(0, N, 10000):
        env["sms.sms"].create(
            [
                {"number": f"+7912{index:07d}", "body": f"{MARK}: your order {index % 50} is ready"}
                for index in range(start, min(N, start + 10000))
            ]
        )
        env.flush_all()
        env.invalidate_all()
    env.cr.commit()


def main():
    context = multiprocessing.get_context("spawn")
    urls, stop = context.Queue(), context.Event()
    server = context.Process(target=_serve, args=(urls, stop), daemon=True)
    server.start()
    try:
        api_url = urls.get(timeout=30)
        with harness.environment() as env:
            run(env, api_url)
    finally:
        stop.set()
        server.join(10)


def run(env, api_url):
    cleanup(env)
    others = env["crm.sms.provider"].search([])
    if others:
        raise SystemExit(f"Active SMS providers in {harness.setting('BENCH_DB')}: {others.mapped('name')}")
    provider = env["crm.sms.provider"].create(
        {"name": MARK, "kind": "smsru", "api_url": api_url, "new_api_key": API_ID, "timeout": 30}
    )
    env.cr.commit()
    try:
        start = time.perf_counter()
        queue_sms(env)
        harness.detail(f"{N} SMS queued in {time.perf_counter() - start:.1f}s ({harness.load_average()})")
        commits, commit = [0], env.cr.commit

        def counted_commit():
            commits[0] += 1
            return commit()

        env.cr.commit = counted_commit
        env.invalidate_all()
        before = rss_mb()
        sampler = Sampler()
        sampler.start()
        start = time.perf_counter()
        for _call in range(N // 10000 + 5):
            env.invalidate_all()  # each cron run starts with an empty cache
            env["sms.sms"]._process_queue()
            env.cr.execute(
                "SELECT count(*) FROM sms_sms WHERE body LIKE %s AND state = 'outgoing' AND NOT to_delete",
                [MARK + "%"],
            )
            if not env.cr.fetchone()[0]:
                break
        elapsed = time.perf_counter() - start
        sampler.done.set()
        sampler.join()
        env.cr.commit = commit
        after = rss_mb()
        env.cr.execute("SELECT state, count(*) FROM sms_sms WHERE body LIKE %s GROUP BY state", [MARK + "%"])
        states = dict(env.cr.fetchall())
        accepted = round(BALANCE - provider._crm_client().balance())
        rate = states.get("pending", 0) / elapsed
        harness.detail(
            f"sent {states.get('pending', 0)} of {N} in {elapsed:.1f}s; states {states}; "
            f"SMS.ru accepted {accepted}; {commits[0]} commits"
        )
        samples = [rss for _t, rss in sampler.samples] or [after]
        tenths = [
            max(
                samples[
                    len(samples) * part // 10 : max(
                        len(samples) * (part + 1) // 10, 1 + len(samples) * part // 10
                    )
                ]
            )
            for part in range(10)
        ]
        harness.detail(
            f"RSS before {before:.0f} MB, peak {max(samples):.0f} MB, after {after:.0f} MB; "
            f"peak per tenth of the run: {' '.join(f'{value:.0f}' for value in tenths)} MB"
        )
        if states.get("pending", 0) != N or accepted != N:
            raise SystemExit(f"Not every SMS was sent: {states}, SMS.ru accepted {accepted}")
        harness.report("sms_send", rate, None, "msg/s")
        print(f"  memory: before={before:.0f}MB peak={max(samples):.0f}MB after={after:.0f}MB", flush=True)
    finally:
        cleanup(env)


if __name__ == "__main__":
    main()
