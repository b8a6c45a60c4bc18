"""WriteWarehouse: write every table's rows as Parquet files of this run, ready to commit.

PITFALLS.md: ``WriteToParquet`` leaves temp folders behind, distributes rows unevenly and drops unknown
keys silently; ``fileio.WriteToFiles`` into missing Hive folders reports success and writes nothing. So
rows are grouped by their coarse partition and each group is written with pyarrow by the warehouse's
own writer (temporary name, fsync, rename) under a name fixed by (table, partition, run, part): a
retried bundle overwrites its file instead of adding a second one. Nothing is visible until the
driver commits the run's files in one manifest swap.

``mentions`` are not a PCollection of their own: they arrive nested in their article's row
(:mod:`pipeline.stages.tag`), and each group of articles writes its partition's mentions file too. A
mention's partition is its article's, so no second shuffle is needed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import apache_beam as beam

from pipeline import faults, records
from pipeline.stages.tag import mention_rows
from warehouse import FileEntry, partition_of, write_partition

#: rows per Parquet file; a larger partition of one run is split into parts
ROWS_PER_FILE = 100_000
#: file parts numbered per chunk of a run (pipeline.chunks): chunk c writes parts c*100 .. c*100+99
PARTS_PER_CHUNK = 100

#: the order rows are written in, per table, so that two runs over the same input write the same files
_SORT_KEYS: dict[str, tuple[str, ...]] = {
    "articles": ("article_id",),
    "mentions": ("article_id", "field", "start", "entity_id"),
    "rejects": ("stage", "url", "reason"),
}


def _sort_key(table: str, row: Mapping[str, Any]) -> tuple:
    keys = _SORT_KEYS.get(table, ())
    return (
        tuple("" if row.get(k) is None else row.get(k) for k in keys)
        if keys
        else (repr(sorted(row.items())),)
    )


#: tables written from rows nested in another table's rows: parent table -> (child table, its rows)
NESTED = {"articles": ("mentions", mention_rows)}


class WritePartitionFn(beam.DoFn):
    """``(partition, rows)`` -> one FileEntry per written file (and per file of the rows nested in them)."""

    def __init__(self, root: str, table: str, run_id: str, chunk: int = 0):
        self._root = root
        self._table = table
        self._run_id = run_id
        self._first_part = chunk * PARTS_PER_CHUNK

    def process(self, element: tuple[str, Iterable[dict[str, Any]]]) -> Iterator[FileEntry]:
        partition, rows = element
        rows = list(rows)
        yield from self._write(self._table, partition, rows)
        if self._table in NESTED:
            child, children_of = NESTED[self._table]
            yield from self._write(child, partition, [c for row in rows for c in children_of(row)])

    def _write(self, table: str, partition: str, rows: list[dict[str, Any]]) -> Iterator[FileEntry]:
        ordered = sorted(rows, key=lambda r: _sort_key(table, r))
        for part, start in enumerate(range(0, len(ordered), ROWS_PER_FILE), start=self._first_part):
            in_file = ordered[start : start + ROWS_PER_FILE]
            entry = write_partition(self._root, table, partition, self._run_id, in_file, part=part)
            faults.maybe_crash(f"write_{table}")
            records.count(f"written.{table}", entry.rows)
            yield entry


class WriteTable(beam.PTransform):
    """Rows of one table -> its files of this run (of chunk ``chunk`` of it: see PARTS_PER_CHUNK)."""

    def __init__(self, root: str, table: str, run_id: str, chunk: int = 0):
        super().__init__()
        self._root, self._table, self._run_id, self._chunk = root, table, run_id, chunk

    def expand(self, rows: beam.PCollection) -> beam.PCollection:
        table = self._table
        return (
            rows
            | "KeyByPartition" >> beam.Map(lambda row: (partition_of(table, row), row))
            | "GroupByPartition" >> beam.GroupByKey()
            | "WriteFiles" >> beam.ParDo(WritePartitionFn(self._root, table, self._run_id, self._chunk))
        )


class WriteWarehouse(beam.PTransform):
    """``{table: rows}`` -> FileEntries of every file written for this run (committed by the driver).

    ``articles`` rows may carry their mentions (:data:`NESTED`): those are written as ``mentions``.
    """

    def __init__(self, root: str, *, run_id: str, chunk: int = 0):
        super().__init__()
        self._root = root
        self._run_id = run_id
        self._chunk = chunk

    def expand(self, tables: Mapping[str, beam.PCollection]) -> beam.PCollection:
        written = [
            rows | f"Write{table.title()}" >> WriteTable(self._root, table, self._run_id, self._chunk)
            for table, rows in sorted(tables.items())
        ]
        return tuple(written) | "AllFiles" >> beam.Flatten()
