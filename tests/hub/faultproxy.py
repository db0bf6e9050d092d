"""A TCP proxy on 127.0.0.1 that breaks connections on purpose, for the sync fault-injection tests.

Each new client connection gets a Fault from `plan(n)` (n counts connections from 0):
  pass           forward both ways
  cut_upload     forward the client's bytes up to offset `at`, then cut both sides (mid-upload)
  drop_response  forward the request; when the server starts answering (it has committed), cut the client
  delay          forward the request; hold the server's answer for `seconds` (longer than the desk waits)
  http_503       answer 503 with an HTML page without asking the server (a proxy or load balancer)
  http_500       answer 500 with plain text
  refuse         close at once
Threads, not asyncio: a few dozen loopback connections per test, and every blocking call ends when the
sockets are shut down, so stop() is prompt.
"""

from __future__ import annotations

import collections
import contextlib
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass

KINDS = ("pass", "cut_upload", "drop_response", "delay", "http_503", "http_500", "refuse")


@dataclass(frozen=True)
class Fault:
    """What to do to one connection; `at` is a byte offset of the client's stream, `seconds` a hold time."""

    kind: str = "pass"
    at: int = 0
    seconds: float = 0.0


class FaultProxy:
    """Listens on an ephemeral loopback port and forwards to `target_port`, breaking connections per `plan`."""

    def __init__(self, target_port: int, plan: Callable[[int], Fault] | None = None):
        self.target_port = target_port
        self.plan = plan or (lambda n: Fault())
        self.stats: collections.Counter[str] = collections.Counter()
        self.connections = 0
        self._stop = threading.Event()
        self._socks: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        _shut(self.listener)
        with self._lock:
            for s in list(self._socks):
                _shut(s)
        self._thread.join(5)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with self._lock:
                n = self.connections
                self.connections += 1
                self._socks.add(client)
            fault = self.plan(n)
            self.stats[fault.kind] += 1
            threading.Thread(target=self._serve, args=(client, fault), daemon=True).start()

    def _serve(self, client: socket.socket, fault: Fault) -> None:
        if fault.kind == "refuse":
            return self._close(client)
        if fault.kind in ("http_503", "http_500"):
            return self._answer_itself(client, fault.kind)
        try:
            server = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
        except OSError:
            return self._close(client)
        server.settimeout(None)
        with self._lock:
            self._socks.add(server)
        up = threading.Thread(target=self._pump_up, args=(client, server, fault), daemon=True)
        up.start()
        self._pump_down(server, client, fault)
        up.join(5)

    def _pump_up(self, client: socket.socket, server: socket.socket, fault: Fault) -> None:
        sent = 0
        while data := _recv(client):
            if fault.kind == "cut_upload" and sent + len(data) >= fault.at:
                _sendall(server, data[: max(0, fault.at - sent)])
                self._close(client, server)
                return
            sent += len(data)
            if not _sendall(server, data):
                break
        self._close(client, server)

    def _pump_down(self, server: socket.socket, client: socket.socket, fault: Fault) -> None:
        first = True
        while data := _recv(server):
            if first and fault.kind == "drop_response":
                self._close(client, server)
                return
            if first and fault.kind == "delay" and self._stop.wait(fault.seconds):
                break
            first = False
            if not _sendall(client, data):
                break
        self._close(client, server)

    def _answer_itself(self, client: socket.socket, kind: str) -> None:
        head = b""
        while b"\r\n\r\n" not in head and (data := _recv(client)):
            head += data
        if kind == "http_503":
            body, ctype, line = b"<html><body>Service Unavailable</body></html>", b"text/html", b"503 Service Unavailable"
        else:
            body, ctype, line = b"Internal Server Error", b"text/plain", b"500 Internal Server Error"
        _sendall(client, b"HTTP/1.1 " + line + b"\r\nContent-Type: " + ctype + b"\r\nContent-Length: "
                 + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
        self._close(client)

    def _close(self, *socks: socket.socket) -> None:
        with self._lock:
            for s in socks:
                self._socks.discard(s)
        for s in socks:
            _shut(s)


def _recv(sock: socket.socket) -> bytes:
    try:
        return sock.recv(65536)
    except OSError:
        return b""


def _sendall(sock: socket.socket, data: bytes) -> bool:
    try:
        sock.sendall(data)
        return True
    except OSError:
        return False


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


NGINX_413 = (b"<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n<center><h1>413 "
             b"Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")


class BodyLimitProxy(FaultProxy):
    """A reverse proxy with a body limit, as nginx's client_max_body_size (1 MB by default): a request whose
    Content-Length exceeds `limit` is read and answered with nginx's HTML 413 page, never reaching the hub;
    any other goes through, one request per connection (Connection: close). `refused` counts the 413s."""

    def __init__(self, target_port: int, limit: int = 1024 * 1024):
        super().__init__(target_port)
        self.limit, self.refused = limit, 0

    def _serve(self, client: socket.socket, fault: Fault) -> None:
        head = b""
        while b"\r\n\r\n" not in head and (data := _recv(client)):
            head += data
        top, _, body = head.partition(b"\r\n\r\n")
        lines = top.split(b"\r\n")
        length = next((int(line.split(b":", 1)[1]) for line in lines if line.lower().startswith(b"content-length:")),
                      0)
        while len(body) < length and (data := _recv(client)):  # read it all, as nginx does before answering
            body += data
        if length > self.limit:
            self.refused += 1
            _sendall(client, b"HTTP/1.1 413 Request Entity Too Large\r\nServer: nginx\r\nContent-Type: text/html\r\n"
                     b"Content-Length: " + str(len(NGINX_413)).encode() + b"\r\nConnection: close\r\n\r\n" + NGINX_413)
            return self._close(client)
        kept = [line for line in lines if not line.lower().startswith((b"connection:", b"keep-alive:"))]
        try:
            server = socket.create_connection(("127.0.0.1", self.target_port), timeout=30)
        except OSError:
            return self._close(client)
        with self._lock:
            self._socks.add(server)
        _sendall(server, b"\r\n".join([*kept, b"Connection: close"]) + b"\r\n\r\n" + body)
        while data := _recv(server):
            if not _sendall(client, data):
                break
        self._close(client, server)
