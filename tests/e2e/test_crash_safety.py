"""A run killed with SIGKILL anywhere leaves no partial or duplicate rows, and the rerun completes the work.

Two kinds of kill: at named points inside the stages, in the driver, around the commit, during automatic
compaction and between the windows of a stream (``DIPNEWS_CRASH_AT``, see ``pipeline/faults.py``), and
from outside at arbitrary moments of a running ``dipnews run --sample``. A simulated full disk during the
commit (``DIPNEWS_FAULT_MODE=enospc``) must fail the run with a clear message and change nothing.
After each, the warehouse must show exactly what it showed before the killed run, and a rerun must
leave every table identical to one uninterrupted run.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import REPO, dipnews, query, table_snapshot

pytestmark = pytest.mark.slow

TABLES = ("articles", "mentions", "entities", "rejects")

#: named crash points of a batch run (pipeline/faults.py lists them all): inside the Beam stages, in the
#: driver before and after the pipeline, around the runs row and the entities, around the manifest swap
CRASH_POINTS = [
    "before_pipeline",
    "read_feeds",
    "after_feed_record",
    "filter_seen",
    "fetch_pages",
    "extract",
    "normalize",
    "assign_versions",
    "tag",
    "write_articles",
    "write_mentions",
    "write_signatures",
    "after_pipeline",
    "after_feed_state",
    "after_runs_row",
    "after_entities",
    "before_commit",
    "before_manifest",
    "after_manifest",
    "after_commit",
]
#: points after the manifest swap: the killed run is committed, whole
COMMITTED_POINTS = {"after_manifest", "after_commit"}

#: automatic compaction after the second edition's commit (the config makes every partition with two
#: files a candidate): before its files are whole, before its manifest swap, after it
COMPACTION_POINTS = ["compact_after_write", "compact_before_manifest", "compact_after_manifest"]
COMPACT_CONFIG = "[maintenance]\ncompact_after_files = 1\n"

#: a two-window stream killed as its second window starts, and right after its first window's commit
STREAM_POINTS = ["stream_window_2", "stream_between_windows"]


def test_at_least_twenty_named_points_are_exercised() -> None:
    points = CRASH_POINTS + COMPACTION_POINTS + STREAM_POINTS
    assert len(set(points)) >= 20


def _snapshot(warehouse: Path) -> dict[str, list]:
    return {t: table_snapshot(warehouse, t) for t in TABLES}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> dict[str, list]:
    """Tables after one uninterrupted run."""
    warehouse = tmp_path_factory.mktemp("baseline") / "wh"
    proc = dipnews("run", "--sample", "--warehouse", str(warehouse))
    assert proc.returncode == 0, proc.stderr
    return _snapshot(warehouse)


@pytest.fixture(scope="module")
def compact_config(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("config") / "compact.toml"
    path.write_text(COMPACT_CONFIG)
    return path


def _two_editions(warehouse: Path, config: Path, env: dict[str, str] | None = None):
    first = dipnews("run", "--sample", "--warehouse", str(warehouse), "--config", str(config))
    assert first.returncode == 0, first.stderr
    return dipnews(
        "run", "--sample", "--sample-edition", "2", "--warehouse", str(warehouse), "--config", str(config),
        env=env,
    )


@pytest.fixture(scope="module")
def compacted_baseline(tmp_path_factory, compact_config: Path) -> dict[str, list]:
    """Tables after edition 1 and edition 2, uninterrupted, with automatic compaction after the second."""
    warehouse = tmp_path_factory.mktemp("compacted") / "wh"
    second = _two_editions(warehouse, compact_config)
    assert second.returncode == 0, second.stderr
    assert _compactions(warehouse) >= 1, "the baseline must have compacted"
    return _snapshot(warehouse)


def _committed_runs(warehouse: Path) -> int:
    if not (warehouse / "catalog.duckdb").exists():
        return 0
    return query(warehouse, "SELECT count(*) FROM runs")[0][0]


def _manifest(warehouse: Path) -> dict:
    path = warehouse / "_manifest" / "manifest.json"
    return json.loads(path.read_text()) if path.exists() else {"runs": {}}


def _compactions(warehouse: Path) -> int:
    return sum(1 for r in _manifest(warehouse)["runs"].values() if r.get("kind") == "compaction")


def _check(warehouse: Path) -> None:
    proc = dipnews("check", "--warehouse", str(warehouse))
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_kill_at_named_point_then_rerun(point: str, tmp_path: Path, baseline: dict[str, list]) -> None:
    warehouse = tmp_path / "wh"
    killed = dipnews("run", "--sample", "--warehouse", str(warehouse), env={"DIPNEWS_CRASH_AT": point})
    assert killed.returncode == -signal.SIGKILL, f"{point} was never reached: {killed.stderr[-2000:]}"
    if point in COMMITTED_POINTS:
        # Killed after the manifest swap: the run is committed; any command repairs the stale catalog.
        assert dipnews("sql", "select 1", "--warehouse", str(warehouse)).returncode == 0
        assert _snapshot(warehouse) == baseline
        assert _committed_runs(warehouse) == 1
    else:
        assert _committed_runs(warehouse) == 0, "a killed run must not be visible"
        assert not _manifest(warehouse).get("state", {}).get("feed_state"), "feed state of a killed run"
    rerun = dipnews("run", "--sample", "--warehouse", str(warehouse))
    assert rerun.returncode == 0, rerun.stderr
    assert _snapshot(warehouse) == baseline
    _check(warehouse)


@pytest.mark.parametrize("point", COMPACTION_POINTS)
def test_kill_during_compaction_then_rerun(
    point: str, tmp_path: Path, compact_config: Path, compacted_baseline: dict[str, list]
) -> None:
    warehouse = tmp_path / "wh"
    killed = _two_editions(warehouse, compact_config, env={"DIPNEWS_CRASH_AT": point})
    assert killed.returncode == -signal.SIGKILL, f"{point} was never reached: {killed.stderr[-2000:]}"
    assert dipnews("sql", "select 1", "--warehouse", str(warehouse)).returncode == 0
    # compaction runs after the run's own commit: the run is in, the compaction in or out as a whole
    assert _committed_runs(warehouse) == 2
    assert _compactions(warehouse) == (1 if point == "compact_after_manifest" else 0)
    assert _snapshot(warehouse) == compacted_baseline, "compaction must never change what is visible"
    rerun = dipnews(
        "run", "--sample", "--sample-edition", "2", "--warehouse", str(warehouse), "--config",
        str(compact_config),
    )
    assert rerun.returncode == 0, rerun.stderr
    assert _compactions(warehouse) >= 1
    assert _snapshot(warehouse) == compacted_baseline
    _check(warehouse)


@pytest.mark.parametrize("point", STREAM_POINTS)
def test_kill_a_stream_then_stream_again(point: str, tmp_path: Path, baseline: dict[str, list]) -> None:
    warehouse = tmp_path / "wh"
    args = ("stream", "--sample", "--interval", "0", "--max-polls", "2", "--warehouse", str(warehouse))
    killed = dipnews(*args, env={"DIPNEWS_CRASH_AT": point})
    assert killed.returncode == -signal.SIGKILL, f"{point} was never reached: {killed.stderr[-2000:]}"
    assert dipnews("sql", "select 1", "--warehouse", str(warehouse)).returncode == 0
    assert _committed_runs(warehouse) == 1  # the first window, whole
    assert _snapshot(warehouse) == baseline
    again = dipnews(*args)
    assert again.returncode == 0, again.stderr
    assert _committed_runs(warehouse) == 3
    assert _snapshot(warehouse) == baseline
    _check(warehouse)


def test_full_disk_during_the_commit_fails_cleanly(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh"
    first = dipnews("run", "--sample", "--warehouse", str(warehouse))
    assert first.returncode == 0, first.stderr
    manifest = (warehouse / "_manifest" / "manifest.json").read_bytes()
    before = _snapshot(warehouse)
    for point in ("after_runs_row", "before_manifest"):
        full = dipnews(
            "run", "--sample", "--sample-edition", "2", "--warehouse", str(warehouse),
            env={"DIPNEWS_CRASH_AT": point, "DIPNEWS_FAULT_MODE": "enospc"},
        )
        assert full.returncode == 1, full.stdout + full.stderr
        assert "disk full" in full.stderr and "warehouse is unchanged" in full.stderr, full.stderr
        assert "Traceback" not in full.stderr
        assert (warehouse / "_manifest" / "manifest.json").read_bytes() == manifest, point
        assert _snapshot(warehouse) == before
    _check(warehouse)


@pytest.mark.parametrize("delay", [0.5, 2.0, 4.0, 6.0])
def test_kill_from_outside_then_rerun(delay: float, tmp_path: Path, baseline: dict[str, list]) -> None:
    warehouse = tmp_path / "wh"
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "run", "--sample", "--warehouse", str(warehouse)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    committed = _committed_runs(warehouse)
    assert committed in (0, 1)
    if committed:
        # The kill came after the commit: what is visible must be the whole run.
        assert _snapshot(warehouse) == baseline
    rerun = dipnews("run", "--sample", "--warehouse", str(warehouse))
    assert rerun.returncode == 0, rerun.stderr
    assert _snapshot(warehouse) == baseline
