"""The matcher: boundaries per script, Russian inflection, longest match, capitalisation."""

from __future__ import annotations

import pickle

import pytest

from pipeline.tagging.matcher import AliasSpec, Matcher
from pipeline.tagging.normalize import normalize

SPECS = [
    AliasSpec("Путин", "person:vladimir-putin", cased=True),
    AliasSpec("Курильские острова", "place:kuril-islands", cased=True),
    AliasSpec("Курилы", "place:kuril-islands", cased=True),
    AliasSpec("Япония", "place:japan", cased=True),
    AliasSpec("Abe", "person:shinzo-abe", short=True, cased=True),
    AliasSpec("Japan", "place:japan", cased=True),
    AliasSpec("Sea of Japan", "place:sea-of-japan", cased=True),
    AliasSpec("ラブロフ", "person:sergey-lavrov"),
    AliasSpec("北方領土", "place:northern-territories", variant="northern_territories"),
    AliasSpec("G7", "bloc:g7"),
    AliasSpec("sanctions", "topic:sanctions"),
]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(SPECS)


def spans(matcher: Matcher, text: str) -> list[tuple[str, str]]:
    out = []
    for c in matcher.find(normalize(text), text):
        out.append((text[c.start : c.end], matcher.specs[c.specs[0]].target))
    return out


@pytest.mark.parametrize(
    ("text", "surface"),
    [
        ("Встреча с Путиным", "Путиным"),
        ("Слова Путина", "Путина"),
        ("Путину передали", "Путину"),
        ("жители Курильских островов", "Курильских островов"),
        ("на Курильских островах", "Курильских островах"),
        ("на Курилах", "Курилах"),
        ("в Японии", "Японии"),
        ("с Японией", "Японией"),
    ],
)
def test_russian_case_endings(matcher: Matcher, text: str, surface: str) -> None:
    assert [s for s, _ in spans(matcher, text)] == [surface]


def test_russian_stems_need_a_real_ending_and_a_capital(matcher: Matcher) -> None:
    assert spans(matcher, "путинизм и японский") == []
    assert spans(matcher, "он курил трубку") == []  # the verb, not the Kurils (lower case)


def test_latin_word_boundaries(matcher: Matcher) -> None:
    assert spans(matcher, "a label; Japanese; abed") == []
    assert spans(matcher, "Abe's visit") == [("Abe", "person:shinzo-abe")]


def test_longest_match_wins(matcher: Matcher) -> None:
    assert spans(matcher, "drills in the Sea of Japan") == [("Sea of Japan", "place:sea-of-japan")]


def test_japanese_without_boundaries_but_katakana_edges(matcher: Matcher) -> None:
    assert spans(matcher, "北方領土問題でラブロフ外相") == [
        ("北方領土", "place:northern-territories"),
        ("ラブロフ", "person:sergey-lavrov"),
    ]
    assert spans(matcher, "ラブロフスキー氏") == []


def test_latin_inside_japanese_text(matcher: Matcher) -> None:
    assert spans(matcher, "G7首脳会議") == [("G7", "bloc:g7")]


def test_capitalised_aliases_need_a_capital(matcher: Matcher) -> None:
    assert spans(matcher, "japan") == []
    assert spans(matcher, "SANCTIONS on JAPAN") == [
        ("SANCTIONS", "topic:sanctions"),
        ("JAPAN", "place:japan"),
    ]


def test_matcher_pickles_and_matches_the_same(matcher: Matcher) -> None:
    clone = pickle.loads(pickle.dumps(matcher))
    text = "Путин, Abe и ラブロフ в Японии"
    assert spans(clone, text) == spans(matcher, text)


def test_abbreviations_match_only_in_upper_case() -> None:
    m = Matcher([AliasSpec("СВО", "topic:ukraine-war"), AliasSpec("US", "place:united-states", cased=True)])
    assert spans(m, "в ходе СВО и после СВО") == [("СВО", "topic:ukraine-war")] * 2
    assert spans(m, "своей страны") == []
    assert spans(m, "tell us about US sanctions") == [("US", "place:united-states")]
