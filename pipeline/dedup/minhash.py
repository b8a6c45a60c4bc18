"""MinHash signatures, LSH band keys and candidate verification.

A signature is ``num_perm`` minima of universal hashes (multiply-shift, Dietzfelbinger et al.) over an
article's shingles, so two signatures agree in a position with probability equal to the Jaccard
similarity of the two shingle sets. Banding cuts the signature into ``bands`` bands of ``rows`` values;
two articles become candidates when one band agrees, which happens with probability
``1 - (1 - J**rows) ** bands``. Candidates are then *verified* (:func:`verify`, :func:`estimate_overlap`)
before anything is linked.

>>> from pipeline.dedup.text import shingles
>>> mh = MinHasher(num_perm=64, seed=1)
>>> a = mh.signature(shingles("Japan and Russia resumed talks on a peace treaty in Moscow on Monday."))
>>> b = mh.signature(shingles("Japan and Russia resumed talks on a peace treaty in Moscow on Monday!"))
>>> bool((a == b).all()), len(band_keys(a, bands=16, rows=4))
(True, 16)
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from pipeline.dedup.text import shingle_array

#: Default MinHash size and banding: 32 bands of 4 rows. A pair at Jaccard 0.5 becomes a candidate with
#: probability 0.87, at 0.6 with 0.98, at 0.2 with 0.05; verification then decides.
NUM_PERM = 128
BANDS = 32
ROWS = 4

#: A candidate pair is linked when the overlap coefficient of its shingle sets, |A∩B| / min(|A|, |B|),
#: is at least this. Copies (retitled, reordered, lead cut, chrome, one or two sentences edited) score
#: 0.6-1.0; different stories on the same event that share names and set phrases score below 0.3 in
#: the evaluation set (benchmarks/dedup_eval.py prints both distributions).
VERIFY_THRESHOLD = 0.5

#: Both sides of a verified pair need at least this many shingles: a two-line brief contained in a long
#: article is not a copy of it. Shorter texts are linked only through an equal content hash.
MIN_SHINGLES = 8

_EMPTY = np.iinfo(np.uint32).max
_CHUNK = 1024  # shingles hashed at once: a 1 MB buffer at 128 permutations


class MinHasher:
    """Computes MinHash signatures of shingle sets; the same ``(num_perm, seed)`` gives the same hashes.

    Each permutation is ``h(x) = (a*x + b) mod 2**64 >> 32`` with an odd random ``a``: a universal family
    over 64-bit shingle hashes, computed for all shingles and permutations at once with numpy.

    >>> MinHasher(num_perm=4, seed=7).signature(set()).tolist()  # no shingles: all "empty" values
    [4294967295, 4294967295, 4294967295, 4294967295]
    """

    def __init__(self, num_perm: int = NUM_PERM, seed: int = 1) -> None:
        if num_perm < 1:
            raise ValueError(f"num_perm must be >= 1, got {num_perm}")
        self.num_perm = num_perm
        self.seed = seed
        rng = np.random.default_rng(seed)
        self._a = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
        self._b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64)

    def signature(self, shingles: Iterable[int] | np.ndarray) -> np.ndarray:
        """The ``uint32`` signature of ``shingles`` (ints in ``[0, 2**64)``), of length ``num_perm``."""
        values = (
            shingles.astype(np.uint64, copy=False)
            if isinstance(shingles, np.ndarray)
            else np.fromiter(shingles, dtype=np.uint64)
        )
        if values.size == 0:
            return np.full(self.num_perm, _EMPTY, dtype=np.uint32)
        out = np.full(self.num_perm, np.uint64(_EMPTY), dtype=np.uint64)
        # Chunked so that a very long text does not build one huge (shingles x num_perm) matrix, and
        # computed in place in one buffer: temporaries cost more than the arithmetic (2.5x slower).
        buf = np.empty((min(_CHUNK, values.size), self.num_perm), dtype=np.uint64)
        for start in range(0, values.size, _CHUNK):
            chunk = values[start : start + _CHUNK, None]
            hashed = buf[: chunk.shape[0]]
            with np.errstate(over="ignore"):
                np.multiply(chunk, self._a, out=hashed)
                hashed += self._b
            hashed >>= np.uint64(32)
            np.minimum(out, hashed.min(axis=0), out=out)
        return out.astype(np.uint32)

    def text_signature(self, text: str, k: int = 5) -> tuple[np.ndarray, int]:
        """The signature of ``text``'s word ``k``-gram shingles and how many shingles there were."""
        arr = shingle_array(text, k)
        return self.signature(arr), int(arr.size)


_BAND_MIX = np.uint64(0xFF51AFD7ED558CCD)  # murmur3 fmix64 constants: a cheap, well-spread 64-bit mix
_BAND_MIX2 = np.uint64(0xC4CEB9FE1A85EC53)


def _fmix(h: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        h = h ^ (h >> np.uint64(33))
        h = h * _BAND_MIX
        h = h ^ (h >> np.uint64(33))
        h = h * _BAND_MIX2
        return h ^ (h >> np.uint64(33))


def band_hashes(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """``uint64`` hash per band for a ``(n, num_perm)`` matrix (or one signature): shape ``(n, bands)``.

    The band's index is mixed in, so equal values in different bands give different hashes. Vectorised:
    200,000 signatures take well under a second.
    """
    sig = np.atleast_2d(np.asarray(signatures, dtype=np.uint32))
    if bands * rows > sig.shape[1]:
        raise ValueError(
            f"{bands} bands x {rows} rows need {bands * rows} values, signature has {sig.shape[1]}"
        )
    cut = sig[:, : bands * rows].reshape(sig.shape[0], bands, rows).astype(np.uint64)
    h = np.broadcast_to(np.arange(1, bands + 1, dtype=np.uint64) << np.uint64(40), cut.shape[:2]).copy()
    for j in range(rows):
        h = _fmix(h ^ cut[:, :, j])
    return h


def band_keys(signature: np.ndarray, bands: int = BANDS, rows: int = ROWS) -> list[str]:
    """Stable string keys, one per band: ``"<band>:<16 hex digits>"``. Equal keys make a candidate pair.

    >>> band_keys(np.zeros(8, dtype=np.uint32), bands=2, rows=4)[0][:2]
    '0:'
    """
    return [f"{i}:{int(h):016x}" for i, h in enumerate(band_hashes(signature, bands, rows)[0])]


def overlap(a: np.ndarray | set[int], b: np.ndarray | set[int]) -> float:
    """Overlap coefficient ``|A∩B| / min(|A|, |B|)`` of two shingle sets (0.0 if either is too small).

    Containment of the smaller in the larger, not Jaccard: a copy with the lead cut or with chrome
    added is (nearly) contained in the other, while its Jaccard drops with every paragraph of difference.
    """
    a_arr = np.fromiter(a, dtype=np.uint64) if isinstance(a, set) else a
    b_arr = np.fromiter(b, dtype=np.uint64) if isinstance(b, set) else b
    smaller = min(a_arr.size, b_arr.size)
    if smaller < MIN_SHINGLES:
        return 0.0
    common = np.intersect1d(a_arr, b_arr, assume_unique=True).size
    return common / smaller


def verify(a_body: str, b_body: str, k: int = 5) -> float:
    """Similarity of two bodies for verifying an LSH candidate: :func:`overlap` of their shingles.

    Link the pair when the result is at least :data:`VERIFY_THRESHOLD` (0.5).

    >>> s = "Japan and Russia agreed on Monday to resume talks on fishing near the disputed islands."
    >>> verify(s, "Since 1975\\n" + s + " Talks start in May.") >= VERIFY_THRESHOLD
    True
    """
    return overlap(shingle_array(a_body, k), shingle_array(b_body, k))


def estimate_overlap(sig_a: np.ndarray, n_a: int, sig_b: np.ndarray, n_b: int) -> float:
    """:func:`overlap` estimated from two MinHash signatures and the shingle counts behind them.

    Used against history, whose bodies are not at hand: with ``J`` the share of equal signature values,
    ``|A∩B| = J (|A| + |B|) / (1 + J)``. With 128 values the standard error of ``J`` is at most 0.045.
    """
    smaller = min(n_a, n_b)
    if smaller < MIN_SHINGLES:
        return 0.0
    j = float(np.count_nonzero(np.asarray(sig_a) == np.asarray(sig_b))) / len(sig_a)
    return min(1.0, j * (n_a + n_b) / (1.0 + j) / smaller)
