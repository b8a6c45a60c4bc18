"""The batch driver: plan a run, run IngestSources on Beam, commit its files, record the run.

A run is atomic: its Parquet files become visible only through the warehouse's single manifest swap
at the end, so a run killed at any point leaves no partial or duplicate rows, and the next run, which
sees none of the killed run's articles as committed, does the work again.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import apache_beam as beam
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions

from pipeline import __version__, faults, records
from pipeline.config import Config
from pipeline.ingest import IngestPlan, IngestSources, feeds_of
from warehouse import Warehouse, write_partition

log = logging.getLogger(__name__)

# Exit codes a scheduler can act on (README: "Exit codes").
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3  # the run committed, but some sources failed entirely
EXIT_LOCKED = 75  # EX_TEMPFAIL: another run holds the warehouse; try again later

#: the runner used unless the Beam arguments name another (PITFALLS.md: the default tries to download Prism)
DEFAULT_RUNNER = "FnApiRunner"


@dataclass
class RunResult:
    """What one run did."""

    run_id: str
    status: str
    committed: bool
    counters: dict[str, int] = field(default_factory=dict)
    per_source: dict[str, dict[str, int]] = field(default_factory=dict)
    failed_sources: list[str] = field(default_factory=list)
    row: dict[str, Any] = field(default_factory=dict)  # the run's row of the `runs` table

    @property
    def exit_code(self) -> int:
        if not self.committed:
            return EXIT_FAILED
        return EXIT_PARTIAL if self.failed_sources else EXIT_OK


def new_run_id() -> str:
    """A sortable, unique run id: UTC time plus randomness, e.g. ``20261123T141733Z-3f9a1c``."""
    return f"{records.now_utc():%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def pipeline_options(beam_args: Sequence[str]) -> PipelineOptions:
    """Beam options from ``beam_args``, with the in-process runner named unless another is."""
    options = PipelineOptions(list(beam_args))
    standard = options.view_as(StandardOptions)
    if not standard.runner:
        standard.runner = DEFAULT_RUNNER
    return options


def read_counters(result: beam.runners.runner.PipelineResult) -> dict[str, int]:
    """The pipeline's counters, summed over steps."""
    totals: dict[str, int] = defaultdict(int)
    for counter in result.metrics().query(MetricsFilter().with_namespace(records.NAMESPACE))["counters"]:
        value = counter.committed if counter.committed is not None else counter.attempted
        totals[counter.key.metric.name] += int(value or 0)
    return dict(totals)


def per_source_counts(counters: dict[str, int]) -> dict[str, dict[str, int]]:
    """``source.<id>.<what>`` counters as ``{id: {what: n}}``."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for name, value in counters.items():
        if name.startswith("source."):
            _, source_id, what = name.split(".", 2)
            out[source_id][what] = value
    return dict(out)


def failed_sources(sources: Sequence[str], per_source: dict[str, dict[str, int]]) -> list[str]:
    """Sources that brought nothing because every feed of theirs failed."""
    return sorted(
        s
        for s in sources
        if per_source.get(s, {}).get("entries_seen", 0) == 0 and per_source.get(s, {}).get("rejected", 0) > 0
    )


def run_batch(
    config: Config,
    warehouse_root: str | Path,
    *,
    beam_args: Sequence[str] = (),
    refetch: bool = False,
    lock_wait: float = 0.0,
) -> RunResult:
    """Run every configured source once and commit the result. Raises ``WarehouseLocked``."""
    from pipeline.stages.common import build_connectors

    warehouse = Warehouse(warehouse_root)
    sources = config.sources or tuple(_default_sources())
    build_connectors(sources)  # fail now, with the config's error, rather than inside a worker
    with warehouse.lock(wait=lock_wait):
        run_id = new_run_id()
        started_at = records.now_utc()
        plan = IngestPlan(
            run_id=run_id,
            warehouse_root=str(warehouse.root.resolve()),
            settings=config.fetch,
            sources=tuple(sources),
            feeds=feeds_of(sources),
            history_articles=tuple(str(p) for p in warehouse.committed_files("articles")),
            history_signatures=tuple(str(p) for p in warehouse.committed_files("signatures")),
            polite=config.polite,
            refetch=refetch,
        )
        log.info("run %s: %d sources, %d feeds", run_id, len(sources), len(plan.feeds))
        pipeline = beam.Pipeline(options=pipeline_options(beam_args))
        _ = pipeline | "IngestSources" >> IngestSources(plan)
        result = pipeline.run()
        result.wait_until_finish()
        faults.maybe_crash("after_pipeline")

        counters = read_counters(result)
        per_source = per_source_counts(counters)
        failed = failed_sources([s.id for s in sources], per_source)
        files = warehouse.staged_files(run_id)
        run_row = _run_row(
            run_id, started_at, sources, counters, per_source, failed, files, plan.warehouse_root
        )
        files.append(write_partition(plan.warehouse_root, "runs", "all", run_id, [run_row]))
        entity_files, kb_version = _entity_files(warehouse, plan.warehouse_root, run_id)
        files.extend(entity_files)
        faults.maybe_crash("before_commit")
        committed = warehouse.commit(
            run_id,
            files,
            state={"kb_version": kb_version} if kb_version else None,
            # A new knowledge-base version supersedes the entities table, it does not add to it.
            replace=["entities"] if entity_files else [],
        )
        return RunResult(run_id, run_row["status"], committed, counters, per_source, failed, run_row)


def _default_sources() -> list[Any]:
    from connectors import registry
    from pipeline.config import SourceConfig

    return [SourceConfig(id=c.id) for c in registry.all_connectors()]


def _duplicates(root: str, files: Sequence[Any]) -> int:
    """Duplicates among the run's written articles, read back from its files (the truth, not a counter)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    return sum(
        pc.sum(pq.read_table(Path(root) / f.path, columns=["is_duplicate"])["is_duplicate"]).as_py() or 0
        for f in files
        if f.table == "articles"
    )


def _run_row(run_id, started_at, sources, counters, per_source, failed, files, root) -> dict[str, Any]:
    rows = {f.table: 0 for f in files}
    for f in files:
        rows[f.table] += f.rows
    return {
        "run_id": run_id,
        "started_at": started_at,
        "finished_at": records.now_utc(),
        "status": "partial" if failed else "ok",
        "feeds_read": counters.get("feeds_read", 0),
        "entries_seen": counters.get("entries_seen", 0),
        "entries_new": counters.get("entries_new", 0),
        "pages_fetched": counters.get("pages_fetched", 0),
        "articles_extracted": counters.get("articles_extracted", 0),
        "articles_written": rows.get("articles", 0),
        "duplicates": _duplicates(root, files),
        "mentions_written": rows.get("mentions", 0),
        "rejects": rows.get("rejects", 0),
        "mode": "batch",
        "sources": [s.id for s in sources],
        "dipnews_version": __version__,
        "summary": json.dumps(
            {
                "per_source": per_source,
                "failed_sources": failed,
                "rejects_by_reason": _rejects_by_reason(counters),
            },
            sort_keys=True,
        ),
    }


def _rejects_by_reason(counters: dict[str, int]) -> dict[str, int]:
    return {
        name.removeprefix("rejects."): n
        for name, n in sorted(counters.items())
        if name.startswith("rejects.")
    }


def _entity_files(warehouse: Warehouse, root: str, run_id: str) -> tuple[list[Any], str | None]:
    """The knowledge base as the ``entities`` table, when its version is not the committed one.

    Returns the files to commit and the version they hold (``([], None)`` when nothing changed).
    """
    from pipeline.tagging import Tagger

    tagger = Tagger.load()
    if warehouse.state().get("kb_version") == tagger.kb_version:
        return [], None
    return [write_partition(root, "entities", "kb", run_id, tagger.entity_rows())], tagger.kb_version
