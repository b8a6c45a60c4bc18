"""The labelled evaluation set: markup, coverage, and the targets of issue 5 as regression tests."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from pipeline.tagging import Tagger
from pipeline.tagging.evaluation import load_passages, parse_markup, roc_auc, score_mentions

EVAL_DIR = Path(__file__).resolve().parent / "eval"


@pytest.fixture(scope="module")
def passages():
    return load_passages(EVAL_DIR)


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger.load()


def test_markup_is_stripped_into_offsets() -> None:
    text, gold = parse_markup("[[Путина|person:vladimir-putin]] и [[北方領土|place:northern-territories]]")
    assert text == "Путина и 北方領土"
    assert [text[s:e] for s, e, _ in gold] == ["Путина", "北方領土"]
    with pytest.raises(ValueError, match="markup"):
        parse_markup("[[broken|person:x]")


def test_set_is_large_trilingual_and_mixed(passages) -> None:
    assert len(passages) >= 60
    per_language = Counter(p.language for p in passages)
    assert set(per_language) == {"en", "ru", "ja"} and min(per_language.values()) >= 15
    assert sum(not p.relevant for p in passages) >= 15
    assert all(p.trap for p in passages)  # every passage says what it tests


def test_gold_points_at_known_entities(passages, tagger: Tagger) -> None:
    for p in passages:
        for fld, start, end, eid in p.gold:
            assert eid in tagger.kb.entities, (p.id, eid)
            assert end > start and (p.title if fld == "title" else p.text)[start:end].strip()


def test_targets_of_issue_5(passages, tagger: Tagger) -> None:
    pairs = []
    for p in passages:
        mentions = tagger.tag(p.text, title=p.title, published_at=p.date, language=p.language)
        pairs.append((p, [(m.field, m.start, m.end, m.entity_id) for m in mentions]))
    by_lang, _, _ = score_mentions(pairs)
    assert by_lang["en"].f1 >= 0.95
    assert by_lang["ru"].f1 >= 0.90
    assert by_lang["ja"].f1 >= 0.90
    scores = [
        tagger.relevance(
            [m for m in tagger.tag(p.text, title=p.title, published_at=p.date, language=p.language)],
            body=p.text,
            title=p.title,
        )
        for p in passages
    ]
    assert roc_auc([p.relevant for p in passages], scores) >= 0.95
    assert min(s for s, p in zip(scores, passages, strict=True) if p.relevant) >= 0.5


def test_roc_auc() -> None:
    assert roc_auc([True, False], [0.9, 0.1]) == 1.0
    assert roc_auc([True, False, True, False], [0.5, 0.5, 0.2, 0.9]) == 0.125
    with pytest.raises(ValueError):
        roc_auc([True], [1.0])


SAMPLE_CONTENT = Path(__file__).resolve().parents[2] / "pipeline" / "sample" / "content"


def test_sample_corpus_relevance_and_expected_mentions(tagger: Tagger) -> None:
    from pipeline.tagging.evaluation import load_sample_articles, score_sample

    articles = load_sample_articles(SAMPLE_CONTENT)
    assert len(articles) >= 40 and {a.source_id for a in articles} >= {"tass", "sputnik", "sankei"}
    scores = score_sample(tagger, articles)
    assert scores.auc >= 0.95 and scores.min_relevant >= 0.5
    assert scores.missing == ()
