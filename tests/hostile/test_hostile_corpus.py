"""The hostile corpus through a real batch run: zero crashes, every entry accounted for, no secret leaks.

A loopback server serves every case of :mod:`hostile_corpus`; ``run_batch`` ingests them as config-only
generic sources (one per case) on the in-process Beam runner into a real warehouse, and the warehouse
is then read back with DuckDB and held against each case's expectations. The default run covers the
cheap cases; ``-m slow`` runs the whole corpus, 10,000-item feed and 10 MB attribute included, and
prints the peak memory of the process.
"""

from __future__ import annotations

import contextlib
import resource
import secrets
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from hostile_corpus import Case, Expect, Resource, build_corpus

from pipeline.config import parse_config
from pipeline.run import RunResult, run_batch
from schemas import TABLES
from warehouse import Warehouse

#: catch-all reasons the stages give to exceptions nobody expected: a hostile input ending as one is a bug
GENERIC_REASONS = frozenset({"feed_error", "fetch_error", "parse_error", "normalize_error", "tag_error"})
#: peak resident memory the whole test process may reach (server, corpus and pipeline together)
MAX_PEAK_RSS = 1536 * 1024 * 1024
EARLIEST = datetime(1994, 1, 1, tzinfo=UTC)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # the default backlog of 5 drops connections when eight fetch threads connect at once, and a
    # dropped SYN costs a second before the client retries it
    request_queue_size = 128
    routes: dict[str, Resource]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        resource_ = self.server.routes.get(self.path.split("?", 1)[0])
        if resource_ is None:
            self.send_response(410 if "/gone/" in self.path else 404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = resource_.payload()
        self.send_response(resource_.status)
        headers = dict(resource_.headers)
        headers.setdefault("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        # the client may give up on a body over its cap
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)


@dataclass
class Outcome:
    """One run over a set of cases, and what the warehouse holds afterwards."""

    cases: list[Case]
    base: str
    result: RunResult
    warehouse: Warehouse
    secret: str
    peak_rss: int
    articles: dict[str, list[dict[str, Any]]]
    rejects: dict[str, list[dict[str, Any]]]


def _peak_rss() -> int:
    """Peak resident set size of this process in bytes (/proc's VmHWM, else getrusage)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _config(cases: list[Case], base: str) -> str:
    sources = "".join(
        f'\n[[sources]]\nid = "{c.source_id}"\nconnector = "generic"\nfeeds = ["{base}/{c.name}/{c.feed}"]\n'
        for c in cases
    )
    return f"""
[fetch]
allow_private_networks = true
polite = false
honor_crawl_delay = false
min_interval = 0.0
max_per_host = 8
connect_timeout = 2.0
read_timeout = 5.0
total_timeout = 20.0
max_retries = 0
max_bytes = {12 * 1024 * 1024}
{sources}"""


def _run(tmp_path: Path, *, fast_only: bool) -> Iterator[Outcome]:
    secret = f"HOSTILE-SECRET-{secrets.token_hex(8)}"
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(secret + "\n")
    server = _Server(("127.0.0.1", 0), _Handler)
    base = f"http://127.0.0.1:{server.server_port}"
    cases = [c for c in build_corpus(base, secret_file=secret_file) if c.fast or not fast_only]
    server.routes = {f"/{c.name}/{path}": r for c in cases for path, r in c.routes.items()}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = run_batch(parse_config(_config(cases, base)), tmp_path / "wh")
        peak = _peak_rss()
        warehouse = Warehouse(tmp_path / "wh")
        articles: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in warehouse.query(
            "select source_id, url, canonical_url, title, body, published_at, modified_at, fetched_at "
            "from articles"
        ).to_pylist():
            articles[row["url"]].append(row)
        rejects: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in warehouse.query("select source_id, url, stage, reason, detail from rejects").to_pylist():
            rejects[row["url"]].append(row)
        print(f"\nhostile corpus: {len(cases)} cases, peak RSS {peak / 2**20:.0f} MiB")
        row = result.row
        print(
            f"entries {row['entries_seen']}, merged {result.counters.get('entries_merged', 0)}, "
            f"articles {row['articles_written']}, rejects {row['rejects']}, status {row['status']}"
        )
        yield Outcome(cases, base, result, warehouse, secret, peak, articles, rejects)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def fast_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outcome]:
    yield from _run(tmp_path_factory.mktemp("hostile_fast"), fast_only=True)


@pytest.fixture(scope="module")
def full_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outcome]:
    yield from _run(tmp_path_factory.mktemp("hostile_full"), fast_only=False)


# ------------------------------------------------------------------------------------------ checks


def _described(rejects: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(r["stage"], r["reason"], r["detail"][:160]) for r in rejects]


def _url_problems(
    url: str, expect: Expect, arts: list[dict[str, Any]], rejs: list[dict[str, Any]]
) -> list[str]:
    """What is wrong with the rows of one expected URL (an empty list when they are right)."""
    if expect.outcome == "article" or (expect.outcome == "any" and arts):
        if len(arts) != 1 or rejs:
            return [f"{url}: expected one article, got {len(arts)} and rejects {_described(rejs)}"]
        return [f"{url}: {p}" for p in (check(arts[0]) for check in expect.checks) if p]
    if expect.outcome == "reject":
        if (
            arts
            or len(rejs) != 1
            or rejs[0]["stage"] != expect.stage
            or rejs[0]["reason"] not in expect.reasons
        ):
            wanted = f"{expect.stage}/{sorted(expect.reasons)}"
            return [f"{url}: expected reject {wanted}, got {_described(rejs)} and {len(arts)} articles"]
        return []
    # "any" without an article: one specific reject
    if len(rejs) != 1 or (expect.reasons and rejs[0]["reason"] not in expect.reasons):
        return [f"{url}: expected an article or a reject in {sorted(expect.reasons)}, got {_described(rejs)}"]
    return []


def _case_problems(case: Case, out: Outcome) -> list[str]:
    """Everything wrong with one case's outcome (an empty list when it behaved)."""
    problems: list[str] = []
    feed_url = f"{out.base}/{case.name}/{case.feed}"
    feed_rejects = [r for r in out.rejects.get(feed_url, []) if r["stage"] == "read_feeds"]
    if feed_rejects:
        if any(r["reason"] not in case.feed_reject for r in feed_rejects):
            expected = sorted(case.feed_reject) or "no reject"
            problems.append(f"feed rejected as {_described(feed_rejects)}, expected {expected}")
            return problems
    elif case.entries == 0 and case.feed_reject:
        problems.append(f"feed not rejected, expected one of {sorted(case.feed_reject)}")
    seen = out.result.per_source.get(case.source_id, {}).get("entries_seen", 0)
    if case.entries is not None and seen != case.entries:
        problems.append(f"{seen} entries seen, expected {case.entries}")
    for url, expect in case.expect.items():
        arts = out.articles.get(url, [])
        rejs = [r for r in out.rejects.get(url, []) if r["stage"] != "read_feeds"]
        if feed_rejects and not arts and not rejs:
            continue  # the feed itself was (acceptably) refused, so its entries never existed
        problems.extend(_url_problems(url, expect, arts, rejs))
    return problems


def _assert_cases(out: Outcome) -> None:
    problems = {c.name: p for c in out.cases if (p := _case_problems(c, out))}
    assert not problems, "\n".join(f"{name}: {'; '.join(p)}" for name, p in problems.items())


def _assert_no_generic_reasons(out: Outcome) -> None:
    generic = [
        (r["source_id"], r["url"], r["stage"], r["reason"], r["detail"][:200])
        for rows in out.rejects.values()
        for r in rows
        if r["reason"] in GENERIC_REASONS
    ]
    assert not generic, generic


def _assert_every_entry_accounted_for(out: Outcome) -> None:
    """articles + rejects after ReadFeeds + entries merged by FilterSeen == entries the feeds gave."""
    counters = out.result.counters
    articles = sum(len(rows) for rows in out.articles.values())
    later_rejects = sum(1 for rows in out.rejects.values() for r in rows if r["stage"] != "read_feeds")
    merged = counters.get("entries_merged", 0)
    assert articles + later_rejects + merged == counters.get("entries_seen", 0), (
        articles,
        later_rejects,
        merged,
        counters,
    )
    per_source: Counter[str] = Counter()
    for rows in out.articles.values():
        per_source.update(r["source_id"] for r in rows)
    for rows in out.rejects.values():
        per_source.update(r["source_id"] for r in rows if r["stage"] != "read_feeds")
    for case in out.cases:
        seen = out.result.per_source.get(case.source_id, {}).get("entries_seen", 0)
        assert per_source[case.source_id] <= seen, (case.name, per_source[case.source_id], seen)


def _assert_secret_never_stored(out: Outcome) -> None:
    for table in TABLES:
        for row in out.warehouse.query(f"select * from {table}").to_pylist():
            assert out.secret not in repr(row), (
                f"the secret file's content reached table {table}: {row!r:.300}"
            )


def _assert_dates_plausible(out: Outcome) -> None:
    for rows in out.articles.values():
        for row in rows:
            for column in ("published_at", "modified_at"):
                value = row[column]
                if value is not None:
                    assert EARLIEST <= value <= row["fetched_at"] + timedelta(days=1), (
                        row["url"],
                        column,
                        value,
                    )


def _assert_common(out: Outcome) -> None:
    assert out.result.committed, out.result
    _assert_no_generic_reasons(out)
    _assert_every_entry_accounted_for(out)
    _assert_secret_never_stored(out)
    _assert_dates_plausible(out)
    assert out.peak_rss < MAX_PEAK_RSS, f"peak RSS {out.peak_rss / 2**20:.0f} MiB"


# ------------------------------------------------------------------------------------------- tests


def test_corpus_is_large_and_varied() -> None:
    cases = build_corpus("http://127.0.0.1:1", secret_file=Path("/nonexistent/secret"))
    assert len(cases) >= 50
    assert len({c.name for c in cases}) == len(cases)
    assert sum(c.fast for c in cases) >= 20


def test_fast_subset_outcomes(fast_run: Outcome) -> None:
    _assert_cases(fast_run)


def test_fast_subset_invariants(fast_run: Outcome) -> None:
    _assert_common(fast_run)


@pytest.mark.slow
def test_full_corpus_outcomes(full_run: Outcome) -> None:
    _assert_cases(full_run)


@pytest.mark.slow
def test_full_corpus_invariants(full_run: Outcome) -> None:
    _assert_common(full_run)


# ----------------------------------------------------------------------- the SSRF guard left on


def test_links_and_redirects_into_private_networks_are_refused(tmp_path: Path) -> None:
    """With only the corpus server's own endpoint allowed, nothing else private is ever contacted."""
    server = _Server(("127.0.0.1", 0), _Handler)
    port = server.server_port
    base = f"http://127.0.0.1:{port}"
    private = [
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://10.0.0.1/admin",
        "http://[::ffff:127.0.0.1]:1/mapped",  # loopback inside an IPv4-mapped IPv6 address
        "http://127.0.0.1:1/other-port",  # loopback, but not the allowed endpoint
        "http://0.0.0.0:1/unspecified",
    ]
    items = "".join(f"<item><title>x</title><link>{u}</link></item>" for u in private)
    items += f"<item><title>r</title><link>{base}/ssrf/redirect</link></item>"
    feed = f"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>{items}</channel></rss>"
    server.routes = {
        "/ssrf/feed.xml": Resource(feed.encode(), headers={"Content-Type": "application/rss+xml"}),
        "/ssrf/redirect": Resource(b"", status=302, headers={"Location": "http://10.1.2.3/internal"}),
    }
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    config = f"""
[fetch]
allowed_private = ["127.0.0.1:{port}"]
polite = false
min_interval = 0.0
connect_timeout = 2.0
max_retries = 0

[[sources]]
id = "h_ssrf"
connector = "generic"
feeds = ["{base}/ssrf/feed.xml"]
"""
    try:
        result = run_batch(parse_config(config), tmp_path / "wh")
        rows = Warehouse(tmp_path / "wh").query("select url, stage, reason, detail from rejects").to_pylist()
    finally:
        server.shutdown()
        server.server_close()
    assert result.committed
    assert result.counters.get("pages_fetched", 0) == 0
    # The IPv4-mapped link never becomes an entry: normalize_url drops the brackets of its IPv6 literal
    # and the connector then skips the link it cannot read (see the xfail below).
    expected = {u for u in private if "[" not in u} | {f"{base}/ssrf/redirect"}
    assert {r["url"] for r in rows} == expected, rows
    assert all((r["stage"], r["reason"]) == ("fetch_pages", "private_address") for r in rows), rows


@pytest.mark.xfail(strict=True, reason="connectors/urls.normalize_url drops the brackets of IPv6 hosts")
def test_normalize_url_keeps_ipv6_brackets() -> None:
    from connectors.urls import normalize_url

    assert normalize_url("http://[::ffff:127.0.0.1]:1/mapped") == "http://[::ffff:127.0.0.1]:1/mapped"
