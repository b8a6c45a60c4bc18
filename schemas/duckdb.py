"""Arrow types mapped to DuckDB types: how the catalog's views are typed from the schemas."""

from __future__ import annotations

import pyarrow as pa

_SCALARS: dict[pa.DataType, str] = {
    pa.string(): "VARCHAR",
    pa.large_string(): "VARCHAR",
    pa.bool_(): "BOOLEAN",
    pa.int8(): "TINYINT",
    pa.int16(): "SMALLINT",
    pa.int32(): "INTEGER",
    pa.int64(): "BIGINT",
    pa.float32(): "FLOAT",
    pa.float64(): "DOUBLE",
    pa.date32(): "DATE",
}


def duckdb_type(arrow_type: pa.DataType) -> str:
    """The DuckDB type name that ``DESCRIBE`` reports for a column of ``arrow_type``.

    >>> duckdb_type(pa.list_(pa.string()))
    'VARCHAR[]'
    """
    if arrow_type in _SCALARS:
        return _SCALARS[arrow_type]
    if pa.types.is_timestamp(arrow_type):
        return "TIMESTAMP WITH TIME ZONE" if arrow_type.tz else "TIMESTAMP"
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        return duckdb_type(arrow_type.value_type) + "[]"
    raise TypeError(f"no DuckDB mapping for Arrow type {arrow_type}")


def select_list(schema: pa.Schema) -> str:
    """``CAST(col AS type) AS col, ...`` for every column of ``schema``, in schema order."""
    return ",\n  ".join(f'CAST("{f.name}" AS {duckdb_type(f.type)}) AS "{f.name}"' for f in schema)


def null_select_list(schema: pa.Schema) -> str:
    """The select list of an empty view: typed NULLs named after the columns."""
    return ",\n  ".join(f'CAST(NULL AS {duckdb_type(f.type)}) AS "{f.name}"' for f in schema)
