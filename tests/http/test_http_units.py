"""The pure parts of the HTTP layer: encodings, bot walls, the address guard, robots rules, settings."""

from __future__ import annotations

import doctest
import ipaddress
import pickle
import threading
import time
from datetime import UTC, datetime

import pytest
from httptest import SHARED

import connectors.challenge
import connectors.encoding
import connectors.http
import connectors.netguard
import connectors.robots
from connectors.challenge import is_challenge
from connectors.encoding import codec_name, declared_charsets, decode_html
from connectors.http import FetchError, FetchSettings, HttpClient, parse_retry_after
from connectors.netguard import BlockedAddress, NetGuard, ResolutionError, blocked_category
from connectors.robots import RobotsCache, RobotsPolicy

# -- encoding ------------------------------------------------------------------------------------------

RU = "Посол России в Токио заявил, что Москва открыта к диалогу о мирном договоре с Японией. " * 3
JA = "政府は北方領土の元島民による墓参の再開をロシア側に求めていく考えを示した。" * 3


def html(text: str, head: str = "") -> str:
    return f"<html><head>{head}<title>t</title></head><body><p>{text}</p></body></html>"


@pytest.mark.parametrize(
    ("codec", "text", "expected"),
    [("cp1251", RU, "cp1251"), ("koi8_r", RU, "koi8_r"), ("shift_jis", JA, "cp932"), ("euc_jp", JA, None)],
)
def test_undeclared_legacy_encodings_are_detected(codec, text, expected):
    page = html(text)
    decoded, used = decode_html(page.encode(codec))
    assert decoded == page
    if expected:
        assert used == expected


def test_utf8_bytes_win_over_a_wrong_label():
    page = html(RU, '<meta charset="windows-1251">')
    assert decode_html(page.encode("utf-8"), "text/html; charset=windows-1251") == (page, "utf-8")


def test_bom_wins_over_everything():
    page = html(JA)
    assert decode_html(page.encode("utf-16"), "text/html; charset=shift_jis") == (page, "utf-16")
    assert decode_html(b"\xef\xbb\xbf" + page.encode(), "text/html; charset=iso-8859-1") == (page, "utf-8")


def test_meta_http_equiv_and_xml_declaration_are_read():
    page = html(JA, '<meta http-equiv="Content-Type" content="text/html; charset=EUC-JP">')
    assert decode_html(page.encode("euc_jp")) == (page, "euc_jp")
    xml = f'<?xml version="1.0" encoding="windows-1251"?><rss><item><title>{RU}</title></item></rss>'
    assert decode_html(xml.encode("cp1251")) == (xml, "cp1251")


def test_a_lying_8bit_header_is_not_trusted():
    page = html(RU)
    assert decode_html(page.encode("cp1251"), "text/html; charset=iso-8859-1") == (page, "cp1251")


def test_a_true_8bit_header_is_trusted():
    page = html("Le ministre a déclaré que la coopération économique reprendra à l'été. " * 3)
    assert decode_html(page.encode("cp1252"), "text/html; charset=ISO-8859-1") == (page, "cp1252")


def test_undecodable_bytes_never_raise():
    text, used = decode_html(b"<p>\xff\xfe\xfa\x80\x81</p>" * 3, "text/html; charset=utf-8")
    assert isinstance(text, str) and used


def test_labels_map_like_browsers():
    assert codec_name("Shift_JIS") == "cp932"
    assert codec_name("latin1") == "cp1252"
    assert codec_name("windows-1251") == "cp1251"
    assert codec_name("utf-16le") == "utf-8"  # an ASCII-compatible document cannot be UTF-16
    assert codec_name("bogus") is None
    assert declared_charsets(b"<meta charset='koi8-r'>", 'text/html; charset="UTF-8"') == [
        ("header", "UTF-8"),
        ("meta", "koi8-r"),
    ]


@pytest.mark.parametrize(
    "relative",
    [
        "mainichi/mainichi_ja_2025_01_14_20250114_k00_00m_030_335000c.html",
        "nhk/nhk_easy_k10011959621000.html",
    ],
)
@pytest.mark.parametrize("codec", ["cp932", "euc_jp"])
def test_real_japanese_pages_in_legacy_encodings(relative, codec):
    path = SHARED / "reference" / "real-pages" / relative
    if not path.exists():
        pytest.skip("shared reference pages are not available")
    body = path.read_text(encoding="utf-8").encode(codec, errors="ignore")
    # The real pages declare utf-8 in their <meta>: re-encoded, that declaration lies too.
    text, used = decode_html(body, "text/html")
    assert text == body.decode(codec)
    assert used in (codec, "euc_jis_2004", "euc_jisx0213")


# -- bot walls -----------------------------------------------------------------------------------------

ARTICLE_ABOUT_WALLS = (
    "<html><head><title>How news sites fight scrapers</title></head><body>"
    + "<p>Many outlets use Cloudflare; a reader may see 'Attention Required!' or 'Just a moment...' "
    "and be told to enable JavaScript, while AWS WAF and Imperva run similar checks.</p>"
    * 10
    + "</body></html>"
)


@pytest.mark.parametrize(
    ("page", "headers", "label"),
    [
        (
            "<html><head><title>Just a moment...</title></head><body>Checking</body></html>",
            {},
            "cloudflare_challenge",
        ),
        (
            "<html><head><title>Attention Required! | Cloudflare</title></head><body>" + "x " * 900,
            {},
            "cloudflare_block",
        ),
        ("<html><body></body></html>", {"CF-Mitigated": "challenge"}, "cloudflare_challenge"),
        ("<html><body></body></html>", {"x-amzn-waf-action": "challenge"}, "aws_waf"),
        (
            "<html><head><script src='https://abc.token.awswaf.com/abc/challenge.js'></script></head>"
            "<body><div id='challenge-container'></div></body></html>",
            {},
            "aws_waf",
        ),
        ("<html><body><script>window.location = '/?r=1'</script></body></html>", {}, "js_redirect"),
        (
            "<html><body><noscript>Please enable JavaScript to view this site.</noscript></body></html>",
            {},
            "js_required",
        ),
        (
            "<html><head><title>x</title></head>"
            "<body><iframe src='/_Incapsula_Resource?x=1'></iframe></body></html>",
            {},
            "imperva",
        ),
    ],
)
def test_walls_are_recognised(page, headers, label):
    assert is_challenge(page, headers) == label


@pytest.mark.parametrize(
    "page",
    [
        ARTICLE_ABOUT_WALLS,
        # A real article with a JS-driven menu and a comments widget that asks for JavaScript.
        "<html><body><script>if(x){window.location.hash='#top'}</script>"
        + "<p>The foreign ministry said talks would continue next month in Tokyo and Moscow.</p>" * 10
        + "<noscript>Please enable JavaScript to view the comments.</noscript></body></html>",
        "<html><body><p>Short but ordinary page.</p></body></html>",
        # An app page: little visible text, the article in inline JSON, a JS-required notice.
        "<html><body><div id='__next'></div>"
        "<noscript>You need to enable JavaScript to run this app.</noscript>"
        "<script>if(!ok){window.location.href='/legacy'}</script><script id='__NEXT_DATA__'>"
        + '{"props":{"article":{"body":"'
        + "The ministers met in Tokyo to discuss the treaty. " * 800
        + '"}}}'
        + "</script></body></html>",
    ],
)
def test_articles_are_not_walls(page):
    assert is_challenge(page, {"server": "cloudflare", "cf-ray": "8a1b2c3d4e5f-NRT"}) is None


@pytest.mark.parametrize(
    "relative",
    [
        "sankei/sankei_ja_2025_01_21_QBJP5I25BBIG5IZ76XZNDHDB5Q.html",
        "japantimes/japantimes_2020_02_18_surgical_masks.html",
        "sputnik/sputniknews_2019_columnists_1077343476.html",
        "yomiuri_japannews/japannews_2024_10_13_politics_20241013-216478.html",
    ],
)
def test_real_pages_are_not_walls(relative):
    path = SHARED / "reference" / "real-pages" / relative
    if not path.exists():
        pytest.skip("shared reference pages are not available")
    assert is_challenge(path.read_text(encoding="utf-8", errors="replace"), {}) is None


# -- the address guard ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "category"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("fd12:3456::1", "unique-local"),
        ("100.64.0.1", "cgnat"),
        ("224.0.0.251", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("::ffff:169.254.169.254", "link-local"),
        ("::ffff:10.0.0.1", "private"),
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 form of 169.254.169.254
        ("2002:a00:1::1", "private"),  # 6to4 of 10.0.0.1
        ("192.0.2.10", "reserved"),  # documentation range
        ("240.0.0.1", "reserved"),
    ],
)
def test_non_public_addresses_are_named(address, category):
    assert blocked_category(ipaddress.ip_address(address)) == category


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_pass(address):
    assert blocked_category(ipaddress.ip_address(address)) is None


def fake_resolver(table: dict[str, list[str]]):
    return lambda host, port: table[host]


def test_a_name_with_any_private_address_is_refused():
    guard = NetGuard(resolver=fake_resolver({"rebind.example": ["93.184.215.14", "10.0.0.5"]}))
    try:
        with pytest.raises(BlockedAddress) as info:
            guard.resolve("rebind.example", 80)
        assert info.value.address == "10.0.0.5"
    finally:
        guard.close()


def test_public_name_resolves_to_checked_addresses():
    guard = NetGuard(resolver=fake_resolver({"news.example": ["93.184.215.14", "2606:4700::6810:84e5"]}))
    try:
        assert [str(a) for a in guard.resolve("news.example", 443)] == [
            "93.184.215.14",
            "2606:4700::6810:84e5",
        ]
    finally:
        guard.close()


def test_allowed_private_matches_host_or_address_and_port():
    guard = NetGuard(
        allowed_private=frozenset({"127.0.0.1:8123", "sample.local:9000", "[::1]:8123"}),
        resolver=fake_resolver({"sample.local": ["127.0.0.1"]}),
    )
    try:
        assert guard.resolve("127.0.0.1", 8123)
        assert guard.resolve("::1", 8123)
        assert guard.resolve("sample.local", 9000)
        with pytest.raises(BlockedAddress):
            guard.resolve("127.0.0.1", 8124)
        with pytest.raises(BlockedAddress):
            guard.resolve("sample.local", 8124)
        # An exempt address is exempt under any name: the operator vouched for that endpoint.
        assert guard.resolve("sample.local", 8123)
    finally:
        guard.close()


def test_a_hanging_resolver_costs_at_most_its_timeout():
    release = threading.Event()
    guard = NetGuard(resolver=lambda host, port: release.wait(5) or [], timeout=0.2)
    started = time.monotonic()
    try:
        with pytest.raises(ResolutionError) as info:
            guard.resolve("slow.example", 80)
        assert info.value.transient
        assert time.monotonic() - started < 1.0
    finally:
        release.set()
        guard.close()


# -- robots rules --------------------------------------------------------------------------------------


def test_longest_match_wins_not_file_order():
    policy = RobotsPolicy.parse("User-agent: *\nDisallow: /\nAllow: /news/\n", "dipnews")
    assert policy.allowed("https://example.com/news/2024/1")
    assert not policy.allowed("https://example.com/about")


def test_wildcards_and_end_anchor():
    policy = RobotsPolicy.parse("User-agent: *\nDisallow: /*.pdf$\nDisallow: /search*q=\n", "dipnews")
    assert not policy.allowed("/files/report.pdf")
    assert policy.allowed("/files/report.pdf?download=1")
    assert not policy.allowed("/search?lang=en&q=japan")
    assert policy.allowed("/searching")


def test_group_selection_and_merging():
    text = (
        "User-agent: Googlebot\nDisallow: /\n\n"
        "User-agent: DipNews\nUser-agent: other\nDisallow: /a\n\n"
        "User-agent: *\nDisallow: /b\n\n"
        "User-agent: dipnews\nDisallow: /c\nCrawl-delay: 4\n"
        "Sitemap: https://example.com/sitemap.xml\n"
    )
    policy = RobotsPolicy.parse(text, "dipnews")
    assert not policy.allowed("/a") and not policy.allowed("/c")
    assert policy.allowed("/b")  # our own groups replace the * group
    assert policy.crawl_delay == 4.0
    assert policy.sitemaps == ("https://example.com/sitemap.xml",)


def test_empty_disallow_allows_everything_and_robots_txt_is_always_allowed():
    assert RobotsPolicy.parse("User-agent: *\nDisallow:\n", "dipnews").allowed("/anything")
    assert RobotsPolicy.parse("User-agent: *\nDisallow: /\n", "dipnews").allowed("/robots.txt")


def test_percent_encoding_is_compared_normalised():
    policy = RobotsPolicy.parse("User-agent: *\nDisallow: /новости\n", "dipnews")
    assert not policy.allowed("/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/1")


def test_cache_fetches_once_per_origin_across_threads():
    calls = []

    def fetch(origin: str) -> RobotsPolicy:
        calls.append(origin)
        time.sleep(0.05)
        return RobotsPolicy.allow_all()

    cache = RobotsCache(fetch)
    threads = [threading.Thread(target=cache.policy, args=("https://tass.com",)) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == ["https://tass.com"]


# -- settings and errors -------------------------------------------------------------------------------


def test_settings_accept_dicts_and_stay_frozen_and_picklable():
    settings = FetchSettings(
        host_min_interval={"TASS.com": 4},
        origin_overrides={"https://Tass.com/": "http://127.0.0.1:8123"},
        allowed_private=["127.0.0.1:8123"],  # type: ignore[arg-type]
    )
    assert settings.host_min_interval["tass.com"] == 4.0
    assert settings.origin_overrides["https://tass.com"] == "http://127.0.0.1:8123"
    assert settings.allowed_private == frozenset({"127.0.0.1:8123"})
    assert pickle.loads(pickle.dumps(settings)) == settings
    assert hash(settings) == hash(pickle.loads(pickle.dumps(settings)))
    with pytest.raises(AttributeError):
        settings.min_interval = 0  # type: ignore[misc]


@pytest.mark.parametrize(
    "values",
    [{"read_timeout": 0}, {"max_per_host": 0}, {"min_interval": -1}, {"origin_overrides": {"tass.com": "x"}}],
)
def test_bad_settings_are_refused_clearly(values):
    with pytest.raises(ValueError, match="FetchSettings"):
        FetchSettings(**values)


def test_from_dict_names_unknown_keys():
    assert FetchSettings.from_dict({"min_interval": 2}).min_interval == 2
    with pytest.raises(ValueError, match="max_bites"):
        FetchSettings.from_dict({"max_bites": 1})


def test_client_and_errors_survive_pickling():
    client = HttpClient(FetchSettings(min_interval=0.5))
    copy = pickle.loads(pickle.dumps(client))
    assert copy.settings == client.settings
    client.close()
    copy.close()
    with pytest.raises(RuntimeError):
        copy.get("https://example.com/")
    error = pickle.loads(
        pickle.dumps(FetchError("http_503", "busy", "https://x.example/", 503, retryable=True))
    )
    assert (error.reason, error.detail, error.url, error.status, error.retryable) == (
        "http_503",
        "busy",
        "https://x.example/",
        503,
        True,
    )


def test_retry_after_forms():
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("30", now) == 30.0
    assert parse_retry_after("Wed, 01 Jan 2025 12:00:45 GMT", now) == 45.0
    assert parse_retry_after("Wed, 01 Jan 2025 11:00:00 GMT", now) == 0.0  # in the past: no wait
    assert parse_retry_after("soon", now) is None


@pytest.mark.parametrize(
    "module",
    [connectors.http, connectors.encoding, connectors.robots, connectors.netguard, connectors.challenge],
)
def test_docstring_examples_hold(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
