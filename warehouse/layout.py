"""Where files live in the warehouse, and how a worker writes one.

Layout: ``<root>/data/<table>/<partition>/<run_id>-<part>.parquet``. Partitions are coarse (a source and a
year) and contain no ``=``, so DuckDB never treats a folder as a Hive column: every value lives in the
file only (PITFALLS.md). A file's name is fixed by (table, partition, run_id, part), so a Beam retry
overwrites its earlier attempt instead of adding a second copy.

>>> from datetime import UTC, datetime
>>> partition_of("articles", {"source_id": "tass", "published_at": datetime(2025, 10, 6, tzinfo=UTC)})
'tass/2025'
>>> file_name("run-1", 3)
'run-1-00003.parquet'
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

import schemas
from warehouse.fsutil import fsync_dir, publish, temp_path_for

DATA_DIR = "data"
PARQUET_SUFFIX = ".parquet"
#: Parquet compression: zstd is smaller than snappy at a similar speed, and DuckDB >= 0.3 reads it
COMPRESSION = "zstd"

_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_FILE_NAME = re.compile(r"(?P<run_id>[A-Za-z0-9][A-Za-z0-9_.-]*)-(?P<part>\d{5})\.parquet")
_UNKNOWN_YEAR = "unknown"
DEFAULT_PARTITION = "all"


@dataclass(frozen=True)
class FileEntry:
    """One data file: its table, its path relative to the warehouse root (POSIX), rows and size in bytes.

    >>> FileEntry("runs", "data/runs/all/r1-00000.parquet", 1, 2048).run_id
    'r1'
    """

    table: str
    path: str
    rows: int
    bytes: int

    @property
    def run_id(self) -> str:
        """The run (or compaction) that wrote the file, read from its deterministic name."""
        return parse_file_name(PurePosixPath(self.path).name)[0]

    @property
    def partition(self) -> str:
        """The partition folder of the file, e.g. ``tass/2025``."""
        parts = PurePosixPath(self.path).parts
        return "/".join(parts[2:-1])

    def to_json(self) -> dict[str, Any]:
        """The manifest's record of the file (the table is implied by the list it is in)."""
        return {"path": self.path, "rows": self.rows, "bytes": self.bytes}


def check_run_id(run_id: str) -> str:
    """Return ``run_id`` if it is safe as a file-name prefix, else raise ValueError."""
    if not isinstance(run_id, str) or not _RUN_ID.fullmatch(run_id):
        raise ValueError(
            f"invalid run_id {run_id!r}: use 1-128 letters, digits, '_', '.', '-', "
            "starting with a letter or digit"
        )
    return run_id


def check_table(table: str) -> pa.Schema:
    """The schema of a file-backed ``table``; ValueError names the known tables otherwise."""
    from schemas.state import STATE_TABLES

    if table in STATE_TABLES:
        raise ValueError(f"table {table!r} is pipeline state: pass it to Warehouse.commit(state=...)")
    try:
        return schemas.TABLES[table]
    except KeyError:
        raise ValueError(f"unknown table {table!r}; known: {', '.join(sorted(schemas.TABLES))}") from None


def check_partition(partition: str) -> str:
    """Return ``partition`` if every ``/``-separated segment is a safe folder name without ``=``."""
    segments = partition.split("/") if isinstance(partition, str) else [""]
    if not all(_SEGMENT.fullmatch(s) for s in segments):
        raise ValueError(
            f"invalid partition {partition!r}: segments of letters, digits, '_', '.', '-' separated by '/'"
        )
    return partition


def file_name(run_id: str, part: int) -> str:
    """The deterministic file name of part ``part`` of ``run_id``'s output in one partition."""
    if not isinstance(part, int) or not 0 <= part <= 99_999:
        raise ValueError(f"part must be an integer in 0..99999, got {part!r}")
    return f"{check_run_id(run_id)}-{part:05d}{PARQUET_SUFFIX}"


def parse_file_name(name: str) -> tuple[str, int]:
    """``(run_id, part)`` of a data file name; ValueError for anything else (temp files included)."""
    match = _FILE_NAME.fullmatch(name)
    if not match:
        raise ValueError(f"not a warehouse data file name: {name!r}")
    return match["run_id"], int(match["part"])


def relative_path(table: str, partition: str, run_id: str, part: int) -> str:
    """``data/<table>/<partition>/<run_id>-<part>.parquet``, relative to the warehouse root."""
    return f"{DATA_DIR}/{table}/{check_partition(partition)}/{file_name(run_id, part)}"


def _year(value: Any, column: str) -> str:
    if value is None:
        return _UNKNOWN_YEAR
    if isinstance(value, datetime):
        # naive datetimes are stored by pyarrow as if UTC, so their year is taken as is
        return f"{(value.astimezone(UTC) if value.tzinfo else value).year:04d}"
    if isinstance(value, date):
        return f"{value.year:04d}"
    raise TypeError(f"{column} must be a datetime or None to choose a partition, got {type(value).__name__}")


def _source(row: Mapping[str, Any]) -> str:
    source_id = row.get("source_id")
    if not isinstance(source_id, str) or not _SEGMENT.fullmatch(source_id):
        raise ValueError(f"source_id {source_id!r} cannot name a partition folder")
    return source_id


def partition_of(table: str, row: Mapping[str, Any]) -> str:
    """The partition folder a row of ``table`` belongs to.

    articles, mentions: ``<source_id>/<yyyy>`` by ``published_at`` (mentions carry the article's
    ``published_at`` when the pipeline has it, else land in ``unknown``); rejects: ``<yyyy>`` of
    ``rejected_at`` (the run's time); runs: ``all``; entities: ``kb``; any other table: ``all``.

    >>> partition_of("rejects", {"run_id": "r1"})
    'unknown'
    """
    check_table(table)
    if table in ("articles", "mentions"):
        return f"{_source(row)}/{_year(row.get('published_at'), 'published_at')}"
    if table == "rejects":
        return _year(row.get("rejected_at"), "rejected_at")
    if table == "runs":
        return "all"
    if table == "entities":
        return "kb"
    # a table without a rule of its own (a pipeline's extra table) gets one coarse partition, which
    # compaction keeps to a few files
    return DEFAULT_PARTITION


def write_table(root: str | os.PathLike[str], table: str, partition: str, run_id: str, data: pa.Table,
                part: int = 0) -> FileEntry:
    """Write an Arrow table of exactly ``table``'s schema as one data file, whole or not at all."""
    schema = check_table(table)
    if not data.schema.equals(schema):
        raise ValueError(f"table data does not have the schema of {table!r}:\n{data.schema}")
    rel = relative_path(table, partition, run_id, part)
    root_path = Path(root).resolve()
    final = root_path / rel
    # folders this write creates: their entries in their parents must be made durable too
    created = [d for d in [final.parent, *final.parent.parents]
               if d.is_relative_to(root_path) and not d.exists()]
    final.parent.mkdir(parents=True, exist_ok=True)
    temp = temp_path_for(final)
    try:
        with open(temp, "wb") as sink:
            pq.write_table(data, sink, compression=COMPRESSION)
            sink.flush()
            os.fsync(sink.fileno())
        publish(temp, final)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    for folder in created:  # deepest first
        fsync_dir(folder.parent)
    return FileEntry(table, rel, data.num_rows, final.stat().st_size)


def write_partition(root: str | os.PathLike[str], table: str, partition: str, run_id: str,
                    rows: list[dict[str, Any]], part: int = 0) -> FileEntry:
    """Write ``rows`` of ``table`` as ``data/<table>/<partition>/<run_id>-<part>.parquet``; return its entry.

    What a Beam worker calls once per (partition, part) group: the rows become a table of exactly the
    schema (:func:`schemas.to_table`), are written to a temporary name in the same folder, fsynced and
    renamed into place. Writing the same (table, partition, run_id, part) again replaces the file. The file
    is not visible until :meth:`warehouse.Warehouse.commit` lists it in the manifest.

    Raises ValueError for an unknown table, a bad run_id or partition, a row lacking a required column,
    or a row that belongs to another partition.
    """
    check_table(table)
    check_partition(partition)
    for i, row in enumerate(rows):
        actual = partition_of(table, row)
        if actual != partition:
            raise ValueError(f"row {i} of {table} belongs to partition {actual!r}, not {partition!r}")
    return write_table(root, table, partition, run_id, schemas.to_table(rows, schemas.TABLES[table]), part)
