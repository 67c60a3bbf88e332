"""Odoo as a real HTTP server for bench/load.py, and what is measured around
it: sessions, the CPU each process group spends, PostgreSQL's connections
(pg_stat_activity, sampled) and its counters (pg_stat_database), on the
primary and, when there is one, the read replica."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.request

import psutil
import psycopg2

from odoo.tools import config


def free_port():
    """A free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OdooServer:
    """``odoo-bin --workers N`` on a free loopback port, on the bench database only."""

    def __init__(self, workers, log_path, replica_port=None, db_filter=True):
        self.workers = workers
        # without --db-filter, Odoo finds a session-less request's database in --database alone;
        # with it, it lists the server's databases on a new connection to `postgres` each time
        self.db_filter = db_filter
        self.port = free_port()
        self.log_path = log_path
        self.replica_port = replica_port
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, python, odoo_bin, conf_file, db_name):
        command = [
            python,
            odoo_bin,
            "-c",
            conf_file,
            "-d",
            db_name,
            *([f"--db-filter=^{db_name}$"] if self.db_filter else []),
            f"--workers={self.workers}",
            "--max-cron-threads=0",
            "--http-interface=127.0.0.1",
            f"--http-port={self.port}",
            f"--gevent-port={free_port()}",
            "--limit-request=10000000",  # no worker recycled in a run
            "--limit-time-cpu=600",
            "--limit-time-real=1200",
            f"--limit-memory-soft={4 << 30}",
            f"--limit-memory-hard={6 << 30}",
            f"--logfile={self.log_path}",
            "--log-level=info",  # Odoo's default: one line per request (worker pid, path, time)
        ]
        if self.replica_port:
            command += ["--db_replica_host=127.0.0.1", f"--db_replica_port={self.replica_port}"]
        with contextlib.suppress(FileNotFoundError):
            os.remove(self.log_path)
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"Odoo stopped at start (exit {self.process.returncode}); log: {self.log_path}"
                )
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{self.url}/web/health", timeout=5) as answer:
                    if answer.status == 200:
                        return
            time.sleep(0.5)
        raise RuntimeError(f"Odoo did not answer on {self.url} within 180 s; log: {self.log_path}")

    def stop(self):
        """Stop the server (its master stops its workers); kill its process group if it hangs."""
        if not self.process or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def processes(self):
        """The master and its children (HTTP workers, the gevent process)."""
        master = psutil.Process(self.process.pid)
        return [master, *master.children(recursive=True)]

    def worker_pids(self):
        """The HTTP workers (the gevent process is started as ``odoo-bin gevent``)."""
        return [
            process.pid
            for process in psutil.Process(self.process.pid).children()
            if "gevent" not in process.cmdline()
        ]

    def login(self, db_name, login, password):
        """A session (its cookie) from /web/session/authenticate, as the web client logs in."""
        body = json.dumps(
            {
                "jsonrpc": "2.0",
                "method": "call",
                "params": {"db": db_name, "login": login, "password": password},
            }
        )
        request = urllib.request.Request(
            f"{self.url}/web/session/authenticate",
            data=body.encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            result = json.load(answer)
            cookies = answer.headers.get_all("Set-Cookie") or []
        if not result.get("result", {}).get("uid"):
            raise RuntimeError(f"Cannot log in as {login}: {result.get('error', result)}")
        for cookie in cookies:
            if cookie.startswith("session_id="):
                return cookie.split(";", 1)[0].split("=", 1)[1]
        raise RuntimeError(f"No session cookie for {login}")

    def call(self, session, model, method, args, kwargs=None):
        """One /web/dataset/call_kw with ``session``: the result, or RuntimeError with Odoo's error."""
        body = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        }
        request = urllib.request.Request(
            f"{self.url}/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Cookie": f"session_id={session}"},
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            result = json.load(answer)
        if "error" in result:
            raise RuntimeError(
                f"{model}.{method}: {result['error'].get('data', {}).get('message', result['error'])}"
            )
        return result["result"]

    def log_lines(self):
        with (
            contextlib.suppress(FileNotFoundError),
            open(self.log_path, encoding="utf-8", errors="replace") as file,
        ):
            return file.readlines()
        return []


def cpu_seconds(processes):
    """User + system CPU seconds of each process still alive: {pid: seconds}."""
    seconds = {}
    for process in processes:
        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            seconds[process.pid] = times.user + times.system
    return seconds


class Cluster:
    """A PostgreSQL cluster (the primary or the replica) seen from the bench database."""

    def __init__(self, name, port, db_name):
        self.name = name
        self.db_name = db_name
        dsn = {key: config[f"db_{key}"] for key in ("host", "user", "password") if config[f"db_{key}"]}
        self.connection = psycopg2.connect(dbname=db_name, port=port, **dsn)
        self.connection.autocommit = True
        self.backend_pid = self._one("SELECT pg_backend_pid()")
        self.postmaster = psutil.Process(psutil.Process(self.backend_pid).ppid())

    def _one(self, query, params=()):
        with self.connection.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchone()[0]

    def close(self):
        self.connection.close()

    def stat_database(self):
        """The bench database's counters: transactions, rows returned/fetched, blocks read."""
        with self.connection.cursor() as cr:
            cr.execute(
                """SELECT xact_commit + xact_rollback, tup_returned, tup_fetched, tup_inserted,
                          blks_hit + blks_read
                     FROM pg_stat_database WHERE datname = %s""",
                [self.db_name],
            )
            row = cr.fetchone()
        return dict(
            zip(("transactions", "tup_returned", "tup_fetched", "tup_inserted", "blocks"), row, strict=True)
        )

    def cache_signal(self):
        """The value of Odoo's cache signalling sequence (what each worker compares with its own)."""
        return self._one("SELECT last_value FROM base_cache_signaling_default")

    def activity(self):
        """(Odoo's connections to the bench database by state, pids of its backends and of replication)."""
        with self.connection.cursor() as cr:
            cr.execute(
                """SELECT pid, coalesce(state, ''), backend_type, coalesce(application_name, '')
                     FROM pg_stat_activity
                    WHERE pid <> pg_backend_pid()
                      AND (datname = %s OR backend_type IN ('walsender', 'walreceiver', 'startup'))""",
                [self.db_name],
            )
            rows = cr.fetchall()
        states = {}
        ours = f"odoo-{os.getpid()}"  # this benchmark's own Odoo environment is not the server's
        for _pid, state, backend_type, application in rows:
            if backend_type == "client backend" and application.startswith("odoo-") and application != ours:
                states[state] = states.get(state, 0) + 1
        return states, {row[0] for row in rows}

    def cluster_processes(self):
        with contextlib.suppress(psutil.Error):
            return [self.postmaster, *self.postmaster.children()]
        return []


class Watch:
    """What a run costs, measured around it: CPU of Odoo, of each cluster (its
    bench-database backends and replication processes, and the whole cluster)
    and of the generator, connections sampled every ``period`` seconds, and
    each cluster's pg_stat_database counters."""

    def __init__(self, server, clusters, period=0.5):
        self.server = server
        self.clusters = clusters
        self.period = period
        self.samples = {cluster.name: [] for cluster in clusters}
        self.pids = {cluster.name: set() for cluster in clusters}
        self._stop = threading.Event()
        self._thread = None

    def _sample(self):
        while not self._stop.is_set():
            for cluster in self.clusters:
                states, pids = cluster.activity()
                self.samples[cluster.name].append(states)
                self.pids[cluster.name] |= pids
            self._stop.wait(self.period)

    def _cpu(self):
        times = psutil.cpu_times()
        cpu = {
            "machine": {0: sum(times) - times.idle - times.iowait},
            "odoo": cpu_seconds(self.server.processes()),
        }
        for cluster in self.clusters:
            _states, pids = cluster.activity()
            self.pids[cluster.name] |= pids
            cpu[f"{cluster.name} cluster"] = cpu_seconds(cluster.cluster_processes())
        return cpu

    def __enter__(self):
        self.counters = {cluster.name: cluster.stat_database() for cluster in self.clusters}
        self.cpu_before = self._cpu()
        self.started = time.monotonic()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.seconds = time.monotonic() - self.started
        cpu_after = self._cpu()
        self.cpu = {}
        for group, after in cpu_after.items():
            before = self.cpu_before.get(group, {})
            self.cpu[group] = sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())
        for cluster in self.clusters:  # the bench database's backends and replication only
            after = cpu_after[f"{cluster.name} cluster"]
            before = self.cpu_before[f"{cluster.name} cluster"]
            self.cpu[f"{cluster.name} backends"] = sum(
                after[pid] - before.get(pid, 0.0) for pid in self.pids[cluster.name] if pid in after
            )

    def counters_delta(self, settle=1.5):
        """pg_stat_database deltas per cluster, after ``settle`` seconds (idle
        backends report their counters within a second)."""
        time.sleep(settle)
        deltas = {}
        for cluster in self.clusters:
            after = cluster.stat_database()
            deltas[cluster.name] = {key: after[key] - self.counters[cluster.name][key] for key in after}
        return deltas

    def connections(self, cluster_name):
        """(most connections of Odoo at once, mean active ones) over the samples."""
        samples = self.samples[cluster_name]
        if not samples:
            return 0, 0.0
        most = max(sum(states.values()) for states in samples)
        active = sum(states.get("active", 0) for states in samples) / len(samples)
        return most, active
