"""FilterSeen: new articles pass, committed ones only when the feed dates them after the committed text."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta
from pathlib import Path

import apache_beam as beam
import pyarrow.parquet as pq
import pytest
from dedup_support import counters_of, dump_rows

from pipeline.stages.filter_seen import FilterSeen, changed_since, committed_mark, feed_date
from schemas import ARTICLES, to_table

T0 = datetime(2024, 4, 23, 2, 20, tzinfo=UTC)
FETCHED = datetime(2026, 11, 1, tzinfo=UTC)


def hours(n: float) -> datetime:
    return T0 + timedelta(hours=n)


def entry(aid: str, *, published: datetime | None = T0, updated: datetime | None = None, **extra) -> dict:
    url = f"https://www.arabnews.com/node/{aid}/japan"
    return {"article_id": aid, "source_id": "arabnews", "url": url, "raw_url": url,
            "feed_url": "https://www.arabnews.com/rss.xml", "published_at": published, "updated_at": updated,
            **extra}  # fmt: skip


def row(aid: str, *, published=T0, modified=None, fetched=FETCHED, version=1) -> dict:
    return {"article_id": aid, "source_id": "arabnews", "url": f"https://www.arabnews.com/node/{aid}/japan",
            "published_at": published, "modified_at": modified, "fetched_at": fetched,
            "version": version, "run_id": "r1"}  # fmt: skip


# -- pure ----------------------------------------------------------------------------------------------


def test_the_committed_mark_is_the_latest_page_date_of_any_version() -> None:
    rows = [row("a", modified=hours(3)), row("a", published=hours(1), modified=hours(7), version=2)]
    assert committed_mark(rows) == hours(7)
    assert committed_mark([row("a", modified=None)]) == T0


def test_without_page_dates_the_fetch_time_is_the_mark() -> None:
    assert committed_mark([row("a", published=None, fetched=hours(9)), row("a", published=None)]) == FETCHED
    assert committed_mark([]) is None
    assert committed_mark([row("a", published=None, fetched=None)]) is None


def test_the_feed_date_is_updated_else_published() -> None:
    assert feed_date(entry("a", updated=hours(5))) == hours(5)
    assert feed_date(entry("a")) == T0
    assert feed_date(entry("a", published=None)) is None


@pytest.mark.parametrize(
    ("e", "mark", "expected"),
    [
        (entry("a", updated=hours(7)), T0, True),  # edited after the committed text
        (entry("a", updated=hours(7)), hours(7), False),  # the committed text is that edit
        (entry("a"), T0, False),  # the same pubDate
        (entry("a", published=hours(-1)), T0, False),  # an older date is no change
        (entry("a", published=None), T0, False),  # no date: nothing says it changed
        (entry("a", updated=hours(7)), None, False),  # nothing committed has a date
    ],
)
def test_changed_since(e: dict, mark: datetime | None, expected: bool) -> None:
    assert changed_since(e, mark) is expected


# -- FilterSeen on FnApiRunner -------------------------------------------------------------------------


def _filter(tmp_path: Path, entries: list[dict], history_rows: list[dict], *, refetch: bool = False):
    history = []
    if history_rows:
        path = tmp_path / "articles.parquet"
        pq.write_table(to_table(history_rows, ARTICLES), path)
        history = [str(path)]
    out = tmp_path / "kept.pkl"
    p = beam.Pipeline(runner="FnApiRunner")
    stage = p | beam.Create(entries) | FilterSeen(history, run_id="r2", refetch=refetch)
    _ = stage.main | beam.combiners.ToList() | beam.Map(dump_rows, str(out))
    result = p.run()
    result.wait_until_finish()
    kept = pickle.loads(out.read_bytes())
    return {e["article_id"]: e for e in kept}, counters_of(result)


def test_only_new_and_changed_articles_are_fetched(tmp_path: Path) -> None:
    history = [row("same"), row("edited"), row("known", modified=hours(7)), row("dateless", published=None)]
    entries = [
        entry("new"),
        entry("same"),
        entry("edited", updated=hours(7)),  # the feed says it was edited after the committed text
        entry("known", updated=hours(7)),  # that edit is already committed
        entry("dateless", published=hours(2)),  # dated before the committed fetch
    ]
    kept, counters = _filter(tmp_path, entries, history)
    assert sorted(kept) == ["edited", "new"]
    assert (counters["entries_new"], counters["entries_changed"], counters["entries_already_committed"]) == (
        1, 1, 3)  # fmt: skip
    assert counters["source.arabnews.entries_changed"] == 1


def test_a_later_date_in_any_feed_listing_counts(tmp_path: Path) -> None:
    section = "https://www.arabnews.com/cat/4/rss.xml"
    entries = [
        entry("a"),
        entry("a", updated=hours(3), feed_url=section, raw_url="https://x.example/a?utm=1"),
    ]
    kept, counters = _filter(tmp_path, entries, [row("a")])
    assert kept["a"]["listed_in"] == [section, "https://www.arabnews.com/rss.xml"]
    assert kept["a"]["raw_url"] == kept["a"]["url"]  # the link without a query string is fetched
    assert counters["entries_changed"] == 1 and counters["entries_merged"] == 1


def test_refetch_fetches_every_committed_article(tmp_path: Path) -> None:
    kept, counters = _filter(tmp_path, [entry("a"), entry("b")], [row("a")], refetch=True)
    assert sorted(kept) == ["a", "b"]
    assert counters["entries_refetched"] == 1 and counters["entries_new"] == 1
    assert "entries_already_committed" not in counters
