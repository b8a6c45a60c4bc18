"""``dipnews stream`` as an operator meets it: SIGTERM finishes the current window and exits cleanly; a
second run or stream on the same warehouse waits for the lock or exits 75 with a clear message.

Real subprocesses of the CLI against the loopback sample corpus, real warehouse and DuckDB.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import REPO, dipnews, query, table_snapshot

pytestmark = pytest.mark.slow

TABLES = ("articles", "mentions", "entities", "rejects")


def _start_stream(warehouse: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", "stream", "--sample", "--warehouse", str(warehouse), *extra],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _wait_for_window(proc: subprocess.Popen, timeout: float = 120) -> list[str]:
    """Read the stream's stdout until its first window line; return the lines read."""
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("window "):
            return lines
    proc.kill()
    raise AssertionError(f"no window committed: {lines} {proc.stderr.read()[-2000:]}")


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> dict[str, list]:
    warehouse = tmp_path_factory.mktemp("baseline") / "wh"
    proc = dipnews("run", "--sample", "--warehouse", str(warehouse))
    assert proc.returncode == 0, proc.stderr
    return {t: table_snapshot(warehouse, t) for t in TABLES}


def test_sigterm_finishes_the_window_and_exits_cleanly(tmp_path: Path, baseline: dict[str, list]) -> None:
    warehouse = tmp_path / "wh"
    proc = _start_stream(warehouse, "--interval", "1", "--max-polls", "5")
    lines = _wait_for_window(proc)
    # mid-way: the first window is committed, the second is starting or running
    time.sleep(1.5)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    lines += out.splitlines(keepends=True)
    assert proc.returncode == 0, err[-3000:]
    assert "SIGTERM" in err and "finishing the current window" in err
    windows = [line for line in lines if line.startswith("window ")]
    assert any("stream stopped (SIGTERM)" in line for line in lines), lines
    assert 1 <= len(windows) < 5
    # no partial window: every announced window is committed, nothing else is
    runs = query(warehouse, "SELECT run_id, mode FROM runs ORDER BY started_at")
    assert [r[0] for r in runs] == [w.split()[1].rstrip(":") for w in windows]
    assert {r[1] for r in runs} == {"stream"}
    manifest = json.loads((warehouse / "_manifest" / "manifest.json").read_text())
    assert set(manifest["runs"]) == {r[0] for r in runs}
    assert {t: table_snapshot(warehouse, t) for t in TABLES} == baseline
    check = dipnews("check", "--warehouse", str(warehouse))
    assert check.returncode == 0, check.stdout


def test_second_run_or_stream_exits_75_or_waits_for_the_lock(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh"
    stream = _start_stream(warehouse, "--interval", "30")
    try:
        _wait_for_window(stream)
        for command in ("run", "stream"):
            locked = dipnews(command, "--sample", "--max-polls", "1", "--warehouse", str(warehouse)) \
                if command == "stream" else dipnews(command, "--sample", "--warehouse", str(warehouse))
            assert locked.returncode == 75, locked.stderr
            assert "lock" in locked.stderr and str(stream.pid) in locked.stderr, locked.stderr
            assert "Traceback" not in locked.stderr
        waiting = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "run", "--sample", "--warehouse", str(warehouse),
             "--lock-wait", "120"],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        time.sleep(2)
        assert waiting.poll() is None, "the waiting run must wait while the stream holds the lock"
        stream.send_signal(signal.SIGTERM)
        assert stream.wait(timeout=120) == 0
        out, err = waiting.communicate(timeout=300)
        assert waiting.returncode == 0, err[-3000:]
        assert "(committed)" in out
    finally:
        if stream.poll() is None:
            stream.kill()
    modes = [r[0] for r in query(warehouse, "SELECT mode FROM runs ORDER BY started_at")]
    assert modes[0] == "stream" and modes[-1] == "batch"
