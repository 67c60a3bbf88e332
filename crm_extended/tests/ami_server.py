"""A replaying Asterisk Manager Interface server for tests (Asterisk is not installable here).

A real TCP server on 127.0.0.1 that speaks AMI as Asterisk's main/manager.c
does: the banner line, ``Action: Login`` answered ``Response: Success`` /
``Message: Authentication accepted`` (then a FullyBooted event) or
``Response: Error`` / ``Message: Authentication failed`` (then the connection
is closed), ``Originate`` answered ``Originate successfully queued``, ``Ping``,
``Logoff`` answered ``Goodbye``. After a login with events on it replays a
recorded event stream (``tests/data/ami/*.ami``: packets separated by blank
lines, ``#`` lines are comments). Every action received is kept in
``actions`` so a test can assert what the client sent.

It shares no code with the client it tests (``services/pbx/ami.py``).
"""

import contextlib
import os
import socket
import threading
import time

BANNER = "Asterisk Call Manager/7.0.3"  # Asterisk 18's AMI version (include/asterisk/manager.h)
DATA_DIR = os.path.join(os.path.dirname(__file__), "data", "ami")


def load_capture(name):
    """The raw packets (text, lines joined by LF) of a recorded stream in ``data/ami``."""
    path = name if os.path.isabs(name) else os.path.join(DATA_DIR, name)
    with open(path, encoding="utf-8") as capture:
        lines = [line for line in capture.read().splitlines() if not line.startswith("#")]
    return [packet.strip("\n") for packet in "\n".join(lines).split("\n\n") if packet.strip()]


class ReplayAmiServer:
    """``with ReplayAmiServer(packets) as server:`` then connect to ``server.port``.

    :param packets: raw packet texts to send after a login with events on; a
        later connection goes on where the previous one stopped
    :param drop_after: close the connection once after that many packets (a lost link)
    """

    def __init__(self, packets=(), username="crm", secret="s3cret", banner=BANNER, drop_after=None):
        self.packets = list(packets)
        self.username, self.secret, self.banner = username, secret, banner
        self.drop_after = drop_after
        self.position = 0
        self.actions = []  # every action received: a dict of its lines
        self.connections = 0
        self._lock = threading.Lock()
        self._listener = None
        self._threads = []
        self._sockets = []
        self._closing = threading.Event()

    @property
    def port(self):
        return self._listener.getsockname()[1]

    def start(self):
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(8)
        self._listener.settimeout(0.2)
        thread = threading.Thread(target=self._accept, name="ami-replay-accept", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def stop(self):
        self._closing.set()
        for sock in [self._listener, *self._sockets]:
            with contextlib.suppress(OSError):
                sock.close()
        for thread in self._threads:
            thread.join(5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def actions_named(self, name):
        with self._lock:
            return [action for action in self.actions if action.get("Action", "").lower() == name.lower()]

    # one connection ---------------------------------------------------------------------

    def _accept(self):
        while not self._closing.is_set():
            try:
                sock, _address = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            self._sockets.append(sock)
            thread = threading.Thread(target=self._serve, args=(sock,), name="ami-replay-conn", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _send(self, sock, *packets):
        sock.sendall("".join(packet.replace("\n", "\r\n") + "\r\n\r\n" for packet in packets).encode())

    def _respond(self, sock, action, response, message, *extra):
        lines = [f"Response: {response}"]
        if action.get("ActionID"):
            lines.append(f"ActionID: {action['ActionID']}")
        lines += [*extra, f"Message: {message}"] if message else list(extra)
        self._send(sock, "\n".join(lines))

    def _actions(self, sock):
        """Yield each action packet the client sends, as a dict."""
        buffer, lines = b"", []
        while not self._closing.is_set():
            try:
                chunk = sock.recv(4096)
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            while b"\n" in buffer:
                raw, buffer = buffer.split(b"\n", 1)
                line = raw.rstrip(b"\r").decode("utf-8", errors="replace")
                if line:
                    lines.append(line)
                    continue
                if lines:
                    action = {}
                    for item in lines:
                        key, _colon, value = item.partition(":")
                        action.setdefault(key.strip(), value.strip())
                    lines = []
                    yield action

    def _serve(self, sock):
        try:
            sock.sendall((self.banner + "\r\n").encode())
            authenticated = False
            for action in self._actions(sock):
                with self._lock:
                    self.actions.append(action)
                name = action.get("Action", "").lower()
                if name == "login":
                    if action.get("Username") != self.username or action.get("Secret") != self.secret:
                        self._respond(sock, action, "Error", "Authentication failed")
                        return  # Asterisk ends the session after a failed login
                    authenticated = True
                    self._respond(sock, action, "Success", "Authentication accepted")
                    self._send(
                        sock,
                        "Event: FullyBooted\nPrivilege: system,all\nUptime: 86400\n"
                        "LastReload: 3600\nStatus: Fully Booted",
                    )
                    if action.get("Events", "on").lower() != "off" and not self._replay(sock):
                        return
                elif not authenticated:
                    self._respond(sock, action, "Error", "Permission denied")
                elif name == "originate":
                    self._respond(sock, action, "Success", "Originate successfully queued")
                elif name == "ping":
                    self._respond(sock, action, "Success", "", "Ping: Pong", f"Timestamp: {time.time():.6f}")
                elif name == "logoff":
                    self._respond(sock, action, "Goodbye", "Thanks for all the fish.")
                    return
                else:
                    self._respond(
                        sock,
                        action,
                        "Error",
                        f"Invalid/unknown command: {action.get('Action')}. "
                        "Use Action: ListCommands to show available commands.",
                    )
        except OSError:  # the client went away: so does this connection
            return
        finally:
            with contextlib.suppress(OSError):
                sock.close()

    def _replay(self, sock):
        """Send the stream from where it stands; False when the link is dropped on purpose."""
        while self.position < len(self.packets):
            if self.drop_after is not None and self.position >= self.drop_after:
                self.drop_after = None
                return False
            self._send(sock, self.packets[self.position])
            self.position += 1
        return True
