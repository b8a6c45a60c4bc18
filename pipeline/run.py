"""The batch driver: plan a run, run it on Beam (discovery, then ingestion chunk by chunk), commit its
files, record the run.

A run is atomic: its Parquet files become visible only through the warehouse's single manifest swap
at the end, so a run killed at any point leaves no partial or duplicate rows, and the next run, which
sees none of the killed run's articles as committed, does the work again.
"""

from __future__ import annotations

import errno
import json
import logging
import secrets
import shutil
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import apache_beam as beam
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions

from pipeline import __version__, faults, records
from pipeline.chunks import load_staged, write_chunks
from pipeline.config import Config
from pipeline.feedstate import STAGING_DIR, plan_polls, read_poll_records, state_update
from pipeline.ingest import DiscoverEntries, IngestEntries, IngestPlan, feeds_of
from warehouse import CommitError, Warehouse, write_partition

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
    compactions: list[Any] = field(default_factory=list)  # what automatic compaction did after the commit

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
    all_feeds: bool = False,
    progress: Any = None,
) -> RunResult:
    """Run every configured source once and commit the result. Raises ``WarehouseLocked``.

    ``all_feeds`` polls every feed, even those whose adaptive interval says they are not due yet.
    ``progress`` (a :class:`pipeline.progress.Progress`) is told what the run is doing.
    """
    warehouse = Warehouse(warehouse_root)
    sources = check_sources(config)
    with warehouse.lock(wait=lock_wait):
        return run_locked(
            warehouse, config, sources, beam_args=beam_args, refetch=refetch, all_feeds=all_feeds,
            progress=progress,
        )


def check_sources(config: Config) -> tuple[Any, ...]:
    """The sources a run of ``config`` ingests; raises the config's error now, not inside a worker."""
    from pipeline.stages.common import build_connectors

    sources = config.sources or tuple(_default_sources())
    build_connectors(sources)
    return tuple(sources)


def staging_dir(warehouse: Warehouse, run_id: str) -> Path:
    """Where ``run_id`` stages what is not a table file: its feeds' poll records, the entries discovery
    found and the chunk files cut from them (pipeline.chunks)."""
    return warehouse.root / STAGING_DIR / run_id


def run_locked(
    warehouse: Warehouse,
    config: Config,
    sources: Sequence[Any],
    *,
    beam_args: Sequence[str] = (),
    refetch: bool = False,
    all_feeds: bool = False,
    mode: str = "batch",
    progress: Any = None,
) -> RunResult:
    """One run, for a caller that holds the warehouse's run lock (``run_batch``, or a stream per window).

    Steps: plan (committed files, feed state), run DiscoverEntries and then IngestEntries per chunk on
    Beam (:func:`_run_pipelines`), read back the poll records,
    write the ``runs`` row, commit files + runs row + entities + feed state in one manifest swap, then
    compact over-full partitions. A kill anywhere before the swap leaves nothing visible.
    """
    _clear_stale_staging(warehouse)
    run_id = new_run_id()
    started_at = records.now_utc()
    clock = time.monotonic()
    record_dir = staging_dir(warehouse, run_id) / "feeds"
    committed_feed_state = warehouse.feed_state()
    plan = IngestPlan(
        run_id=run_id,
        warehouse_root=str(warehouse.root),
        settings=config.fetch,
        sources=tuple(sources),
        feeds=plan_polls(
            feeds_of(sources), committed_feed_state, started_at, all_feeds=all_feeds,
            record_dir=str(record_dir),
        ),
        history_articles=tuple(str(p) for p in warehouse.committed_files("articles")),
        history_signatures=tuple(str(p) for p in warehouse.committed_files("signatures")),
        polite=config.polite,
        refetch=refetch,
        chunk_size=config.run.chunk_size,
    )
    due = sum(1 for f in plan.feeds if f.due)
    log.info("run %s: %d sources, %d feeds (%d due)", run_id, len(sources), len(plan.feeds), due)
    if progress is not None:
        progress.start_run(run_id, plan.feeds, warehouse.root, record_dir)
    try:
        return _run_started(warehouse, config, sources, plan, committed_feed_state, record_dir, started_at,
                            clock, beam_args, mode, progress)
    finally:
        if progress is not None:
            progress.finish()


def _run_started(
    warehouse: Warehouse, config: Config, sources: Sequence[Any], plan: IngestPlan,
    committed_feed_state: dict[str, Any], record_dir: Path, started_at: Any, clock: float,
    beam_args: Sequence[str], mode: str, progress: Any,
) -> RunResult:
    run_id = plan.run_id
    faults.maybe_crash("before_pipeline")
    counters = _run_pipelines(warehouse, plan, beam_args)
    if progress is not None:
        progress.pipeline_done()
    try:
        run = _finish_run(
            warehouse, config, sources, plan, counters, committed_feed_state, record_dir, started_at, clock,
            mode, progress,
        )
    except OSError as exc:
        # a full disk (or a dying one) while writing the runs row or the manifest: the manifest was not
        # replaced, so nothing of this run is visible
        hint = " (disk full)" if exc.errno == errno.ENOSPC else ""
        raise CommitError(
            f"run {run_id} failed while committing{hint}: {exc}; nothing was committed and the "
            "warehouse is unchanged"
        ) from exc
    faults.maybe_crash("after_commit")
    shutil.rmtree(staging_dir(warehouse, run_id), ignore_errors=True)
    run.compactions = _auto_compact(warehouse, config, progress)
    return run


def _run_pipelines(warehouse: Warehouse, plan: IngestPlan, beam_args: Sequence[str]) -> dict[str, int]:
    """Discovery, then one ingestion pipeline per chunk of the entries found; returns the summed counters.

    Each chunk reads the files the run's earlier chunks wrote as history (pipeline.chunks).
    """
    staging = staging_dir(warehouse, plan.run_id)
    counters: dict[str, int] = defaultdict(int)

    def run(transform: beam.PTransform, name: str) -> None:
        pipeline = beam.Pipeline(options=pipeline_options(beam_args))
        _ = pipeline | name >> transform
        result = pipeline.run()
        result.wait_until_finish()
        for key, value in read_counters(result).items():
            counters[key] += value

    run(DiscoverEntries(plan, str(staging / "entries")), "DiscoverEntries")
    chunks = write_chunks(load_staged(staging / "entries"), staging / "chunks", plan.chunk_size)
    for i, path in enumerate(chunks, start=1):
        written = warehouse.staged_files(plan.run_id)
        chunk_plan = replace(
            plan,
            history_articles=plan.history_articles + tuple(_paths(warehouse, written, "articles")),
            history_signatures=plan.history_signatures + tuple(_paths(warehouse, written, "signatures")),
        )
        if len(chunks) > 1:
            log.info("run %s: chunk %d of %d", plan.run_id, i, len(chunks))
        run(IngestEntries(chunk_plan, str(path), i), "IngestEntries")
    return dict(counters)


def _paths(warehouse: Warehouse, files: Sequence[Any], table: str) -> list[str]:
    return [str(warehouse.root / f.path) for f in files if f.table == table]


def _finish_run(
    warehouse: Warehouse, config: Config, sources: Sequence[Any], plan: IngestPlan, counters: dict[str, int],
    committed_feed_state: dict[str, Any], record_dir: Path, started_at: Any, clock: float, mode: str,
    progress: Any,
) -> RunResult:
    """After the pipeline: read its outputs back, write the runs row, commit everything in one swap."""
    run_id = plan.run_id
    faults.maybe_crash("after_pipeline")

    per_source = per_source_counts(counters)
    failed = failed_sources([s.id for s in sources], per_source)
    files = warehouse.staged_files(run_id)
    article_stats = _article_stats(plan.warehouse_root, files)
    feed_update = state_update(
        read_poll_records(record_dir),
        committed_feed_state,
        article_stats.by_feed,
        config.schedule,
        run_id,
        unconditional_next=_sources_with_fetch_failures(plan.warehouse_root, files),
    )
    faults.maybe_crash("after_feed_state")
    run_row = _run_row(
        run_id, started_at, sources, counters, per_source, failed, files, article_stats, mode=mode,
        seconds=time.monotonic() - clock,
    )
    files.append(write_partition(plan.warehouse_root, "runs", "all", run_id, [run_row]))
    faults.maybe_crash("after_runs_row")
    entity_files, kb_version = _entity_files(warehouse, plan.warehouse_root, run_id)
    files.extend(entity_files)
    faults.maybe_crash("after_entities")
    state: dict[str, Any] = {}
    if feed_update:
        state["feed_state"] = feed_update
    if kb_version:
        state["kb_version"] = kb_version
    faults.maybe_crash("before_commit")
    if progress is not None:
        progress.stage("commit")
    committed = warehouse.commit(
        run_id,
        files,
        state=state or None,
        # A new knowledge-base version supersedes the entities table, it does not add to it.
        replace=["entities"] if entity_files else [],
    )
    run = RunResult(run_id, run_row["status"], committed, counters, per_source, failed, run_row)
    return run


def _clear_stale_staging(warehouse: Warehouse) -> None:
    """Remove the staging folders of earlier runs: under the run lock none of them is still running, and
    a killed run's poll records must never be committed by another run."""
    staging = warehouse.root / STAGING_DIR
    if staging.is_dir():
        for folder in staging.iterdir():
            shutil.rmtree(folder, ignore_errors=True)


def _auto_compact(warehouse: Warehouse, config: Config, progress: Any) -> list[Any]:
    """Compact the partitions of articles and mentions holding more files than the configured limit."""
    limit = config.maintenance.compact_after_files
    if not limit:
        return []
    from warehouse.maintenance import auto_compact

    if progress is not None:
        progress.stage("compact")
    return auto_compact(warehouse, max_files=limit)


def _default_sources() -> list[Any]:
    from connectors import registry
    from pipeline.config import SourceConfig

    return [SourceConfig(id=c.id) for c in registry.all_connectors()]


def _sources_with_fetch_failures(root: str, files: Sequence[Any]) -> set[str]:
    """Sources with a page this run could not fetch: their next feed poll must not be conditional, or
    a 304 would hide the entries that deserve another try."""
    import pyarrow.parquet as pq

    failed: set[str] = set()
    for f in files:
        if f.table == "rejects":
            for row in pq.read_table(Path(root) / f.path, columns=["source_id", "stage"]).to_pylist():
                if row["stage"] == records.FETCH_PAGES and row["source_id"]:
                    failed.add(row["source_id"])
    return failed


@dataclass
class ArticleStats:
    """What the run's staged article files hold, read back from them (the truth, not counters)."""

    rows: int = 0
    duplicates: int = 0
    by_feed: dict[str, int] = field(default_factory=dict)  # articles per feed_url they were listed under
    per_source: dict[str, dict[str, float]] = field(default_factory=dict)  # articles, duplicates, span


def _article_stats(root: str, files: Sequence[Any]) -> ArticleStats:
    import pyarrow.parquet as pq

    stats = ArticleStats()
    columns = ["source_id", "feed_url", "is_duplicate", "fetched_at"]
    spans: dict[str, list[Any]] = defaultdict(list)
    for f in files:
        if f.table != "articles":
            continue
        for row in pq.read_table(Path(root) / f.path, columns=columns).to_pylist():
            stats.rows += 1
            duplicate = bool(row["is_duplicate"])
            stats.duplicates += duplicate
            if row["feed_url"]:
                stats.by_feed[row["feed_url"]] = stats.by_feed.get(row["feed_url"], 0) + 1
            source = stats.per_source.setdefault(row["source_id"], {"written": 0, "duplicates": 0})
            source["written"] += 1
            source["duplicates"] += duplicate
            if row["fetched_at"] is not None:
                spans[row["source_id"]].append(row["fetched_at"])
    for source_id, times in spans.items():
        # from the first page fetched to the last: the source's share of the run's wall time
        stats.per_source[source_id]["fetch_seconds"] = round((max(times) - min(times)).total_seconds(), 3)
    return stats


def _run_row(
    run_id, started_at, sources, counters, per_source, failed, files, stats: ArticleStats, *, mode: str,
    seconds: float,
) -> dict[str, Any]:
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
        "duplicates": stats.duplicates,
        "mentions_written": rows.get("mentions", 0),
        "rejects": rows.get("rejects", 0),
        "mode": mode,
        "sources": [s.id for s in sources],
        "dipnews_version": __version__,
        "summary": json.dumps(
            {
                "per_source": per_source,
                "sources": source_summary([s.id for s in sources], per_source, stats),
                "failed_sources": failed,
                "rejects_by_reason": _rejects_by_reason(counters),
                "feeds_skipped": counters.get("feeds_skipped", 0),
                "feeds_not_modified": counters.get("feeds_not_modified", 0),
                "seconds": round(seconds, 3),
            },
            sort_keys=True,
        ),
    }


def source_summary(
    source_ids: Sequence[str], per_source: dict[str, dict[str, int]], stats: ArticleStats
) -> dict[str, dict[str, Any]]:
    """Per source, the run summary of issue 6: polled, new, fetched, extracted, duplicates, rejected by
    reason, time (``fetch_seconds``: first to last page fetched), and the parser fallbacks.

    >>> source_summary(["tass"], {"tass": {"feeds_read": 2, "rejected.blocked": 1}}, ArticleStats())["tass"]
    ... # doctest: +NORMALIZE_WHITESPACE
    {'polled': 2, 'skipped': 0, 'not_modified': 0, 'entries': 0, 'new': 0, 'fetched': 0, 'extracted': 0,
     'generic_fallback': 0, 'written': 0, 'duplicates': 0, 'rejected': {'blocked': 1}, 'fetch_seconds': 0.0}
    """
    out = {}
    for source_id in sorted(set(source_ids) | set(per_source)):
        counts = per_source.get(source_id, {})
        written = stats.per_source.get(source_id, {})
        out[source_id] = {
            "polled": counts.get("feeds_read", 0),
            "skipped": counts.get("feeds_skipped", 0),
            "not_modified": counts.get("feeds_not_modified", 0),
            "entries": counts.get("entries_seen", 0),
            "new": counts.get("entries_new", 0),
            "fetched": counts.get("fetched", 0),
            "extracted": counts.get("extracted", 0),
            "generic_fallback": counts.get("generic_fallback", 0),
            "written": int(written.get("written", 0)),
            "duplicates": int(written.get("duplicates", 0)),
            "rejected": {
                k.removeprefix("rejected."): v for k, v in sorted(counts.items()) if k.startswith("rejected.")
            },
            "fetch_seconds": float(written.get("fetch_seconds", 0.0)),
        }
    return out


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
