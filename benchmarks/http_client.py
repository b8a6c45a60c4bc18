"""CPU the HTTP client spends per page, and the threads it starts per request, on loopback.

It generates N article pages with ``throughput.py``'s generator, serves them with the sample server
(``pipeline/sample/server.py``, HTTP/1.1 keep-alive) and fetches every page once, in one thread, with
``HttpClient.get(url, kind="page").page()``, as FetchPages does. It prints the client's CPU time per page
(``time.process_time``, which counts the client's own threads too but not the server's, which runs in
a child process), the wall time, the threads started per request and the TCP connections opened. Run
it before and after a change to the client, on the same N, and compare the CPU columns.

Usage::

    python benchmarks/http_client.py              # N = 2,000, 2 rounds
    python benchmarks/http_client.py --pages 5000 --rounds 3
"""

from __future__ import annotations

import argparse
import multiprocessing
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import throughput  # noqa: E402

from connectors.http import FetchSettings, HttpClient  # noqa: E402
from pipeline.sample.server import serve  # noqa: E402


def _serve(site_dir: Path, ready: multiprocessing.Queue, stop: multiprocessing.Event) -> None:
    """The server, in a process of its own so that its CPU is not counted as the client's."""
    with serve(site_dir=site_dir) as site:
        ready.put((dict(site.origin_overrides), sorted(site.allowed_private)))
        stop.wait()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="dipnews-http-bench-") as tmp:
        site_dir = Path(tmp) / "site"
        stories, templates = throughput.generate_stories(args.pages)
        files = throughput.write_corpus(stories, templates, site_dir)
        urls = [story.url for story in stories]
        ready: multiprocessing.Queue = multiprocessing.Queue()
        stop = multiprocessing.Event()
        server = multiprocessing.Process(target=_serve, args=(site_dir, ready, stop), daemon=True)
        server.start()
        try:
            overrides, allowed = ready.get(timeout=60)
            settings = FetchSettings(
                min_interval=0.0,
                honor_crawl_delay=False,
                max_per_host=8,
                max_bytes=max(10 * 2**20, 4 * sum(f.stat().st_size for f in files)),
                allowed_private=frozenset(allowed),
                origin_overrides=overrides,
            )
            _measure(settings, urls, args.rounds)
        finally:
            stop.set()
            server.join(timeout=10)
    return 0


def _measure(settings: FetchSettings, urls: list[str], rounds: int) -> None:
    started: list[str] = []
    connections = [0]
    real_start, real_connect = threading.Thread.start, socket.create_connection

    def counting_start(self: threading.Thread) -> None:
        started.append(self.name)
        real_start(self)

    def counting_connect(*args: object, **kwargs: object) -> socket.socket:
        connections[0] += 1
        return real_connect(*args, **kwargs)  # type: ignore[arg-type]

    client = HttpClient(settings)
    try:
        for url in urls[:20]:  # robots.txt of every origin, caches warm
            client.get(url, kind="page")
        threading.Thread.start = counting_start  # type: ignore[method-assign]
        socket.create_connection = counting_connect  # type: ignore[assignment]
        for n in range(rounds):
            started.clear()
            connections[0] = 0
            cpu, wall = time.process_time(), time.perf_counter()
            for url in urls:
                client.get(url, kind="page").page()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            print(
                f"round {n}: {len(urls)} pages, CPU {cpu / len(urls) * 1000:.3f} ms/page,"
                f" wall {wall / len(urls) * 1000:.3f} ms/page,"
                f" threads started {len(started) / len(urls):.3f}/request,"
                f" connections opened {connections[0]}",
                flush=True,
            )
    finally:
        threading.Thread.start = real_start  # type: ignore[method-assign]
        socket.create_connection = real_connect
        client.close()


if __name__ == "__main__":
    sys.exit(main())
