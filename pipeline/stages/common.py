"""What the stage DoFns share: connectors and the HTTP client, built from the configuration in a worker."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import apache_beam as beam

from connectors import registry
from connectors.base import Connector
from connectors.http import FetchSettings, HttpClient
from pipeline.config import SourceConfig


class StageOutput(NamedTuple):
    """The two outputs of every stage composite: what goes on, and what was rejected."""

    main: beam.PCollection
    rejects: beam.PCollection


def build_connectors(sources: Sequence[SourceConfig]) -> dict[str, Connector]:
    """The connector of every configured source, by source id (built in ``DoFn.setup``)."""
    return {s.id: registry.make_connector(s.id, connector=s.connector, feeds=s.feeds) for s in sources}


class HttpStageFn(beam.DoFn):
    """Base of the DoFns that fetch (ReadFeeds, FetchPages): one HTTP client and the connectors per worker.

    The configuration comes in through the constructor (picklable settings and source specs); the client
    and connectors are built in ``setup()``, so nothing unpicklable travels with the DoFn.
    """

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

    def min_interval(self, source_id: str) -> float:
        """Seconds to keep between requests to one host of a source: its config, else its connector's."""
        if not self._polite:
            return 0.0
        configured = self._sources[source_id].min_interval
        return configured if configured is not None else self._connectors[source_id].min_interval
