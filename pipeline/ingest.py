"""The batch data flow of DESIGN.md as two composites of the stage composites, run in turn by the driver.

``DiscoverEntries``: ReadFeeds -> FilterSeen -> the entries to fetch, staged for the driver; then, per
chunk of those entries (:mod:`pipeline.chunks`: memory stays bounded whatever the run's size),
``IngestEntries``: FetchPages -> ExtractArticles -> NormalizeArticles -> AssignVersions ->
DeduplicateArticles -> TagEntities -> WriteWarehouse. Every stage's rejects are written too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import apache_beam as beam

from connectors.http import FetchSettings
from pipeline.chunks import ReadChunk, StageEntries
from pipeline.config import DEFAULT_CHUNK_SIZE, SourceConfig
from pipeline.dedup.assign_versions import AssignVersions
from pipeline.dedup.transforms import DeduplicateArticles
from pipeline.stages.extract import ExtractArticles
from pipeline.stages.fetch_pages import FetchPages
from pipeline.stages.filter_seen import FilterSeen
from pipeline.stages.normalize import NormalizeArticles
from pipeline.stages.read_feeds import ReadFeeds
from pipeline.stages.tag import TagEntities
from pipeline.stages.write import WriteWarehouse


@dataclass(frozen=True)
class IngestPlan:
    """Everything one run needs to know, decided by the driver before the pipeline is built."""

    run_id: str
    warehouse_root: str
    settings: FetchSettings
    sources: tuple[SourceConfig, ...]
    feeds: tuple[tuple[str, str], ...]  # (source_id, feed_url)
    history_articles: tuple[str, ...] = ()  # committed Parquet files of `articles`
    history_signatures: tuple[str, ...] = ()  # committed Parquet files of dedup's `signatures`
    polite: bool = True
    refetch: bool = False
    kb_dir: str | None = None
    chunk_size: int = DEFAULT_CHUNK_SIZE  # entries per IngestEntries pipeline


class DiscoverEntries(beam.PTransform):
    """Feeds -> the entries to fetch, staged in ``entries_dir``; the rejects of feeds written as this
    run's files. The output is the PCollection of written files (``warehouse.FileEntry``)."""

    def __init__(self, plan: IngestPlan, entries_dir: str):
        super().__init__()
        self._plan = plan
        self._entries_dir = entries_dir

    def expand(self, pbegin: beam.pvalue.PBegin) -> beam.PCollection:
        p = self._plan
        feeds = pbegin | "ReadFeeds" >> ReadFeeds(
            p.settings, p.sources, p.feeds, run_id=p.run_id, polite=p.polite
        )
        unseen = feeds.main | "FilterSeen" >> FilterSeen(
            p.history_articles, run_id=p.run_id, refetch=p.refetch
        )
        _ = unseen.main | "Stage" >> StageEntries(self._entries_dir)
        rejects = (feeds.rejects, unseen.rejects) | "AllRejects" >> beam.Flatten()
        # part 0 of this run's files; the chunks write parts 1, 2, ...
        return {"rejects": rejects} | "WriteWarehouse" >> WriteWarehouse(p.warehouse_root, run_id=p.run_id)


class IngestEntries(beam.PTransform):
    """One chunk file of entries -> articles, mentions, signatures and rejects written as this run's files.

    ``plan.history_*`` must include the files earlier chunks of the run wrote; ``chunk`` numbers the
    files (1, 2, ...) so that no two chunks write the same file. The output is the PCollection of
    written files (``warehouse.FileEntry``); the driver commits them.
    """

    def __init__(self, plan: IngestPlan, chunk_path: str, chunk: int):
        super().__init__()
        self._plan = plan
        self._chunk_path = chunk_path
        self._chunk = chunk

    def expand(self, pbegin: beam.pvalue.PBegin) -> beam.PCollection:
        p = self._plan
        entries = pbegin | "ReadChunk" >> ReadChunk(self._chunk_path)
        pages = entries | "FetchPages" >> FetchPages(p.settings, p.sources, run_id=p.run_id, polite=p.polite)
        extracted = pages.main | "ExtractArticles" >> ExtractArticles(p.sources, run_id=p.run_id)
        normalized = extracted.main | "NormalizeArticles" >> NormalizeArticles(run_id=p.run_id)
        # a re-fetched article gets its next version, or nothing is written when its text is unchanged
        versioned = normalized.main | "AssignVersions" >> AssignVersions(p.history_articles)
        deduped = versioned | "DeduplicateArticles" >> DeduplicateArticles(
            p.history_signatures, run_id=p.run_id
        )
        tagged = deduped["articles"] | "TagEntities" >> TagEntities(run_id=p.run_id, kb_dir=p.kb_dir)
        rejects = (
            pages.rejects,
            extracted.rejects,
            normalized.rejects,
            deduped["rejects"],
            tagged.rejects,
        ) | "AllRejects" >> beam.Flatten()
        tables = {
            "articles": tagged.main,  # with their mentions nested: written as the `mentions` table
            "rejects": rejects,
            "signatures": deduped["signatures"],
        }
        return tables | "WriteWarehouse" >> WriteWarehouse(
            p.warehouse_root, run_id=p.run_id, chunk=self._chunk
        )


def feeds_of(sources: Sequence[SourceConfig]) -> tuple[tuple[str, str], ...]:
    """``(source_id, feed_url)`` of every feed to poll: the configured feeds, else the connector's own."""
    from pipeline.stages.common import build_connectors

    connectors = build_connectors(sources)
    return tuple(
        (s.id, url) for s in sources for url in (s.feeds if s.feeds is not None else connectors[s.id].feeds)
    )
