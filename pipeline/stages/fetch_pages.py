"""FetchPages: fetch every entry's page with the one shared polite client.

Pages of different hosts are fetched concurrently by a small thread pool inside the DoFn; the client
keeps each host's minimum interval and concurrency cap, so concurrency never makes a crawl less
polite. Elements are buffered in small batches, so memory stays bounded whatever the run's size.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import apache_beam as beam
from apache_beam.utils.windowed_value import WindowedValue

from connectors.http import FetchError, FetchSettings
from pipeline import faults, records
from pipeline.config import SourceConfig
from pipeline.stages.common import HttpStageFn, StageOutput

#: pages fetched concurrently (across hosts; each host has its own cap inside the client)
FETCH_THREADS = 8
#: elements buffered before a batch is fetched
BATCH = 32


class FetchPageFn(HttpStageFn):
    """Entry -> ``{"entry": entry, "page": Page}``; a failed fetch -> a reject with the client's reason."""

    def setup(self) -> None:
        super().setup()
        self._pool = ThreadPoolExecutor(max_workers=FETCH_THREADS, thread_name_prefix="fetch")

    def teardown(self) -> None:
        self._pool.shutdown(wait=True)
        super().teardown()

    def start_bundle(self) -> None:
        self._buffer: list[WindowedValue] = []

    def process(
        self, entry: dict[str, Any], timestamp=beam.DoFn.TimestampParam, window=beam.DoFn.WindowParam
    ) -> Iterator[Any]:
        # Outputs of buffered elements carry their own window, so the batching is correct in streaming too.
        self._buffer.append(WindowedValue(entry, timestamp, [window]))
        if len(self._buffer) >= BATCH:
            yield from self._flush()

    def finish_bundle(self) -> Iterator[Any]:
        yield from self._flush()

    def _flush(self) -> Iterator[Any]:
        batch, self._buffer = self._buffer, []
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
        faults.maybe_crash("fetch_pages")
        return entry, {"entry": entry, "page": page, "robots_allowed": response.robots_allowed}


class FetchPages(beam.PTransform):
    """Entries -> fetched pages; failures -> rejects."""

    def __init__(
        self, settings: FetchSettings, sources: Sequence[SourceConfig], *, run_id: str, polite: bool = True
    ):
        super().__init__()
        self._fn = FetchPageFn(settings, sources, run_id, polite)

    def expand(self, entries: beam.PCollection) -> StageOutput:
        results = entries | "FetchPage" >> beam.ParDo(self._fn).with_outputs(records.REJECTS, main="pages")
        return StageOutput(results.pages, results[records.REJECTS])
