"""The pipeline is runner-portable: the same tables on the portable job API and on two worker processes.

Each runner ingests the sample corpus twice (edition 1, then edition 2 with its updates, so the second
run reads the first's history as side inputs), and every table must equal the default runner's, row for
row, apart from the columns that say which run or when. ``PortableRunner`` with ``job_endpoint=embed``
is the job API Flink, Spark and Dataflow speak (deploy/RUNNERS.md); ``multi_processing`` runs the SDK
workers as separate processes, so every DoFn, its settings and every element are pickled across.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from schemas import TABLES
from tests.e2e.conftest import VOLATILE, dipnews, query

pytestmark = pytest.mark.slow

#: per-row timestamps of a run, besides conftest's VOLATILE (signatures: when dedup decided)
RUN_TIMES = VOLATILE | {"decided_at"}

RUNNERS = {
    "portable": ["--runner=PortableRunner", "--job_endpoint=embed", "--environment_type=LOOPBACK"],
    # FnApiRunner (the default) honours these. Adding --runner=DirectRunner would first try to download
    # Prism (PITFALLS.md), then fall back to the same FnApiRunner.
    "two_processes": ["--direct_running_mode=multi_processing", "--direct_num_workers=2"],
}


def _without_timings(value: Any) -> Any:
    """A JSON value without its wall-clock measurements (``seconds``, ``fetch_seconds``, ...)."""
    if isinstance(value, dict):
        return {k: _without_timings(v) for k, v in value.items() if not k.endswith("seconds")}
    if isinstance(value, list):
        return [_without_timings(v) for v in value]
    return value


def _snapshot(warehouse: Path, table: str) -> list[tuple[Any, ...]]:
    """The rows of ``table`` without what differs between two runs over the same input by design."""
    columns = [r[0] for r in query(warehouse, f"DESCRIBE {table}") if r[0] not in RUN_TIMES]
    select = ", ".join(f'"{c}"' for c in columns)
    rows = query(warehouse, f"SELECT {select} FROM {table}")
    if "summary" in columns:  # the runs table's JSON summary also holds how long each step took
        at = columns.index("summary")
        rows = [
            (*r[:at], json.dumps(_without_timings(json.loads(r[at])), sort_keys=True), *r[at + 1 :])
            for r in rows
        ]
    return sorted(rows, key=repr)


def _two_runs(warehouse: Path, beam_args: list[str]) -> list[str]:
    """Edition 1 then edition 2 into ``warehouse``; returns the two runs' stderr."""
    logs = []
    for edition in ("1", "2"):
        proc = dipnews(
            "-v", "run", "--sample", "--sample-edition", edition, "--warehouse", str(warehouse), *beam_args
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr[-5000:]
        logs.append(proc.stderr)
    return logs


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    warehouse = tmp_path_factory.mktemp("runner_default") / "wh"
    _two_runs(warehouse, [])
    return warehouse


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_runner_writes_the_same_tables(runner: str, reference: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "wh"
    logs = _two_runs(warehouse, RUNNERS[runner])
    # Proof the options reached Beam (unknown options would be dropped with a warning, not an error).
    if runner == "portable":
        assert all("Job state changed to RUNNING" in log for log in logs)
    else:
        # two worker processes for each of a run's two pipelines: discovery, then its one chunk
        assert all(log.count("INFO:__main__:Python sdk harness starting") == 4 for log in logs)
    compared = 0
    for table in TABLES:
        expected = _snapshot(reference, table)
        got = _snapshot(warehouse, table)
        assert len(got) == len(expected), table
        assert got == expected, table
        compared += len(expected)
    counts = dict(
        query(warehouse, "SELECT 'runs', count(*) FROM runs UNION ALL SELECT 'a', count(*) FROM articles")
    )
    assert counts["runs"] == 2 and counts["a"] >= 45
    assert compared > 1000
