"""Arrow schemas: the single definition of every dipnews table.

Everything else derives from here: the Parquet files the pipeline writes, the DuckDB views of the
catalog (through :func:`schemas.duckdb.duckdb_type`) and the contract tests.

>>> from schemas import ARTICLES
>>> ARTICLES.field("published_at").type
TimestampType(timestamp[us, tz=UTC])
"""

import pyarrow as pa

from schemas.dedup import SIGNATURES
from schemas.tables import ARTICLES, ENTITIES, MENTIONS, REJECTS, RUNS, to_table
from schemas.tables import TABLES as CONTRACT_TABLES

#: every table the warehouse keeps as Parquet: DESIGN.md's contract tables, then the pipeline's own
TABLES: dict[str, pa.Schema] = {**CONTRACT_TABLES, "signatures": SIGNATURES}

__all__ = [
    "ARTICLES",
    "CONTRACT_TABLES",
    "ENTITIES",
    "MENTIONS",
    "REJECTS",
    "RUNS",
    "SIGNATURES",
    "TABLES",
    "to_table",
]
