"""The connector framework: identities, URL filters, the registry, version choice and fallbacks."""

from __future__ import annotations

import pickle
import re
import sys
import textwrap
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from connectors import registry
from connectors.base import Connector, ExtractionError, Page

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FETCHED = datetime(2023, 10, 8, 9, 0, tzinfo=UTC)


def _page(url: str, html: str) -> Page:
    return Page(
        url=url, content=html.encode("utf-8"), text=html, fetched_at=FETCHED, content_type="text/html"
    )


def _fixture(source: str, name: str) -> tuple[str, str]:
    import json

    golden = json.loads((FIXTURES / source / f"{name}.json").read_text(encoding="utf-8"))
    return golden["url"], (FIXTURES / source / f"{name}.html").read_text(encoding="utf-8")


# -- identity ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "identity"),
    [
        # one TASS story under several sections, with tracking parameters and as AMP
        ("https://tass.com/politics/1681234", "tass:1681234"),
        ("https://tass.com/world/1681234?utm_source=rss&utm_medium=feed", "tass:1681234"),
        ("https://tass.com/politics/1681234/amp", "tass:1681234"),
        ("http://TASS.com/politics/1681234#comments", "tass:1681234"),
        ("https://m.tass.com/politics/1681234", "tass:1681234"),
        ("https://tass.ru/politika/1681234", "tass.ru:1681234"),  # tass.ru numbers stories separately
        ("https://sputnikglobe.com/20231006/japan-russia-talks-1113912345.html", "sputnik:1113912345"),
        (
            "https://sputnikglobe.com/20231006/japan-russia-talks-1113912345.html?utm_source=x",
            "sputnik:1113912345",
        ),
        (
            "https://sputniknews.com/columnists/201911181077343476-royal-self-indicting-arrogance/",
            "sputnik:1077343476",
        ),
        ("https://sputniknews.com/asia/201909111076789012-japan-russia/", "sputnik:1076789012"),
        ("https://www.arabnews.com/node/2389186/japan", "arabnews:2389186"),
        ("https://www.arabnews.com/node/2389186/world?amp", "arabnews:2389186"),
        ("https://www.arabnews.com/node/2389186", "arabnews:2389186"),
        (
            "https://www.sankei.com/article/20250121-QBJP5I25BBIG5IZ76XZNDHDB5Q/",
            "sankei:QBJP5I25BBIG5IZ76XZNDHDB5Q",
        ),
        (
            "https://www.sankei.com/article/20250121-QBJP5I25BBIG5IZ76XZNDHDB5Q/?outputType=amp",
            "sankei:QBJP5I25BBIG5IZ76XZNDHDB5Q",
        ),
        ("https://japan-forward.com/?p=142087", "japanforward:142087"),
        (
            "https://japan-forward.com/some-editorial-slug/?utm_campaign=x",
            "https://japan-forward.com/some-editorial-slug/",
        ),
    ],
)
def test_identity(url: str, identity: str) -> None:
    connector = registry.for_url(url)
    assert connector is not None
    assert connector.identity(url) == identity


def test_japan_forward_feed_guid_gives_the_post_id() -> None:
    sankei = registry.get("sankei")
    assert sankei.entry_identity("https://japan-forward.com/a-slug/", "https://japan-forward.com/?p=77") == (
        "japanforward:77"
    )
    assert (
        sankei.entry_identity("https://japan-forward.com/a-slug/", None)
        == "https://japan-forward.com/a-slug/"
    )


def test_identity_rejects_a_non_url() -> None:
    with pytest.raises(ValueError):
        registry.get("tass").identity("not a url")


# -- URL filters ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("https://tass.com/politics/1681234", True),
        ("https://tass.com/politics", False),
        ("https://tass.com/rss/v2.xml", False),
        ("https://tass.com/", False),
        ("https://sputnikglobe.com/20231006/japan-russia-talks-1113912345.html", True),
        ("https://sputnikglobe.com/world/", False),
        ("https://sputnikglobe.com/export/rss2/archive/index.xml", False),
        ("https://www.arabnews.com/node/2389186/japan", True),
        ("https://www.arabnews.com/cat/4", False),
        ("https://www.arabnews.com/taxonomy/term/12", False),
        ("https://japan-forward.com/an-article-slug/", True),
        ("https://japan-forward.com/category/politics/", False),
        ("https://japan-forward.com/feed/", False),
        ("https://www.sankei.com/article/20250121-QBJP5I25BBIG5IZ76XZNDHDB5Q/", True),
        ("https://www.sankei.com/politics/", False),
        ("https://evil.example/politics/1681234", False),
    ],
)
def test_accepts(url: str, accepted: bool) -> None:
    owner = registry.for_url(url) or registry.get("tass")
    assert owner.accepts(url) is accepted


# -- registry ------------------------------------------------------------------------------------------


def test_registry_finds_every_source_and_alias() -> None:
    assert [c.id for c in registry.all_connectors()] == [
        "arabnews",
        "kremlin",
        "mainichi",
        "nippon",
        "ria",
        "sankei",
        "sputnik",
        "tass",
    ]
    for alias, source_id in (
        ("kyodo", "nippon"),
        ("jiji", "nippon"),
        ("the-mainichi", "mainichi"),
        ("ria-novosti", "ria"),
    ):
        assert registry.get(alias).id == source_id
    for alias in ("japanforward", "japan-forward", "japan_forward", "JAPAN-FORWARD"):
        assert registry.get(alias).id == "sankei"
    for alias in ("arab-news", "arab_news"):
        assert registry.get(alias).id == "arabnews"
    with pytest.raises(KeyError, match="known"):
        registry.get("nhk")
    assert registry.for_url("https://example.com/a") is None
    assert registry.for_url("https://japan-forward.com/x/").id == "sankei"


def test_registry_spec_of_tass() -> None:
    tass = registry.get("tass")
    assert (
        tass.min_interval == 4.0
        and "tass.ru" in tass.hosts
        and tass.feeds[0] == "https://tass.com/rss/v2.xml"
    )


def test_make_connector_generic_and_overridden_feeds() -> None:
    generic = registry.make_connector("kremlin", connector="generic", feeds=["http://en.kremlin.ru/feed"])
    assert (generic.id, generic.feeds) == ("kremlin", ("http://en.kremlin.ru/feed",))
    assert generic.identity("http://en.kremlin.ru/events/1?utm_source=x") == "http://en.kremlin.ru/events/1"
    custom = registry.make_connector("tass", feeds=["https://tass.com/rss/politics.xml"])
    assert custom.feeds == ("https://tass.com/rss/politics.xml",) and custom.id == "tass"
    assert registry.get("tass").feeds != custom.feeds  # the built-in is untouched
    renamed = registry.make_connector("tass_en", connector="tass")
    assert renamed.id == "tass_en" and renamed.identity("https://tass.com/world/12345") == "tass:12345"
    with pytest.raises(ValueError, match="needs feeds"):
        registry.make_connector("nofeeds", connector="generic")
    with pytest.raises(KeyError):
        registry.make_connector("unknown-source")


@pytest.mark.parametrize(
    "connector",
    [
        *registry.all_connectors(),
        registry.make_connector("kremlin", connector="generic", feeds=["http://k/f"]),
    ],
    ids=lambda c: c.id,
)
def test_connectors_pickle(connector: Connector) -> None:
    clone = pickle.loads(pickle.dumps(connector))
    assert clone == connector and clone.feeds == connector.feeds and clone.id == connector.id


def test_duplicate_ids_fail_at_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "dupsources"
    package.mkdir()
    (package / "__init__.py").write_text("")
    module = textwrap.dedent(
        """
        from connectors.base import Connector

        class {name}(Connector):
            id = "{id}"
            aliases = ({alias!r},)
        """
    )
    (package / "first.py").write_text(module.format(name="First", id="alpha", alias="a-one"))
    (package / "second.py").write_text(module.format(name="Second", id="beta", alias="ALPHA"))
    monkeypatch.syspath_prepend(str(tmp_path))
    import importlib

    dup = importlib.import_module("dupsources")
    with pytest.raises(registry.RegistryError, match="already taken"):
        registry.discover(dup)
    for name in ("dupsources", "dupsources.first", "dupsources.second"):
        sys.modules.pop(name, None)


def test_a_module_without_one_connector_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "emptysources"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "nothing.py").write_text("X = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import importlib

    with pytest.raises(registry.RegistryError, match="exactly one Connector"):
        registry.discover(importlib.import_module("emptysources"))
    for name in ("emptysources", "emptysources.nothing"):
        sys.modules.pop(name, None)


# -- extraction behaviour --------------------------------------------------------------------------------


def test_layout_change_falls_back_to_generic() -> None:
    url, html = _fixture("tass", "tass_photo")
    source = registry.get("tass").extract(_page(url, html))
    # TASS renames its body classes: nothing the source's selectors know is left
    changed = re.sub(r'class="text-(content|block)"', r'class="article-v4-\1"', html)
    assert "text-block" not in changed
    article = registry.get("tass").extract(_page(url, changed))
    assert source["extraction_method"] == "source:tass@2020"
    assert article["extraction_method"] == "generic"
    assert article["body"] == source["body"]  # same paragraphs, dateline stripped either way
    assert article["title"] == source["title"] and article["published_at"] == source["published_at"]
    assert article["dateline_place"] == "TOKYO" and article["agency"] == "TASS"


def test_empty_body_is_an_extraction_error() -> None:
    url, html = _fixture("tass", "tass_plain")
    emptied = re.sub(r'(<div class="text-block">).*?(</div>\s*</div>)', r"\1\2", html, flags=re.S)
    emptied = re.sub(r"<(h1|div class=\"news-header__lead\")[^>]*>.*?</\w+>", "", emptied, flags=re.S)
    emptied = re.sub(r"<(aside|header|footer)\b.*?</\1>", "", emptied, flags=re.S)
    with pytest.raises(ExtractionError) as info:
        registry.get("tass").extract(_page(url, emptied))
    assert info.value.reason == "empty_body"


@pytest.mark.parametrize("content", [b"", b"   \n", b'<?xml version="1.0"?><rss><channel></channel></rss>'])
def test_non_pages_are_rejected_with_a_reason(content: bytes) -> None:
    page = Page(url="https://tass.com/world/1", content=content, text=content.decode(), fetched_at=FETCHED)
    with pytest.raises(ExtractionError) as info:
        registry.get("tass").extract(page)
    assert info.value.reason in ("empty_page", "not_html")


def test_feed_parser_rejects_html() -> None:
    with pytest.raises(ExtractionError) as info:
        registry.get("tass").parse_feed(
            b"<!DOCTYPE html><html><body>Redirecting...</body></html>", "https://tass.com/rss/v2.xml"
        )
    assert info.value.reason == "not_a_feed"


def test_parser_version_is_chosen_by_layout() -> None:
    sputnik = registry.get("sputnik")
    old_url, old_html = _fixture("sputnik", "sputnik_2019_design")
    new_url, new_html = _fixture("sputnik", "sputnik_ria_novosti")
    assert sputnik.extract(_page(old_url, old_html))["extraction_method"] == "source:sputnik@2019"
    assert sputnik.extract(_page(new_url, new_html))["extraction_method"] == "source:sputnik@2022"


def test_sputnik_related_card_is_not_body() -> None:
    url, html = _fixture("sputnik", "sputnik_related_card")
    assert 'data-type="article"' in html
    card_title = re.search(r'class="article__article-title"[^>]*>([^<]+)<', html).group(1)  # type: ignore[union-attr]
    article = registry.get("sputnik").extract(_page(url, html))
    assert card_title not in article["body"]


def test_arab_news_extracts_the_first_article_only() -> None:
    url, html = _fixture("arabnews", "arabnews_jiji_next_article")
    assert html.count("<article ") == 2  # infinite scroll appended the next story
    article = registry.get("arabnews").extract(_page(url, html))
    second = re.findall(r'<div class="entry-title"><h1>([^<]+)</h1>', html)[1]
    assert second not in article["body"] and article["identity"] == "arabnews:2388001"
    assert article["agency"] == "JIJI Press" and not article["body"].endswith("JIJI Press")
    assert not article["body"].startswith("TOKYO")


def test_arab_news_relative_update_uses_the_fetch_time() -> None:
    url, html = _fixture("arabnews", "arabnews_afp_updated_relative")
    article = registry.get("arabnews").extract(_page(url, html))
    assert article["modified_at"] == datetime(2023, 10, 8, 8, 59, 55, tzinfo=UTC)


def test_tass_dateline_without_a_year_takes_it_from_the_fetch_time() -> None:
    url, html = _fixture("tass", "tass_plain")
    bare = re.sub(r"<dateformat[^>]*></dateformat>", "", html)
    bare = re.sub(r'<script type="application/ld\+json">.*?</script>', "", bare, flags=re.S)
    article = registry.get("tass").extract(_page(url, bare))
    # "MOSCOW, October 7. /TASS/." fetched on 8 October 2023: 7 October 2023, Moscow time
    assert article["date_source"] == "dateline"
    assert article["published_at"] == datetime(2023, 10, 6, 21, 0, tzinfo=UTC)


def test_japan_forward_kicker_and_credit() -> None:
    url, html = _fixture("sankei", "japanforward_editorial")
    article = registry.get("sankei").extract(_page(url, html))
    assert article["kicker"] == "EDITORIAL" and not article["title"].startswith("EDITORIAL")
    assert "(© Sankei)" not in article["body"]
    url, html = _fixture("sankei", "japanforward_jiji")
    article = registry.get("sankei").extract(_page(url, html))
    assert article["agency"] == "JIJI Press" and "(JIJI)" not in article["body"]


def test_versions_are_chosen_by_date_when_several_layouts_match() -> None:
    from datetime import date

    from connectors.base import ParserVersion

    class Old(ParserVersion):
        version = "old"
        valid_until = date(2021, 12, 31)
        body_css = "div.story p"

    class New(ParserVersion):
        version = "new"
        body_css = "div.story p"

    class Dated(Connector):
        id = "dated"
        name = "Dated"
        parsers = (Old, New)

    def page(published: str) -> Page:
        html = (
            '<html><head><script type="application/ld+json">{"@type": "NewsArticle", "headline": "H", '
            f'"datePublished": "{published}"}}</script></head><body><div class="story"><p>Text of the story '
            "that is long enough to count.</p></div></body></html>"
        )
        return _page("https://dated.example/a/1", html)

    assert Dated().extract(page("2020-05-01T10:00:00+00:00"))["extraction_method"] == "source:dated@old"
    assert Dated().extract(page("2023-05-01T10:00:00+00:00"))["extraction_method"] == "source:dated@new"


@pytest.mark.parametrize("connector", registry.all_connectors(), ids=lambda c: c.id)
def test_parser_versions_are_well_formed(connector: Connector) -> None:
    versions = [p.version for p in connector.parsers]
    assert versions and len(set(versions)) == len(versions)
    # oldest first: retired layouts (with a last day) come before the current ones, in date order
    ends = [p.valid_until for p in connector.parsers]
    assert ends == sorted(ends, key=lambda d: d or date.max)
    assert connector.name and connector.home.startswith("https://") and connector.feeds and connector.hosts
