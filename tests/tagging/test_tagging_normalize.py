"""Folding for matching keeps a map back to the original offsets."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pipeline.tagging.normalize import fold_alias, normalize


def test_ascii_is_lowered_with_identity_map() -> None:
    n = normalize("Sergey LAVROV")
    assert n.text == "sergey lavrov"
    assert n.index_map is None


def test_full_width_diacritics_yo_quotes_and_dashes_fold_one_to_one() -> None:
    text = "Ｔｏｋｙｏ Shinzō Ёсимаса ’ — "
    n = normalize(text)
    assert n.text == "tokyo shinzo есимаса ' - "
    assert n.index_map is None  # same length: offsets need no map


def test_combining_marks_take_the_slow_path_and_map_back() -> None:
    text = "Shinzo\u0304 Abe"  # decomposed macron
    n = normalize(text)
    assert n.text == "shinzo abe"
    start = n.text.index("abe")
    s, e = n.original_span(start, start + 3)
    assert text[s:e] == "Abe"
    s, e = n.original_span(0, 6)
    assert text[s:e] == "Shinzo"


def test_half_width_katakana_with_voicing_marks_compose() -> None:
    text = "駐日ｶﾞﾙｰｼﾞﾝ大使"
    n = normalize(text)
    assert n.text == "駐日ガルージン大使"
    start = n.text.index("ガルージン")
    s, e = n.original_span(start, start + len("ガルージン"))
    assert text[s:e] == "ｶﾞﾙｰｼﾞﾝ"


def test_cyrillic_short_i_is_not_stripped() -> None:
    assert fold_alias("Сергей") == "сергей"
    assert normalize("Сергеи\u0306").text == "сергей"  # decomposed й recomposes


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_every_folded_character_maps_inside_the_original(text: str) -> None:
    n = normalize(text)
    if n.index_map is None:
        assert len(n.text) == len(text)
    else:
        assert len(n.index_map) == len(n.text)
        assert list(n.index_map) == sorted(n.index_map)
        assert all(0 <= i < len(text) for i in n.index_map)
    for i in range(len(n.text)):
        s, e = n.original_span(i, i + 1)
        assert 0 <= s < e <= len(text)
