"""Throughput of ``dipnews run`` against a bare ``trafilatura.extract`` loop, on 1 and 2 workers.

For each size N it generates N article pages in the four sample sources' layouts (the sample corpus's
own renderers, ``pipeline/sample/build.py``, fed with varied text recombined from the corpus), writes
them with their feeds and sitemaps to a temporary site, serves it on loopback, and prints side by side:

- ``bare``: ``trafilatura.extract(html)`` over the same pages in a plain loop (the physical limit of
  extraction on this machine: no fetch, no metadata, no tagging, no dedup, no writing);
- ``1 worker``: ``dipnews run`` end to end, as a subprocess (the real CLI), on the default FnApiRunner;
- ``2 workers``: the same with ``--direct_running_mode=multi_processing --direct_num_workers=2``;
- the ratios, peak memory (RSS of the whole process tree, sampled every 50 ms), and with ``--profile``
  the stage breakdown: CPU seconds of a one-worker run per stage, sampled by py-spy (``.[bench]``),
  which unlike cProfile does not slow the code it measures.

Politeness is lifted for the loopback server only, in the benchmark's own configuration (what
``dipnews run --sample`` does for the sample server): ``polite = false``, ``min_interval = 0``,
``honor_crawl_delay = false`` and ``max_per_host = 8``. robots.txt is still fetched and obeyed.

Usage::

    python benchmarks/throughput.py                     # N = 1,000, 5,000 and 20,000
    python benchmarks/throughput.py --sizes 1000 --profile
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.sample.build import (  # noqa: E402
    Story,
    load_corpus,
    render_site,
    write_site,
)
from pipeline.sample.server import sample_config_toml, serve  # noqa: E402

TWO_WORKERS = ("--direct_running_mode=multi_processing", "--direct_num_workers=2")
_SENTENCE_END = re.compile(r"(?<=[.!?。])\s*")


# -- the corpus ------------------------------------------------------------------------------------------


def _sentence_pools(templates: Sequence[Story]) -> dict[str, list[str]]:
    """Every sentence of the sample corpus, per language: the material the generated bodies mix."""
    pools: dict[str, list[str]] = defaultdict(list)
    for story in templates:
        for paragraph in story.paragraphs:
            pools[story.language].extend(s for s in _SENTENCE_END.split(paragraph) if len(s) > 20)
    return pools


def _sankei_id(i: int) -> str:
    # sankei.com ids are 26 upper-case base-32 characters, e.g. IPWVR4SEG72XRXH33QTHIKGJ23
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    digest = hashlib.sha256(f"bench-{i}".encode()).digest()
    return "".join(alphabet[b % 32] for b in digest[:26])


def generate_stories(n: int, seed: int = 7) -> tuple[list[Story], list[Story]]:
    """``n`` distinct stories cycling through the sample's templates (every source and layout), with
    bodies of the template's length recombined from the corpus's sentences in the same language.

    Returns ``(stories, templates)``; the templates supply the related cards of each page.
    """
    templates, _ = load_corpus()
    pools = _sentence_pools(templates)
    rng = random.Random(seed)
    stories = []
    for i in range(n):
        t = templates[i % len(templates)]
        pool = pools[t.language]
        sentences_per_paragraph = max(2, len(" ".join(t.paragraphs)) // max(1, len(t.paragraphs)) // 120)
        paragraphs = tuple(
            " ".join(rng.choice(pool) for _ in range(sentences_per_paragraph)) for _ in t.paragraphs
        )
        numeric = str(int(t.id) + 1000 + i) if t.id.isdigit() else _sankei_id(i)
        slug = f"{t.slug}-{i}" if t.slug else t.slug
        stories.append(
            dataclasses.replace(
                t,
                key=f"bench-{i}",
                id=numeric,
                slug=slug,
                title=f"{t.title} ({rng.choice(pool)[:40].strip()} {i})",
                published=t.published - timedelta(minutes=7 * i),
                modified=None,
                paragraphs=paragraphs,
                extra={},  # no TASS alternate-section listings: one URL per story
            )
        )
    return stories, templates


def write_corpus(stories: Sequence[Story], templates: Sequence[Story], root: Path) -> list[Path]:
    """Render the pages, feeds, sitemaps and robots.txt under ``root``; return the article files."""
    rendered = render_site(stories, stories, corpus=templates)
    routes = write_site(rendered, root)
    return [root / routes[s.url]["file"] for s in stories]


def bench_config(site, max_bytes: int) -> str:
    """The run's configuration: the sample's sources, with politeness lifted for the loopback server."""
    fetch = {
        "polite": False,
        "min_interval": 0.0,
        "honor_crawl_delay": False,
        "max_per_host": 8,
        "max_bytes": max_bytes,  # a feed listing 20,000 items is larger than a real feed's cap allows
        "allowed_private": sorted(site.allowed_private),
        "origin_overrides": site.origin_overrides,
    }
    lines = ["[fetch]"] + [f"{k} = {_toml(v)}" for k, v in fetch.items()]
    return "\n".join(lines) + "\n\n" + sample_config_toml()


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {json.dumps(v)}" for k, v in value.items()) + " }"
    return json.dumps(value)


# -- measuring -------------------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def tree_rss(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants, in bytes (0 once it is gone)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        total += int(match.group(1)) * 1024 if match else 0
        todo.extend(_children(p))
    return total


@dataclasses.dataclass
class Measured:
    seconds: float
    cpu_seconds: float  # user + system of the whole process tree: what load on a shared machine hides
    peak_rss: int
    stdout: str


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_measured(argv: Sequence[str]) -> Measured:
    """Run ``argv`` and sample the RSS of its process tree every 50 ms; raise when it fails."""
    started, cpu_before = time.perf_counter(), _children_cpu()
    proc = subprocess.Popen(argv, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(proc.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:6])} ... exited {proc.returncode}:\n{stdout}\n{stderr[-4000:]}")
    return Measured(seconds, _children_cpu() - cpu_before, peak, stdout)


def bare_loop(files: Sequence[Path]) -> tuple[float, float, int]:
    """Wall and CPU seconds of ``trafilatura.extract`` over every page in a plain loop, and how many
    pages gave text."""
    import trafilatura

    pages = [f.read_text(encoding="utf-8") for f in files]
    started, cpu = time.perf_counter(), time.process_time()
    ok = sum(1 for html in pages if trafilatura.extract(html))
    return time.perf_counter() - started, time.process_time() - cpu, ok


def written_articles(warehouse: Path) -> int:
    import duckdb

    con = duckdb.connect(str(warehouse / "catalog.duckdb"), read_only=True)
    try:
        return con.execute("select count(*) from articles").fetchall()[0][0]
    finally:
        con.close()


def dipnews_argv(config: Path, warehouse: Path, extra: Sequence[str] = ()) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pipeline",
        "run",
        "--config",
        str(config),
        "--warehouse",
        str(warehouse),
        *extra,
    ]


#: the stages of a run, by a frame that is on the stack while the stage's own code runs (first match
#: wins, so a stage also pays for encoding what it emits into the next shuffle, which Beam does inside
#: its ``yield``); then Beam's own work outside any stage's code (decoding stage inputs, shuffles,
#: bundles), then the driver around the pipeline
STAGES = (
    ("startup: imports", ("<frozen importlib",)),
    ("read feeds (feedparser, sitemaps)", ("stages/read_feeds.py",)),
    ("filter seen", ("stages/filter_seen.py",)),
    ("fetch pages (HTTP client)", ("stages/fetch_pages.py",)),
    ("extract (connectors, trafilatura)", ("stages/extract.py",)),
    ("normalize", ("stages/normalize.py",)),
    ("versions and dedup", ("pipeline/dedup/",)),
    ("tag", ("stages/tag.py",)),
    ("write Parquet", ("stages/write.py",)),
    ("Beam runner: decoding, shuffles, bundles", ("apache_beam/",)),
    ("driver: plan, commit, catalog", ("pipeline/", "warehouse/")),
)


def stage_breakdown(samples: Path, rate: int) -> list[tuple[str, float]]:
    """Seconds of CPU (GIL held) per stage from py-spy's raw output (``frames... count`` per line)."""
    totals: dict[str, float] = defaultdict(float)
    for line in samples.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        stage = next((name for name, needles in STAGES if any(n in stack for n in needles)), None)
        totals[stage or "other (interpreter start, stdlib)"] += int(count) / rate
    return sorted(totals.items(), key=lambda kv: -kv[1])


def profiled_argv(argv: Sequence[str], out: Path, rate: int) -> list[str]:
    """``argv`` under the py-spy sampling profiler (GIL holder only: CPU, not threads waiting)."""
    spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if spy is None:
        raise SystemExit("--profile needs py-spy: pip install -e '.[bench]'")
    return [spy, "record", "--gil", "--subprocesses", "--rate", str(rate), "--format", "raw",
            "--output", str(out), "--", *argv]  # fmt: skip


# -- the benchmark ---------------------------------------------------------------------------------------


def bench_size(n: int, work: Path, *, profile: bool, workers: Sequence[int]) -> dict:
    """Generate, serve and measure one size; returns the figures."""
    t0 = time.perf_counter()
    stories, templates = generate_stories(n)
    site_dir = work / f"site-{n}"
    files = write_corpus(stories, templates, site_dir)
    generated = time.perf_counter() - t0
    page_bytes = sum(f.stat().st_size for f in files)
    bare_seconds, bare_cpu, bare_ok = bare_loop(files)
    result = {
        "n": n,
        "generate_s": generated,
        "page_mb": page_bytes / 2**20,
        "bare_s": bare_seconds,
        "bare_cpu": bare_cpu,
        "bare_ok": bare_ok,
    }
    with serve(site_dir=site_dir) as site:
        config = work / f"bench-{n}.toml"
        config.write_text(bench_config(site, max_bytes=max(10 * 2**20, 4 * page_bytes)), encoding="utf-8")
        for w in workers:
            warehouse = work / f"wh-{n}-{w}"
            measured = run_measured(dipnews_argv(config, warehouse, TWO_WORKERS if w == 2 else ()))
            result[f"w{w}_s"] = measured.seconds
            result[f"w{w}_cpu"] = measured.cpu_seconds
            result[f"w{w}_rss"] = measured.peak_rss
            result[f"w{w}_written"] = written_articles(warehouse)
        if profile:
            samples, rate = work / f"profile-{n}.txt", 200
            argv = profiled_argv(dipnews_argv(config, work / f"wh-{n}-profile"), samples, rate)
            measured = run_measured(argv)
            result["profile_s"] = measured.seconds
            result["profile"] = stage_breakdown(samples, rate)
    return result


def _rate(n: int, seconds: float | None) -> str:
    return f"{n / seconds:8.1f}/s" if seconds else "       -  "


def print_table(results: Sequence[dict]) -> None:
    print()
    print(
        f"{'N':>7} {'pages MB':>8} | {'bare':>10} | {'1 worker':>10} {'x bare':>6} | "
        f"{'2 workers':>10} {'x 1w':>6} | {'peak RSS 1w':>11} {'2w':>8} | written"
    )
    for r in results:
        n = r["n"]
        w1, w2 = r.get("w1_s"), r.get("w2_s")
        ratio1 = f"{r['bare_s'] / w1:6.2f}" if w1 else "     -"
        ratio2 = f"{w1 / w2:6.2f}" if w1 and w2 else "     -"
        rss1 = f"{r.get('w1_rss', 0) / 2**20:8.0f} MB" if w1 else "          -"
        rss2 = f"{r.get('w2_rss', 0) / 2**20:5.0f} MB" if w2 else "       -"
        print(
            f"{n:>7} {r['page_mb']:>8.1f} | {_rate(n, r['bare_s'])} | {_rate(n, w1)} {ratio1} | "
            f"{_rate(n, w2)} {ratio2} | {rss1} {rss2} | {r.get('w1_written', '-')}/{r.get('w2_written', '-')}"
        )
    print("CPU seconds per article (user+sys of the process tree; robust to other load on the machine):")
    for r in results:
        n = r["n"]
        cpu = [f"bare {1000 * r['bare_cpu'] / n:.1f} ms"]
        cpu += [f"{w} worker(s) {1000 * r[f'w{w}_cpu'] / n:.1f} ms" for w in (1, 2) if f"w{w}_cpu" in r]
        if "w1_cpu" in r:
            cpu.append(f"bare/1w CPU ratio {r['bare_cpu'] / r['w1_cpu']:.2f}")
        print(f"  N={n}: " + ", ".join(cpu))
    print(
        "targets: 1 worker >= 0.8x bare; 2 workers >= 1.6x 1 worker; peak RSS flat in N, < 1.5 GB at 20,000"
    )
    for r in results:
        print(
            f"N={r['n']}: generated in {r['generate_s']:.1f} s; bare loop {r['bare_s']:.1f} s "
            f"({r['bare_ok']} with text); 1 worker {r.get('w1_s', 0):.1f} s; "
            f"2 workers {r.get('w2_s', 0):.1f} s"
        )
        if "profile" in r:
            total = sum(s for _, s in r["profile"])
            print(f"  stage breakdown, one worker sampled by py-spy ({r['profile_s']:.1f} s wall; CPU s):")
            for group, seconds in r["profile"]:
                print(f"    {group:<40} {seconds:7.1f} s  {100 * seconds / total:5.1f}%")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,5000,20000", help="comma-separated corpus sizes")
    parser.add_argument("--workers", default="1,2", help="which worker counts to run (1, 2 or both)")
    parser.add_argument(
        "--profile", action="store_true", help="also sample a one-worker run per size with py-spy"
    )
    parser.add_argument("--keep", help="work in this directory and keep it (default: a temporary one)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    workers = [int(w) for w in args.workers.split(",") if w]
    print(
        f"dipnews throughput: sizes {sizes}, workers {workers}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}, Python {sys.version.split()[0]}"
    )
    results = []
    with tempfile.TemporaryDirectory(prefix="dipnews-throughput-") as tmp:
        work = Path(args.keep) if args.keep else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for n in sizes:
            results.append(bench_size(n, work, profile=args.profile, workers=workers))
            print_table(results[-1:])
            sys.stdout.flush()
    if len(results) > 1:
        print("\nall sizes:")
        print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
