"""Versions: which version a re-fetch is (pure), and AssignVersions against committed article files."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta
from pathlib import Path

import apache_beam as beam
import pyarrow.parquet as pq
import pytest
from dedup_support import counters_of, dump_rows

from pipeline.dedup.assign_versions import AssignVersions
from pipeline.dedup.history import scan_rows
from pipeline.dedup.text import content_hash
from pipeline.dedup.versions import diff_fields, latest_committed, next_version, version_of
from schemas import ARTICLES, to_table

T0 = datetime(2024, 4, 23, 2, 20, tzinfo=UTC)
BODY = "TOKYO: Japan and Russia agreed on the salmon quota.\n\nThe talks were held online."


def committed(
    aid: str, body: str, version: int | None, *, title: str = "Quota agreed", hours: int = 0
) -> dict:
    return {"article_id": aid, "source_id": "arabnews", "url": f"https://www.arabnews.com/node/{aid}",
            "title": title, "body": body, "content_hash": content_hash(title, body), "version": version,
            "fetched_at": T0 + timedelta(hours=hours), "run_id": f"r{hours}"}  # fmt: skip


def fetched(aid: str, body: str, *, title: str = "Quota agreed") -> dict:
    return {"article_id": aid, "source_id": "arabnews", "url": f"https://www.arabnews.com/node/{aid}",
            "title": title, "body": body, "version": 1, "fetched_at": T0 + timedelta(days=3)}  # fmt: skip


# -- pure ----------------------------------------------------------------------------------------------


def test_a_new_article_is_version_one() -> None:
    assert next_version(None, fetched("a", BODY)) == 1


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("Quota agreed", BODY),
        ("Quota  agreed.", BODY.replace("\n\n", "\n\n\n") + "  "),  # whitespace and punctuation only
        ("QUOTA AGREED", BODY.replace("TOKYO:", "Tokyo -")),
    ],
)
def test_the_same_words_are_no_new_version(title: str, body: str) -> None:
    assert next_version(committed("a", BODY, 3), fetched("a", body, title=title)) is None


@pytest.mark.parametrize(
    ("title", "body", "changed"),
    [
        ("Quota agreed", BODY + "\n\nA quote was added.", ["body"]),
        ("Quota agreed after online talks", BODY, ["title"]),
        ("Quota agreed after online talks", BODY.replace("online", "in Moscow"), ["title", "body"]),
    ],
)
def test_changed_words_make_the_next_version(title: str, body: str, changed: list[str]) -> None:
    previous = committed("a", BODY, 3)
    assert next_version(previous, fetched("a", body, title=title)) == 4
    assert diff_fields({"title": "Quota agreed", "body": BODY}, {"title": title, "body": body}) == changed


def test_rows_from_before_versions_count_as_version_one() -> None:
    assert version_of({"version": None}) == 1 and version_of({}) == 1
    assert next_version(committed("a", BODY, None), fetched("a", BODY + " More.")) == 2


def test_the_latest_committed_row_is_the_highest_version_then_the_latest_fetch() -> None:
    rows = [
        committed("a", BODY, 2, hours=1),
        committed("a", "x", 1, hours=5),
        committed("a", "y", 2, hours=3),
    ]
    assert latest_committed(rows)["body"] == "y"
    assert latest_committed([]) is None


# -- AssignVersions on FnApiRunner ---------------------------------------------------------------------


def _history(tmp_path: Path, rows: list[dict]) -> str:
    path = tmp_path / "articles-r1.parquet"
    pq.write_table(to_table(rows, ARTICLES), path)
    return str(path)


def _assign(tmp_path: Path, articles: list, history: list[str]) -> tuple[list, dict[str, int]]:
    out = tmp_path / "out.pkl"
    p = beam.Pipeline(runner="FnApiRunner")
    _ = (
        p
        | beam.Create(articles)
        | AssignVersions(history)
        | beam.combiners.ToList()
        | beam.Map(dump_rows, str(out))
    )
    result = p.run()
    result.wait_until_finish()
    return pickle.loads(out.read_bytes()), counters_of(result)


def test_assign_versions_numbers_changes_and_drops_unchanged_refetches(tmp_path: Path) -> None:
    history = _history(tmp_path, [
        committed("same", BODY, 1),
        committed("edited", BODY, 1, hours=1),
        committed("edited", BODY + " B.", 2, hours=2),
        committed("old", BODY, None),
    ])  # fmt: skip
    run = [
        fetched("same", BODY.replace("\n\n", "\n\n\n")),  # unchanged re-fetch
        fetched("edited", BODY + " B. And C."),  # a third text
        fetched("old", BODY, title="Quota agreed, fees set"),  # retitled; its row predates versions
        fetched("new", BODY),
    ]
    rows, counters = _assign(tmp_path, run, [history])
    assert sorted((r["article_id"], r["version"]) for r in rows) == [("edited", 3), ("new", 1), ("old", 2)]
    assert counters["versions_unchanged"] == 1 and counters["source.arabnews.versions_unchanged"] == 1
    assert counters["versions_new"] == 2


def test_assign_versions_without_history_and_bad_input_passes_through(tmp_path: Path) -> None:
    """Input dedup cannot key is handed on untouched, for DeduplicateArticles to reject with a reason."""
    rows, counters = _assign(tmp_path, [fetched("a", BODY), {"article_id": None, "body": "x"}, "junk"], [])
    expected = [{**fetched("a", BODY), "version": 1}, {"article_id": None, "body": "x"}, "junk"]
    assert sorted(map(repr, rows)) == sorted(map(repr, expected))
    assert "versions_unchanged" not in counters and "versions_new" not in counters


def test_assign_versions_wants_a_list_of_paths() -> None:
    with pytest.raises(TypeError, match="sequence of paths"):
        AssignVersions("articles.parquet")


def test_scan_rows_reads_only_the_runs_articles(tmp_path: Path) -> None:
    import pyarrow as pa

    path = tmp_path / "old.parquet"  # a file from before the schema had `version`
    pq.write_table(pa.table({"article_id": ["a", "b", None, "c"], "title": ["A", "B", "?", "C"]}), path)
    rows = list(scan_rows(str(path), ["article_id", "version", "title"], {"c", "a", "zz"}))
    assert rows == [{"article_id": "a", "version": None, "title": "A"},
                    {"article_id": "c", "version": None, "title": "C"}]  # fmt: skip
    assert list(scan_rows(str(path), ["article_id"], set())) == []
    pq.write_table(pa.table({"id": ["a"]}), tmp_path / "other.parquet")
    with pytest.raises(ValueError, match="no article_id"):
        list(scan_rows(str(tmp_path / "other.parquet"), ["article_id"], {"a"}))
