"""The tagger end to end: offsets, roles by date, ambiguous surnames, country-less names, variants."""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.tagging import Mention, Tagger


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger.load()


def ids(mentions: list[Mention]) -> list[tuple[str, str]]:
    return [(m.surface, m.entity_id) for m in mentions]


def test_load_is_fast_and_versioned() -> None:
    import time

    start = time.perf_counter()
    tagger = Tagger.load()
    assert time.perf_counter() - start < 3.0  # < 1 s on an idle core; CI machines are shared
    assert tagger.kb_version


def test_offsets_index_the_original_strings(tagger: Tagger) -> None:
    title = "Ｌａｖｒｏｖ meets Shinzō Abe"
    body = "Лавров, ラブロフ外相 and ｶﾞﾙｰｼﾞﾝ met in Ｔｏｋｙｏ."
    for m in tagger.tag(body, title=title):
        source = title if m.field == "title" else body
        assert source[m.start : m.end] == m.surface


ALIASES = [
    "Lavrov",
    "Путина",
    "ラブロフ",
    "Ｔｏｋｙｏ",
    "Shinzō Abe",
    "Курильских островах",
    "北方領土",
    "ｶﾞﾙｰｼﾞﾝ",
    "Chief Cabinet Secretary",
    "the Foreign Ministry",
    "G-7",
    "МИД России",
]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(st.sampled_from(ALIASES), st.text(max_size=6)), max_size=12),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2026, 11, 23)),
)
def test_offsets_hold_for_any_mix_of_scripts_and_noise(parts: list[str], day: date) -> None:
    tagger = TAGGER
    body = " ".join(parts)
    mentions = tagger.tag(body, published_at=day)
    last_end = 0
    for m in mentions:
        assert body[m.start : m.end] == m.surface
        assert m.start >= last_end  # non-overlapping, in text order
        last_end = m.end


TAGGER = Tagger.load()


@pytest.mark.parametrize(
    ("day", "holder"),
    [
        (date(2019, 5, 1), "person:yoshihide-suga"),
        (date(2021, 5, 1), "person:katsunobu-kato"),
        (date(2022, 5, 1), "person:hirokazu-matsuno"),
        (date(2024, 5, 1), "person:yoshimasa-hayashi"),
        (date(2026, 5, 1), "person:minoru-kihara"),
    ],
)
def test_bare_role_resolves_to_the_holder_on_the_date(tagger: Tagger, day: date, holder: str) -> None:
    (m,) = tagger.tag("The Chief Cabinet Secretary spoke.", published_at=day)
    assert (m.entity_id, m.role, m.surface) == (
        holder,
        "office:jp-chief-cabinet-secretary",
        "Chief Cabinet Secretary",
    )


def test_role_accepts_datetimes_and_without_a_date_links_the_office(tagger: Tagger) -> None:
    when = datetime(2024, 6, 1, 3, 0, tzinfo=UTC)
    assert tagger.tag("Russia's defence minister", published_at=when)[0].entity_id == "person:andrei-belousov"
    (m,) = tagger.tag("Russia's defence minister")
    assert m.entity_id == "office:ru-defence-minister"


def test_vacant_post_links_the_office(tagger: Tagger) -> None:
    (m,) = tagger.tag("the Russian ambassador to Japan", published_at=date(2023, 6, 1))
    assert m.entity_id == "office:ru-ambassador-to-japan"


def test_former_and_unknown_names_do_not_resolve_roles(tagger: Tagger) -> None:
    assert tagger.tag("A former prime minister said so.", published_at=date(2024, 1, 1)) == []
    assert tagger.tag("Foreign Minister Penny Wong said so.", published_at=date(2024, 1, 1)) == []


def test_role_glued_to_a_name_is_evidence_not_a_mention(tagger: Tagger) -> None:
    ms = tagger.tag(
        "Foreign Minister Hayashi met Foreign Minister Sergey Lavrov.", published_at=date(2022, 6, 1)
    )
    assert ids(ms) == [("Hayashi", "person:yoshimasa-hayashi"), ("Sergey Lavrov", "person:sergey-lavrov")]


def test_ambiguous_surnames_need_evidence(tagger: Tagger) -> None:
    assert tagger.tag("Abe said the talks went well.") == []
    assert tagger.tag("Actor Hiroshi Abe visited Shinzo Abe's hometown.")[0].surface == "Shinzo Abe"
    assert len(tagger.tag("Actor Hiroshi Abe visited Shinzo Abe's hometown.")) == 1
    ms = tagger.tag("Muneo Suzuki flew to Moscow. Suzuki said ...")
    assert ("Suzuki", "person:muneo-suzuki") in ids(ms)
    ms = tagger.tag("Suzuki Motor sales rose. Suzuki said ...")
    assert ids(ms)[-1] == ("Suzuki", "org:suzuki-motor")


def test_surname_picks_the_person_who_held_the_adjacent_role_on_the_date(tagger: Tagger) -> None:
    # 菅 is both Suga Yoshihide and Kan Naoto, and both were prime minister
    (m,) = tagger.tag("菅首相は会見した。", published_at=date(2021, 3, 1), language="ja")
    assert m.entity_id == "person:yoshihide-suga"
    (m,) = tagger.tag("菅首相は会見した。", published_at=date(2011, 3, 1), language="ja")
    assert m.entity_id == "person:naoto-kan"


def test_japanese_former_title_still_identifies_the_surname(tagger: Tagger) -> None:
    (m,) = tagger.tag("安倍元首相の国葬が行われた。", published_at=date(2022, 9, 27), language="ja")
    assert (m.entity_id, m.surface) == ("person:shinzo-abe", "安倍")


def test_country_less_names_take_their_country_from_context(tagger: Tagger) -> None:
    ms = tagger.tag("MOSCOW, May 5. The foreign ministry said ...")
    assert ids(ms)[-1] == ("foreign ministry", "org:mid-russia")
    ms = tagger.tag("TOKYO — The Foreign Ministry said ...")
    assert ids(ms)[-1] == ("Foreign Ministry", "org:mofa-japan")
    ms = tagger.tag("МИД заявил протест.", language="ru")
    assert ids(ms)[0] == ("МИД", "org:mid-russia")
    ms = tagger.tag("Russia's Deputy Foreign Minister said", published_at=date(2024, 1, 1))
    assert ids(ms) == [("Russia", "place:russia")]  # a deputy foreign minister is not the minister


def test_island_naming_variants(tagger: Tagger) -> None:
    ms = tagger.tag("Etorofu, Iturup, the Northern Territories, the Southern Kurils and 北方領土")
    assert [(m.entity_id, m.variant) for m in ms] == [
        ("place:etorofu", "japanese_naming"),
        ("place:etorofu", "russian_naming"),
        ("place:northern-territories", "northern_territories"),
        ("place:northern-territories", "southern_kurils"),
        ("place:northern-territories", "northern_territories"),
    ]


def test_entity_counts_per_article(tagger: Tagger) -> None:
    ms = tagger.tag("Putin, Путин and プーチン met on Iturup (Etorofu).")
    rows = {r["entity_id"]: r for r in tagger.entity_counts(ms)}
    assert rows["person:vladimir-putin"]["count"] == 3
    assert rows["place:etorofu"]["variants"] == {"russian_naming": 1, "japanese_naming": 1}


def test_relevance_ranks_japan_russia_above_other_diplomacy(tagger: Tagger) -> None:
    jr = "Lavrov and Foreign Minister Hayashi discussed the peace treaty and Kunashiri."
    other = "Xi Jinping met Putin in Beijing to discuss NATO and Ukraine."
    rel_jr = tagger.relevance(tagger.tag(jr, published_at=date(2022, 1, 1)), body=jr)
    rel_other = tagger.relevance(tagger.tag(other), body=other)
    assert rel_jr > 0.5 > rel_other
    assert tagger.relevance([]) == 0.0


def test_tagger_pickles(tagger: Tagger) -> None:
    clone = pickle.loads(pickle.dumps(tagger))
    text = "Лавров и Абэ, Chief Cabinet Secretary, 北方領土"
    day = date(2020, 1, 1)
    assert clone.tag(text, published_at=day) == tagger.tag(text, published_at=day)
    assert clone.kb_version == tagger.kb_version


def test_bad_input_is_a_clear_error(tagger: Tagger) -> None:
    with pytest.raises(TypeError, match="strings"):
        tagger.tag(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="published_at"):
        tagger.tag("x", published_at="2024-01-01")  # type: ignore[arg-type]
    assert tagger.tag("") == []
