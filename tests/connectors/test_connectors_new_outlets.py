"""The outlets added in wave 2 (nippon.com, The Mainichi, the Kremlin, RIA Novosti): what the golden
files alone would not pin down. The Mainichi runs against the real saved page and fundus's expected
parse."""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors import registry
from connectors.base import Page
from tests.connectors import outlet_pages

REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "real-pages" / "mainichi"
MAINICHI_PAGE = REAL / "mainichi_ja_2025_01_14_20250114_k00_00m_030_335000c.html"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _page(url: str, html: str) -> Page:
    return Page(url=url, content=html.encode(), text=html, fetched_at=datetime(2025, 1, 15, tzinfo=UTC))


def _squash(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


@pytest.fixture(scope="module")
def mainichi_real() -> tuple[dict, dict]:
    if not MAINICHI_PAGE.exists():
        pytest.skip(f"real page not available: {MAINICHI_PAGE}")
    html = MAINICHI_PAGE.read_text(encoding="utf-8")
    article = registry.get("mainichi").extract(
        _page("https://mainichi.jp/articles/20250114/k00/00m/030/335000c", html)
    )
    expected = json.loads((REAL / "fundus_expected_MainichiShimbun.json").read_text(encoding="utf-8"))["V1"]
    return dict(article), expected


def test_mainichi_real_page_body_matches_fundus(mainichi_real: tuple[dict, dict]) -> None:
    article, expected = mainichi_real
    paragraphs = [p for section in expected["body"]["sections"] for p in section["paragraphs"]]
    assert article["body"].split("\n\n") == [p.strip("\u3000 ") for p in paragraphs]
    assert article["extraction_method"] == "source:mainichi@2020"
    # photo caption and the ad label between paragraphs stay out
    assert "イスラエルの国旗" not in article["body"] and "Advertisement" not in article["body"]


def test_mainichi_real_page_fields(mainichi_real: tuple[dict, dict]) -> None:
    article, expected = mainichi_real
    assert _squash(article["title"]) == _squash(expected["title"])
    assert article["authors"] == expected["authors"]
    assert article["published_at"] == datetime.fromisoformat(expected["publishing_date"]).astimezone(UTC)
    assert article["date_source"] == "jsonld"  # "+0900" without a colon, read exactly
    assert article["modified_at"] == datetime(2025, 1, 14, 12, 17, 33, tzinfo=UTC)
    assert (article["language"], article["section"]) == ("ja", "国際")
    assert article["identity"] == "mainichi:20250114/k00/00m/030/335000c"


@pytest.mark.parametrize("source_id", ["nippon", "mainichi", "kremlin", "ria"])
def test_feed_identity_matches_page_identity(source_id: str) -> None:
    """A story found in the feed and the page fetched for it agree on the identity (dedup relies on it)."""
    connector = registry.get(source_id)
    for feed_url in outlet_pages.FEEDS[source_id]:
        entries = connector.parse_feed(outlet_pages.render_feed(feed_url).encode(), feed_url)
        assert entries
        for entry in entries:
            story = next(s for s in outlet_pages.stories_of(source_id) if s.url == entry["url"])
            article = connector.extract(_page(story.url, outlet_pages.render_page(story)))
            assert article["identity"] == entry["identity"]


@pytest.mark.parametrize(
    ("url", "identity"),
    [
        ("https://www.nippon.com/en/news/yjj2023100600512/?utm_source=rss", "nippon:yjj2023100600512"),
        ("https://nippon.com/en/news/kd1062226567462", "nippon:kd1062226567462"),
        ("https://mainichi.jp/english/articles/20231006/p2a/00m/0na/012000c",
         "mainichi:20231006/p2a/00m/0na/012000c"),
        ("https://mainichi.jp/premier/politics/articles/20250110/pol/00m/010/004000c",
         "mainichi:20250110/pol/00m/010/004000c"),
        ("http://en.kremlin.ru/events/president/news/72450#comments", "kremlin:en:72450"),
        ("http://kremlin.ru/events/president/transcripts/72444/", "kremlin:ru:72444"),
        ("https://ria.ru/20231006/yaponiya-1900123456.html?utm_source=yxnews", "ria:1900123456"),
    ],
)  # fmt: skip
def test_identities(url: str, identity: str) -> None:
    assert registry.for_url(url).identity(url) == identity


@pytest.mark.parametrize(
    "url",
    [
        "https://www.nippon.com/en/japan-topics/g02201/",  # a feature, not wire copy
        "https://mainichi.jp/english/",
        "http://en.kremlin.ru/events/president/news/feed",
        "http://en.kremlin.ru/catalog/persons/1",
        "https://ria.ru/politics/",
    ],
)
def test_non_articles_are_filtered(url: str) -> None:
    assert not registry.for_url(url).accepts(url)


def test_nippon_agency_follows_the_id_prefix() -> None:
    for name, agency in (("nippon_jiji", "JIJI Press"), ("nippon_kyodo_photo", "Kyodo")):
        golden = json.loads((FIXTURES / "nippon" / f"{name}.json").read_text(encoding="utf-8"))
        assert golden["expected"]["agency"] == agency


def test_nippon_layout_change_falls_back_without_the_copyright_trailer() -> None:
    golden = json.loads((FIXTURES / "nippon" / "nippon_layout_changed.json").read_text(encoding="utf-8"))
    assert golden["expected"]["extraction_method"] == "generic"
    assert "Copyright" not in golden["expected"]["body"]


def test_ria_dateline_gives_place_agency_and_correspondent() -> None:
    golden = json.loads(
        (FIXTURES / "ria" / "ria_tokyo_byline_photo_modified.json").read_text(encoding="utf-8")
    )
    expected = golden["expected"]
    assert (expected["dateline_place"], expected["agency"]) == ("ТОКИО", "RIA Novosti")
    assert expected["authors"] == ["Иван Петров"]
    assert not expected["body"].startswith("ТОКИО") and "РИА Новости" not in expected["body"]


def test_new_outlets_stay_out_of_the_sample_corpus() -> None:
    from pipeline.sample import build

    assert set(build.SOURCES) == {"tass", "sputnik", "arabnews", "sankei"}
