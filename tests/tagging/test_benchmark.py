"""The tagging benchmark as a test (deselected by default; run with ``-m benchmark``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.benchmark
def test_tagging_benchmark_meets_the_targets(capsys: pytest.CaptureFixture[str]) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    import tagging_eval

    from pipeline.tagging import Tagger
    from pipeline.tagging.evaluation import load_passages

    tagger = Tagger.load()
    passages = load_passages(tagging_eval.EVAL_DIR)
    scores = tagging_eval.evaluate(tagger, passages)
    speed = tagging_eval.throughput(tagger, passages)
    print(capsys.readouterr().out)
    assert scores["f1_en"] >= 0.95 and scores["f1_ru"] >= 0.90 and scores["f1_ja"] >= 0.90
    assert scores["auc"] >= 0.95 and scores["min_relevant"] >= 0.5
    # per core: the CPU time this process used (wall time also counts other processes on a shared machine)
    assert speed["tagger_cpu_mb_s"] >= 5.0
