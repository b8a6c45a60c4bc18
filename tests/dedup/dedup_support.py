"""Helpers shared by the dedup tests: run DeduplicateArticles on FnApiRunner and collect its outputs."""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import apache_beam as beam
import pyarrow.parquet as pq
from apache_beam.options.pipeline_options import PipelineOptions

from pipeline.dedup.transforms import DeduplicateArticles
from schemas import to_table
from schemas.dedup import SIGNATURES


def _dump(rows: list[Any], path: str) -> None:
    Path(path).write_bytes(pickle.dumps(rows))


def run_dedup(
    articles: Sequence[dict[str, Any]],
    history: Sequence[str],
    run_id: str,
    workdir: Path,
    options: PipelineOptions | None = None,
    runner: str = "FnApiRunner",
    **kwargs: Any,
) -> dict[str, list[dict[str, Any]]]:
    """Run the transform over ``articles`` and return every output as a list of rows."""
    out_dir = workdir / f"out-{run_id}"
    out_dir.mkdir(parents=True, exist_ok=True)
    kwargs.setdefault("decided_at", datetime(2030, 1, 1, tzinfo=UTC).replace(minute=len(run_id)))
    with beam.Pipeline(runner=runner, options=options) as p:
        dedup = DeduplicateArticles(history, run_id=run_id, **kwargs)
        outputs = p | "Input" >> beam.Create(list(articles)) | dedup
        for name, pcoll in outputs.items():
            _ = (
                pcoll
                | f"Collect{name}" >> beam.combiners.ToList()
                | f"Dump{name}" >> beam.Map(_dump, str(out_dir / f"{name}.pkl"))
            )
    return {path.stem: pickle.loads(path.read_bytes()) for path in out_dir.glob("*.pkl")}


def write_signatures(rows: list[dict[str, Any]], path: Path) -> str:
    """Commit ``rows`` as a signatures Parquet file the way the warehouse would; return its path."""
    pq.write_table(to_table(rows, SIGNATURES), path)
    return str(path)
