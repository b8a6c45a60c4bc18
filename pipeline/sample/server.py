"""Serve the rendered sample sites over loopback HTTP, one server for every host of the corpus.

The HTTP client keeps logical URLs (``https://tass.com/politics/1681234``) and connects to this server
through ``origin_overrides``, sending the logical ``Host`` header; the server finds the page by host and
path in ``site/routes.json`` (edition 2 lays ``site-edition2/`` over it).

>>> with serve() as site:                                     # doctest: +SKIP
...     site.origin_overrides["https://tass.com"]
'http://127.0.0.1:40123'
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from pipeline.sample.build import EDITION2_DIR, FEEDS, SITE_DIR

#: the ``[[sources]]`` the sample ingests: the four connectors with the sample's feeds
SAMPLE_SOURCES = ("tass", "sputnik", "arabnews", "sankei")


@dataclass(frozen=True)
class Route:
    """One servable resource: the file on disk and its content type."""

    path: Path
    content_type: str


class Routes:
    """``(host, path, query)`` -> :class:`Route`, from one or more ``routes.json`` (later ones win)."""

    def __init__(self, roots: list[Path]) -> None:
        self._exact: dict[tuple[str, str, str], Route] = {}
        self._by_path: dict[tuple[str, str], Route] = {}
        self.hosts: set[str] = set()
        for root in roots:
            index = root / "routes.json"
            if not index.exists():
                raise FileNotFoundError(f"{index} is missing: run `python -m pipeline.sample.build` first")
            for url, entry in json.loads(index.read_text(encoding="utf-8")).items():
                parts = urlsplit(url)
                host = (parts.hostname or "").lower()
                route = Route(root / entry["file"], entry["content_type"])
                self._exact[(host, parts.path, parts.query)] = route
                # a feed link with utm_ parameters still finds the page; the first route of a path wins
                self._by_path.setdefault((host, parts.path), route)
                if not parts.query:
                    self._by_path[(host, parts.path)] = route
                self.hosts.add(host)

    def find(self, host: str, target: str) -> Route | None:
        """The route for ``target`` (path and query) on ``host``; the query is ignored when no route
        matches it exactly. A request to the bare server address may name the host as the first path
        segment instead (``/tass.com/politics/1681234``), which helps manual browsing."""
        parts = urlsplit(target)
        host = host.lower().split(":")[0]
        if host not in self.hosts:
            segments = parts.path.split("/", 2)
            if len(segments) >= 2 and segments[1] in self.hosts:
                host, path = segments[1], "/" + (segments[2] if len(segments) > 2 else "")
                return self._lookup(host, path, parts.query)
            return None
        return self._lookup(host, parts.path, parts.query)

    def _lookup(self, host: str, path: str, query: str) -> Route | None:
        return self._exact.get((host, path, query)) or self._by_path.get((host, path))


def _handler(routes: Routes) -> type[BaseHTTPRequestHandler]:
    class SampleHandler(BaseHTTPRequestHandler):
        server_version = "dipnews-sample/1"
        # HTTP/1.1 keeps the connection open for the client's next request (every response below has a
        # Content-Length, which keep-alive needs). An idle connection is closed after ``timeout``
        # seconds, so that it does not hold its server thread for ever.
        protocol_version = "HTTP/1.1"
        timeout = 30
        # The head and the body are two writes: with Nagle's algorithm on, the body of a response on a
        # kept-alive connection would wait for the client's delayed ACK of the head (40 ms on Linux).
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            self._respond(body=True)

        def do_HEAD(self) -> None:
            self._respond(body=False)

        def _respond(self, *, body: bool) -> None:
            route = routes.find(self.headers.get("Host", ""), self.path)
            if route is None or not route.path.is_file():
                payload = b"not found\n"
                self.send_response(404)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
            else:
                payload = route.path.read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if body:
                self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            pass  # the pipeline logs its fetches; a line per request here would only be noise

    return SampleHandler


@dataclass(frozen=True)
class SampleSite:
    """A running sample server and what a client needs to use it."""

    port: int
    #: logical origin -> loopback origin, e.g. {"https://tass.com": "http://127.0.0.1:40123"}
    origin_overrides: dict[str, str]
    #: the endpoint the SSRF guard must let through: {"127.0.0.1:40123"}
    allowed_private: frozenset[str]
    #: the ``[[sources]]`` of the sample, as configuration TOML
    config_toml: str
    edition: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def sample_config_toml() -> str:
    """The ``[[sources]]`` list of the four sample sources with the sample's feed URLs."""
    blocks = []
    for source in SAMPLE_SOURCES:
        feeds = ", ".join(json.dumps(f) for f in FEEDS[source])
        blocks.append(f'[[sources]]\nid = "{source}"\nfeeds = [{feeds}]\n')
    return "\n".join(blocks)


class _Server(ThreadingHTTPServer):
    # The listen backlog. http.server's default of 5 overflows when a client fetches 8 pages at once and
    # the accepting thread is slow to get the GIL; the kernel then drops the SYN and the client retries
    # it a whole second later. Real sites queue far more.
    request_queue_size = 128
    daemon_threads = True


@contextmanager
def serve(
    edition: int = 1, *, site_dir: Path = SITE_DIR, edition2_dir: Path = EDITION2_DIR
) -> Iterator[SampleSite]:
    """Serve the sample corpus on ``127.0.0.1`` (a free port) while the ``with`` block runs.

    ``edition=2`` serves what a later poll sees: the edition-2 overlay (updated pages, complete feeds)
    over edition 1. Raises ValueError for another edition, FileNotFoundError when the site is not built.
    """
    if edition not in (1, 2):
        raise ValueError(f"the sample has editions 1 and 2, not {edition!r}")
    routes = Routes([site_dir] + ([edition2_dir] if edition == 2 else []))
    server = _Server(("127.0.0.1", 0), _handler(routes))
    thread = threading.Thread(target=server.serve_forever, name="dipnews-sample-server", daemon=True)
    thread.start()
    port = server.server_address[1]
    origin = f"http://127.0.0.1:{port}"
    try:
        yield SampleSite(
            port=port,
            origin_overrides={f"https://{host}": origin for host in sorted(routes.hosts)}
            | {f"http://{host}": origin for host in sorted(routes.hosts)},
            allowed_private=frozenset({f"127.0.0.1:{port}"}),
            config_toml=sample_config_toml(),
            edition=edition,
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
