"""Any HTTP/JSON gateway: one POST per message, or per batch of messages, configured rather than
coded; the requests of one sending share kept-alive connections (``HttpSession``).

``config``:

- ``send_url``: where a message (or a batch) is posted (JSON body);
- ``auth_header`` / ``api_key``: a header sent with every request, e.g.
  ``Authorization`` / ``Bearer <token>`` (the value is the secret);
- ``payload_template``: the JSON body, where the strings ``{number}``,
  ``{body}``, ``{uuid}`` and ``{sender}`` are replaced by the message's values
  (JSON-escaped), e.g. ``{"to": "{number}", "text": "{body}", "ref": "{uuid}"}``;
- ``id_path``, ``status_path``, ``error_path``: dotted paths in the answer of
  the provider's message id, its status and its error text;
- ``batch_template`` (optional): for a gateway taking several messages per
  request, the JSON posted for a batch, where ``{messages}`` is replaced by the
  messages' payloads (``payload_template``) separated by commas, e.g.
  ``{"messages": [{messages}]}``; ``batch_size`` messages at most per request
  (100 by default); ``results_path``: the dotted path of the list of answers
  in the gateway's answer, one per message in the order sent, each read with
  ``id_path``, ``status_path`` and ``error_path``. An answer the add-on cannot
  read message by message makes every message of the batch an error saying so
  (never sent again: the gateway may have taken them);
- ``ok_values``: the statuses meaning "accepted" (comma separated; any status
  when empty); ``delivered_values`` / ``failed_values``: the statuses of a
  delivery report meaning delivered / not delivered (others: still on its way);
- ``report_id_path``, ``report_status_path``: where a delivery report (a JSON
  object, or a list of them) carries the message id and its status;
- ``webhook_secret`` and ``signature_header``: delivery reports are signed
  with ``hex(hmac_sha256(webhook_secret, raw body))`` in that header
  (``sha256=`` prefix allowed);
- ``balance_url`` / ``balance_path``; ``status_url`` (with ``{id}``).

Answers: 2xx with an accepted status and an id: pending; 2xx otherwise, or
another 4xx: error with the provider's text; 429, 5xx, no answer: retry (every
message of the request).
"""

import hashlib
import hmac
import json

from .base import HttpSession, ProviderError, Refused, Report, Result, Unavailable, http_request, json_path

DEFAULT_BATCH_SIZE = 100


def _values(text):
    return {value.strip() for value in (text or "").split(",") if value.strip()}


class GenericProvider:
    def __init__(self, config):
        self.config = config
        self.timeout = config.get("timeout") or 20

    def _headers(self):
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.config.get("auth_header") and self.config.get("api_key"):
            headers[self.config["auth_header"]] = self.config["api_key"]
        return headers

    def payload(self, message):
        """The request body of ``message``: the template with its placeholders filled, JSON-escaped."""
        body = self.config.get("payload_template") or '{"to": "{number}", "text": "{body}"}'
        values = {"number": message.number, "body": message.body, "uuid": message.uuid}
        values["sender"] = self.config.get("sender") or ""
        for name, value in values.items():
            body = body.replace("{" + name + "}", json.dumps(value or "")[1:-1])
        return body.encode()

    def send(self, batch):
        with HttpSession(self.timeout) as session:
            if self.config.get("batch_template"):
                return self._send_batches(session, batch)
            return [self._send_one(session, message) for message in batch]

    def _send_one(self, session, message):
        if not message.number:
            return Result(message.uuid, "error", failure_type="sms_number_missing", reason="No number")
        try:
            answer = session.request(
                self.config["send_url"], data=self.payload(message), headers=self._headers()
            )
        except Unavailable as error:
            return Result(message.uuid, "retry", reason=f"Gateway unavailable: {error}")
        return self._result(message, answer.status, answer.json, answer.body)

    def _result(self, message, http_status, data, raw=b""):
        """The result of ``message`` from its answer ``data`` (a whole answer, or its entry in a batch's)."""
        status = json_path(data, self.config.get("status_path"))
        error = json_path(data, self.config.get("error_path"))
        ok_values = _values(self.config.get("ok_values"))
        provider_id = json_path(data, self.config.get("id_path"))
        if 200 <= http_status < 300 and provider_id and (not ok_values or str(status) in ok_values):
            return Result(message.uuid, "pending", provider_id=str(provider_id))
        text = error or status or raw[:200].decode(errors="replace")
        return Result(message.uuid, "error", failure_type="unknown", reason=f"HTTP {http_status}: {text}")

    def _send_batches(self, session, batch):
        results = {
            message.uuid: Result(message.uuid, "error", failure_type="sms_number_missing", reason="No number")
            for message in batch
            if not message.number
        }
        messages = [message for message in batch if message.number]
        size = max(int(self.config.get("batch_size") or DEFAULT_BATCH_SIZE), 1)
        for start in range(0, len(messages), size):
            chunk = messages[start : start + size]
            for result in self._send_chunk(session, chunk):
                results[result.uuid] = result
        return [results[message.uuid] for message in batch]

    def _send_chunk(self, session, chunk):
        body = self.config["batch_template"].replace(
            "{messages}", ", ".join(self.payload(message).decode() for message in chunk)
        )
        try:
            answer = session.request(self.config["send_url"], data=body.encode(), headers=self._headers())
        except Unavailable as error:
            return [
                Result(message.uuid, "retry", reason=f"Gateway unavailable: {error}") for message in chunk
            ]
        entries = json_path(answer.json, self.config.get("results_path"))
        if 200 <= answer.status < 300 and isinstance(entries, list) and len(entries) == len(chunk):
            return [
                self._result(message, answer.status, entry)
                for message, entry in zip(chunk, entries, strict=True)
            ]
        if 200 <= answer.status < 300:
            # taken, perhaps: an error to look at, never posted again
            reason = (
                f"HTTP {answer.status}: the answer has no list of {len(chunk)} results at "
                f"'{self.config.get('results_path') or ''}': {answer.body[:200].decode(errors='replace')}"
            )
            return [Result(message.uuid, "error", failure_type="unknown", reason=reason) for message in chunk]
        return [self._result(message, answer.status, answer.json, answer.body) for message in chunk]

    def balance(self):
        if not self.config.get("balance_url"):
            raise ProviderError("No balance URL configured")
        try:
            answer = http_request(self.config["balance_url"], headers=self._headers(), timeout=self.timeout)
        except Unavailable as error:
            raise ProviderError(str(error)) from error
        value = json_path(answer.json, self.config.get("balance_path") or "balance")
        if answer.status != 200 or value is None:
            raise ProviderError(f"HTTP {answer.status}")
        return float(value)

    def status(self, ids):
        if not self.config.get("status_url"):
            return {}
        reports = {}
        for provider_id in ids:
            try:
                answer = http_request(
                    self.config["status_url"].replace("{id}", provider_id),
                    headers=self._headers(),
                    timeout=self.timeout,
                )
            except Unavailable as error:
                raise ProviderError(str(error)) from error
            report = self._report({**(answer.json or {}), "__id": provider_id}, id_path="__id")
            if report:
                reports[provider_id] = report
        return reports

    def parse_delivery_report(self, request):
        secret = self.config.get("webhook_secret") or ""
        header = (self.config.get("signature_header") or "X-Signature").lower()
        signature = (request.headers.get(header) or "").removeprefix("sha256=")
        expected = hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
        if not secret or not hmac.compare_digest(signature.encode(), expected.encode()):
            raise Refused("wrong signature")
        try:
            data = json.loads(request.body.decode() or "null")
        except (ValueError, UnicodeDecodeError) as error:
            raise Refused("unreadable JSON") from error
        entries = data if isinstance(data, list) else [data]
        return [report for report in map(self._report, entries) if report]

    def _report(self, entry, id_path=None):
        provider_id = json_path(entry, id_path or self.config.get("report_id_path") or "id")
        status = json_path(entry, self.config.get("report_status_path") or "status")
        if provider_id is None or status is None:
            return None
        status = str(status)
        if status in _values(self.config.get("delivered_values")):
            return Report(str(provider_id), "sent", reason=status)
        if status in _values(self.config.get("failed_values")):
            return Report(str(provider_id), "error", "sms_not_delivered", reason=status)
        return Report(str(provider_id), "pending", reason=status)

    @staticmethod
    def report_answer():
        return "application/json", '{"ok": true}'
