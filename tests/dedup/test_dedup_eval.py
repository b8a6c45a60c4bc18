"""The generated evaluation set: a small slice in the default run, the full benchmark when asked."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest
from dedup_support import run_dedup

from pipeline.dedup.evalset import build_evalset, clustered_pairs, true_pairs

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def test_evalset_is_deterministic_and_has_every_transformation() -> None:
    a, b = build_evalset(events=6, seed=2), build_evalset(events=6, seed=2)
    assert a == b
    assert a != build_evalset(events=6, seed=3)
    changes = Counter(c for art in a for c in art["changes"])
    for kind in (
        "reordered",
        "lead_cut",
        "sentences_edited",
        "chrome_added",
        "agency_line",
        "retitled",
        "new_url",
    ):
        assert changes[kind] > 0, kind
    assert len({art["article_id"] for art in a}) == len(a)


def test_precision_and_recall_on_a_slice(tmp_path: Path) -> None:
    articles = build_evalset(events=10, seed=5)
    out = run_dedup(articles, [], "eval", tmp_path)
    predicted = clustered_pairs({a["article_id"]: a["cluster_id"] for a in out["articles"]})
    truth = true_pairs(articles)
    tp = len(predicted & truth)
    assert tp / len(predicted) >= 0.99
    assert tp / len(truth) >= 0.97


@pytest.mark.benchmark
def test_dedup_eval_benchmark() -> None:
    sys.path.insert(0, str(BENCHMARKS))
    import dedup_eval

    figures = dedup_eval.main(["--events", "60"])
    assert figures["one_run_precision"] >= 0.99 and figures["one_run_recall"] >= 0.97
    assert figures["two_run_precision"] >= 0.99 and figures["two_run_recall"] >= 0.97


@pytest.mark.benchmark
def test_dedup_scale_benchmark() -> None:
    sys.path.insert(0, str(BENCHMARKS))
    import dedup_scale

    (result,) = dedup_scale.main(["--sizes", "20000", "--run", "500"])
    assert result["articles"] == 500 and result["joined_history"] == 300
