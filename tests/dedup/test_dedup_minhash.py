"""MinHash signatures, banding and verification."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.dedup.minhash import (
    MIN_SHINGLES,
    VERIFY_THRESHOLD,
    MinHasher,
    band_hashes,
    band_keys,
    estimate_overlap,
    overlap,
    verify,
)
from pipeline.dedup.text import shingle_array

STORY = (
    "TOKYO: Japan has taken a wait-and-see attitude in response to Russian President Vladimir Putin's "
    "statement that Moscow will accept dialogue with Tokyo under some conditions. The official said Japan "
    "would not do anything that would disrupt the unity of the Group of Seven. Foreign Minister Yoko "
    "Kamikawa underscored the policy of maintaining sanctions against Russia over its invasion of Ukraine. "
    "Former residents have been unable to visit the graves of relatives on the disputed islands since 2022."
)


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    return np.intersect1d(a, b).size / np.union1d(a, b).size


def test_signature_shape_dtype_and_determinism() -> None:
    sh = shingle_array(STORY)
    a, b = MinHasher(128, seed=3).signature(sh), MinHasher(128, seed=3).signature(set(sh.tolist()))
    assert a.dtype == np.uint32 and a.shape == (128,)
    assert (a == b).all()
    assert not (a == MinHasher(128, seed=4).signature(sh)).all()


def test_signature_agreement_estimates_jaccard() -> None:
    rng = np.random.default_rng(0)
    universe = rng.integers(0, 2**63, size=3000, dtype=np.uint64)
    a, b = universe[:2000], universe[1000:]  # Jaccard 1000/3000
    mh = MinHasher(512, seed=1)
    agree = float(np.mean(mh.signature(a) == mh.signature(b)))
    assert abs(agree - 1 / 3) < 0.06


def test_band_keys_are_stable_strings_and_differ_per_band() -> None:
    sig = MinHasher(128).signature(shingle_array(STORY))
    keys = band_keys(sig, bands=32, rows=4)
    assert len(keys) == 32 and keys == band_keys(sig.copy(), bands=32, rows=4)
    assert keys[0].startswith("0:") and len(keys[0].split(":")[1]) == 16
    same_values = np.zeros(8, dtype=np.uint32)
    k0, k1 = band_keys(same_values, bands=2, rows=4)
    assert k0.split(":")[1] != k1.split(":")[1]  # equal values in two bands are different keys
    with pytest.raises(ValueError, match="need 132 values"):
        band_hashes(sig, 33, 4)


def test_band_hashes_vectorised_matches_single() -> None:
    mh = MinHasher(128)
    sigs = np.stack([mh.signature(shingle_array(STORY + " extra" * i)) for i in range(5)])
    matrix = band_hashes(sigs, 32, 4)
    assert matrix.shape == (5, 32)
    assert (matrix[3] == band_hashes(sigs[3], 32, 4)[0]).all()


def test_verify_accepts_copies_and_rejects_other_stories() -> None:
    paragraphs = STORY.split(". ")
    lead_cut = ". ".join(paragraphs[1:])
    with_chrome = "Since 1975\nShort Url:\n" + STORY + "\nJIJI Press\nMost Popular"
    edited = STORY.replace("wait-and-see attitude", "cautious stance")
    other = (
        "MOSCOW: Russia's Foreign Ministry summoned Japan's ambassador to protest new sanctions, saying "
        "Tokyo had chosen confrontation. Foreign Minister Yoko Kamikawa underscored the policy of "
        "maintaining sanctions against Russia over its invasion of Ukraine. Officials said the dispute over "
        "the islands would not be discussed while relations remain frozen, and trade has fallen by half."
    )
    for copy in (lead_cut, with_chrome, edited):
        assert verify(STORY, copy) >= VERIFY_THRESHOLD
    assert verify(STORY, other) < VERIFY_THRESHOLD
    assert verify(STORY, "Talks resumed.") == 0.0  # too short to verify: only an equal hash links it


def test_overlap_is_containment_of_the_smaller_set() -> None:
    big = np.arange(100, dtype=np.uint64)
    assert overlap(big[:50], big) == 1.0
    assert overlap(big[: MIN_SHINGLES - 1], big) == 0.0
    assert overlap(set(range(20)), set(range(10, 40))) == 0.5


def test_estimate_overlap_tracks_exact_overlap() -> None:
    mh = MinHasher(128, seed=1)
    rng = np.random.default_rng(5)
    for share in (0.2, 0.5, 0.9):
        common = rng.integers(0, 2**63, size=int(400 * share), dtype=np.uint64)
        a = np.unique(
            np.concatenate([common, rng.integers(0, 2**63, size=400 - common.size, dtype=np.uint64)])
        )
        b = np.unique(
            np.concatenate([common, rng.integers(0, 2**63, size=500 - common.size, dtype=np.uint64)])
        )
        est = estimate_overlap(mh.signature(a), a.size, mh.signature(b), b.size)
        assert abs(est - overlap(a, b)) < 0.12, (share, est)
