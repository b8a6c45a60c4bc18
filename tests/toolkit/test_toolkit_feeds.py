"""Feeds and sitemaps: RSS 2.0, RSS 1.0, Atom, news sitemaps, sitemap indexes, and hostile input."""

from __future__ import annotations

import gzip
import resource
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.base import ExtractionError
from connectors.feeds import MAX_INFLATED_BYTES, FeedItem, parse_feed

WORDPRESS_RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>JAPAN Forward</title><link>https://japan-forward.com</link><language>en-US</language>
  <item>
    <title>EDITORIAL | Russia&#8217;s Threats Near Hokkaido</title>
    <link>https://japan-forward.com/editorial-russias-threats/</link>
    <dc:creator><![CDATA[The Sankei Shimbun]]></dc:creator>
    <pubDate>Fri, 06 Oct 2023 03:10:26 +0000</pubDate>
    <category><![CDATA[Politics]]></category><category><![CDATA[Russia]]></category>
    <guid isPermaLink="false">https://japan-forward.com/?p=123456</guid>
    <description><![CDATA[<p>The lead.</p>]]></description>
    <content:encoded><![CDATA[<p>First paragraph.</p><p>Second paragraph.</p>]]></content:encoded>
  </item>
  <item>
    <title>Second</title>
    <link>/relative-story/?utm_source=rss</link>
    <pubDate>06 Oct 2023 12:10:26 GMT9</pubDate>
  </item>
</channel>
</rss>"""

RSS_1 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://mainichi.jp/"><title>Mainichi</title><link>https://mainichi.jp/</link></channel>
  <item rdf:about="https://mainichi.jp/english/articles/20250114/p2g/00m/0na/001000c">
    <title>Japan, Russia talks</title>
    <link>https://mainichi.jp/english/articles/20250114/p2g/00m/0na/001000c</link>
    <dc:date>2025-01-14T21:17:27+09:00</dc:date>
  </item>
</rdf:RDF>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title>Kremlin</title><id>tag:kremlin</id><updated>2024-05-09T10:00:00+03:00</updated>
  <entry>
    <title>Meeting with the Prime Minister of Japan</title>
    <link rel="alternate" href="/events/president/news/73000"/>
    <id>http://en.kremlin.ru/events/president/news/73000</id>
    <published>2024-05-09T09:00:00+03:00</published>
    <updated>2024-05-09T10:00:00+03:00</updated>
    <author><name>Presidential Executive Office</name></author>
    <summary>Short summary.</summary>
    <content type="html">&lt;p&gt;Full text.&lt;/p&gt;</content>
  </entry>
</feed>"""

NEWS_SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url>
    <loc>https://www.sankei.com/article/20250121-QBJP5I25BBIG5IZ76XZNDHDB5Q/</loc>
    <lastmod>2025-01-21T21:00:00+09:00</lastmod>
    <news:news>
      <news:publication><news:name>産経ニュース</news:name><news:language>ja</news:language></news:publication>
      <news:publication_date>2025-01-21T20:50:32+09:00</news:publication_date>
      <news:title>小笠原諸島の警察無線「不感地帯」解消</news:title>
      <news:keywords>社会, 地震</news:keywords>
    </news:news>
  </url>
  <url><loc>https://www.sankei.com/article/20250121-AAAAAAAAAAAAAAAAAAAAAAAAAA/</loc></url>
</urlset>""".encode()

SITEMAP_INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://tass.com/sitemap/sitemap_news0.xml</loc><lastmod>2024-12-26T10:00:00+03:00</lastmod></sitemap>
  <sitemap><loc>https://tass.com/sitemap/sitemap_news1.xml</loc></sitemap>
</sitemapindex>"""


def test_wordpress_rss_with_content_encoded_and_dc_creator() -> None:
    first, second = parse_feed(WORDPRESS_RSS, "https://japan-forward.com/feed/")
    assert first == FeedItem(
        url="https://japan-forward.com/editorial-russias-threats/",
        title="EDITORIAL | Russia’s Threats Near Hokkaido",
        summary="<p>The lead.</p>",
        published_at=datetime(2023, 10, 6, 3, 10, 26, tzinfo=UTC),
        updated_at=None,
        guid="https://japan-forward.com/?p=123456",
        kind="article",
        content_html="<p>First paragraph.</p><p>Second paragraph.</p>",
        authors=["The Sankei Shimbun"],
        categories=["Politics", "Russia"],
        language="en-US",
    )
    # relative links are resolved against the feed URL; tracking parameters are the caller's business
    assert second.url == "https://japan-forward.com/relative-story/?utm_source=rss"
    # "GMT9" is +09:00 (Arab News style), which feedparser alone does not know
    assert second.published_at == datetime(2023, 10, 6, 3, 10, 26, tzinfo=UTC)


def test_rss_1_0() -> None:
    (item,) = parse_feed(RSS_1, "https://mainichi.jp/rss/etc/english_latest.rss")
    assert item.url == "https://mainichi.jp/english/articles/20250114/p2g/00m/0na/001000c"
    assert item.published_at == datetime(2025, 1, 14, 12, 17, 27, tzinfo=UTC)


def test_atom() -> None:
    (item,) = parse_feed(ATOM, "http://en.kremlin.ru/events/president/news/feed")
    assert item.url == "http://en.kremlin.ru/events/president/news/73000"
    assert item.title == "Meeting with the Prime Minister of Japan"
    assert item.published_at == datetime(2024, 5, 9, 6, tzinfo=UTC)
    assert item.updated_at == datetime(2024, 5, 9, 7, tzinfo=UTC)
    assert item.authors == ["Presidential Executive Office"]
    assert item.summary == "Short summary."
    assert item.content_html == "<p>Full text.</p>"
    assert item.guid == "http://en.kremlin.ru/events/president/news/73000"


def test_naive_feed_dates_use_the_default_zone() -> None:
    feed = b"""<rss version="2.0"><channel><title>t</title><item><title>a</title>
    <link>https://tass.ru/politika/1</link><pubDate>2024-05-09 10:00</pubDate></item></channel></rss>"""
    (item,) = parse_feed(feed, "https://tass.ru/rss/v2.xml", default_tz="Europe/Moscow")
    assert item.published_at == datetime(2024, 5, 9, 7, tzinfo=UTC)


def test_news_sitemap() -> None:
    first, second = parse_feed(NEWS_SITEMAP, "https://www.sankei.com/feeds/sitemap/?outputType=xml")
    assert first.url == "https://www.sankei.com/article/20250121-QBJP5I25BBIG5IZ76XZNDHDB5Q/"
    assert first.title == "小笠原諸島の警察無線「不感地帯」解消"
    assert first.published_at == datetime(2025, 1, 21, 11, 50, 32, tzinfo=UTC)
    assert first.updated_at == datetime(2025, 1, 21, 12, tzinfo=UTC)
    assert first.language == "ja"
    assert first.categories == ["社会", "地震"]
    assert first.kind == "article"
    assert second.title is None and second.published_at is None


def test_sitemap_index_returns_sitemaps_to_fetch() -> None:
    items = parse_feed(SITEMAP_INDEX, "https://tass.com/sitemap.xml")
    assert [(i.url, i.kind) for i in items] == [
        ("https://tass.com/sitemap/sitemap_news0.xml", "sitemap"),
        ("https://tass.com/sitemap/sitemap_news1.xml", "sitemap"),
    ]
    assert items[0].updated_at == datetime(2024, 12, 26, 7, tzinfo=UTC)


def test_gzip_sitemap() -> None:
    assert len(parse_feed(gzip.compress(NEWS_SITEMAP), "https://www.sankei.com/sitemap.xml.gz")) == 2


def test_gzip_bomb_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    assert MAX_INFLATED_BYTES >= 50 * 1024 * 1024  # the sitemap protocol allows 50 MB
    monkeypatch.setattr("connectors.feeds.MAX_INFLATED_BYTES", 4096)  # the same code path, 4 KB quickly
    bomb = gzip.compress(b"<urlset>" + b" " * 5000)
    with pytest.raises(ExtractionError) as caught:
        parse_feed(bomb, "https://a.example/sitemap.xml.gz")
    assert caught.value.reason == "malformed_feed"


@pytest.mark.parametrize(
    "body",
    [
        b"<!DOCTYPE html><html><head><title>TASS</title></head><body>Redirecting</body></html>",
        b"<html><head><script>window.location='https://tass.com/rss/v2.xml'</script></head></html>",
        b"\n\n<!-- cache --><!doctype html><html></html>",
        b'{"newsList": []}',
        b"plain text, not a feed",
        b"",
        b"   ",
        b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'/>",
    ],
)
def test_html_and_other_bodies_are_not_feeds(body: bytes) -> None:
    with pytest.raises(ExtractionError) as caught:
        parse_feed(body, "https://tass.com/rss/v2.xml")
    assert caught.value.reason == "not_a_feed"


def test_broken_feed_is_malformed() -> None:
    with pytest.raises(ExtractionError) as caught:
        parse_feed(b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</ti', "https://a.example/rss")
    assert caught.value.reason == "malformed_feed"


def test_broken_sitemap_is_malformed() -> None:
    with pytest.raises(ExtractionError) as caught:
        parse_feed(
            b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>x', "https://a/s.xml"
        )
    assert caught.value.reason == "malformed_feed"


def test_empty_but_valid_feed_has_no_items() -> None:
    assert (
        parse_feed(b'<rss version="2.0"><channel><title>t</title></channel></rss>', "https://a.example/")
        == []
    )


def test_entries_without_link_are_reported_not_silently_dropped(caplog: pytest.LogCaptureFixture) -> None:
    feed = b"""<rss version="2.0"><channel><title>t</title>
      <item><title>no link</title></item>
      <item><title>ok</title><link>https://a.example/1</link></item></channel></rss>"""
    items = parse_feed(feed, "https://a.example/rss")
    assert [i.url for i in items] == ["https://a.example/1"]
    assert "1 feed entries without a link" in caplog.text


def test_str_is_refused() -> None:
    with pytest.raises(ExtractionError):
        parse_feed("https://tass.com/rss/v2.xml", "https://tass.com/rss/v2.xml")  # type: ignore[arg-type]


# --- hostile XML -----------------------------------------------------------------------------------


def _secret(tmp_path: Path) -> Path:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    return secret


@pytest.mark.parametrize("kind", ["rss", "sitemap"])
def test_external_entities_are_never_read(tmp_path: Path, kind: str) -> None:
    secret = _secret(tmp_path)
    doctype = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file://{secret}">'
        '<!ENTITY passwd SYSTEM "file:///etc/passwd">]>'
    )
    if kind == "rss":
        body = (
            doctype + '<rss version="2.0"><channel><title>&xxe;</title><item><title>&xxe;&passwd;</title>'
            "<link>https://a.example/1</link><description>&passwd;</description></item></channel></rss>"
        )
    else:
        body = (
            doctype + '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url>'
            "<loc>https://a.example/&xxe;</loc></url><url><loc>https://a.example/2</loc></url></urlset>"
        )
    try:
        items = parse_feed(body.encode(), "https://a.example/feed")
    except ExtractionError:
        return  # refusing the document is as safe as reading it without entities
    dumped = repr(items)
    assert "TOP-SECRET" not in dumped
    assert "root:" not in dumped


def test_billion_laughs_does_not_blow_up() -> None:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{(f"&lol{i - 1};" if i > 1 else "&lol;") * 10}">' for i in range(1, 10)
    )
    body = (
        f'<?xml version="1.0"?><!DOCTYPE rss [{entities}]><rss version="2.0"><channel><title>t</title>'
        "<item><title>&lol9;</title><link>https://a.example/1</link><description>&lol9;</description></item>"
        "</channel></rss>"
    ).encode()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    try:
        items = parse_feed(body, "https://a.example/feed")
    except ExtractionError:
        items = []
    assert time.perf_counter() - start < 2.0
    # 10^9 "lol"s would be 3 GB; allow 50 MB of noise in the peak resident size (KiB on Linux)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50 * 1024
    assert all(len(i.title or "") < 1000 and len(i.summary or "") < 1000 for i in items)


def test_billion_laughs_in_a_sitemap_does_not_blow_up() -> None:
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY a{i} "{(f"&a{i - 1};" if i > 1 else "&a;") * 10}">' for i in range(1, 10)
    )
    body = (
        f'<?xml version="1.0"?><!DOCTYPE urlset [{entities}]>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://a.example/&a9;</loc></url>'
        "<url><loc>https://a.example/2</loc></url></urlset>"
    ).encode()
    start = time.perf_counter()
    try:
        items = parse_feed(body, "https://a.example/sitemap.xml")
    except ExtractionError:
        items = []
    assert time.perf_counter() - start < 2.0
    assert all(len(i.url) < 1000 for i in items)


RUSSIAN_RSS = (
    '<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel><title>ТАСС</title>'
    "<item><title>Япония и Россия</title><link>https://tass.ru/politika/1</link>"
    "<pubDate>Fri, 06 Oct 2023 12:10:26 +0300</pubDate></item></channel></rss>"
)


@pytest.mark.parametrize(
    ("encoding", "prefix"), [("windows-1251", b""), ("utf-16", b""), ("utf-8", b"\xef\xbb\xbf")]
)
def test_declared_encodings_and_bom(encoding: str, prefix: bytes) -> None:
    body = prefix + RUSSIAN_RSS.format(encoding=encoding).encode(encoding)
    (item,) = parse_feed(body, "https://tass.ru/rss/v2.xml")
    assert item.title == "Япония и Россия"
    assert item.published_at == datetime(2023, 10, 6, 9, 10, 26, tzinfo=UTC)


def test_large_sitemap() -> None:
    urls = "".join(f"<url><loc>https://tass.com/politics/{i}</loc></url>" for i in range(20_000))
    body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode()
    start = time.perf_counter()
    items = parse_feed(body, "https://tass.com/sitemap.xml")
    assert len(items) == 20_000 and items[-1].url == "https://tass.com/politics/19999"
    assert time.perf_counter() - start < 10


@pytest.mark.parametrize(
    "body",
    [
        b"<!DOCTYPE x [" + b"[]" * 5000 + b"] ",  # nested brackets, no end: exponential for a regex
        b"<!DOCTYPE x [" + b"]" * 60000,  # many closing brackets, none followed by ">"
        b"<!---->" * 5000 + b"<!-- x",  # many comments, the last unterminated
        b"<?xml version='1.0'?>" + b"<?pi ?>" * 5000,
    ],
)
def test_hostile_prologs_are_rejected_quickly(body: bytes) -> None:
    start = time.perf_counter()
    with pytest.raises(ExtractionError):
        parse_feed(body, "https://a.example/feed")
    assert time.perf_counter() - start < 2.0  # the regular expressions these replace took hours


def test_doctype_and_comments_before_the_root_are_skipped() -> None:
    body = (
        b'<?xml version="1.0"?>\n<!-- generated -->\n<?xml-stylesheet href="s.xsl"?>\n'
        b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        b'"http://my.netscape.com/publish/formats/rss-0.91.dtd">\n'
        b'<rss version="0.91"><channel><title>t</title><item><title>a</title>'
        b"<link>https://a.example/1</link></item></channel></rss>"
    )
    assert [i.url for i in parse_feed(body, "https://a.example/feed")] == ["https://a.example/1"]
