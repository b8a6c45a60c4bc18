"""JSON-LD and meta tags: @graph, lists, nested objects, broken JSON, and the meta fallbacks."""

from __future__ import annotations

from datetime import UTC, datetime

import lxml.html
import pytest

from connectors.jsonld import page_metadata, parse_jsonld_block, split_authors


def page(head: str, *, lang: str = "en") -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(
        f'<html lang="{lang}"><head>{head}</head><body><p>x</p></body></html>'
    )


def ld(payload: str) -> str:
    return f'<script type="application/ld+json">{payload}</script>'


def test_plain_news_article() -> None:
    meta = page_metadata(
        page(
            ld(
                '{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Talks resume",'
                '"datePublished": "2023-10-06T12:10:26+03:00", "dateModified": "2023-10-06T13:00:00+03:00",'
                '"author": {"@type": "Person", "name": "Ivan Petrov"}, "articleSection": "Politics",'
                '"inLanguage": "en", "mainEntityOfPage": {"@id": "https://tass.com/politics/1"},'
                '"publisher": {"@type": "Organization", "name": "TASS"}}'
            )
        )
    )
    assert meta.title == "Talks resume"
    assert meta.published_at == datetime(2023, 10, 6, 9, 10, 26, tzinfo=UTC)
    assert meta.modified_at == datetime(2023, 10, 6, 10, tzinfo=UTC)
    assert meta.date_source == "jsonld"
    assert meta.authors == ["Ivan Petrov"]
    assert meta.section == "Politics"
    assert meta.canonical_url == "https://tass.com/politics/1"
    assert meta.site_name == "TASS"
    assert meta.article_type == "NewsArticle"


def test_graph_with_id_references() -> None:
    meta = page_metadata(
        page(
            ld(
                '{"@context": "https://schema.org", "@graph": ['
                '{"@type": "WebSite", "@id": "https://japan-forward.com/#website", "name": "JAPAN Forward"},'
                '{"@type": "WebPage", "@id": "https://japan-forward.com/x/#webpage", "name": "Page name"},'
                '{"@type": "Person", "@id": "https://japan-forward.com/#/person/1",'
                '"name": "Sankei Shimbun"},'
                '{"@type": "Article", "headline": "EDITORIAL | Russia",'
                '"datePublished": "2024-05-09T08:00:00+09:00",'
                '"author": {"@id": "https://japan-forward.com/#/person/1"},'
                '"publisher": {"@id": "https://japan-forward.com/#website"}}]}'
            )
        )
    )
    assert meta.title == "EDITORIAL | Russia"  # the Article beats the WebPage
    assert meta.authors == ["Sankei Shimbun"]
    assert meta.published_at == datetime(2024, 5, 8, 23, tzinfo=UTC)
    assert meta.site_name == "JAPAN Forward"


def test_top_level_list_and_nested_types() -> None:
    meta = page_metadata(
        page(
            ld(
                '[{"@type": "BreadcrumbList", "itemListElement": []},'
                '{"@type": ["ReportageNewsArticle"], "headline": "Kuril talks",'
                '"author": [{"name": "A. One"}, {"name": "B. Two"}, "C. Three"],'
                '"datePublished": "2024-01-02T03:04:05Z"}]'
            )
        )
    )
    assert meta.title == "Kuril talks"
    assert meta.authors == ["A. One", "B. Two", "C. Three"]
    assert meta.article_type == "ReportageNewsArticle"


def test_several_blocks_pick_the_article() -> None:
    meta = page_metadata(
        page(
            ld('{"@type": "Organization", "name": "Arab News"}')
            + ld('{"@type": "NewsArticle", "headline": "Japan exports", "datePublished": "2023-10-06"}')
        )
    )
    assert meta.title == "Japan exports"
    assert meta.published_at == datetime(2023, 10, 6, tzinfo=UTC)


@pytest.mark.parametrize(
    "raw",
    [
        '{"@type": "NewsArticle", "headline": "Broken",}',  # trailing comma
        '{"@type": "NewsArticle", "headline": "Broken", "keywords": ["a", "b",],}',
        '<!-- {"@type": "NewsArticle", "headline": "Broken"} -->',  # wrapped in a comment
        '{"@type": "NewsArticle", "headline": "Bro\nken"}',  # raw newline inside a string
        "{&quot;@type&quot;: &quot;NewsArticle&quot;, &quot;headline&quot;: &quot;Broken&quot;}",  # escaped
        '{"@type": "NewsArticle", "headline": "Broken"}{"@type": "Organization", "name": "X"}',  # two values
    ],
)
def test_broken_json_is_repaired(raw: str) -> None:
    values = parse_jsonld_block(raw)
    assert values and values[0]["@type"] == "NewsArticle"
    assert values[0]["headline"].replace("\n", "") == "Broken"


def test_html_entities_inside_strings_are_decoded() -> None:
    assert parse_jsonld_block('{"headline": "Japan &amp; Russia &#8211; talks"}') == [
        {"headline": "Japan & Russia – talks"}
    ]


def test_hopeless_json_gives_nothing_and_meta_still_works() -> None:
    meta = page_metadata(page(ld("{not json at all") + '<meta property="og:title" content="From OG">'))
    assert meta.title == "From OG"
    assert meta.jsonld == []


def test_meta_tags_when_there_is_no_jsonld() -> None:
    meta = page_metadata(
        page(
            "<title>Talks - TASS</title>"
            '<meta property="og:title" content="Talks">'
            '<meta property="og:site_name" content="TASS">'
            '<meta property="og:description" content="Lead &lt;b&gt;here&lt;/b&gt;">'
            '<meta property="article:published_time" content="2023-10-06T12:10:26+0300">'
            '<meta property="article:modified_time" content="2023-10-07T00:00:00Z">'
            '<meta property="article:section" content="Politics">'
            '<meta name="author" content="By Jane Doe and John Roe">'
            '<link rel="canonical" href="https://tass.com/politics/1">',
            lang="en-US",
        )
    )
    assert (meta.title, meta.site_name, meta.section) == ("Talks", "TASS", "Politics")
    assert meta.description == "Lead here"
    assert meta.published_at == datetime(2023, 10, 6, 9, 10, 26, tzinfo=UTC)
    assert meta.modified_at == datetime(2023, 10, 7, tzinfo=UTC)
    assert meta.date_source == "meta"
    assert meta.authors == ["Jane Doe", "John Roe"]
    assert meta.canonical_url == "https://tass.com/politics/1"
    assert meta.language == "en"
    assert meta.html_title == "Talks - TASS"


def test_jsonld_wins_over_meta_for_the_date() -> None:
    meta = page_metadata(
        page(
            '<meta property="article:published_time" content="2020-01-01T00:00:00Z">'
            + ld('{"@type": "NewsArticle", "datePublished": "2023-10-06T00:00:00Z"}')
        )
    )
    assert meta.published_at == datetime(2023, 10, 6, tzinfo=UTC) and meta.date_source == "jsonld"


def test_unparsable_jsonld_date_falls_back_to_meta() -> None:
    meta = page_metadata(
        page(
            '<meta property="article:published_time" content="2020-01-01T00:00:00Z">'
            + ld('{"@type": "NewsArticle", "datePublished": "soon"}')
        )
    )
    assert meta.published_at == datetime(2020, 1, 1, tzinfo=UTC) and meta.date_source == "meta"


def test_naive_dates_use_the_default_zone() -> None:
    tree = page(ld('{"@type": "NewsArticle", "datePublished": "2025-01-21 20:50"}'))
    assert page_metadata(tree, default_tz="Asia/Tokyo").published_at == datetime(
        2025, 1, 21, 11, 50, tzinfo=UTC
    )


def test_placeholder_and_publisher_authors_are_dropped() -> None:
    meta = page_metadata(
        page(
            ld(
                '{"@type": "NewsArticle", "author": [{"name": "No Author"}, {"name": "毎日新聞"}],'
                '"publisher": {"name": "毎日新聞"}}'
            )
        )
    )
    assert meta.authors == []


def test_language_from_og_locale_when_html_has_none() -> None:
    tree = lxml.html.document_fromstring(
        '<html><head><meta property="og:locale" content="ja_JP"></head></html>'
    )
    assert page_metadata(tree).language == "ja"


def test_split_authors() -> None:
    assert split_authors("By Jane Doe, John Roe and Ivan Petrov") == ["Jane Doe", "John Roe", "Ivan Petrov"]
    assert split_authors("https://www.facebook.com/someone") == []
    assert split_authors("大渡 美咲") == ["大渡 美咲"]
