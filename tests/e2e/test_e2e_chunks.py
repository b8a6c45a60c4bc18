"""A run cut into chunks writes the same tables as a run in one piece (pipeline.chunks).

The sample corpus (45 new articles, one of them a copy of another outlet's story and one listed in two
feeds) is ingested once with the default chunk size (one chunk) and once in chunks of 8 articles, where
the copies land in different chunks and each chunk reads the earlier chunks' files as history. Every
table must come out the same, apart from which run wrote it and when, and the names of clusters: a
cluster keeps the id it was given when its first member was decided (as across runs), so a chunk that
decides the copy first names the cluster after it. Which articles are clustered together, which is the
duplicate and which the representative must not change.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import VOLATILE, dipnews, query, table_snapshot

pytestmark = pytest.mark.slow

TABLES = ("mentions", "rejects", "entities")


def _run(tmp_path: Path, name: str, chunk_size: int | None) -> Path:
    warehouse = tmp_path / name
    config = tmp_path / f"{name}.toml"
    config.write_text(f"[run]\nchunk_size = {chunk_size}\n" if chunk_size else "", encoding="utf-8")
    proc = dipnews("-v", "run", "--sample", "--config", str(config), "--warehouse", str(warehouse))
    assert proc.returncode == 0, proc.stdout + proc.stderr[-4000:]
    return warehouse


def test_chunked_run_writes_the_same_tables(tmp_path: Path) -> None:
    whole = _run(tmp_path, "whole", None)
    chunked = _run(tmp_path, "chunked", 8)
    for table in TABLES:
        assert table_snapshot(chunked, table) == table_snapshot(whole, table), table
    columns = [r[0] for r in query(whole, "DESCRIBE articles") if r[0] not in VOLATILE | {"cluster_id"}]
    select = f"SELECT {', '.join(columns)} FROM articles ORDER BY article_id"
    assert query(chunked, select) == query(whole, select)
    assert _clusters(chunked) == _clusters(whole)
    assert len(_clusters(whole)) < 45  # the copies are clustered together
    # it was cut up: 45 articles in chunks of 8 wrote files of parts 1 to 6
    parts = {p.name.rsplit("-", 1)[-1] for p in (chunked / "data" / "articles").rglob("*.parquet")}
    assert {f"{c * 100:05d}.parquet" for c in range(1, 7)} <= parts, sorted(parts)


def _clusters(warehouse: Path) -> set[frozenset[str]]:
    """The articles grouped by cluster, whatever the clusters are called."""
    rows = query(warehouse, "SELECT list(article_id) FROM articles GROUP BY cluster_id")
    return {frozenset(ids) for (ids,) in rows}
