"""ReadFeeds: poll every configured feed and emit one entry per discovered article."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import apache_beam as beam

from connectors.base import ExtractionError
from connectors.http import FetchError, FetchSettings, HttpClient
from pipeline import faults, records
from pipeline.config import SourceConfig
from pipeline.stages.common import StageOutput, build_connectors, min_interval_of

#: a sitemap index may point at sitemaps; how deep to follow them (Sankei's index -> news sitemap)
MAX_SITEMAP_DEPTH = 2
#: child sitemaps followed per feed, so that a hostile index cannot make one feed a crawl of the site
MAX_CHILD_SITEMAPS = 20


class ReadFeedFn(beam.DoFn):
    """``(source_id, feed_url)`` -> feed entries with ``article_id``; failures -> rejects."""

    def __init__(self, settings: FetchSettings, sources: Sequence[SourceConfig], run_id: str, polite: bool):
        self._settings = settings
        self._sources = {s.id: s for s in sources}
        self._run_id = run_id
        self._polite = polite

    def setup(self) -> None:
        self._client = HttpClient(self._settings)
        self._connectors = build_connectors(list(self._sources.values()))

    def teardown(self) -> None:
        self._client.close()

    def process(self, element: tuple[str, str]) -> Iterator[Any]:
        source_id, feed_url = element
        connector = self._connectors[source_id]
        interval = min_interval_of(self._sources[source_id], connector, self._polite)
        faults.maybe_crash("read_feeds")
        records.count("feeds_read")
        records.count(f"source.{source_id}.feeds_read")
        seen_urls: set[str] = set()
        yield from self._read(source_id, connector, feed_url, interval, depth=0, seen=seen_urls)

    def _read(self, source_id, connector, feed_url, interval, *, depth: int, seen: set[str]) -> Iterator[Any]:
        try:
            response = self._client.get(feed_url, kind="feed", min_interval=interval)
            entries = connector.parse_feed(response.content, response.url)
        except (FetchError, ExtractionError) as exc:
            yield records.reject(
                self._run_id,
                records.READ_FEEDS,
                exc.reason,
                source_id=source_id,
                url=feed_url,
                detail=exc.detail,
            )
            return
        except Exception as exc:  # a parser bug must cost one feed, not the run
            yield records.reject(
                self._run_id,
                records.READ_FEEDS,
                "feed_error",
                source_id=source_id,
                url=feed_url,
                detail=records.unexpected(exc),
            )
            return
        children = 0
        for entry in entries:
            if entry.get("kind") == "sitemap":
                child = entry["url"]
                if depth + 1 > MAX_SITEMAP_DEPTH or children >= MAX_CHILD_SITEMAPS or child in seen:
                    continue
                children += 1
                seen.add(child)
                yield from self._read(source_id, connector, child, interval, depth=depth + 1, seen=seen)
                continue
            entry = dict(entry)
            entry["source_id"] = source_id
            entry["feed_url"] = feed_url
            entry["article_id"] = records.stable_id(entry["identity"])
            records.count("entries_seen")
            records.count(f"source.{source_id}.entries_seen")
            yield entry


class ReadFeeds(beam.PTransform):
    """Poll the feeds of ``sources``; output feed entries and rejects."""

    def __init__(
        self,
        settings: FetchSettings,
        sources: Sequence[SourceConfig],
        feeds: Sequence[tuple[str, str]],
        *,
        run_id: str,
        polite: bool = True,
    ):
        super().__init__()
        self._settings = settings
        self._sources = tuple(sources)
        self._feeds = list(feeds)
        self._run_id = run_id
        self._polite = polite

    def expand(self, pbegin: beam.pvalue.PBegin) -> StageOutput:
        results = (
            pbegin
            | "ListFeeds" >> beam.Create(self._feeds)
            # Each feed is its own unit of work, so that a runner can poll the feeds of different hosts
            # in parallel.
            | "SpreadFeeds" >> beam.Reshuffle()
            | "ReadFeed"
            >> beam.ParDo(ReadFeedFn(self._settings, self._sources, self._run_id, self._polite)).with_outputs(
                records.REJECTS, main="entries"
            )
        )
        return StageOutput(results.entries, results[records.REJECTS])
