"""FilterSeen: keep one entry per article that is new, or that the feed says changed since it was committed.

An entry is fetched when its ``article_id`` is not committed, when the feed dates it after what the
warehouse holds for that article (:func:`changed_since`), or always with ``refetch``. Whether a re-fetched
article really changed is decided later, on its text (:class:`pipeline.dedup.assign_versions.AssignVersions`).

The history is read from the committed Parquet files for this poll's article ids only: the ids travel as
a side input (run-sized), and each history file is scanned in Arrow batches for them, so the committed
rows of other articles never become Python objects and memory does not grow with the history
(PITFALLS.md: side inputs of 1M entries cost 12-16 s and 620 MB). The rows found are run-sized too (a
few short columns per entry at most), so they reach the entries as a side input, and the entries cross
one GroupByKey (merging the entries of one article) instead of a CoGroupByKey, which would copy every
entry once more through its Flatten.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import apache_beam as beam

from pipeline import faults, records
from pipeline.dedup.committed import ReadCommittedRows
from pipeline.stages.common import StageOutput

#: the columns of committed ``articles`` rows that FilterSeen reads
HISTORY_COLUMNS = ["article_id", "published_at", "modified_at", "fetched_at"]


def entry_preference(entry: dict[str, Any]) -> tuple:
    """Sort key choosing which of several entries of one article to fetch.

    The same TASS story reached from two feeds, one link carrying ``utm_*`` parameters: prefer the link
    the feed gave without a query string, then the shortest, then the smallest, so the choice does not
    depend on the order the feeds were read in.
    """
    raw = entry.get("raw_url") or entry["url"]
    return ("?" in raw, len(entry["url"]), entry["url"], entry.get("feed_url") or "")


def committed_mark(rows: Iterable[dict[str, Any]]) -> datetime | None:
    """The latest date the warehouse knows of an article's text, from its committed rows (every version).

    The latest ``modified_at`` or ``published_at`` the pages gave; when no row has either, the latest
    ``fetched_at`` (a feed dating the article after our fetch says it changed since). None: no date at all.

    >>> from datetime import UTC
    >>> t = lambda h: datetime(2024, 4, 23, h, tzinfo=UTC)
    >>> committed_mark([{"published_at": t(2), "modified_at": None, "fetched_at": t(9)}]) == t(2)
    True
    >>> committed_mark([{"published_at": None, "modified_at": None, "fetched_at": t(9)}]) == t(9)
    True
    """
    page_dates: list[datetime] = []
    fetched: list[datetime] = []
    for row in rows:
        page_dates.extend(d for d in (row.get("modified_at"), row.get("published_at")) if d is not None)
        if row.get("fetched_at") is not None:
            fetched.append(row["fetched_at"])
    if page_dates:
        return max(page_dates)
    return max(fetched) if fetched else None


def feed_date(entry: dict[str, Any]) -> datetime | None:
    """The date the feed gives an entry's current text: its ``updated_at``, else its ``published_at``."""
    return entry.get("updated_at") or entry.get("published_at")


def changed_since(entry: dict[str, Any], mark: datetime | None) -> bool:
    """Whether the feed dates ``entry`` strictly after ``mark`` (the article changed since it was committed).

    Without a date on either side nothing says it changed, so it is not fetched again.

    >>> from datetime import UTC
    >>> t = lambda h: datetime(2024, 4, 23, h, tzinfo=UTC)
    >>> changed_since({"published_at": t(2), "updated_at": t(9)}, t(2))
    True
    >>> changed_since({"published_at": t(2)}, t(2))
    False
    """
    date = feed_date(entry)
    return date is not None and mark is not None and date > mark


class _KeepUnseenFn(beam.DoFn):
    def __init__(self, run_id: str, refetch: bool):
        self._run_id = run_id
        self._refetch = refetch

    def process(
        self,
        element: tuple[str, Iterable[dict[str, Any]]],
        committed: Mapping[str, Sequence[dict[str, Any]]],
    ) -> list[dict[str, Any]]:
        article_id, entries = element
        entries = sorted(entries, key=entry_preference)
        history = list(committed[article_id])  # a multimap: no rows for an article never committed
        if len(entries) > 1:
            records.count("entries_merged", len(entries) - 1)
        chosen = dict(entries[0])
        source = chosen["source_id"]
        if history:
            # any of the entries may carry the later date (a section feed updated before the main one)
            mark = committed_mark(history)
            changed = any(changed_since(e, mark) for e in entries)
            if not (changed or self._refetch):
                records.count("entries_already_committed")
                records.count(f"source.{source}.already_committed")
                return []
            reason = "entries_changed" if changed else "entries_refetched"
            records.count(reason)
            records.count(f"source.{source}.{reason}")
        else:
            records.count("entries_new")
            records.count(f"source.{source}.entries_new")
        faults.maybe_crash("filter_seen")
        # Keep every feed the article was listed in: analysts ask which sections carried a story.
        chosen["listed_in"] = sorted({e.get("feed_url") or "" for e in entries})
        return [chosen]


class FilterSeen(beam.PTransform):
    """Entries -> one entry per article id that is new or changed since committed (or all, with ``refetch``).

    ``history_files`` are the committed Parquet files of ``articles``. Counters: ``entries_new``,
    ``entries_changed`` (the feed dates it after the committed text), ``entries_refetched`` (``refetch``
    only), ``entries_already_committed``, ``entries_merged`` (several entries of one article).
    """

    def __init__(self, history_files: Sequence[str], *, run_id: str, refetch: bool = False):
        super().__init__()
        self._history_files = list(history_files)
        self._run_id = run_id
        self._refetch = refetch

    def expand(self, entries: beam.PCollection) -> StageOutput:
        keyed = entries | "KeyById" >> beam.Map(lambda e: (e["article_id"], e))
        history = keyed | "ReadHistory" >> ReadCommittedRows(self._history_files, HISTORY_COLUMNS)
        kept = (
            keyed
            | "GroupById" >> beam.GroupByKey()
            | "KeepUnseen"
            >> beam.ParDo(_KeepUnseenFn(self._run_id, self._refetch), beam.pvalue.AsMultiMap(history))
        )
        # Nothing is rejected here: an already committed entry is not a failure.
        no_rejects = entries.pipeline | "NoRejects" >> beam.Create([])
        return StageOutput(kept, no_rejects)
