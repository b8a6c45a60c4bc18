"""``dipnews stream``: the batch transforms on a periodic schedule, one atomic commit per window.

Each tick of the schedule is a window: the driver runs the same bounded Beam pipelines as a batch run
(:class:`pipeline.ingest.DiscoverEntries`, then :class:`pipeline.ingest.IngestEntries` per chunk) over
what the feeds list at that moment, and commits its files, its runs row
and the feed state in one manifest swap (:func:`pipeline.run.run_locked`). This is the periodic impulse
of DESIGN.md kept in the driver rather than inside an unbounded pipeline, for three reasons measured or
documented in PITFALLS.md: ``WriteToParquet`` loses rows in streaming; a commit must happen exactly once
per window, after every file of the window is whole, which is the driver's job in batch too; and a
window that dies half-way must leave nothing behind, which the manifest swap already guarantees.

The stream holds the warehouse's run lock from start to end, so a ``dipnews run`` started meanwhile
waits (``--lock-wait``) or exits 75 with the holder's pid. SIGTERM or Ctrl-C ask it to stop: the current
window finishes and commits, and the stream exits with the windows' exit code (0 when all went well);
a second signal aborts the current window at once (nothing of it is committed) and exits 130.

>>> StopFlag().requested
False
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import faults
from pipeline.config import Config
from pipeline.run import EXIT_FAILED, RunResult, check_sources, run_locked
from warehouse import CommitError, Warehouse

log = logging.getLogger(__name__)

#: exit code after a second stop signal aborted the current window (128 + SIGINT, as shells report it)
EXIT_ABORTED = 130


class StopFlag:
    """Set by the first SIGTERM / SIGINT: the stream stops after the current window."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.signal_name: str | None = None

    @property
    def requested(self) -> bool:
        """Whether a stop was asked for."""
        return self._event.is_set()

    def request(self, reason: str = "request") -> None:
        """Ask the stream to stop after its current window."""
        self.signal_name = self.signal_name or reason
        self._event.set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``, waking at once when a stop is requested; True if one was."""
        return self._event.wait(max(0.0, seconds))


@contextmanager
def stop_on_signals(
    flag: StopFlag, signals: Sequence[int] = (signal.SIGTERM, signal.SIGINT)
) -> Iterator[None]:
    """Turn the first of ``signals`` into ``flag.request()``, a second into KeyboardInterrupt.

    The handlers are installed for the ``with`` block only (main thread), and restored after it.
    """

    def handle(signum: int, _frame: Any) -> None:
        if flag.requested:
            raise KeyboardInterrupt  # the second signal: abort the window (its files stay uncommitted)
        name = signal.Signals(signum).name
        log.warning("%s: finishing the current window, then stopping (send it again to abort)", name)
        flag.request(name)

    previous = {s: signal.signal(s, handle) for s in signals}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


@dataclass
class StreamResult:
    """What a stream did: its windows, why it stopped, and the exit code to return."""

    windows: list[RunResult] = field(default_factory=list)
    failures: int = 0  # windows that failed to commit (and were retried at the next tick)
    stopped_by: str | None = None  # "SIGTERM", "SIGINT", "max_polls", or None
    aborted: bool = False

    @property
    def exit_code(self) -> int:
        if self.aborted:
            return EXIT_ABORTED
        codes = [w.exit_code for w in self.windows] + [EXIT_FAILED] * self.failures
        return max(codes, default=0)


def run_stream(
    config: Config,
    warehouse_root: str | Path,
    *,
    interval: float,
    max_polls: int | None = None,
    beam_args: Sequence[str] = (),
    refetch: bool = False,
    all_feeds: bool = False,
    lock_wait: float = 0.0,
    stop: StopFlag | None = None,
    on_window: Callable[[RunResult], None] | None = None,
    progress: Any = None,
) -> StreamResult:
    """Poll every ``interval`` seconds (from the start of one window to the next) until ``stop`` is
    requested or ``max_polls`` windows ran. Raises ``WarehouseLocked`` if another run holds the lock.

    A window whose commit fails (e.g. a full disk) is logged, counted in ``failures`` and retried by the
    next tick: the stream is meant to run unattended, and the failed window changed nothing.
    """
    if interval < 0:
        raise ValueError(f"interval must be >= 0, got {interval}")
    if max_polls is not None and max_polls < 1:
        raise ValueError(f"max_polls must be at least 1, got {max_polls}")
    stop = stop or StopFlag()
    warehouse = Warehouse(warehouse_root)
    sources = check_sources(config)
    result = StreamResult()
    with warehouse.lock(wait=lock_wait):
        polls = 0
        while not stop.requested:
            started = time.monotonic()
            faults.maybe_crash(f"stream_window_{polls + 1}")
            try:
                window = run_locked(
                    warehouse, config, sources, beam_args=beam_args, refetch=refetch,
                    all_feeds=all_feeds, mode="stream", progress=progress,
                )
            except KeyboardInterrupt:
                result.aborted = True
                result.stopped_by = stop.signal_name or "SIGINT"
                log.warning("window aborted; nothing of it was committed")
                return result
            except CommitError as exc:
                result.failures += 1
                log.error("window %d failed: %s", polls + 1, exc)
            else:
                result.windows.append(window)
                if on_window is not None:
                    on_window(window)
            polls += 1
            faults.maybe_crash("stream_between_windows")
            if max_polls is not None and polls >= max_polls:
                result.stopped_by = "max_polls"
                break
            stop.wait(interval - (time.monotonic() - started))
        if stop.requested:
            result.stopped_by = stop.signal_name
    return result
