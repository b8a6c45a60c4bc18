"""URL normalisation: tracking parameters, AMP variants, fragments, case, ports."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.urls import host_of, normalize_url, resolve


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # tracking parameters
        (
            "https://tass.com/politics/1234567?utm_source=rss&utm_medium=feed",
            "https://tass.com/politics/1234567",
        ),
        ("https://tass.com/politics/1234567?UTM_Source=x", "https://tass.com/politics/1234567"),
        ("https://a.com/x?fbclid=1&gclid=2&yclid=3&mc_cid=4&mc_eid=5", "https://a.com/x"),
        ("https://a.com/x?ref=twitter&cmpid=abc&id=5", "https://a.com/x?id=5"),
        # fragments, case, default ports
        ("https://tass.com/politics/1234567#comments", "https://tass.com/politics/1234567"),
        ("HTTPS://TASS.COM/politics/1234567", "https://tass.com/politics/1234567"),
        ("https://tass.com:443/politics/1", "https://tass.com/politics/1"),
        ("http://tass.com:80/politics/1", "http://tass.com/politics/1"),
        ("http://127.0.0.1:8080/a", "http://127.0.0.1:8080/a"),
        ("https://Example.com/CaseSensitive/Path", "https://example.com/CaseSensitive/Path"),
        # sorted query
        ("https://a.com/s?b=2&a=1&c=", "https://a.com/s?a=1&b=2&c="),
        ("https://a.com", "https://a.com/"),
        # AMP variants
        ("https://www.arabnews.com/node/2389186/amp", "https://www.arabnews.com/node/2389186"),
        ("https://www.arabnews.com/amp/node/2389186", "https://www.arabnews.com/node/2389186"),
        ("https://japan-forward.com/some-story/amp/", "https://japan-forward.com/some-story/"),
        (
            "https://sputnikglobe.com/20240509/story-1118354.html?amp=1",
            "https://sputnikglobe.com/20240509/story-1118354.html",
        ),
        (
            "https://sputnikglobe.com/20240509/story-1118354.amp.html",
            "https://sputnikglobe.com/20240509/story-1118354.html",
        ),
        ("https://amp.arabnews.com/node/2389186", "https://arabnews.com/node/2389186"),
        ("https://m.tass.com/politics/1", "https://tass.com/politics/1"),
        ("https://m.sputnikglobe.com/20240509/x-1.html", "https://sputnikglobe.com/20240509/x-1.html"),
    ],
)
def test_normalize_url(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


def test_unknown_mobile_hosts_are_left_alone() -> None:
    # m.example.org may be an entirely different site: only known outlets are folded
    assert normalize_url("https://m.example.org/a") == "https://m.example.org/a"


def test_amp_words_inside_a_slug_are_kept() -> None:
    assert normalize_url("https://a.com/ampere-units/campaign") == "https://a.com/ampere-units/campaign"


@pytest.mark.parametrize(
    "url", ["", "ftp://a.com/x", "/relative/path", "javascript:alert(1)", "https://:80/"]
)
def test_not_an_http_url_is_a_clear_error(url: str) -> None:
    with pytest.raises(ValueError):
        normalize_url(url)


def test_bad_port_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="port"):
        normalize_url("https://a.com:99999/")


@given(
    st.sampled_from(["https://tass.com/politics/", "https://www.arabnews.com/node/"]),
    st.integers(min_value=1, max_value=10**9),
    st.dictionaries(st.sampled_from(["utm_source", "utm_campaign", "fbclid", "ref"]), st.text(max_size=5)),
)
def test_normalisation_is_idempotent_and_drops_tracking(
    base: str, number: int, tracking: dict[str, str]
) -> None:
    from urllib.parse import urlencode

    url = f"{base}{number}?{urlencode(tracking)}#frag"
    once = normalize_url(url)
    assert once == f"{base}{number}"
    assert normalize_url(once) == once


def test_host_of() -> None:
    assert host_of("https://WWW.ArabNews.com:443/node/1") == "arabnews.com"
    assert host_of("https://tass.ru/politika/1") == "tass.ru"
    assert host_of("not a url") == ""


def test_resolve() -> None:
    assert resolve("https://tass.com/politics/1", "/world/2") == "https://tass.com/world/2"
    assert resolve("https://tass.com/politics/1", " 2 ") == "https://tass.com/politics/2"
    assert resolve("https://tass.com/politics/1", "//cdn.tass.com/x.jpg") == "https://cdn.tass.com/x.jpg"
    assert resolve("https://tass.com/a", "https://other.org/b") == "https://other.org/b"


def test_query_tokens_are_kept_as_written() -> None:
    assert normalize_url("https://a.com/x?q=a%20b&utm_source=x") == "https://a.com/x?q=a%20b"
    assert normalize_url("https://a.com/x?123") == "https://a.com/x?123"
    assert (
        normalize_url("https://japan-forward.com/?p=123456&utm_medium=rss")
        == "https://japan-forward.com/?p=123456"
    )
    assert normalize_url("https://a.com/x?b=2&&a=1&") == "https://a.com/x?a=1&b=2"
    assert normalize_url("https://a.com/x?utm%5Fsource=rss&id=1") == "https://a.com/x?id=1"  # encoded name
