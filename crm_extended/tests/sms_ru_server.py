# ruff: noqa: RUF001 (SMS.ru's own Russian texts)
# ruff: noqa: RUF001 (SMS.ru's own Russian texts)
"""SMS.ru's HTTP API on loopback, for the tests and the benchmark.

Implements, as SMS.ru documents them (https://sms.ru/api, JSON answers with
``json=1``), with codes computed here on their own, not with the add-on's code:

- ``POST /sms/send``: ``api_id``, ``to`` (comma separated, up to 100) + ``msg``,
  or ``multi[<number>]=<text>``; answers ``{"status": "OK", "status_code":
  100, "sms": {<number>: {...}}, "balance": ...}``; per number ``status_code``
  100 with an ``sms_id``, or 202 (wrong number: not 11 digits, or in
  ``invalid_numbers``), 207 (no route: in ``no_route_numbers``), 231 (too many
  identical messages to this number per minute: in ``limited_numbers``); for
  the whole request 200 (wrong api_id), 201 (not enough money: ``balance``
  below the price of the messages), 203 (no text), 213 (over 100 numbers),
  220 (service temporarily unavailable: ``unavailable``);
- ``GET|POST /my/balance``, ``GET|POST /sms/status`` (``sms_id`` comma separated;
  -1 for an unknown id);
- ``outage``: every request answered HTTP 503 (a 5xx, not SMS.ru's JSON);
- :meth:`SmsRuServer.callback_form`: the form SMS.ru posts to a callback URL
  (``data[i]`` = ``"sms_status\\n<id>\\n<code>\\n<time>"``, ``hash`` = sha256 of
  api_id + the data entries in order).

Use as a context manager; ``api_url`` is ``http://127.0.0.1:<port>``. Importable
by file path (the benchmark does): it needs nothing but the standard library.
"""

import hashlib
import http.server
import itertools
import json
import re
import threading
import time
import urllib.parse


class SmsRuServer:
    def __init__(self, api_id="smsru-test-api-id", balance=1000.0, price=1.5, keep_messages=True):
        self.api_id = api_id
        self.balance = balance
        self.price = price
        self.keep_messages = keep_messages
        self.invalid_numbers = set()
        self.no_route_numbers = set()
        self.limited_numbers = set()
        self.unavailable = False
        self.outage = False
        self.messages = {}  # sms_id -> {"number", "text", "status_code"}
        self.requests = []  # (path, form) of every request
        self.sent_count = 0
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="sms-ru-server", daemon=True)

    @property
    def api_url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    # the API

    def handle(self, path, form):
        """``(HTTP status, answer dict)`` of SMS.ru to ``form`` at ``path``."""
        if self.keep_messages:
            with self._lock:
                self.requests.append((path, form))
        if self.outage:
            return 503, None
        if self.unavailable:
            return 200, {"status": "ERROR", "status_code": 220, "status_text": "Сервис временно недоступен"}
        if form.get("api_id") != self.api_id:
            return 200, {"status": "ERROR", "status_code": 200, "status_text": "Неправильный api_id"}
        if path == "/sms/send":
            return 200, self._send(form)
        if path == "/my/balance":
            return 200, {"status": "OK", "status_code": 100, "balance": round(self.balance, 2)}
        if path == "/sms/status":
            return 200, self._status(form)
        return 200, {"status": "ERROR", "status_code": 211, "status_text": "Метод не найден"}

    def _send(self, form):
        if form.get("to"):
            texts = {number.strip(): form.get("msg", "") for number in form["to"].split(",")}
        else:
            texts = {key[6:-1]: value for key, value in form.items() if re.fullmatch(r"multi\[.+\]", key)}
        if not texts or any(not text for text in texts.values()):
            return {"status": "ERROR", "status_code": 203, "status_text": "Нет текста сообщения"}
        if len(texts) > 100:
            return {"status": "ERROR", "status_code": 213, "status_text": "Указано более 100 номеров"}
        answers = {}
        with self._lock:
            valid = [number for number in texts if self._number_code(number) == 100]
            if valid and self.balance < self.price * len(valid):
                return {
                    "status": "ERROR",
                    "status_code": 201,
                    "status_text": "Не хватает средств на лицевом счету",
                }
            for number, text in texts.items():
                code = self._number_code(number)
                if code != 100:
                    answers[number] = {"status": "ERROR", "status_code": code, "status_text": ERRORS[code]}
                    continue
                sms_id = f"{next(self._ids):06d}-{int(time.time()) % 10000000:07d}"
                self.balance -= self.price
                self.sent_count += 1
                if self.keep_messages:
                    self.messages[sms_id] = {"number": number, "text": text, "status_code": 100}
                answers[number] = {"status": "OK", "status_code": 100, "sms_id": sms_id}
        return {"status": "OK", "status_code": 100, "sms": answers, "balance": round(self.balance, 2)}

    def _number_code(self, number):
        if not re.fullmatch(r"\d{11}", number) or number in self.invalid_numbers:
            return 202
        if number in self.no_route_numbers:
            return 207
        if number in self.limited_numbers:
            return 231
        return 100

    def _status(self, form):
        answers = {}
        for sms_id in (form.get("sms_id") or "").split(","):
            message = self.messages.get(sms_id)
            if message is None:
                answers[sms_id] = {
                    "status": "ERROR",
                    "status_code": -1,
                    "status_text": "Сообщение не найдено",
                }
            else:
                code = message["status_code"]
                answers[sms_id] = {"status": "OK", "status_code": code, "status_text": STATUSES.get(code, "")}
        return {"status": "OK", "status_code": 100, "sms": answers, "balance": round(self.balance, 2)}

    # callbacks

    def set_status(self, sms_id, code):
        self.messages[sms_id]["status_code"] = code

    def callback_form(self, statuses, api_id=None):
        """The form SMS.ru posts to the callback URL for ``statuses`` (``[(sms_id, code)]``)."""
        entries = [f"sms_status\n{sms_id}\n{code}\n{int(time.time())}" for sms_id, code in statuses]
        form = {f"data[{index}]": entry for index, entry in enumerate(entries)}
        digest = hashlib.sha256(((api_id or self.api_id) + "".join(entries)).encode()).hexdigest()
        form["hash"] = digest
        return form

    def _handler_class(self):
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self, form):
                status, answer = server.handle(urllib.parse.urlsplit(self.path).path, form)
                content = b"Service Unavailable" if answer is None else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain" if answer is None else "application/json")
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def do_GET(self):
                self._answer(dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query)))

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                self._answer(dict(urllib.parse.parse_qsl(body, keep_blank_values=True)))

            def log_message(self, *args):
                """Quiet: the test log is for the tests."""

        return Handler


ERRORS = {
    202: "Неправильно указан номер телефона получателя, либо на него нет маршрута",
    207: "На этот номер нет маршрута для доставки сообщений",
    231: "Превышен лимит одинаковых сообщений на этот номер в минуту",
}
STATUSES = {
    100: "Сообщение находится в нашей очереди",
    102: "Сообщение отправлено (в пути)",
    103: "Сообщение доставлено",
}
