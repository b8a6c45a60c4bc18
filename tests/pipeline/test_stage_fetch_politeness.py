"""The per-host budget holds across worker processes: FetchPages groups a host's entries on one worker.

Two hosts (``a.example`` and ``b.example``, both served on loopback) get 10 entries each, spread over
two SDK worker processes (``multi_processing``, 2 workers) before FetchPages. With a minimum interval
of 0.15 s and one request at a time per host, the server must never see two requests to one host in
flight together, nor two starts closer than the interval, although each worker has its own client.
The control fetches the same entries without the grouping and shows the same check would fail: each
worker then keeps only its own budget.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.util import assert_that, equal_to

from connectors.http import FetchSettings, politeness_key
from pipeline import records
from pipeline.config import SourceConfig
from pipeline.stages.common import StageOutput
from pipeline.stages.fetch_pages import FetchPageFn, FetchPages
from tests.http.httptest import Site, send

pytestmark = pytest.mark.slow  # two SDK worker processes start per pipeline: about 10 s each

INTERVAL = 0.15
#: scheduling noise of a loaded 2-core machine
SLACK = 0.05
HOSTS = ("a.example", "b.example")
PER_HOST = 10
PAGE = b"<html><head><title>t</title></head><body><article><p>Text.</p></article></body></html>"


class _Log:
    """What the server saw: request start times and the most requests in flight at once, per host."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.starts: dict[str, list[float]] = defaultdict(list)
        self.active: dict[str, int] = defaultdict(int)
        self.most: dict[str, int] = defaultdict(int)


@contextmanager
def _server(log: _Log) -> Iterator[int]:
    """The loopback test site of tests/http, its pages logging per host (robots.txt: 404, allow all)."""

    def page(handler: BaseHTTPRequestHandler) -> None:
        host = (handler.headers.get("Host") or "").split(":")[0]
        with log.lock:
            log.starts[host].append(time.monotonic())
            log.active[host] += 1
            log.most[host] = max(log.most[host], log.active[host])
        time.sleep(0.05)  # long enough for an overlapping request of another worker to show
        with log.lock:
            log.active[host] -= 1
        send(handler, 200, PAGE, {"Content-Type": "text/html; charset=utf-8"})

    site = Site().start()
    for i in range(PER_HOST):
        site.routes[f"/news/{i}"] = page
    try:
        yield site.port
    finally:
        site.close()


def _settings(port: int) -> FetchSettings:
    origin = f"http://127.0.0.1:{port}"
    return FetchSettings(
        min_interval=INTERVAL,
        max_per_host=1,
        max_retries=0,
        allowed_private=frozenset({f"127.0.0.1:{port}"}),
        origin_overrides={f"https://{host}": origin for host in HOSTS},
    )


def _entries() -> list[dict[str, str]]:
    return [
        {"source_id": "tass", "url": f"https://{host}/news/{i}", "article_id": f"{host}-{i}"}
        for host in HOSTS
        for i in range(PER_HOST)
    ]


def _run(fetch: beam.PTransform) -> None:
    """Fetch the entries with ``fetch`` on two worker processes; every entry's page must come out once."""
    options = PipelineOptions(["--direct_running_mode=multi_processing", "--direct_num_workers=2"])
    with beam.Pipeline(runner="FnApiRunner", options=options) as p:
        pages = (
            p
            | beam.Create(_entries())
            | "SpreadEntries" >> beam.Reshuffle()  # the entries start out on both workers
            | fetch
        ).main
        # checked inside the pipeline: the workers are other processes
        urls = pages | beam.Map(lambda page: page["page"].url)
        assert_that(urls, equal_to([e["url"] for e in _entries()]))


def _kept(log: _Log, host: str) -> bool:
    """Whether the server saw ``host``'s budget kept: one request at a time, starts an interval apart.

    The starts are seen by the server, after connection set-up whose latency varies on a loaded machine,
    so one gap may look short when the request before it was late: the span of all starts is the strict
    check, each single gap only has to be more than half the interval.
    """
    starts = sorted(log.starts[host])
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    span = starts[-1] - starts[0]
    return log.most[host] == 1 and min(gaps) > INTERVAL / 2 and span >= len(gaps) * INTERVAL - SLACK


def _source() -> list[SourceConfig]:
    return [SourceConfig(id="tass")]


def test_one_budget_per_host_across_two_workers() -> None:
    log = _Log()
    with _server(log) as port:
        _run(FetchPages(_settings(port), _source(), run_id="r1", polite=False))
    for host in HOSTS:
        assert len(log.starts[host]) == PER_HOST
        assert _kept(log, host), (host, log.most[host], sorted(log.starts[host]))


class _Ungrouped(beam.PTransform):
    """The control: the same DoFn, but each entry its own group, so both workers fetch every host."""

    def __init__(self, fn: FetchPageFn) -> None:
        super().__init__()
        self._fn = fn

    def expand(self, entries: beam.PCollection) -> StageOutput:
        results = (
            entries
            | beam.Map(lambda e: (politeness_key(e["url"]), [e]))
            | beam.ParDo(self._fn).with_outputs(records.REJECTS, main="pages")
        )
        return StageOutput(results.pages, results[records.REJECTS])


def test_control_without_grouping_each_worker_keeps_only_its_own_budget() -> None:
    log = _Log()
    with _server(log) as port:
        _run(_Ungrouped(FetchPageFn(_settings(port), _source(), "r1", False)))
    # two clients pace the same host independently: requests overlap or come closer than the interval
    assert not all(_kept(log, host) for host in HOSTS), {h: log.most[h] for h in HOSTS}
