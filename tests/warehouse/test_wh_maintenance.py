"""compact, vacuum and check: upkeep that never changes what a reader sees."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from whtest import article, count, run_row, write_rows, write_run

import schemas
from warehouse import CommitError, Warehouse, write_partition
from warehouse import maintenance as maintenance_module
from warehouse.maintenance import conform


def make_runs(wh: Warehouse, n: int) -> None:
    for i in range(n):
        run_id = f"r{i:02d}"
        arts = [article(10 * i + k, run_id=run_id, source="tass" if k % 2 else "sputnik") for k in range(3)]
        wh.commit(run_id, write_run(wh, run_id, arts))


def all_rows(wh: Warehouse, table: str, order: str) -> list[dict]:
    return wh.query(f"SELECT * FROM {table} ORDER BY {order}").to_pylist()


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_compact_merges_each_partition_and_keeps_every_row(wh: Warehouse) -> None:
    make_runs(wh, 4)
    before = {t: all_rows(wh, t, "ALL") for t in ("articles", "mentions", "runs")}
    assert len(wh.committed_files("articles")) == 8
    done = wh.compact("articles")
    assert sorted(c.partition for c in done) == ["sputnik/2025", "tass/2025"]
    assert all(len(c.replaced) == 4 and len(c.written) == 1 for c in done)
    assert len(wh.committed_files("articles")) == 2
    assert {p.name.split("-")[0] for p in wh.committed_files("articles")} == {"compact"}
    assert {t: all_rows(wh, t, "ALL") for t in before} == before
    assert len(wh.committed_files("mentions")) == 8  # only the table asked for
    assert wh.check() == []


def test_compact_all_tables_and_respect_min_files(wh: Warehouse) -> None:
    make_runs(wh, 3)
    assert wh.compact(min_files=4) == []
    done = wh.compact()
    assert {c.table for c in done} == {"articles", "mentions", "runs"}
    assert len(wh.committed_files("runs")) == 1 and count(wh, "runs") == 3
    assert wh.compact() == []  # nothing left to merge


def test_compact_splits_at_max_rows(wh: Warehouse) -> None:
    for i in range(4):
        wh.commit(f"r{i}", write_rows(wh, "articles", f"r{i}", [article(10 * i + k) for k in range(5)]))
    [done] = wh.compact("articles", max_rows_per_file=8)
    assert [e.rows for e in done.written] == [8, 8, 4]
    assert count(wh, "articles") == 20
    # Commit order is kept inside the compacted files (a view's row order is not defined, so read them).
    ids = [i for e in done.written for i in pq.read_table(wh.root / e.path).column("article_id").to_pylist()]
    assert ids == [f"tass-{10 * i + k}" for i in range(4) for k in range(5)]


def test_compact_brings_old_files_up_to_the_current_schema(
        wh: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    wh.commit("r1", write_rows(wh, "runs", "r1", [run_row("r1")]))
    grown = schemas.RUNS.append(pa.field("operator", pa.string()))
    monkeypatch.setitem(schemas.TABLES, "runs", grown)
    wh.commit("r2", [write_partition(wh.root, "runs", "all", "r2", [run_row("r2", operator="cron")])])
    [done] = wh.compact("runs")
    assert pq.read_schema(wh.root / done.written[0].path).equals(grown, check_metadata=False)
    assert wh.query("SELECT run_id, operator FROM runs ORDER BY run_id").to_pylist() == [
        {"run_id": "r1", "operator": None}, {"run_id": "r2", "operator": "cron"}]


def test_conform_fills_casts_and_drops() -> None:
    schema = pa.schema([pa.field("a", pa.int64()), pa.field("b", pa.string())])
    out = conform(pa.table({"a": pa.array([1], pa.int32()), "x": ["drop me"]}), schema)
    assert out.schema == schema and out.to_pylist() == [{"a": 1, "b": None}]


def test_a_crashed_compaction_changes_nothing(wh: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    make_runs(wh, 3)
    manifest = (wh.root / "_manifest/manifest.json").read_bytes()

    def crash(*args: object) -> None:
        raise OSError("killed before the manifest swap")

    monkeypatch.setattr(maintenance_module, "_commit_compaction", crash)
    with pytest.raises(OSError, match="killed"):
        wh.compact("articles")
    monkeypatch.undo()
    assert (wh.root / "_manifest/manifest.json").read_bytes() == manifest
    assert count(wh, "articles") == 9 and len(wh.committed_files("articles")) == 6
    # its files are orphans: invisible, and vacuum removes them once old enough
    orphans = [p for p in (wh.root / "data").rglob("compact-*.parquet")]
    assert len(orphans) == 2
    for p in orphans:
        age(p, 7200)
    report = wh.vacuum()
    assert sorted(report.files) == sorted(orphans) and not any(p.exists() for p in orphans)


def test_a_compaction_racing_a_commit_that_changed_its_files_aborts(
        wh: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    make_runs(wh, 2)
    real = maintenance_module._commit_compaction

    def meanwhile(w: Warehouse, compaction_id: str, done: list) -> None:
        monkeypatch.setattr(maintenance_module, "_commit_compaction", real)
        wh.compact("articles")  # another compaction swaps the same files first
        real(w, compaction_id, done)

    monkeypatch.setattr(maintenance_module, "_commit_compaction", meanwhile)
    with pytest.raises(CommitError, match="manifest changed while it ran"):
        wh.compact("articles")
    monkeypatch.undo()
    assert count(wh, "articles") == 6 and wh.check() == []


def test_vacuum_removes_only_old_unreferenced_files_and_temps(wh: Warehouse) -> None:
    make_runs(wh, 2)
    committed = {p for t in ("articles", "mentions", "runs") for p in wh.committed_files(t)}
    orphan_old = write_run(wh, "dead", [article(99, run_id="dead")])
    orphan_new = write_run(wh, "fresh", [article(98, run_id="fresh", source="arabnews")])
    temp = wh.root / "data/articles/tass/2025/.r00-00000.parquet.123.abcdef.tmp"
    temp.write_bytes(b"half")
    for entry in orphan_old:
        age(wh.root / entry.path, 7200)
    age(temp, 7200)
    for p in committed:
        age(p, 7200)  # old, but referenced

    dry = wh.vacuum(dry_run=True)
    assert len(dry.files) == 3 and dry.temps == [temp] and temp.exists()
    report = wh.vacuum()
    assert sorted(report.files) == sorted(wh.root / e.path for e in orphan_old)
    assert report.temps == [temp] and report.kept_recent == 3 and report.bytes > 0
    assert all(p.exists() for p in committed)
    assert all((wh.root / e.path).exists() for e in orphan_new)
    assert not temp.exists() and count(wh, "articles") == 6
    assert wh.check() == []


def test_vacuum_deletes_files_compaction_replaced_after_the_grace_period(wh: Warehouse) -> None:
    make_runs(wh, 2)
    old = wh.committed_files("articles")
    wh.compact("articles")
    assert wh.vacuum().files == []  # still within the grace period
    assert wh.vacuum(grace_seconds=0).files == sorted(old)
    assert count(wh, "articles") == 6


def test_vacuum_removes_emptied_folders(wh: Warehouse) -> None:
    write_rows(wh, "articles", "dead", [article(1, source="arabnews", run_id="dead")])
    wh.vacuum(grace_seconds=0)
    assert not (wh.root / "data/articles/arabnews").exists()


def test_vacuum_refuses_to_run_during_a_run(wh: Warehouse) -> None:
    from warehouse import WarehouseLocked

    with wh.lock(), pytest.raises(WarehouseLocked):
        wh.vacuum()


def test_check_finds_missing_resized_miscounted_and_corrupt_files(wh: Warehouse) -> None:
    make_runs(wh, 2)
    assert wh.check() == []
    files = wh.committed_files("articles")
    files[0].unlink()
    data = files[1].read_bytes()
    files[1].write_bytes(data[:100] + b"\0" * 50 + data[150:])  # same size, damaged pages
    files[2].write_bytes(data + b"junk")  # grown
    pq.write_table(pq.read_table(files[3]).slice(0, 0), files[3])  # readable, but other rows and size
    problems: dict[str, list[str]] = {}
    for p in wh.check():
        problems.setdefault(p.path, []).append(p.issue)
    rel = [f.relative_to(wh.root).as_posix() for f in files]
    assert problems.keys() == set(rel[:4])
    assert problems[rel[0]] == ["missing"]
    assert [i for i in problems[rel[1]] if i.startswith("unreadable")]
    assert [i for i in problems[rel[2]] if "bytes on disk" in i]
    assert "0 rows in the file, 1 recorded" in problems[rel[3]]
    assert wh.check(read_data=False) != []
