"""ReadFeeds: poll every configured feed and emit one entry per discovered article.

Each feed comes as a :class:`pipeline.feedstate.FeedPoll`: the request is conditional on the ETag and
Last-Modified of the last committed poll (a 304 costs one request and yields nothing), a feed that is
not due yet is skipped and counted, and the outcome of every poll is written as a small record that the
driver commits as ``feed_state`` together with the run.

Feeds are grouped by host (:func:`connectors.http.politeness_key`) before they are polled, as pages are
in FetchPages: one worker polls all of a host's feeds, so the host's budget is kept across workers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import apache_beam as beam

from connectors.base import ExtractionError
from connectors.http import FetchError, FetchSettings, politeness_key
from pipeline import faults, records
from pipeline.config import SourceConfig
from pipeline.feedstate import FeedPoll, PollRecord, write_poll_record
from pipeline.stages.common import HttpStageFn, StageOutput

#: a sitemap index may point at sitemaps; how deep to follow them (Sankei's index -> news sitemap)
MAX_SITEMAP_DEPTH = 2
#: child sitemaps followed per feed, so that a hostile index cannot make one feed a crawl of the site
MAX_CHILD_SITEMAPS = 20


def _host_of(feed: FeedPoll | tuple[str, str]) -> tuple[str, FeedPoll | tuple[str, str]]:
    return politeness_key(FeedPoll.of(feed).feed_url), feed


class ReadFeedFn(HttpStageFn):
    """``(host, polls)`` -> feed entries with ``article_id``; failures -> rejects.

    Each poll is a FeedPoll or a ``(source_id, feed_url)`` pair; the feeds of one host are polled in turn.
    """

    def process(self, element: tuple[str, Iterable[FeedPoll | tuple[str, str]]]) -> Iterator[Any]:
        _host, polls = element
        for poll in polls:
            yield from self._poll(FeedPoll.of(poll))

    def _poll(self, poll: FeedPoll) -> Iterator[Any]:
        source_id, feed_url = poll.source_id, poll.feed_url
        if not poll.due:
            records.count("feeds_skipped")
            records.count(f"source.{source_id}.feeds_skipped")
            return
        connector = self._connectors[source_id]
        interval = self.min_interval(source_id)
        faults.maybe_crash("read_feeds")
        records.count("feeds_read")
        records.count(f"source.{source_id}.feeds_read")
        seen_urls: set[str] = set()
        outcome: dict[str, Any] = {}
        entries = 0
        for item in self._read(
            source_id, connector, feed_url, interval, depth=0, seen=seen_urls, poll=poll, outcome=outcome
        ):
            if not isinstance(item, beam.pvalue.TaggedOutput):
                entries += 1
            yield item
        if poll.record_dir is not None:
            write_poll_record(
                poll.record_dir,
                PollRecord(
                    feed_url=feed_url,
                    source_id=source_id,
                    checked_at=outcome.get("checked_at", records.now_utc()).isoformat(),
                    status=outcome.get("status"),
                    etag=outcome.get("etag"),
                    last_modified=outcome.get("last_modified"),
                    # what the feed listed; None when it listed nothing this time (a 304, or a failure)
                    entries=None if outcome.get("error") or outcome.get("status") == 304 else entries,
                    error=outcome.get("error"),
                    children=sorted(seen_urls),
                ),
            )
            faults.maybe_crash("after_feed_record")

    def _read(
        self,
        source_id,
        connector,
        feed_url,
        interval,
        *,
        depth: int,
        seen: set[str],
        poll: FeedPoll | None = None,
        outcome: dict[str, Any] | None = None,
    ) -> Iterator[Any]:
        """Entries of ``feed_url`` and of the sitemaps it points at. Only the top-level request (the one
        given ``poll``) is conditional and fills ``outcome`` (status, validators, error)."""
        outcome = {} if outcome is None else outcome
        try:
            response = self._client.get(
                feed_url,
                kind="feed",
                min_interval=interval,
                etag=poll.etag if poll else None,
                last_modified=poll.last_modified if poll else None,
            )
            if poll is not None:
                outcome.update(
                    status=response.status,
                    checked_at=response.fetched_at,
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                )
            if response.not_modified:
                records.count("feeds_not_modified")
                records.count(f"source.{source_id}.feeds_not_modified")
                return
            entries = connector.parse_feed(response.content, response.url)
        except (FetchError, ExtractionError) as exc:
            if poll is not None:
                outcome.update(error=exc.reason, status=getattr(exc, "status", None) or outcome.get("status"))
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
            if poll is not None:
                outcome.update(error="feed_error")
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
        feeds: Sequence[FeedPoll | tuple[str, str]],
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
            # One unit of work per host: the feeds of different hosts may be polled by different workers,
            # the feeds of one host never are.
            | "KeyByHost" >> beam.Map(_host_of)
            | "GroupByHost" >> beam.GroupByKey()
            | "ReadFeed"
            >> beam.ParDo(ReadFeedFn(self._settings, self._sources, self._run_id, self._polite)).with_outputs(
                records.REJECTS, main="entries"
            )
        )
        return StageOutput(results.entries, results[records.REJECTS])
