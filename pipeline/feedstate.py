"""Per-feed polling state: conditional-GET validators, poll records, and the adaptive interval.

A run's driver turns the committed ``feed_state`` map (``Warehouse.feed_state()``) into one
:class:`FeedPoll` per feed (:func:`plan_polls`); ReadFeeds sends each feed's ETag / Last-Modified and
records the outcome of the poll as one small JSON file in the run's staging folder
(:func:`write_poll_record`); after the pipeline the driver reads those records back
(:func:`read_poll_records`) and turns them into the state update it commits *with* the run
(:func:`state_update`), so validators and schedule advance exactly when the run's rows become visible.

The adaptive interval: a poll that brings new articles sets the feed's interval to the configured
minimum; one that brings nothing stretches it by ``growth`` up to the maximum; a failed poll keeps it.

>>> from pipeline.config import ScheduleSettings
>>> s = ScheduleSettings(min_interval=60, max_interval=200, growth=1.5)
>>> [next_interval(i, new, s) for i, new in [(None, 0), (60, 0), (150, 0), (180, 3)]]
[90.0, 90.0, 200, 60]
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pipeline.config import ScheduleSettings
from warehouse.fsutil import atomic_write_bytes

#: the folder under the warehouse root where a run stages what is not a table file (poll records)
STAGING_DIR = "_staging"


@dataclass(frozen=True)
class FeedPoll:
    """One feed to poll in a run: its validators from the last committed poll, and whether it is due.

    ``record_dir`` is where ReadFeeds writes the poll's outcome (None: nowhere, e.g. in unit tests).
    A plain ``(source_id, feed_url)`` tuple is read as a due feed with no validators.
    """

    source_id: str
    feed_url: str
    etag: str | None = None
    last_modified: str | None = None
    due: bool = True
    record_dir: str | None = None

    @classmethod
    def of(cls, element: FeedPoll | Sequence[str]) -> FeedPoll:
        """``element`` as a FeedPoll (ReadFeeds accepts both forms)."""
        if isinstance(element, FeedPoll):
            return element
        source_id, feed_url = element
        return cls(source_id, feed_url)


@dataclass(frozen=True)
class PollRecord:
    """The outcome of polling one feed, as ReadFeeds saw it.

    ``status`` is the HTTP status (200, 304) or None when the fetch failed without one; ``error`` is the
    reject reason of a failed poll; ``entries`` counts what a 200 listed (None for a 304 or a failure).
    """

    feed_url: str
    source_id: str
    checked_at: str  # ISO 8601, UTC
    status: int | None
    etag: str | None = None
    last_modified: str | None = None
    entries: int | None = None
    error: str | None = None
    #: the child sitemaps a sitemap index led to: articles found there count as news of this feed
    children: list[str] = field(default_factory=list)

    def new_entries(self, new_per_url: Mapping[str, int]) -> int:
        """New articles this poll brought, from ``{feed_url column of articles: count}``."""
        return sum(new_per_url.get(url, 0) for url in {self.feed_url, *self.children})


def record_path(record_dir: str | Path, feed_url: str) -> Path:
    """Where the poll record of ``feed_url`` goes: one fixed name per feed, so a retry overwrites it."""
    from pipeline.records import stable_id

    return Path(record_dir) / f"feed-{stable_id(feed_url)}.json"


def write_poll_record(record_dir: str | Path, record: PollRecord) -> Path:
    """Write ``record`` atomically (temp file, fsync, rename); return its path."""
    path = record_path(record_dir, record.feed_url)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, json.dumps(asdict(record), sort_keys=True).encode("utf-8"))
    return path


def read_poll_records(record_dir: str | Path) -> list[PollRecord]:
    """Every poll record in ``record_dir`` (none when it does not exist), ordered by feed URL.

    A record that cannot be parsed raises ValueError naming the file: it was written atomically, so a bad
    one means something else wrote there, and committing state from it would be a guess.
    """
    directory = Path(record_dir)
    if not directory.is_dir():
        return []
    out = []
    for path in sorted(directory.glob("feed-*.json")):
        try:
            out.append(PollRecord(**json.loads(path.read_text(encoding="utf-8"))))
        except (ValueError, TypeError) as exc:
            raise ValueError(f"{path}: not a poll record ({exc})") from exc
    return sorted(out, key=lambda r: r.feed_url)


def next_interval(previous: float | None, new_entries: int, schedule: ScheduleSettings) -> float:
    """The feed's next polling interval: the minimum after news, else ``previous`` x growth, bounded."""
    if new_entries > 0:
        return schedule.min_interval
    base = schedule.min_interval if previous is None else previous
    return min(max(base * schedule.growth, schedule.min_interval), schedule.max_interval)


def plan_polls(
    feeds: Iterable[tuple[str, str]],
    committed: Mapping[str, Mapping[str, Any]],
    now: datetime,
    *,
    all_feeds: bool = False,
    record_dir: str | None = None,
) -> tuple[FeedPoll, ...]:
    """One FeedPoll per ``(source_id, feed_url)``, with the committed validators and due-ness.

    A feed is due when it was never polled, when its ``next_poll_after`` has passed, or with
    ``all_feeds``; a feed whose committed state cannot be read is due (polling is the safe side).
    """
    polls = []
    for source_id, feed_url in feeds:
        state = committed.get(feed_url) or {}
        due = all_feeds or _due(state.get("next_poll_after"), now)
        polls.append(
            FeedPoll(
                source_id,
                feed_url,
                etag=state.get("etag") or None,
                last_modified=state.get("last_modified") or None,
                due=due,
                record_dir=record_dir,
            )
        )
    return tuple(polls)


def _due(next_poll_after: Any, now: datetime) -> bool:
    if not isinstance(next_poll_after, str):
        return True
    try:
        when = datetime.fromisoformat(next_poll_after)
    except ValueError:
        return True
    return when.tzinfo is None or when <= now


def state_update(
    records: Iterable[PollRecord],
    committed: Mapping[str, Mapping[str, Any]],
    new_per_url: Mapping[str, int],
    schedule: ScheduleSettings,
    run_id: str,
    *,
    unconditional_next: frozenset[str] | set[str] = frozenset(),
) -> dict[str, dict[str, Any]]:
    """The ``feed_state`` entries to commit with the run: one per polled feed.

    ``new_per_url`` counts the run's new articles by the ``feed_url`` they were listed under.
    ``unconditional_next`` names sources whose pages failed to fetch in this run: their feeds' validators
    are dropped, so that the next poll gets the whole feed (a 304 would hide the entries to retry).
    A 200 takes the response's validators; a 304 keeps the committed ones (and their entry count); a
    failed poll keeps validators and interval, and only moves ``next_poll_after`` on.
    """
    update: dict[str, dict[str, Any]] = {}
    for record in records:
        before = dict(committed.get(record.feed_url) or {})
        checked = datetime.fromisoformat(record.checked_at)
        new = record.new_entries(new_per_url)
        previous = before.get("interval")
        previous = float(previous) if isinstance(previous, int | float) else None
        entry = {**before, "source_id": record.source_id, "checked_at": record.checked_at,
                 "run_id": run_id, "status": record.status, "error": record.error}
        if record.error is None:
            interval = next_interval(previous, new, schedule)
            entry["new_entries"] = new
            if record.status != 304:
                entry["etag"] = record.etag
                entry["last_modified"] = record.last_modified
                entry["entries"] = record.entries
            if record.source_id in unconditional_next:
                entry["etag"] = entry["last_modified"] = None
        else:
            interval = previous if previous is not None else schedule.min_interval
        entry["interval"] = interval
        entry["next_poll_after"] = (checked + timedelta(seconds=interval)).isoformat()
        update[record.feed_url] = entry
    return update
