"""Named fault points for the crash-safety tests.

``DIPNEWS_CRASH_AT=<point>`` makes the process fail when it reaches ``<point>``: the only way to show
that a run failing *exactly there* leaves the warehouse consistent. How it fails is
``DIPNEWS_FAULT_MODE``: ``kill`` (the default) SIGKILLs the process, as a power cut or the OOM killer
would; ``enospc`` raises ``OSError(ENOSPC)`` as a full disk would, to test the error path. Unset, a
point costs one environment lookup.

The points, in the order a run meets them (tests/e2e/test_crash_safety.py kills at each):

- in the Beam stages: ``read_feeds``, ``after_feed_record``, ``fetch_pages``, ``extract``,
  ``write_articles``, ``write_mentions``, ``write_rejects``, ``write_signatures``;
- in the driver: ``before_pipeline``, ``after_pipeline``, ``after_feed_state``, ``after_runs_row``,
  ``after_entities``, ``before_commit``;
- in the commit (warehouse/store.py): ``before_manifest``, ``after_manifest``; then ``after_commit``;
- in compaction (warehouse/maintenance.py): ``compact_after_write``, ``compact_before_manifest``,
  ``compact_after_manifest``;
- in a stream (pipeline/stream.py): ``stream_window_<n>`` as window n starts, and
  ``stream_between_windows`` after each window's commit.
"""

from __future__ import annotations

import errno
import os
import signal

ENV = "DIPNEWS_CRASH_AT"
MODE_ENV = "DIPNEWS_FAULT_MODE"
MODES = ("kill", "enospc")


def maybe_crash(point: str) -> None:
    """Fail here if ``DIPNEWS_CRASH_AT`` names ``point``: SIGKILL, or OSError(ENOSPC) in ``enospc`` mode."""
    if os.environ.get(ENV) != point:
        return
    mode = os.environ.get(MODE_ENV, "kill")
    if mode == "enospc":
        raise OSError(errno.ENOSPC, f"No space left on device (simulated at {point})")
    if mode != "kill":
        raise ValueError(f"{MODE_ENV} must be one of {', '.join(MODES)}, got {mode!r}")
    os.kill(os.getpid(), signal.SIGKILL)
