"""The DuckDB catalog: views over the committed Parquet files, derived from the manifest.

``<root>/catalog.duckdb`` holds one view per table of :data:`schemas.TABLES`, each casting every schema
column to its DuckDB type in schema order, reading exactly the files the manifest lists (absolute paths,
``union_by_name`` so a column added to the schema after a file was written reads as NULL, and
``hive_partitioning=false``). A table whose rows are not what analysts read as-is gets its file-backed
view under another name (:data:`FILE_VIEW_NAMES`: ``articles`` -> ``article_rows``, every version of
every article; ``mentions`` -> ``mention_rows``, the mentions of every version) and
``warehouse/sql/views/0*.sql`` defines the table's name on top, with the same columns. State maps
become tables (``feed_state``). Then ``warehouse/sql/state/`` materialises what those two views would
otherwise recompute on every query (which rows are not the latest, which flags the dedup ledger revised,
which mentions are stale: :func:`create_derived`), the macros and analyst views of ``warehouse/sql/`` are
created on top (see :func:`analyst_sql` for the order), and ``dipnews_meta`` records which manifest the
catalog reflects.

The file is built under a temporary name and renamed into place, so ``duckdb catalog.duckdb`` never sees
half a catalog. It is written in DuckDB's v1.0.0 storage format: the DuckDB CLIs people have (the PyPI
``duckdb-cli`` is 1.5.x) cannot open a file in 2.0's default format.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

import schemas
from schemas.duckdb import null_select_list, select_list
from schemas.state import STATE_TABLES
from warehouse.errors import CatalogError
from warehouse.fsutil import fsync_dir, fsync_file, temp_path_for
from warehouse.manifest import Manifest
from warehouse.statemaps import state_table

CATALOG_FILE = "catalog.duckdb"
#: the oldest storage format DuckDB 2.0 can write; DuckDB >= 1.0 (and every 1.x CLI) opens it
STORAGE_VERSION = "v1.0.0"
#: bump when the catalog's objects change in a way the fingerprint below cannot see
CATALOG_FORMAT = "3"
SQL_DIR = Path(__file__).resolve().parent / "sql"
META_TABLE = "dipnews_meta"
FILES_TABLE = "dipnews_files"
#: file-backed views named other than their table; warehouse/sql/views/0*.sql defines the table's name
FILE_VIEW_NAMES = {"articles": "article_rows", "mentions": "mention_rows"}
#: the views of warehouse/sql/views/ that give a table its name (00_ to 09_); created before the macros
TABLE_VIEW_PREFIX = "0"
#: how the files of warehouse/sql/state/ create a materialised object; :func:`create_derived` creates
#: the same query as a view instead when a committed file cannot be read while the catalog is built
MATERIALISED = "CREATE OR REPLACE TABLE"
#: the dipnews_meta value of ``derived`` for a catalog whose state/ objects are tables, as they should be
DERIVED_TABLES = "tables"
DERIVED_VIEWS = "views"

log = logging.getLogger(__name__)


def file_view_name(table: str) -> str:
    """The name of the view over ``table``'s committed files.

    >>> file_view_name("articles"), file_view_name("runs")
    ('article_rows', 'runs')
    """
    return FILE_VIEW_NAMES.get(table, table)


def sql_files(kind: str) -> list[Path]:
    """The ``.sql`` files of ``warehouse/sql/<kind>/`` in name order (their numeric prefixes)."""
    return sorted((SQL_DIR / kind).glob("*.sql"))


def file_tables() -> dict[str, pa.Schema]:
    """The tables backed by Parquet files: every table of :data:`schemas.TABLES` that is not state."""
    return {name: schema for name, schema in schemas.TABLES.items() if name not in STATE_TABLES}


def state_sql() -> list[Path]:
    """The ``.sql`` files of ``warehouse/sql/state/``: run in name order, before :func:`analyst_sql`."""
    return sql_files("state")


def analyst_sql() -> list[Path]:
    """The ``.sql`` files of ``warehouse/sql/`` in the order they are run into the catalog.

    ``views/0*.sql`` (the table-named views over the file-backed ones), then ``macros/``, then the
    other ``views/``, each in name order. The table-named views come first because DuckDB binds a
    table macro's query when the macro is created, and the macros query ``articles``.
    """
    views = sql_files("views")
    table_views = [p for p in views if p.name.startswith(TABLE_VIEW_PREFIX)]
    return table_views + sql_files("macros") + [p for p in views if p not in table_views]


def fingerprint() -> str:
    """A hash of everything the catalog's definition depends on besides the manifest.

    A catalog built by other code (a schema gained a column, a view file changed) is thus stale.
    """
    digest = hashlib.sha256()
    digest.update(f"{CATALOG_FORMAT}|{STORAGE_VERSION}|".encode())
    for name, schema in sorted(file_tables().items()):
        digest.update(f"{name}->{file_view_name(name)}:{select_list(schema)}|".encode())
    for name, spec in sorted(STATE_TABLES.items()):
        digest.update(f"{name}:{select_list(spec.schema)}|".encode())
    for path in state_sql() + analyst_sql():
        digest.update(f"{path.parent.name}/{path.name}:".encode() + path.read_bytes())
    return digest.hexdigest()


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def table_view_sql(name: str, schema: pa.Schema, paths: Iterable[Path]) -> str:
    """``CREATE VIEW`` of table ``name`` over the Parquet files ``paths`` (a typed empty view for none).

    >>> print(table_view_sql("runs", schemas.RUNS, []).splitlines()[2])
      CAST(NULL AS VARCHAR) AS "run_id",
    """
    files = [_literal(str(p)) for p in paths]
    if not files:
        return f'CREATE OR REPLACE VIEW "{name}" AS\nSELECT\n  {null_select_list(schema)}\nWHERE false'
    listing = ",\n    ".join(files)
    # UNION ALL BY NAME with a typed empty row set: a column no file has yet (the schema grew) reads as
    # NULL instead of failing to bind, which union_by_name alone cannot do when every file lacks it.
    return (
        f'CREATE OR REPLACE VIEW "{name}" AS\nSELECT\n  {select_list(schema)}\nFROM (\n'
        f"  SELECT * FROM read_parquet([\n    {listing}\n  ],\n"
        f"    union_by_name = true, hive_partitioning = false)\n"
        f"  UNION ALL BY NAME\n  SELECT {null_select_list(schema)} WHERE false\n)"
    )


def _create_table(con: duckdb.DuckDBPyConnection, name: str, data: pa.Table) -> None:
    """Materialise ``data`` as table ``name`` of the current database, typed by its Arrow schema."""
    con.register("dipnews_arrow_input", data)
    try:
        con.execute(
            f'CREATE OR REPLACE TABLE "{name}" AS SELECT {select_list(data.schema)} FROM dipnews_arrow_input'
        )
    finally:
        con.unregister("dipnews_arrow_input")


def _run_sql_file(con: duckdb.DuckDBPyConnection, path: Path, text: str | None = None) -> None:
    try:
        con.execute(path.read_text() if text is None else text)
    except duckdb.Error as exc:
        raise CatalogError(f"{path.relative_to(SQL_DIR.parent)}: {exc}") from exc


def create_derived(con: duckdb.DuckDBPyConnection) -> str:
    """Run ``warehouse/sql/state/`` on top of the base views; return :data:`DERIVED_TABLES` or
    :data:`DERIVED_VIEWS`.

    Its tables are computed from the committed files once, here, instead of in every query of
    ``articles`` and ``mentions``. If that fails because the data of a committed file cannot be read (a
    damaged page: ``dipnews check`` says which; a missing file or footer already stops the base views),
    the same queries become views, so the catalog still opens and every query that does not read the
    damaged file works as before; those that do fail with DuckDB's error, at query time. Such a catalog
    is not current (:func:`is_current`), so the next command tries again. Raises CatalogError when a
    file of ``state/`` is itself wrong.
    """
    try:
        for path in state_sql():
            con.execute(path.read_text())
        return DERIVED_TABLES
    except duckdb.Error as exc:
        log.warning("could not materialise the catalog's derived tables (%s); creating them as views, "
                    "which read the files at query time", exc)
    for path in state_sql():
        text = path.read_text()
        # a table of the failed attempt stands in the way of the view of the same name
        for name in _materialised_names(text):
            con.execute(f'DROP TABLE IF EXISTS "{name}"')
        _run_sql_file(con, path, text.replace(MATERIALISED, "CREATE OR REPLACE VIEW"))
    return DERIVED_VIEWS


def _materialised_names(text: str) -> list[str]:
    """The names of the tables a ``state/`` file creates (``CREATE OR REPLACE TABLE <name> AS``)."""
    names = []
    for chunk in text.split(MATERIALISED)[1:]:
        names.append(chunk.split()[0].strip('"'))
    return names


def create_objects(con: duckdb.DuckDBPyConnection, root: Path, manifest: Manifest, manifest_sha: str) -> None:
    """Create every catalog object in the connection's current database."""
    for name, schema in file_tables().items():
        paths = [root / entry.path for entry in manifest.table_files(name)]
        con.execute(table_view_sql(file_view_name(name), schema, paths))
    for name in STATE_TABLES:
        _create_table(con, name, state_table(name, manifest.state.get(name, {})))
    entries = manifest.all_files()
    _create_table(con, FILES_TABLE, pa.table({
        "table_name": pa.array([e.table for e in entries], pa.string()),
        "path": pa.array([e.path for e in entries], pa.string()),
        "run_id": pa.array([e.run_id for e in entries], pa.string()),
        "rows": pa.array([e.rows for e in entries], pa.int64()),
        "bytes": pa.array([e.bytes for e in entries], pa.int64()),
    }))
    started = time.perf_counter()
    derived = create_derived(con)
    derived_seconds = time.perf_counter() - started
    for path in analyst_sql():
        _run_sql_file(con, path)
    meta = {
        "manifest_version": str(manifest.version),
        "manifest_sha256": manifest_sha,
        "root": str(root),
        "fingerprint": fingerprint(),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "duckdb_version": duckdb.__version__,
        "derived": derived,
        "derived_seconds": f"{derived_seconds:.3f}",
    }
    con.execute(f"CREATE OR REPLACE TABLE {META_TABLE} (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.executemany(f"INSERT INTO {META_TABLE} VALUES (?, ?)", sorted(meta.items()))


def build_catalog(root: Path, manifest: Manifest, manifest_sha: str) -> Path:
    """Write ``<root>/catalog.duckdb`` for ``manifest`` atomically and return its path."""
    final = root / CATALOG_FILE
    temp = temp_path_for(final)
    try:
        with duckdb.connect() as con:
            options = f"STORAGE_VERSION '{STORAGE_VERSION}'"
            con.execute(f"ATTACH {_literal(str(temp))} AS dipnews_catalog ({options})")
            # objects are created from inside the new database so that the views of warehouse/sql/ bind
            # to its base views by unqualified name, as they will when someone opens the file
            con.execute("USE dipnews_catalog")
            create_objects(con, root, manifest, manifest_sha)
            con.execute("USE memory")
            con.execute("DETACH dipnews_catalog")  # checkpoints: the whole catalog is in the file, no WAL
        fsync_file(temp)
        # a WAL left by someone who opened the old catalog read-write must not be replayed onto the new one
        Path(f"{final}.wal").unlink(missing_ok=True)
        os.replace(temp, final)
        fsync_dir(root)
    except duckdb.Error as exc:
        raise CatalogError(f"could not build the catalog {final}: {exc}") from exc
    finally:
        temp.unlink(missing_ok=True)
        Path(f"{temp}.wal").unlink(missing_ok=True)
    return final


def read_meta(path: Path) -> dict[str, str] | None:
    """The ``dipnews_meta`` of the catalog at ``path``, or None when it is missing or unreadable."""
    if not path.exists():
        return None
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            return dict(con.execute(f"SELECT key, value FROM {META_TABLE}").fetchall())
    except duckdb.Error:
        return None


def is_current(meta: dict[str, str] | None, root: Path, manifest: Manifest, manifest_sha: str) -> bool:
    """Whether a catalog with ``meta`` reflects ``manifest`` at ``root`` with the current code."""
    if meta is None:
        return False
    expected = {
        "manifest_version": str(manifest.version),
        "manifest_sha256": manifest_sha,
        "root": str(root),
        "fingerprint": fingerprint(),
        "derived": DERIVED_TABLES,
    }
    return all(meta.get(key) == value for key, value in expected.items())


def memory_catalog(root: Path, manifest: Manifest, manifest_sha: str) -> duckdb.DuckDBPyConnection:
    """An in-memory connection with the catalog's objects, for when the catalog file cannot be used."""
    con = duckdb.connect()
    try:
        create_objects(con, root, manifest, manifest_sha)
    except BaseException:
        con.close()
        raise
    return con
