"""Politeness over loopback: robots.txt, Crawl-delay, per-host pacing and concurrency across threads."""

from __future__ import annotations

import gzip
import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from httptest import send

from connectors.http import FetchError

PAGE = (
    "<html><body>"
    + "<p>Japan and Russia held consultations on fisheries near the islands.</p>" * 20
    + "</body></html>"
)


# Intervals are measured where they matter, at the server; the time between the client starting a request
# and the server reading it varies by a few milliseconds (more on a loaded 2-core machine).
SLACK = 0.05


def starts(site, path_prefix: str) -> list[float]:
    return sorted(hit.at for hit in site.hits if hit.path.startswith(path_prefix))


def test_robots_disallow_is_obeyed_and_robots_is_fetched_once(site, make_client):
    site.serve("/robots.txt", "User-agent: *\nDisallow: /private/\n", Content_Type="text/plain")
    site.serve("/public", PAGE)
    site.serve("/private/x", PAGE)
    client = make_client(site)
    assert client.get(site.url("/public")).robots_allowed is True
    with pytest.raises(FetchError) as info:
        client.get(site.url("/private/x"))
    assert info.value.reason == "robots_disallowed"
    assert client.get(site.url("/public")).status == 200
    assert site.paths() == ["/robots.txt", "/public", "/public"]  # never /private/x


def test_robots_group_for_our_product_token_wins(site, make_client):
    robots = "User-agent: *\nDisallow: /\n\nUser-agent: dipnews\nAllow: /news/\nDisallow: /\n"
    site.serve("/robots.txt", robots, Content_Type="text/plain")
    site.serve("/news/1", PAGE)
    client = make_client(site)
    assert client.get(site.url("/news/1")).status == 200
    with pytest.raises(FetchError):
        client.get(site.url("/about"))


def test_robots_is_ignored_when_configured(site, make_client):
    site.serve("/robots.txt", "User-agent: *\nDisallow: /\n", Content_Type="text/plain")
    site.serve("/page", PAGE)
    response = make_client(site, respect_robots=False).get(site.url("/page"))
    assert response.robots_allowed is None
    assert "/robots.txt" not in site.paths()


def test_robots_404_allows_everything(site, make_client):
    site.serve("/page", PAGE)
    assert make_client(site).get(site.url("/page")).robots_allowed is True
    assert site.paths() == ["/robots.txt", "/page"]


@pytest.mark.parametrize("status", [500, 503, 429])
def test_robots_server_error_disallows_everything_for_the_run(site, make_client, status):
    site.serve("/robots.txt", "oops", status, Content_Type="text/plain")
    site.serve("/page", PAGE)
    client = make_client(site, max_retries=0)
    for _ in range(2):
        with pytest.raises(FetchError) as info:
            client.get(site.url("/page"))
        assert info.value.reason == "robots_disallowed"
        assert "unreachable" in info.value.detail
    assert site.paths() == ["/robots.txt"]  # asked once, remembered, no page requested


def test_robots_redirect_is_followed(site, make_client):
    site.serve("/robots.txt", "", 301, Location="/real-robots.txt")
    site.serve("/real-robots.txt", "User-agent: *\nDisallow: /x\n", Content_Type="text/plain")
    client = make_client(site)
    with pytest.raises(FetchError) as info:
        client.get(site.url("/x"))
    assert info.value.reason == "robots_disallowed"


def test_crawl_delay_raises_the_host_interval(site, make_client):
    site.serve("/robots.txt", "User-agent: *\nCrawl-delay: 0.3\n", Content_Type="text/plain")
    site.serve("/a", PAGE)
    site.serve("/b", PAGE)
    client = make_client(site, min_interval=0.0)
    client.get(site.url("/a"))
    client.get(site.url("/b"))
    a, b = starts(site, "/a")[0], starts(site, "/b")[0]
    assert b - a >= 0.3 - SLACK


def test_excessive_crawl_delay_puts_the_host_off_limits(site, make_client):
    site.serve("/robots.txt", "User-agent: *\nCrawl-delay: 3600\n", Content_Type="text/plain")
    site.serve("/a", PAGE)
    with pytest.raises(FetchError) as info:
        make_client(site, max_crawl_delay=30.0).get(site.url("/a"))
    assert info.value.reason == "robots_disallowed"
    assert "Crawl-delay" in info.value.detail


def test_min_interval_paces_two_requests(site, make_client):
    site.serve("/a", PAGE)
    site.serve("/b", PAGE)
    client = make_client(site, respect_robots=False)
    client.get(site.url("/a"), min_interval=0.2)
    client.get(site.url("/b"), min_interval=0.2)
    a, b = starts(site, "/a")[0], starts(site, "/b")[0]
    assert b - a >= 0.2 - SLACK


def test_host_min_interval_from_settings(site, make_client):
    site.serve("/a", PAGE)
    client = make_client(site, respect_robots=False, host_min_interval={"127.0.0.1": 0.2})
    for _ in range(3):
        client.get(site.url("/a"))
    times = starts(site, "/a")
    assert min(later - earlier for earlier, later in itertools.pairwise(times)) >= 0.2 - SLACK


def test_pacing_holds_across_threads(site, make_client):
    site.serve("/a", PAGE)
    client = make_client(site, respect_robots=False, min_interval=0.1)
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda _: client.get(site.url("/a")), range(6)))
    times = starts(site, "/a")
    assert len(times) == 6
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert min(gaps) >= 0.1 - SLACK / 2


def test_concurrency_per_host_is_capped(site, make_client):
    # Count requests in flight inside the handler, before the response is sent: the server's own count
    # (site.max_active) also spans the handler's return after the client already has the whole response
    # and has let the next request go, which on a loaded machine looks like an overlap that never was.
    lock = threading.Lock()
    in_flight = [0, 0]  # now, most at once

    def slow(handler):
        with lock:
            in_flight[0] += 1
            in_flight[1] = max(in_flight[1], in_flight[0])
        time.sleep(0.15)
        with lock:
            in_flight[0] -= 1
        send(handler, 200, PAGE.encode(), {"Content-Type": "text/html"})

    site.routes["/slow"] = slow
    client = make_client(site, respect_robots=False, max_per_host=1)
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda _: client.get(site.url("/slow")), range(4)))
    assert in_flight[1] == 1

    in_flight[:] = [0, 0]
    client2 = make_client(site, respect_robots=False, max_per_host=2)
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda _: client2.get(site.url("/slow")), range(4)))
    assert in_flight[1] == 2


def test_retry_after_holds_back_other_threads_on_the_same_host(site, make_client):
    calls = []

    def limited(handler):
        calls.append(time.monotonic())
        if len(calls) == 1:
            send(handler, 429, b"", {"Retry-After": "1", "Content-Type": "text/plain"})
        else:
            send(handler, 200, PAGE.encode(), {"Content-Type": "text/html"})

    site.routes["/limited"] = limited
    site.serve("/other", PAGE)
    client = make_client(site, respect_robots=False)
    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(client.get, site.url("/limited"))
        time.sleep(0.2)  # the 429 has been answered by now
        second = pool.submit(client.get, site.url("/other"))
        assert first.result().status == 200 and second.result().status == 200
    assert starts(site, "/other")[0] - calls[0] >= 0.95


def test_huge_robots_txt_is_read_up_to_500_kib(site, make_client):
    padding = "# " + "x" * 1000 + "\n"
    robots = "User-agent: *\nDisallow: /early\n" + padding * 600 + "Disallow: /late\n"
    site.serve("/robots.txt", robots, Content_Type="text/plain")
    site.serve("/late", PAGE)
    client = make_client(site, max_bytes=100 * 1024 * 1024)
    with pytest.raises(FetchError) as info:
        client.get(site.url("/early"))
    assert info.value.reason == "robots_disallowed"
    assert client.get(site.url("/late")).status == 200  # the rule past 500 KiB is not read


def test_gzipped_robots_txt(site, make_client):
    site.serve(
        "/robots.txt",
        gzip.compress(b"User-agent: *\nDisallow: /x\n"),
        Content_Type="text/plain",
        Content_Encoding="gzip",
    )
    with pytest.raises(FetchError) as info:
        make_client(site).get(site.url("/x"))
    assert info.value.reason == "robots_disallowed"


def test_crawl_delay_waits_can_be_lifted_for_our_own_servers(site, make_client):
    """``honor_crawl_delay=False`` (the loopback sample) skips the waiting but keeps the Disallow rules."""
    site.serve(
        "/robots.txt", "User-agent: *\nCrawl-delay: 1\nDisallow: /private\n", Content_Type="text/plain"
    )
    site.serve("/a", PAGE)
    site.serve("/b", PAGE)
    client = make_client(site, min_interval=0.0, honor_crawl_delay=False)
    client.get(site.url("/a"))
    client.get(site.url("/b"))
    a, b = starts(site, "/a")[0], starts(site, "/b")[0]
    assert b - a < 0.5
    with pytest.raises(FetchError) as info:
        client.get(site.url("/private"))
    assert info.value.reason == "robots_disallowed"
