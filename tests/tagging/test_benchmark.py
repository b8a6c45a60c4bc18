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


@pytest.mark.benchmark
def test_tagging_speed_up_of_issue_7(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    import tagging_speed

    from pipeline.tagging import Tagger
    from pipeline.tagging.kb import default_kb_dir

    try:
        old_code = tagging_speed.reference_package(tagging_speed.REFERENCE_REV, tmp_path)
    except LookupError as exc:
        pytest.skip(f"the reference revision is not in this checkout: {exc}")
    taggers = {"old": old_code.Tagger.load(default_kb_dir()), "new": Tagger.load()}
    cases = tagging_speed.speed_corpus()
    assert all(
        tagging_speed.run_case(taggers["old"], c) == tagging_speed.run_case(taggers["new"], c) for c in cases
    )
    figures = tagging_speed.compare(taggers, tagging_speed.corpus_groups(cases), rounds=3)
    print(capsys.readouterr().out)
    # The target is 1.5x (about 1.6x measured); both versions share the machine's load, turn by turn,
    # but a little margin keeps a busy CI machine from failing the run.
    assert figures["all"]["speedup"] >= 1.4
