"""State maps of the manifest as Arrow tables of the schemas in :mod:`schemas.state`.

>>> t = state_table("feed_state", {"https://tass.com/rss/v2.xml": {"etag": '"x"', "status": 304}})
>>> t.column("feed_url").to_pylist(), t.column("status").to_pylist()
(['https://tass.com/rss/v2.xml'], [304])
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pyarrow as pa

from schemas.state import STATE_TABLES


def _convert(value: Any, arrow_type: pa.DataType, where: str) -> Any:
    """A JSON value of the manifest as a Python value of ``arrow_type`` (timestamps are ISO 8601 strings)."""
    if value is None:
        return None
    if pa.types.is_timestamp(arrow_type):
        if not isinstance(value, str):
            raise TypeError(f"{where}: expected an ISO 8601 timestamp string, got {value!r}")
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError as exc:
            raise TypeError(f"{where}: {exc}") from exc
        if parsed.tzinfo is None:
            raise TypeError(f"{where}: timestamp {value!r} has no UTC offset")
        return parsed
    if pa.types.is_integer(arrow_type) and (isinstance(value, bool) or not isinstance(value, int)):
        raise TypeError(f"{where}: expected an integer, got {value!r}")
    if pa.types.is_string(arrow_type) and not isinstance(value, str):
        raise TypeError(f"{where}: expected a string, got {value!r}")
    return value


def state_table(name: str, entries: Mapping[str, Mapping[str, Any]]) -> pa.Table:
    """The state map ``name`` as a table: one row per key, in key order. TypeError names a bad value."""
    spec = STATE_TABLES[name]
    columns: dict[str, list[Any]] = {f.name: [] for f in spec.schema}
    for key in sorted(entries):
        entry = entries[key]
        if not isinstance(entry, Mapping):
            raise TypeError(f"state[{name!r}][{key!r}] must be an object, got {entry!r}")
        for f in spec.schema:
            value = key if f.name == spec.key else entry.get(f.name)
            columns[f.name].append(_convert(value, f.type, f"state[{name!r}][{key!r}].{f.name}"))
    return pa.Table.from_pydict(columns, schema=spec.schema)
