"""Helpers of the warehouse tests: rows of every table, writing a run, what a reader sees."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from warehouse import FileEntry, Warehouse, partition_of, write_partition

REPO = Path(__file__).resolve().parents[2]
T0 = datetime(2025, 10, 6, 9, 30, tzinfo=UTC)


def article(n: int, source: str = "tass", run_id: str = "r1", **extra: Any) -> dict[str, Any]:
    body = f"Lavrov met Kamikawa in Moscow on day {n}."
    row = {
        "article_id": f"{source}-{n}",
        "source_id": source,
        "url": f"https://{source}.example/news/{n}",
        "title": f"Talks {n}",
        "body": body,
        "language": "en",
        "published_at": T0,
        "fetched_at": T0,
        "authors": ["A. Writer"],
        "is_duplicate": False,
        "cluster_id": f"c{n}",
        "relevance": 0.5,
        "run_id": run_id,
    }
    row.update(extra)
    return row


def mention(art: dict[str, Any], surface: str = "Lavrov", **extra: Any) -> dict[str, Any]:
    start = (art.get(extra.get("field", "body")) or art["body"]).index(surface)
    row = {
        "article_id": art["article_id"],
        "entity_id": f"Q-{surface.lower()}",
        "surface": surface,
        "start": start,
        "end": start + len(surface),
        "field": "body",
        "source_id": art["source_id"],
        "run_id": art["run_id"],
        "published_at": art["published_at"],  # not a column: lets partition_of place the mention
    }
    row.update(extra)
    return row


def run_row(run_id: str, **extra: Any) -> dict[str, Any]:
    return {"run_id": run_id, "started_at": T0, "finished_at": T0, "status": "ok", **extra}


def write_rows(wh: Warehouse, table: str, run_id: str, rows: list[dict[str, Any]]) -> list[FileEntry]:
    """Write ``rows`` the way the pipeline does: one file per partition."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(partition_of(table, row), []).append(row)
    return [write_partition(wh.root, table, p, run_id, group) for p, group in sorted(groups.items())]


def write_run(wh: Warehouse, run_id: str, articles: list[dict[str, Any]],
              with_mentions: bool = True) -> list[FileEntry]:
    """The files of a typical run: articles, their mentions and the run's row."""
    files = write_rows(wh, "articles", run_id, articles)
    if with_mentions and articles:
        files += write_rows(wh, "mentions", run_id, [mention(a) for a in articles])
    files += write_rows(wh, "runs", run_id, [run_row(run_id)])
    return files


def count(wh: Warehouse, table: str) -> int:
    return wh.query(f"SELECT count(*) AS n FROM {table}").column("n")[0].as_py()


def snapshot(wh: Warehouse) -> tuple[bytes | None, dict[str, int]]:
    """What a reader sees: the manifest's bytes and the row count of every view."""
    path = wh.root / "_manifest" / "manifest.json"
    raw = path.read_bytes() if path.exists() else None
    return raw, {t: count(wh, t) for t in ("articles", "mentions", "runs", "rejects", "entities")}


def python(code: str, *args: str) -> subprocess.Popen[str]:
    """Start ``code`` with ``args`` in a child Python that imports the project; its stdout is a pipe."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-c", code, *args], env=env, cwd=REPO, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
