"""The one HTTP client of dipnews: polite, bounded and guarded.

Every request of a run goes through :class:`HttpClient`, built once per worker from a picklable
:class:`FetchSettings`. It is safe to share between threads. What it guarantees:

- **Bounded**: connect, read and per-attempt total timeouts (a watchdog closes the socket when an
  attempt outlives ``total_timeout``, so a server that trickles one byte a second cannot hold a worker),
  a size cap on the bytes read and on the decompressed bytes, a compression-ratio cap, a redirect cap.
- **Polite**: a minimum interval between request starts and a concurrency cap per host, shared by all
  threads of the client (one client per worker process: the pipeline makes the budget global by
  sending all of a host's work to one worker, keyed by :func:`politeness_key`); robots.txt obeyed,
  its Crawl-delay honoured; Retry-After honoured; an honest User-Agent.
- **Guarded**: every host, including every redirect hop and every ``origin_overrides`` target, is
  resolved and checked by :mod:`connectors.netguard`, and the socket is opened to the checked address.
- **Honest about failure**: anything that is not the content asked for raises :class:`FetchError` with
  a stable ``reason`` code: a bot challenge served with 200 is ``blocked``, an HTML page where a feed
  should be is ``not_a_feed``.

Example::

    client = HttpClient(FetchSettings(min_interval=2.0))
    try:
        response = client.get("https://tass.com/rss/v2.xml", kind="feed", etag=saved_etag)
        if not response.not_modified:
            entries = connector.parse_feed(response.content, response.url)
    except FetchError as exc:
        reject(reason=exc.reason, detail=exc.detail)
    finally:
        client.close()

Requests are HTTP/1.1 with keep-alive: a connection whose response was read to its end (by
Content-Length or chunked framing, not cut by a cap) and that the server did not close is kept idle,
per origin, for a few seconds and reused by the next request to that origin (a few idle connections
per origin at most). One connection carries one request at a time, so pacing is as without it; a
reused connection skips the DNS lookup, as it was opened to an address the guard checked. A request on
a reused connection that the server had closed meanwhile (no byte of a response came back) is sent
again on a new connection as part of the same attempt. No proxies.
"""

from __future__ import annotations

import contextlib
import email.utils
import heapq
import http.client
import itertools
import random
import re
import select
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from connectors import challenge
from connectors.base import Page
from connectors.encoding import decode_html
from connectors.netguard import BlockedAddress, NetGuard, ResolutionError
from connectors.robots import MAX_ROBOTS_BYTES, RobotsCache, RobotsPolicy

KINDS = ("page", "feed", "robots")
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# 501 (not implemented) and 505 (version not supported) will not change on a retry.
_RETRY_STATUSES = frozenset({408, 429}) | frozenset(range(500, 600)) - {501, 505}
_DEFAULT_PORTS = {"http": 80, "https": 443}
_CHUNK = 64 * 1024
# Body read from an error response: enough to recognise a bot wall, no more.
_ERROR_BODY_BYTES = 64 * 1024
# The compression ratio is judged only past this many decompressed bytes (tiny bodies compress wildly).
_RATIO_FLOOR = 1024 * 1024
_ACCEPT = {
    "page": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
    "feed": "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,"
    "application/feed+json;q=0.8,application/json;q=0.8,*/*;q=0.5",
    "robots": "text/plain,*/*;q=0.5",
}
# Declared types no page or feed can be; refused from the headers, before the body is read.
_BINARY_PREFIXES = ("image/", "audio/", "video/", "font/", "model/")
_BINARY_TYPES = frozenset(
    {
        "application/pdf",
        "application/zip",
        "application/x-rar-compressed",
        "application/x-7z-compressed",
        "application/msword",
        "application/vnd.ms-excel",
        "application/wasm",
        "application/x-shockwave-flash",
        "application/java-archive",
        "application/x-msdownload",
    }
)
_GZIP_TYPES = frozenset({"application/gzip", "application/x-gzip"})
_GZIP_MAGIC = b"\x1f\x8b"
# Signatures of binary formats no page can be, whatever Content-Type a server claims for them
# (a PDF served as text/html would otherwise be parsed as a page of mojibake).
_BINARY_MAGIC = {
    b"%PDF-": "PDF",
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
    b"PK\x03\x04": "ZIP",  # also DOCX, EPUB
    b"RIFF": "RIFF",  # WebP, WAV, AVI
    b"\x00\x00\x00\x18ftyp": "MP4",
    b"\x00\x00\x00\x20ftyp": "MP4",
    b"\x7fELF": "ELF",
    b"MZ\x90\x00": "EXE",
}
_ROOT = re.compile(r"<([a-z_][\w:.-]*)")
_HOST = re.compile(r"[a-z0-9_.-]+|[0-9a-f:.]+", re.IGNORECASE)  # a DNS name or an IP literal
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: seconds an idle keep-alive connection is kept: under the 5 s that Apache, the shortest common server
#: default, waits before closing its side, so that a reuse rarely races the server's close
_IDLE_SECONDS = 4.0
#: seconds the deadline thread of a client waits with nothing to watch before it ends
_LINGER_SECONDS = 10.0
# Errors of a reused connection that mean the server closed it while idle, before any byte of a
# response (RemoteDisconnected, a ConnectionResetError, is http.client's "closed without response").
_STALE_ERRORS = (ConnectionResetError, BrokenPipeError, ConnectionAbortedError, ssl.SSLEOFError)


class FrozenMap(Mapping[str, Any]):
    """A read-only, hashable, picklable mapping (``MappingProxyType`` cannot be pickled).

    >>> FrozenMap({"tass.com": 4.0})["tass.com"]
    4.0
    """

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, Any] | Iterable[tuple[str, Any]] = ()) -> None:
        self._items = dict(items)

    def __getitem__(self, key: str) -> Any:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(frozenset(self._items.items()))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self._items) == dict(other)

    def __repr__(self) -> str:
        return f"FrozenMap({self._items!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenMap, (self._items,))


@dataclass(frozen=True)
class FetchSettings:
    """Everything the client needs, as one picklable value (TOML ``[fetch]`` keys have these names).

    ``total_timeout`` caps one attempt (connect, headers and body); the whole ``get()`` is further
    bounded by the retries and their waits. ``min_interval`` is the default pause between the starts of
    two requests to one host; ``host_min_interval`` raises it for named hosts, a caller's
    ``min_interval`` and a robots.txt Crawl-delay raise it further (the largest minimum wins).
    ``allowed_private`` lists endpoints (``"127.0.0.1:8123"``) exempt from the SSRF guard.
    ``origin_overrides`` maps a logical origin to the origin actually contacted, like
    ``curl --connect-to``: the Host header, TLS name, robots.txt, pacing and ``Response.url`` stay
    logical.

    >>> import pickle
    >>> s = FetchSettings(host_min_interval={"tass.com": 4.0})
    >>> s.host_min_interval["tass.com"], pickle.loads(pickle.dumps(s)) == s
    (4.0, True)
    """

    user_agent: str = "dipnews/0.1 (+https://github.com/dipnews/dipnews; news research crawler)"
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 90.0
    max_retries: int = 3
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    max_retry_after: float = 300.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    min_interval: float = 1.0
    host_min_interval: Mapping[str, float] = field(default_factory=FrozenMap)
    max_per_host: int = 1
    respect_robots: bool = True
    allow_private_networks: bool = False
    allowed_private: frozenset[str] = frozenset()
    origin_overrides: Mapping[str, str] = field(default_factory=FrozenMap)
    #: decompressed/compressed ratio above which a body is a decompression bomb
    max_compression_ratio: float = 100.0
    #: a robots.txt Crawl-delay above this (seconds) makes the host off limits rather than stall a worker
    max_crawl_delay: float = 60.0
    #: wait out robots.txt Crawl-delay between requests; off only where the server is our own (the
    #: loopback sample corpus, benchmarks): the robots.txt rules still apply either way
    honor_crawl_delay: bool = True
    #: a PEM file of CA certificates to trust besides the system's (a TLS-intercepting proxy, a test CA)
    ca_file: str | None = None

    def __post_init__(self) -> None:
        # Accept plain dicts and lists from callers and TOML; store hashable, picklable forms.
        try:
            overrides = {_origin_key(k): _origin_key(v) for k, v in dict(self.origin_overrides).items()}
        except FetchError as exc:
            raise ValueError(f"FetchSettings.origin_overrides: {exc}") from None
        hosts = {str(k).lower(): float(v) for k, v in dict(self.host_min_interval).items()}
        object.__setattr__(self, "host_min_interval", FrozenMap(hosts))
        object.__setattr__(self, "origin_overrides", FrozenMap(overrides))
        if isinstance(self.allowed_private, str):
            raise TypeError("allowed_private must be a collection of 'host:port' strings, not one string")
        object.__setattr__(self, "allowed_private", frozenset(self.allowed_private))
        for name in ("connect_timeout", "read_timeout", "total_timeout"):
            if not getattr(self, name) > 0:
                raise ValueError(f"FetchSettings.{name} must be > 0, got {getattr(self, name)!r}")
        for name in ("backoff_base", "backoff_max", "max_retry_after", "min_interval", "max_crawl_delay"):
            if getattr(self, name) < 0:
                raise ValueError(f"FetchSettings.{name} must be >= 0, got {getattr(self, name)!r}")
        for name in ("max_retries", "max_redirects"):
            if getattr(self, name) < 0:
                raise ValueError(f"FetchSettings.{name} must be >= 0, got {getattr(self, name)!r}")
        if self.max_bytes < 1 or self.max_per_host < 1 or self.max_compression_ratio < 1:
            raise ValueError("FetchSettings.max_bytes, max_per_host and max_compression_ratio must be >= 1")
        if any(v < 0 for v in hosts.values()):
            raise ValueError("FetchSettings.host_min_interval values must be >= 0")

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> FetchSettings:
        """Settings from a TOML ``[fetch]`` table; an unknown key raises ValueError naming it."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown fetch setting(s): {', '.join(unknown)}")
        return cls(**values)


class FetchError(Exception):
    """A fetch that did not produce the content asked for.

    ``reason`` is a stable machine code that becomes ``rejects.reason``: ``timeout``, ``connection``,
    ``http_<status>``, ``too_large``, ``decompression_bomb``, ``too_many_redirects``, ``redirect_loop``,
    ``private_address``, ``robots_disallowed``, ``blocked``, ``not_a_feed``, ``bad_content_type``,
    ``invalid_url``. ``detail`` is for humans; ``status`` is the HTTP status when there was one.
    """

    def __init__(
        self,
        reason: str,
        detail: str = "",
        url: str = "",
        status: int | None = None,
        *,
        retryable: bool = False,
    ) -> None:
        super().__init__(f"{reason}: {detail} ({url})" if detail else f"{reason} ({url})")
        self.reason = reason
        self.detail = detail
        self.url = url
        self.status = status
        self.retryable = retryable

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_error, (self.reason, self.detail, self.url, self.status, self.retryable))


def _rebuild_error(reason: str, detail: str, url: str, status: int | None, retryable: bool) -> FetchError:
    return FetchError(reason, detail, url, status, retryable=retryable)


@dataclass
class Response:
    """A successful fetch. ``url`` is the final logical URL (after redirects, overrides undone)."""

    url: str
    requested_url: str
    status: int
    headers: dict[str, str]
    content: bytes
    fetched_at: datetime
    not_modified: bool
    robots_allowed: bool | None
    #: requests made on the wire for this response, counting retries and redirect hops
    attempts: int = 1
    #: the logical URLs that redirected here, in order
    redirects: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header, or ``""``."""
        return self.headers.get("content-type", "")

    def page(self) -> Page:
        """The response as a :class:`connectors.base.Page`, its text decoded by ``decode_html``."""
        text, encoding = decode_html(self.content, self.content_type)
        return Page(
            url=self.url,
            content=self.content,
            text=text,
            fetched_at=self.fetched_at,
            content_type=self.content_type,
            encoding=encoding,
            requested_url=self.requested_url,
            headers=dict(self.headers),
        )


# ----------------------------------------------------------------------------------------------- URLs


@dataclass(frozen=True)
class _Url:
    scheme: str
    host: str  # lower-case, IDNA-encoded, IPv6 without brackets
    port: int
    target: str  # request-target: path and query, percent-encoded

    @property
    def netloc(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == _DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.netloc}"

    @property
    def url(self) -> str:
        return self.origin + self.target


def _parse_url(url: str) -> _Url:
    """Parse and normalise an absolute http(s) URL; FetchError("invalid_url") otherwise."""
    if not isinstance(url, str) or not url.strip():
        raise FetchError("invalid_url", "empty or not a string", str(url))
    if _CONTROL.search(url):
        raise FetchError("invalid_url", "control characters in the URL", url)
    try:
        parts = urlsplit(url.strip())
        port = parts.port
        host = parts.hostname
    except ValueError as exc:
        raise FetchError("invalid_url", str(exc), url) from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise FetchError("invalid_url", f"scheme {scheme or '(none)'!r} is not http or https", url)
    if not host:
        raise FetchError("invalid_url", "no host", url)
    if parts.username is not None or parts.password is not None:
        raise FetchError("invalid_url", "credentials in the URL are not sent", url)
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError as exc:
        raise FetchError("invalid_url", f"bad host name: {exc}", url) from None
    if not _HOST.fullmatch(host):
        raise FetchError("invalid_url", f"bad host name {host!r}", url)
    # Spaces and non-ASCII characters in feeds' links are common: encode them as a browser would.
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    query = quote(parts.query, safe="/?%:@!$&'()*+,;=-._~") if parts.query else ""
    return _Url(
        scheme,
        host.lower().rstrip("."),
        port or _DEFAULT_PORTS[scheme],
        path + (f"?{query}" if query else ""),
    )


def politeness_key(url: str) -> str:
    """The host whose budget (interval, concurrency cap) a request for ``url`` spends: what the client
    paces by, so work grouped by it is paced as one.

    ``""`` for a URL the client would refuse anyway (it is rejected with ``invalid_url`` when fetched).

    >>> politeness_key("https://TASS.com/politics/1736412"), politeness_key("mailto:x@example.org")
    ('tass.com', '')
    """
    try:
        return _parse_url(url).host
    except FetchError:
        return ""


def _origin_key(value: str) -> str:
    """The normalised origin of a URL (``https://Tass.com/`` -> ``https://tass.com``)."""
    return _parse_url(value).origin


# -------------------------------------------------------------------------------------------- pacing


class _HostGate:
    """Pacing of one host: start-to-start intervals and a concurrency cap, shared by all threads."""

    def __init__(self, max_active: int) -> None:
        self._cond = threading.Condition()
        self._max_active = max_active
        self._active = 0
        self._next_start = 0.0

    def acquire(self, interval: float) -> None:
        """Block until this thread may start a request; reserve the next slot for the others."""
        with self._cond:
            while self._active >= self._max_active:
                self._cond.wait()
            self._active += 1
            now = time.monotonic()
            start = max(now, self._next_start)
            self._next_start = start + interval
        if start > now:
            time.sleep(start - now)

    def release(self) -> None:
        with self._cond:
            self._active -= 1
            self._cond.notify()

    def defer(self, until: float) -> None:
        """No request to this host before ``until`` (monotonic), e.g. after a Retry-After."""
        with self._cond:
            self._next_start = max(self._next_start, until)


# ------------------------------------------------------------------------------------- wire plumbing


class _Watchdog:
    """Shuts a socket down when an attempt outlives its deadline, whatever the socket is blocked in.

    Made by :meth:`_Deadlines.watch`; one thread per client watches every attempt's deadline.
    """

    __slots__ = ("_deadlines", "_sock", "done", "fired")

    def __init__(self, deadlines: _Deadlines, sock: socket.socket) -> None:
        self.fired = False
        self.done = False  # fired or cancelled: off the watch list
        self._sock = sock
        self._deadlines = deadlines

    def _fire(self) -> None:
        """Called with the deadlines' lock held, so that cancel() and the socket's close wait for it."""
        self.fired = True
        # The plain-socket method, also on an SSLSocket: cut the TCP stream under a blocked read.
        with contextlib.suppress(OSError):  # already closed
            socket.socket.shutdown(self._sock, socket.SHUT_RDWR)

    def watch(self, sock: socket.socket) -> None:
        """Follow ``sock`` instead (the TLS socket that replaced the TCP one)."""
        with self._deadlines.lock:
            self._sock = sock
            if self.fired:
                self._fire()

    def cancel(self) -> None:
        """Stop watching; once this returns the watchdog neither fires nor is firing."""
        self._deadlines.cancel(self)


class _Deadlines:
    """The one thread of a client that enforces the attempts' deadlines (and sweeps idle connections).

    A heap of (deadline, watchdog) instead of a timer thread per request. A watchdog fires under the
    lock, so after ``cancel()`` no shutdown can reach a socket the caller goes on to close or reuse.
    Other callbacks (the idle-connection sweep) run outside the lock, and may take locks of their own.
    The thread starts with the first deadline and ends once the client is closed and no attempt is
    still watched (an attempt in flight at ``close()`` keeps its watchdog), or after it has had nothing
    to watch for ``_LINGER_SECONDS``; the next deadline starts it again.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._wake = threading.Condition(self.lock)
        self._heap: list[tuple[float, int, _Watchdog | None, Callable[[], None] | None]] = []
        self._order = itertools.count()  # ties of equal deadlines never compare the watchdogs
        self._watched = 0  # watchdogs in the heap not yet fired or cancelled
        self._thread: threading.Thread | None = None
        self._closing = False

    def watch(self, sock: socket.socket, deadline: float) -> _Watchdog:
        """A watchdog that shuts ``sock`` down at ``deadline`` (monotonic) unless cancelled first."""
        dog = _Watchdog(self, sock)
        self._push(deadline, dog, None)
        return dog

    def call_at(self, when: float, callback: Callable[[], None]) -> None:
        """Run ``callback()`` on the deadline thread at ``when`` (monotonic), outside the lock."""
        self._push(when, None, callback)

    def _push(self, when: float, dog: _Watchdog | None, callback: Callable[[], None] | None) -> None:
        with self.lock:
            if dog is not None:
                self._watched += 1
            order = next(self._order)
            heapq.heappush(self._heap, (when, order, dog, callback))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="dipnews-http-deadlines", daemon=True)
                self._thread.start()
            elif self._heap[0][1] == order:
                self._wake.notify()  # a new earliest deadline: the thread sleeps until a later one

    def cancel(self, dog: _Watchdog) -> None:
        with self.lock:
            if dog.done:
                return
            dog.done = True
            self._watched -= 1
            # Cancelled entries leave the heap when they reach its top; drop them in bulk before they
            # pile up (at 1,000 pages/s and a 90 s total timeout the heap would hold 90,000 of them).
            if len(self._heap) > 64 + 2 * self._watched:
                self._heap = [e for e in self._heap if e[2] is None or not e[2].done]
                heapq.heapify(self._heap)
            if self._closing and self._watched == 0:
                self._wake.notify()

    def close(self) -> None:
        """End the thread once no attempt is watched; wait briefly for it when none is."""
        with self.lock:
            self._closing = True
            self._heap = [e for e in self._heap if e[2] is not None and not e[2].done]  # no more sweeps
            heapq.heapify(self._heap)
            self._wake.notify()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=1.0)

    def _run(self) -> None:
        empty_since: float | None = None
        while True:
            due: list[Callable[[], None]] = []
            with self.lock:
                now = time.monotonic()
                heap = self._heap
                while heap and (heap[0][0] <= now or (heap[0][2] is not None and heap[0][2].done)):
                    _, _, dog, callback = heapq.heappop(heap)
                    if callback is not None:
                        due.append(callback)
                    elif dog is not None and not dog.done:
                        dog.done = True
                        self._watched -= 1
                        dog._fire()
                if not due:
                    # Nothing to watch for a while (or a closed client): end; the next watch() starts
                    # another. A client dropped without close() so leaves no thread behind for long.
                    lingered = empty_since is not None and now - empty_since >= _LINGER_SECONDS
                    if (self._closing and self._watched == 0) or (not heap and lingered):
                        self._thread = None
                        return
                    if heap:
                        empty_since = None
                        self._wake.wait(heap[0][0] - now)
                    else:
                        empty_since = now if empty_since is None else empty_since
                        self._wake.wait(_LINGER_SECONDS)
                    continue
            for callback in due:
                # A failing sweep must not end the thread that every attempt's deadline depends on.
                with contextlib.suppress(Exception):
                    callback()


class _Connection:
    """An open connection to one origin: the socket and the http.client object speaking on it."""

    __slots__ = ("conn", "idle_since", "key", "reused", "sock")

    def __init__(self, conn: http.client.HTTPConnection, sock: socket.socket, key: tuple[str, ...]) -> None:
        self.conn = conn
        self.sock = sock
        self.key = key
        self.reused = False
        self.idle_since = 0.0

    def close(self) -> None:
        self.conn.close()
        self.sock.close()

    def quiet(self) -> bool:
        """Whether the idle connection is still open and silent (no EOF, no stray bytes, no TLS alert)."""
        if isinstance(self.sock, ssl.SSLSocket) and self.sock.pending():
            return False
        try:
            poller = select.poll()
            poller.register(self.sock, select.POLLIN)
            return not poller.poll(0)  # readable while idle: the server closed it or sent junk
        except (OSError, ValueError):
            return False


class _Pool:
    """Idle keep-alive connections per origin: at most ``per_key`` each, closed after ``idle`` seconds.

    ``take`` hands out the most recently used one (the least likely to have been closed by the server);
    the deadline thread sweeps out the expired ones, so an idle client holds no socket for long.
    """

    def __init__(self, per_key: int, idle: float, deadlines: _Deadlines) -> None:
        self._per_key = per_key
        self._idle = idle
        self._deadlines = deadlines
        self._lock = threading.Lock()
        self._conns: dict[tuple[str, ...], list[_Connection]] = {}
        self._sweep_due = False
        self._closed = False

    def take(self, key: tuple[str, ...]) -> _Connection | None:
        """An idle connection for ``key`` that is still usable, or None."""
        while True:
            with self._lock:
                idle = self._conns.get(key)
                found = idle.pop() if idle else None
            if found is None:
                return None
            if time.monotonic() - found.idle_since < self._idle and found.quiet():
                found.reused = True
                return found
            found.close()

    def put(self, connection: _Connection) -> None:
        """Keep ``connection`` for reuse (closed instead when the origin already has enough idle)."""
        connection.idle_since = time.monotonic()
        schedule = False
        with self._lock:
            idle = self._conns.setdefault(connection.key, []) if not self._closed else []
            keep = not self._closed and len(idle) < self._per_key
            if keep:
                idle.append(connection)
                schedule, self._sweep_due = not self._sweep_due, True
        if not keep:
            connection.close()
        elif schedule:  # outside the pool's lock: the sweep runs on the deadline thread and takes it
            self._deadlines.call_at(connection.idle_since + self._idle, self._sweep)

    def _sweep(self) -> None:
        """Close the connections idle too long; come back when the next one expires."""
        now = time.monotonic()
        expired: list[_Connection] = []
        with self._lock:
            oldest: float | None = None
            for key, idle in list(self._conns.items()):
                fresh = [c for c in idle if now - c.idle_since < self._idle]
                expired.extend(c for c in idle if now - c.idle_since >= self._idle)
                if fresh:
                    self._conns[key] = fresh
                    first = min(c.idle_since for c in fresh)
                    oldest = first if oldest is None else min(oldest, first)
                else:
                    del self._conns[key]
            again = self._sweep_due = oldest is not None and not self._closed
        for connection in expired:
            connection.close()
        if again and oldest is not None:
            self._deadlines.call_at(oldest + self._idle, self._sweep)

    def close(self) -> None:
        """Close every idle connection; a connection handed back later is closed, not kept."""
        with self._lock:
            self._closed = True
            idle = [c for conns in self._conns.values() for c in conns]
            self._conns.clear()
        for connection in idle:
            connection.close()


class _Inflater:
    """Incremental gzip/deflate decoding with a bound on the output of every call."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self._obj = self._new()
        self._started = False

    def _new(self, raw_deflate: bool = False) -> Any:
        if self.coding in ("gzip", "x-gzip"):
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        return zlib.decompressobj(-zlib.MAX_WBITS if raw_deflate else zlib.MAX_WBITS)

    def decompress(self, data: bytes, max_out: int) -> bytes:
        """Up to ``max_out`` decoded bytes of ``data`` (the caller treats reaching it as over the cap)."""
        out: list[bytes] = []
        while data and max_out > 0:
            try:
                piece = self._obj.decompress(data, max_out)
            except zlib.error:
                # "deflate" is often sent raw, without the zlib header the RFC asks for.
                if self.coding == "deflate" and not self._started:
                    self._obj = self._new(raw_deflate=True)
                    piece = self._obj.decompress(data, max_out)
                else:
                    raise
            self._started = True
            out.append(piece)
            max_out -= len(piece)
            if self._obj.eof:  # a gzip body may hold several members
                data = self._obj.unused_data
                if data:
                    self._obj = self._new()
            else:
                data = self._obj.unconsumed_tail
        return b"".join(out)

    def flush(self, max_out: int) -> bytes:
        return self._obj.flush(max(max_out, 1))


class _StaleConnection(Exception):
    """A reused keep-alive connection turned out closed by the server before it answered."""


def _wire_error(exc: BaseException, fired: bool, settings: FetchSettings, url: str) -> FetchError:
    """The FetchError for what went wrong on the wire (TLS handshake, request or response).

    ``fired``: the attempt's watchdog cut the socket, so whatever error that caused is a timeout.
    """
    if isinstance(exc, ssl.SSLCertVerificationError):  # an OSError too: tested first
        return FetchError("connection", f"TLS certificate: {exc.verify_message}", url)
    if fired or isinstance(exc, TimeoutError):
        return FetchError("timeout", _timeout_detail(exc, settings), url, retryable=True)
    retryable = isinstance(exc, OSError | http.client.RemoteDisconnected | http.client.IncompleteRead)
    return FetchError("connection", f"{type(exc).__name__}: {exc}", url, retryable=retryable)


def _drained(response: http.client.HTTPResponse) -> bool:
    """Whether nothing of ``response`` is left on the wire (read to its Content-Length or last chunk)."""
    return response.isclosed() or (not response.chunked and response.length == 0)


@dataclass
class _Raw:
    """One request/response exchange as read off the wire."""

    status: int
    phrase: str  # the status line's reason phrase, for error details
    headers: dict[str, str]
    content: bytes
    fetched_at: datetime


def _lower_headers(message: http.client.HTTPMessage) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in message.items():
        key = name.lower()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return headers


def _mime(headers: Mapping[str, str]) -> str:
    return headers.get("content-type", "").split(";", 1)[0].strip().lower()


def parse_retry_after(value: str, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value, in either form; None if unparseable.

    >>> parse_retry_after("120")
    120.0
    >>> parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", datetime(2015, 10, 21, 7, 27, tzinfo=UTC))
    60.0
    """
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


# ---------------------------------------------------------------------------------------- content sniffing


def _root_element(content: bytes) -> str:
    """What a markup/JSON body is: ``"html"``, ``"xml"``, ``"json"``, ``"gzip"`` or ``""`` (neither)."""
    if content.startswith(_GZIP_MAGIC):
        return "gzip"
    text = content[:4096].decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if text[:1] in ("{", "["):
        return "json"
    lowered = text.lower()
    # Skip the prolog: XML declaration, processing instructions, comments, doctype.
    while lowered.startswith(("<?", "<!--", "<!doctype")):
        if lowered.startswith("<!doctype"):
            if lowered.startswith("<!doctype html"):
                return "html"
            end = lowered.find(">")
            bracket = lowered.find("[")
            if bracket >= 0 and (end < 0 or bracket < end):
                # an internal subset: its declarations hold ">" of their own, and only XML has one
                close = lowered.find("]", bracket)
                if close < 0:
                    return "xml"  # a subset longer than the sniffed head (an entity bomb, say)
                end = lowered.find(">", close)
        elif lowered.startswith("<!--"):
            end = lowered.find("-->") + 2
        else:
            end = lowered.find("?>") + 1
        if end <= 0:
            return ""
        lowered = lowered[end + 1 :].lstrip()
    root = _ROOT.match(lowered)
    if root is None:
        return ""
    return "html" if root.group(1) in ("html", "head", "body") else "xml"


def _looks_like_html(content: bytes, headers: Mapping[str, str], kind: str) -> bool:
    """Whether a body is HTML. For a feed the body decides (feeds are often mislabelled text/html)."""
    root = _root_element(content)
    if kind == "feed" and root:
        return root == "html"
    return root == "html" or _mime(headers) in ("text/html", "application/xhtml+xml")


# --------------------------------------------------------------------------------------------- client


class HttpClient:
    """The shared HTTP client. Thread-safe; build one per worker (``DoFn.setup``) and ``close()`` it.

    >>> client = HttpClient(FetchSettings(allowed_private=frozenset({"127.0.0.1:8123"}), min_interval=0.2))
    >>> response = client.get("http://127.0.0.1:8123/feed.xml", kind="feed")  # doctest: +SKIP
    >>> client.close()
    """

    def __init__(self, settings: FetchSettings) -> None:
        self.settings = settings
        self._product = (
            settings.user_agent.split("/", 1)[0].split()[0] if settings.user_agent.strip() else "*"
        )
        self._guard = NetGuard(
            allow_private=settings.allow_private_networks,
            allowed_private=settings.allowed_private,
            timeout=settings.connect_timeout,
        )
        self._overrides = {k: _parse_url(v) for k, v in settings.origin_overrides.items()}
        self._reverse = {v.origin: k for k, v in self._overrides.items()}
        self._robots = RobotsCache(self._fetch_robots)
        self._gates: dict[str, _HostGate] = {}
        self._gates_lock = threading.Lock()
        self._tls = ssl.create_default_context()
        if settings.ca_file:
            self._tls.load_verify_locations(cafile=settings.ca_file)
        self._deadlines = _Deadlines()
        # A host gets at most max_per_host requests at once, so it never needs more idle connections.
        self._pool = _Pool(settings.max_per_host, _IDLE_SECONDS, self._deadlines)
        self._closed = False

    # -- lifecycle --------------------------------------------------------------------------------

    def close(self) -> None:
        """Release the client's threads and idle connections. Further ``get`` calls raise RuntimeError."""
        self._closed = True
        self._guard.close()
        self._pool.close()
        self._deadlines.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __getstate__(self) -> dict[str, Any]:
        # Locks and threads do not pickle; a copy is a fresh client with the same settings.
        return {"settings": self.settings}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["settings"])  # type: ignore[misc]

    # -- the public call --------------------------------------------------------------------------

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        min_interval: float | None = None,
        kind: str = "page",
    ) -> Response:
        """Fetch ``url`` (following redirects) and check that the body is what ``kind`` asks for.

        ``kind`` is ``"page"`` (HTML), ``"feed"`` (RSS/Atom/sitemap XML or JSON; HTML raises
        ``not_a_feed``) or ``"robots"`` (no robots.txt check and no content checks). ``etag`` and
        ``last_modified`` make the request conditional; a 304 returns ``not_modified=True`` and no body.
        Raises FetchError; see its ``reason`` codes.
        """
        if self._closed:
            raise RuntimeError("HttpClient.get() after close()")
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        logical = _parse_url(url)
        conditional = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        seen = [logical.url]
        attempts = 0
        while True:
            robots_allowed = self._check_robots(logical, kind)
            raw, tries = self._request(
                logical, kind, conditional, self._interval(logical, kind, min_interval)
            )
            attempts += tries
            location = raw.headers.get("location")
            if raw.status not in _REDIRECTS or not location:
                break
            target = self._logical_target(logical, location)
            if target.url in seen:
                raise FetchError("redirect_loop", " -> ".join([*seen, target.url]), url, raw.status)
            if len(seen) > self.settings.max_redirects:
                raise FetchError(
                    "too_many_redirects", f"more than {self.settings.max_redirects}", url, raw.status
                )
            seen.append(target.url)
            logical = target
        return self._finish(raw, logical, url, kind, robots_allowed, attempts, tuple(seen[:-1]))

    # -- steps of get() ----------------------------------------------------------------------------

    def _finish(
        self,
        raw: _Raw,
        logical: _Url,
        requested: str,
        kind: str,
        robots_allowed: bool | None,
        attempts: int,
        redirects: tuple[str, ...],
    ) -> Response:
        final = logical.url
        if raw.status == 304:
            content = b""
        elif 200 <= raw.status < 300:
            content = raw.content
            if kind != "robots":
                self._check_content(content, raw.headers, kind, final, raw.status)
        else:
            wall = _wall(raw)
            if wall:
                raise FetchError("blocked", f"{wall} (HTTP {raw.status})", final, raw.status)
            raise FetchError(
                f"http_{raw.status}", f"HTTP {raw.status} {raw.phrase}".strip(), final, raw.status
            )
        return Response(
            url=final,
            requested_url=requested,
            status=raw.status,
            headers=raw.headers,
            content=content,
            fetched_at=raw.fetched_at,
            not_modified=raw.status == 304,
            robots_allowed=robots_allowed,
            attempts=attempts,
            redirects=redirects,
        )

    def _check_content(
        self, content: bytes, headers: Mapping[str, str], kind: str, url: str, status: int
    ) -> None:
        magic = _magic_name(content)
        if magic is not None:
            what = f"{magic} body served as {_mime(headers) or 'untyped'}"
            raise FetchError("bad_content_type", what, url, status)
        if _looks_like_html(content, headers, kind):
            wall = challenge.is_challenge(
                content[: _ERROR_BODY_BYTES * 4].decode("utf-8", "replace"), headers
            )
            # A JS redirect shell where a feed should be is the feed's failure (TASS, 2022): not_a_feed.
            if wall and (kind == "page" or wall in challenge.VENDOR_WALLS):
                raise FetchError("blocked", wall, url, status)
            if kind == "feed":
                raise FetchError(
                    "not_a_feed", f"HTML{f' ({wall} shell)' if wall else ''} instead of a feed", url, status
                )
            return
        if kind == "feed":
            root = _root_element(content)
            if root not in ("xml", "json", "gzip"):
                what = "an empty body" if not content.strip() else f"{_mime(headers) or 'untyped'} content"
                raise FetchError("not_a_feed", f"{what} instead of XML or JSON", url, status)
        elif b"\x00" in content[:1024] and not content.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise FetchError("bad_content_type", f"binary body ({_mime(headers) or 'untyped'})", url, status)

    def _check_robots(self, logical: _Url, kind: str) -> bool | None:
        """Whether robots.txt lets us fetch ``logical`` (None: not checked); raises robots_disallowed."""
        if kind == "robots" or not self.settings.respect_robots:
            return None
        policy = self._robots.policy(logical.origin)
        if not policy.allowed(logical.url):
            why = (
                "robots.txt unreachable, all disallowed" if policy.status == "disallow_all" else "robots.txt"
            )
            raise FetchError("robots_disallowed", f"{why} {policy.detail}".strip(), logical.url)
        if policy.crawl_delay is not None and policy.crawl_delay > self.settings.max_crawl_delay:
            raise FetchError(
                "robots_disallowed",
                f"Crawl-delay {policy.crawl_delay:g} s exceeds"
                f" max_crawl_delay {self.settings.max_crawl_delay:g} s",
                logical.url,
            )
        return True

    def _fetch_robots(self, origin: str) -> RobotsPolicy:
        """The robots policy of ``origin``; private_address and invalid_url are raised, not cached."""
        try:
            response = self.get(origin + "/robots.txt", kind="robots")
        except FetchError as exc:
            if exc.reason in ("private_address", "invalid_url"):
                raise
            if exc.status is not None and 400 <= exc.status < 500 and exc.status != 429:
                return RobotsPolicy.allow_all(f"robots.txt: HTTP {exc.status}")
            return RobotsPolicy.disallow_all(f"({exc.reason}: {exc.detail})")
        return RobotsPolicy.parse(response.content.decode("utf-8", errors="replace"), self._product)

    def _interval(self, logical: _Url, kind: str, min_interval: float | None) -> float:
        """The largest of the minimum intervals that apply to this request's host."""
        s = self.settings
        interval = max(s.min_interval, s.host_min_interval.get(logical.host, 0.0), min_interval or 0.0)
        # robots.txt itself is fetched before its Crawl-delay is known.
        if s.respect_robots and s.honor_crawl_delay and kind != "robots":
            delay = self._robots.policy(logical.origin).crawl_delay
            interval = max(interval, delay or 0.0)
        return interval

    def _gate(self, host: str) -> _HostGate:
        with self._gates_lock:
            gate = self._gates.get(host)
            if gate is None:
                gate = self._gates[host] = _HostGate(self.settings.max_per_host)
            return gate

    def _logical_target(self, current: _Url, location: str) -> _Url:
        """The logical URL a Location header points to (a hop to an override target is mapped back)."""
        target = _parse_url(urljoin(current.url, location.strip()))
        logical_origin = self._reverse.get(target.origin)
        if logical_origin is not None:
            target = _parse_url(logical_origin + target.target)
        return target

    def _request(
        self, logical: _Url, kind: str, headers: Mapping[str, str], interval: float
    ) -> tuple[_Raw, int]:
        """One hop with retries; returns the last exchange and the number of attempts."""
        s = self.settings
        gate = self._gate(logical.host)
        for attempt in range(s.max_retries + 1):
            last = attempt == s.max_retries
            gate.acquire(interval)
            try:
                raw = self._exchange(logical, kind, headers)
            except FetchError as exc:
                if not exc.retryable or last:
                    raise
                raw = None
            finally:
                gate.release()
            if raw is None:  # a retryable failure: wait outside the gate, so other hosts' threads run
                time.sleep(self._backoff(attempt))
                continue
            if raw.status not in _RETRY_STATUSES or last or _wall(raw):
                return raw, attempt + 1
            wait = self._backoff(attempt)
            retry_after = parse_retry_after(raw.headers.get("retry-after", ""))
            if retry_after is not None:
                if retry_after > s.max_retry_after:
                    raise FetchError(
                        f"http_{raw.status}",
                        f"Retry-After {retry_after:g} s exceeds max_retry_after {s.max_retry_after:g} s",
                        logical.url,
                        raw.status,
                    )
                wait = retry_after
                gate.defer(time.monotonic() + wait)  # the other threads wait for this host too
            time.sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter: uniform in [0, min(max, base * 2**attempt)]."""
        return random.uniform(0.0, min(self.settings.backoff_max, self.settings.backoff_base * 2**attempt))

    # -- one exchange on the wire ------------------------------------------------------------------

    def _exchange(self, logical: _Url, kind: str, extra: Mapping[str, str]) -> _Raw:
        """One request and its response, on an idle keep-alive connection to the origin if there is one."""
        s = self.settings
        real = self._overrides.get(logical.origin)
        scheme, host, port = (
            (real.scheme, real.host, real.port) if real else (logical.scheme, logical.host, logical.port)
        )
        # The logical origin is part of the key: a TLS connection is bound to its server name.
        key = (logical.origin, scheme, host, str(port))
        idle = self._pool.take(key)
        if idle is not None:
            try:
                return self._converse(idle, logical, kind, extra, time.monotonic() + s.total_timeout)
            except _StaleConnection:
                pass  # the server closed it while it was idle: not the host's failure, try a new one
        url = logical.url
        try:
            addresses = self._guard.resolve(host, port)
        except BlockedAddress as exc:
            raise FetchError("private_address", str(exc), url) from None
        except ResolutionError as exc:
            raise FetchError("connection", str(exc), url, retryable=exc.transient) from None
        deadline = time.monotonic() + s.total_timeout
        sock = self._connect([str(a) for a in addresses], port, deadline, url)
        if scheme == "https":
            watchdog = self._deadlines.watch(sock, deadline)  # the handshake is under the deadline too
            handshaken = False
            try:
                sock = self._tls.wrap_socket(sock, server_hostname=logical.host)
                watchdog.watch(sock)
                handshaken = True
            except OSError as exc:  # TimeoutError and ssl's errors among them
                raise _wire_error(exc, watchdog.fired, s, url) from None
            finally:
                watchdog.cancel()  # before the close: the watchdog must not shut a reused descriptor
                if not handshaken:
                    sock.close()
        conn = http.client.HTTPConnection(host, port, timeout=s.read_timeout)
        conn.sock = sock
        conn.auto_open = 0  # never let http.client reconnect by itself, past the guard
        return self._converse(_Connection(conn, sock, key), logical, kind, extra, deadline)

    def _converse(
        self, connection: _Connection, logical: _Url, kind: str, extra: Mapping[str, str], deadline: float
    ) -> _Raw:
        """Send the request on ``connection`` and read the response; keep the connection if it may be.

        On a reused connection, a failure before any byte of the response raises _StaleConnection.
        """
        s = self.settings
        url = logical.url
        conn = connection.conn
        watchdog = self._deadlines.watch(connection.sock, deadline)
        keep = False
        try:
            try:
                conn.putrequest("GET", logical.target, skip_host=True, skip_accept_encoding=True)
                for name, value in {
                    "Host": logical.netloc,
                    "User-Agent": s.user_agent,
                    "Accept": _ACCEPT[kind],
                    "Accept-Encoding": "gzip, deflate",
                    "Connection": "keep-alive",
                    **extra,
                }.items():
                    conn.putheader(name, value)
                conn.endheaders()
                response = conn.getresponse()
            except _STALE_ERRORS:
                if connection.reused and not watchdog.fired:
                    raise _StaleConnection from None
                raise
            headers = _lower_headers(response.msg)
            fetched_at = datetime.now(UTC)
            content, complete = self._read_body(response, headers, kind, url, deadline, watchdog)
            if watchdog.fired:
                raise TimeoutError
            # Reusable only when the response was read to its framed end and the server keeps it open
            # (http.client's will_close: HTTP/1.0 without keep-alive, "Connection: close", no framing).
            keep = complete and not response.will_close
            if keep:
                response.close()  # the connection's state back to idle; the socket stays open
            return _Raw(response.status, response.reason, headers, content, fetched_at)
        except (FetchError, _StaleConnection):
            raise
        except (OSError, http.client.HTTPException) as exc:
            raise _wire_error(exc, watchdog.fired, s, url) from None
        finally:
            watchdog.cancel()  # from here on the watchdog cannot touch the socket
            if keep and not watchdog.fired:
                self._pool.put(connection)
            else:
                connection.close()

    def _connect(self, addresses: list[str], port: int, deadline: float, url: str) -> socket.socket:
        """A TCP connection to the first reachable checked address (no second DNS lookup)."""
        errors: list[str] = []
        timed_out = False
        for address in addresses:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                sock = socket.create_connection(
                    (address, port), timeout=min(self.settings.connect_timeout, remaining)
                )
            except TimeoutError:
                timed_out = True
                errors.append(f"{address}: connect timed out")
            except OSError as exc:
                errors.append(f"{address}: {exc.strerror or exc}")
            else:
                sock.settimeout(self.settings.read_timeout)
                # As http.client does: a request written in pieces must not wait for the peer's ACK.
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                return sock
        reason = "timeout" if timed_out else "connection"
        raise FetchError(reason, "; ".join(errors) or "no time left to connect", url, retryable=True)

    def _read_body(
        self,
        response: http.client.HTTPResponse,
        headers: Mapping[str, str],
        kind: str,
        url: str,
        deadline: float,
        watchdog: _Watchdog,
    ) -> tuple[bytes, bool]:
        """The decoded body, read under the size, ratio and time caps; none for redirects and 304.

        Also whether the response was read to its end (a kept connection must not hold the rest of it).
        """
        status = response.status
        if status in _REDIRECTS or status == 304 or 100 <= status < 200:
            return b"", _drained(response)  # a body of a redirect is left unread
        cap = self.settings.max_bytes
        truncate = False
        if not 200 <= status < 300:
            cap, truncate = _ERROR_BODY_BYTES, True  # enough to recognise a bot wall
        elif kind == "robots":
            cap, truncate = min(cap, MAX_ROBOTS_BYTES), True  # RFC 9309: parse the first 500 KiB
        else:
            _refuse_declared_type(kind, headers, url, status)
        length = headers.get("content-length", "").strip()
        if not truncate and length.isdigit() and int(length) > cap:
            raise FetchError("too_large", f"Content-Length {length} > max_bytes {cap}", url, status)
        coding = headers.get("content-encoding", "identity").strip().lower() or "identity"
        if coding not in ("identity", "gzip", "x-gzip", "deflate"):
            # We never ask for br/zstd, nor for stacked codings ("gzip, gzip").
            raise FetchError("bad_content_type", f"unsupported Content-Encoding {coding!r}", url, status)
        inflater = _Inflater(coding) if coding != "identity" else None
        raw_total = out_total = 0
        parts: list[bytes] = []
        stopped_early = False
        while True:
            if time.monotonic() >= deadline or watchdog.fired:
                raise TimeoutError
            chunk = response.read1(_CHUNK)
            if not chunk:
                break
            raw_total += len(chunk)
            if raw_total > cap and not truncate:
                raise FetchError("too_large", f"more than max_bytes {cap} bytes", url, status)
            if inflater is not None:
                try:
                    chunk = inflater.decompress(chunk, cap - out_total + 1)
                except zlib.error as exc:
                    raise FetchError(
                        "bad_content_type", f"corrupt {coding} body: {exc}", url, status
                    ) from None
            out_total += len(chunk)
            parts.append(chunk)
            self._check_inflation(raw_total, out_total, cap, inflater is not None, truncate, url, status)
            if truncate and (raw_total > cap or out_total > cap):
                stopped_early = True
                break
        if watchdog.fired:
            raise TimeoutError
        if response.length and not stopped_early:
            # http.client's read1 reports a connection closed before Content-Length as a quiet end.
            raise http.client.IncompleteRead(b"", response.length)
        if inflater is not None and not stopped_early:
            try:
                tail = inflater.flush(cap - out_total + 1)
            except zlib.error as exc:
                raise FetchError("bad_content_type", f"corrupt {coding} body: {exc}", url, status) from None
            out_total += len(tail)
            parts.append(tail)
            self._check_inflation(raw_total, out_total, cap, True, truncate, url, status)
        return b"".join(parts)[:cap], not stopped_early and _drained(response)

    def _check_inflation(
        self, raw: int, out: int, cap: int, compressed: bool, truncate: bool, url: str, status: int
    ) -> None:
        if not compressed:
            return
        ratio = out / max(raw, 1)
        if out >= _RATIO_FLOOR and ratio > self.settings.max_compression_ratio:
            raise FetchError(
                "decompression_bomb",
                f"{raw} compressed bytes inflate to more than {out}"
                f" (ratio > {self.settings.max_compression_ratio:g})",
                url,
                status,
            )
        if out > cap and not truncate:
            raise FetchError("too_large", f"more than max_bytes {cap} bytes after decompression", url, status)


def _magic_name(content: bytes) -> str | None:
    """The binary format ``content`` starts with the signature of, e.g. ``"PDF"``; None for none.

    >>> _magic_name(b"%PDF-1.7 ..."), _magic_name(b"<html>")
    ('PDF', None)
    """
    return next((name for magic, name in _BINARY_MAGIC.items() if content.startswith(magic)), None)


def _refuse_declared_type(kind: str, headers: Mapping[str, str], url: str, status: int) -> None:
    mime = _mime(headers)
    if mime.startswith(_BINARY_PREFIXES) or mime in _BINARY_TYPES or (kind == "page" and mime in _GZIP_TYPES):
        raise FetchError("bad_content_type", f"{mime} is not a {kind}", url, status)


def _wall(raw: _Raw) -> str | None:
    """The bot wall an error response is, if it is one (Cloudflare answers challenges with 403/503)."""
    if not 400 <= raw.status < 600:
        return None
    return challenge.is_challenge(raw.content.decode("utf-8", errors="replace"), raw.headers)


def _timeout_detail(exc: BaseException, settings: FetchSettings) -> str:
    return (
        f"no complete answer within the limits (read {settings.read_timeout:g} s, "
        f"total {settings.total_timeout:g} s per attempt): {type(exc).__name__}"
    )


# The public API (pipeline/ imports these).
__all__ = [
    "KINDS",
    "FetchError",
    "FetchSettings",
    "FrozenMap",
    "HttpClient",
    "Response",
    "parse_retry_after",
    "politeness_key",
]
