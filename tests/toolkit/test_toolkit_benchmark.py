"""The extraction benchmark: its metric (unit tests, default run) and the run itself (benchmark marker)."""

from __future__ import annotations

import pytest

from benchmarks.extraction import SHARED, aggregate, report, run, shingle_counts


def test_identical_texts_score_one() -> None:
    assert shingle_counts("one two three four five", "one two three four five") == (1.0, 0.0, 0.0)


def test_counts_are_normalised_per_document() -> None:
    tp, fp, fn = shingle_counts("a b c d e f", "a b c d x y")
    # expected shingles: abcd bcde cdef; predicted: abcd bcdx cdxy -> 1 tp, 2 fp, 2 fn, normalised by 5
    assert (tp, fp, fn) == pytest.approx((0.2, 0.4, 0.4))


def test_short_texts_form_one_shingle() -> None:
    assert shingle_counts("Japan Russia", "Japan Russia") == (1.0, 0.0, 0.0)
    assert shingle_counts("Japan Russia", "") == (0.0, 0.0, 1.0)


def test_aggregate_averages_per_document_then_takes_f1() -> None:
    precision, recall, f1 = aggregate([(1.0, 0.0, 0.0), (0.5, 0.5, 0.0)])
    assert precision == pytest.approx(0.75)  # (1 + 0.5) / 2
    assert recall == pytest.approx(1.0)
    assert f1 == pytest.approx(2 * 0.75 / 1.75)


def test_empty_prediction_has_undefined_precision_and_zero_recall() -> None:
    # tp + fp == 0: the document is left out of the precision average, as in evaluate.py
    precision, recall, _ = aggregate([(0.0, 0.0, 1.0), (1.0, 0.0, 0.0)])
    assert precision == 1.0 and recall == 0.5


@pytest.mark.benchmark
@pytest.mark.parametrize(("dataset", "min_f1"), [("scrapinghub", 0.965), ("fundus", 0.94)])
def test_benchmark(dataset: str, min_f1: float) -> None:
    if not (SHARED / dataset).is_dir():
        pytest.skip(f"benchmark data not available: {SHARED / dataset}")
    results = run(dataset, repeat=2)
    print(report(dataset, results))
    ours, bare = results["extract_generic"], results["trafilatura"]
    assert ours.f1 >= min_f1
    assert ours.f1 > bare.f1
    assert ours.pages_per_second >= 0.8 * bare.pages_per_second  # target 0.9; margin for a busy machine
