"""What every SMS provider shares: messages, results, reports, HTTP."""

import dataclasses
import http.client
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


class HttpSession:
    """Requests to one gateway over kept-alive connections (HTTP/1.1), one per host: a batch of
    messages pays one TCP (and TLS) handshake instead of one per message. A connection the server
    closed while idle is opened again once, only when the request could not be written (so that
    a message is never posted twice); every other failure is :class:`Unavailable`, as with
    :func:`http_request`."""

    def __init__(self, timeout=20):
        self.timeout = timeout
        self.connections = {}
        self.opened = 0  # connections opened, for the tests and the benchmark

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        for connection in self.connections.values():
            connection.close()
        self.connections.clear()

    def _connection(self, scheme, netloc):
        key = (scheme, netloc)
        if key not in self.connections:
            kind = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
            self.connections[key] = kind(netloc, timeout=self.timeout)
            self.opened += 1
        return self.connections[key]

    def request(self, url, *, data=None, headers=None, method=None):
        """``HttpAnswer`` of one request; raises :class:`Unavailable` when the gateway cannot be
        reached, times out, or answers 5xx or 429."""
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise Unavailable(f"not an http(s) URL: {url}")
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        method = method or ("POST" if data is not None else "GET")
        for attempt in (1, 2):
            reused = (parts.scheme, parts.netloc) in self.connections
            connection = self._connection(parts.scheme, parts.netloc)
            try:
                connection.request(method, target, body=data, headers=headers or {})
            except (BrokenPipeError, ConnectionResetError) as error:
                self._drop(parts)
                if reused and attempt == 1:
                    continue  # closed while idle: nothing was posted, open again
                raise Unavailable(str(error)) from error
            except OSError as error:
                self._drop(parts)
                raise Unavailable(str(error)) from error
            try:
                answer = connection.getresponse()
                body = answer.read()
            except (http.client.HTTPException, OSError) as error:
                # the request may have reached the gateway: not posted again here
                self._drop(parts)
                raise Unavailable(str(error) or type(error).__name__) from error
            if answer.will_close:
                self._drop(parts)
            if answer.status >= 500 or answer.status == 429:
                raise Unavailable(f"HTTP {answer.status}: {body[:200].decode(errors='replace')}")
            return HttpAnswer(answer.status, body)
        raise Unavailable("the connection was closed")  # not reached: the loop returns or raises

    def _drop(self, parts):
        connection = self.connections.pop((parts.scheme, parts.netloc), None)
        if connection:
            connection.close()


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
