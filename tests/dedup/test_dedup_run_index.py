"""RunIndex: the run's sketches by position, its key lookups and its LSH candidate pairs (pure)."""

from __future__ import annotations

import itertools
import pickle
import random

import numpy as np
import pytest
from dedup_support import JIJI, SAME_EVENT, UNRELATED, article, paragraphs

from pipeline.dedup.minhash import band_hashes
from pipeline.dedup.run_index import RunIndex
from pipeline.dedup.sketch import DedupParams, make_sketch

PARAMS = DedupParams()


def _sketches(bodies: dict[str, str]) -> list:
    return [make_sketch(article(aid, body, 0), PARAMS) for aid, body in bodies.items()]


def _corpus(seed: int) -> dict[str, str]:
    """Bodies with exact copies, near copies, empty and one-word texts, and unrelated stories."""
    rng = random.Random(seed)
    paras = paragraphs(JIJI)
    base = [JIJI, SAME_EVENT, UNRELATED, "\n\n".join(paras[1:]), "\n\n".join(paras[:3])]
    bodies = {}
    for i in range(40):
        pick = rng.choice(base)
        kind = rng.randrange(4)
        if kind == 1:
            pick = pick + "\n\nA closing line about something else entirely, number " + str(i)
        elif kind == 2:
            pick = rng.choice(["", "Tokyo.", "Short brief on the talks."])
        bodies[f"a{rng.randrange(10**6):06d}-{i}"] = pick
    return bodies


def test_positions_follow_article_ids_and_each_sketch_comes_back() -> None:
    sketches = _sketches({"b": JIJI, "a": UNRELATED, "c": ""})
    index = RunIndex.build(sketches)
    assert index.ids == ("a", "b", "c") and len(index) == 3
    assert [index.position(a) for a in ("a", "c", "zz", "")] == [0, 2, None, None]
    for s in sketches:
        back = index.sketch(index.position(s.article_id))
        assert (back.article_id, back.content_hash, back.num_shingles, back.bands, back.source_id) == (
            s.article_id, s.content_hash, s.num_shingles, s.bands, s.source_id)  # fmt: skip
        assert np.array_equal(back.signature, s.signature)
    assert index.article_ids == {"a", "b", "c"}
    assert index.content_hashes == {s.content_hash for s in sketches if s.content_hash}
    assert index.bands.size == len({b for s in sketches for b in s.bands})


def test_one_sketch_per_article_id_and_one_set_of_parameters() -> None:
    with pytest.raises(ValueError, match="repeated"):
        RunIndex.build(_sketches({"a": JIJI}) + _sketches({"a": UNRELATED}))
    other = make_sketch(article("b", JIJI, 0), DedupParams(num_perm=64, bands=16))
    with pytest.raises(ValueError, match="different parameters"):
        RunIndex.build([*_sketches({"a": JIJI}), other])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_candidate_pairs_are_the_pairs_sharing_a_join_key(seed: int) -> None:
    sketches = _sketches(_corpus(seed))
    index = RunIndex.build(sketches)
    by_id = {s.article_id: s for s in sketches}
    expected = {
        (i, j)
        for (i, a), (j, b) in itertools.combinations(enumerate(index.ids), 2)
        if set(by_id[a].bands) & set(by_id[b].bands)
        or (by_id[a].content_hash is not None and by_id[a].content_hash == by_id[b].content_hash)
    }
    pairs = list(index.candidate_pairs())
    assert len(pairs) == len(set(pairs))  # each pair once, however many keys it shares
    assert set(pairs) == expected and expected  # the corpus has candidates


def test_sharing_finds_the_run_articles_a_history_row_meets() -> None:
    sketches = _sketches(_corpus(4))
    index = RunIndex.build(sketches)
    probe = make_sketch(article("h", JIJI, 0), PARAMS)
    keys = band_hashes(probe.signature, PARAMS.bands, PARAMS.rows)[0]
    expected = [
        pos
        for pos, aid in enumerate(index.ids)
        if set(index.sketch(pos).bands) & set(probe.bands) or index.content_hash[pos] == probe.content_hash
    ]
    assert index.sharing(keys, probe.content_hash).tolist() == expected and expected
    assert index.sharing(np.empty(0, np.uint64), None).size == 0
    assert RunIndex.build([]).sharing(keys, probe.content_hash).size == 0


def test_the_index_survives_pickling_as_a_side_input_does() -> None:
    index = RunIndex.build(_sketches(_corpus(5)))
    assert index.article_ids  # a cached set, built before pickling, must not break the copy
    back = pickle.loads(pickle.dumps(index))
    assert back.ids == index.ids and np.array_equal(back.signatures, index.signatures)
    assert list(back.candidate_pairs()) == list(index.candidate_pairs())
