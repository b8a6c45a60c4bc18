"""``RunIndex``: everything dedup needs to know about the run's articles, in one compact object.

The index is *run-sized* and is built in one place (a CombineGlobally of the run's sketches), then read as
a side input: by the history scan (which history rows share a key with the run), by the history links
(a matched history row is compared with the run articles sharing its keys right where it is scanned),
by the run×run candidate search, by the union-find, and by the decisions (which write each article's
signature row from it). It holds the run's sketches without body text or shingles, about 1.6 KB per
article: the MinHash signature (``num_perm`` x 4 bytes = 512 B by default), the band keys in order
(8 B per band: 256 B) and once more sorted with the position owning each (16 B per key: ~530 B), and
the article's id, content hash, publication time, agency and source (~300 B of Python objects).
20,000 articles: about 32 MB. History never enters it.

>>> from pipeline.dedup.sketch import DedupParams, make_sketch
>>> p = DedupParams(num_perm=16, bands=4, rows=4)
>>> body = "Japan and Russia resumed talks on fishing quotas near the disputed islands on Monday."
>>> idx = RunIndex.build([make_sketch({"article_id": a, "body": body}, p) for a in ("b", "a")])
>>> idx.ids, sorted(idx.candidate_pairs())
(('a', 'b'), [(0, 1)])
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from itertools import combinations, pairwise

import numpy as np

from pipeline.dedup.sketch import Sketch, hash_key


def _sorted_keys(keys: np.ndarray, owners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``keys`` sorted, and the position owning each."""
    order = np.argsort(keys, kind="stable")
    return keys[order].astype(np.uint64, copy=False), owners[order].astype(np.int64, copy=False)


@dataclass(frozen=True, eq=False)
class RunIndex:
    """The run's articles by position (sorted by ``article_id``) and their join keys.

    ``band_keys``/``band_pos`` and ``hash_keys``/``hash_pos`` are sorted key arrays and the position of
    the article owning each key: articles sharing a band key (or an exact content hash) are LSH
    candidates. An article without shingles has no band keys; one without words has no hash key.
    """

    ids: tuple[str, ...]
    content_hash: tuple[str | None, ...]
    published_at: tuple[datetime | None, ...]
    agency: tuple[str | None, ...]
    source_id: tuple[str | None, ...]
    num_shingles: np.ndarray = field(repr=False)  # int64[n]
    signatures: np.ndarray = field(repr=False)  # uint32[n, num_perm]
    band_matrix: np.ndarray = field(repr=False)  # uint64[n, bands], each article's band keys in order
    band_keys: np.ndarray = field(repr=False)  # uint64, sorted
    band_pos: np.ndarray = field(repr=False)  # int64, aligned with band_keys
    hash_keys: np.ndarray = field(repr=False)  # uint64, sorted
    hash_pos: np.ndarray = field(repr=False)  # int64, aligned with hash_keys

    @classmethod
    def build(cls, sketches: Iterable[Sketch]) -> RunIndex:
        """Index the sketches of one run (one sketch per article_id, all made with the same parameters).

        >>> RunIndex.build([]).signatures.shape
        (0, 0)
        """
        ordered = sorted(sketches, key=lambda s: s.article_id)
        ids = tuple(s.article_id for s in ordered)
        repeated = sorted({a for a, b in pairwise(ids) if a == b})
        if repeated:
            raise ValueError(f"RunIndex needs one sketch per article_id; repeated: {repeated[:5]}")
        widths = {s.signature.size for s in ordered}
        bands = {len(s.bands) for s in ordered if s.bands}
        if len(widths) > 1 or len(bands) > 1:
            raise ValueError(f"RunIndex: sketches made with different parameters {widths} {bands}")
        width = bands.pop() if bands else 0
        band_matrix = np.zeros((len(ordered), width), dtype=np.uint64)
        for pos, s in enumerate(ordered):
            if s.bands:
                band_matrix[pos] = s.bands
        has_bands = np.array([bool(s.bands) for s in ordered], dtype=bool)
        owners = np.broadcast_to(np.arange(len(ordered), dtype=np.int64)[:, None], band_matrix.shape)
        band_keys, band_pos = _sorted_keys(band_matrix[has_bands].ravel(), owners[has_bands].ravel())
        hashed = [(hash_key(s.content_hash), pos) for pos, s in enumerate(ordered) if s.content_hash]
        hash_keys, hash_pos = _sorted_keys(
            np.array([key for key, _ in hashed], dtype=np.uint64),
            np.array([pos for _, pos in hashed], np.int64),
        )
        signatures = (
            np.stack([s.signature for s in ordered]).astype(np.uint32, copy=False)
            if ordered
            else np.empty((0, 0), dtype=np.uint32)
        )
        return cls(
            ids=ids,
            content_hash=tuple(s.content_hash for s in ordered),
            published_at=tuple(s.published_at for s in ordered),
            agency=tuple(s.agency for s in ordered),
            source_id=tuple(s.source_id for s in ordered),
            num_shingles=np.array([s.num_shingles for s in ordered], dtype=np.int64),
            signatures=signatures,
            band_matrix=band_matrix,
            band_keys=band_keys,
            band_pos=band_pos,
            hash_keys=hash_keys,
            hash_pos=hash_pos,
        )

    def sketch(self, pos: int) -> Sketch:
        """The sketch of the article at ``pos``, as it was indexed.

        >>> from pipeline.dedup.sketch import DedupParams, make_sketch
        >>> s = make_sketch({"article_id": "a", "body": "Talks resumed in Moscow."}, DedupParams())
        >>> back = RunIndex.build([s]).sketch(0)
        >>> back.bands == s.bands, bool((back.signature == s.signature).all()), back.num_shingles
        (True, True, 1)
        """
        return Sketch(
            article_id=self.ids[pos],
            published_at=self.published_at[pos],
            content_hash=self.content_hash[pos],
            num_shingles=int(self.num_shingles[pos]),
            signature=self.signatures[pos].copy(),
            bands=tuple(int(b) for b in self.band_matrix[pos]) if self.num_shingles[pos] else (),
            agency=self.agency[pos],
            source_id=self.source_id[pos],
        )

    def __len__(self) -> int:
        return len(self.ids)

    # cached on first use by each reader: they are built after the index is decoded, not shipped with it
    @cached_property
    def article_ids(self) -> frozenset[str]:
        """The run's article ids as a set."""
        return frozenset(self.ids)

    @cached_property
    def content_hashes(self) -> frozenset[str]:
        """The run's content hashes (articles with words only)."""
        return frozenset(h for h in self.content_hash if h is not None)

    @cached_property
    def bands(self) -> np.ndarray:
        """Sorted unique band keys of the run: what a history row's band keys are matched against."""
        return np.unique(self.band_keys)

    def position(self, article_id: str) -> int | None:
        """The position of ``article_id`` in the run, or None if it is not a run article."""
        i = bisect.bisect_left(self.ids, article_id)
        return i if i < len(self.ids) and self.ids[i] == article_id else None

    def sharing(self, band_keys: np.ndarray, content_hash: str | None) -> np.ndarray:
        """Sorted unique positions of the run articles sharing one of ``band_keys`` or the content hash."""
        found = [_owners(self.band_keys, self.band_pos, np.asarray(band_keys, dtype=np.uint64))]
        if content_hash is not None:
            key = np.array([hash_key(content_hash)], dtype=np.uint64)
            found.append(_owners(self.hash_keys, self.hash_pos, key))
        return np.unique(np.concatenate(found))

    def candidate_pairs(self) -> Iterator[tuple[int, int]]:
        """Every pair of positions ``(i, j)``, ``i < j``, sharing a band key or a content-hash key, once.

        A key shared by ``m`` articles gives ``m (m - 1) / 2`` pairs, as a GroupByKey over band keys
        would; exact copies are the common case and are linked without further work by the caller.
        """
        seen: set[tuple[int, int]] = set()
        for keys, pos in ((self.band_keys, self.band_pos), (self.hash_keys, self.hash_pos)):
            for group in _groups(keys, pos):
                for pair in combinations(group.tolist(), 2):
                    if pair not in seen:
                        seen.add(pair)
                        yield pair


def _owners(keys: np.ndarray, pos: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Positions owning any of ``wanted`` in the sorted ``keys``."""
    if keys.size == 0 or wanted.size == 0:
        return np.empty(0, dtype=np.int64)
    lo = np.searchsorted(keys, wanted, side="left")
    hi = np.searchsorted(keys, wanted, side="right")
    hits = [pos[a:b] for a, b in zip(lo.tolist(), hi.tolist(), strict=True) if b > a]
    return np.concatenate(hits) if hits else np.empty(0, dtype=np.int64)


def _groups(keys: np.ndarray, pos: np.ndarray) -> Iterator[np.ndarray]:
    """The sorted unique owner positions of each key owned by two or more articles."""
    if keys.size < 2:
        return
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    ends = np.append(starts[1:], keys.size)
    shared = ends - starts > 1  # most keys belong to one article: skip them without a Python loop
    for s, e in zip(starts[shared].tolist(), ends[shared].tolist(), strict=True):
        owners = np.unique(pos[s:e])
        if owners.size > 1:
            yield owners
