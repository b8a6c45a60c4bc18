"""Arrow schemas: the single definition of every dipnews table.

Everything else derives from here: the Parquet files the pipeline writes, the DuckDB views of the
catalog (through :func:`schemas.duckdb.duckdb_type`) and the contract tests.

>>> from schemas import ARTICLES
>>> ARTICLES.field("published_at").type
TimestampType(timestamp[us, tz=UTC])
"""

from schemas.tables import (
    ARTICLES,
    ENTITIES,
    MENTIONS,
    REJECTS,
    RUNS,
    TABLES,
    empty_table,
    to_table,
)

__all__ = ["ARTICLES", "ENTITIES", "MENTIONS", "REJECTS", "RUNS", "TABLES", "empty_table", "to_table"]
