"""Loopback servers for the HTTP client tests: a routed HTTP server and misbehaving raw-socket servers.

Every server binds 127.0.0.1 on a free port and stops when its test ends (fixtures in conftest.py).
Routes are plain functions of the request handler, so a test reads as "this server does X; the client
ends with reason Y".
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from connectors.http import FetchSettings, HttpClient

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"


@dataclass
class Hit:
    """One request a server received."""

    path: str
    at: float  # time.monotonic() when the request line was read
    headers: dict[str, str]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean

    def do_GET(self) -> None:
        site = self.server.site
        site.record(Hit(self.path, time.monotonic(), {k.lower(): v for k, v in self.headers.items()}))
        route = site.routes.get(self.path.split("?", 1)[0])
        if route is None:
            send(self, 404, b"not found", {"Content-Type": "text/plain"})
            return
        # The client may give up on purpose (size cap, timeout) while the route still writes.
        with site.tracking(), contextlib.suppress(BrokenPipeError, ConnectionResetError):
            route(self)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a route that hangs must not hold up the test's teardown
    site: Site


Route = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Site:
    """A loopback HTTP server whose routes a test fills in (path -> handler function)."""

    routes: dict[str, Route] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    max_active: int = 0
    stop: threading.Event = field(default_factory=threading.Event)
    _active: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, tls: ssl.SSLContext | None = None) -> Site:
        """Serve on a free loopback port; over TLS when given a server context."""
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.site = self
        self.scheme = "http"
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
            self.scheme = "https"
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def close(self) -> None:
        self.stop.set()
        self._server.shutdown()
        self._server.server_close()

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"

    def record(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)

    def paths(self) -> list[str]:
        return [hit.path for hit in self.hits]

    @contextlib.contextmanager
    def tracking(self) -> Iterator[None]:
        with self._lock:
            self._active += 1
            self.max_active = max(self.max_active, self._active)
        try:
            yield
        finally:
            with self._lock:
                self._active -= 1

    def serve(self, path: str, body: bytes | str = b"", status: int = 200, **headers: str) -> None:
        """A route answering ``status`` with ``body``; header names use ``_`` for ``-``."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        fixed = {name.replace("_", "-"): value for name, value in headers.items()}
        fixed.setdefault("Content-Type", "text/html; charset=utf-8")
        self.routes[path] = lambda h: send(h, status, data, fixed)


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]) -> None:
    """Write a complete response with a Content-Length."""
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name, value)
    if "Content-Length" not in headers:
        handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


@pytest.fixture
def site() -> Iterator[Site]:
    server = Site().start()
    # No robots.txt unless a test adds one: 404 means "allow everything".
    yield server
    server.close()


def settings_for(*sites: Site, **overrides: object) -> FetchSettings:
    """Fast settings that let the given loopback servers through the SSRF guard."""
    values: dict[str, object] = {
        "connect_timeout": 1.0,
        "read_timeout": 1.0,
        "total_timeout": 3.0,
        "max_retries": 2,
        "backoff_base": 0.05,
        "backoff_max": 0.2,
        "max_retry_after": 5.0,
        "min_interval": 0.0,
        "allowed_private": frozenset(s.endpoint for s in sites),
    }
    values.update(overrides)
    return FetchSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def make_client() -> Iterator[Callable[..., HttpClient]]:
    """``make_client(site, **settings)``: a client for these loopback servers, closed after the test."""
    clients: list[HttpClient] = []

    def build(*sites: Site, **overrides: object) -> HttpClient:
        client = HttpClient(settings_for(*sites, **overrides))
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()


class RawServer:
    """A TCP server on 127.0.0.1 that runs ``behaviour(conn, stop)`` for every connection."""

    def __init__(self, behaviour: Callable[[socket.socket, threading.Event], None]) -> None:
        self.stop = threading.Event()
        self.connections = 0
        self._behaviour = behaviour
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.1)
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self._sock.getsockname()[1]}"

    def url(self, path: str = "/") -> str:
        return f"http://{self.endpoint}{path}"

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._run, args=(conn,), daemon=True).start()

    def _run(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError), conn:
            self._behaviour(conn, self.stop)

    def close(self) -> None:
        self.stop.set()
        self._sock.close()
        self._thread.join(timeout=2)


def read_request(conn: socket.socket) -> bytes:
    """Read one request head from ``conn``."""
    data = b""
    conn.settimeout(2)
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def reset(conn: socket.socket) -> None:
    """Close ``conn`` with a TCP RST instead of a FIN."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


@pytest.fixture
def raw_server() -> Iterator[Callable[[Callable[[socket.socket, threading.Event], None]], RawServer]]:
    servers: list[RawServer] = []

    def build(behaviour: Callable[[socket.socket, threading.Event], None]) -> RawServer:
        server = RawServer(behaviour)
        servers.append(server)
        return server

    yield build
    for server in servers:
        server.close()
