"""The :class:`Warehouse`: commit protocol, catalog upkeep and queries over one warehouse directory.

A run writes its files with :func:`warehouse.write_partition` (invisible so far), then commits them::

    wh = Warehouse("warehouse")
    with wh.lock(wait=30):
        files = [write_partition(wh.root, "runs", "all", run_id, [run_row])]
        wh.commit(run_id, files, state={"feed_state": {feed_url: {"etag": etag}}})
    wh.query("SELECT count(*) FROM articles")

The commit writes a new manifest next to the old one, fsyncs it and renames it over the old one: before
the rename nothing of the run is visible, after it all of it is. The catalog is then rebuilt from the
manifest; if a crash comes between the two, the next command sees that the catalog is stale and rebuilds
it (:meth:`Warehouse.ensure_catalog`).
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
from collections.abc import Iterable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from warehouse import catalog
from warehouse.errors import CatalogError, CommitError, WarehouseError
from warehouse.fsutil import atomic_write_bytes
from warehouse.layout import DATA_DIR, PARQUET_SUFFIX, FileEntry, check_run_id, check_table, parse_file_name
from warehouse.lock import commit_lock, run_lock
from warehouse.manifest import (
    Manifest,
    check_state,
    manifest_path,
    merge_state,
    parse_manifest,
    read_manifest_bytes,
)
from warehouse.statemaps import state_table

if TYPE_CHECKING:
    from warehouse.maintenance import Compaction, Problem, VacuumReport

log = logging.getLogger(__name__)


def _fault_point(name: str) -> None:
    """A named point where the crash-safety tests SIGKILL a run (``DIPNEWS_CRASH_AT``, pipeline/faults.py).

    The import is lazy and only taken when the variable names this point, so the warehouse does not
    depend on the pipeline package.
    """
    if os.environ.get("DIPNEWS_CRASH_AT") == name:
        from pipeline import faults

        faults.maybe_crash(name)


def _sha(raw: bytes | None) -> str:
    return hashlib.sha256(raw or b"").hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Warehouse:
    """One warehouse directory: ``data/``, ``_manifest/manifest.json``, ``catalog.duckdb``, ``dipnews.lock``.

    Directories are created when first written, so constructing a Warehouse on a missing path is fine and
    reading it gives empty tables.

    >>> import tempfile
    >>> Warehouse(tempfile.mkdtemp()).query("SELECT count(*) AS n FROM articles").to_pylist()
    [{'n': 0}]
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root: Path = Path(root).expanduser().resolve()

    def __repr__(self) -> str:
        return f"Warehouse({str(self.root)!r})"

    # -- reading the manifest ------------------------------------------------------------------------

    def _read(self) -> tuple[Manifest, str]:
        raw = read_manifest_bytes(self.root)
        return parse_manifest(raw, str(manifest_path(self.root))), _sha(raw)

    def manifest(self) -> Manifest:
        """The committed manifest (``version`` 0 and no files when nothing was committed)."""
        return self._read()[0]

    def committed_files(self, table: str) -> list[Path]:
        """Absolute paths of the committed files of ``table``."""
        return [self.root / entry.path for entry in self.manifest().table_files(table)]

    def committed_runs(self) -> set[str]:
        """The ids of every committed run (compactions included)."""
        return set(self.manifest().runs)

    def state(self) -> dict[str, Any]:
        """The committed state, e.g. ``{"feed_state": {feed_url: {"etag": ..., ...}}, "kb_version": "3"}``."""
        return self.manifest().state

    def feed_state(self) -> dict[str, dict[str, Any]]:
        """The committed state per feed URL (the ``feed_state`` map; empty when none)."""
        return self.state().get("feed_state", {})

    # -- writing ---------------------------------------------------------------------------------------

    def staged_files(self, run_id: str) -> list[FileEntry]:
        """Every data file on disk written for ``run_id``, committed or not, with rows read from its footer.

        What a rerun after a crash between writing and committing needs: commit these and the run is done.
        """
        check_run_id(run_id)
        data = self.root / DATA_DIR
        found: list[FileEntry] = []
        for path in sorted(data.glob(f"*/**/{run_id}-*{PARQUET_SUFFIX}")):
            try:
                if parse_file_name(path.name)[0] != run_id:
                    continue  # e.g. run "r1" must not pick up the files of run "r1-b"
            except ValueError:
                continue
            rel = path.relative_to(self.root).as_posix()
            table = rel.split("/")[1]
            found.append(FileEntry(table, rel, pq.read_metadata(path).num_rows, path.stat().st_size))
        return found

    def _verify(self, run_id: str, files: Iterable[FileEntry], manifest: Manifest) -> list[FileEntry]:
        """The files of a commit, deduplicated, after checking each is a whole file of this run."""
        unique: dict[str, FileEntry] = {}
        committed = manifest.paths()
        for entry in files:
            if not isinstance(entry, FileEntry):
                raise TypeError(f"commit takes FileEntry objects, got {type(entry).__name__}")
            check_table(entry.table)
            parts = entry.path.split("/")
            if len(parts) < 4 or parts[0] != DATA_DIR or parts[1] != entry.table or ".." in parts:
                raise ValueError(f"{entry.path!r} is not a data file path of table {entry.table!r}")
            file_run, _ = parse_file_name(parts[-1])
            if file_run != run_id:
                raise ValueError(f"{entry.path} was written by run {file_run!r}, not {run_id!r}")
            if entry.path in committed:
                raise ValueError(f"{entry.path} is already committed")
            previous = unique.setdefault(entry.path, entry)
            if previous != entry:
                raise ValueError(f"{entry.path} is listed twice with different counts: {previous}, {entry}")
        for entry in unique.values():
            path = self.root / entry.path
            try:
                size = path.stat().st_size
                meta = pq.read_metadata(path)
                file_schema = pq.read_schema(path)
            except (OSError, pa.ArrowException) as exc:
                raise CommitError(
                    f"run {run_id}: {entry.path} cannot be read ({exc}); nothing was committed"
                ) from exc
            if size != entry.bytes or meta.num_rows != entry.rows:
                raise CommitError(
                    f"run {run_id}: {entry.path} has {meta.num_rows} rows and {size} bytes on disk, the "
                    f"entry says {entry.rows} and {entry.bytes} (rewritten by a retry?); nothing committed"
                )
            expected = check_table(entry.table)
            if not file_schema.remove_metadata().equals(expected.remove_metadata()):
                raise CommitError(f"run {run_id}: {entry.path} does not have the schema of {entry.table}")
        return list(unique.values())

    def commit(self, run_id: str, files: list[FileEntry], *, state: dict[str, Any] | None = None,
               replace: Iterable[str] = ()) -> bool:
        """Make ``files`` visible and merge ``state``, all at once; then refresh the catalog.

        Returns False, changing nothing, when ``run_id`` is already committed (a rerun of a finished run).
        Each file must be a whole data file of this run whose rows and bytes match its entry. State maps
        are merged key by key, and a None value removes a key (see :func:`warehouse.manifest.merge_state`).
        ``replace`` names tables whose earlier files this commit supersedes (a snapshot table such as
        ``entities`` for a new knowledge-base version): they leave the manifest, and ``vacuum`` deletes them.

        Raises ValueError / TypeError for bad arguments and CommitError when the manifest cannot be
        written (full disk, ...): in every such case the committed warehouse is unchanged.
        """
        check_run_id(run_id)
        replaced = {str(t) for t in ([replace] if isinstance(replace, str) else replace)}
        for table in replaced:
            check_table(table)
        update = check_state(state or {})
        for name, entries in update.items():
            if name in catalog.STATE_TABLES and entries is not None:
                if not isinstance(entries, dict):
                    raise TypeError(f"state[{name!r}] must be a dict keyed by {name}'s key column")
                # raises TypeError now, before anything is written, if an entry does not fit the table
                state_table(name, {k: v for k, v in entries.items() if v is not None})
        with commit_lock(self.root):
            current, _ = self._read()
            if run_id in current.runs:
                return False
            entries = self._verify(run_id, files, current)
            tables = {t: list(es) for t, es in current.files.items() if t not in replaced}
            for entry in entries:
                tables.setdefault(entry.table, []).append(entry)
            rows: dict[str, int] = {}
            for entry in entries:
                rows[entry.table] = rows.get(entry.table, 0) + entry.rows
            committed_at = _now()
            new = Manifest(
                version=current.version + 1,
                files={t: tuple(es) for t, es in tables.items()},
                runs={
                    **current.runs,
                    run_id: {"committed_at": committed_at, "files": len(entries), "rows": rows},
                },
                state=merge_state(current.state, update),
                committed_at=committed_at,
            )
            _fault_point("before_manifest")
            self._publish(new, f"run {run_id}")
            _fault_point("after_manifest")
            self._refresh_catalog_after_commit(new)
        return True

    def _publish(self, new: Manifest, what: str) -> None:
        """Atomically replace the manifest with ``new``; CommitError if it cannot be written."""
        data = new.dumps()
        try:
            atomic_write_bytes(manifest_path(self.root), data)
        except OSError as exc:
            if read_manifest_bytes(self.root) == data:
                # the rename happened and only the directory fsync after it failed: the commit is
                # visible, so report it as done rather than claim that nothing changed
                log.warning("%s committed, but syncing %s failed (%s): a power cut could still undo it",
                            what, manifest_path(self.root).parent, exc)
                return
            hint = " (disk full)" if exc.errno == errno.ENOSPC else ""
            raise CommitError(
                f"could not write the manifest for {what}{hint}: {exc}; nothing was committed and the "
                f"warehouse is unchanged"
            ) from exc

    def _refresh_catalog_after_commit(self, new: Manifest) -> None:
        # the commit is durable once the manifest is in place: a failed catalog refresh is reported but
        # not raised, since the next command's ensure_catalog() rebuilds the catalog from the manifest
        try:
            catalog.build_catalog(self.root, new, _sha(new.dumps()))
        except (WarehouseError, OSError) as exc:
            log.warning("manifest version %d committed but the catalog was not refreshed (%s); the next "
                        "command rebuilds it", new.version, exc)

    def lock(self, wait: float = 0.0) -> AbstractContextManager[None]:
        """The run lock, as a context manager: hold it for a whole run. Raises WarehouseLocked.

        ``wait``: seconds to wait for the current holder to finish before giving up.
        """
        return run_lock(self.root, wait)

    # -- the catalog -----------------------------------------------------------------------------------

    @property
    def catalog_path(self) -> Path:
        """``<root>/catalog.duckdb``."""
        return self.root / catalog.CATALOG_FILE

    def catalog_is_current(self) -> bool:
        """Whether ``catalog.duckdb`` reflects the committed manifest, this root and this code."""
        manifest, sha = self._read()
        return catalog.is_current(catalog.read_meta(self.catalog_path), self.root, manifest, sha)

    def ensure_catalog(self) -> Path:
        """Rebuild ``catalog.duckdb`` if it is missing or stale; return its path.

        Stale means: built for another manifest (a crash between a commit and its catalog refresh), at
        another path (the warehouse was moved: views hold absolute paths), or by other code (a schema or a
        file of ``warehouse/sql/`` changed).
        """
        if self.catalog_is_current():
            return self.catalog_path
        with commit_lock(self.root):
            manifest, sha = self._read()
            if not catalog.is_current(catalog.read_meta(self.catalog_path), self.root, manifest, sha):
                log.info("rebuilding the catalog of %s (manifest version %d)", self.root, manifest.version)
                catalog.build_catalog(self.root, manifest, sha)
        return self.catalog_path

    def connect(self, read_only: bool = True) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection to the catalog (rebuilt first if stale), with ``TimeZone`` set to UTC.

        If the catalog file cannot be opened (another process holds DuckDB's write lock on it, or the
        warehouse is on a read-only filesystem) a read-only caller gets an in-memory catalog with the
        same objects instead.
        """
        try:
            path = self.ensure_catalog()
            con = duckdb.connect(str(path), read_only=read_only)
        except (duckdb.Error, CatalogError, OSError) as exc:
            if not read_only:
                raise CatalogError(f"cannot open {self.catalog_path} for writing: {exc}") from exc
            log.warning("using an in-memory catalog: %s", exc)
            manifest, sha = self._read()
            con = catalog.memory_catalog(self.root, manifest, sha)
        con.execute("SET TimeZone = 'UTC'")
        return con

    def query(self, sql: str) -> pa.Table:
        """Run ``sql`` on the catalog and return the result as an Arrow table (timestamps in UTC)."""
        with self.connect() as con:
            return con.sql(sql).to_arrow_table()

    # -- upkeep (warehouse.maintenance) -------------------------------------------------------------

    def compact(self, table: str | None = None, **options: Any) -> list[Compaction]:
        """Merge small files of ``table``'s partitions atomically (:func:`warehouse.maintenance.compact`)."""
        from warehouse.maintenance import compact

        return compact(self, table, **options)

    def vacuum(self, **options: Any) -> VacuumReport:
        """Delete unreferenced and temp files after a grace period (:func:`warehouse.maintenance.vacuum`)."""
        from warehouse.maintenance import vacuum

        return vacuum(self, **options)

    def check(self, **options: Any) -> list[Problem]:
        """Problems of committed files (empty when healthy); see :func:`warehouse.maintenance.check`."""
        from warehouse.maintenance import check

        return check(self, **options)
