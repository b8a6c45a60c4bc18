"""Inter-process locks of the warehouse, on ``fcntl.flock``.

The RUN LOCK (``<root>/dipnews.lock``) is held by a writer for a whole run, so two runs never interleave;
its holder writes its pid and start time into the file, so the loser can say who holds it. The kernel
drops a flock when its holder dies, even by SIGKILL, so a crashed run never leaves the warehouse locked.

The COMMIT LOCK (``<root>/_manifest/.commit.lock``) is held for the few milliseconds of a manifest
read-modify-write or a catalog rebuild; it serialises commits, compactions and catalog refreshes even
between processes that do not hold the run lock.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from warehouse.errors import WarehouseLocked

RUN_LOCK_FILE = "dipnews.lock"
COMMIT_LOCK_FILE = ".commit.lock"
_POLL_SECONDS = 0.05


def _holder(path: Path) -> tuple[int | None, str | None]:
    try:
        info = json.loads(path.read_text() or "{}")
        return int(info["pid"]), str(info["started_at"])
    except (OSError, ValueError, KeyError, TypeError):
        return None, None


def _acquire(fd: int, wait: float) -> bool:
    """Try to flock ``fd`` exclusively, polling for up to ``wait`` seconds."""
    deadline = time.monotonic() + max(wait, 0.0)
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(_POLL_SECONDS)


@contextmanager
def run_lock(root: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the warehouse's run lock for the ``with`` block.

    ``wait`` is how long to wait for another holder to finish (0: fail at once). Raises
    :class:`~warehouse.errors.WarehouseLocked` naming the holder's pid and start time. Not re-entrant: a
    second ``run_lock`` in the same process while the first is held raises too.
    """
    root.mkdir(parents=True, exist_ok=True)
    path = root / RUN_LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if not _acquire(fd, wait):
            pid, started_at = _holder(path)
            raise WarehouseLocked(str(path), pid, started_at, wait)
        info = {
            "pid": os.getpid(),
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "host": socket.gethostname(),
            "argv": sys.argv[:4],
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        try:
            yield
        finally:
            # clear the holder record while still holding the lock, so it never names a finished process
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def commit_lock(root: Path, timeout: float = 60.0) -> Iterator[None]:
    """Hold the short-lived commit lock; WarehouseLocked if another commit keeps it for ``timeout`` s."""
    directory = root / "_manifest"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / COMMIT_LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if not _acquire(fd, timeout):
            raise WarehouseLocked(str(path), None, None, timeout)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
