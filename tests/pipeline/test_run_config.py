"""Batch runs driven by configuration: a config-only generic source, and the private-network guard.

Real parts throughout: a loopback HTTP server with a feed and article pages written here, the real
Beam pipeline on the in-process runner, real Parquet files and the DuckDB catalog.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pipeline.config import parse_config
from pipeline.run import EXIT_OK, EXIT_PARTIAL, run_batch
from warehouse import Warehouse

PARAGRAPHS = [
    "Deputy Foreign Minister Andrei Rudenko met Japan's ambassador in Moscow on Tuesday to discuss the "
    "resumption of fishing consultations near the Southern Kurils, the ministry said in a statement.",
    "The two sides agreed that technical experts would meet again before the end of the year, and that "
    "quotas for salmon and trout would be reviewed in light of new scientific data from both countries.",
    "Tokyo has repeatedly called for the talks to be kept separate from the wider dispute over the islands, "
    "which Japan calls the Northern Territories, while Moscow has linked them to Japan's sanctions.",
]


def _page(n: int) -> bytes:
    body = "".join(f"<p>{p} (Item {n}.)</p>" for p in PARAGRAPHS)
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Fisheries talks, part {n} | Example Wire</title>"
        f"<meta property='article:published_time' content='2024-05-0{n}T09:30:00+03:00'>"
        f"<link rel='canonical' href='/news/{n}'></head><body><nav>Home | World | Contact</nav>"
        f"<article><h1>Fisheries talks, part {n}</h1>{body}</article>"
        "<footer>Copyright Example Wire. All rights reserved.</footer></body></html>"
    ).encode()


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        base = f"http://127.0.0.1:{self.server.server_port}"
        if self.path == "/feed.xml":
            items = "".join(
                f"<item><title>Fisheries talks, part {n}</title><link>{base}/news/{n}?utm_source=rss</link>"
                f"<pubDate>Wed, 0{n} May 2024 06:30:00 GMT</pubDate></item>"
                for n in (1, 2, 3)
            )
            body, kind = (
                f"<?xml version='1.0'?><rss version='2.0'><channel><title>Example</title>{items}"
                "</channel></rss>".encode(),
                "application/rss+xml",
            )
        elif self.path.startswith("/news/") and self.path.split("/")[-1].split("?")[0] in "123":
            body, kind = _page(int(self.path.split("/")[-1].split("?")[0])), "text/html; charset=utf-8"
        else:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def wire() -> Iterator[str]:
    """A small news site on loopback: ``/feed.xml`` listing three article pages."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def _config(wire: str, *, allow_private: bool) -> str:
    return f"""
        [fetch]
        allow_private_networks = {str(allow_private).lower()}
        min_interval = 0.0

        [[sources]]
        id = "examplewire"
        connector = "generic"
        feeds = ["{wire}/feed.xml"]
    """


def test_config_only_generic_source_is_ingested(wire: str, tmp_path: Path) -> None:
    result = run_batch(parse_config(_config(wire, allow_private=True)), tmp_path / "wh")
    assert result.exit_code == EXIT_OK
    wh = Warehouse(tmp_path / "wh")
    rows = wh.query(
        "select source_id, url, title, published_at, extraction_method, body from articles order by url"
    ).to_pylist()
    assert [r["source_id"] for r in rows] == ["examplewire"] * 3
    assert [r["url"] for r in rows] == [f"{wire}/news/{n}" for n in (1, 2, 3)]  # utm_source dropped
    assert rows[0]["title"] == "Fisheries talks, part 1"
    assert rows[0]["published_at"].isoformat() == "2024-05-01T06:30:00+00:00"  # +03:00 page date in UTC
    assert all(r["extraction_method"] == "generic" for r in rows)
    assert all("All rights reserved" not in r["body"] and "Rudenko" in r["body"] for r in rows)
    assert wh.query("select count(*) as n from mentions").to_pylist()[0]["n"] > 0


def test_loopback_feeds_are_refused_unless_allowed(wire: str, tmp_path: Path) -> None:
    result = run_batch(parse_config(_config(wire, allow_private=False)), tmp_path / "wh")
    # The run completes and commits: the refusal is data, the source is reported as failed.
    assert result.committed and result.exit_code == EXIT_PARTIAL
    assert result.failed_sources == ["examplewire"]
    wh = Warehouse(tmp_path / "wh")
    assert wh.query("select count(*) as n from articles").to_pylist()[0]["n"] == 0
    rejects = wh.query("select source_id, url, stage, reason from rejects").to_pylist()
    assert rejects == [
        {
            "source_id": "examplewire",
            "url": f"{wire}/feed.xml",
            "stage": "read_feeds",
            "reason": "private_address",
        }
    ]
