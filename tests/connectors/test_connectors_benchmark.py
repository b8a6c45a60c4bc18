"""The per-outlet extraction benchmark (``benchmarks/connectors_fixtures.py``): its metric here, its
full run under ``-m benchmark``."""

from __future__ import annotations

import pytest

from benchmarks import connectors_fixtures as bench


def test_token_f1() -> None:
    assert bench.token_f1("Japan and Russia", "Japan and Russia") == 1.0
    assert bench.token_f1("", "") == 1.0 and bench.token_f1("", "text") == 0.0
    # half the words, all correct: precision 1, recall 0.5
    assert bench.token_f1("Japan and", "Japan and Russia talks") == pytest.approx(2 / 3)
    # Japanese is scored per character, so one wrong kanji costs one token, not the sentence
    assert bench.token_f1("日露交渉", "日露協議") == pytest.approx(0.5)


def test_scoring_sees_chrome_and_lost_text() -> None:
    """The benchmark can fail: a page whose connector keeps chrome or drops text is caught."""
    case = bench.Case(
        source_id="kremlin",
        name="probe",
        url="http://en.kremlin.ru/events/president/news/1",
        html="<html><body><div class='read__content'><p>The leaders discussed trade and energy "
        "cooperation in detail.</p><p>Send to e-mail</p><p>The photo gallery of the event is on the "
        "website of the President.</p></div></body></html>",
        truth="The leaders discussed trade and energy cooperation in detail.\n\nA second paragraph lost.",
        chrome=("Send to e-mail", "photo gallery"),
    )
    scores = bench.score([case])
    assert scores["kremlin"].f1[0] < bench.F1_TARGET
    # the share link is left out by the connector; the gallery teaser is kept, and counted
    assert scores["kremlin"].chrome_hits == ["probe: 'photo gallery'"]
    text, ok = bench.report(scores)
    assert not ok and "NO" in text


@pytest.mark.benchmark
def test_every_outlet_meets_the_targets(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main() == 0, capsys.readouterr().out
    out = capsys.readouterr().out
    for source_id in ("tass", "sputnik", "arabnews", "sankei", "nippon", "mainichi", "kremlin", "ria"):
        assert f"\n{source_id} " in out
