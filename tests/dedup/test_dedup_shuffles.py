"""What dedup sends across stage boundaries: candidate routing, verification, and a budget per article.

Issue 7: the runner encodes every element at every GroupByKey, side input and materialised PCollection.
Dedup used to cross them about 90 times per article (one band row per LSH band, the body carried
through four groupings); the budget test keeps it to a handful.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import apache_beam as beam
import numpy as np
import pytest
from apache_beam.runners.worker import bundle_processor
from apache_beam.testing.util import assert_that, equal_to
from dedup_support import JIJI, UNRELATED, article, dump_rows, paragraphs, run_dedup

from pipeline.dedup import transforms
from pipeline.dedup.assign_versions import AssignVersions
from pipeline.dedup.evalset import build_evalset, clustered_pairs, true_pairs
from pipeline.dedup.run_index import RunIndex
from pipeline.dedup.sketch import DedupParams, make_sketch
from pipeline.dedup.text import shingle_array
from pipeline.dedup.transforms import DeduplicateArticles, _run_candidates, _send_shingles, _verify

PARAMS = DedupParams()
COPY = "\n\n".join(paragraphs(JIJI)[1:])  # the lead cut: a near copy, not an exact one


def _index(bodies: dict[str, str]) -> RunIndex:
    return RunIndex.build(make_sketch(article(aid, body, 0), PARAMS) for aid, body in bodies.items())


def _routes(index: RunIndex) -> tuple[list[tuple[str, str]], dict]:
    out = list(_run_candidates(b"", index))
    exact = sorted(o.value for o in out if isinstance(o, beam.pvalue.TaggedOutput))
    return exact, dict(o for o in out if not isinstance(o, beam.pvalue.TaggedOutput))


def test_exact_copies_are_linked_at_once_and_a_candidate_group_is_verified_at_one_site() -> None:
    exact, routes = _routes(_index({"c": JIJI, "a": JIJI, "b": COPY, "z": UNRELATED}))
    assert exact == [("a:a", "a:c")]
    # near pairs (a, b) and (b, c) form one group: verified at its smallest id; z takes no part
    assert routes == {
        "a": (("a",), (("a", "b"), ("b", "c"))),
        "b": (("a",), ()),
        "c": (("a",), ()),
    }


def test_a_group_larger_than_the_hub_limit_is_verified_pair_by_pair(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transforms, "HUB_LIMIT", 2)
    _, routes = _routes(_index({"c": JIJI, "a": JIJI, "b": COPY}))
    # each near pair at its greater id: a sends to b, b verifies (a, b) and sends to c, c verifies (b, c)
    assert routes == {
        "a": (("b",), ()),
        "b": (("b", "c"), (("a", "b"),)),
        "c": (("c",), (("b", "c"),)),
    }


def test_every_near_pair_is_verified_once_where_both_shingles_arrive() -> None:
    bodies = {f"x{i}": JIJI + f"\n\nLine {i} of a different ending." for i in range(6)}
    bodies |= {"y": COPY, "z": UNRELATED, "w": JIJI}
    index = _index(bodies)
    exact, routes = _routes(index)
    verified = [pair for _, (_, pairs) in routes.items() for pair in pairs]
    near = {
        (index.ids[i], index.ids[j])
        for i, j in index.candidate_pairs()
        if ("a:" + index.ids[i], "a:" + index.ids[j]) not in exact
    }
    assert sorted(verified) == sorted(near) and len(verified) == len(set(verified))
    for site, (_, pairs) in routes.items():
        for a, b in pairs:
            assert site in routes[a][0] and site in routes[b][0]


def test_shingles_go_to_their_sites_and_verification_links_copies_only() -> None:
    routes = {"a": (("a",), (("a", "b"), ("a", "z"))), "b": (("a",), ()), "z": (("a",), ())}
    sent = list(_send_shingles(article("a", JIJI, 0), routes, 5))
    assert sent == [("a", ("a", shingle_array(JIJI, 5).tobytes()))]
    assert list(_send_shingles(article("q", UNRELATED, 0), routes, 5)) == []  # no candidates: nothing
    received = [
        sent[0][1],
        *(v for _, v in _send_shingles(article("b", COPY, 0), routes, 5)),
        *(v for _, v in _send_shingles(article("z", UNRELATED, 0), routes, 5)),
    ]
    assert list(_verify(("a", received), routes, 0.5)) == [("a:a", "a:b")]
    with pytest.raises(RuntimeError, match="did not reach"):
        list(_verify(("a", received[:2]), routes, 0.5))


@pytest.mark.parametrize("hub_limit", [64, 4])
def test_a_key_shared_by_many_articles_links_them_all(
    monkeypatch: pytest.MonkeyPatch, hub_limit: int
) -> None:
    """Thirty copies of one story (ten exact, twenty near) in one run: one cluster, one representative.

    Verified at one site, and (with a small hub limit; FnApiRunner runs in this process) pair by pair.
    """
    monkeypatch.setattr(transforms, "HUB_LIMIT", hub_limit)
    paras = paragraphs(JIJI)
    articles = [article(f"x{i:02d}", JIJI, i) for i in range(10)]
    articles += [article(f"y{i:02d}", "\n\n".join([*paras[1:], f"Line {i}."]), 10 + i) for i in range(20)]
    with beam.Pipeline(runner="FnApiRunner") as p:
        out = p | beam.Create(articles) | DeduplicateArticles(run_id="r")
        flags = out["articles"] | beam.Map(lambda a: (a["cluster_id"], a["duplicate_of"]))
        expected = [("x00", None)] + [("x00", "x00")] * 29
        assert_that(flags, equal_to(expected))


class _Encoded:
    def __init__(self) -> None:
        self.elements = 0
        self.bytes = 0


@pytest.fixture
def encoded(monkeypatch: pytest.MonkeyPatch) -> _Encoded:
    """Count the elements (and bytes) the SDK harness encodes for the runner at stage boundaries."""
    tally = _Encoded()
    original = bundle_processor.DataOutputOperation.process

    def process(self: Any, windowed_value: Any) -> None:
        before = self.output_stream.size()
        original(self, windowed_value)
        tally.elements += 1
        tally.bytes += max(0, self.output_stream.size() - before)  # a flush empties the stream: undercount

    monkeypatch.setattr(bundle_processor.DataOutputOperation, "process", process)
    return tally


def test_few_and_small_elements_cross_stage_boundaries_per_article(tmp_path: Path, encoded: _Encoded) -> None:
    articles = build_evalset(events=12, copies=1, seed=3)  # 72 articles: 36 stories, each with a copy
    body_bytes = np.mean([len(pickle.dumps(a)) for a in articles])
    out = tmp_path / "clusters.pkl"
    with beam.Pipeline(runner="FnApiRunner") as p:
        articles_in = p | beam.Impulse() | beam.FlatMap(lambda _: articles)
        deduped = articles_in | AssignVersions(()) | DeduplicateArticles(run_id="r")
        _ = (
            deduped["articles"]
            | beam.Map(lambda a: (a["article_id"], a["cluster_id"]))  # the sink carries no bodies
            | beam.combiners.ToList()
            | beam.Map(dump_rows, str(out))
        )
    clusters = dict(pickle.loads(out.read_bytes()))
    assert clustered_pairs(clusters) == true_pairs(articles)
    # Per article, the body crosses three boundaries (AssignVersions' wait for its side input, GroupById,
    # the prepared rows that the side-input steps read); besides, a member record, a decision, the
    # signature row, its share of the run index and, for candidates, shingles. The band-row
    # implementation encoded 92 elements and 74 KB per article here (41 bodies' worth).
    per_article = encoded.elements / len(articles)
    assert per_article <= 10, per_article
    assert encoded.bytes / len(articles) <= 8 * body_bytes, (encoded.bytes / len(articles), body_bytes)


def test_a_run_with_no_valid_article_gives_empty_outputs_and_its_rejects(tmp_path: Path) -> None:
    """No sketch at all: the run index is its empty default, and nothing downstream waits for one."""
    out = run_dedup([{"body": "no id"}, "junk"], [], "r0", tmp_path)
    assert (out["articles"], out["signatures"], out["revisions"]) == ([], [], [])
    assert sorted(r["reason"] for r in out["rejects"]) == ["missing_article_id", "not_a_record"]


@pytest.mark.benchmark
def test_dedup_beam_benchmark() -> None:
    benchmarks = Path(__file__).resolve().parents[2] / "benchmarks"
    sys.path.insert(0, str(benchmarks))
    import dedup_beam

    try:
        baseline, current = dedup_beam.main(["--sizes", "1000"])
    except subprocess.CalledProcessError as err:  # no git, or a clone without the baseline revision
        pytest.skip(f"baseline revision not available: {err}")
    assert baseline["articles_digest"] == current["articles_digest"]
    assert baseline["signatures_digest"] == current["signatures_digest"]
    assert current["elements_per_article"] < 0.2 * baseline["elements_per_article"]
