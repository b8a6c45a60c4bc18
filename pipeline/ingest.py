"""IngestSources: the whole batch data flow of DESIGN.md as one composite of the stage composites."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import apache_beam as beam

from connectors.http import FetchSettings
from pipeline.config import SourceConfig
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


class IngestSources(beam.PTransform):
    """Feeds -> pages -> articles, mentions and rejects written as this run's files.

    The output is the PCollection of written files (``warehouse.FileEntry``); the driver commits them.
    """

    def __init__(self, plan: IngestPlan):
        super().__init__()
        self._plan = plan

    def expand(self, pbegin: beam.pvalue.PBegin) -> beam.PCollection:
        p = self._plan
        feeds = pbegin | "ReadFeeds" >> ReadFeeds(
            p.settings, p.sources, p.feeds, run_id=p.run_id, polite=p.polite
        )
        unseen = feeds.main | "FilterSeen" >> FilterSeen(
            p.history_articles, run_id=p.run_id, refetch=p.refetch
        )
        pages = unseen.main | "FetchPages" >> FetchPages(
            p.settings, p.sources, run_id=p.run_id, polite=p.polite
        )
        extracted = pages.main | "ExtractArticles" >> ExtractArticles(p.sources, run_id=p.run_id)
        normalized = extracted.main | "NormalizeArticles" >> NormalizeArticles(run_id=p.run_id)
        # a re-fetched article gets its next version, or nothing is written when its text is unchanged
        versioned = normalized.main | "AssignVersions" >> AssignVersions(p.history_articles)
        deduped = versioned | "DeduplicateArticles" >> DeduplicateArticles(
            p.history_signatures, run_id=p.run_id
        )
        tagged = deduped["articles"] | "TagEntities" >> TagEntities(run_id=p.run_id, kb_dir=p.kb_dir)
        rejects = (
            feeds.rejects,
            unseen.rejects,
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
        return tables | "WriteWarehouse" >> WriteWarehouse(p.warehouse_root, run_id=p.run_id)


def feeds_of(sources: Sequence[SourceConfig]) -> tuple[tuple[str, str], ...]:
    """``(source_id, feed_url)`` of every feed to poll: the configured feeds, else the connector's own."""
    from pipeline.stages.common import build_connectors

    connectors = build_connectors(sources)
    return tuple(
        (s.id, url) for s in sources for url in (s.feeds if s.feeds is not None else connectors[s.id].feeds)
    )
