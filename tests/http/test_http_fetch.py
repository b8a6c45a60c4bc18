"""The client over loopback HTTP: conditional GET, redirects, the SSRF guard, overrides, content checks."""

from __future__ import annotations

import socket

import pytest
from httptest import SHARED, send

from connectors import http as http_module
from connectors.http import FetchError, FetchSettings, HttpClient

ARTICLE = (
    "<!DOCTYPE html><html><head><title>Talks resume</title></head><body><article>"
    + "<p>Foreign ministers of Japan and Russia met in Moscow on Tuesday to discuss a peace treaty.</p>" * 30
    + "</article></body></html>"
)
RSS = (
    '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>News</title>'
    "<item><title>One</title><link>https://example.com/1</link></item></channel></rss>"
)


def test_page_is_fetched_with_an_honest_user_agent(site, make_client):
    site.serve("/article", ARTICLE)
    response = make_client(site).get(site.url("/article"))
    assert response.status == 200
    assert response.url == response.requested_url == site.url("/article")
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.fetched_at.tzinfo is not None
    assert response.robots_allowed is True
    assert response.not_modified is False
    page = response.page()
    assert page.text == ARTICLE and page.encoding == "utf-8" and page.url == response.url
    assert site.hits[-1].headers["user-agent"].startswith("dipnews/")


def test_conditional_get_returns_not_modified_with_one_request(site, make_client):
    def conditional(handler):
        if handler.headers.get("If-None-Match") == '"v1"':
            handler.send_response(304)
            handler.end_headers()
        else:
            send(handler, 200, RSS.encode(), {"Content-Type": "application/rss+xml", "ETag": '"v1"'})

    site.routes["/feed"] = conditional
    client = make_client(site)
    first = client.get(site.url("/feed"), kind="feed")
    assert first.headers["etag"] == '"v1"' and first.content == RSS.encode()
    second = client.get(
        site.url("/feed"), kind="feed", etag='"v1"', last_modified="Tue, 01 Jul 2025 00:00:00 GMT"
    )
    assert second.not_modified is True
    assert second.status == 304 and second.content == b""
    assert site.paths().count("/feed") == 2  # one request per call, the 304 included
    assert site.hits[-1].headers["if-modified-since"] == "Tue, 01 Jul 2025 00:00:00 GMT"


def test_redirects_are_followed_and_reported(site, make_client):
    site.serve("/old", "", 301, Location="/middle")
    site.serve("/middle", "", 302, Location=site.url("/new"))
    site.serve("/new", ARTICLE)
    response = make_client(site).get(site.url("/old"))
    assert response.url == site.url("/new")
    assert response.requested_url == site.url("/old")
    assert response.redirects == (site.url("/old"), site.url("/middle"))


def test_redirect_loop_is_detected(site, make_client):
    site.serve("/a", "", 302, Location="/b")
    site.serve("/b", "", 302, Location="/a")
    with pytest.raises(FetchError) as info:
        make_client(site).get(site.url("/a"))
    assert info.value.reason == "redirect_loop"


def test_redirect_chain_longer_than_the_cap(site, make_client):
    for n in range(10):
        site.serve(f"/r{n}", "", 302, Location=f"/r{n + 1}")
    with pytest.raises(FetchError) as info:
        make_client(site, max_redirects=3).get(site.url("/r0"))
    assert info.value.reason == "too_many_redirects"
    assert "/r4" not in site.paths()  # 3 redirects followed: r0 -> r1 -> r2 -> r3, no further


def test_redirect_to_a_non_http_scheme_is_an_invalid_url(site, make_client):
    site.serve("/ftp", "", 302, Location="ftp://example.com/file")
    with pytest.raises(FetchError) as info:
        make_client(site).get(site.url("/ftp"))
    assert info.value.reason == "invalid_url"


@pytest.fixture
def connections(monkeypatch):
    """Every address the client opens a TCP connection to."""
    opened: list[tuple[str, int]] = []
    real = socket.create_connection

    def spy(address, *args, **kwargs):
        opened.append(address)
        return real(address, *args, **kwargs)

    monkeypatch.setattr(http_module.socket, "create_connection", spy)
    return opened


@pytest.mark.parametrize(
    ("location", "category"),
    [
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://10.0.0.1/admin", "private"),
        ("http://[::ffff:10.0.0.1]/admin", "private"),
        ("http://100.64.0.1/", "cgnat"),
    ],
)
def test_redirect_to_a_private_address_is_refused_before_connecting(
    site, make_client, connections, location, category
):
    site.serve("/go", "", 302, Location=location)
    with pytest.raises(FetchError) as info:
        make_client(site).get(site.url("/go"))
    assert info.value.reason == "private_address"
    assert category in info.value.detail
    assert all(host == "127.0.0.1" for host, _port in connections)


def test_loopback_is_refused_by_default(site, connections):
    site.serve("/article", ARTICLE)
    client = HttpClient(FetchSettings(min_interval=0.0))
    try:
        for url in (site.url("/article"), f"http://localhost:{site.port}/article"):
            with pytest.raises(FetchError) as info:
                client.get(url)
            assert info.value.reason == "private_address"
    finally:
        client.close()
    assert connections == []
    assert site.hits == []


def test_allow_private_networks_lifts_the_guard(site):
    site.serve("/article", ARTICLE)
    with HttpClient(FetchSettings(min_interval=0.0, allow_private_networks=True)) as client:
        assert client.get(f"http://localhost:{site.port}/article").status == 200


def test_allowed_private_is_per_port(site, make_client):
    other = socket.socket()
    other.bind(("127.0.0.1", 0))
    try:
        client = make_client(site)  # only site's own port is allowed
        with pytest.raises(FetchError) as info:
            client.get(f"http://127.0.0.1:{other.getsockname()[1]}/")
        assert info.value.reason == "private_address"
    finally:
        other.close()


def test_origin_override_keeps_everything_logical(site, make_client):
    site.serve("/robots.txt", "User-agent: *\nDisallow: /private\n", Content_Type="text/plain")
    site.serve("/news/1", "", 301, Location=site.url("/news/2"))  # the server names its real origin
    site.serve("/news/2", ARTICLE)
    client = make_client(site, origin_overrides={"https://tass.com": site.url("/")})
    response = client.get("https://tass.com/news/1")
    assert response.url == "https://tass.com/news/2"
    assert response.redirects == ("https://tass.com/news/1",)
    assert [hit.headers["host"] for hit in site.hits] == ["tass.com"] * 3
    assert site.paths() == ["/robots.txt", "/news/1", "/news/2"]
    with pytest.raises(FetchError) as info:
        client.get("https://tass.com/private/x")
    assert info.value.reason == "robots_disallowed"
    assert info.value.url == "https://tass.com/private/x"


def test_origin_override_target_must_pass_the_guard(site):
    site.serve("/feed", RSS)
    settings = FetchSettings(min_interval=0.0, origin_overrides={"https://tass.com": site.url("/")})
    with HttpClient(settings) as client, pytest.raises(FetchError) as info:
        client.get("https://tass.com/feed", kind="feed")
    assert info.value.reason == "private_address"
    assert site.hits == []


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/x",
        "http://",
        "javascript:alert(1)",
        "http://exa mple.com/",
        "http://user:pw@example.com/",
        "",
    ],
)
def test_invalid_urls(make_client, url):
    with pytest.raises(FetchError) as info:
        make_client().get(url)
    assert info.value.reason == "invalid_url"


def test_spaces_in_a_path_are_encoded_not_refused(site, make_client):
    site.serve("/a%20b", ARTICLE)
    assert make_client(site).get(site.url("/a b")).url == site.url("/a%20b")


def test_unknown_kind_is_a_programming_error(make_client):
    with pytest.raises(ValueError, match="kind"):
        make_client().get("https://example.com/", kind="image")


def test_non_ascii_path_is_percent_encoded_on_the_wire(site, make_client):
    site.serve("/новости/1", ARTICLE)  # never matched: the server sees the encoded form
    site.serve("/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/1", ARTICLE)
    response = make_client(site).get(site.url("/новости/1"))
    assert response.status == 200
    assert response.url == site.url("/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/1")


# -- content checks ----------------------------------------------------------------------------------

CLOUDFLARE_CHALLENGE = (
    "<!DOCTYPE html><html lang='en-US'><head><title>Just a moment...</title>"
    "<meta http-equiv='refresh' content='390'></head><body><div class='main-wrapper'>"
    "<h1>www.example.com</h1><p>Verifying you are human. This may take a few seconds.</p>"
    "<noscript>Enable JavaScript and cookies to continue</noscript></div>"
    "<script>(function(){window._cf_chl_opt={cvId:'3',cType:'managed'};"
    "var a=document.createElement('script');a.src='/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1';"
    "document.getElementsByTagName('head')[0].appendChild(a);}());</script></body></html>"
)


def test_200_bot_challenge_is_blocked(site, make_client):
    site.serve("/article", CLOUDFLARE_CHALLENGE)
    with pytest.raises(FetchError) as info:
        make_client(site).get(site.url("/article"))
    assert info.value.reason == "blocked"
    assert info.value.detail == "cloudflare_challenge"


def test_challenge_header_alone_is_blocked(site, make_client):
    site.serve("/article", "<html><body></body></html>", cf_mitigated="challenge")
    with pytest.raises(FetchError) as info:
        make_client(site).get(site.url("/article"))
    assert info.value.reason == "blocked"


def test_403_challenge_is_blocked_and_not_retried(site, make_client):
    site.serve("/article", CLOUDFLARE_CHALLENGE, 403, cf_mitigated="challenge")
    with pytest.raises(FetchError) as info:
        make_client(site).get(site.url("/article"))
    assert (info.value.reason, info.value.status) == ("blocked", 403)


def test_article_about_cloudflare_is_not_blocked(site, make_client):
    article = (
        "<html><head><title>Cloudflare outage hits news sites</title></head><body><article>"
        + "<p>Cloudflare said its 'Just a moment...' challenge page and the cf-chl scripts failed, and "
        "readers were asked to please enable JavaScript. Engineers restored service by noon.</p>"
        * 12
        + "</article></body></html>"
    )
    site.serve("/article", article)
    assert make_client(site).get(site.url("/article")).status == 200


def test_feed_url_returning_html_is_not_a_feed(site, make_client):
    site.serve("/rss/v2.xml", ARTICLE)
    with pytest.raises(FetchError) as info:
        make_client(site).get(site.url("/rss/v2.xml"), kind="feed")
    assert info.value.reason == "not_a_feed"


def test_feed_url_returning_a_js_redirect_shell_is_not_a_feed(site, make_client):
    # TASS, 2022: https://tass.com/rss/v2.xml answered 200 with a page like this one.
    shell = (
        "<html><head><script>window.location.href='/rss/v2.xml?check=1';</script></head><body></body></html>"
    )
    site.serve("/rss/v2.xml", shell)
    with pytest.raises(FetchError) as info:
        make_client(site).get(site.url("/rss/v2.xml"), kind="feed")
    assert info.value.reason == "not_a_feed"
    assert "js_redirect" in info.value.detail


def test_js_redirect_shell_as_a_page_is_blocked(site, make_client):
    shell = "<html><head><script>window.location.replace('/x?c=1')</script></head><body></body></html>"
    site.serve("/page", shell)
    with pytest.raises(FetchError) as info:
        make_client(site).get(site.url("/page"))
    assert (info.value.reason, info.value.detail) == ("blocked", "js_redirect")


def test_feed_served_as_text_html_is_still_a_feed(site, make_client):
    site.serve("/feed", RSS, Content_Type="text/html; charset=UTF-8")  # a common misconfiguration
    assert make_client(site).get(site.url("/feed"), kind="feed").content == RSS.encode()


@pytest.mark.parametrize("body", ["", "   ", "just some text"])
def test_empty_or_plain_feed_body_is_not_a_feed(site, make_client, body):
    site.serve("/feed", body, Content_Type="application/rss+xml")
    with pytest.raises(FetchError) as info:
        make_client(site).get(site.url("/feed"), kind="feed")
    assert info.value.reason == "not_a_feed"


def test_json_feed_and_gzipped_sitemap_are_feeds(site, make_client):
    site.serve("/feed.json", '{"items": []}', Content_Type="application/json")
    site.serve("/sitemap.xml.gz", b"\x1f\x8b\x08\x00rest", Content_Type="application/x-gzip")
    client = make_client(site)
    assert client.get(site.url("/feed.json"), kind="feed").status == 200
    assert client.get(site.url("/sitemap.xml.gz"), kind="feed").content.startswith(b"\x1f\x8b")


@pytest.mark.parametrize("content_type", ["image/png", "application/pdf", "video/mp4"])
def test_binary_content_type_is_refused(site, make_client, content_type):
    site.serve("/file", b"\x89PNG\r\n\x1a\n\0\0", Content_Type=content_type)
    with pytest.raises(FetchError) as info:
        make_client(site).get(site.url("/file"))
    assert info.value.reason == "bad_content_type"


def test_untyped_binary_body_is_refused_as_a_page(site, make_client):
    site.serve("/file", b"PK\x03\x04\0\0\0binary", Content_Type="application/octet-stream")
    with pytest.raises(FetchError) as info:
        make_client(site).get(site.url("/file"))
    assert info.value.reason == "bad_content_type"


# -- encodings over HTTP -----------------------------------------------------------------------------

RUSSIAN = (
    "<html><head><title>Переговоры</title></head><body><p>"
    + "Министр иностранных дел России заявил, что переговоры с Японией о мирном договоре продолжатся. " * 5
    + "</p></body></html>"
)
JAPANESE = (
    "<html><head><title>日ロ交渉</title></head><body><p>"
    + "日本政府は北方領土問題についてロシア側と協議を続ける方針を示した。外相は記者会見で交渉の再開を求めた。"
    * 5
    + "</p></body></html>"
)


@pytest.mark.parametrize(
    ("text", "codec", "content_type", "expected"),
    [
        (RUSSIAN, "cp1251", "text/html", "cp1251"),  # no charset anywhere
        (JAPANESE, "shift_jis", "text/html; charset=utf-8", "cp932"),  # the header lies
        (JAPANESE, "shift_jis", "text/html; charset=ISO-8859-1", "cp932"),  # the header lies, 8-bit
        (JAPANESE, "euc_jp", "text/html", None),  # no charset: detected
        (JAPANESE.replace("<head>", '<head><meta charset="EUC-JP">'), "euc_jp", "text/html", "euc_jp"),
    ],
)
def test_page_text_is_decoded_whatever_the_labels_say(site, make_client, text, codec, content_type, expected):
    site.serve("/page", text.encode(codec), Content_Type=content_type)
    page = make_client(site).get(site.url("/page")).page()
    assert page.text == text
    if expected:
        assert page.encoding == expected


def test_real_japanese_page_served_as_shift_jis_with_a_utf8_header(site, make_client):
    path = (
        SHARED
        / "reference"
        / "real-pages"
        / "sankei"
        / "sankei_ja_2025_01_21_QBJP5I25BBIG5IZ76XZNDHDB5Q.html"
    )
    if not path.exists():
        pytest.skip("shared reference pages are not available")
    original = path.read_text(encoding="utf-8")
    body = original.encode("cp932", errors="ignore")  # the few characters cp932 lacks are dropped
    site.serve("/article", body, Content_Type="text/html; charset=utf-8")
    page = make_client(site).get(site.url("/article")).page()
    assert page.encoding == "cp932"
    assert page.text == body.decode("cp932")
