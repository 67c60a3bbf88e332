"""A generic HTTP/JSON SMS gateway on loopback, for the tests.

``POST /v1/messages`` with ``Authorization: Bearer <token>`` and a JSON body
``{"to": ..., "text": ..., "reference": ...}`` answers 201
``{"message": {"id": "m-1", "status": "queued"}}``, 400 ``{"error": "invalid
number"}`` for a number that is not + and 8 to 15 digits, 401 for a wrong
token, 429 when ``rate_limited``, 503 when ``down``. ``GET /v1/balance``:
``{"balance": 12.5}``. ``POST /v1/batch`` takes ``{"messages": [<message>,
...]}`` (at most 50) and answers 200 ``{"results": [{"id": ..., "status":
"queued"} or {"status": "rejected", "error": "invalid number"}, ...]}`` in
the order sent. HTTP/1.1 with kept-alive connections (``connections`` counts
those opened); ``close_after`` closes each connection after that many
requests (``Connection: close``), as servers limiting keep-alive do. Delivery
reports are signed with ``hex(hmac_sha256(secret, body))`` by
:meth:`GenericSmsServer.report`.
"""

import hashlib
import hmac
import http.server
import itertools
import json
import re
import threading
import urllib.parse


class GenericSmsServer:
    def __init__(self, token="generic-token"):
        self.token = token
        self.rate_limited = False
        self.down = False
        self.received = []
        self.requests = 0
        self.connections = 0
        self.close_after = 0
        self._ids = itertools.count(1)
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, name="sms-generic", daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def handle(self, method, path, headers, body):
        if self.down:
            return 503, {"error": "maintenance"}
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {"error": "bad token"}
        if method == "GET" and path == "/v1/balance":
            return 200, {"balance": 12.5}
        if method != "POST" or path not in ("/v1/messages", "/v1/batch"):
            return 404, {"error": "not found"}
        if self.rate_limited:
            return 429, {"error": "too many requests"}
        data = json.loads(body or b"null")
        if path == "/v1/batch":
            messages = data.get("messages") if isinstance(data, dict) else None
            if not isinstance(messages, list) or not 1 <= len(messages) <= 50:
                return 400, {"error": "1 to 50 messages per batch"}
            self.received.extend(messages)
            return 200, {"results": [self._take(message)[1] for message in messages]}
        self.received.append(data)
        status, answer = self._take(data)
        return (201, {"message": answer}) if status == "queued" else (400, {"error": answer["error"]})

    def _take(self, message):
        if not re.fullmatch(r"\+\d{8,15}", message.get("to") or ""):
            return "rejected", {"status": "rejected", "error": "invalid number"}
        return "queued", {"id": f"m-{next(self._ids)}", "status": "queued"}

    @staticmethod
    def report(secret, payload):
        """``(body, headers)`` of a delivery report the gateway posts."""
        body = json.dumps(payload).encode()
        signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        return body, {"Content-Type": "application/json", "X-Signature": f"sha256={signature}"}

    def _handler_class(self):
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # kept-alive connections

            def setup(self):
                super().setup()
                server.connections += 1
                self.served = 0

            def _answer(self, method):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = urllib.parse.urlsplit(self.path).path
                server.requests += 1
                self.served += 1
                status, answer = server.handle(method, path, self.headers, body)
                content = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(content)))
                if server.close_after and self.served >= server.close_after:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                self.wfile.write(content)

            def do_GET(self):
                self._answer("GET")

            def do_POST(self):
                self._answer("POST")

            def log_message(self, *args):
                """Quiet."""

        return Handler
