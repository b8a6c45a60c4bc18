"""The run lock: one writer at a time, and a clear error naming the holder."""

from __future__ import annotations

import signal
import subprocess
import time

import pytest
from whtest import article, count, python, write_run

from warehouse import Warehouse, WarehouseLocked

HOLDER = """
import sys, time
from warehouse import Warehouse
with Warehouse(sys.argv[1]).lock():
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
print("released", flush=True)
"""


def hold(wh: Warehouse, seconds: float) -> subprocess.Popen[str]:
    proc = python(HOLDER, str(wh.root), str(seconds))
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def test_a_second_writer_fails_naming_the_holder(wh: Warehouse) -> None:
    with hold(wh, 60) as proc:
        try:
            with pytest.raises(WarehouseLocked) as raised, wh.lock():
                pass
            error = raised.value
            assert error.pid == proc.pid and error.started_at is not None
            assert f"pid {proc.pid}" in str(error) and error.started_at in str(error)
            assert str(wh.root / "dipnews.lock") in str(error)
        finally:
            proc.send_signal(signal.SIGKILL)


def test_a_waiting_writer_times_out(wh: Warehouse) -> None:
    with hold(wh, 60) as proc:
        try:
            start = time.monotonic()
            with pytest.raises(WarehouseLocked, match=r"waited 0\.3 s"), wh.lock(wait=0.3):
                pass
            assert 0.3 <= time.monotonic() - start < 5
        finally:
            proc.send_signal(signal.SIGKILL)


def test_a_waiting_writer_gets_the_lock_when_the_holder_finishes(wh: Warehouse) -> None:
    with hold(wh, 0.5) as proc:
        with wh.lock(wait=30):
            assert proc.stdout is not None and proc.stdout.readline().strip() == "released"
        assert proc.wait(timeout=30) == 0


def test_a_killed_holder_does_not_leave_the_warehouse_locked(wh: Warehouse) -> None:
    with hold(wh, 60) as proc:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    with wh.lock():
        pass


def test_the_lock_is_not_reentrant_and_is_released_on_error(wh: Warehouse) -> None:
    with wh.lock(), pytest.raises(WarehouseLocked, match="locked by pid"), wh.lock():
        pass
    with pytest.raises(RuntimeError), wh.lock():
        raise RuntimeError("run failed")
    with wh.lock():
        assert (wh.root / "dipnews.lock").read_text().startswith("{")
    assert (wh.root / "dipnews.lock").read_text() == ""  # no stale holder record once released


def test_commits_inside_the_run_lock_work(wh: Warehouse) -> None:
    with wh.lock():
        assert wh.commit("r1", write_run(wh, "r1", [article(1)]))
    assert count(wh, "articles") == 1
