"""The packaged knowledge base: structure, validation and the office dates it encodes."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from pipeline.tagging import KBError, Tagger, load_kb
from pipeline.tagging.kb import TYPES, default_kb_dir
from schemas.tables import ENTITIES, to_table


@pytest.fixture(scope="module")
def kb():
    return load_kb()


def test_kb_is_large_versioned_and_covers_every_type(kb) -> None:
    assert len(kb.entities) >= 300
    assert kb.version
    assert {e.type for e in kb.entities.values()} == set(TYPES)


def test_required_entities_are_present(kb) -> None:
    for eid in [
        "person:sergey-lavrov",
        "person:vladimir-putin",
        "place:etorofu",
        "place:kunashiri",
        "place:shikotan",
        "place:habomai",
        "place:kuril-islands",
        "place:sakhalin",
        "place:hokkaido",
        "place:nemuro",
        "place:vladivostok",
        "org:mofa-japan",
        "org:mid-russia",
        "bloc:g7",
        "treaty:1956-joint-declaration",
        "treaty:1855-shimoda-treaty",
        "treaty:san-francisco-peace-treaty",
        "topic:sanctions",
        "topic:peace-treaty",
        "topic:sakhalin-1",
        "topic:sakhalin-2",
        "topic:arctic-lng-2",
        "org:sodeco",
        "org:novatek",
        "org:exxonmobil",
    ]:
        assert eid in kb.entities, eid


def test_island_names_carry_both_namings(kb) -> None:
    variants = dict(kb.entities["place:etorofu"].variants)
    assert "Etorofu" in variants["japanese_naming"] and "Iturup" in variants["russian_naming"]
    collective = dict(kb.entities["place:northern-territories"].variants)
    assert "Northern Territories" in collective["northern_territories"]
    assert "Southern Kurils" in collective["southern_kurils"]


# Who held which office on which day (sources: cabinet lists and appointment reports; see people.toml).
HOLDERS = [
    ("office:jp-chief-cabinet-secretary", date(2020, 9, 15), "person:yoshihide-suga"),
    ("office:jp-chief-cabinet-secretary", date(2020, 9, 16), "person:katsunobu-kato"),
    ("office:jp-chief-cabinet-secretary", date(2021, 10, 4), "person:hirokazu-matsuno"),
    ("office:jp-chief-cabinet-secretary", date(2023, 12, 14), "person:yoshimasa-hayashi"),
    ("office:jp-chief-cabinet-secretary", date(2025, 10, 21), "person:minoru-kihara"),
    ("office:jp-prime-minister", date(2019, 1, 1), "person:shinzo-abe"),
    ("office:jp-prime-minister", date(2021, 1, 1), "person:yoshihide-suga"),
    ("office:jp-prime-minister", date(2023, 1, 1), "person:fumio-kishida"),
    ("office:jp-prime-minister", date(2025, 1, 1), "person:shigeru-ishiba"),
    ("office:jp-prime-minister", date(2026, 11, 23), "person:sanae-takaichi"),
    ("office:jp-foreign-minister", date(2018, 1, 1), "person:taro-kono"),
    ("office:jp-foreign-minister", date(2020, 1, 1), "person:toshimitsu-motegi"),
    ("office:jp-foreign-minister", date(2022, 1, 1), "person:yoshimasa-hayashi"),
    ("office:jp-foreign-minister", date(2024, 1, 1), "person:yoko-kamikawa"),
    ("office:jp-foreign-minister", date(2025, 1, 1), "person:takeshi-iwaya"),
    ("office:jp-foreign-minister", date(2026, 1, 1), "person:toshimitsu-motegi"),
    ("office:ru-president", date(2010, 1, 1), "person:dmitry-medvedev"),
    ("office:ru-president", date(2026, 1, 1), "person:vladimir-putin"),
    ("office:ru-prime-minister", date(2015, 1, 1), "person:dmitry-medvedev"),
    ("office:ru-prime-minister", date(2020, 1, 16), "person:mikhail-mishustin"),
    ("office:ru-foreign-minister", date(2026, 1, 1), "person:sergey-lavrov"),
    ("office:ru-mfa-spokesperson", date(2026, 1, 1), "person:maria-zakharova"),
    ("office:ru-presidential-press-secretary", date(2026, 1, 1), "person:dmitry-peskov"),
    ("office:ru-defence-minister", date(2024, 5, 13), "person:sergei-shoigu"),
    ("office:ru-defence-minister", date(2024, 5, 14), "person:andrei-belousov"),
    ("office:ru-ambassador-to-japan", date(2019, 1, 1), "person:mikhail-galuzin"),
    ("office:ru-ambassador-to-japan", date(2023, 1, 1), None),  # vacant Nov 2022 - Jan 2024
    ("office:ru-ambassador-to-japan", date(2024, 6, 1), "person:nikolay-nozdrev"),
    ("office:jp-ambassador-to-russia", date(2020, 1, 1), "person:toyohisa-kozuki"),
    ("office:jp-ambassador-to-russia", date(2024, 6, 1), "person:akira-muto"),
]


@pytest.mark.parametrize(("office", "day", "person"), HOLDERS)
def test_office_holder_on_a_date(kb, office: str, day: date, person: str | None) -> None:
    assert kb.holder(office, day) == person


def test_wikidata_ids_are_empty_or_well_formed(kb) -> None:
    for entity in kb.entities.values():
        assert entity.wikidata == "" or entity.wikidata.startswith("Q")


def test_entity_rows_fit_the_entities_table() -> None:
    tagger = Tagger.load()
    rows = tagger.entity_rows()
    table = to_table(rows, ENTITIES)
    assert table.num_rows == len(tagger.kb.entities)
    lavrov = next(r for r in rows if r["entity_id"] == "person:sergey-lavrov")
    assert "Лавров" in lavrov["aliases"] and lavrov["kb_version"] == tagger.kb_version


def _copy_kb(tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(default_kb_dir(), target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_overlapping_office_terms_are_rejected(tmp_path: Path) -> None:
    kb_dir = _copy_kb(tmp_path)
    _edit(
        kb_dir / "people.toml",
        'start = 2020-09-16, end = 2021-10-04 }]\n\n[[entity]]\nid = "person:hirokazu',
        'start = 2020-09-16, end = 2021-12-04 }]\n\n[[entity]]\nid = "person:hirokazu',
    )
    with pytest.raises(KBError, match="overlaps"):
        load_kb(kb_dir)


def test_an_alias_shared_by_two_entities_is_rejected(tmp_path: Path) -> None:
    kb_dir = _copy_kb(tmp_path)
    _edit(kb_dir / "places.toml", 'aliases = ["Tokyo", "Токио", "東京"]', 'aliases = ["Tokyo", "Moscow"]')
    with pytest.raises(KBError, match="Moscow"):
        load_kb(kb_dir)


def test_bad_ids_and_unknown_offices_are_rejected(tmp_path: Path) -> None:
    kb_dir = _copy_kb(tmp_path)
    _edit(kb_dir / "blocs.toml", 'id = "bloc:g7"', 'id = "bloc:G 7"')
    with pytest.raises(KBError, match="bad id"):
        load_kb(kb_dir)
    kb_dir = _copy_kb(tmp_path / "second")
    _edit(kb_dir / "people.toml", "office:ru-foreign-minister", "office:ru-foreign-ministre")
    with pytest.raises(KBError, match="unknown office"):
        load_kb(kb_dir)


def test_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(KBError, match="not found"):
        load_kb(tmp_path / "nope")
