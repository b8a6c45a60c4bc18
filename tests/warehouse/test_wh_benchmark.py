"""Benchmark: what small files cost DuckDB and the commit, and what compaction wins back.

Run as a script (prints the figures side by side)::

    .venv/bin/python tests/warehouse/test_wh_benchmark.py [FILES] [ROWS_PER_FILE]

or with ``pytest -m benchmark tests/warehouse``. PITFALLS.md measured 2.35 s for a filtered count over
10,000 small files against 0.014 s over 10 files; this measures the same on our own layout and views.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from warehouse import Warehouse, write_partition
from warehouse import catalog as catalog_module

QUERY = "SELECT count(*) AS n FROM articles WHERE source_id = 'tass' AND relevance > 0.5"


def _rows(i: int, n: int) -> list[dict]:
    base = datetime(2025, 1, 1, tzinfo=UTC)
    return [{"article_id": f"a{i}-{k}", "source_id": "tass", "url": f"https://t.example/{i}/{k}",
             "title": f"title {i} {k}", "body": "text " * 50, "published_at": base + timedelta(minutes=i),
             "relevance": (k % 10) / 10, "run_id": f"b{i:05d}"} for k in range(n)]


def _best(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(files: int = 1000, rows_per_file: int = 20) -> dict[str, float]:
    """Seconds for a filtered count and a catalog rebuild over ``files`` small files, then compacted."""
    with tempfile.TemporaryDirectory() as tmp:
        wh = Warehouse(tmp)
        start = time.perf_counter()
        entries = [write_partition(wh.root, "articles", "tass/2025", "bench", _rows(i, rows_per_file), part=i)
                   for i in range(files)]
        write_s = time.perf_counter() - start
        start = time.perf_counter()
        wh.commit("bench", entries)
        commit_s = time.perf_counter() - start
        manifest = wh.manifest()

        def rebuild() -> None:
            catalog_module.build_catalog(wh.root, manifest, "bench")

        with wh.connect() as con:
            small_query = _best(lambda: con.execute(QUERY).fetchall())
            expected = con.execute(QUERY).fetchall()
        small_rebuild = _best(rebuild, 2)
        wh.compact("articles")
        manifest = wh.manifest()
        with wh.connect() as con:
            big_query = _best(lambda: con.execute(QUERY).fetchall())
            assert con.execute(QUERY).fetchall() == expected
        big_rebuild = _best(rebuild, 2)
    return {
        "files": files, "rows": files * rows_per_file, "write_s": write_s, "commit_s": commit_s,
        "query_small_s": small_query, "query_compacted_s": big_query,
        "rebuild_small_s": small_rebuild, "rebuild_compacted_s": big_rebuild,
    }


def report(figures: dict[str, float]) -> str:
    return "\n".join([
        f"{figures['files']} files, {figures['rows']} rows: written in {figures['write_s']:.2f} s, "
        f"committed (with catalog) in {figures['commit_s']:.2f} s",
        f"filtered count : {figures['query_small_s'] * 1000:8.1f} ms over small files | "
        f"{figures['query_compacted_s'] * 1000:8.1f} ms compacted | "
        f"ratio {figures['query_small_s'] / figures['query_compacted_s']:.0f}x",
        f"catalog rebuild: {figures['rebuild_small_s'] * 1000:8.1f} ms over small files | "
        f"{figures['rebuild_compacted_s'] * 1000:8.1f} ms compacted | "
        f"ratio {figures['rebuild_small_s'] / figures['rebuild_compacted_s']:.0f}x",
    ])


@pytest.mark.benchmark
def test_compaction_speeds_up_queries() -> None:
    figures = measure(500, 20)
    print("\n" + report(figures))
    assert figures["query_compacted_s"] < figures["query_small_s"]


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    print(report(measure(*args)))
