"""Automatic compaction: partitions over the limit are merged atomically while readers keep querying.

Real Parquet files and a real catalog; the reader is a thread querying DuckDB in a loop during the
compaction and must only ever see the full count, never a partial or doubled one.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from warehouse import Warehouse, partition_of, write_partition
from warehouse.maintenance import auto_compact

T0 = datetime(2025, 10, 6, 9, 30, tzinfo=UTC)


def _article(n: int, source: str, run_id: str) -> dict:
    return {"article_id": f"{source}-{n}", "source_id": source, "url": f"https://{source}.example/{n}",
            "title": f"T{n}", "body": "b", "published_at": T0, "fetched_at": T0, "run_id": run_id,
            "is_duplicate": False}


def _commit_runs(wh: Warehouse, runs: int, source: str = "tass", per_run: int = 3) -> None:
    for r in range(runs):
        run_id = f"{source}-run{r:03d}"
        rows = [_article(r * per_run + i, source, run_id) for i in range(per_run)]
        entry = write_partition(wh.root, "articles", partition_of("articles", rows[0]), run_id, rows)
        wh.commit(run_id, [entry])


def _files(wh: Warehouse, source: str) -> int:
    return sum(1 for e in wh.manifest().table_files("articles") if e.partition.startswith(source))


def test_only_partitions_over_the_limit_are_compacted(tmp_path: Path) -> None:
    wh = Warehouse(tmp_path / "wh")
    _commit_runs(wh, 5, "tass")
    _commit_runs(wh, 3, "sputnik")
    done = auto_compact(wh, max_files=4)
    assert [(c.table, c.partition, len(c.replaced), c.rows) for c in done] == [
        ("articles", "tass/2025", 5, 15)
    ]
    assert _files(wh, "tass") == 1 and _files(wh, "sputnik") == 3
    assert auto_compact(wh, max_files=4) == []  # nothing left over the limit
    assert wh.query("SELECT count(*) AS n FROM articles").to_pylist() == [{"n": 24}]
    with pytest.raises(ValueError, match="at least 1"):
        auto_compact(wh, max_files=0)


def test_readers_never_see_a_partial_or_doubled_count_during_compaction(tmp_path: Path) -> None:
    wh = Warehouse(tmp_path / "wh")
    _commit_runs(wh, 12, "tass")
    expected = 36
    seen: list[int] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader() -> None:
        reader_wh = Warehouse(tmp_path / "wh")
        while not stop.is_set():
            try:
                seen.append(reader_wh.query("SELECT count(*) AS n FROM articles").column("n")[0].as_py())
            except BaseException as exc:  # any failure of a reader is a test failure
                errors.append(exc)
                return

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        while len(seen) < 3 and not errors:
            stop.wait(0.01)
        done = auto_compact(wh, max_files=8)
        after = len(seen)
        while len(seen) < after + 3 and not errors:
            stop.wait(0.01)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not errors, errors
    assert done and done[0].rows == expected
    assert _files(wh, "tass") == 1
    assert len(seen) >= 6 and set(seen) == {expected}, sorted(set(seen))
