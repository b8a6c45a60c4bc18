"""The benchmarks' inputs are what they claim: a valid corpus in the sources' layouts, and analyst
macros that give the answers a plain Python computation gives on the same synthetic warehouse."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pyarrow.parquet as pq
import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))

import analyst_queries  # noqa: E402
import throughput  # noqa: E402

from connectors import registry  # noqa: E402
from connectors.base import Page  # noqa: E402
from warehouse import Warehouse  # noqa: E402

# -- throughput: the generated corpus -----------------------------------------------------------------


def test_generated_pages_extract_as_their_stories(tmp_path: Path) -> None:
    stories, templates = throughput.generate_stories(60)
    assert len({s.url for s in stories}) == 60, "every generated story needs its own URL"
    assert {s.source for s in stories} == {"tass", "sputnik", "arabnews", "sankei"}
    files = throughput.write_corpus(stories, templates, tmp_path / "site")
    for story, file in zip(stories, files, strict=True):
        html = file.read_bytes()
        page = Page(url=story.url, content=html, text=html.decode("utf-8"), fetched_at=datetime.now(UTC))
        connector = registry.for_url(story.url)
        assert connector is not None and connector.id == story.source, story.url
        article = connector.extract(page)
        assert article["title"] == story.title, story.url
        # the body is the generated text, not the template's
        assert story.paragraphs[-1][:60] in article["body"], story.url


def test_bench_config_lifts_politeness_for_the_loopback_server_only(tmp_path: Path) -> None:
    from pipeline.config import parse_config

    site = SimpleNamespace(
        allowed_private=frozenset({"127.0.0.1:4321"}),
        origin_overrides={"https://tass.com": "http://127.0.0.1:4321"},
    )
    config = parse_config(throughput.bench_config(site, max_bytes=50 * 2**20))
    assert not config.polite and config.fetch.min_interval == 0.0 and not config.fetch.honor_crawl_delay
    assert config.fetch.respect_robots, "robots.txt rules still apply"
    assert config.fetch.allowed_private == frozenset({"127.0.0.1:4321"})
    assert dict(config.fetch.origin_overrides) == site.origin_overrides
    assert {s.id for s in config.sources} == {"tass", "sputnik", "arabnews", "sankei"}


def test_tree_rss_counts_children() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; x = b'x' * (200 * 2**20); time.sleep(60)"])
    try:
        deadline = time.monotonic() + 30
        while throughput.tree_rss(child.pid) < 190 * 2**20 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert throughput.tree_rss(child.pid) >= 190 * 2**20
        assert throughput.tree_rss(os.getpid()) >= throughput.tree_rss(child.pid) + 10 * 2**20
    finally:
        child.kill()
        child.wait()
    assert throughput.tree_rss(child.pid) == 0


# -- analyst queries: the macros against a plain computation ------------------------------------------


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> tuple[Warehouse, list[dict], list[dict]]:
    root = tmp_path_factory.mktemp("analyst") / "wh"
    analyst_queries.build_runs(root, 3000, 2)
    warehouse = Warehouse(root)
    warehouse.compact()
    articles = [r for p in warehouse.committed_files("articles") for r in pq.read_table(p).to_pylist()]
    mentions = [r for p in warehouse.committed_files("mentions") for r in pq.read_table(p).to_pylist()]
    assert len(articles) == 3000 and len(mentions) > 20000
    return warehouse, articles, mentions


def _unique(articles: list[dict]) -> dict[str, dict]:
    return {a["article_id"]: a for a in articles if not a["is_duplicate"]}


def test_entity_months(synthetic) -> None:
    warehouse, articles, mentions = synthetic
    unique = _unique(articles)
    expected: dict[tuple, list] = defaultdict(lambda: [set(), 0])
    for m in mentions:
        a = unique.get(m["article_id"])
        if m["entity_id"] == "person:sergey-lavrov" and a:
            key = (a["published_at"].date().replace(day=1), a["source_id"])
            expected[key][0].add(m["article_id"])
            expected[key][1] += 1
    got = warehouse.query("SELECT * FROM entity_months('person:sergey-lavrov')").to_pylist()
    assert {(r["month"], r["source_id"]): (r["articles"], r["mentions"]) for r in got} == {
        k: (len(v[0]), v[1]) for k, v in expected.items()
    }
    assert len(got) > 20


def test_co_mentions(synthetic) -> None:
    warehouse, articles, mentions = synthetic
    unique = _unique(articles)
    named = defaultdict(Counter)
    for m in mentions:
        named[m["article_id"]][m["entity_id"]] += 1
    a, b = "person:sergey-lavrov", "place:kunashiri"
    expected = {i for i, c in named.items() if c[a] and c[b] and i in unique}
    got = warehouse.query(f"SELECT * FROM co_mentions('{a}', '{b}')").to_pylist()
    assert {r["article_id"] for r in got} == expected and expected
    assert all(r["mentions_a"] == named[r["article_id"]][a] for r in got)
    assert [r["published_at"] for r in got] == sorted((r["published_at"] for r in got), reverse=True)


def test_framing_share(synthetic) -> None:
    warehouse, articles, mentions = synthetic
    unique = _unique(articles)
    start, end = datetime(2023, 1, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC)
    sides = Counter()
    for m in mentions:
        a = unique.get(m["article_id"])
        if m["variant"] and a and start <= a["published_at"] < end:
            side = {"northern_territories": "j", "japanese_naming": "j", "southern_kurils": "r"}.get(
                m["variant"], "r" if m["variant"] == "russian_naming" else "o"
            )
            sides[(a["source_id"], side)] += 1
    got = warehouse.query(
        "SELECT * FROM framing_share(TIMESTAMPTZ '2023-01-01', TIMESTAMPTZ '2025-01-01')"
    ).to_pylist()
    assert {r["source_id"] for r in got} == {"tass", "sputnik", "arabnews", "sankei"}
    for r in got:
        j, ru = sides[(r["source_id"], "j")], sides[(r["source_id"], "r")]
        assert (r["japanese"], r["russian"], r["other"]) == (j, ru, sides[(r["source_id"], "o")])
        assert r["japanese_share"] == pytest.approx(j / (j + ru))
    shares = {r["source_id"]: r["japanese_share"] for r in got}
    assert shares["sankei"] > 0.8 > 0.2 > shares["tass"]  # the generator's framing, read back


def test_top_clusters(synthetic) -> None:
    warehouse, articles, _ = synthetic
    # the week from the day of article 0, a cluster representative (ids 0, 1 and 2 are one story)
    rep = next(a for a in articles if a["article_id"] == f"{0:016x}")
    week = datetime.combine(rep["published_at"].date(), datetime.min.time(), tzinfo=UTC)
    clusters = defaultdict(list)
    for a in articles:
        if week <= a["published_at"] < week + timedelta(days=7):
            clusters[a["cluster_id"]].append(a)
    ranked = sorted(
        clusters.items(), key=lambda kv: (-len(kv[1]), -len({a["source_id"] for a in kv[1]}), kv[0])
    )[:5]
    got = warehouse.query(f"SELECT * FROM top_clusters(TIMESTAMPTZ '{week.isoformat()}', 5)").to_pylist()
    assert [(r["cluster_id"], r["articles"]) for r in got] == [(c, len(rows)) for c, rows in ranked]
    first = min(ranked[0][1], key=lambda a: a["published_at"])
    assert got[0]["first_title"] == first["title"] and got[0]["articles"] == 3
