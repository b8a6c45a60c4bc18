"""The generic extraction path, on synthetic pages and on the real pages in ../shared/reference."""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.base import ExtractionError, Page
from connectors.generic import clean_title, extract_generic, html_to_paragraphs, site_label

REAL_PAGES = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "real-pages"
FETCHED = datetime(2026, 1, 1, tzinfo=UTC)


def make_page(url: str, html: str | bytes) -> Page:
    content = html.encode() if isinstance(html, str) else html
    return Page(url=url, content=content, text=content.decode("utf-8", "replace"), fetched_at=FETCHED)


def real_page(relative: str, url: str) -> Page:
    path = REAL_PAGES / relative
    if not path.is_file():
        pytest.skip(f"shared reference page not available: {path}")
    return make_page(url, path.read_bytes())


def expected_json(relative: str) -> dict:
    path = REAL_PAGES / relative
    if not path.is_file():
        pytest.skip(f"shared expected JSON not available: {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def _tokens(text: str) -> list[str]:
    # Latin words and single CJK characters, so that Japanese text has tokens too
    return re.findall(r"[^\W\u3040-\u30ff\u3400-\u9fff]+|[\u3040-\u30ff\u3400-\u9fff]", text.casefold())


def overlap(expected: str, got: str) -> tuple[float, float]:
    """(precision, recall) of token bigrams of ``got`` against ``expected``."""

    def bigrams(text: str) -> Counter[tuple[str, str]]:
        tokens = _tokens(text)
        return Counter(itertools.pairwise(tokens))

    want, have = bigrams(expected), bigrams(got)
    common = sum((want & have).values())
    return common / max(1, sum(have.values())), common / max(1, sum(want.values()))


def fundus_body(data: dict) -> str:
    body = data["V1"]["body"]
    parts = list(body.get("summary", []))
    for section in body["sections"]:
        parts += section.get("headline", []) + section.get("paragraphs", [])
    return "\n\n".join(parts)


# --- synthetic pages ---------------------------------------------------------------------------------

PARAGRAPHS = [
    "Japan and Russia held a new round of consultations on fishing quotas near the Southern Kurils on Monday",
    "The delegations agreed to continue talks next month, the Foreign Ministry said in a statement.",
    "Fishermen from Hokkaido have waited for a deal since the previous agreement lapsed in the spring.",
    "Officials in Tokyo said the talks were held in a constructive atmosphere despite the tensions.",
]


def article_html(
    *, head: str = "", before: str = "", after: str = "", paragraphs: list[str] = PARAGRAPHS
) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">{head}</head><body>'
        f"<nav><a href='/'>Home</a> <a href='/politics'>Politics</a></nav>"
        f"<article><h1>Fishing talks resume</h1>{before}{body}{after}</article>"
        "<aside><h3>Most Popular</h3><ul><li><a href='/a'>Other story one</a></li></ul></aside>"
        "<footer>© 2026 Example News. All rights reserved.</footer></body></html>"
    )


def test_metadata_comes_from_jsonld_and_body_from_the_article() -> None:
    head = (
        "<title>Fishing talks resume - Politics - TASS</title>"
        '<meta property="og:site_name" content="TASS">'
        '<link rel="canonical" href="https://tass.com/politics/1234567">'
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Fishing talks resume",'
        '"datePublished": "2023-10-06T12:10:26+03:00", "author": {"name": "Ivan Petrov"},'
        '"articleSection": "Politics"}</script>'
    )
    article = extract_generic(
        make_page("https://tass.com/politics/1234567?utm_source=rss", article_html(head=head))
    )
    assert article["title"] == "Fishing talks resume"
    assert article["published_at"] == datetime(2023, 10, 6, 9, 10, 26, tzinfo=UTC)
    assert article["date_source"] == "jsonld"
    assert article["authors"] == ["Ivan Petrov"]
    assert article["canonical_url"] == "https://tass.com/politics/1234567"
    assert article["section"] == "Politics"
    assert article["language"] == "en"
    assert article["extraction_method"] == "generic"
    assert article["body"] == "\n\n".join(PARAGRAPHS)
    assert article["url"] == "https://tass.com/politics/1234567?utm_source=rss"


def test_chrome_lines_inside_the_article_are_dropped() -> None:
    chrome = "<p>Share</p><p>© AP Photo/Eugene Hoshiko</p><p>Subscribe to our newsletter</p>"
    article = extract_generic(
        make_page(
            "https://example.com/a", article_html(before=chrome, after="<p>Read more</p><p>Recommended</p>")
        )
    )
    assert article["body"] == "\n\n".join(PARAGRAPHS)


def test_title_suffix_and_kicker_from_og_title() -> None:
    head = (
        '<meta property="og:title" content="EDITORIAL | Fishing Talks Must Go On | JAPAN Forward">'
        '<meta property="og:site_name" content="JAPAN Forward">'
        '<meta property="article:published_time" content="2024-05-09T08:00:00+09:00">'
    )
    article = extract_generic(make_page("https://japan-forward.com/editorial-x/", article_html(head=head)))
    assert (article["title"], article["kicker"]) == ("Fishing Talks Must Go On", "EDITORIAL")
    assert article["date_source"] == "meta"


def test_htmldate_when_metadata_has_no_date() -> None:
    before = '<p class="date">Published: <time datetime="2023-10-06">October 6, 2023</time></p>'
    article = extract_generic(make_page("https://example.com/2023/10/06/story", article_html(before=before)))
    assert article["published_at"] == datetime(2023, 10, 6, tzinfo=UTC)
    assert article["date_source"] == "htmldate"


def test_no_date_anywhere_is_none_not_a_guess() -> None:
    article = extract_generic(make_page("https://example.com/story", article_html()))
    assert article["published_at"] is None and article["date_source"] is None


def test_jsonld_article_body_rescues_a_truncated_extraction() -> None:
    long_body = " ".join(PARAGRAPHS * 4)
    head = (
        '<script type="application/ld+json">'
        + json.dumps({"@type": "NewsArticle", "headline": "x", "articleBody": long_body})
        + "</script>"
    )
    html = article_html(head=head, paragraphs=PARAGRAPHS[:1])
    article = extract_generic(make_page("https://example.com/a", html))
    assert article["body"] == long_body


def test_jsonld_article_body_that_disagrees_is_ignored() -> None:
    unrelated = "Completely different words about weather and sports results in another country. " * 12
    head = (
        '<script type="application/ld+json">'
        + json.dumps({"@type": "NewsArticle", "headline": "x", "articleBody": unrelated})
        + "</script>"
    )
    article = extract_generic(
        make_page("https://example.com/a", article_html(head=head, paragraphs=PARAGRAPHS[:2]))
    )
    assert article["body"] == "\n\n".join(PARAGRAPHS[:2])


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><title>Nothing</title></head><body><nav><a href='/'>Home</a></nav></body></html>",
        "<html><body></body></html>",
    ],
)
def test_page_without_text_is_empty_body(html: str) -> None:
    with pytest.raises(ExtractionError) as caught:
        extract_generic(make_page("https://example.com/empty", html))
    assert caught.value.reason == "empty_body"


@pytest.mark.parametrize("content", [b"", b"   \n"])
def test_empty_page_is_not_html(content: bytes) -> None:
    with pytest.raises(ExtractionError) as caught:
        extract_generic(make_page("https://example.com/empty", content))
    assert caught.value.reason == "not_html"


def test_xml_declaration_in_decoded_text_is_accepted() -> None:
    html = '<?xml version="1.0" encoding="utf-8"?>\n' + article_html()
    assert extract_generic(make_page("https://example.com/a", html))["body"]


@pytest.mark.parametrize(
    ("title", "sites", "expected"),
    [
        ("Talks resume - Politics - TASS", ["TASS"], ("Talks resume", None)),
        ("Lavrov slams Tokyo - Russian Politics & Diplomacy - TASS", ["TASS"], ("Lavrov slams Tokyo", None)),
        (
            "Japan, Russia talks - 21.01.2025, Sputnik International",
            ["Sputnik International"],
            ("Japan, Russia talks", None),
        ),
        ("Japan to boost defense | Arab News", ["Arab News"], ("Japan to boost defense", None)),
        (
            "EDITORIAL | Russia's Threats | JAPAN Forward",
            ["JAPAN Forward"],
            ("Russia's Threats", "EDITORIAL"),
        ),
        ("Japan - Russia ties sour", ["TASS"], ("Japan - Russia ties sour", None)),  # no site: keep dashes
        ("Japan - Russia talks - TASS", ["TASS"], ("Japan - Russia talks", None)),
        ("Kishida: Japan will not yield", ["TASS"], ("Kishida: Japan will not yield", None)),
        (
            "NEWS WEB EASY|子どもへの体罰を禁止する法律ができる",
            ["NEWS WEB EASY"],
            ("子どもへの体罰を禁止する法律ができる", None),
        ),
        (
            "停戦「最も合意に近い」 最終案に双方同意か - 毎日新聞",
            ["毎日新聞"],
            ("停戦「最も合意に近い」 最終案に双方同意か", None),
        ),
        ("Talks resume | tass", ["tass"], ("Talks resume", None)),
    ],
)
def test_clean_title(title: str, sites: list[str], expected: tuple[str, str | None]) -> None:
    assert clean_title(title, site_suffixes=sites) == expected


def test_clean_title_removes_the_page_section() -> None:
    assert clean_title("Ainu culture - Lifestyle - JAPAN Forward", site_suffixes=["JAPAN Forward"]) == (
        "Ainu culture - Lifestyle",
        None,
    )
    assert clean_title(
        "Ainu culture - Lifestyle - JAPAN Forward", site_suffixes=["JAPAN Forward"], section="Lifestyle"
    ) == ("Ainu culture", None)


def test_site_label() -> None:
    assert site_label("https://www.japantimes.co.jp/news/") == "japantimes"
    assert site_label("https://tass.com/politics/1") == "tass"
    assert site_label("https://www.arabnews.com/node/1") == "arabnews"


def test_html_to_paragraphs() -> None:
    assert html_to_paragraphs("<body><p>One <b>two</b></p><p>Three<br>Four</p></body>") == [
        "One two",
        "Three",
        "Four",
    ]
    assert html_to_paragraphs("plain\ntext") == ["plain", "text"]


# --- real pages ------------------------------------------------------------------------------------------


def test_japan_times_page_matches_trafilatura_evaldata() -> None:
    url = "https://www.japantimes.co.jp/news/2020/02/18/national/crime-legal/6000-surgical-masks-stolen/"
    article = extract_generic(real_page("japantimes/japantimes_2020_02_18_surgical_masks.html", url))
    expected = expected_json("japantimes/trafilatura_evaldata_surgical.json")[url]
    assert article["title"] == expected["title"]
    assert article["published_at"] is not None
    assert article["published_at"].astimezone(UTC).date().isoformat() <= expected["date"]
    assert article["published_at"] == datetime(2020, 2, 18, 9, 7, 56, tzinfo=UTC)  # 18:07:56 JST in the meta
    for snippet in expected["with"]:
        assert snippet in article["body"]
    for snippet in expected["without"]:
        assert snippet not in article["body"]
    assert article["language"] == "en"
    assert article["authors"] == []  # the page's "No Author" is a placeholder, not a name


@pytest.mark.parametrize(
    ("html", "expected", "url", "published"),
    [
        (
            "sankei/sankei_ja_2025_01_21_QBJP5I25BBIG5IZ76XZNDHDB5Q.html",
            "sankei/fundus_expected_SankeiShimbun.json",
            "https://www.sankei.com/article/20250121-QBJP5I25BBIG5IZ76XZNDHDB5Q/",
            datetime(2025, 1, 21, 11, 50, 32, tzinfo=UTC),
        ),
        (
            "mainichi/mainichi_ja_2025_01_14_20250114_k00_00m_030_335000c.html",
            "mainichi/fundus_expected_MainichiShimbun.json",
            "https://mainichi.jp/articles/20250114/k00/00m/030/335000c",
            datetime(2025, 1, 14, 12, 17, 27, tzinfo=UTC),
        ),
        (
            "yomiuri_japannews/japannews_2024_10_13_politics_20241013-216478.html",
            "yomiuri_japannews/fundus_expected_TheJapanNews.json",
            "https://japannews.yomiuri.co.jp/politics/politics-government/20241013-216478/",
            datetime(2024, 10, 13, 8, 41, 47, tzinfo=UTC),
        ),
    ],
)
def test_pages_match_fundus_expected(html: str, expected: str, url: str, published: datetime) -> None:
    article = extract_generic(real_page(html, url))
    data = expected_json(expected)
    # titles exact up to whitespace (ideographic spaces become plain spaces)
    assert article["title"] == " ".join(data["V1"]["title"].split())
    assert article["published_at"] == published
    assert (
        article["published_at"].date()
        == datetime.fromisoformat(data["V1"]["publishing_date"]).astimezone(UTC).date()
    )
    assert article["date_source"] == "jsonld"
    assert article["canonical_url"] == url
    precision, recall = overlap(fundus_body(data), article["body"])
    assert precision >= 0.9, precision
    assert recall >= 0.9, recall


def test_sputnik_2019_page_matches_scrapinghub_ground_truth() -> None:
    url = "https://sputniknews.com/columnists/201911181077343476-royal-self-indicting-arrogance/"
    article = extract_generic(real_page("sputnik/sputniknews_2019_columnists_1077343476.html", url))
    (truth,) = expected_json("sputnik/scrapinghub_groundtruth_1077343476.json").values()
    precision, recall = overlap(truth["articleBody"], article["body"])
    assert precision >= 0.95 and recall >= 0.95, (precision, recall)
    assert article["title"] == "Royal Self-Indicting Arrogance"
    assert article["published_at"] == datetime(2019, 11, 18, 21, 17, 27, tzinfo=UTC)
    assert "To participate in the discussion" not in article["body"]


def test_nhk_easy_page() -> None:
    url = "https://www3.nhk.or.jp/news/easy/k10011959621000/k10011959621000.html"
    article = extract_generic(real_page("nhk/nhk_easy_k10011959621000.html", url))
    expected = expected_json("nhk/trafilatura_evaldata_k100.json")[url]
    assert article["title"] == expected["title"].strip()
    for snippet in expected["with"]:
        assert snippet in article["body"]
    for snippet in expected["without"]:
        assert snippet.strip() not in article["body"]
    assert article["language"] == "ja"


def test_the_callers_tree_is_left_untouched() -> None:
    # connectors.base hands in its parsed tree and keeps reading it after the generic path ran
    import lxml.html

    from connectors.generic import parse_html

    before = '<p class="date">Published: <time datetime="2023-10-06">October 6, 2023</time></p>'
    page = make_page("https://example.com/story", article_html(before=before, after="<p>Share</p>"))
    tree = parse_html(page)
    snapshot = lxml.html.tostring(tree)
    extract_generic(page, tree=tree)
    assert lxml.html.tostring(tree) == snapshot


def test_a_section_word_ending_the_site_name_is_kept() -> None:
    # "News" ends "Arab News" but is no site name: only the site's own name is cut
    assert clean_title("Deal reached - News", site_suffixes=["Arab News"]) == ("Deal reached - News", None)
    assert clean_title("Deal reached - Sputnik International", site_suffixes=["Sputnik"]) == (
        "Deal reached",
        None,
    )


def test_htmldate_day_is_midnight_in_the_site_zone() -> None:
    before = '<p class="date">Published: <time datetime="2023-10-06">October 6, 2023</time></p>'
    page = make_page("https://example.jp/2023/10/06/story", article_html(before=before))
    article = extract_generic(page, default_tz="Asia/Tokyo")
    assert article["published_at"] == datetime(2023, 10, 5, 15, tzinfo=UTC)


def test_relative_canonical_link_is_made_absolute() -> None:
    page = make_page(
        "https://tass.com/world/1234567", article_html(head='<link rel="canonical" href="/politics/1234567">')
    )
    assert extract_generic(page)["canonical_url"] == "https://tass.com/politics/1234567"
