"""The DuckDB catalog: typed views equal to the schemas, UTC timestamps, staleness and rebuilds."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from whtest import T0, article, count, python, run_row, write_rows, write_run

import schemas
from schemas.duckdb import duckdb_type
from schemas.state import STATE_TABLES
from warehouse import CatalogError, Warehouse, write_partition
from warehouse import catalog as catalog_module
from warehouse.catalog import STORAGE_VERSION, read_meta

ALL_TABLES = {**schemas.TABLES, **{name: spec.schema for name, spec in STATE_TABLES.items()}}


def describe(con: duckdb.DuckDBPyConnection, name: str) -> list[tuple[str, str]]:
    return [(row[0], row[1]) for row in con.execute(f'DESCRIBE "{name}"').fetchall()]


def expected_columns(schema: pa.Schema) -> list[tuple[str, str]]:
    return [(f.name, duckdb_type(f.type)) for f in schema]


@pytest.mark.parametrize("name", sorted(ALL_TABLES))
def test_empty_views_describe_as_the_schema(wh: Warehouse, name: str) -> None:
    with wh.connect() as con:
        assert describe(con, name) == expected_columns(ALL_TABLES[name])
        assert con.execute(f'SELECT count(*) FROM "{name}"').fetchall() == [(0,)]


@pytest.mark.parametrize("name", sorted(ALL_TABLES))
def test_views_over_files_describe_as_the_schema(wh: Warehouse, name: str) -> None:
    files = write_run(wh, "r1", [article(1), article(2, source="sputnik", published_at=None)])
    files += write_rows(wh, "rejects", "r1", [{"run_id": "r1", "reason": "http_404", "rejected_at": T0}])
    files += write_rows(wh, "entities", "r1", [{"entity_id": "Q1", "name": "Lavrov", "aliases": ["Лавров"]}])
    wh.commit("r1", files, state={"feed_state": {"https://tass.example/rss": {"etag": "x"}}})
    written = {f.table for f in files} | {"feed_state"}
    with wh.connect() as con:
        assert describe(con, name) == expected_columns(ALL_TABLES[name])
        rows = con.execute(f'SELECT count(*) FROM "{name}"').fetchall()[0][0]
        assert rows >= 1 if name in written else rows == 0


def test_timestamps_round_trip_as_timestamptz_in_utc(wh: Warehouse) -> None:
    vladivostok = timezone(timedelta(hours=10))
    local = datetime(2025, 10, 6, 19, 30, 15, 123456, tzinfo=vladivostok)
    wh.commit("r1", write_rows(wh, "articles", "r1", [article(1, published_at=local)]))
    result = wh.query("SELECT published_at, typeof(published_at) AS t, "
                      "strftime(published_at, '%H:%M') AS hm FROM articles")
    assert result.schema.field("published_at").type == pa.timestamp("us", tz="UTC")
    row = result.to_pylist()[0]
    assert row["published_at"] == local and row["published_at"].utcoffset() == timedelta(0)
    assert row["t"] == "TIMESTAMP WITH TIME ZONE" and row["hm"] == "09:30"
    with wh.connect() as con:
        assert con.execute("SELECT current_setting('TimeZone')").fetchall() == [("UTC",)]


def test_lists_and_unicode_survive(wh: Warehouse) -> None:
    row = article(1, title="Лавров и Камикава: 北方領土", authors=["Иван Петров", "山田太郎"])
    wh.commit("r1", write_rows(wh, "articles", "r1", [row]))
    assert wh.query("SELECT title, authors FROM articles").to_pylist() == [
        {"title": row["title"], "authors": row["authors"]}]


def test_the_catalog_file_opens_on_its_own(wh: Warehouse) -> None:
    wh.commit("r1", write_run(wh, "r1", [article(1)]))
    with duckdb.connect(str(wh.root / "catalog.duckdb"), read_only=True) as con:
        listed = con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
        views = {r[0] for r in listed}
        assert {"articles", "mentions", "entities", "runs", "rejects"} <= views
        assert {"unique_articles", "article_mentions", "daily_coverage", "entity_coverage"} <= views
        assert con.execute("SELECT count(*) FROM articles").fetchall() == [(1,)]
        tags = con.execute("SELECT tags FROM duckdb_databases() WHERE database_name = 'catalog'").fetchall()
        assert tags[0][0]["storage_version"].startswith(STORAGE_VERSION)


def test_views_read_only_committed_files_whatever_is_on_disk(wh: Warehouse) -> None:
    wh.commit("r1", write_run(wh, "r1", [article(1)]))
    write_run(wh, "r2", [article(2, run_id="r2")])  # written, never committed: an orphan
    (wh.root / "data/articles/tass/2025/.r2-00001.parquet.1.x.tmp").write_bytes(b"half a file")
    wh.ensure_catalog()
    assert count(wh, "articles") == 1 and count(wh, "runs") == 1


def test_a_catalog_older_than_the_manifest_is_rebuilt(wh: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    wh.commit("r1", write_run(wh, "r1", [article(1)]))

    def crash(*args: object) -> None:
        raise OSError("killed between manifest and catalog")

    monkeypatch.setattr(catalog_module, "build_catalog", crash)
    assert wh.commit("r2", write_run(wh, "r2", [article(2, run_id="r2")]))  # committed; catalog not refreshed
    monkeypatch.undo()
    assert read_meta(wh.catalog_path)["manifest_version"] == "1"
    assert not wh.catalog_is_current()
    assert count(wh, "articles") == 2  # query() noticed and rebuilt
    assert wh.catalog_is_current() and read_meta(wh.catalog_path)["manifest_version"] == "2"


@pytest.mark.parametrize("damage", ["delete", "garbage", "empty"])
def test_a_missing_or_broken_catalog_is_rebuilt(wh: Warehouse, damage: str) -> None:
    wh.commit("r1", write_run(wh, "r1", [article(1)]))
    if damage == "delete":
        wh.catalog_path.unlink()
    else:
        wh.catalog_path.write_bytes(b"" if damage == "empty" else os.urandom(5000))
    assert not wh.catalog_is_current()
    assert wh.ensure_catalog() == wh.catalog_path and wh.catalog_is_current()
    assert count(wh, "articles") == 1


def test_the_catalog_works_after_the_warehouse_is_moved(wh: Warehouse, tmp_path: Path) -> None:
    wh.commit("r1", write_run(wh, "r1", [article(1), article(2)]))
    moved = tmp_path / "elsewhere" / "wh2"
    moved.parent.mkdir()
    shutil.move(wh.root, moved)
    there = Warehouse(moved)
    assert not there.catalog_is_current()  # its views name the old absolute paths
    assert count(there, "articles") == 2
    assert read_meta(there.catalog_path)["root"] == str(moved)
    assert there.commit("r2", write_run(there, "r2", [article(3, run_id="r2")]))
    assert count(there, "articles") == 3


def test_a_column_the_schema_gained_reads_as_null_in_old_files(
        wh: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    wh.commit("r1", write_rows(wh, "runs", "r1", [run_row("r1")]))
    grown = schemas.RUNS.append(pa.field("operator", pa.string()))
    monkeypatch.setitem(schemas.TABLES, "runs", grown)
    assert not wh.catalog_is_current()  # the code's schema changed: fingerprint differs
    assert wh.query("SELECT run_id, operator FROM runs").to_pylist() == [{"run_id": "r1", "operator": None}]
    wh.commit("r2", [write_partition(wh.root, "runs", "all", "r2", [run_row("r2", operator="cron")])])
    assert wh.query("SELECT run_id, operator FROM runs ORDER BY run_id").to_pylist() == [
        {"run_id": "r1", "operator": None}, {"run_id": "r2", "operator": "cron"}]
    with wh.connect() as con:
        assert describe(con, "runs") == expected_columns(grown)


def test_a_committed_file_that_vanished_fails_loudly(wh: Warehouse) -> None:
    wh.commit("r1", write_run(wh, "r1", [article(1)]))
    wh.committed_files("articles")[0].unlink()
    with pytest.raises(duckdb.IOException):
        count(wh, "articles")


def test_a_process_holding_the_catalog_open_does_not_block_queries(wh: Warehouse) -> None:
    wh.commit("r1", write_run(wh, "r1", [article(1)]))
    holder = python(HOLD_CATALOG, str(wh.catalog_path))  # like `duckdb catalog.duckdb` left open
    with holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
            assert count(wh, "articles") == 1
            wh.commit("r2", write_run(wh, "r2", [article(2, run_id="r2")]))
            assert count(wh, "articles") == 2
        finally:
            holder.kill()


HOLD_CATALOG = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])  # read-write: takes DuckDB's exclusive lock on the file
print("open", flush=True)
time.sleep(60)
"""


def test_connect_falls_back_to_an_in_memory_catalog(wh: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    wh.commit("r1", write_run(wh, "r1", [article(1)]))
    wh.catalog_path.unlink()

    def read_only_filesystem(*args: object) -> None:
        raise CatalogError("read-only file system")

    monkeypatch.setattr(catalog_module, "build_catalog", read_only_filesystem)
    assert count(wh, "articles") == 1 and count(wh, "unique_articles") == 1
    assert not wh.catalog_path.exists()
    with pytest.raises(CatalogError, match="for writing"):
        wh.connect(read_only=False)


def test_analyst_macros_work(wh: Warehouse) -> None:
    a = article(1)
    wh.commit("r1", write_run(wh, "r1", [a]))
    rows = wh.query("SELECT surface, context FROM article_mentions").to_pylist()
    assert rows == [{"surface": "Lavrov", "context": "[Lavrov] met Kamikawa in Moscow on day 1."}]
    found = wh.query("SELECT title, surface FROM mentions_of('Q-lavrov')").to_pylist()
    assert found == [{"title": "Talks 1", "surface": "Lavrov"}]
    between = "SELECT count(*) AS n FROM articles_between(TIMESTAMPTZ '{}', TIMESTAMPTZ '{}')"
    assert wh.query(between.format("2025-10-01", "2025-11-01")).column("n")[0].as_py() == 1
    assert wh.query(between.format("2025-11-01", "2025-12-01")).column("n")[0].as_py() == 0
    assert wh.query("SELECT snippet('abcdefghij', 4, 6, 2) AS s").column("s")[0].as_py() == "cd[ef]gh"


def _duckdb_cli() -> str | None:
    return os.environ.get("DIPNEWS_DUCKDB_CLI") or shutil.which("duckdb")


@pytest.mark.skipif(_duckdb_cli() is None, reason="no duckdb CLI (set DIPNEWS_DUCKDB_CLI to test one)")
def test_the_duckdb_cli_opens_the_catalog(wh: Warehouse) -> None:
    wh.commit("r1", write_run(wh, "r1", [article(1)]))
    out = subprocess.run(
        [_duckdb_cli(), "-readonly", "-csv", str(wh.catalog_path), "-c",
         "SELECT count(*) AS n FROM articles; SELECT count(*) AS m FROM article_mentions;"
         "SELECT title FROM mentions_of('Q-lavrov'); DESCRIBE articles;"],
        capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[:6] == ["n", "1", "m", "1", "title", "Talks 1"]
    assert "published_at,TIMESTAMP WITH TIME ZONE" in out.stdout
