"""SMS.ru's HTTP API (https://sms.ru/api), its JSON answers (``json=1``).

- ``POST <api>/sms/send``: ``api_id``, ``json=1``, and either ``to`` (up to
  100 numbers, comma separated) with one ``msg``, or ``multi[<number>]=<text>``
  (up to 100) for different texts; optional ``from`` (an approved sender
  name). Answer: ``{"status": "OK", "status_code": 100, "sms": {<number>:
  {"status": "OK", "status_code": 100, "sms_id": "..."} or {"status":
  "ERROR", "status_code": 202, "status_text": "..."}}, "balance": ...}``, or
  for the whole request ``{"status": "ERROR", "status_code": 201,
  "status_text": "..."}``.
- ``GET <api>/my/balance?api_id&json=1``: ``{"status": "OK", "status_code":
  100, "balance": 4122.56}``.
- ``GET <api>/sms/status?api_id&sms_id=<id>,<id>&json=1``: ``{"status": "OK",
  "status_code": 100, "sms": {<id>: {"status": "OK", "status_code": 103,
  "status_text": "..."}}}``.
- Callback (the "callback" page of the account): a form POST of ``data[0]``,
  ``data[1]``... each ``"sms_status\\n<sms_id>\\n<status code>\\n<unix time>"``
  (``"test\\n<time>"`` when the URL is checked) and ``hash``, the sha256 in
  hex of the api_id followed by every ``data`` entry in order; the handler
  answers ``100``, else SMS.ru posts again.

Request codes (the API's list of codes):
100 request done / message queued; 200 wrong api_id; 201 not enough money on
the account; 202 wrong recipient number, or no route to it; 203 no text;
204 sender name not approved; 205 message too long (over 8 SMS); 206 the
daily sending limit is or would be exceeded; 207 no delivery route to this
number; 208 wrong ``time``; 209 the number is in the stop list; 210 GET used
where POST is required; 211 method not found; 212 text not in UTF-8; 213 more
than 100 numbers; 220 service temporarily unavailable, try a bit later;
230 daily limit of messages to this number exceeded; 231 limit of identical
messages to this number per minute exceeded; 232 the same per day; 233 limit
of repeated code messages to this number in a short time; 300 wrong token;
301 wrong api_id or login/password; 302 account not confirmed; 500 server
error, repeat the request.
Message status codes: -1 not found; 100 queued at SMS.ru; 101 being passed to
the operator; 102 sent (on its way); 103 delivered; 104 not delivered: its
lifetime expired; 105 deleted by the operator; 106 phone failure; 107 not
delivered, unknown reason; 108 rejected; 110 read (Viber); 150 no route.
"""

import hashlib
import hmac
import re

from .base import Message, ProviderError, Refused, Report, Result, Unavailable, http_request  # noqa: F401

DEFAULT_API_URL = "https://sms.ru"
MAX_NUMBERS = 100  # numbers per sms/send request (code 213 above it)

# request codes asking to come back later: the message stays queued
RETRY_CODES = {
    206: "daily sending limit reached",
    220: "service temporarily unavailable",
    230: "daily limit of messages to this number reached",
    231: "limit of identical messages to this number per minute reached",
    232: "limit of identical messages to this number per day reached",
    233: "limit of repeated messages to this number reached",
    500: "server error",
}
# request codes failing a message, as sms.sms's failure types
FAILURE_TYPES = {
    200: "sms_acc",
    201: "sms_credit",
    202: "sms_number_format",
    207: "sms_country_not_supported",
    209: "sms_not_allowed",
    300: "sms_acc",
    301: "sms_acc",
    302: "sms_acc",
}
# message status codes (sms/status, callbacks) as (state, failure type)
STATUS_STATES = {
    100: ("pending", ""),
    101: ("pending", ""),
    102: ("pending", ""),
    103: ("sent", ""),
    104: ("error", "sms_expired"),
    105: ("error", "sms_rejected"),
    106: ("error", "sms_not_delivered"),
    107: ("error", "sms_not_delivered"),
    108: ("error", "sms_rejected"),
    110: ("sent", ""),
    150: ("error", "sms_invalid_destination"),
}


def digits(number):
    """The number as SMS.ru reads it: its digits (``+7 (912) 345-67-89`` is ``79123456789``)."""
    return re.sub(r"\D", "", number or "")


def reason(answer):
    """``SMS.ru <code>: <its text>``, the words shown on a failed message."""
    code = answer.get("status_code")
    text = answer.get("status_text") or RETRY_CODES.get(code) or ""
    return f"SMS.ru {code}: {text}".strip().rstrip(":")


def callback_hash(api_id, entries):
    """The ``hash`` of a callback: sha256 of the api_id followed by every data entry."""
    return hashlib.sha256((api_id + "".join(entries)).encode()).hexdigest()


class SmsRuProvider:
    """``config``: ``api_url`` (default https://sms.ru), ``api_key`` (the
    api_id), ``sender`` (optional), ``timeout`` (seconds)."""

    def __init__(self, config):
        self.api_url = (config.get("api_url") or DEFAULT_API_URL).rstrip("/")
        self.api_id = config.get("api_key") or ""
        self.sender = config.get("sender") or ""
        self.timeout = config.get("timeout") or 20

    # sending

    def send(self, batch):
        results = {}
        for chunk in self._chunks(batch):
            results.update(self._send_chunk(chunk))
        return [results[message.uuid] for message in batch]

    def _chunks(self, batch):
        """Requests of up to 100 messages, a number at most once in each (SMS.ru keys its answer by
        number)."""
        pending = list(batch)
        while pending:
            chunk, seen, rest = [], set(), []
            for message in pending:
                if len(chunk) < MAX_NUMBERS and digits(message.number) not in seen:
                    chunk.append(message)
                    seen.add(digits(message.number))
                else:
                    rest.append(message)
            yield chunk
            pending = rest

    def _send_chunk(self, chunk):
        invalid = [message for message in chunk if len(digits(message.number)) < 7]
        results = {
            message.uuid: Result(
                message.uuid,
                "error",
                failure_type="sms_number_format",
                reason=f"Invalid number {message.number!r}",
            )
            for message in invalid
        }
        chunk = [message for message in chunk if message not in invalid]
        if not chunk:
            return results
        form = {"api_id": self.api_id, "json": "1"}
        if self.sender:
            form["from"] = self.sender
        if len({message.body for message in chunk}) == 1:
            form["to"] = ",".join(digits(message.number) for message in chunk)
            form["msg"] = chunk[0].body
        else:
            for message in chunk:
                form[f"multi[{digits(message.number)}]"] = message.body
        try:
            answer = http_request(f"{self.api_url}/sms/send", data=form, timeout=self.timeout)
        except Unavailable as error:
            return results | {
                m.uuid: Result(m.uuid, "retry", reason=f"SMS.ru unreachable: {error}") for m in chunk
            }
        data = answer.json if isinstance(answer.json, dict) else None
        if data is None:
            # not SMS.ru's JSON (a proxy's page...): whether it sent is unknown, so not sent again blindly
            text = answer.body[:200].decode(errors="replace")
            return results | {
                m.uuid: Result(
                    m.uuid, "error", failure_type="sms_server", reason=f"SMS.ru HTTP {answer.status}: {text}"
                )
                for m in chunk
            }
        if data.get("status") != "OK":
            return results | {m.uuid: self._failed(m, data) for m in chunk}
        per_number = data.get("sms") or {}
        for message in chunk:
            entry = per_number.get(digits(message.number))
            if not isinstance(entry, dict):
                results[message.uuid] = Result(
                    message.uuid, "error", failure_type="unknown", reason="SMS.ru did not report this number"
                )
            elif entry.get("status") == "OK" and entry.get("sms_id"):
                results[message.uuid] = Result(message.uuid, "pending", provider_id=str(entry["sms_id"]))
            else:
                results[message.uuid] = self._failed(message, entry)
        return results

    @staticmethod
    def _failed(message, answer):
        try:
            code = int(answer.get("status_code"))
        except (TypeError, ValueError):
            code = None
        if code in RETRY_CODES:
            return Result(message.uuid, "retry", reason=reason(answer))
        return Result(
            message.uuid, "error", failure_type=FAILURE_TYPES.get(code, "unknown"), reason=reason(answer)
        )

    # questions

    def _get(self, path, **params):
        try:
            answer = http_request(
                f"{self.api_url}/{path}?" + "&".join(f"{k}={v}" for k, v in params.items()),
                timeout=self.timeout,
            )
        except Unavailable as error:
            raise ProviderError(f"SMS.ru unreachable: {error}") from error
        if not isinstance(answer.json, dict):
            raise ProviderError(f"SMS.ru HTTP {answer.status}")
        if answer.json.get("status") != "OK":
            raise ProviderError(reason(answer.json))
        return answer.json

    def balance(self):
        from urllib.parse import quote

        return float(self._get("my/balance", api_id=quote(self.api_id), json=1)["balance"])

    def status(self, ids):
        from urllib.parse import quote

        reports = {}
        for start in range(0, len(ids), MAX_NUMBERS):
            part = ids[start : start + MAX_NUMBERS]
            data = self._get("sms/status", api_id=quote(self.api_id), sms_id=quote(",".join(part)), json=1)
            for provider_id, entry in (data.get("sms") or {}).items():
                report = self._report(provider_id, entry.get("status_code"), entry.get("status_text"))
                if report:
                    reports[provider_id] = report
        return reports

    # delivery reports

    def parse_delivery_report(self, request):
        keys = sorted(
            (key for key in request.form if re.fullmatch(r"data\[\d+\]", key)), key=lambda key: int(key[5:-1])
        )
        entries = [request.form[key] for key in keys]
        signature = request.form.get("hash") or ""
        if not self.api_id or not entries:
            raise Refused("no data or no api_id configured")
        if not hmac.compare_digest(signature.encode(), callback_hash(self.api_id, entries).encode()):
            raise Refused("wrong hash")
        reports = []
        for entry in entries:
            lines = entry.split("\n")
            if lines[0] == "sms_status" and len(lines) >= 3:
                report = self._report(lines[1], lines[2])
                if report:
                    reports.append(report)
        return reports

    @staticmethod
    def report_answer():
        return "text/plain", "100"

    @staticmethod
    def _report(provider_id, code, text=None):
        try:
            code = int(code)
        except (TypeError, ValueError):
            return None
        if code not in STATUS_STATES:
            return None
        state, failure_type = STATUS_STATES[code]
        return Report(
            str(provider_id), state, failure_type, f"SMS.ru {code}: {text}" if text else f"SMS.ru {code}"
        )
