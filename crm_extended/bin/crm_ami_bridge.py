#!/usr/bin/env python3
"""crm_ami_bridge: Asterisk's calls into Odoo (crm_extended telephony).

Connects to the Asterisk Manager Interface (AMI), follows every call through
its events (Newchannel, DialBegin, BridgeEnter, Hangup...) and posts one
signed JSON event per ringing / answered / hangup to the add-on's generic
endpoint ``POST <odoo url>/crm_extended/pbx/<connection token>`` (the
connection's *URL* in Odoo). Python 3.9+, standard library only; it needs the
add-on's ``services/pbx`` folder next to this one (run it from the add-on, or
copy ``bin/`` and ``services/pbx/`` side by side).

1. An AMI user, in ``/etc/asterisk/manager.conf`` (then ``manager reload``)::

       [general]
       enabled = yes
       port = 5038
       bindaddr = 127.0.0.1           ; or the address Odoo's click to dial comes from
       timestampevents = yes          ; events carry the time they happened
       channelvars = MIXMONITOR_FILENAME  ; the recording's file on every call event

       [crm]
       secret = a-long-random-secret
       deny = 0.0.0.0/0.0.0.0
       permit = 127.0.0.1/255.255.255.255   ; the bridge's host (and Odoo's, for click to dial)
       read = system,call,agent       ; agent: queue events; add dialplan for VarSet instead of channelvars
       write = originate              ; click to dial from Odoo

2. In Odoo: CRM > Configuration > PBX connections, an *Asterisk* connection;
   its URL and secret are what the bridge needs (the AMI fields serve click to dial).

3. Try it in a shell::

       CRM_AMI_SECRET=... CRM_PBX_SECRET=... python3 crm_ami_bridge.py \\
           --ami-host 127.0.0.1 --ami-user crm --url https://odoo.example.com/crm_extended/pbx/<token>

4. Run it as a systemd service, ``/etc/systemd/system/crm-ami-bridge.service``::

       [Unit]
       Description=Asterisk calls into Odoo (crm_extended)
       After=network-online.target asterisk.service

       [Service]
       EnvironmentFile=/etc/crm-ami-bridge.env     ; CRM_* lines below, mode 600
       ExecStart=/usr/bin/python3 /opt/odoo/addons/crm_extended/bin/crm_ami_bridge.py
       Restart=always
       RestartSec=5
       DynamicUser=yes

       [Install]
       WantedBy=multi-user.target

   then ``systemctl enable --now crm-ami-bridge`` and ``journalctl -u crm-ami-bridge -f``.

Settings (option, else environment variable): ``--ami-host`` CRM_AMI_HOST
(127.0.0.1), ``--ami-port`` CRM_AMI_PORT (5038), ``--ami-user`` CRM_AMI_USER,
CRM_AMI_SECRET, ``--url`` CRM_PBX_URL, CRM_PBX_SECRET (the connection's
secret), ``--internal-pattern`` CRM_INTERNAL_PATTERN (``^\\d{2,5}$``: which
numbers are extensions), ``--internal-contexts`` / ``--external-contexts``
CRM_INTERNAL_CONTEXTS / CRM_EXTERNAL_CONTEXTS (comma-separated contexts where
phones / trunks start their calls), ``--recording-variables``
CRM_RECORDING_VARIABLES (MIXMONITOR_FILENAME), ``--recording-url``
CRM_RECORDING_URL (``{value}``; e.g. ``https://pbx.example.com/rec/{basename}``),
``--call-id-prefix`` CRM_CALL_ID_PREFIX (one Odoo connection, several
Asterisks), ``--log-level`` CRM_LOG_LEVEL (INFO). Secrets are read from the
environment only, never from the command line (``ps`` would show them).

Delivery: events go out in order; a network error or a 5xx (or 408/429)
answer is retried with growing delays (1 s to 60 s) until Odoo accepts it; a
refusal (another 4xx) is logged with Odoo's answer and not sent again; an
accepted event is never sent again (the endpoint is idempotent anyway). A
malformed AMI packet or an unknown event is logged and skipped.
"""

import argparse
import collections
import dataclasses
import json
import logging
import os
import queue
import signal
import sys
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "services"))

from pbx import ami, generic  # the add-on's services folder, put on the path just above

_logger = logging.getLogger("crm_ami_bridge")

RETRY_STATUSES = (408, 429)  # besides 5xx: Odoo asks to come back later


@dataclasses.dataclass
class Settings:
    """What the bridge needs; :func:`settings_from_args` fills it from the command line."""

    url: str
    secret: str
    ami_host: str = "127.0.0.1"
    ami_port: int = 5038
    ami_user: str = ""
    ami_secret: str = ""
    rules: ami.Rules = dataclasses.field(default_factory=ami.Rules)
    http_timeout: float = 10.0
    retry_initial: float = 1.0
    retry_max: float = 60.0
    reconnect_initial: float = 1.0
    reconnect_max: float = 60.0
    ping_interval: float = 30.0
    queue_size: int = 10000
    drain_seconds: float = 5.0  # after stop, how long queued events may still go out


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # a redirected POST would arrive as a GET without its body: report it instead
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Sender:
    """Posts the events put into it, one at a time and in order, from its own thread."""

    def __init__(self, settings, stop):
        self.settings = settings
        self.stop = stop
        self.queue = queue.Queue(maxsize=settings.queue_size)
        self.halt = threading.Event()  # set when even the drain time is over
        self.sent = collections.OrderedDict()  # (call_id, event) already accepted
        self.opener = urllib.request.build_opener(_NoRedirect)
        self.thread = threading.Thread(target=self._run, name="crm-ami-bridge-sender", daemon=True)

    def put(self, event):
        try:
            self.queue.put_nowait(event)
        except queue.Full:
            _logger.error(
                "queue full (%s events): Odoo unreachable for long? %s %s dropped",
                self.settings.queue_size,
                event["event"],
                event["call_id"],
            )

    def _run(self):
        while True:
            try:
                event = self.queue.get(timeout=0.2)
            except queue.Empty:
                if self.stop.is_set():
                    return
                continue
            if self.halt.is_set():
                _logger.warning("stopped: %s %s not delivered", event["event"], event["call_id"])
                continue
            self.deliver(event)

    def deliver(self, event):
        """Post ``event`` until Odoo accepts or refuses it; True when accepted."""
        key = (event["call_id"], event["event"])
        if key in self.sent:
            return True
        body = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
        backoff = ami.Backoff(self.settings.retry_initial, self.settings.retry_max)
        while not self.halt.is_set():
            status, answer = self._post(body)
            if status is not None and 200 <= status < 300:
                _logger.info("%s %s delivered (%s)", event["event"], event["call_id"], answer[:200])
                self.sent[key] = True
                while len(self.sent) > 100000:
                    self.sent.popitem(last=False)
                return True
            if status is not None and status < 500 and status not in RETRY_STATUSES:
                _logger.error(
                    "Odoo refused %s %s: HTTP %s %s", event["event"], event["call_id"], status, answer
                )
                return False
            delay = backoff.next()
            _logger.warning(
                "%s %s not delivered (%s); retrying in %.1f s",
                event["event"],
                event["call_id"],
                f"HTTP {status} {answer}" if status else answer,
                delay,
            )
            self.halt.wait(delay)
        return False

    def _post(self, body):
        """``(HTTP status, answer text)``, or ``(None, error)`` when no answer came."""
        headers = generic.signed_headers(self.settings.secret, body, time.time())
        headers["User-Agent"] = "crm-ami-bridge/1.0"
        request = urllib.request.Request(self.settings.url, data=body, headers=headers, method="POST")
        try:
            with self.opener.open(request, timeout=self.settings.http_timeout) as response:
                return response.status, response.read(4096).decode("utf-8", errors="replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read(4096).decode("utf-8", errors="replace").strip()
        except (urllib.error.URLError, OSError, ValueError) as error:
            return None, str(getattr(error, "reason", error))


def run(settings, stop):
    """The bridge's main loop: follow Asterisk and post its calls to Odoo until ``stop`` is set.

    After ``stop`` the events already queued still go out for ``drain_seconds``.
    """
    tracker = ami.CallTracker(settings.rules)
    sender = Sender(settings, stop)
    sender.thread.start()
    last_expiry = time.monotonic()

    def handle(packet):
        nonlocal last_expiry
        for event in tracker.feed(packet):
            sender.put(event)
        if time.monotonic() - last_expiry > 60:
            last_expiry = time.monotonic()
            for event in tracker.expire():
                sender.put(event)

    def client():
        return ami.AmiClient(settings.ami_host, settings.ami_port, settings.ami_user, settings.ami_secret)

    try:
        ami.follow(
            client,
            stop,
            handle,
            ami.Backoff(settings.reconnect_initial, settings.reconnect_max),
            ping_interval=settings.ping_interval,
        )
    finally:
        stop.set()
        sender.thread.join(settings.drain_seconds)
        sender.halt.set()
        sender.thread.join(settings.http_timeout + 1)


def _split(value):
    return tuple(item.strip() for item in (value or "").split(",") if item.strip())


def settings_from_args(argv=None, environ=None):
    """:class:`Settings` from the command line, else the CRM_* environment variables."""
    env = os.environ if environ is None else environ
    parser = argparse.ArgumentParser(description="Post Asterisk's calls to Odoo (crm_extended).")
    parser.add_argument("--ami-host", default=env.get("CRM_AMI_HOST", "127.0.0.1"))
    parser.add_argument("--ami-port", type=int, default=int(env.get("CRM_AMI_PORT", "5038")))
    parser.add_argument("--ami-user", default=env.get("CRM_AMI_USER", ""))
    parser.add_argument("--url", default=env.get("CRM_PBX_URL", ""), help="the connection's URL in Odoo")
    parser.add_argument("--internal-pattern", default=env.get("CRM_INTERNAL_PATTERN", ami.INTERNAL_PATTERN))
    parser.add_argument(
        "--internal-contexts", default=env.get("CRM_INTERNAL_CONTEXTS", ",".join(ami.INTERNAL_CONTEXTS))
    )
    parser.add_argument(
        "--external-contexts", default=env.get("CRM_EXTERNAL_CONTEXTS", ",".join(ami.EXTERNAL_CONTEXTS))
    )
    parser.add_argument(
        "--recording-variables", default=env.get("CRM_RECORDING_VARIABLES", ",".join(ami.RECORDING_VARIABLES))
    )
    parser.add_argument("--recording-url", default=env.get("CRM_RECORDING_URL", "{value}"))
    parser.add_argument("--call-id-prefix", default=env.get("CRM_CALL_ID_PREFIX", ""))
    parser.add_argument("--log-level", default=env.get("CRM_LOG_LEVEL", "INFO"))
    args = parser.parse_args(argv)
    missing = [
        name
        for name, value in (
            ("--url / CRM_PBX_URL", args.url),
            ("CRM_PBX_SECRET", env.get("CRM_PBX_SECRET")),
            ("--ami-user / CRM_AMI_USER", args.ami_user),
            ("CRM_AMI_SECRET", env.get("CRM_AMI_SECRET")),
        )
        if not value
    ]
    if missing:
        parser.error("missing: " + ", ".join(missing))
    rules = ami.Rules(
        internal_pattern=args.internal_pattern,
        internal_contexts=_split(args.internal_contexts),
        external_contexts=_split(args.external_contexts),
        recording_variables=_split(args.recording_variables),
        recording_url=args.recording_url,
        call_id_prefix=args.call_id_prefix,
    )
    settings = Settings(
        url=args.url,
        secret=env["CRM_PBX_SECRET"],
        ami_host=args.ami_host,
        ami_port=args.ami_port,
        ami_user=args.ami_user,
        ami_secret=env["CRM_AMI_SECRET"],
        rules=rules,
    )
    return settings, args.log_level.upper()


def main(argv=None):
    settings, level = settings_from_args(argv)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_args: stop.set())
    _logger.info(
        "posting the calls of Asterisk %s:%s to %s", settings.ami_host, settings.ami_port, settings.url
    )
    run(settings, stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
