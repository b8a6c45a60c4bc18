"""The errors the warehouse raises: one base class, so a CLI can catch them all and print the message."""

from __future__ import annotations


class WarehouseError(Exception):
    """Base class of every warehouse error; the message says what happened and what is unchanged."""


class WarehouseLocked(WarehouseError):
    """Another process holds the warehouse's run lock.

    ``pid`` and ``started_at`` describe the holder as it recorded itself in the lock file (``None`` when
    it had not written them yet).
    """

    def __init__(self, path: str, pid: int | None, started_at: str | None, waited: float) -> None:
        holder = f"pid {pid}" if pid is not None else "an unknown process"
        since = f" since {started_at}" if started_at else ""
        waited_text = f" (waited {waited:g} s)" if waited > 0 else ""
        super().__init__(f"warehouse is locked by {holder}{since}: {path}{waited_text}")
        self.path = path
        self.pid = pid
        self.started_at = started_at


class CommitError(WarehouseError):
    """A commit failed before the new manifest was in place: nothing of the run is visible."""


class CatalogError(WarehouseError):
    """The DuckDB catalog could not be built or opened."""
