"""The toolkit defences the hostile corpus needed, one by one, without a pipeline around them."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from connectors.base import ExtractionError, Page
from connectors.dates import parse_datetime
from connectors.encoding import MAX_ATTRIBUTE_CHARS, decode_html, shrink_huge_attributes
from connectors.feeds import parse_feed, replace_bad_char_refs
from connectors.generic import MAX_BODY_CHARS, MAX_TITLE_CHARS, clean_title, extract_generic
from connectors.http import _root_element
from connectors.jsonld import parse_jsonld_block
from connectors.text import clean_line, is_chrome_line, normalize_whitespace, strip_chrome

STORY = (
    "Foreign Minister Takeshi Iwaya met the Russian ambassador in Tokyo on Tuesday to discuss fishing "
    "quotas near the Southern Kurils, which Japan calls the Northern Territories, the ministry said."
)


def _page(html: str, url: str = "http://127.0.0.1:9/news/1") -> Page:
    text, encoding = decode_html(html.encode("utf-8", "surrogatepass"), "text/html; charset=utf-8")
    return Page(url, html.encode("utf-8", "surrogatepass"), text, datetime.now(UTC), encoding=encoding)


# --- decoding -------------------------------------------------------------------------------------


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x7f", "\u202e", "\u2067"])
def test_decoded_text_holds_no_controls_or_bidi_overrides(char: str) -> None:
    text, _ = decode_html(f"<p>Both{char} sides</p>".encode(), "text/html")
    assert text == "<p>Both sides</p>"


def test_decoding_keeps_ordinary_whitespace_and_marks() -> None:
    # tab, newline, CR and the right-to-left mark of Arabic text are text, not hostile controls
    text, _ = decode_html("<p>a\tb\r\nc \u200fمرحبا</p>".encode(), "text/html")
    assert text == "<p>a\tb\r\nc \u200fمرحبا</p>"


def test_huge_attribute_values_are_emptied_and_small_ones_kept() -> None:
    html = f"<div class='x' data-blob='{'A' * (MAX_ATTRIBUTE_CHARS + 5)}'>story</div>"
    assert shrink_huge_attributes(html) == "<div class='x' data-blob=\"\">story</div>"
    small = "<div data-x='" + "A" * 1000 + "'>" + "text " * MAX_ATTRIBUTE_CHARS + "</div>"
    assert shrink_huge_attributes(small) == small


def test_attribute_scan_stays_linear_on_unclosed_quotes() -> None:
    hostile = "<p a='" + "='x" * 400_000 + "b" * (2 * MAX_ATTRIBUTE_CHARS)
    start = time.perf_counter()
    shrink_huge_attributes(hostile)
    assert time.perf_counter() - start < 2.0


# --- feeds ----------------------------------------------------------------------------------------


def test_char_refs_to_no_character_are_replaced() -> None:
    assert replace_bad_char_refs(b"&#xD800;&#55296;&#0;&#x1F;&#x10FFFF;&#9;&#xE9;") == (
        b"&#xFFFD;&#xFFFD;&#xFFFD;&#xFFFD;&#x10FFFF;&#9;&#xE9;"
    )


def test_feed_with_lone_surrogate_refs_parses_to_storable_text() -> None:
    rss = (
        b"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>"
        b"<item><title>Talks &#xDC00; resume</title><link>http://127.0.0.1:9/a</link></item>"
        b"</channel></rss>"
    )
    [item] = parse_feed(rss, "http://127.0.0.1:9/feed.xml")
    assert item.title is not None
    item.title.encode("utf-8")  # a lone surrogate would raise here, and in every Parquet writer
    assert item.title.startswith("Talks") and item.title.endswith("resume")


@pytest.mark.parametrize("kind", ["rss", "urlset"])
def test_doctype_with_internal_subset_is_still_xml_to_the_client(kind: str) -> None:
    body = f"<?xml version='1.0'?><!DOCTYPE {kind} [<!ENTITY a 'b'><!ENTITY c 'd'>]><{kind}>".encode()
    assert _root_element(body) == "xml"


def test_doctype_subset_longer_than_the_sniffed_head_is_xml() -> None:
    body = b"<?xml version='1.0'?><!DOCTYPE rss [<!ENTITY a '" + b"x" * 50_000 + b"'>]><rss>"
    assert _root_element(body) == "xml"


def test_billion_laughs_feed_never_expands() -> None:
    entities = "<!ENTITY lol 'lol'>" + "".join(
        f"<!ENTITY lol{i} '{('&lol' + (str(i - 1) if i > 1 else '') + ';') * 10}'>" for i in range(1, 10)
    )
    rss = (
        f"<?xml version='1.0'?><!DOCTYPE rss [{entities}]><rss version='2.0'><channel><title>T</title>"
        "<item><title>&lol9;</title><link>http://127.0.0.1:9/a</link></item></channel></rss>"
    ).encode()
    start = time.perf_counter()
    try:
        items = parse_feed(rss, "http://127.0.0.1:9/feed.xml")
    except ExtractionError as exc:
        assert exc.reason == "malformed_feed"
    else:
        assert all(len(i.title or "") < 1000 for i in items)
    assert time.perf_counter() - start < 2.0


def test_external_entity_in_sitemap_is_not_read(tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-TOKEN")
    body = (
        f"<?xml version='1.0'?><!DOCTYPE urlset [<!ENTITY xxe SYSTEM 'file://{secret}'>]>"
        "<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        "<url><loc>http://127.0.0.1:9/a?x=&xxe;</loc></url></urlset>"
    ).encode()
    try:
        items = parse_feed(body, "http://127.0.0.1:9/sitemap.xml")
    except ExtractionError as exc:
        assert exc.reason == "malformed_feed" and "TOP-SECRET" not in exc.detail
    else:
        assert all("TOP-SECRET" not in i.url for i in items)


# --- text -----------------------------------------------------------------------------------------


def test_clean_line_drops_surrogates_controls_and_overrides() -> None:
    assert clean_line("a\x00b \udc00c \u202ed\x0ce") == "ab c d e"
    assert normalize_whitespace("x\x01y\n\n\u2066z") == "xy\n\nz"


def test_flattened_menus_and_cookie_banners_are_chrome() -> None:
    menu = " | ".join(["Home", "World", "Politics", "Economy"] * 20)
    assert is_chrome_line(menu)
    assert is_chrome_line("We use cookies. Accept all cookies to continue.")
    # a table row of figures and a sentence with a pipe are not menus
    assert not is_chrome_line("Salmon | 1,200 t | 2023 | Trout | 300 t | 2024")
    assert strip_chrome([menu, STORY]) == [STORY]


# --- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "Sat, 01 Jan 0000 00:00:00 GMT",
        "0000-01-01T00:00:00Z",
        "2023-02-30T10:00:00+03:00",
        "Thu, 30 Feb 2023 10:00:00 GMT",
        "9999-12-31T23:59:59-14:00",
        "99999999999999999999",
    ],
)
def test_impossible_dates_are_none(value: str) -> None:
    assert parse_datetime(value) is None


def test_two_digit_rfc822_years_still_parse() -> None:
    assert parse_datetime("06 Oct 23 12:10 GMT") == datetime(2023, 10, 6, 12, 10, tzinfo=UTC)


# --- JSON-LD and the generic extractor --------------------------------------------------------------


def test_jsonld_nesting_bombs_decode_to_nothing_quickly() -> None:
    start = time.perf_counter()
    assert parse_jsonld_block("[" * 100_000 + "]" * 100_000) == []
    assert parse_jsonld_block('{"a":' * 50_000 + "1" + "}" * 50_000) == []
    assert parse_jsonld_block('{"@type": "NewsArticle", "headline": "Fine"}') == [
        {"@type": "NewsArticle", "headline": "Fine"}
    ]
    assert time.perf_counter() - start < 2.0


def _article_html(head: str = "", title: str = "Fisheries talks resume", body: str = STORY) -> str:
    return (
        f"<html><head><title>{title}</title>{head}</head><body><article><h1>{title}</h1>"
        f"<p>{body}</p><p>{body.replace('Tuesday', 'Wednesday')}</p></article></body></html>"
    )


@pytest.mark.parametrize(
    "href", ["javascript:alert(1)", "file:///etc/passwd", "data:text/html,x", "http://[::1", "mailto:a@b"]
)
def test_canonical_that_is_no_web_url_is_dropped(href: str) -> None:
    article = extract_generic(_page(_article_html(f"<link rel='canonical' href='{href}'>")))
    assert article["canonical_url"] is None


def test_gigantic_titles_are_capped_at_a_word_boundary() -> None:
    title, _ = clean_title("Talks " * 200_000)
    assert len(title) <= MAX_TITLE_CHARS and title.endswith("Talks…")


def test_bodies_beyond_the_cap_are_rejected() -> None:
    words = "Japan Russia talks fisheries quota ministry Tokyo Moscow statement experts " * (
        MAX_BODY_CHARS // 70
    )
    with pytest.raises(ExtractionError) as caught:
        extract_generic(_page(_article_html(body=words)))
    assert caught.value.reason == "body_too_long"


def test_an_impossible_declared_date_is_not_replaced_by_a_guess() -> None:
    head = "<meta property='article:published_time' content='2023-02-30T10:00:00+03:00'>"
    article = extract_generic(_page(_article_html(head)))
    assert article["published_at"] is None and article["date_source"] is None
