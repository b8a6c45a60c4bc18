"""``AssignVersions``: number each article's version against the warehouse, and drop unchanged re-fetches.

FilterSeen lets a committed article through again when its feed dates it later (or with ``--refetch``).
Here each such article meets the latest committed row of its article_id. The history files are
scanned for the run's article ids only (a side input of run size), each article_id's committed rows
are reduced to the latest (CombinePerKey), and that row reaches the articles as a side input: it is
run-sized too (at most one row of six short columns per run article, about 300 B). The articles,
bodies included, cross one stage boundary (waiting for that side input) instead of a CoGroupByKey:

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

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import apache_beam as beam

from pipeline.dedup.committed import ReadCommittedRows
from pipeline.dedup.versions import latest_committed, next_version
from pipeline.faults import maybe_crash
from pipeline.records import count

#: the columns of committed ``articles`` rows that versioning reads
HISTORY_COLUMNS = ["article_id", "version", "title", "content_hash", "fetched_at", "run_id"]


def _run_id(article: Any) -> Iterator[tuple[str, None]]:
    aid = article.get("article_id") if isinstance(article, dict) else None
    if isinstance(aid, str) and aid:
        yield aid, None


def _latest(rows: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    # associative (a max), so CombinePerKey may apply it to partial results: they are rows too
    return latest_committed(rows)


def _assign(article: Any, committed: Mapping[str, Mapping[str, Any]]) -> Iterator[Any]:
    """``article`` with its version; nothing when its text is the committed one; unkeyed input as it is."""
    aid = article.get("article_id") if isinstance(article, dict) else None
    if not isinstance(aid, str) or not aid:
        yield article
        return
    version = next_version(committed.get(aid), article)
    if version is None:
        count("versions_unchanged")
        count(f"source.{article.get('source_id')}.versions_unchanged")
        return
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
        ids = articles | "RunIds" >> beam.FlatMap(_run_id)
        committed = (
            ids
            | "ReadHistory" >> ReadCommittedRows(self.history_files, HISTORY_COLUMNS)
            | "LatestCommitted" >> beam.CombinePerKey(_latest)
        )
        return articles | "Assign" >> beam.FlatMap(_assign, beam.pvalue.AsDict(committed))
