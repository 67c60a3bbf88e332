"""Mango Office's API on loopback, for tests.

``POST /vpbx/commands/callback`` as "API MANGO OFFICE" v1.9 describes it
(§3.2.1), with its signature check (§2.4.3:
``sign = sha256(vpbx_api_key + json + vpbx_api_salt)``, computed here on its
own, not with the add-on's code) and its result codes (the list of result
codes, pp. 322-327): 1000 done, 3102 wrong sign, 3103 missing parameter, 3105
wrong key, 3100 parameters it cannot execute (an extension the PBX does not
have), 3400 unreadable JSON, 4001 unknown command, and the 429 answer of
§1.4.2 when rate limited. A real HTTP server in a thread, on a free port.

Mango answers every request with a JSON ``result``; its HTTP status class is
loose (§2.1.1). This server answers 200 to a command it executed or that
failed on its side (billing, server), 4xx to a request it refuses.
"""

import hashlib
import hmac
import http.server
import json
import threading
import time
import urllib.parse

CALLBACK_PATH = "/vpbx/commands/callback"


class MangoServer:
    """Use as a context manager::

        with MangoServer(api_key="k", api_salt="s", extensions={"101"}) as mango:
            mango.api_url  # http://127.0.0.1:<port>/vpbx/
            mango.commands  # every request received, in order

    Knobs: ``force_result`` (the code answered to the next valid commands,
    e.g. 2240, insufficient funds), ``rate_limited``, ``delay``
    (seconds before answering).
    """

    def __init__(self, api_key="mango-key", api_salt="mango-salt", extensions=("101",)):
        self.api_key = api_key
        self.api_salt = api_salt
        self.extensions = set(extensions)
        self.commands = []
        self.force_result = None
        self.rate_limited = False
        self.delay = 0
        self._lock = threading.Lock()
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, name="mango-server", daemon=True)

    @property
    def api_url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}/vpbx/"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def answer(self, path, form):
        """``(HTTP status, JSON answer)`` of Mango to ``form`` posted at ``path``; records it."""
        command = {"path": path, "form": form, "json": None}
        status, result = self._execute(path, form, command)
        command["status"], command["result"] = status, result
        with self._lock:
            self.commands.append(command)
        return status, result

    def _execute(self, path, form, command):
        if path != CALLBACK_PATH:
            return 404, {"result": 4001}
        if self.rate_limited:
            return 429, {
                "name": "Service Unavailable",
                "message": "Rate limit exceeded.",
                "code": 0,
                "status": 429,
            }
        key, sign, payload = form.get("vpbx_api_key"), form.get("sign"), form.get("json")
        if not key or not sign or payload is None:
            return 400, {"result": 3103}
        if key != self.api_key:
            return 401, {"result": 3105}
        expected = hashlib.sha256((key + payload + self.api_salt).encode()).hexdigest()
        if not hmac.compare_digest(sign.encode(), expected.encode()):
            return 401, {"result": 3102}
        try:
            data = json.loads(payload)
        except ValueError:
            return 400, {"result": 3400}
        command["json"] = data
        caller = data.get("from") if isinstance(data, dict) else None
        if not isinstance(caller, dict) or not caller.get("extension") or not data.get("to_number"):
            return 400, {"result": 3103}
        if str(caller["extension"]) not in self.extensions:
            return 400, {"result": 3100}
        if self.force_result:
            return 200, {"result": self.force_result}
        return 200, {"result": 1000}

    def _handler_class(self):
        mango = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                form = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
                status, result = mango.answer(urllib.parse.urlsplit(self.path).path, form)
                if mango.delay:
                    time.sleep(mango.delay)
                content = json.dumps(result).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(content)))
                    self.end_headers()
                    self.wfile.write(content)
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client gave up waiting (timeout tests)

            def log_message(self, *args):
                """Quiet: the test log is for the tests."""

        return Handler
