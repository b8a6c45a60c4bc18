"""ReadCommittedRows: the committed rows of the articles a run is about to touch, keyed by article_id.

FilterSeen (did the feed change this article?) and AssignVersions (which version is this?) both join
the run with the warehouse's ``articles`` files. Only the run's own ids are looked up: the side input is
the run's id list, never history, and each committed file is scanned with pyarrow for those ids only
(:func:`pipeline.dedup.history.scan_rows`), so the cost follows the run, not the history.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import apache_beam as beam

from pipeline.dedup.history import scan_rows


def _scan(path: str, ids: Iterable[str], columns: Sequence[str]) -> Iterator[dict[str, Any]]:
    return scan_rows(path, columns, set(ids))


class ReadCommittedRows(beam.PTransform):
    """Keyed ``(article_id, x)`` -> ``(article_id, row)`` for every committed row of those ids.

    ``history_files`` are the committed Parquet files of ``articles``; ``columns`` the columns to read
    (``article_id`` among them). Join the output with the input by key: a CoGroupByKey, or (the rows
    being run-sized) a side input, as AssignVersions does.
    """

    def __init__(self, history_files: Sequence[str], columns: Sequence[str]) -> None:
        super().__init__()
        if isinstance(history_files, str):
            raise TypeError("history_files is a sequence of paths, not one string")
        self._history_files = [str(f) for f in history_files]
        self._columns = tuple(columns)

    def expand(self, keyed: beam.PCollection) -> beam.PCollection:
        ids = beam.pvalue.AsSingleton(
            keyed | "RunIds" >> beam.Keys() | "CollectRunIds" >> beam.combiners.ToList()
        )
        return (
            keyed.pipeline
            | "HistoryFiles" >> beam.Create(self._history_files)
            | "ScanHistory" >> beam.FlatMap(_scan, ids, self._columns)
            | "KeyHistory" >> beam.Map(lambda row: (row["article_id"], row))
        )
