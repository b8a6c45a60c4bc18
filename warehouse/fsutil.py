"""Durable file operations: write to a temporary name, fsync, rename into place, fsync the directory.

A reader therefore sees either the old file or the whole new one, even after a power cut: ``os.replace``
is atomic on POSIX, and the directory fsync makes the rename itself durable.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> atomic_write_bytes(d / "x.json", b"{}")
>>> (d / "x.json").read_bytes()
b'{}'
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

#: prefix and suffix of every temporary file the warehouse writes; ``vacuum`` removes old leftovers
TEMP_PREFIX = "."
TEMP_SUFFIX = ".tmp"


def temp_path_for(final: Path) -> Path:
    """A unique temporary name in the same directory as ``final`` (same filesystem, so rename is atomic).

    The name starts with a dot: DuckDB globs and ``ls`` skip it, and it never matches a data file name.
    """
    return final.with_name(f"{TEMP_PREFIX}{final.name}.{os.getpid()}.{uuid.uuid4().hex[:12]}{TEMP_SUFFIX}")


def fsync_dir(directory: Path) -> None:
    """Make the entries of ``directory`` (a rename, a new file) durable."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    """Flush the contents of ``path`` to stable storage."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(temp: Path, final: Path) -> None:
    """Rename a complete, fsynced ``temp`` onto ``final`` atomically and make the rename durable."""
    os.replace(temp, final)
    fsync_dir(final.parent)


def write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` to ``fd`` (``os.write`` may write fewer than asked)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def atomic_write_bytes(final: Path, data: bytes) -> None:
    """Replace ``final`` with ``data`` atomically; on any error ``final`` is untouched and no temp is left."""
    final.parent.mkdir(parents=True, exist_ok=True)
    temp = temp_path_for(final)
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        publish(temp, final)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
