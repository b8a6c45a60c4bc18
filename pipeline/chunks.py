"""Bounded memory for large runs: a run's new entries are staged, then ingested a chunk at a time.

Beam's in-process runner executes a batch pipeline stage by stage and holds every stage's output in
memory until the next stage has read it, so one pipeline over N articles needs memory in proportion
to N (about 70 KB per article on the sample sources' pages). A run is therefore two steps:

1. discovery (``pipeline.ingest.DiscoverEntries``): feeds are read and filtered against the warehouse,
   and the entries to fetch are written to the run's staging folder (:class:`StageEntries`), one
   pickle file per bundle: entries are small (a URL, a title, dates), a few hundred bytes each;
2. ingestion (``pipeline.ingest.IngestEntries``), once per chunk of at most ``chunk_size`` entries in
   article-id order (:func:`write_chunks`), each chunk a pipeline of its own that reads one chunk file
   (:class:`ReadChunk`). A chunk treats the files the earlier chunks of the run wrote as history, so
   versions and duplicates are decided across chunks exactly as across runs.

Nothing becomes visible before the run's single commit, so a run killed in any chunk leaves nothing
behind; the staging folder is removed by the next run.

Example::

    entries = load_staged(staging / "entries")
    for path in write_chunks(entries, staging / "chunks", 5000):
        ...  # one IngestEntries pipeline per path
"""

from __future__ import annotations

import pickle
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import apache_beam as beam

_SUFFIX = ".pickle"


class _StageEntriesFn(beam.DoFn):
    """Entries -> one pickle file per bundle in ``directory``; emits nothing."""

    def __init__(self, directory: str) -> None:
        self._directory = directory

    def start_bundle(self) -> None:
        self._batch: list[dict[str, Any]] = []

    def process(self, entry: dict[str, Any]) -> None:
        self._batch.append(entry)

    def finish_bundle(self) -> None:
        if self._batch:
            _dump(self._batch, Path(self._directory) / f"{uuid.uuid4().hex}{_SUFFIX}")
        self._batch = []


class StageEntries(beam.PTransform):
    """Write the entries to ``directory`` for the driver to chunk (:func:`load_staged`)."""

    def __init__(self, directory: str | Path) -> None:
        super().__init__()
        self._directory = str(directory)

    def expand(self, entries: beam.PCollection) -> beam.PCollection:
        return entries | "StageEntries" >> beam.ParDo(_StageEntriesFn(self._directory))


def _dump(items: list[Any], path: Path) -> None:
    # written to a temporary name and renamed: a file the driver finds is a whole file
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as f:
        pickle.dump(items, f, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)


def _load(path: Path) -> list[Any]:
    with path.open("rb") as f:
        return pickle.load(f)  # our own files, written by this run (never fetched content)


def load_staged(directory: Path) -> list[dict[str, Any]]:
    """Every staged entry, sorted by ``article_id`` so that chunks do not depend on bundle order."""
    if not directory.is_dir():
        return []
    entries = [e for path in sorted(directory.glob(f"*{_SUFFIX}")) for e in _load(path)]
    return sorted(entries, key=lambda e: e["article_id"])


def write_chunks(entries: Sequence[dict[str, Any]], directory: Path, size: int) -> list[Path]:
    """Split ``entries`` into files of at most ``size`` entries; returns their paths in order.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     paths = write_chunks([{"article_id": str(i)} for i in range(5)], Path(d), 2)
    ...     [len(_load(p)) for p in paths]
    [2, 2, 1]
    """
    if size < 1:
        raise ValueError(f"chunk size must be at least 1, got {size}")
    paths = []
    for i, start in enumerate(range(0, len(entries), size)):
        path = directory / f"chunk-{i:05d}{_SUFFIX}"
        _dump(list(entries[start : start + size]), path)
        paths.append(path)
    return paths


def _read_chunk(path: str) -> Iterator[dict[str, Any]]:
    yield from _load(Path(path))


class ReadChunk(beam.PTransform):
    """The entries of one chunk file (FetchPages, next, spreads them over the workers by host)."""

    def __init__(self, path: str | Path) -> None:
        super().__init__()
        self._path = str(path)

    def expand(self, pbegin: beam.pvalue.PBegin) -> beam.PCollection:
        return pbegin | "ChunkFile" >> beam.Create([self._path]) | "ReadEntries" >> beam.FlatMap(_read_chunk)
