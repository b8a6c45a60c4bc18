"""``AssignVersions``: number each article's version against the warehouse, and drop unchanged re-fetches.

FilterSeen lets a committed article through again when its feed dates it later (or with ``--refetch``).
Here each such article meets its committed rows by key (CoGroupByKey, no side input of history; the
history files are scanned for the run's article ids, a side input of run size, so only the committed
rows of the run's articles enter the join):

- text unchanged (same body words and title words as the latest committed version): nothing is written;
  counted as ``versions_unchanged`` ("unchanged re-fetches change nothing");
- changed: written with ``version`` = latest committed version + 1, counted as ``versions_new``;
- never committed: ``version`` = 1.

Input that is not a dict with a string ``article_id`` passes through untouched: DeduplicateArticles
rejects it with a reason, so it is neither dropped silently nor rejected twice.

Example::

    versioned = normalized | AssignVersions(warehouse.committed_files("articles"))
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import apache_beam as beam
from apache_beam import pvalue

from pipeline.dedup.committed import ReadCommittedRows
from pipeline.dedup.versions import latest_committed, next_version
from pipeline.faults import maybe_crash
from pipeline.records import count

#: the columns of committed ``articles`` rows that versioning reads
HISTORY_COLUMNS = ["article_id", "version", "title", "content_hash", "fetched_at", "run_id"]
_UNKEYED = "unkeyed"


def _key(article: Any) -> Iterator[Any]:
    aid = article.get("article_id") if isinstance(article, dict) else None
    if isinstance(aid, str) and aid:
        yield aid, article
    else:
        yield pvalue.TaggedOutput(_UNKEYED, article)


def _assign(item: tuple[str, dict[str, Iterable[Any]]]) -> Iterator[dict[str, Any]]:
    """The run's rows of one article_id with their version; none when the text is the committed one."""
    _, groups = item
    previous = latest_committed(groups["history"])
    for article in groups["run"]:
        version = next_version(previous, article)
        if version is None:
            count("versions_unchanged")
            count(f"source.{article.get('source_id')}.versions_unchanged")
            continue
        if version > 1:
            count("versions_new")
            count(f"source.{article.get('source_id')}.versions_new")
        maybe_crash("assign_versions")
        yield {**article, "version": version}


class AssignVersions(beam.PTransform):
    """Articles -> articles with ``version`` set, minus re-fetches whose text is already committed.

    ``history_files`` are the committed Parquet files of the ``articles`` table (every version).
    """

    def __init__(self, history_files: Sequence[str] = ()) -> None:
        super().__init__()
        if isinstance(history_files, str):
            raise TypeError("history_files is a sequence of paths, not one string")
        self.history_files = [str(f) for f in history_files]

    def expand(self, articles: beam.PCollection) -> beam.PCollection:
        keyed = articles | "KeyById" >> beam.FlatMap(_key).with_outputs(_UNKEYED, main="keyed")
        history = keyed.keyed | "ReadHistory" >> ReadCommittedRows(self.history_files, HISTORY_COLUMNS)
        versioned = (
            {"run": keyed.keyed, "history": history}
            | "JoinHistory" >> beam.CoGroupByKey()
            | "Assign" >> beam.FlatMap(_assign)
        )
        return (versioned, keyed[_UNKEYED]) | "WithUnkeyed" >> beam.Flatten()
