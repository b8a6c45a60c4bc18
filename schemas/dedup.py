"""The table deduplication keeps so that a fresh machine dedups against every earlier run.

``signatures`` is a ledger: one row per article each time dedup decides about it. A run writes a row for
each of its articles and a *revision* row for each earlier article whose cluster, representative or
duplicate flag it changed (a new article published before the old representative, or two clusters
joined by a new article). The current state of an article is its row with the latest ``decided_at``
(ties: the greater ``run_id``); the signature is copied unchanged into revision rows.

>>> SIGNATURES.field("signature").type
ListType(list<item: int32>)
"""

from __future__ import annotations

import pyarrow as pa

from schemas.tables import UTC_TS, _schema

SIGNATURES = _schema(
    "signatures",
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("cluster_id", pa.string(), nullable=False),
        pa.field("is_duplicate", pa.bool_(), nullable=False),
        pa.field("duplicate_of", pa.string()),  # the cluster representative's article_id, null for it
        pa.field("published_at", UTC_TS),
        pa.field("content_hash", pa.string()),  # hex SHA-256 of the normalised body (title excluded)
        pa.field("num_shingles", pa.int32(), nullable=False),
        # MinHash values (uint32 bit patterns stored as int32, which DuckDB and every Parquet reader have)
        pa.field("signature", pa.list_(pa.int32()), nullable=False),
        pa.field("num_perm", pa.int32(), nullable=False),
        pa.field("seed", pa.int64(), nullable=False),
        pa.field("shingle_k", pa.int32(), nullable=False),
        pa.field("agency", pa.string()),
        pa.field("source_id", pa.string()),
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("decided_at", UTC_TS, nullable=False),
        pa.field("reason", pa.string(), nullable=False),  # "new", "representative_changed", "clusters_merged"
    ],
    "Dedup history: MinHash signature, cluster and representative of every article, one row per decision.",
)
