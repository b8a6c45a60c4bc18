"""Crash safety: a commit that fails or a process killed at any step leaves the warehouse as it was,
and the rerun completes the job without duplicates."""

from __future__ import annotations

import errno
import os
import signal
from pathlib import Path

import pytest
from whtest import article, count, python, snapshot, write_run

from warehouse import CommitError, Warehouse, fsutil
from warehouse import catalog as catalog_module


def temp_files(wh: Warehouse) -> list[Path]:
    return [p for p in wh.root.rglob(".*.tmp")]


@pytest.fixture
def committed(wh: Warehouse) -> Warehouse:
    """A warehouse holding one committed run r0, and the staged files of run r1."""
    wh.commit("r0", write_run(wh, "r0", [article(100, run_id="r0")]))
    write_run(wh, "r1", [article(1), article(2), article(3, source="sputnik")])
    return wh


def _half_write(fd: int, data: bytes) -> None:
    os.write(fd, data[: len(data) // 2])
    raise OSError(errno.EIO, "I/O error")


def _raise(*args: object) -> None:
    raise OSError(errno.EIO, "injected failure")


STEPS = {
    # step of the manifest commit -> (object, attribute) to break there
    "write manifest": (fsutil, "write_all", _half_write),
    "fsync manifest": (os, "fsync", _raise),
    "rename manifest": (os, "replace", _raise),
}


@pytest.mark.parametrize("step", sorted(STEPS))
def test_a_commit_failing_at_any_step_changes_nothing(
        committed: Warehouse, monkeypatch: pytest.MonkeyPatch, step: str) -> None:
    wh = committed
    before = snapshot(wh)
    target, name, failure = STEPS[step]
    with monkeypatch.context() as patch:
        patch.setattr(target, name, failure)
        with pytest.raises(CommitError, match="nothing was committed"):
            wh.commit("r1", wh.staged_files("r1"))
    assert snapshot(wh) == before
    assert wh.committed_runs() == {"r0"} and temp_files(wh) == []
    # the rerun completes the job, and a second rerun adds nothing
    assert wh.commit("r1", wh.staged_files("r1")) is True
    assert count(wh, "articles") == 4 and count(wh, "mentions") == 4 and count(wh, "runs") == 2
    assert wh.commit("r1", wh.staged_files("r1")) is False
    assert count(wh, "articles") == 4


def test_a_failure_after_the_rename_reports_the_commit_as_done(
        committed: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    wh = committed
    with monkeypatch.context() as patch:
        patch.setattr(fsutil, "fsync_dir", _raise)
        assert wh.commit("r1", wh.staged_files("r1")) is True
    assert wh.committed_runs() == {"r0", "r1"} and count(wh, "articles") == 4


def test_a_failing_catalog_refresh_leaves_the_commit_done_and_the_catalog_rebuilt_later(
        committed: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    wh = committed
    with monkeypatch.context() as patch:
        patch.setattr(catalog_module, "build_catalog", _raise)
        assert wh.commit("r1", wh.staged_files("r1")) is True
    assert not wh.catalog_is_current()
    assert count(wh, "articles") == 4 and wh.catalog_is_current()


def test_simulated_full_disk_gives_a_clear_error_and_changes_nothing(
        committed: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    wh = committed
    before = snapshot(wh)
    catalog_bytes = wh.catalog_path.read_bytes()

    def full_disk(fd: int, data: bytes) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as patch:
        patch.setattr(fsutil, "write_all", full_disk)
        with pytest.raises(CommitError) as raised:
            wh.commit("r1", wh.staged_files("r1"))
    message = str(raised.value)
    assert "run r1" in message and "disk full" in message and "No space left on device" in message
    assert "warehouse is unchanged" in message
    assert snapshot(wh) == before and wh.catalog_path.read_bytes() == catalog_bytes
    assert temp_files(wh) == []


CHILD = """
import os, signal, sys, time
from datetime import datetime, timezone
from warehouse import Warehouse, write_partition
from warehouse import catalog, fsutil
wh = Warehouse(sys.argv[1])
when = sys.argv[2]
def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
t = datetime(2025, 10, 6, tzinfo=timezone.utc)
with wh.lock():
    files = [write_partition(wh.root, "articles", "tass/2025", "r9", [
        {"article_id": f"k{i}", "source_id": "tass", "url": f"https://t.example/{i}", "published_at": t,
         "run_id": "r9"} for i in range(50)])]
    files.append(write_partition(wh.root, "runs", "all", "r9", [{"run_id": "r9", "status": "ok"}]))
    print("written", flush=True)
    if when == "after write":
        time.sleep(120)
    elif when == "before rename":  # the data files are in place: the next rename is the manifest's
        fsutil.os.replace = die
    elif when == "before catalog":
        catalog.build_catalog = die
    wh.commit("r9", files)
print("committed", flush=True)
"""


@pytest.mark.parametrize("when", ["after write", "before rename", "before catalog"])
def test_a_process_killed_mid_run_leaves_no_partial_rows(committed: Warehouse, when: str) -> None:
    wh = committed
    before = snapshot(wh)
    proc = python(CHILD, str(wh.root), when)
    with proc:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "written"
        if when == "after write":
            proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=60) == -signal.SIGKILL
    if when == "before catalog":
        # the manifest was replaced before the kill: the run is committed, and the stale catalog is
        # noticed and rebuilt by the next reader
        assert wh.committed_runs() == {"r0", "r9"} and not wh.catalog_is_current()
        assert count(wh, "articles") == 51 and count(wh, "runs") == 2
    else:
        assert snapshot(wh) == before and wh.committed_runs() == {"r0"}
        if when == "before rename":
            assert [p.parent.name for p in temp_files(wh)] == ["_manifest"]  # the new manifest, unused
        # the kernel dropped the dead child's run lock; the rerun commits what the child staged
        with wh.lock():
            assert wh.commit("r9", wh.staged_files("r9")) is True
        assert count(wh, "articles") == 51 and count(wh, "runs") == 2
    assert wh.commit("r9", wh.staged_files("r9")) is False
    assert count(wh, "articles") == 51


FAULT_CHILD = """
import sys
from warehouse import Warehouse, write_partition
wh = Warehouse(sys.argv[1])
wh.commit("r9", [write_partition(wh.root, "runs", "all", "r9", [{"run_id": "r9", "status": "ok"}])])
print("committed", flush=True)
"""


@pytest.mark.parametrize(("point", "committed_after"), [("before_manifest", False), ("after_manifest", True)])
def test_named_fault_points_kill_the_commit_there(
        committed: Warehouse, monkeypatch: pytest.MonkeyPatch, point: str, committed_after: bool) -> None:
    wh = committed
    monkeypatch.setenv("DIPNEWS_CRASH_AT", point)
    proc = python(FAULT_CHILD, str(wh.root))
    with proc:
        assert proc.wait(timeout=60) == -signal.SIGKILL
    monkeypatch.delenv("DIPNEWS_CRASH_AT")
    assert ("r9" in wh.committed_runs()) is committed_after
    assert count(wh, "runs") == (2 if committed_after else 1)
