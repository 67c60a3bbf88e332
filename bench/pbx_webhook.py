"""PBX webhook under load: from a call ringing to the user's notification (method: bench/README.md)

Odoo runs as a real server with workers (``--workers 2``) on the bench database (a million
partners). A load generator on loopback plays a schedule of simulated calls, each
ringing → answered → hung up (or ringing → hung up unanswered), as the generic JSON adapter's
signed requests, open loop (every event leaves at its planned time whatever the server is
doing): about 50 events a second with up to 1,000 calls in progress, 5% of the events sent
again (a PBX's retry), 1% forged (a wrong signature). A listener on PostgreSQL's ``imbus``
channel (the one Odoo's websocket server listens on) times each ringing call's notification:
from the moment its ringing request left to the moment the notification was sent to the bus.

Odoo community has no telephony to compare with: ``stock=n/a``. The truth is the schedule:
each call's final state, whether it was forged, how many events it had; the database must hold
one call per real call with that state, no forged call, one notification per ringing user.

``ARGS=--serial``: what each kind of event costs, not the latency under load. One Odoo process
(``--workers 1``) serves the same schedule's events one after another (closed loop), and Odoo's
own line per request gives its queries and times, per kind of event (the ringing, answered,
hang-up of an answered call, hang-up of a missed one, a retry, a forgery).
"""

import heapq
import json
import os
import random
import re
import select
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import _data
import _load_server as serving
import harness
import psycopg2

RATE = float(os.environ.get("BENCH_PBX_RATE", "50"))  # events a second, retries and forgeries included
CONCURRENT = int(os.environ.get("BENCH_PBX_CALLS", "1000"))  # calls in progress once ramped up
SECONDS = float(os.environ.get("BENCH_PBX_SECONDS", "120"))  # how long calls keep starting
SERIAL = "--serial" in sys.argv[1:]
# BENCH_PBX_DB_FILTER=0: Odoo started with --database alone (no --db-filter), as a server with one
# database can be: a PBX's request has no session, and with a filter Odoo finds its database by
# listing the server's databases on a new connection to PostgreSQL's `postgres` each time
DB_FILTER = os.environ.get("BENCH_PBX_DB_FILTER", "1") != "0"
WORKERS = 1 if SERIAL else int(os.environ.get("BENCH_PBX_WORKERS", "2"))
RETRIED, FORGED, ANSWERED = 0.05, 0.01, 0.85
EXTENSIONS = [str(201 + k) for k in range(30)]
SECRET = "bench-pbx-secret"
EVENTS_PER_CALL = 1 + ANSWERED + 1  # ringing, answered (when it is), hangup
# Odoo's line per request: status, queries, SQL seconds, other seconds
LOG_LINE = re.compile(r'"POST /crm_extended/pbx/\S+ HTTP/[\d.]+" (\d+) \S+ (\d+) ([\d.]+) ([\d.]+)')


def _signed(body, secret):
    from odoo.addons.crm_extended.services.pbx import generic

    return generic.signed_headers(secret, body, time.time())


def setup(env):
    """Users owning the extensions and the generic connection, committed for the server."""
    users = env["res.users"].with_context(active_test=False)
    salesman = env.ref("sales_team.group_sale_salesman")
    for extension in EXTENSIONS:
        login = f"bench_pbx_{extension}"
        if not users.search([("login", "=", login)]):
            users.create(
                {
                    "name": f"Operator {extension}",
                    "login": login,
                    "crm_phone_extension": extension,
                    "groups_id": [(6, 0, [salesman.id])],
                }
            )
    Connection = env["crm.pbx.connection"]
    connection = Connection.search([("name", "=", "Bench PBX (generic)")], limit=1) or Connection.create(
        {"name": "Bench PBX (generic)", "adapter": "generic"}
    )
    connection.new_secret = SECRET
    env.cr.commit()
    return connection.token


def lifetime():
    """Mean seconds a call lasts for CONCURRENT calls in progress at RATE (Little's law)."""
    return CONCURRENT * EVENTS_PER_CALL * (1 + RETRIED) / RATE


def schedule(cr, ids, rng, run):
    """[(at, kind, call_id, body dict, forged)] in time order and the truth per call."""
    call_rate = RATE / (EVENTS_PER_CALL * (1 + RETRIED) + FORGED)
    cr.execute(
        "SELECT t.e164, t.country, r.phone FROM bench_phone_truth t JOIN res_partner r ON r.id = t.res_id"
        " WHERE t.kind = 'p' AND t.field = 'phone' AND r.active AND t.res_id = ANY(%s)",
        [[ids["res_partner"] + rng.randrange(_data.N_PARTNERS) for _ in range(20_000)]],
    )
    known = cr.fetchall()
    events, truth, at, index = [], {}, 0.0, 0
    while at < SECONDS:
        at += rng.expovariate(call_rate)
        index += 1
        call_id = f"{run}.{index}"
        if rng.random() < 0.7:
            e164, country, stored = rng.choice(known)
            number = _data.respell(rng, e164, country, stored)[0]
        else:
            e164, number = None, _data.nobodys(cr, rng)
        ring = rng.sample(EXTENSIONS, 1 if rng.random() < 0.8 else rng.choice((2, 3)))
        answered = rng.random() < ANSWERED
        ringing_for = rng.uniform(2, 16)
        talk = rng.uniform(2, 2 * (lifetime() - 9) / ANSWERED) if answered else 0
        base = {"call_id": call_id, "direction": "inbound", "from": number, "to": "+74950000000"}
        kinds = [(at, {"event": "ringing", "extension": ring[0], "ring_extensions": ring})]
        if answered:
            kinds.append((at + ringing_for, {"event": "answered", "extension": ring[-1]}))
            kinds.append((at + ringing_for + talk, {"event": "hangup", "reason": "normal"}))
        else:
            kinds.append((at + ringing_for, {"event": "hangup", "reason": "no_answer"}))
        for moment, extra in kinds:
            body = {**base, **extra}
            events.append((moment, extra["event"], call_id, body, False))
            if rng.random() < RETRIED:
                events.append((moment + rng.uniform(0.2, 3), extra["event"], call_id, body, False))
        if rng.random() < FORGED * EVENTS_PER_CALL:
            forged = {**base, "call_id": f"{call_id}.forged", "event": "ringing", "extension": ring[0]}
            events.append((at + 0.1, "ringing", forged["call_id"], forged, True))
        truth[call_id] = {"state": "answered" if answered else "missed", "e164": e164, "at": at}
    events.sort(key=lambda event: event[0])
    return events, truth


class BusListener:
    """``LISTEN imbus`` on the ``postgres`` database, as Odoo's websocket server does; each
    notification's arrival time, then the bus rows it announced, read from the bench database."""

    def __init__(self, db_name):
        self.listen = psycopg2.connect(dbname="postgres")
        self.listen.autocommit = True
        self.listen.cursor().execute("LISTEN imbus")
        self.read = psycopg2.connect(dbname=db_name)
        self.read.autocommit = True
        with self.read.cursor() as cr:
            cr.execute("SELECT COALESCE(max(id), 0) FROM bus_bus")
            self.last_id = cr.fetchone()[0]
        self.notified = {}  # Odoo call id -> first arrival (time.time())
        self.per_channel = {}  # (Odoo call id, channel) -> notifications
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        while not self.stop.is_set():
            if select.select([self.listen], [], [], 0.2) == ([], [], []):
                continue
            self.listen.poll()
            if not self.listen.notifies:
                continue
            arrived = time.time()
            self.listen.notifies.clear()
            with self.read.cursor() as cr:
                cr.execute(
                    "SELECT id, channel, message FROM bus_bus WHERE id > %s ORDER BY id", [self.last_id]
                )
                for bus_id, channel, message in cr.fetchall():
                    self.last_id = bus_id
                    message = json.loads(message)
                    if message.get("type") != "crm_extended/incoming_call":
                        continue
                    call = message["payload"]["call_id"]
                    self.notified.setdefault(call, arrived)
                    self.per_channel[call, channel] = self.per_channel.get((call, channel), 0) + 1

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_exc):
        time.sleep(2)  # the last notifications
        self.stop.set()
        self.thread.join()
        self.listen.close()
        self.read.close()


def play(url, events):
    """Post every event at its planned time (open loop); [(kind, call_id, sent, ms, status, answer)]."""
    results, lock, start, stamps = [], threading.Lock(), time.time(), {}

    def post(kind, call_id, body, forged):
        # a retry repeats the event as first sent, its time included
        moment = stamps.setdefault((call_id, kind), round(time.time(), 3))
        data = json.dumps({**body, "timestamp": moment}).encode()
        headers = _signed(data, "not-the-secret" if forged else SECRET)
        sent = time.time()
        request = urllib.request.Request(url, data=data, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                status, text = answer.status, answer.read()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read()
        except OSError as error:
            status, text = 0, str(error).encode()
        with lock:
            results.append((kind, call_id, sent, 1000 * (time.time() - sent), status, text, forged))

    queue = [(at, n, event) for n, (at, *event) in enumerate(events)]
    heapq.heapify(queue)
    with ThreadPoolExecutor(max_workers=128) as pool:
        while queue:
            at, _n, (kind, call_id, body, forged) = heapq.heappop(queue)
            delay = start + at - time.time()
            if delay > 0:
                time.sleep(delay)
            pool.submit(post, kind, call_id, body, forged)
    return results, time.time() - start


def play_serial(url, events):
    """Post the events one after another in the schedule's order: the results as :func:`play`
    gives them, and each request's kind of event."""
    seen, results, labels, start = set(), [], [], time.time()
    for _at, kind, call_id, body, forged in events:
        if forged:
            label = "forged"
        elif (call_id, kind) in seen:
            label = "retry"
        elif kind == "hangup":
            label = "hangup (answered)" if body.get("reason") == "normal" else "hangup (missed)"
        else:
            label = kind
        seen.add((call_id, kind))
        data = json.dumps({**body, "timestamp": time.time()}).encode()
        headers = _signed(data, "not-the-secret" if forged else SECRET)
        request = urllib.request.Request(url, data=data, headers=headers, method="POST")
        sent = time.time()
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                status, text = answer.status, answer.read()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read()
        results.append((kind, call_id, sent, 1000 * (time.time() - sent), status, text, forged))
        labels.append(label)
    return results, labels, time.time() - start


def serial_costs(lines, labels, statuses):
    """Per kind of event, Odoo's own figures for its requests (``lines``: the log lines of the
    requests played, in order; ``labels``, ``statuses``: their kinds and the answers' statuses)."""
    found = [match for match in map(LOG_LINE.search, lines) if match]
    if [int(match[1]) for match in found] != statuses:
        harness.detail(f"{len(found)} request lines in the log for {len(labels)} requests: not in order")
        return
    rows = [(int(m[2]), 1000 * float(m[3]), 1000 * float(m[4])) for m in found]
    by_label = {}
    for label, row in zip(labels, rows, strict=True):
        by_label.setdefault(label, []).append(row)
    everything = [row for label, row in zip(labels, rows, strict=True) if label != "forged"]
    for label, group in [*sorted(by_label.items()), ("all but forged", everything)]:
        queries, sql, other = zip(*group, strict=True)
        count = len(group)
        service = [in_sql + rest for _queries, in_sql, rest in group]
        harness.detail(
            f"{label:<18} {count:>5} requests: queries mean {sum(queries) / count:5.1f}"
            f" (p50 {harness.percentiles(queries)[0]}, max {max(queries)}); service mean"
            f" {harness.fmt(sum(service) / count)} ms (SQL {harness.fmt(sum(sql) / count)},"
            f" other {harness.fmt(sum(other) / count)}),"
            f" p50 {harness.fmt(harness.percentiles(service)[0])} ms"
        )


def warm_up(url, run, calls=8):
    """A few calls before the schedule (not counted): each worker loads the registry and the code paths."""
    for index in range(calls):
        for event in ("ringing", "hangup"):
            body = {"event": event, "call_id": f"{run}w.{index}", "from": "+74951112233", "extension": "201"}
            data = json.dumps({**body, "timestamp": time.time(), "reason": "normal"}).encode()
            request = urllib.request.Request(url, data=data, headers=_signed(data, SECRET), method="POST")
            with urllib.request.urlopen(request, timeout=120) as answer:
                answer.read()


def server_cost(server):
    """Per accepted request, from Odoo's own log line: queries, SQL ms, other ms (the service time)."""
    rows = [LOG_LINE.search(line) for line in server.log_lines()]
    rows = [(int(m[2]), 1000 * float(m[3]), 1000 * float(m[4])) for m in rows if m and m[1] == "200"]
    if not rows:
        return "no request line in the server's log"
    queries, sql, other = zip(*rows, strict=True)
    mean = (sum(sql) + sum(other)) / len(rows)
    return (
        f"{len(rows)} requests: queries p50 {harness.percentiles(queries)[0]}, SQL {harness.timing(sql)},"
        f" other {harness.timing(other)}; mean service {harness.fmt(mean)} ms, so {WORKERS} workers serve"
        f" at most {harness.fmt(1000 * WORKERS / mean)} events/s on this machine now"
    )


def check(env, run, truth, results, listener):
    """What the database holds against the schedule's truth; the BENCH figures."""
    env.cr.execute(
        "SELECT id, pbx_call_id, state, partner_id FROM crm_phone_call WHERE pbx_call_id LIKE %s",
        [f"{run}.%"],
    )
    rows = env.cr.fetchall()
    by_pbx, duplicates = {}, 0
    for call_id, pbx_call_id, state, partner_id in rows:
        duplicates += pbx_call_id in by_pbx
        by_pbx[pbx_call_id] = (call_id, state, partner_id)
    forged_stored = sum(1 for pbx_call_id in by_pbx if pbx_call_id.endswith(".forged"))
    forged_accepted = sum(1 for *_, status, _text, forged in results if forged and status == 200)
    lost = [call for call in truth if call not in by_pbx]
    wrong = [call for call, want in truth.items() if call in by_pbx and by_pbx[call][1] != want["state"]]
    extra_notes = sum(count - 1 for count in listener.per_channel.values() if count > 1)
    env.cr.execute(
        "SELECT t.e164, t.res_id FROM bench_phone_truth t WHERE t.kind = 'p' AND t.e164 = ANY(%s)",
        [[want["e164"] for want in truth.values() if want["e164"]]],
    )
    owners = {}
    for e164, partner_id in env.cr.fetchall():
        owners.setdefault(e164, set()).add(partner_id)
    known = [(call, want) for call, want in truth.items() if want["e164"] and call in by_pbx]
    found = sum(1 for call, want in known if by_pbx[call][2] in owners.get(want["e164"], ()))
    first_ringing = {}
    for kind, call_id, sent, _ms, _status, _text, forged in sorted(results, key=lambda result: result[2]):
        if kind == "ringing" and not forged and call_id in by_pbx:
            first_ringing.setdefault(call_id, sent)
    latencies = {
        call: 1000 * (listener.notified[by_pbx[call][0]] - sent)
        for call, sent in first_ringing.items()
        if by_pbx[call][0] in listener.notified
    }
    missing_notes = sum(1 for call in truth if call in by_pbx and by_pbx[call][0] not in listener.notified)
    return {
        "calls": len(truth),
        "stored": len(by_pbx),
        "duplicates": duplicates + extra_notes,
        "forged_accepted": forged_accepted + forged_stored,
        "lost": len(lost),
        "wrong_state": len(wrong),
        "without_notification": missing_notes,
        "identified": (found, len(known)),
        "latencies": latencies,
    }


def main():
    rng = random.Random(_data.SEED)
    with harness.environment() as env:
        ids = _data.ensure(env, harness.detail)
        token = setup(env)
        run = f"bench{int(time.time())}"
        events, truth = schedule(env.cr, ids, rng, run)
        env.cr.rollback()
    in_progress, peak = 0, 0
    for _at, kind, _call, _body, forged in sorted(events, key=lambda event: event[0]):
        if not forged and kind in ("ringing", "hangup"):
            in_progress += 1 if kind == "ringing" else -1
            peak = max(peak, in_progress)
    log = os.path.join(harness.setting("LOG_DIR"), "bench-pbx-webhook-server.log")
    server = serving.OdooServer(WORKERS, log, db_filter=DB_FILTER)
    server.start(
        harness.setting("PY"),
        harness.setting("ODOO_BIN"),
        harness.setting("CONF_FILE"),
        harness.setting("BENCH_DB"),
    )
    try:
        harness.detail(
            f"{len(truth)} calls, {len(events)} events over {SECONDS:.0f} s (peak {peak} calls in progress),"
            f" {RATE:g} events/s planned, {RETRIED:.0%} retried, {FORGED:.0%} forged;"
            f" Odoo --workers {WORKERS}{'' if DB_FILTER else ', no --db-filter'}; {harness.load_average()}"
        )
        url = f"{server.url}/crm_extended/pbx/{token}"
        warm_up(url, run)
        before = len(server.log_lines())
        with BusListener(harness.setting("BENCH_DB")) as listener:
            if SERIAL:
                results, labels, elapsed = play_serial(url, events)
            else:
                results, elapsed = play(url, events)
    finally:
        server.stop()
    if SERIAL:
        harness.detail("one Odoo process, the events one after another: Odoo's figures per request")
        serial_costs(server.log_lines()[before:], labels, [result[4] for result in results])
    cost = server_cost(server)
    statuses = {}
    for *_rest, status, _text, forged in results:
        statuses[status, forged] = statuses.get((status, forged), 0) + 1
    with harness.environment() as env:
        figures = check(env, run, truth, results, listener)
    real = [ms for kind, _c, _s, ms, _st, _t, forged in results if not forged]
    harness.detail(
        f"sent {len(results)} requests in {elapsed:.1f} s: {len(results) / elapsed:.1f} events/s;"
        f" answers {dict(sorted(statuses.items()))} ((status, forged): count)"
    )
    harness.detail(f"request to answer: {harness.timing(real)}")
    harness.detail(f"in the server: {cost}")
    latencies = figures["latencies"]
    ramped = [ms for call, ms in latencies.items() if truth[call]["at"] >= lifetime()]
    harness.detail(
        f"ringing to bus notification, every call: {harness.timing(list(latencies.values()))}"
        f" over {len(latencies)} calls"
    )
    harness.detail(
        f"ringing to bus notification, calls rung after the ramp-up ({lifetime():.0f} s):"
        f" {harness.timing(ramped)} over {len(ramped)} calls"
    )
    found, known = figures["identified"]
    harness.detail(
        f"calls {figures['calls']}, stored {figures['stored']}, lost {figures['lost']},"
        f" wrong final state {figures['wrong_state']},"
        f" without notification {figures['without_notification']},"
        f" duplicates {figures['duplicates']}, forged accepted {figures['forged_accepted']};"
        f" callers identified {found}/{known} (the generator's owner of the number)"
    )
    harness.detail(harness.load_average() + " after")
    if not SERIAL:  # one request at a time: no latency under load to report
        harness.report("pbx_webhook", harness.percentiles(ramped)[2], None, "ms")


if __name__ == "__main__":
    main()
