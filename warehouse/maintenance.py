"""Upkeep of a warehouse: compact small files, vacuum unreferenced ones, check committed ones.

Every run adds a few files per partition, and DuckDB slows down by two orders of magnitude over
thousands of small files (PITFALLS.md), so :func:`compact` merges a partition's files into one with the
same atomic protocol as a run: write new files (invisible), then swap them for the old ones in a single
manifest commit. Old files stay on disk, unreferenced, until :func:`vacuum` removes them after a grace
period (a reader that planned a query on them a moment ago can finish).
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from warehouse import catalog
from warehouse.errors import CommitError
from warehouse.fsutil import TEMP_SUFFIX, fsync_dir, publish, temp_path_for
from warehouse.layout import (
    COMPRESSION,
    DATA_DIR,
    PARQUET_SUFFIX,
    FileEntry,
    check_table,
    parse_file_name,
    relative_path,
)
from warehouse.lock import commit_lock, run_lock
from warehouse.manifest import Manifest
from warehouse.store import Warehouse, _fault_point

log = logging.getLogger(__name__)

#: rows per compacted file: large files are what DuckDB reads fastest, and one stays well under 1 GB
MAX_ROWS_PER_FILE = 1_000_000
#: rows per Parquet row group of a compacted file: DuckDB scans a row group per thread, and prunes by
#: the statistics of each; one group per small input file would keep the many-small-files cost inside
ROW_GROUP_ROWS = 122_880
#: seconds an unreferenced file or a temp file is kept before vacuum deletes it
GRACE_SECONDS = 3600.0


def conform(batch: pa.RecordBatch | pa.Table, schema: pa.Schema) -> pa.Table:
    """``batch`` with exactly ``schema``'s columns: missing ones null, others cast, extra ones dropped.

    Files written before the schema gained a column are thereby brought up to date when compacted.
    """
    table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
    columns = []
    for f in schema:
        if f.name in table.column_names:
            column = table.column(f.name)
            columns.append(column if column.type == f.type else pc.cast(column, f.type))
        else:
            columns.append(pa.nulls(table.num_rows, f.type))
    return pa.Table.from_arrays(columns, schema=schema)


def new_compaction_id() -> str:
    """A sortable id for a compaction's files, e.g. ``compact-20251006T093000Z-1a2b3c``."""
    return f"compact-{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


class _PartWriter:
    """Stream batches into ``<run_id>-<part>.parquet`` files of one partition, rolling at ``max_rows``."""

    def __init__(self, root: Path, table: str, partition: str, run_id: str, max_rows: int) -> None:
        self.root, self.table, self.partition, self.run_id = root, table, partition, run_id
        self.schema = check_table(table)
        self.max_rows = max_rows
        self.entries: list[FileEntry] = []
        self._writer: pq.ParquetWriter | None = None
        self._temp: Path | None = None
        self._final: Path | None = None
        self._rows = 0
        self._pending: list[pa.Table] = []
        self._pending_rows = 0

    def _open(self) -> None:
        rel = relative_path(self.table, self.partition, self.run_id, len(self.entries))
        self._final = self.root / rel
        self._final.parent.mkdir(parents=True, exist_ok=True)
        self._temp = temp_path_for(self._final)
        self._writer = pq.ParquetWriter(self._temp, self.schema, compression=COMPRESSION)
        self._rows = 0

    def write(self, data: pa.Table) -> None:
        """Add rows; they are written in row groups of ROW_GROUP_ROWS, files of at most ``max_rows``."""
        offset = 0
        while offset < data.num_rows:
            if self._writer is None:
                self._open()
            room = min(self.max_rows - self._rows - self._pending_rows, ROW_GROUP_ROWS - self._pending_rows)
            take = min(room, data.num_rows - offset)
            self._pending.append(data.slice(offset, take))
            self._pending_rows += take
            offset += take
            if self._pending_rows >= ROW_GROUP_ROWS:
                self._flush()
            if self._rows + self._pending_rows >= self.max_rows:
                self._close()

    def _flush(self) -> None:
        if self._pending_rows:
            assert self._writer is not None
            self._writer.write_table(pa.concat_tables(self._pending).combine_chunks(),
                                     row_group_size=ROW_GROUP_ROWS)
            self._rows += self._pending_rows
        self._pending, self._pending_rows = [], 0

    def _close(self) -> None:
        if self._writer is None:
            return
        self._flush()
        self._writer.close()
        self._writer = None
        assert self._temp is not None and self._final is not None
        fd = os.open(self._temp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        publish(self._temp, self._final)
        rel = self._final.relative_to(self.root).as_posix()
        self.entries.append(FileEntry(self.table, rel, self._rows, self._final.stat().st_size))

    def finish(self) -> list[FileEntry]:
        self._close()
        return self.entries

    def abort(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._temp is not None:
            self._temp.unlink(missing_ok=True)


@dataclass(frozen=True)
class Compaction:
    """What :func:`compact` did to one partition: the files it replaced and the ones it wrote."""

    table: str
    partition: str
    replaced: tuple[FileEntry, ...]
    written: tuple[FileEntry, ...]

    @property
    def rows(self) -> int:
        """Rows in the written files (equal to the rows of the replaced ones)."""
        return sum(e.rows for e in self.written)


def _batches(root: Path, entries: tuple[FileEntry, ...], schema: pa.Schema) -> Iterator[pa.Table]:
    for entry in entries:
        for batch in pq.ParquetFile(root / entry.path).iter_batches(batch_size=65_536):
            yield conform(batch, schema)


Groups = dict[tuple[str, str], tuple[FileEntry, ...]]


def _plan(manifest: Manifest, tables: list[str], min_files: int) -> Groups:
    groups: dict[tuple[str, str], list[FileEntry]] = {}
    for table in tables:
        for entry in manifest.table_files(table):
            groups.setdefault((table, entry.partition), []).append(entry)
    return {key: tuple(es) for key, es in sorted(groups.items()) if len(es) >= min_files}


def compact(wh: Warehouse, table: str | None = None, *, min_files: int = 2,
            max_rows_per_file: int = MAX_ROWS_PER_FILE) -> list[Compaction]:
    """Merge each partition of ``table`` (every file table when None) holding ``min_files`` or more
    committed files into as few files as ``max_rows_per_file`` allows, in one atomic commit.

    Rows keep their order (file by file, in commit order). Old files leave the manifest but stay on disk
    for :func:`vacuum`. If another commit changed one of the partitions meanwhile, nothing is committed
    and CommitError says so (run it again).
    """
    if min_files < 1 or max_rows_per_file < 1:
        raise ValueError("min_files and max_rows_per_file must be at least 1")
    tables = [table] if table is not None else sorted(catalog.file_tables())
    for name in tables:
        check_table(name)
    plan = _plan(wh.manifest(), tables, min_files)
    if not plan:
        return []
    compaction_id = new_compaction_id()
    done: list[Compaction] = []
    writers: list[_PartWriter] = []
    try:
        for (name, partition), entries in plan.items():
            writer = _PartWriter(wh.root, name, partition, compaction_id, max_rows_per_file)
            writers.append(writer)
            for data in _batches(wh.root, entries, writer.schema):
                writer.write(data)
            done.append(Compaction(name, partition, entries, tuple(writer.finish())))
    except BaseException:
        for writer in writers:
            writer.abort()
        raise
    _fault_point("compact_after_write")
    _commit_compaction(wh, compaction_id, done)
    return done


#: the tables automatic compaction looks after: the ones every run adds files to, per partition
AUTO_COMPACT_TABLES = ("articles", "mentions")


def auto_compact(wh: Warehouse, *, max_files: int, tables: tuple[str, ...] = AUTO_COMPACT_TABLES
                 ) -> list[Compaction]:
    """Compact every partition of ``tables`` that holds more than ``max_files`` committed files.

    Called by a run right after its commit, under the run lock. Readers keep querying throughout: the
    swap is one manifest commit, and the replaced files stay on disk until ``vacuum``.
    """
    if max_files < 1:
        raise ValueError(f"max_files must be at least 1, got {max_files}")
    done: list[Compaction] = []
    for table in tables:
        done += compact(wh, table, min_files=max_files + 1)
    return done


def _commit_compaction(wh: Warehouse, compaction_id: str, done: list[Compaction]) -> None:
    with commit_lock(wh.root):
        current = wh.manifest()
        committed = current.paths()
        replaced = {e.path for c in done for e in c.replaced}
        if not replaced <= committed:
            raise CommitError(f"compaction {compaction_id}: the manifest changed while it ran "
                              f"({len(replaced - committed)} of its files are gone); nothing was committed")
        files: dict[str, list[FileEntry]] = {
            t: [e for e in es if e.path not in replaced] for t, es in current.files.items()
        }
        for c in done:
            files.setdefault(c.table, []).extend(c.written)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        record = {
            "committed_at": now,
            "kind": "compaction",
            "files": sum(len(c.written) for c in done),
            "replaced": sum(len(c.replaced) for c in done),
            "rows": {t: sum(c.rows for c in done if c.table == t) for t in {c.table for c in done}},
        }
        new = Manifest(current.version + 1, {t: tuple(es) for t, es in files.items()},
                       {**current.runs, compaction_id: record}, current.state, now)
        _fault_point("compact_before_manifest")
        wh._publish(new, f"compaction {compaction_id}")
        _fault_point("compact_after_manifest")
        wh._refresh_catalog_after_commit(new)
    log.info("compaction %s: %d files into %d", compaction_id, record["replaced"], record["files"])


@dataclass
class VacuumReport:
    """What :func:`vacuum` removed (or, with ``dry_run``, would remove)."""

    files: list[Path] = field(default_factory=list)
    temps: list[Path] = field(default_factory=list)
    bytes: int = 0
    kept_recent: int = 0  # unreferenced files younger than the grace period

    def __str__(self) -> str:
        return (f"{len(self.files)} unreferenced files and {len(self.temps)} temp files, {self.bytes} bytes; "
                f"{self.kept_recent} recent ones kept")


def vacuum(wh: Warehouse, *, grace_seconds: float = GRACE_SECONDS, dry_run: bool = False,
           lock_wait: float = 0.0) -> VacuumReport:
    """Delete data files no commit references and leftover temp files, older than ``grace_seconds``.

    Takes the run lock (waiting up to ``lock_wait`` s), since a running run's staged files are not
    referenced yet: call it between runs, never from inside one. Uncommitted files of a crashed run are
    deleted too, once older than the grace period; its rerun writes them again.
    """
    report = VacuumReport()
    cutoff = time.time() - grace_seconds
    with run_lock(wh.root, lock_wait), commit_lock(wh.root):
        referenced = wh.manifest().paths()
        for path in sorted(wh.root.rglob("*")):
            if not path.is_file():
                continue
            rel = path.relative_to(wh.root).as_posix()
            is_temp = path.name.startswith(".") and path.name.endswith(TEMP_SUFFIX)
            is_data = rel.startswith(f"{DATA_DIR}/") and path.suffix == PARQUET_SUFFIX and not is_temp
            if not (is_temp or (is_data and rel not in referenced)):
                continue
            stat = path.stat()
            if stat.st_mtime > cutoff:
                report.kept_recent += 1
                continue
            (report.temps if is_temp else report.files).append(path)
            report.bytes += stat.st_size
            if not dry_run:
                path.unlink()
        if not dry_run:
            _remove_empty_dirs(wh.root / DATA_DIR)
    return report


def _remove_empty_dirs(data: Path) -> None:
    if not data.is_dir():
        return
    folders = sorted((p for p in data.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True)
    for directory in folders:  # deepest first, so a folder emptied by its children goes too
        try:
            directory.rmdir()
        except OSError:
            continue  # not empty
        fsync_dir(directory.parent)


@dataclass(frozen=True)
class Problem:
    """One committed file that is not as the manifest says."""

    path: str
    issue: str

    def __str__(self) -> str:
        return f"{self.path}: {self.issue}"


def check(wh: Warehouse, *, read_data: bool = True) -> list[Problem]:
    """Verify every committed file: it exists, has the recorded size and row count, a schema the
    catalog can read as the table's, and (with ``read_data``) every row group decodes. Empty: healthy.
    """
    problems: list[Problem] = []
    for entry in wh.manifest().all_files():
        path = wh.root / entry.path
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            problems.append(Problem(entry.path, "missing"))
            continue
        if size != entry.bytes:
            problems.append(Problem(entry.path, f"{size} bytes on disk, {entry.bytes} recorded"))
        try:
            parquet = pq.ParquetFile(path)
            rows = parquet.metadata.num_rows
            if rows != entry.rows:
                problems.append(Problem(entry.path, f"{rows} rows in the file, {entry.rows} recorded"))
            problems += _schema_problems(entry, parquet.schema_arrow)
            if read_data:
                for group in range(parquet.num_row_groups):
                    parquet.read_row_group(group)
        except (OSError, pa.ArrowException) as exc:
            problems.append(Problem(entry.path, f"unreadable: {exc}"))
        try:
            parse_file_name(Path(entry.path).name)
        except ValueError as exc:
            problems.append(Problem(entry.path, str(exc)))
    return problems


def _schema_problems(entry: FileEntry, schema: pa.Schema) -> list[Problem]:
    expected = check_table(entry.table)
    problems = []
    for f in expected:
        index = schema.get_field_index(f.name)
        found = schema.field(index).type if index >= 0 else None
        if found is not None and found != f.type:
            issue = f"column {f.name} is {found}, not {f.type} (compact to convert)"
            problems.append(Problem(entry.path, issue))
        elif index < 0 and not f.nullable:
            problems.append(Problem(entry.path, f"required column {f.name} is missing"))
    return problems
