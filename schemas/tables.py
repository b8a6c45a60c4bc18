"""The tables of the warehouse, as Arrow schemas.

The column names of DESIGN.md's contract come first in each schema and never change; the columns
after them are additions. Times are UTC microseconds (``timestamp[us, tz=UTC]``), which DuckDB reads
as ``TIMESTAMP WITH TIME ZONE``.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterable, Mapping
from typing import Any

import pyarrow as pa

UTC_TS = pa.timestamp("us", tz="UTC")
TEXT_LIST = pa.list_(pa.string())


def _schema(name: str, fields: list[pa.Field], doc: str) -> pa.Schema:
    """Build a schema that carries its table name and description in its metadata."""
    return pa.schema(fields, metadata={"dipnews.table": name, "dipnews.doc": doc})


ARTICLES = _schema(
    "articles",
    [
        # -- contract (DESIGN.md) --
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("source_id", pa.string(), nullable=False),
        pa.field("url", pa.string(), nullable=False),
        pa.field("canonical_url", pa.string()),
        pa.field("title", pa.string()),
        pa.field("body", pa.string()),
        pa.field("language", pa.string()),
        pa.field("published_at", UTC_TS),
        pa.field("fetched_at", UTC_TS),
        pa.field("authors", TEXT_LIST),
        pa.field("agency", pa.string()),
        pa.field("content_hash", pa.string()),
        pa.field("cluster_id", pa.string()),
        pa.field("is_duplicate", pa.bool_()),
        pa.field("relevance", pa.float64()),
        pa.field("extraction_method", pa.string()),
        pa.field("run_id", pa.string()),
        # -- additions --
        pa.field("identity", pa.string()),  # per-source identity, e.g. "tass:1234567"
        pa.field("duplicate_of", pa.string()),  # article_id of the cluster representative
        pa.field("lead", pa.string()),
        pa.field("kicker", pa.string()),  # "EDITORIAL" in "EDITORIAL | ..."
        pa.field("section", pa.string()),
        pa.field("modified_at", UTC_TS),
        pa.field("date_source", pa.string()),  # where published_at came from: jsonld, meta, feed, ...
        pa.field("dateline_place", pa.string()),  # "TOKYO" of "TOKYO, October 6. /TASS/."
        pa.field("feed_url", pa.string()),
        pa.field("version", pa.int32()),
        # robots.txt's word on this URL when it was fetched: true, or null where robots were not consulted
        pa.field("robots_allowed", pa.bool_()),
    ],
    "One row per article: the extracted, normalised, deduplicated and tagged text.",
)

MENTIONS = _schema(
    "mentions",
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("entity_id", pa.string(), nullable=False),
        pa.field("surface", pa.string()),
        pa.field("start", pa.int32()),
        pa.field("end", pa.int32()),
        pa.field("field", pa.string()),  # "title" or "body"; offsets are into that field
        # -- additions --
        pa.field("source_id", pa.string()),
        pa.field("run_id", pa.string()),
        # how the outlet named it, for the disputed islands: northern_territories, southern_kurils, ...
        pa.field("variant", pa.string()),
        pa.field("role", pa.string()),  # the office, when a bare role ("the foreign minister") was linked
        pa.field("via", pa.string()),  # how it was linked: alias, role, surname, context
        pa.field("confidence", pa.float64()),
    ],
    "One row per entity mention, with character offsets into the article's title or body.",
)

ENTITIES = _schema(
    "entities",
    [
        pa.field("entity_id", pa.string(), nullable=False),
        pa.field("name", pa.string()),
        pa.field("type", pa.string()),
        pa.field("wikidata_id", pa.string()),
        pa.field("aliases", TEXT_LIST),
        # -- additions --
        pa.field("country", pa.string()),
        pa.field("description", pa.string()),
        pa.field("kb_version", pa.string()),
    ],
    "The knowledge base of Japan-Russia entities the tagger links mentions to.",
)

RUNS = _schema(
    "runs",
    [
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("started_at", UTC_TS),
        pa.field("finished_at", UTC_TS),
        pa.field("status", pa.string()),
        # -- counts per stage --
        pa.field("feeds_read", pa.int64()),
        pa.field("entries_seen", pa.int64()),
        pa.field("entries_new", pa.int64()),
        pa.field("pages_fetched", pa.int64()),
        pa.field("articles_extracted", pa.int64()),
        pa.field("articles_written", pa.int64()),
        pa.field("duplicates", pa.int64()),
        pa.field("mentions_written", pa.int64()),
        pa.field("rejects", pa.int64()),
        # -- additions --
        pa.field("mode", pa.string()),  # batch or stream
        pa.field("sources", TEXT_LIST),
        pa.field("dipnews_version", pa.string()),
        pa.field("summary", pa.string()),  # JSON: per-source counts and rejects by reason
    ],
    "One row per committed run, with its counts per stage.",
)

REJECTS = _schema(
    "rejects",
    [
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("source_id", pa.string()),
        pa.field("url", pa.string()),
        pa.field("stage", pa.string()),
        pa.field("reason", pa.string()),
        pa.field("detail", pa.string()),
        # -- additions --
        pa.field("rejected_at", UTC_TS),
    ],
    "Every fetch, parse or write that failed: one row with the stage and a reason code.",
)

TABLES: dict[str, pa.Schema] = {
    "articles": ARTICLES,
    "mentions": MENTIONS,
    "entities": ENTITIES,
    "runs": RUNS,
    "rejects": REJECTS,
}


def to_table(rows: Iterable[Mapping[str, Any]], schema: pa.Schema) -> pa.Table:
    """Build a table of exactly ``schema`` from row dicts.

    Keys the schema does not name are ignored and missing keys become null, but a row that lacks a
    non-nullable column raises instead of writing a null: that is the silent loss PITFALLS.md warns of.
    """
    rows = rows if isinstance(rows, list) else list(rows)
    # column by column: one comprehension per column is several times faster than a loop over cells,
    # and the writer spends most of its time here (an article brings about 20 mention rows)
    columns = {name: [row.get(name) for row in rows] for name in schema.names}
    for field in schema:
        if field.nullable:
            continue
        column = columns[field.name]
        # by identity: `None in column` would compare every value with ==, which an array refuses
        if any(map(operator.is_, column, itertools.repeat(None))):
            i = next(i for i, value in enumerate(column) if value is None)
            raise ValueError(f"row {i} of {schema.metadata[b'dipnews.table'].decode()} lacks {field.name!r}")
    return pa.Table.from_pydict(columns, schema=schema)
