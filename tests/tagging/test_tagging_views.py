"""The analyst views of warehouse/sql/views/6*.sql on a small real warehouse.

The warehouse is built the way a run builds it (``write_partition`` + ``Warehouse.commit``), with
mentions the real tagger produces for hand-written articles, so the views are tested on the columns
and values TagEntities writes, not on invented ones.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pipeline.tagging import Tagger
from warehouse import Warehouse, partition_of, write_partition

RUN1 = "20250101T000000Z-aaaaaa"
RUN2 = "20250102T000000Z-bbbbbb"

# (article_id, source_id, published_at (UTC), is_duplicate, title, body)
ARTICLES = [
    (
        "tass-1",
        "tass",
        datetime(2024, 8, 22, 13, 50, tzinfo=UTC),
        False,
        "Zakharova rejects Tokyo's protest",
        "Russia will keep drilling on Iturup and Kunashir, which belong to the Southern Kurils, "
        "Maria Zakharova said. The Southern Kurils are Russian territory, she added.",
    ),
    (
        "sankei-1",
        "sankei",
        datetime(2024, 8, 31, 23, 30, tzinfo=UTC),  # 1 September in Tokyo, still August in UTC
        False,
        "Drills on the Northern Territories",
        "Japan protested Russian drills on Etorofu and Kunashiri in the Northern Territories. "
        "Foreign Minister Yoko Kamikawa called the Northern Territories an inherent part of Japan.",
    ),
    (
        "sankei-2",
        "sankei",
        datetime(2024, 9, 2, 1, 0, tzinfo=UTC),
        True,  # a copy of sankei-1's story: left out of the framing counts
        "Drills on the Northern Territories (update)",
        "Japan protested Russian drills on Etorofu in the Northern Territories.",
    ),
    (
        "arabnews-1",
        "arabnews",
        datetime(2024, 9, 3, 8, 0, tzinfo=UTC),
        False,
        "Gulf talks",
        "Saudi Arabia and Qatar discussed Gaza.",
    ),
]


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger.load()


def _article_row(spec: tuple, run_id: str) -> dict[str, Any]:
    article_id, source_id, published_at, duplicate, title, body = spec
    return {
        "article_id": article_id,
        "source_id": source_id,
        "url": f"https://{source_id}.example/{article_id}",
        "title": title,
        "body": body,
        "language": "en",
        "published_at": published_at,
        "fetched_at": published_at,
        "is_duplicate": duplicate,
        "duplicate_of": "sankei-1" if duplicate else None,
        "cluster_id": "c-" + ("sankei-1" if duplicate else article_id),
        "relevance": 0.9 if source_id != "arabnews" else 0.0,
        "run_id": run_id,
    }


def _mention_rows(tagger: Tagger, row: dict[str, Any], run_id: str) -> list[dict[str, Any]]:
    mentions = tagger.tag(
        row["body"], title=row["title"], published_at=row["published_at"], source_id=row["source_id"]
    )
    return [
        {
            "article_id": row["article_id"],
            "entity_id": m.entity_id,
            "surface": m.surface,
            "start": m.start,
            "end": m.end,
            "field": m.field,
            "source_id": row["source_id"],
            "run_id": run_id,
            "variant": m.variant or None,
            "role": m.role or None,
            "via": m.via,
            "confidence": m.confidence,
            "published_at": row["published_at"],  # not a column: chooses the partition
        }
        for m in mentions
    ]


def _write(wh: Warehouse, table: str, run_id: str, rows: list[dict[str, Any]]) -> list:
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(partition_of(table, row), []).append(row)
    return [write_partition(wh.root, table, p, run_id, g) for p, g in sorted(groups.items())]


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory, tagger: Tagger) -> Warehouse:
    wh = Warehouse(Path(tmp_path_factory.mktemp("views")) / "wh")
    articles = [_article_row(spec, RUN1) for spec in ARTICLES]
    mentions = [m for a in articles for m in _mention_rows(tagger, a, RUN1)]
    files = _write(wh, "articles", RUN1, articles)
    files += _write(wh, "mentions", RUN1, mentions)
    files += _write(wh, "entities", RUN1, tagger.entity_rows())
    files += _write(wh, "runs", RUN1, [{"run_id": RUN1, "status": "ok"}])
    assert wh.commit(RUN1, files)
    # A second run re-tags tass-1 (same text): its mentions must replace the first run's, not add to them.
    again = _article_row(ARTICLES[0], RUN2)
    files = _write(wh, "mentions", RUN2, _mention_rows(tagger, again, RUN2))
    files += _write(wh, "runs", RUN2, [{"run_id": RUN2, "status": "ok"}])
    assert wh.commit(RUN2, files)
    return wh


def rows(wh: Warehouse, sql: str) -> list[dict[str, Any]]:
    return wh.query(sql).to_pylist()


def test_a_second_tagging_of_an_article_is_not_counted_twice(wh: Warehouse, tagger: Tagger) -> None:
    once = len(_mention_rows(tagger, _article_row(ARTICLES[0], RUN1), RUN1))
    (raw,) = rows(wh, "SELECT count(*) AS n FROM mention_rows WHERE article_id = 'tass-1'")
    assert raw["n"] == 2 * once  # both runs' mentions are in the files ...
    (row,) = rows(wh, "SELECT sum(mentions) AS n FROM article_entities WHERE article_id = 'tass-1'")
    assert row["n"] == once  # ... and the views count one tagging


def test_article_entities_counts_first_offset_and_variants(wh: Warehouse) -> None:
    got = {
        r["entity_id"]: r for r in rows(wh, "SELECT * FROM article_entities WHERE article_id = 'sankei-1'")
    }
    nt = got["place:northern-territories"]
    # once in the title, twice in the body; the first mention is the title's
    assert (nt["mentions"], nt["title_mentions"]) == (3, 1)
    assert (nt["first_field"], nt["first_start"], nt["first_surface"]) == (
        "title",
        "Drills on the Northern Territories".index("Northern"),
        "Northern Territories",
    )
    assert nt["first_end"] - nt["first_start"] == len("Northern Territories")
    assert nt["variants"] == ["northern_territories"]
    assert got["place:etorofu"]["variants"] == ["japanese_naming"]
    assert got["person:yoko-kamikawa"]["entity_name"] == "Yoko Kamikawa"
    assert got["person:yoko-kamikawa"]["entity_type"] == "person"
    assert got["place:japan"]["first_field"] == "body"
    assert got["place:japan"]["first_start"] == 0
    # the re-tagged article: one tagging counted
    tass = {r["entity_id"]: r for r in rows(wh, "SELECT * FROM article_entities WHERE article_id = 'tass-1'")}
    assert tass["place:northern-territories"]["mentions"] == 2
    assert tass["place:northern-territories"]["variants"] == ["southern_kurils"]
    assert tass["place:kunashiri"]["variants"] == ["russian_naming"]


def test_article_entities_first_offsets_point_at_the_surface(wh: Warehouse) -> None:
    for r in rows(
        wh,
        "SELECT ae.*, a.title AS t, a.body AS b FROM article_entities ae JOIN articles a USING (article_id)",
    ):
        text = r["t"] if r["first_field"] == "title" else r["b"]
        assert text[r["first_start"] : r["first_end"]] == r["first_surface"]


def test_island_framing_per_source_and_month(wh: Warehouse) -> None:
    got = {(r["source_id"], str(r["month"])): r for r in rows(wh, "SELECT * FROM island_framing")}
    # sankei-2 is a duplicate and arabnews-1 names no island: neither has a row
    assert set(got) == {("tass", "2024-08-01"), ("sankei", "2024-08-01")}
    tass = got[("tass", "2024-08-01")]
    assert (tass["southern_kurils"], tass["russian_naming"], tass["northern_territories"]) == (2, 2, 0)
    assert tass["northern_territories_share"] == 0.0 and tass["japanese_framing_share"] == 0.0
    sankei = got[("sankei", "2024-08-01")]  # 23:30 UTC on 31 August: months are UTC months
    assert (sankei["northern_territories"], sankei["japanese_naming"], sankei["southern_kurils"]) == (3, 2, 0)
    assert sankei["mentions"] == 5 and sankei["articles"] == 1
    assert sankei["northern_territories_share"] == 1.0


def test_island_framing_share_is_null_without_a_collective_name(tmp_path: Path, tagger: Tagger) -> None:
    wh = Warehouse(tmp_path / "wh")
    when = datetime(2025, 1, 5, tzinfo=UTC)
    spec = ("tass-9", "tass", when, False, "Iturup", "A new port opened on Iturup.")
    article = _article_row(spec, RUN1)
    files = _write(wh, "articles", RUN1, [article]) + _write(
        wh, "mentions", RUN1, _mention_rows(tagger, article, RUN1)
    )
    assert wh.commit(RUN1, files)
    (row,) = rows(wh, "SELECT * FROM island_framing")
    assert row["russian_naming"] == 2 and row["northern_territories_share"] is None
    assert row["japanese_framing_share"] == 0.0


def test_entity_timeline_by_day_and_source(wh: Warehouse) -> None:
    got = rows(
        wh,
        "SELECT day, source_id, mentions, articles FROM entity_timeline "
        "WHERE entity_id = 'place:etorofu' ORDER BY day",
    )
    # tass says Iturup, sankei Etorofu; the duplicate (sankei-2, 2 September) is left out
    assert [(str(r["day"]), r["source_id"], r["mentions"], r["articles"]) for r in got] == [
        ("2024-08-22", "tass", 1, 1),
        ("2024-08-31", "sankei", 1, 1),
    ]
    (gaza,) = rows(wh, "SELECT * FROM entity_timeline WHERE entity_id = 'place:gaza'")
    assert (gaza["source_id"], gaza["mean_relevance"]) == ("arabnews", 0.0)
    both = rows(wh, "SELECT mean_relevance FROM entity_timeline WHERE entity_id = 'place:kunashiri'")
    assert [r["mean_relevance"] for r in both] == [pytest.approx(0.9)] * 2


def test_views_are_empty_on_an_empty_warehouse(tmp_path: Path) -> None:
    wh = Warehouse(tmp_path / "empty")
    for view in ("current_entities", "article_entities", "island_framing", "entity_timeline"):
        assert rows(wh, f"SELECT count(*) AS n FROM {view}") == [{"n": 0}]
