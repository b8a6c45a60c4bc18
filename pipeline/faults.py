"""Named crash points for the crash-safety tests.

``DIPNEWS_CRASH_AT=<point>`` makes the process SIGKILL itself when it reaches ``<point>``: the only way
to show that a run killed *exactly there* leaves the warehouse consistent. Unset, this costs one
environment lookup per call.
"""

from __future__ import annotations

import os
import signal

ENV = "DIPNEWS_CRASH_AT"


def maybe_crash(point: str) -> None:
    """Kill this process with SIGKILL if ``DIPNEWS_CRASH_AT`` names ``point``."""
    if os.environ.get(ENV) == point:
        os.kill(os.getpid(), signal.SIGKILL)
