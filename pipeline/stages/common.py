"""What the stage DoFns share: building connectors from the configuration inside a worker."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import apache_beam as beam

from connectors import registry
from connectors.base import Connector
from pipeline.config import SourceConfig


class StageOutput(NamedTuple):
    """The two outputs of every stage composite: what goes on, and what was rejected."""

    main: beam.PCollection
    rejects: beam.PCollection


def build_connectors(sources: Sequence[SourceConfig]) -> dict[str, Connector]:
    """The connector of every configured source, by source id (built in ``DoFn.setup``)."""
    return {s.id: registry.make_connector(s.id, connector=s.connector, feeds=s.feeds) for s in sources}


def min_interval_of(source: SourceConfig, connector: Connector, polite: bool) -> float:
    """Seconds to keep between requests to one host of ``source``: config, else the connector's."""
    if not polite:
        return 0.0
    return source.min_interval if source.min_interval is not None else connector.min_interval
