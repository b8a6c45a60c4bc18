"""Query results as text, for ``dipnews sql --format table|csv|json``.

Timestamps with a time zone print as ISO 8601 in UTC (``2025-10-06T09:30:00Z``); lists and structs as
JSON. ``json`` is JSON Lines: one object per row and line, which streams, greps and feeds ``jq -c`` and
DuckDB's ``read_json`` alike; an empty result prints nothing.

>>> import pyarrow as pa
>>> print(format_result(pa.table({"n": [1, 2]}), "csv"), end="")
n
1
2
"""

from __future__ import annotations

import base64
import csv
import io
import json
import math
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Literal

import pyarrow as pa

Format = Literal["table", "csv", "json"]
FORMATS: tuple[str, ...] = ("table", "csv", "json")
#: widest a cell of the ``table`` format gets before it is cut with an ellipsis
MAX_CELL = 60


def _iso(value: datetime) -> str:
    if value.tzinfo is None:
        return value.isoformat()  # a TIMESTAMP without zone: no offset is claimed
    text = value.astimezone(UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


def _plain(value: Any) -> Any:
    """``value`` as a JSON-compatible Python value."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        # map columns arrive as lists of (key, value) pairs
        return [_plain(v) for v in value]
    return str(value)


def _text(value: Any) -> str:
    """``value`` as the text of one csv or table cell ('' for NULL)."""
    plain = _plain(value)
    if plain is None:
        return ""
    if isinstance(plain, bool):
        return "true" if plain else "false"
    if isinstance(plain, (list, dict)):
        return json.dumps(plain, ensure_ascii=False)
    return str(plain)


def _rows(table: pa.Table) -> list[list[Any]]:
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    return [list(row) for row in zip(*columns, strict=True)] if columns else []


def _cell(value: Any) -> str:
    text = "NULL" if value is None else _text(value)
    text = text.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def _table(table: pa.Table) -> str:
    header = list(table.column_names)
    body = [[_cell(v) for v in row] for row in _rows(table)]
    widths = [max([len(h)] + [len(r[i]) for r in body]) for i, h in enumerate(header)]
    numeric = [pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)
               for t in table.schema.types]

    def line(cells: list[str]) -> str:
        return " | ".join(c.rjust(w) if num else c.ljust(w)
                          for c, w, num in zip(cells, widths, numeric, strict=True)).rstrip()

    out = [line(header), "-+-".join("-" * w for w in widths)] + [line(r) for r in body]
    out.append(f"({table.num_rows} row{'s' if table.num_rows != 1 else ''})")
    return "\n".join(out) + "\n"


def _csv(table: pa.Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.column_names)
    writer.writerows([_text(v) for v in row] for row in _rows(table))
    return buffer.getvalue()


def _json(table: pa.Table) -> str:
    names = table.column_names
    if len(set(names)) != len(names):
        raise ValueError(f"json output needs distinct column names, got {names}: alias the columns")
    lines = [json.dumps(dict(zip(names, (_plain(v) for v in row), strict=True)), ensure_ascii=False)
             for row in _rows(table)]
    return "".join(line + "\n" for line in lines)


def format_result(table: pa.Table, fmt: Format) -> str:
    """``table`` as text in format ``fmt`` (``table``, ``csv`` or ``json`` Lines), ending in a newline.

    >>> print(format_result(pa.table({"x": ["a"]}), "json"), end="")
    {"x": "a"}
    """
    if fmt == "table":
        return _table(table)
    if fmt == "csv":
        return _csv(table)
    if fmt == "json":
        return _json(table)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
