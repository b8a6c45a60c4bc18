"""FilterSeen: keep one entry per article that the warehouse has not committed yet.

The history is read from the committed Parquet files and joined by key (CoGroupByKey), not held in a
side input: a distributed runner spreads the join, and memory does not grow with the history
(PITFALLS.md: side inputs of 1M entries cost 12-16 s and 620 MB).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import apache_beam as beam
from apache_beam.io.parquetio import ReadAllFromParquet

from pipeline import records
from pipeline.stages.common import StageOutput


def entry_preference(entry: dict[str, Any]) -> tuple:
    """Sort key choosing which of several entries of one article to fetch.

    The same TASS story reached from two feeds, one link carrying ``utm_*`` parameters: prefer the link
    the feed gave without a query string, then the shortest, then the smallest, so the choice does not
    depend on the order the feeds were read in.
    """
    raw = entry.get("raw_url") or entry["url"]
    return ("?" in raw, len(entry["url"]), entry["url"], entry.get("feed_url") or "")


class _KeepUnseenFn(beam.DoFn):
    def __init__(self, run_id: str, refetch: bool):
        self._run_id = run_id
        self._refetch = refetch

    def process(self, element: tuple[str, dict[str, Iterable[Any]]]) -> list[dict[str, Any]]:
        _article_id, groups = element
        entries = sorted(groups["entries"], key=entry_preference)
        if not entries:
            return []  # history only
        committed = any(True for _ in groups["history"])
        if len(entries) > 1:
            records.count("entries_merged", len(entries) - 1)
        if committed and not self._refetch:
            records.count("entries_already_committed")
            records.count(f"source.{entries[0]['source_id']}.already_committed")
            return []
        chosen = dict(entries[0])
        # Keep every feed the article was listed in: analysts ask which sections carried a story.
        chosen["listed_in"] = sorted({e.get("feed_url") or "" for e in entries})
        records.count("entries_new")
        records.count(f"source.{chosen['source_id']}.entries_new")
        return [chosen]


class FilterSeen(beam.PTransform):
    """Entries -> one entry per article id not yet committed (or all, with ``refetch``)."""

    def __init__(self, history_files: Sequence[str], *, run_id: str, refetch: bool = False):
        super().__init__()
        self._history_files = list(history_files)
        self._run_id = run_id
        self._refetch = refetch

    def expand(self, entries: beam.PCollection) -> StageOutput:
        keyed = entries | "KeyById" >> beam.Map(lambda e: (e["article_id"], e))
        history = (
            entries.pipeline
            | "ListHistory" >> beam.Create(self._history_files)
            | "ReadHistory" >> ReadAllFromParquet(columns=["article_id"])
            | "KeyHistory" >> beam.Map(lambda row: (row["article_id"], True))
        )
        kept = (
            {"entries": keyed, "history": history}
            | "JoinHistory" >> beam.CoGroupByKey()
            | "KeepUnseen" >> beam.ParDo(_KeepUnseenFn(self._run_id, self._refetch))
        )
        # Nothing is rejected here: an already committed entry is not a failure.
        no_rejects = entries.pipeline | "NoRejects" >> beam.Create([])
        return StageOutput(kept, no_rejects)
