"""Reading history (``signatures`` and ``articles`` Parquet files) filtered down to what the run can touch.

History can be large (hundreds of thousands of rows) and the run small, so history is never broadcast
or exploded row by row: each file is read in Arrow batches, its band keys are computed for the whole
batch with numpy, and only rows sharing a band key, a content hash or an article id with the run (or
belonging to a named cluster) leave the reader. What travels is the index of the *run*
(:class:`~pipeline.dedup.run_index.RunIndex`).

>>> idx = RunIndex.build([])
>>> idx.article_ids, idx.bands.size
(frozenset(), 0)
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.dedup.minhash import band_hashes
from pipeline.dedup.run_index import RunIndex
from pipeline.dedup.sketch import DedupParams
from schemas.dedup import SIGNATURES

BATCH_ROWS = 65_536


def _check_params(batch: pa.RecordBatch, params: DedupParams, path: str) -> None:
    for column, expected in (("num_perm", params.num_perm), ("seed", params.seed), ("shingle_k", params.k)):
        values = pc.unique(batch.column(column)).to_pylist()
        if values != [expected]:
            raise ValueError(
                f"{path}: history signatures were made with {column}={values}, this run uses {expected}; "
                "re-sketch history or run with the same dedup parameters"
            )


def signature_matrix(batch: pa.RecordBatch, num_perm: int) -> np.ndarray:
    """The ``signature`` column of ``batch`` as a ``(rows, num_perm)`` uint32 matrix."""
    column = batch.column("signature")
    if column.null_count:
        raise ValueError("signature column holds nulls")
    values = column.flatten().to_numpy(zero_copy_only=False).astype(np.int32, copy=False)
    if values.size != batch.num_rows * num_perm:
        raise ValueError(f"signature lengths differ from num_perm={num_perm}")
    return values.view(np.uint32).reshape(batch.num_rows, num_perm)


def _rows(batch: pa.RecordBatch, sig: np.ndarray, picked: np.ndarray) -> Iterator[dict[str, Any]]:
    if picked.size == 0:
        return
    taken = batch.take(pa.array(picked)).drop_columns(["signature"]).to_pylist()
    for row, i in zip(taken, picked, strict=True):
        row["signature"] = sig[i].copy()
        yield row


def _batches(path: str) -> Iterator[pa.RecordBatch]:
    pf = pq.ParquetFile(path)
    missing = [name for name in SIGNATURES.names if name not in pf.schema_arrow.names]
    if missing:
        raise ValueError(f"{path} is not a signatures file: it lacks {missing}")
    yield from pf.iter_batches(batch_size=BATCH_ROWS, columns=SIGNATURES.names)


def scan_matching(path: str, index: RunIndex, params: DedupParams) -> Iterator[dict[str, Any]]:
    """Rows of the signatures file at ``path`` that share a band key, content hash or article id with the run.

    Each yielded row is a dict of the SIGNATURES columns with ``signature`` as a uint32 array.
    """
    for batch in _batches(path):
        if batch.num_rows == 0:
            continue
        _check_params(batch, params, path)
        sig = signature_matrix(batch, params.num_perm)
        hit = np.zeros(batch.num_rows, dtype=bool)
        if index.bands.size:
            bands = band_hashes(sig, params.bands, params.rows)
            has_shingles = batch.column("num_shingles").to_numpy(zero_copy_only=False) > 0
            hit |= np.isin(bands, index.bands).any(axis=1) & has_shingles
        if index.content_hashes:
            hashes = pa.array(sorted(index.content_hashes), pa.string())
            hit |= pc.fill_null(pc.is_in(batch.column("content_hash"), value_set=hashes), False).to_numpy(
                zero_copy_only=False
            )
        if index.article_ids:
            ids = pa.array(sorted(index.article_ids), pa.string())
            hit |= pc.is_in(batch.column("article_id"), value_set=ids).to_numpy(zero_copy_only=False)
        yield from _rows(batch, sig, np.flatnonzero(hit))


def scan_clusters(path: str, cluster_ids: frozenset[str], params: DedupParams) -> Iterator[dict[str, Any]]:
    """Rows of the signatures file at ``path`` whose ``cluster_id`` is one of ``cluster_ids``."""
    wanted = pa.array(sorted(cluster_ids), pa.string())
    for batch in _batches(path) if cluster_ids else ():
        if batch.num_rows == 0:
            continue
        hit = pc.is_in(batch.column("cluster_id"), value_set=wanted).to_numpy(zero_copy_only=False)
        if hit.any():
            _check_params(batch, params, path)
            yield from _rows(batch, signature_matrix(batch, params.num_perm), np.flatnonzero(hit))


def scan_rows(path: str, columns: Sequence[str], article_ids: Collection[str]) -> Iterator[dict[str, Any]]:
    """``columns`` of the rows of the Parquet file at ``path`` whose ``article_id`` is in ``article_ids``.

    For the committed ``articles`` files: FilterSeen and AssignVersions need the few committed rows of
    the run's articles, not a dict per history row (200,000 of those cost seconds and hundreds of MB
    before any join). A column the file lacks (written before the schema grew) reads as None.
    """
    if not article_ids:
        return
    pf = pq.ParquetFile(path)
    present = [c for c in columns if c in pf.schema_arrow.names]
    if "article_id" not in present:
        raise ValueError(f"{path} has no article_id column")
    wanted = pa.array(sorted(article_ids), pa.string())
    for batch in pf.iter_batches(batch_size=BATCH_ROWS, columns=present):
        hit = pc.fill_null(pc.is_in(batch.column("article_id"), value_set=wanted), False)
        for row in batch.filter(hit).to_pylist():
            yield {c: row.get(c) for c in columns}


def latest(rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The current row of one article among its rows: latest ``decided_at``, ties by greater ``run_id``."""
    return max(rows, key=lambda r: (r["decided_at"], r["run_id"]))
