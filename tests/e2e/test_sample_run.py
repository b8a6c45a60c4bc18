"""``dipnews run --sample`` end to end: feeds to Parquet to DuckDB, asserted in SQL."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from schemas import TABLES
from schemas.duckdb import duckdb_type
from tests.e2e.conftest import dipnews, query, table_snapshot

pytestmark = pytest.mark.slow

FOUR_OUTLETS = {"tass", "sputnik", "arabnews", "sankei"}

#: site chrome that must never reach a body (SOURCES.md, and the chrome the reference seeds keep)
CHROME = [
    "All news",
    "Short Url",
    "Since 1975",
    "Subscribe",
    "Newsfeed",
    "Most Popular",
    "Recommended",
    "return to top",
    "To participate in the discussion",
    "log in or register",
    "©",
    "Read more",
    "Share this",
    "Follow us",
]


def _url_row(warehouse: Path, url: str) -> dict:
    rows = query(warehouse, f"SELECT article_id, title, published_at, body FROM articles WHERE url = '{url}'")
    assert len(rows) == 1, f"{url}: {len(rows)} rows"
    article_id, title, published_at, body = rows[0]
    return {"article_id": article_id, "title": title, "published_at": published_at, "body": body}


def test_all_four_outlets_are_ingested(sample_warehouse: Path, expected: dict) -> None:
    counts = dict(query(sample_warehouse, "SELECT source_id, count(*) FROM articles GROUP BY 1"))
    assert set(counts) == FOUR_OUTLETS
    edition1 = [a for a in expected.values() if a.get("edition", 1) == 1]
    for source_id in FOUR_OUTLETS:
        assert counts[source_id] == sum(1 for a in edition1 if a["source_id"] == source_id), source_id
    assert sum(counts.values()) >= 40


def test_cli_sql_shows_every_outlet(sample_warehouse: Path) -> None:
    proc = dipnews(
        "sql",
        "select source_id, count(*) from articles group by 1 order by 1",
        "--warehouse",
        str(sample_warehouse),
        "--format",
        "csv",
    )
    assert proc.returncode == 0, proc.stderr
    assert {line.split(",")[0] for line in proc.stdout.strip().splitlines()[1:]} == FOUR_OUTLETS


def test_known_titles_and_utc_dates(sample_warehouse: Path, expected: dict) -> None:
    checked = 0
    for key, article in expected.items():
        if article.get("edition", 1) != 1:
            continue
        row = _url_row(sample_warehouse, article["url"])
        assert row["title"] == article["title"], key
        assert row["published_at"] == datetime.fromisoformat(article["published_at"]), key
        checked += 1
    assert checked >= 40


def test_no_site_chrome_in_any_body(sample_warehouse: Path) -> None:
    for chrome in CHROME:
        hits = query(sample_warehouse, f"SELECT url FROM articles WHERE contains(body, '{chrome}')")
        assert not hits, f"{chrome!r} in {hits[:3]}"


def test_every_body_is_non_empty(sample_warehouse: Path) -> None:
    assert query(
        sample_warehouse, "SELECT count(*) FROM articles WHERE body IS NULL OR length(trim(body)) < 200"
    ) == [(0,)]


def test_entities_of_known_articles(sample_warehouse: Path, expected: dict) -> None:
    checked = 0
    for key, article in expected.items():
        if article.get("edition", 1) != 1 or not article.get("about_japan_russia"):
            continue
        row = _url_row(sample_warehouse, article["url"])
        surfaces = {
            s
            for (s,) in query(
                sample_warehouse, f"SELECT surface FROM mentions WHERE article_id = '{row['article_id']}'"
            )
        }
        missing = [m for m in article.get("expect_mentions", []) if m not in surfaces]
        assert not missing, f"{key}: no mention of {missing}"
        checked += 1
    assert checked >= 20


def test_mention_offsets_point_at_their_surface(sample_warehouse: Path) -> None:
    bad = query(
        sample_warehouse,
        """
        SELECT m.article_id, m.surface, m.field FROM mentions m JOIN articles a USING (article_id)
        WHERE substr(CASE m.field WHEN 'title' THEN a.title ELSE a.body END, m.start + 1, m."end" - m.start)
              <> m.surface""",
    )
    assert not bad, bad[:5]


def test_two_feed_tass_story_is_stored_once(sample_warehouse: Path) -> None:
    # The sample lists one TASS story in two section feeds, once with utm_ parameters
    # (pipeline/sample/content/tass.toml).
    rows = query(
        sample_warehouse,
        """
        SELECT identity, count(*) FROM articles WHERE source_id = 'tass' GROUP BY 1 HAVING count(*) > 1""",
    )
    assert rows == []
    assert query(sample_warehouse, "SELECT count(*) FROM articles WHERE url LIKE '%utm_%'") == [(0,)]


def test_non_japan_russia_articles_score_low(sample_warehouse: Path, expected: dict) -> None:
    for key, article in expected.items():
        if article.get("edition", 1) != 1:
            continue
        (relevance,) = query(
            sample_warehouse, f"SELECT relevance FROM articles WHERE url = '{article['url']}'"
        )[0]
        if article.get("about_japan_russia"):
            assert relevance >= 0.5, key
        else:
            assert relevance < 0.5, key


def test_parquet_files_have_exactly_the_schema(sample_warehouse: Path) -> None:
    for table, schema in TABLES.items():
        files = list((sample_warehouse / "data" / table).rglob("*.parquet"))
        # A clean sample run rejects nothing, so `rejects` may have no file; every other table must.
        assert files or table == "rejects", table
        for f in files:
            written = pq.read_schema(f)
            assert written.names == schema.names, f
            assert [fld.type for fld in written] == [fld.type for fld in schema], f


def test_views_describe_as_the_schema(sample_warehouse: Path) -> None:
    for table, schema in TABLES.items():
        described = [(name, typ) for name, typ, *_ in query(sample_warehouse, f"DESCRIBE {table}")]
        assert described == [(f.name, duckdb_type(f.type)) for f in schema], table


def test_second_run_adds_nothing(sample_warehouse: Path) -> None:
    before = {t: table_snapshot(sample_warehouse, t) for t in ("articles", "mentions", "entities")}
    proc = dipnews("run", "--sample", "--warehouse", str(sample_warehouse))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for table, rows in before.items():
        assert table_snapshot(sample_warehouse, table) == rows, table
    assert query(sample_warehouse, "SELECT count(*) FROM runs") == [(2,)]
    (written,) = query(
        sample_warehouse, "SELECT articles_written FROM runs ORDER BY started_at DESC LIMIT 1"
    )[0]
    assert written == 0
