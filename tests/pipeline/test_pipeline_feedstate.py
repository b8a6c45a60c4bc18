"""Feed state: conditional GET with the committed validators, poll records, the adaptive interval.

Unit tests of pipeline/feedstate.py, then real runs (loopback server, Beam on FnApiRunner, real
warehouse) showing that a second run sends If-None-Match / If-Modified-Since, that a 304 costs one
request and yields nothing, that state commits with the run, and that feeds not yet due are skipped.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pipeline.config import ScheduleSettings, parse_config
from pipeline.feedstate import (
    FeedPoll,
    PollRecord,
    next_interval,
    plan_polls,
    read_poll_records,
    state_update,
    write_poll_record,
)
from pipeline.run import run_batch
from warehouse import Warehouse

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SCHEDULE = ScheduleSettings(min_interval=60, max_interval=600, growth=1.5)


# -- units ---------------------------------------------------------------------------------------------------


def test_interval_grows_by_the_factor_up_to_the_maximum_and_resets_on_news() -> None:
    intervals = []
    current = None
    for _ in range(8):
        current = next_interval(current, 0, SCHEDULE)
        intervals.append(current)
    assert intervals[:4] == [90.0, 135.0, 202.5, 303.75]
    assert intervals[-1] == 600 and max(intervals) == 600
    assert next_interval(600, 2, SCHEDULE) == 60


def test_plan_marks_feeds_due_by_next_poll_after() -> None:
    committed = {
        "https://a/feed": {"etag": '"v1"', "next_poll_after": (NOW + timedelta(minutes=5)).isoformat()},
        "https://b/feed": {"last_modified": "Mon, 23 Nov 2026 10:00:00 GMT",
                           "next_poll_after": (NOW - timedelta(seconds=1)).isoformat()},
        "https://c/feed": {"next_poll_after": "not a time"},
    }
    feeds = [("a", "https://a/feed"), ("b", "https://b/feed"), ("c", "https://c/feed"), ("d", "https://d/feed")]
    polls = {p.feed_url: p for p in plan_polls(feeds, committed, NOW)}
    assert [polls[f].due for _, f in feeds] == [False, True, True, True]
    assert polls["https://a/feed"].etag == '"v1"'
    assert polls["https://b/feed"].last_modified == "Mon, 23 Nov 2026 10:00:00 GMT"
    assert all(p.due for p in plan_polls(feeds, committed, NOW, all_feeds=True))


def test_feedpoll_accepts_the_plain_tuple_form() -> None:
    assert FeedPoll.of(("tass", "https://tass.com/rss/v2.xml")) == FeedPoll("tass", "https://tass.com/rss/v2.xml")


def test_state_update_keeps_validators_on_304_and_interval_on_failure() -> None:
    committed = {
        "https://a/feed": {"etag": '"v1"', "entries": 7, "interval": 90.0},
        "https://b/feed": {"etag": '"b1"', "interval": 135.0},
    }
    records = [
        PollRecord("https://a/feed", "a", NOW.isoformat(), 304),
        PollRecord("https://b/feed", "b", NOW.isoformat(), 503, error="http_503"),
        PollRecord("https://c/feed", "c", NOW.isoformat(), 200, etag='"c1"', entries=3),
    ]
    update = state_update(records, committed, {"https://c/feed": 2}, SCHEDULE, "r2")
    a, b, c = update["https://a/feed"], update["https://b/feed"], update["https://c/feed"]
    assert (a["etag"], a["entries"], a["status"], a["interval"]) == ('"v1"', 7, 304, 135.0)
    assert (b["etag"], b["interval"], b["error"]) == ('"b1"', 135.0, "http_503")
    assert (c["etag"], c["entries"], c["new_entries"], c["interval"]) == ('"c1"', 3, 2, 60)
    assert a["next_poll_after"] == (NOW + timedelta(seconds=135)).isoformat()


def test_validators_are_dropped_for_sources_with_failed_pages() -> None:
    records = [
        PollRecord("https://a/feed", "a", NOW.isoformat(), 200, etag='"a1"', last_modified="x", entries=3),
        PollRecord("https://b/feed", "b", NOW.isoformat(), 304),
    ]
    committed = {"https://b/feed": {"etag": '"b0"'}}
    update = state_update(records, committed, {}, SCHEDULE, "r1", unconditional_next={"a", "b"})
    assert [(u["etag"], u["last_modified"]) for u in update.values()] == [(None, None), (None, None)]
    assert update["https://a/feed"]["entries"] == 3


def test_new_articles_of_child_sitemaps_count_for_their_index() -> None:
    record = PollRecord("https://s/index.xml", "s", NOW.isoformat(), 200, entries=4,
                        children=["https://s/news-1.xml"])
    assert record.new_entries({"https://s/news-1.xml": 3, "https://other/feed": 9}) == 3


def test_poll_records_round_trip_and_a_foreign_file_is_an_error(tmp_path: Path) -> None:
    record = PollRecord("https://a/feed", "a", NOW.isoformat(), 200, etag='"x"', entries=2)
    write_poll_record(tmp_path, record)
    write_poll_record(tmp_path, record)  # a retried bundle overwrites, never adds
    assert read_poll_records(tmp_path) == [record]
    assert read_poll_records(tmp_path / "missing") == []
    (tmp_path / "feed-bad.json").write_text("{not json")
    with pytest.raises(ValueError, match=r"feed-bad\.json: not a poll record"):
        read_poll_records(tmp_path)


# -- real runs -----------------------------------------------------------------------------------------------

PARAGRAPH = (
    "Foreign Minister Sergey Lavrov met Japan's ambassador in Moscow on Tuesday to discuss fishing "
    "consultations near the Southern Kurils, the ministry said, and both sides agreed to meet again. "
)


class _Site:
    """A loopback site whose feed supports ETag and Last-Modified, and which records every request."""

    def __init__(self) -> None:
        self.items = [1, 2]
        self.missing: set[str] = set()  # article paths answered with 404
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()

    def feed(self, base: str) -> bytes:
        items = "".join(
            f"<item><title>Talks part {n}</title><link>{base}/news/{n}</link>"
            f"<pubDate>Wed, 0{n} May 2024 06:30:00 GMT</pubDate></item>"
            for n in self.items
        )
        channel = f"<channel><title>T</title>{items}</channel>"
        return f"<?xml version='1.0'?><rss version='2.0'>{channel}</rss>".encode()

    @property
    def etag(self) -> str:
        return '"items-' + "-".join(map(str, self.items)) + '"'


def _handler(site: _Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            with site.lock:
                site.requests.append((self.path, dict(self.headers)))
            base = f"http://127.0.0.1:{self.server.server_port}"
            if self.path == "/feed.xml":
                if self.headers.get("If-None-Match") == site.etag:
                    self.send_response(304)
                    self.send_header("ETag", site.etag)
                    self.end_headers()
                    return
                body, kind = site.feed(base), "application/rss+xml"
            elif self.path.startswith("/news/") and self.path not in site.missing:
                n = self.path.rsplit("/", 1)[-1]
                body = (
                    f"<html lang='en'><head><title>Talks part {n}</title></head><body><article>"
                    f"<h1>Talks part {n}</h1>"
                    + f"<p>{PARAGRAPH * 3} ({n})</p>" * 3
                    + "</article></body></html>"
                ).encode()
                kind = "text/html; charset=utf-8"
            else:
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            if self.path == "/feed.xml":
                self.send_header("ETag", site.etag)
                self.send_header("Last-Modified", "Mon, 23 Nov 2026 10:00:00 GMT")
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture()
def site() -> Iterator[tuple[_Site, str]]:
    state = _Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def _config(base: str, min_interval: float = 0.0) -> str:
    return f"""
        [fetch]
        allow_private_networks = true
        min_interval = 0.0
        [schedule]
        min_interval = {min_interval}
        max_interval = {max(min_interval, 1.0) * 10}
        [[sources]]
        id = "loopwire"
        connector = "generic"
        feeds = ["{base}/feed.xml"]
    """


def _feed_requests(site: _Site) -> list[dict[str, str]]:
    return [headers for path, headers in site.requests if path == "/feed.xml"]


def test_second_run_is_conditional_and_a_304_yields_nothing(site, tmp_path: Path) -> None:
    state, base = site
    config = parse_config(_config(base))
    first = run_batch(config, tmp_path / "wh")
    assert first.committed and first.row["articles_written"] == 2
    wh = Warehouse(tmp_path / "wh")
    feed = wh.feed_state()[f"{base}/feed.xml"]
    assert (feed["status"], feed["etag"], feed["entries"], feed["new_entries"]) == (200, state.etag, 2, 2)
    assert feed["last_modified"] == "Mon, 23 Nov 2026 10:00:00 GMT"

    state.requests.clear()
    second = run_batch(config, tmp_path / "wh")
    feed_requests = _feed_requests(state)
    content = [path for path, _ in state.requests if path != "/robots.txt"]
    assert content == ["/feed.xml"], state.requests  # one request for content, no pages
    assert feed_requests[0].get("If-None-Match") == state.etag
    assert feed_requests[0].get("If-Modified-Since") == "Mon, 23 Nov 2026 10:00:00 GMT"
    assert second.counters.get("feeds_not_modified") == 1
    assert second.counters.get("entries_seen", 0) == 0
    feed = wh.feed_state()[f"{base}/feed.xml"]
    assert (feed["status"], feed["entries"], feed["new_entries"]) == (304, 2, 0)
    assert feed["run_id"] == second.run_id
    # the catalog shows the state as a table
    rows = wh.query("SELECT status, etag, entries FROM feed_state").to_pylist()
    assert rows == [{"status": 304, "etag": state.etag, "entries": 2}]
    # and the state of the run is gone from staging once committed
    assert not any((tmp_path / "wh" / "_staging").glob("*/feeds/*.json"))

    state.items = [1, 2, 3]  # news: a new ETag, a 200, one new article
    third = run_batch(config, tmp_path / "wh")
    assert third.row["articles_written"] == 1
    feed = wh.feed_state()[f"{base}/feed.xml"]
    assert (feed["status"], feed["entries"], feed["new_entries"]) == (200, 3, 1)
    summary = json.loads(third.row["summary"])["sources"]["loopwire"]
    assert (summary["polled"], summary["new"], summary["written"]) == (1, 1, 1)


@pytest.mark.slow
def test_feeds_not_due_are_skipped_and_counted_unless_all_feeds(site, tmp_path: Path) -> None:
    state, base = site
    config = parse_config(_config(base, min_interval=3600))
    run_batch(config, tmp_path / "wh")
    feed = Warehouse(tmp_path / "wh").feed_state()[f"{base}/feed.xml"]
    assert feed["interval"] == 3600  # news: the minimum
    state.requests.clear()
    skipped = run_batch(config, tmp_path / "wh")
    assert _feed_requests(state) == []
    assert skipped.counters.get("feeds_skipped") == 1 and skipped.counters.get("feeds_read", 0) == 0
    assert json.loads(skipped.row["summary"])["sources"]["loopwire"]["skipped"] == 1
    # a skipped feed's state is not touched
    assert Warehouse(tmp_path / "wh").feed_state()[f"{base}/feed.xml"] == feed
    forced = run_batch(config, tmp_path / "wh", all_feeds=True)
    assert forced.counters.get("feeds_read") == 1 and len(_feed_requests(state)) == 1
    after = Warehouse(tmp_path / "wh").feed_state()[f"{base}/feed.xml"]
    assert after["status"] == 304 and after["interval"] == 5400.0  # nothing new: x1.5


@pytest.mark.slow
def test_a_page_that_failed_is_retried_because_the_next_poll_is_unconditional(site, tmp_path: Path) -> None:
    state, base = site
    config = parse_config(_config(base))
    state.missing = {"/news/2"}
    first = run_batch(config, tmp_path / "wh")
    assert first.row["articles_written"] == 1 and first.row["rejects"] == 1
    assert Warehouse(tmp_path / "wh").feed_state()[f"{base}/feed.xml"]["etag"] is None
    state.missing, state.requests[:] = set(), []
    second = run_batch(config, tmp_path / "wh")
    assert "If-None-Match" not in _feed_requests(state)[0]
    assert second.row["articles_written"] == 1  # the page that failed, fetched this time
    assert Warehouse(tmp_path / "wh").feed_state()[f"{base}/feed.xml"]["etag"] == state.etag
