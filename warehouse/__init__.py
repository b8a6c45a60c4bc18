"""The dipnews warehouse: Parquet files, an atomic manifest, and a DuckDB catalog over them.

>>> import tempfile
>>> from datetime import datetime, timezone
>>> wh = Warehouse(tempfile.mkdtemp())
>>> row = {"run_id": "r1", "started_at": datetime(2025, 10, 6, tzinfo=timezone.utc), "status": "ok"}
>>> wh.commit("r1", [write_partition(wh.root, "runs", partition_of("runs", row), "r1", [row])])
True
>>> wh.query("SELECT run_id, status FROM runs").to_pylist()
[{'run_id': 'r1', 'status': 'ok'}]
"""

from warehouse.checks import CheckResult, run_checks
from warehouse.errors import CatalogError, CommitError, WarehouseError, WarehouseLocked
from warehouse.layout import FileEntry, partition_of, write_partition, write_table
from warehouse.manifest import Manifest
from warehouse.output import FORMATS, format_result
from warehouse.store import Warehouse

__all__ = [
    "FORMATS",
    "CatalogError",
    "CheckResult",
    "CommitError",
    "FileEntry",
    "Manifest",
    "Warehouse",
    "WarehouseError",
    "WarehouseLocked",
    "format_result",
    "partition_of",
    "run_checks",
    "write_partition",
    "write_table",
]
