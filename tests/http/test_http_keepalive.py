"""Keep-alive connections, the client's one deadline thread, and the cheaper checks of a page.

Servers here are raw loopback sockets that speak HTTP/1.1 by hand, so that a test decides exactly when
a connection stays open, closes, stalls or resets, and counts the connections it was given.
"""

from __future__ import annotations

import os
import random
import socket
import threading
import time
from collections.abc import Callable
from http.client import HTTPConnection

import pytest
from httptest import RawServer, read_request, reset

import connectors.http as http_module
from connectors.challenge import _has_visible_text, visible_text
from connectors.http import FetchError, HttpClient, _Connection, _Deadlines, _Pool
from pipeline.sample.server import serve

PAGE = b"<html><head><title>t</title></head><body><p>Talks on the islands resumed.</p></body></html>"
Behaviour = Callable[[socket.socket, threading.Event], None]


def response(body: bytes = PAGE, status: str = "200 OK", headers: str = "", mime: str = "text/html") -> bytes:
    """An HTTP/1.1 response framed by Content-Length (so the connection may stay open)."""
    head = f"HTTP/1.1 {status}\r\nContent-Type: {mime}\r\nContent-Length: {len(body)}\r\n{headers}\r\n"
    return head.encode() + body


def keep_alive(requests: list[bytes], answer: Callable[[int], bytes] = lambda n: response()) -> Behaviour:
    """Answer every request of a connection with ``answer(n)`` (n counts requests across connections)."""

    def behaviour(conn: socket.socket, stop: threading.Event) -> None:
        while not stop.is_set():
            head = read_request(conn)
            if not head:
                return  # the client closed the connection
            requests.append(head)
            conn.sendall(answer(len(requests)))

    return behaviour


def fd_count() -> int:
    return len(os.listdir("/proc/self/fd"))


def deadline_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "dipnews-http-deadlines"]


# -- reuse -------------------------------------------------------------------------------------------


def test_keep_alive_server_sees_one_connection_for_several_requests(raw_server, make_client):
    requests: list[bytes] = []
    server = raw_server(keep_alive(requests))
    client = make_client(server, respect_robots=False)
    for n in range(5):
        response_ = client.get(server.url(f"/page/{n}"))
        assert response_.content == PAGE
        assert response_.attempts == 1
    assert server.connections == 1
    assert len(requests) == 5
    assert all(b"Connection: keep-alive" in head for head in requests)


def test_connections_are_kept_per_origin(raw_server, make_client):
    first: list[bytes] = []
    second: list[bytes] = []
    one, two = raw_server(keep_alive(first)), raw_server(keep_alive(second))
    client = make_client(one, two, respect_robots=False)
    for n in range(3):
        client.get(one.url(f"/a/{n}"))
        client.get(two.url(f"/b/{n}"))
    assert (one.connections, two.connections) == (1, 1)
    assert (len(first), len(second)) == (3, 3)


def test_server_that_closed_the_idle_connection_costs_no_page(raw_server, make_client):
    """The server reads the second request on a kept connection and hangs up without an answer (its
    idle timeout struck as the request arrived): the client sends it again on a new connection, within
    the same attempt, though no retry is allowed."""
    requests: list[bytes] = []

    def one_answer_per_connection(conn: socket.socket, stop: threading.Event) -> None:
        requests.append(read_request(conn))
        conn.sendall(response())
        requests.append(read_request(conn))  # then close without a byte of response

    server = raw_server(one_answer_per_connection)
    client = make_client(server, respect_robots=False, max_retries=0)
    assert client.get(server.url("/one")).content == PAGE
    second = client.get(server.url("/two"))
    assert second.content == PAGE
    assert second.attempts == 1
    assert server.connections == 2
    assert [head.split(b" ")[1] for head in requests] == [b"/one", b"/two", b"/two"]


def test_server_that_resets_the_kept_connection_costs_no_page(raw_server, make_client):
    def answer_then_reset(conn: socket.socket, stop: threading.Event) -> None:
        read_request(conn)
        conn.sendall(response())
        read_request(conn)
        reset(conn)

    server = raw_server(answer_then_reset)
    client = make_client(server, respect_robots=False, max_retries=0)
    client.get(server.url("/one"))
    assert client.get(server.url("/two")).attempts == 1
    assert server.connections == 2


def test_connection_closed_while_idle_is_noticed_before_use(raw_server, make_client):
    def answer_then_close(conn: socket.socket, stop: threading.Event) -> None:
        read_request(conn)
        conn.sendall(response())

    server = raw_server(answer_then_close)
    client = make_client(server, respect_robots=False, max_retries=0)
    client.get(server.url("/one"))
    time.sleep(0.2)  # the server's FIN arrives: the idle connection is readable, so it is not reused
    assert client.get(server.url("/two")).attempts == 1
    assert server.connections == 2


def test_a_fresh_connection_that_fails_is_still_a_failure(raw_server, make_client):
    """Only a reused connection gets the free second try: a new one that is closed unanswered is an
    ordinary connection error, retried (and counted) as before."""
    server = raw_server(lambda conn, stop: read_request(conn))
    client = make_client(server, respect_robots=False, max_retries=1)
    with pytest.raises(FetchError) as info:
        client.get(server.url("/"))
    assert info.value.reason == "connection"
    assert server.connections == 2


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        # an error page longer than the 64 KiB read of it: truncated, the rest is still on the wire
        (response(b"x" * (200 * 1024), "404 Not Found"), "http_404"),
        # a body over max_bytes: the client stops reading
        (response(b"<html>" + b"x" * 20_000), "too_large"),
        # refused from its headers, body unread
        (response(b"%PDF-1.7", mime="application/pdf"), "bad_content_type"),
        # an encoding we never asked for
        (response(b"\x8b\x00", headers="Content-Encoding: br\r\n"), "bad_content_type"),
    ],
)
def test_truncated_or_failed_responses_are_not_reused(raw_server, make_client, answer, reason):
    requests: list[bytes] = []
    server = raw_server(keep_alive(requests, lambda n: answer if n == 1 else response()))
    client = make_client(server, respect_robots=False, max_retries=0, max_bytes=10_000)
    with pytest.raises(FetchError) as info:
        client.get(server.url("/bad"))
    assert info.value.reason == reason
    assert client.get(server.url("/good")).content == PAGE
    assert server.connections == 2


def test_complete_error_page_leaves_the_connection_reusable(raw_server, make_client):
    requests: list[bytes] = []
    gone = response(b"gone", "404 Not Found")
    server = raw_server(keep_alive(requests, lambda n: gone if n == 1 else response()))
    client = make_client(server, respect_robots=False)
    with pytest.raises(FetchError) as info:
        client.get(server.url("/gone"))
    assert info.value.reason == "http_404"
    client.get(server.url("/good"))
    assert server.connections == 1


@pytest.mark.parametrize(
    "first",
    [
        response(headers="Connection: close\r\n"),
        # HTTP/1.0 without Keep-Alive closes after the response
        response().replace(b"HTTP/1.1", b"HTTP/1.0", 1),
    ],
)
def test_server_that_says_it_closes_is_not_reused(raw_server, make_client, first):
    requests: list[bytes] = []
    server = raw_server(keep_alive(requests, lambda n: first if n == 1 else response()))
    client = make_client(server, respect_robots=False)
    client.get(server.url("/one"))
    client.get(server.url("/two"))
    assert server.connections == 2


def test_http_10_with_keep_alive_is_reused(raw_server, make_client):
    requests: list[bytes] = []
    answer = response(headers="Connection: keep-alive\r\n").replace(b"HTTP/1.1", b"HTTP/1.0", 1)
    server = raw_server(keep_alive(requests, lambda n: answer))
    client = make_client(server, respect_robots=False)
    client.get(server.url("/one"))
    client.get(server.url("/two"))
    assert server.connections == 1


def test_chunked_response_is_read_to_its_end_and_reused(raw_server, make_client):
    chunked = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
        + f"{len(PAGE):x}\r\n".encode()
        + PAGE
        + b"\r\n0\r\n\r\n"
    )
    requests: list[bytes] = []
    server = raw_server(keep_alive(requests, lambda n: chunked))
    client = make_client(server, respect_robots=False)
    assert [client.get(server.url(f"/{n}")).content for n in range(3)] == [PAGE] * 3
    assert server.connections == 1


def test_redirect_with_an_unread_body_is_not_reused(raw_server, make_client):
    requests: list[bytes] = []
    redirect = response(b"moved", "301 Moved Permanently", "Location: /there\r\n")
    server = raw_server(keep_alive(requests, lambda n: redirect if n == 1 else response()))
    client = make_client(server, respect_robots=False)
    assert client.get(server.url("/here")).content == PAGE
    assert server.connections == 2


# -- the deadline thread ------------------------------------------------------------------------------


def trickle_after(answered: int) -> tuple[list[bytes], Behaviour]:
    """A keep-alive server that answers ``answered`` requests, then sends headers and one body byte
    every 50 ms for ever: no read ever times out, only the total timeout can end it."""
    requests: list[bytes] = []

    def behaviour(conn: socket.socket, stop: threading.Event) -> None:
        while not stop.is_set():
            head = read_request(conn)
            if not head:
                return
            requests.append(head)
            if len(requests) <= answered:
                conn.sendall(response())
                continue
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n")
            while not stop.wait(0.05):
                conn.sendall(b"x")

    return requests, behaviour


def test_stall_mid_body_on_a_reused_connection_times_out(raw_server, make_client):
    _, behaviour = trickle_after(answered=1)
    server = raw_server(behaviour)
    client = make_client(server, respect_robots=False, read_timeout=1.0, total_timeout=0.6, max_retries=0)
    client.get(server.url("/one"))  # also queues the idle sweep, a later deadline than the stall's
    started = time.monotonic()
    with pytest.raises(FetchError) as info:
        client.get(server.url("/two"))
    assert info.value.reason == "timeout"
    assert 0.5 < time.monotonic() - started < 1.5
    assert server.connections == 1


def test_two_stalls_at_once_both_time_out(make_client):
    servers = [RawServer(trickle_after(answered=0)[1]) for _ in range(2)]
    before = set(threading.enumerate())
    try:
        client = make_client(
            *servers, respect_robots=False, read_timeout=1.0, total_timeout=0.6, max_retries=0
        )
        outcomes: list[tuple[str, float]] = []

        def fetch(server: RawServer, delay: float) -> None:
            time.sleep(delay)
            started = time.monotonic()
            try:
                client.get(server.url("/"))
            except FetchError as exc:
                outcomes.append((exc.reason, time.monotonic() - started))

        threads = [
            threading.Thread(target=fetch, args=(s, d)) for s, d in zip(servers, (0.0, 0.2), strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=5)
        assert [reason for reason, _ in outcomes] == ["timeout", "timeout"]
        assert all(0.5 < elapsed < 1.5 for _, elapsed in outcomes)
        assert len([t for t in deadline_threads() if t not in before]) == 1  # one thread watched both
    finally:
        for server in servers:
            server.close()


def test_deadlines_fire_in_deadline_order_not_arrival_order():
    deadlines = _Deadlines()
    late_a, late_b = socket.socketpair()
    soon_a, soon_b = socket.socketpair()
    try:
        started = time.monotonic()
        late = deadlines.watch(late_a, started + 5.0)
        soon = deadlines.watch(soon_a, started + 0.2)  # earlier than the one the thread sleeps for
        soon_a.settimeout(2.0)
        assert soon_a.recv(1) == b""  # shut down under the blocked read
        assert soon.fired and not late.fired
        assert 0.15 < time.monotonic() - started < 1.0
        late.cancel()
        time.sleep(0.1)
        assert not late.fired
    finally:
        deadlines.close()
        for sock in (late_a, late_b, soon_a, soon_b):
            sock.close()
    assert deadlines._thread is None


def test_deadline_thread_ends_when_idle_and_comes_back(monkeypatch):
    monkeypatch.setattr(http_module, "_LINGER_SECONDS", 0.2)
    deadlines = _Deadlines()
    ours, theirs = socket.socketpair()
    try:
        deadlines.watch(ours, time.monotonic() + 0.1).cancel()
        assert deadlines._thread is not None
        time.sleep(0.6)  # the cancelled deadline passes, then nothing is watched for the linger time
        assert deadlines._thread is None
        dog = deadlines.watch(ours, time.monotonic() + 0.1)
        ours.settimeout(2.0)
        assert ours.recv(1) == b""  # a new thread fired it
        assert dog.fired
    finally:
        deadlines.close()
        ours.close()
        theirs.close()


def test_no_thread_per_request(raw_server, make_client):
    requests: list[bytes] = []
    server = raw_server(keep_alive(requests))
    client = make_client(server, respect_robots=False)
    client.get(server.url("/warm"))
    before = threading.active_count()
    started = []
    real_start = threading.Thread.start

    def counting(self: threading.Thread) -> None:
        started.append(self.name)
        real_start(self)

    threading.Thread.start = counting  # type: ignore[method-assign]
    try:
        for n in range(20):
            client.get(server.url(f"/{n}"))
    finally:
        threading.Thread.start = real_start  # type: ignore[method-assign]
    assert started == []
    assert threading.active_count() == before


# -- close() and idle expiry -----------------------------------------------------------------------------


def _keep_alive_then(closed: threading.Event):
    """A keep-alive server behaviour that sets ``closed`` once the client has closed the connection."""
    requests: list[bytes] = []

    def behaviour(conn: socket.socket, stop: threading.Event) -> None:
        keep_alive(requests)(conn, stop)
        closed.set()

    return behaviour


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts descriptors in /proc")
def test_close_leaves_no_open_sockets_or_threads(raw_server):
    closed = threading.Event()
    behaviour = _keep_alive_then(closed)
    server = raw_server(behaviour)
    fds = fd_count()
    from httptest import settings_for

    client = HttpClient(settings_for(server, respect_robots=False))
    for n in range(3):
        client.get(server.url(f"/{n}"))
    thread = client._deadlines._thread
    assert thread is not None and thread.is_alive()
    client.close()
    assert closed.wait(2.0)  # the server saw the client close its kept connection
    assert not thread.is_alive()
    deadline = time.monotonic() + 2.0
    while fd_count() > fds and time.monotonic() < deadline:
        time.sleep(0.02)  # the server thread closes its end of the connection
    assert fd_count() <= fds


def test_idle_connections_expire(raw_server, make_client, monkeypatch):
    monkeypatch.setattr(http_module, "_IDLE_SECONDS", 0.3)
    closed = threading.Event()
    behaviour = _keep_alive_then(closed)
    server = raw_server(behaviour)
    client = make_client(server, respect_robots=False)
    client.get(server.url("/one"))
    assert closed.wait(1.5)  # closed by the sweep, with no request to notice it
    client.get(server.url("/two"))
    assert server.connections == 2


def test_idle_connections_per_origin_are_capped(raw_server, make_client):
    requests: list[bytes] = []
    gate = threading.Barrier(3)

    def slow_answer(n: int) -> bytes:
        time.sleep(0.2)  # the three requests overlap, so each needs a connection of its own
        return response()

    server = raw_server(keep_alive(requests, slow_answer))
    client = make_client(server, respect_robots=False, max_per_host=3)

    def fetch(n: int) -> None:
        gate.wait()
        client.get(server.url(f"/{n}"))

    threads = [threading.Thread(target=fetch, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    assert server.connections == 3
    idle = sum(len(conns) for conns in client._pool._conns.values())
    assert idle == 3
    assert make_client(server, respect_robots=False, max_per_host=1)._pool._per_key == 1


def test_an_origin_keeps_no_more_idle_connections_than_its_cap():
    deadlines = _Deadlines()
    pool = _Pool(2, 10.0, deadlines)
    pairs = [socket.socketpair() for _ in range(3)]
    try:
        kept = [_Connection(HTTPConnection("127.0.0.1"), ours, ("o",)) for ours, _theirs in pairs]
        for connection in kept:
            connection.conn.sock = connection.sock
            pool.put(connection)
        assert [ours.fileno() == -1 for ours, _theirs in pairs] == [False, False, True]  # the third closed
        assert pool.take(("o",)) is kept[1]  # the most recently used first
        assert pool.take(("other",)) is None
        pool.close()
        assert pairs[0][0].fileno() == -1  # close() closes what is idle
    finally:
        deadlines.close()
        for ours, theirs in pairs:
            ours.close()
            theirs.close()


# -- the sample server ----------------------------------------------------------------------------------


def test_sample_server_keeps_connections_alive():
    with serve() as site:
        conn = HTTPConnection("127.0.0.1", site.port, timeout=5)
        try:
            for path in ("/robots.txt", "/tass.com/rss/v2.xml", "/no/such/page"):
                host = "tass.com" if path == "/robots.txt" else "127.0.0.1"
                conn.request("GET", path, headers={"Host": host})
                answer = conn.getresponse()
                body = answer.read()
                assert answer.version == 11 and not answer.will_close
                assert int(answer.headers["Content-Length"]) == len(body)
            first_sock = conn.sock
            conn.request("HEAD", "/tass.com/rss/v2.xml")
            head = conn.getresponse()
            assert head.read() == b"" and int(head.headers["Content-Length"]) > 0
            assert conn.sock is first_sock  # still the one connection
        finally:
            conn.close()


# -- cheaper checks, same answers -------------------------------------------------------------------------

_TOKENS = [
    "<script>", "<script type='x'>", "</script>", "</script >", "<SCRIPT", "<style>", "</style>",
    "<noscript>", "</noscript>", "<template>", "</template>", "<!--", "-->", "<!-", "--", "<", ">",
    "<p>", "</p>", "<b ", "word ", "x", "  ", "\n", "\t", "\u3000", "<scripts>", "<br/>", "ab cd ",
    "<!---->", "<a href='>'>", "é",
]  # fmt: skip


def test_visible_text_check_agrees_with_visible_text():
    """The piecewise check answers exactly ``len(visible_text(html)) >= minimum``, whatever the piece
    size: markup cut anywhere, unclosed blocks and comments, stray brackets."""
    rng = random.Random(20261205)
    for _ in range(3000):
        html = "".join(rng.choice(_TOKENS) for _ in range(rng.randint(0, 120)))
        length = len(visible_text(html))
        for piece in (1, 3, 8, 64, 4096):
            for minimum in (0, 1, length - 1, length, length + 1, rng.randint(0, 300)):
                assert _has_visible_text(html, minimum, piece) == (length >= minimum), (html, piece, minimum)


def test_visible_text_check_on_a_long_page_with_a_late_article():
    head = "<head>" + "<script>var x = '<p>not text</p>';</script>" * 500 + "<!-- <p>" + "y" * 3000 + " -->"
    for body in ("<p>" + "Words of the article. " * 40 + "</p>", "<p>short</p>"):
        html = f"<html>{head}</head><body>{body}</body></html>"
        assert _has_visible_text(html, 600) == (len(visible_text(html)) >= 600)


@pytest.mark.parametrize(
    "url",
    ["http://example.com/a\nb", "http://example.com/\x00", "http://exa\x7fmple.com/", "\thttp://x.org/"],
)
def test_control_characters_are_an_invalid_url(make_client, url):
    with pytest.raises(FetchError) as info:
        make_client().get(url)
    assert (info.value.reason, info.value.detail) == ("invalid_url", "control characters in the URL")


def test_characters_above_ascii_control_are_not_control_characters():
    assert http_module._parse_url("http://example.com/caf\u00e9\u0085").host == "example.com"
