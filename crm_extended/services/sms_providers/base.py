"""What every SMS provider shares: messages, results, reports, HTTP."""

import dataclasses
import json
import urllib.error
import urllib.parse
import urllib.request

STATES = ("pending", "sent", "error", "retry")


class ProviderError(Exception):
    """The provider could not answer a question (balance, status)."""


class Refused(Exception):
    """A webhook request that is not the provider's (bad or missing signature)."""


@dataclasses.dataclass(frozen=True)
class Message:
    uuid: str
    number: str
    body: str


@dataclasses.dataclass(frozen=True)
class Result:
    """What became of one message: ``state`` in :data:`STATES`; ``provider_id``
    the provider's id of the message (``pending``); ``failure_type`` one of
    ``sms.sms``'s (``error``); ``reason`` the provider's own words, with its
    code, for ``error`` and ``retry``."""

    uuid: str
    state: str
    provider_id: str = ""
    failure_type: str = ""
    reason: str = ""


@dataclasses.dataclass(frozen=True)
class Report:
    """A delivery report: the provider's id of a message, its new state
    (``pending``, ``sent`` or ``error``), the failure type and the reason."""

    provider_id: str
    state: str
    failure_type: str = ""
    reason: str = ""


@dataclasses.dataclass(frozen=True)
class WebhookRequest:
    """What a provider may read of a webhook request: raw body, headers (lower
    case names) and form fields (for form-encoded bodies)."""

    body: bytes
    headers: dict
    form: dict = dataclasses.field(default_factory=dict)


class Unavailable(Exception):
    """The provider did not answer (network, timeout, HTTP 5xx or 429): come back later."""


class HttpAnswer:
    """An HTTP answer: its status, and its body read as JSON (None when it is not)."""

    def __init__(self, status, body):
        self.status = status
        self.body = body
        try:
            self.json = json.loads(body.decode() or "null")
        except (ValueError, UnicodeDecodeError):
            self.json = None


def http_request(url, *, data=None, headers=None, method=None, timeout=20):
    """``HttpAnswer`` of one request; raises :class:`Unavailable` when the
    provider cannot be reached, times out, or answers 5xx or 429."""
    if isinstance(data, dict | list) and not isinstance(data, bytes):
        data = urllib.parse.urlencode(data, doseq=True).encode()
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return HttpAnswer(answer.status, answer.read())
    except urllib.error.HTTPError as error:
        body = error.read() if error.fp else b""
        if error.code >= 500 or error.code == 429:
            raise Unavailable(f"HTTP {error.code}: {body[:200].decode(errors='replace')}") from error
        return HttpAnswer(error.code, body)
    except (TimeoutError, urllib.error.URLError, ConnectionError, OSError) as error:
        raise Unavailable(str(getattr(error, "reason", error))) from error


def json_path(data, path):
    """The value at the dotted ``path`` in ``data`` (``data.id``, ``messages.0.id``); None when absent."""
    if not path:
        return None
    for part in path.split("."):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data
