"""Layout and the Parquet contract: where files go, and that they hold exactly the schema."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from whtest import T0, article, mention, run_row

import schemas
from warehouse import FileEntry, Warehouse, partition_of, write_partition
from warehouse.layout import parse_file_name, relative_path

SAMPLE_ROWS = {
    "articles": article(1),
    "mentions": mention(article(1)),
    "runs": run_row("r1", sources=["tass"], feeds_read=3),
    "rejects": {"run_id": "r1", "source_id": "tass", "url": "https://tass.example/x", "stage": "fetch",
                "reason": "http_404", "rejected_at": T0},
    "entities": {"entity_id": "Q1", "name": "Sergey Lavrov", "type": "person", "aliases": ["Lavrov"]},
}


def test_partition_rules() -> None:
    assert partition_of("articles", article(1)) == "tass/2025"
    assert partition_of("articles", article(1, published_at=None)) == "tass/unknown"
    assert partition_of("articles", article(1, source="sankei", published_at=None)) == "sankei/unknown"
    assert partition_of("mentions", mention(article(1))) == "tass/2025"
    assert partition_of("rejects", SAMPLE_ROWS["rejects"]) == "2025"
    assert partition_of("runs", run_row("r1")) == "all"
    assert partition_of("entities", SAMPLE_ROWS["entities"]) == "kb"


def test_a_table_without_a_rule_gets_one_partition(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(schemas.TABLES, "signatures", schemas.RUNS)
    assert partition_of("signatures", {"source_id": "tass", "published_at": T0}) == "all"


def test_partition_year_is_taken_in_utc() -> None:
    # 00:30 on 1 January in Tokyo is still the previous year in UTC
    tokyo = timezone(timedelta(hours=9))
    row = article(1, published_at=datetime(2026, 1, 1, 0, 30, tzinfo=tokyo))
    assert partition_of("articles", row) == "tass/2025"


@pytest.mark.parametrize("partition", sorted({partition_of(t, r) for t, r in SAMPLE_ROWS.items()}))
def test_partitions_never_look_like_hive(partition: str) -> None:
    assert "=" not in partition


@pytest.mark.parametrize(
    ("table", "row", "message"),
    [
        ("articles", article(1, source_id="../etc"), "source_id"),
        ("articles", article(1, source_id="a=b"), "source_id"),
        ("articles", article(1, published_at="2025-10-06"), "published_at must be a datetime"),
        ("nope", {}, "unknown table"),
        ("feed_state", {}, "pipeline state"),
    ],
)
def test_partition_of_rejects_bad_rows(table: str, row: dict, message: str) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        partition_of(table, row)


def test_file_names_are_deterministic_and_parse_back() -> None:
    rel = relative_path("articles", "tass/2025", "20251006T093000Z-ab12", 7)
    assert rel == "data/articles/tass/2025/20251006T093000Z-ab12-00007.parquet"
    assert parse_file_name(Path(rel).name) == ("20251006T093000Z-ab12", 7)
    for bad in ("x.parquet", ".r1-00000.parquet.123.abc.tmp", "r1-0.parquet"):
        with pytest.raises(ValueError):
            parse_file_name(bad)


@pytest.mark.parametrize("run_id", ["", "-x", "a/b", "a b", "x" * 200, "r=1"])
def test_bad_run_ids_are_refused(wh: Warehouse, run_id: str) -> None:
    with pytest.raises(ValueError, match="invalid run_id"):
        write_partition(wh.root, "runs", "all", run_id, [run_row("r1")])


@pytest.mark.parametrize("partition", ["", "a//b", "../x", "a=b", "/abs", ".hidden", "a/b c"])
def test_bad_partitions_are_refused(wh: Warehouse, partition: str) -> None:
    with pytest.raises(ValueError, match="invalid partition"):
        write_partition(wh.root, "runs", partition, "r1", [])


@pytest.mark.parametrize("table", sorted(SAMPLE_ROWS))
def test_written_file_has_exactly_the_schema(wh: Warehouse, table: str) -> None:
    row = SAMPLE_ROWS[table]
    entry = write_partition(wh.root, table, partition_of(table, row), "r1", [row])
    schema = pq.read_schema(wh.root / entry.path)
    expected = schemas.TABLES[table]
    assert schema.names == expected.names
    assert schema.types == expected.types
    assert [f.nullable for f in schema] == [f.nullable for f in expected]
    assert schema.metadata[b"dipnews.table"] == table.encode()
    assert pq.read_table(wh.root / entry.path).num_rows == 1


def test_entry_describes_the_file(wh: Warehouse) -> None:
    rows = [article(i) for i in range(5)]
    entry = write_partition(wh.root, "articles", "tass/2025", "r1", rows, part=2)
    path = wh.root / entry.path
    assert entry == FileEntry("articles", "data/articles/tass/2025/r1-00002.parquet", 5, path.stat().st_size)
    assert entry.run_id == "r1" and entry.partition == "tass/2025"
    assert path.parent.is_dir() and not [p for p in path.parent.iterdir() if p.name.startswith(".")]


def test_timestamps_are_stored_as_utc_instants(wh: Warehouse) -> None:
    moscow = timezone(timedelta(hours=3))
    row = article(1, published_at=datetime(2025, 10, 6, 12, 30, tzinfo=moscow))
    entry = write_partition(wh.root, "articles", "tass/2025", "r1", [row])
    value = pq.read_table(wh.root / entry.path).column("published_at")[0].as_py()
    assert value == datetime(2025, 10, 6, 9, 30, tzinfo=UTC)
    assert value.tzinfo is not None and value.utcoffset() == timedelta(0)


def test_a_retry_overwrites_instead_of_duplicating(wh: Warehouse) -> None:
    first = write_partition(wh.root, "articles", "tass/2025", "r1", [article(1), article(2)])
    again = write_partition(wh.root, "articles", "tass/2025", "r1", [article(1)])
    assert first.path == again.path
    files = list((wh.root / "data").rglob("*.parquet"))
    assert len(files) == 1 and pq.read_metadata(files[0]).num_rows == 1


def test_a_row_of_another_partition_is_refused(wh: Warehouse) -> None:
    rows = [article(1), article(2, published_at=datetime(2024, 5, 1, tzinfo=UTC))]
    with pytest.raises(ValueError, match="row 1 of articles belongs to partition 'tass/2024'"):
        write_partition(wh.root, "articles", "tass/2025", "r1", rows)
    assert not (wh.root / "data").exists() or not list((wh.root / "data").rglob("*"))


def test_a_row_missing_a_required_column_is_refused(wh: Warehouse) -> None:
    row = article(1)
    del row["url"]
    with pytest.raises(ValueError, match="lacks 'url'"):
        write_partition(wh.root, "articles", "tass/2025", "r1", [row])


def test_a_failed_write_leaves_no_file_and_no_temp(wh: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_space(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OSError, match="No space"):
        write_partition(wh.root, "articles", "tass/2025", "r1", [article(1)])
    monkeypatch.undo()
    assert not [p for p in (wh.root / "data").rglob("*") if p.is_file()]


def test_new_folders_are_made_durable(wh: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    from warehouse import layout

    synced: list[Path] = []
    real = layout.fsync_dir
    monkeypatch.setattr(layout, "fsync_dir", lambda d: (synced.append(d), real(d)))
    write_partition(wh.root, "articles", "tass/2025", "r1", [article(1)])
    # every folder created (root, data, articles, tass, 2025) is synced into its parent
    assert synced == [wh.root / "data/articles/tass", wh.root / "data/articles", wh.root / "data", wh.root,
                      wh.root.parent]
    synced.clear()
    write_partition(wh.root, "articles", "tass/2025", "r1", [article(1)], part=1)
    assert synced == []  # nothing new: only the file's own folder, synced by the rename
