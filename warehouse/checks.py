"""Data tests: the queries of ``warehouse/sql/checks/`` that must return zero rows.

>>> import tempfile
>>> from warehouse.store import Warehouse
>>> [r.passed for r in run_checks(Warehouse(tempfile.mkdtemp()))][:1]
[True]
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from warehouse.catalog import sql_files
from warehouse.store import Warehouse


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one data test: ``violations`` holds the rows it returned (none when it passed)."""

    name: str
    path: Path
    violations: pa.Table

    @property
    def passed(self) -> bool:
        """True when the check returned no rows."""
        return self.violations.num_rows == 0

    def __str__(self) -> str:
        return f"{self.name}: {'ok' if self.passed else f'{self.violations.num_rows} violation(s)'}"


def check_names() -> list[str]:
    """The names of every data test (file names without ``.sql``)."""
    return [path.stem for path in sql_files("checks")]


def run_checks(warehouse: Warehouse, names: list[str] | None = None) -> list[CheckResult]:
    """Run the data tests (all, or those in ``names``) on the committed warehouse."""
    paths = sql_files("checks")
    if names is not None:
        unknown = set(names) - {p.stem for p in paths}
        if unknown:
            raise ValueError(f"unknown checks {sorted(unknown)}; known: {check_names()}")
        paths = [p for p in paths if p.stem in names]
    results = []
    with warehouse.connect() as con:
        for path in paths:
            results.append(CheckResult(path.stem, path, con.sql(path.read_text()).to_arrow_table()))
    return results
