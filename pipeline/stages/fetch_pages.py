"""FetchPages: fetch every entry's page, polite per host however many workers run.

The per-host budget (minimum interval between requests, concurrency cap, robots.txt's Crawl-delay) is
kept by the HTTP client, and a client lives in one worker. So that the budget is global rather than per
worker, entries are grouped by the host the client paces by (:func:`connectors.http.politeness_key`): a
GroupByKey hands all of one host's entries to one DoFn call, hence to one worker and its one client.
Different hosts may go to different workers. Within a worker, the hosts of a bundle are fetched side by
side by a small thread pool, interleaved so that a slow host does not hold the others up.

Fetched pages are then spread evenly again (Reshuffle), so that extraction, the heavy step after
fetching, is shared by every worker even when one host has most of the run's pages.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import apache_beam as beam
from apache_beam.utils.windowed_value import WindowedValue

from connectors.http import FetchError, FetchSettings, politeness_key
from pipeline import faults, records
from pipeline.config import SourceConfig
from pipeline.stages.common import HttpStageFn, StageOutput

#: pages fetched concurrently (across hosts; each host has its own cap inside the client)
FETCH_THREADS = 8
#: entries handed to the pool at a time (a batch is awaited before its pages are emitted)
BATCH = 32


def interleave(groups: Sequence[Sequence[Any]]) -> Iterator[Any]:
    """The items of ``groups`` round-robin: one of each group in turn, until all are exhausted.

    >>> "".join(interleave(["aaa", "b", "cc"]))
    'abcaca'
    """
    sentinel = object()
    for column in itertools.zip_longest(*groups, fillvalue=sentinel):
        yield from (item for item in column if item is not sentinel)


class FetchPageFn(HttpStageFn):
    """``(host, entries)`` -> ``{"entry", "page", "robots_allowed"}`` per entry; failed fetches -> rejects."""

    def setup(self) -> None:
        super().setup()
        self._pool = ThreadPoolExecutor(max_workers=FETCH_THREADS, thread_name_prefix="fetch")

    def teardown(self) -> None:
        self._pool.shutdown(wait=True)
        super().teardown()

    def start_bundle(self) -> None:
        self._hosts: list[list[WindowedValue]] = []

    def process(
        self,
        element: tuple[str, Iterable[dict[str, Any]]],
        timestamp=beam.DoFn.TimestampParam,
        window=beam.DoFn.WindowParam,
    ) -> None:
        # Every host of the bundle is collected first, so that hosts are fetched side by side. Outputs
        # carry their element's own window, so that the batching is also correct in streaming.
        _host, entries = element
        self._hosts.append([WindowedValue(entry, timestamp, [window]) for entry in entries])

    def finish_bundle(self) -> Iterator[Any]:
        pending, self._hosts = interleave(self._hosts), []
        while batch := list(itertools.islice(pending, BATCH)):
            yield from self._fetch_batch(batch)

    def _fetch_batch(self, batch: list[WindowedValue]) -> Iterator[Any]:
        # Fetch in the pool, but count and build rejects here: Beam's metrics live in the bundle's thread,
        # and a counter incremented in a pool thread is silently lost.
        for wv, (entry, outcome) in zip(
            batch, self._pool.map(self._fetch, [wv.value for wv in batch]), strict=True
        ):
            source_id = entry["source_id"]
            if isinstance(outcome, Exception):
                reason, detail = (
                    (outcome.reason, outcome.detail)
                    if isinstance(outcome, FetchError)
                    else ("fetch_error", records.unexpected(outcome))
                )
                rejected = records.reject(
                    self._run_id,
                    records.FETCH_PAGES,
                    reason,
                    source_id=source_id,
                    url=entry["url"],
                    detail=detail,
                )
                yield beam.pvalue.TaggedOutput(rejected.tag, wv.with_value(rejected.value))
                continue
            records.count("pages_fetched")
            records.count(f"source.{source_id}.fetched")
            yield wv.with_value(outcome)

    def _fetch(self, entry: dict[str, Any]) -> tuple[dict[str, Any], Any]:
        """Fetch one entry's page (in a pool thread): ``(entry, result or the exception)``."""
        source_id = entry["source_id"]
        interval = self.min_interval(source_id)
        try:
            response = self._client.get(entry["url"], kind="page", min_interval=interval)
            page = response.page()
        except Exception as exc:  # a client bug must cost one page, not the run
            return entry, exc
        if page.text:
            # Parsers read the decoded text, and the raw bytes only when there is none: the bytes would
            # double what every page costs in the shuffle to extraction and in the runner's memory.
            page = dataclasses.replace(page, content=b"")
        faults.maybe_crash("fetch_pages")
        return entry, {"entry": entry, "page": page, "robots_allowed": response.robots_allowed}


class FetchPages(beam.PTransform):
    """Entries -> fetched pages, spread over the workers; failures -> rejects."""

    def __init__(
        self, settings: FetchSettings, sources: Sequence[SourceConfig], *, run_id: str, polite: bool = True
    ):
        super().__init__()
        self._fn = FetchPageFn(settings, sources, run_id, polite)

    def expand(self, entries: beam.PCollection) -> StageOutput:
        results = (
            entries
            | "KeyByHost" >> beam.Map(lambda entry: (politeness_key(entry["url"]), entry))
            | "GroupByHost" >> beam.GroupByKey()
            | "FetchPage" >> beam.ParDo(self._fn).with_outputs(records.REJECTS, main="pages")
        )
        pages = results.pages | "SpreadPages" >> beam.Reshuffle()
        return StageOutput(pages, results[records.REJECTS])
