"""Helpers of the end-to-end tests: run the real CLI in a subprocess, read tables back from DuckDB."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[2]
EXPECTED = REPO / "pipeline" / "sample" / "expected.json"

#: columns that differ between two runs over the same input by design (which run, when)
VOLATILE = {"run_id", "fetched_at", "rejected_at", "started_at", "finished_at", "decided_at"}


def dipnews(
    *args: str, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess:
    """Run ``python -m pipeline ARGS`` and return the finished process (output captured)."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def query(warehouse: Path, sql: str) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` against the warehouse's catalog, opened read-only as an analyst would."""
    con = duckdb.connect(str(warehouse / "catalog.duckdb"), read_only=True)
    try:
        con.execute("SET TimeZone = 'UTC'")
        return con.execute(sql).fetchall()
    finally:
        con.close()


def table_snapshot(warehouse: Path, table: str) -> list[tuple[Any, ...]]:
    """Every row of ``table`` without its volatile columns, sorted: equal for equal content."""
    columns = [r[0] for r in query(warehouse, f"DESCRIBE {table}") if r[0] not in VOLATILE]
    select = ", ".join(f'"{c}"' for c in columns)
    return sorted(query(warehouse, f"SELECT {select} FROM {table}"), key=repr)


@pytest.fixture(scope="session")
def expected() -> dict[str, Any]:
    """What the sample corpus's build script says each article must come out as."""
    return json.loads(EXPECTED.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory) -> Path:
    """A warehouse after one ``dipnews run --sample``."""
    warehouse = tmp_path_factory.mktemp("sample") / "wh"
    proc = dipnews("run", "--sample", "--warehouse", str(warehouse))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return warehouse
