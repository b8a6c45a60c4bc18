"""Small record helpers shared by the stages: reject rows, stage names, stable ids, counters.

Bad records are data (STYLE.md #6): every stage routes a failure to the ``rejects`` tagged output as a
row built by :func:`reject`, with a stable reason code, and counts it.
"""

from __future__ import annotations

import hashlib
import traceback
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import apache_beam as beam
from apache_beam.metrics import Metrics

from pipeline import beam_runtime

# Every stage module imports this one, so every process that runs a stage (driver or worker) applies it.
beam_runtime.tune()

#: tag of the dead-letter output of every stage
REJECTS = "rejects"

# Stage names as they appear in rejects.stage.
READ_FEEDS = "read_feeds"
FILTER_SEEN = "filter_seen"
FETCH_PAGES = "fetch_pages"
EXTRACT = "extract"
NORMALIZE = "normalize"
DEDUPLICATE = "deduplicate"
TAG = "tag"
WRITE = "write"

#: Beam metrics namespace of the pipeline's counters
NAMESPACE = "dipnews"


def now_utc() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def stable_id(*parts: str, length: int = 16) -> str:
    """A short hex id that is the same for the same parts on every machine and run.

    >>> stable_id("tass:1234567")
    '0feedbd4ae0f4111'
    """
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:length]


def reject(
    run_id: str,
    stage: str,
    reason: str,
    *,
    source_id: str | None = None,
    url: str | None = None,
    detail: str = "",
) -> beam.pvalue.TaggedOutput:
    """A row for the ``rejects`` table, as a tagged output, counted per stage and reason."""
    count(f"rejects.{stage}.{reason}")
    if source_id:
        count(f"source.{source_id}.rejected")
        count(f"source.{source_id}.rejected.{reason}")
    row = {
        "run_id": run_id,
        "source_id": source_id,
        "url": url,
        "stage": stage,
        "reason": reason,
        "detail": detail[:2000],
        "rejected_at": now_utc(),
    }
    return beam.pvalue.TaggedOutput(REJECTS, row)


def unexpected(exc: BaseException) -> str:
    """A one-paragraph detail of an exception a stage did not expect: type, message and where."""
    frames = traceback.extract_tb(exc.__traceback__)[-3:]
    where = " <- ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}" for f in reversed(frames))
    return f"{type(exc).__name__}: {exc} (at {where})"


def count(name: str, n: int = 1) -> None:
    """Increment the pipeline counter ``name`` (read back into the ``runs`` row after the run)."""
    _counter(name).inc(n)


@lru_cache(maxsize=4096)
def _counter(name: str) -> Any:
    # A Beam counter is a handle that finds the running bundle's metrics when incremented, so one handle
    # per name serves every bundle; building it anew on each call cost more than the increment.
    return Metrics.counter(NAMESPACE, name)

