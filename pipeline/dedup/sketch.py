"""An article's dedup sketch (hash, MinHash, band keys) and its row in the ``signatures`` table.

>>> p = DedupParams(num_perm=16, bands=4, rows=4)
>>> s = make_sketch({"article_id": "a1", "body": "Tokyo and Moscow held talks.", "source_id": "x"}, p)
>>> s.num_shingles, len(s.bands)
(1, 4)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

import numpy as np

from pipeline.dedup.minhash import BANDS, NUM_PERM, ROWS, MinHasher, band_hashes
from pipeline.dedup.text import hash_tokens, shingle_tokens, tokens


@dataclass(frozen=True)
class DedupParams:
    """MinHash and banding settings. History rows made with other settings cannot be compared."""

    num_perm: int = NUM_PERM
    seed: int = 1
    bands: int = BANDS
    rows: int = ROWS
    k: int = 5  # words per shingle

    def __post_init__(self) -> None:
        if self.bands * self.rows > self.num_perm:
            raise ValueError(f"bands x rows = {self.bands * self.rows} exceeds num_perm = {self.num_perm}")
        if min(self.num_perm, self.bands, self.rows, self.k) < 1:
            raise ValueError(f"dedup parameters must be positive: {self}")

    @cached_property
    def hasher(self) -> MinHasher:
        return MinHasher(self.num_perm, self.seed)


def hash_key(digest: str) -> int:
    """A 64-bit join key from a hex content hash (its first 16 hex digits)."""
    return int(digest[:16], 16)


@dataclass(frozen=True)
class Sketch:
    """What dedup needs of one article. ``content_hash`` is None for a body without words."""

    article_id: str
    published_at: datetime | None
    content_hash: str | None
    num_shingles: int
    signature: np.ndarray = field(repr=False)  # uint32[num_perm]
    bands: tuple[int, ...] = field(repr=False)  # one 64-bit key per band; empty without shingles
    agency: str | None = None
    source_id: str | None = None

    def join_keys(self) -> list[int]:
        """Band keys, plus the content-hash key: exact copies always meet, however short."""
        keys = list(self.bands)
        if self.content_hash is not None:
            keys.append(hash_key(self.content_hash))
        return keys


def make_sketch(article: dict[str, Any], params: DedupParams) -> Sketch:
    """The sketch of an article dict (``article_id``, ``body``, ``published_at``, ``agency``, ...)."""
    words = tokens(article.get("body") or "")
    arr = shingle_tokens(words, params.k)
    sig = params.hasher.signature(arr)
    bands = tuple(int(h) for h in band_hashes(sig, params.bands, params.rows)[0]) if arr.size else ()
    return Sketch(
        article_id=article["article_id"],
        published_at=article.get("published_at"),
        # the title is left out of the hash on purpose: see text.content_hash
        content_hash=hash_tokens(words) if words else None,
        num_shingles=int(arr.size),
        signature=sig,
        bands=bands,
        agency=article.get("agency"),
        source_id=article.get("source_id"),
    )


def signature_row(
    sketch: Sketch,
    *,
    cluster_id: str,
    is_duplicate: bool,
    duplicate_of: str | None,
    agency: str | None,
    params: DedupParams,
    run_id: str,
    decided_at: datetime,
    reason: str = "new",
) -> dict[str, Any]:
    """The ``signatures`` row (schemas/dedup.py) recording the decision about ``sketch``."""
    return {
        "article_id": sketch.article_id,
        "cluster_id": cluster_id,
        "is_duplicate": is_duplicate,
        "duplicate_of": duplicate_of,
        "published_at": sketch.published_at,
        "content_hash": sketch.content_hash,
        "num_shingles": sketch.num_shingles,
        "signature": sketch.signature.view(np.int32).tolist(),
        "num_perm": params.num_perm,
        "seed": params.seed,
        "shingle_k": params.k,
        "agency": agency,
        "source_id": sketch.source_id,
        "run_id": run_id,
        "decided_at": decided_at,
        "reason": reason,
    }
