"""A live progress line on stderr for interactive runs: per stage and per source.

What it shows is observed from what the run leaves on disk while it works, not from inside the Beam
workers, so it is the same on any runner: the poll record each feed writes when ReadFeeds is done
with it (feeds polled per source), and the data files the run has written so far (rows per table, and
articles per source, since article files are partitioned by source). The stage is the driver's:
``feeds`` -> ``pages`` (fetch, extract, normalise, deduplicate, tag) -> ``commit`` -> ``compact``.

It is on only when stderr is a terminal (``--progress auto``, the default) or when forced
(``--progress always``); a cron job or a pipe gets no control characters in its logs.

>>> import io
>>> Progress.for_stream(io.StringIO(), "auto") is None     # not a terminal: quiet
True
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

MODES = ("auto", "always", "never")
#: seconds between two redraws of the line
REFRESH = 0.25


class Progress:
    """Draws ``[stage] feeds k/N (per source) | written rows per table | elapsed`` on ``stream``."""

    def __init__(self, stream: IO[str], *, refresh: float = REFRESH, tty: bool = True) -> None:
        self._stream = stream
        self._refresh = refresh
        self._tty = tty
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._stage = "idle"
        self._run_id = ""
        self._feeds: dict[str, int] = {}
        self._root: Path | None = None
        self._record_dir: Path | None = None
        self._started = 0.0
        self._last = ""

    @classmethod
    def for_stream(cls, stream: IO[str], mode: str = "auto") -> Progress | None:
        """A Progress on ``stream`` if ``mode`` says so (``auto``: only when it is a terminal), else None."""
        if mode not in MODES:
            raise ValueError(f"progress mode must be one of {', '.join(MODES)}, got {mode!r}")
        is_tty = bool(getattr(stream, "isatty", lambda: False)())
        if mode == "never" or (mode == "auto" and not is_tty):
            return None
        return cls(stream, tty=is_tty)

    # -- called by the driver -----------------------------------------------------------------------

    def start_run(self, run_id: str, feeds: Sequence[Any], root: Path, record_dir: Path) -> None:
        """A run begins: ``feeds`` are its FeedPolls (those not due are not counted)."""
        with self._lock:
            self._run_id, self._root, self._record_dir = run_id, Path(root), Path(record_dir)
            self._feeds = dict(Counter(f.source_id for f in feeds if getattr(f, "due", True)))
            self._stage, self._started = "feeds", time.monotonic()
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="dipnews-progress", daemon=True)
        self._thread.start()

    def pipeline_done(self) -> None:
        """The Beam pipeline finished; the driver reads its outputs back."""
        self.stage("read back")

    def stage(self, name: str) -> None:
        """The driver moved on to ``name`` (``commit``, ``compact``)."""
        with self._lock:
            self._stage = name
        self._draw()

    def finish(self) -> None:
        """The run is over: draw the last state and end the line."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._draw()
        self._write("\n")

    # -- drawing ------------------------------------------------------------------------------------

    def _loop(self) -> None:
        while not self._stop.wait(self._refresh):
            self._draw()

    def snapshot(self) -> dict[str, Any]:
        """What the line shows, as data: stage, feeds polled per source, rows written per table and
        articles per source so far, seconds elapsed."""
        with self._lock:
            stage, feeds, run_id = self._stage, dict(self._feeds), self._run_id
            root, record_dir, started = self._root, self._record_dir, self._started
        polled: Counter[str] = Counter()
        if record_dir is not None and record_dir.is_dir():
            import json

            for path in record_dir.glob("feed-*.json"):
                try:
                    polled[json.loads(path.read_text(encoding="utf-8"))["source_id"]] += 1
                except (OSError, ValueError, KeyError):
                    continue  # being replaced this instant; counted at the next redraw
        rows: Counter[str] = Counter()
        articles: Counter[str] = Counter()
        if root is not None and run_id:
            rows, articles = _written(root, run_id)
        if stage == "feeds" and feeds and sum(polled.values()) >= sum(feeds.values()):
            stage = "pages"
        return {
            "stage": stage,
            "feeds": {s: (polled.get(s, 0), n) for s, n in sorted(feeds.items())},
            "rows": dict(sorted(rows.items())),
            "articles": dict(sorted(articles.items())),
            "seconds": round(time.monotonic() - started, 1) if started else 0.0,
        }

    def render(self) -> str:
        """The progress line (no control characters)."""
        snap = self.snapshot()
        feeds = " ".join(
            f"{s} {done}/{n}" + (f" +{snap['articles'][s]}" if snap["articles"].get(s) else "")
            for s, (done, n) in snap["feeds"].items()
        )
        rows = " ".join(f"{t} {n}" for t, n in snap["rows"].items() if t != "signatures")
        parts = [f"[{snap['stage']}]", f"feeds: {feeds or '-'}"]
        if rows:
            parts.append(f"written: {rows}")
        parts.append(f"{snap['seconds']:.0f}s")
        return " | ".join(parts)

    def _draw(self) -> None:
        line = self.render()
        if line == self._last:
            return
        self._last = line
        # on a terminal the line is redrawn in place; forced onto a file, each change is its own line
        self._write(f"\r\x1b[K{line}" if self._tty else f"{line}\n")

    def _write(self, text: str) -> None:
        try:
            self._stream.write(text)
            self._stream.flush()
        except (OSError, ValueError):
            pass  # a closed terminal must not fail the run


def _written(root: Path, run_id: str) -> tuple[Counter[str], Counter[str]]:
    """Rows per table and articles per source in the data files ``run_id`` has written so far."""
    import pyarrow.parquet as pq

    rows: Counter[str] = Counter()
    articles: Counter[str] = Counter()
    for path in (root / "data").glob(f"*/**/{run_id}-*.parquet"):
        try:
            n = pq.read_metadata(path).num_rows
        except Exception:  # a file being renamed into place this instant
            continue
        parts = path.relative_to(root / "data").parts
        rows[parts[0]] += n
        if parts[0] == "articles" and len(parts) > 2:
            articles[parts[1].removeprefix("source=")] += n
    return rows, articles


def default_stream() -> IO[str]:
    """Where progress goes: stderr, so that stdout stays the run's report."""
    return sys.stderr
