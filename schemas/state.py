"""Tables of pipeline state: small maps kept in the warehouse manifest, shown as catalog tables.

State lives with the data (STYLE.md #9): the feed ETags and Last-Modified values of the last run sit in
the warehouse's manifest, committed atomically with the run's files, so a fresh worker resumes where the
last one stopped. Unlike the tables of :mod:`schemas.tables` they are not Parquet files: a run passes
them to ``Warehouse.commit(run_id, files, state={"feed_state": {feed_url: {...}}})`` and the catalog
materialises each map as a table of the schema below, one row per key.

>>> STATE_TABLES["feed_state"].key
'feed_url'
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from schemas.tables import UTC_TS, _schema

FEED_STATE = _schema(
    "feed_state",
    [
        pa.field("feed_url", pa.string(), nullable=False),
        pa.field("source_id", pa.string()),
        pa.field("etag", pa.string()),
        pa.field("last_modified", pa.string()),  # the HTTP header verbatim, sent back as If-Modified-Since
        pa.field("checked_at", UTC_TS),
        pa.field("status", pa.int32()),  # HTTP status of the last fetch: 200, 304, ...
        pa.field("entries", pa.int64()),  # entries the feed listed on its last 200
        pa.field("run_id", pa.string()),
    ],
    "Conditional-GET state per feed: the validators of its last response, so the next run can get a 304.",
)


@dataclass(frozen=True)
class StateTable:
    """A state map of the manifest shown as a table: ``key`` is the column its map keys fill."""

    schema: pa.Schema
    key: str


STATE_TABLES: dict[str, StateTable] = {
    "feed_state": StateTable(FEED_STATE, "feed_url"),
}
