"""Servers that misbehave: every fault ends as the expected FetchError reason, within its time limit."""

from __future__ import annotations

import gzip
import socket
import threading
import time
import zlib
from email.utils import formatdate

import pytest
from httptest import read_request, reset, send

from connectors.http import FetchError

# Raw servers speak no robots.txt; the robots behaviour is tested in test_http_politeness.py.


def test_server_that_never_answers_times_out_within_the_read_timeout(raw_server, make_client):
    server = raw_server(lambda conn, stop: (read_request(conn), stop.wait(10)))
    client = make_client(server, respect_robots=False, read_timeout=0.3, max_retries=1)
    started = time.monotonic()
    with pytest.raises(FetchError) as info:
        client.get(server.url("/"))
    elapsed = time.monotonic() - started
    assert info.value.reason == "timeout"
    assert server.connections == 2  # one retry
    assert elapsed < 2.0


def trickle(conn: socket.socket, stop: threading.Event) -> None:
    """Headers, then one body byte every 50 ms: each read is quick, the whole never ends."""
    read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n")
    while not stop.wait(0.05):
        conn.sendall(b"x")


def test_trickling_body_is_cut_by_the_total_timeout(raw_server, make_client):
    server = raw_server(trickle)
    client = make_client(server, respect_robots=False, read_timeout=1.0, total_timeout=0.6, max_retries=0)
    started = time.monotonic()
    with pytest.raises(FetchError) as info:
        client.get(server.url("/"))
    assert info.value.reason == "timeout"
    assert time.monotonic() - started < 1.5


def test_trickling_headers_are_cut_by_the_total_timeout(raw_server, make_client):
    def slow_headers(conn: socket.socket, stop: threading.Event) -> None:
        read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        while not stop.wait(0.05):
            conn.sendall(b"X-Slow: 1\r\n")

    server = raw_server(slow_headers)
    client = make_client(server, respect_robots=False, read_timeout=1.0, total_timeout=0.6, max_retries=0)
    started = time.monotonic()
    with pytest.raises(FetchError) as info:
        client.get(server.url("/"))
    assert info.value.reason in ("timeout", "connection")  # too many headers may come first
    assert time.monotonic() - started < 1.5


def test_connection_reset_is_retried_then_reported(raw_server, make_client):
    server = raw_server(lambda conn, stop: (read_request(conn), reset(conn)))
    client = make_client(server, respect_robots=False, max_retries=2)
    with pytest.raises(FetchError) as info:
        client.get(server.url("/"))
    assert info.value.reason == "connection"
    assert server.connections == 3


def test_body_shorter_than_its_content_length_is_a_connection_error(raw_server, make_client):
    def short(conn: socket.socket, stop: threading.Event) -> None:
        read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5000\r\n\r\n<html>cut")

    server = raw_server(short)
    client = make_client(server, respect_robots=False, max_retries=0)
    with pytest.raises(FetchError) as info:
        client.get(server.url("/"))
    assert info.value.reason == "connection"


def test_refused_connection(make_client):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = make_client(
        allowed_private=frozenset({f"127.0.0.1:{port}"}), max_retries=1, respect_robots=False
    )
    with pytest.raises(FetchError) as info:
        client.get(f"http://127.0.0.1:{port}/")
    assert info.value.reason == "connection"


def test_429_with_retry_after_seconds_is_honoured(site, make_client):
    calls = []

    def limited(handler):
        calls.append(time.monotonic())
        if len(calls) == 1:
            send(handler, 429, b"slow down", {"Retry-After": "1", "Content-Type": "text/plain"})
        else:
            send(handler, 200, b"<html><p>ok</p></html>", {"Content-Type": "text/html"})

    site.routes["/limited"] = limited
    response = make_client(site).get(site.url("/limited"))
    assert response.status == 200
    assert response.attempts == 2
    assert calls[1] - calls[0] >= 0.95


def test_retry_after_as_http_date_is_honoured(site, make_client):
    calls = []

    def limited(handler):
        calls.append(time.time())
        if len(calls) == 1:
            # HTTP dates have one-second resolution: two seconds ahead means at least one second of wait.
            later = formatdate(time.time() + 2, usegmt=True)
            send(handler, 503, b"maintenance", {"Retry-After": later, "Content-Type": "text/plain"})
        else:
            send(handler, 200, b"<html><p>ok</p></html>", {"Content-Type": "text/html"})

    site.routes["/limited"] = limited
    response = make_client(site).get(site.url("/limited"))
    assert response.status == 200
    assert calls[1] - calls[0] >= 1.0


def test_retry_after_beyond_the_cap_fails_at_once(site, make_client):
    site.serve("/limited", "later", 429, Retry_After="3600")
    started = time.monotonic()
    with pytest.raises(FetchError) as info:
        make_client(site, max_retry_after=5.0).get(site.url("/limited"))
    assert info.value.reason == "http_429"
    assert info.value.status == 429
    assert "3600" in info.value.detail
    assert time.monotonic() - started < 1.0
    assert site.paths().count("/limited") == 1


def test_503_then_200_succeeds_after_backoff(site, make_client):
    statuses = iter([503, 503, 200])

    def flaky(handler):
        status = next(statuses)
        send(handler, status, b"<html><p>body</p></html>", {"Content-Type": "text/html"})

    site.routes["/flaky"] = flaky
    response = make_client(site, max_retries=3).get(site.url("/flaky"))
    assert response.status == 200
    assert response.attempts == 3


def test_persistent_503_is_reported_with_its_status(site, make_client):
    site.serve("/down", "down", 503)
    with pytest.raises(FetchError) as info:
        make_client(site, max_retries=2).get(site.url("/down"))
    assert (info.value.reason, info.value.status) == ("http_503", 503)
    assert site.paths().count("/down") == 3


def test_404_is_not_retried(site, make_client):
    with pytest.raises(FetchError) as info:
        make_client(site).get(site.url("/missing"))
    assert info.value.reason == "http_404"
    assert site.paths().count("/missing") == 1


def test_50_mb_body_is_cut_at_the_cap(site, make_client):
    sent = []

    def huge(handler):
        # No Content-Length: the client must count what it reads.
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.end_headers()
        block = b"<p>" + b"a" * 65533
        for _ in range(800):  # 800 x 64 KiB = 50 MiB
            handler.wfile.write(block)
            sent.append(len(block))

    site.routes["/huge"] = huge
    started = time.monotonic()
    with pytest.raises(FetchError) as info:
        make_client(site, max_bytes=1024 * 1024).get(site.url("/huge"))
    assert info.value.reason == "too_large"
    assert time.monotonic() - started < 5.0
    assert sum(sent) < 50 * 1024 * 1024  # the client stopped reading long before the end


def test_declared_content_length_over_the_cap_is_refused_before_reading(site, make_client):
    site.serve("/big", b"x" * 10, Content_Length=str(50 * 1024 * 1024))
    with pytest.raises(FetchError) as info:
        make_client(site, max_bytes=1024 * 1024).get(site.url("/big"))
    assert info.value.reason == "too_large"


def test_gzip_bomb_is_stopped(site, make_client):
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 100 * 1024
    site.serve("/bomb", bomb, Content_Encoding="gzip")
    with pytest.raises(FetchError) as info:
        make_client(site).get(site.url("/bomb"))
    assert info.value.reason == "decompression_bomb"


def test_gzip_and_raw_deflate_bodies_are_decoded(site, make_client):
    html = "<html><body><p>" + "Northern Territories talks resume. " * 200 + "</p></body></html>"
    site.serve("/gz", gzip.compress(html.encode()), Content_Encoding="gzip")
    raw_deflate = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    site.serve(
        "/deflate", raw_deflate.compress(html.encode()) + raw_deflate.flush(), Content_Encoding="deflate"
    )
    client = make_client(site)
    assert client.get(site.url("/gz")).page().text == html
    assert client.get(site.url("/deflate")).page().text == html
    assert "gzip" in site.hits[0].headers["accept-encoding"]


def test_unsupported_content_encoding_is_reported(site, make_client):
    site.serve("/br", b"\x8b\x00\x80", Content_Encoding="br")
    with pytest.raises(FetchError) as info:
        make_client(site).get(site.url("/br"))
    assert info.value.reason == "bad_content_type"
    assert "br" in info.value.detail
