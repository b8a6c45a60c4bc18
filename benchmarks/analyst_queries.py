"""Analyst queries on a synthetic warehouse of 1,000,000 articles: each should answer in under 1 s.

The warehouse is written the way runs write it: ``--runs`` commits (default 50) of articles, their
mentions and dedup ledger rows through the real writer (``warehouse.write_table``, one file per
partition and run) and ``Warehouse.commit``, then ``Warehouse.compact``. The four questions are the
table macros of ``warehouse/sql/macros/50_analyst.sql``, run through the catalog's views (``articles``
resolves versions and the dedup ledger, ``mentions`` keeps each article's current version only, both
through the small tables ``warehouse/sql/state/`` materialises when the catalog is built):

- entity timeline by month and source:  ``entity_months('person:sergey-lavrov')``
- co-mentions of two entities:          ``co_mentions('person:sergey-lavrov', 'place:kunashiri')``
- framing share per outlet:             ``framing_share(from, to)`` over the ``variant`` of mentions
- top clusters of the week:             ``top_clusters(week_start, 10)``

Each is timed before compaction (the small files of every run) and after, cold (first run on a fresh
connection) and warm (best of 3), and its first rows are printed. So is the catalog rebuild that every
commit pays (it reads the key columns of every article, ledger and mention file: it grows with the
warehouse), before and after compaction, with the part of it spent on the state tables. The machine's
load average is printed at the start and the end: the figures are wall-clock times.

Usage::

    python benchmarks/analyst_queries.py                      # 1,000,000 articles
    python benchmarks/analyst_queries.py --articles 100000 --keep /tmp/wh
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from schemas import TABLES  # noqa: E402
from warehouse import Warehouse, catalog, write_table  # noqa: E402

SOURCES = ("tass", "sputnik", "arabnews", "sankei")
START = datetime(2022, 1, 1, tzinfo=UTC)
END = datetime(2026, 11, 1, tzinfo=UTC)
#: mentions per article (mean); real sample articles carry about 23, many of them repeats
MENTIONS_PER_ARTICLE = 10
#: naming variants of the disputed islands by outlet: TASS and Sputnik lean Russian, Sankei Japanese
VARIANTS = (
    "northern_territories",
    "japanese_naming",
    "southern_kurils",
    "russian_naming",
    "kurils",
    "neutral",
)
VARIANT_WEIGHTS = {
    "tass": (0.02, 0.03, 0.35, 0.35, 0.2, 0.05),
    "sputnik": (0.02, 0.03, 0.3, 0.4, 0.2, 0.05),
    "arabnews": (0.2, 0.2, 0.15, 0.15, 0.1, 0.2),
    "sankei": (0.45, 0.35, 0.02, 0.03, 0.05, 0.1),
}
ISLANDS = (
    "place:etorofu",
    "place:kunashiri",
    "place:shikotan",
    "place:habomai",
    "place:northern-territories",
)
#: the vocabulary of the synthetic titles
_VOCABULARY = (
    "talks minister visit islands treaty sanctions fishing quota border patrol summit agreement foreign "
    "ministry statement defence exercise delegation economic cooperation energy project visa residents "
    "graves peace negotiations sovereignty claim protest ambassador"
)
WORDS = tuple(_VOCABULARY.split())


#: the most mentioned entities, most frequent first (the rest of the knowledge base follows, rarer)
FREQUENT = (
    "place:japan", "place:russia", "person:vladimir-putin", "person:sergey-lavrov", "place:moscow",
    "place:tokyo", "place:kunashiri", "place:northern-territories", "place:ukraine", "place:etorofu",
    "person:fumio-kishida", "person:shigeru-ishiba", "place:sakhalin", "place:shikotan", "org:gazprom",
    "place:habomai", "person:sanae-takaichi", "place:united-states",
)  # fmt: skip


def entity_ids() -> list[str]:
    """The knowledge base's entity ids, :data:`FREQUENT` first (the synthetic mentions name real
    entities, with Zipf-like popularity by this order)."""
    from pipeline.tagging import Tagger

    ids = [row["entity_id"] for row in Tagger.load().entity_rows()]
    return [e for e in FREQUENT if e in ids] + sorted(set(ids) - set(FREQUENT))


def _table(name: str, columns: dict[str, pa.Array | list]) -> pa.Table:
    """A table of exactly ``name``'s schema: given columns cast to their types, the rest null."""
    schema = TABLES[name]
    n = len(next(iter(columns.values())))
    arrays = [
        pa.array(columns[f.name], type=f.type) if f.name in columns else pa.nulls(n, type=f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(arrays, schema=schema)


#: when the synthetic runs fetch (a run's new versions are fetched an hour later per run)
FETCHED = datetime(2026, 11, 1, tzinfo=UTC)


def make_batch(first: int, count: int, run_id: str, entities: list[str], rng: np.random.Generator, *,
               version: int = 1, fetched: datetime = FETCHED):
    """Articles ``first .. first+count-1`` with their mentions and ledger rows, as three Arrow tables.

    Articles of one run are published over the run's slice of [START, END), as a run that polls
    hourly meets them. A third of the ids form clusters of three consecutive articles (a story and
    two copies in random outlets, 10 and 20 minutes later); the first of each is the representative.
    ``version`` > 1 makes the rows new versions of articles an earlier run wrote (new text, tagged again).
    """
    ids = np.arange(first, first + count)
    article_ids = [f"{i:016x}" for i in ids]
    span = (END - START).total_seconds()
    sources = rng.integers(0, len(SOURCES), count)
    clustered = (ids // 3) % 3 == 0
    group_of = np.where(clustered, ids - ids % 3, ids)
    offsets = (first + rng.random(count) * count) / TOTAL[0] * span
    # copies follow their representative (in the same batch: batches start at multiples of 3)
    offsets = np.where(clustered, offsets[group_of - first] + (ids - group_of) * 600, offsets)
    published = [START + timedelta(seconds=float(s)) for s in offsets]
    cluster_ids = [f"{g:016x}" for g in group_of]
    is_duplicate = group_of != ids
    word_index = rng.integers(0, len(WORDS), (count, 6))
    titles = [" ".join(WORDS[w] for w in row).capitalize() for row in word_index]
    source_names = [SOURCES[s] for s in sources]
    articles = _table(
        "articles",
        {
            "article_id": article_ids,
            "source_id": source_names,
            "url": [f"https://example.org/{s}/{a}" for s, a in zip(source_names, article_ids, strict=True)],
            "title": titles,
            "body": [t + ". " + t.lower() + "." for t in titles],
            "language": ["en"] * count,
            "published_at": published,
            "fetched_at": [fetched] * count,
            "cluster_id": cluster_ids,
            "is_duplicate": is_duplicate.tolist(),
            "duplicate_of": [c if d else None for c, d in zip(cluster_ids, is_duplicate, strict=True)],
            "relevance": rng.random(count).round(3).tolist(),
            "run_id": [run_id] * count,
            "version": [version] * count,
        },
    )
    # mentions: entity popularity is Zipf-like; island entities carry a naming variant per outlet
    per_article = rng.poisson(MENTIONS_PER_ARTICLE, count)
    owner = np.repeat(np.arange(count), per_article)
    m = len(owner)
    ranks = np.minimum(rng.zipf(1.3, m) - 1, len(entities) - 1)
    entity = [entities[r] for r in ranks]
    variant = []
    for i, e in zip(owner, entity, strict=True):
        if e in ISLANDS:
            weights = VARIANT_WEIGHTS[source_names[i]]
            variant.append(VARIANTS[int(rng.choice(len(VARIANTS), p=weights))])
        else:
            variant.append(None)
    starts = rng.integers(0, 60, m)
    mentions = _table(
        "mentions",
        {
            "article_id": [article_ids[i] for i in owner],
            "entity_id": entity,
            "surface": [e.split(":", 1)[1] for e in entity],
            "start": starts.tolist(),
            "end": (starts + 8).tolist(),
            "field": ["body"] * m,
            "source_id": [source_names[i] for i in owner],
            "run_id": [run_id] * m,
            "variant": variant,
            "confidence": [1.0] * m,
        },
    )
    signatures = _table(
        "signatures",
        {
            "article_id": article_ids,
            "cluster_id": cluster_ids,
            "is_duplicate": is_duplicate.tolist(),
            "duplicate_of": articles["duplicate_of"],
            "published_at": published,
            "num_shingles": [100] * count,
            "signature": [[] for _ in range(count)],  # the MinHash values do not matter to these queries
            "num_perm": [128] * count,
            "seed": [1] * count,
            "shingle_k": [5] * count,
            "source_id": source_names,
            "run_id": [run_id] * count,
            "decided_at": [fetched] * count,
            "reason": ["new"] * count,
        },
    )
    return articles, mentions, signatures, published, source_names, owner


def revisions(first: int, count: int, run_id: str, decided: datetime) -> pa.Table:
    """Ledger rows by which ``run_id`` revises the clusters among ids ``first .. first+count-1``: the
    second article of each becomes the representative (an earlier copy was found), as dedup does."""
    ids = np.arange(first, first + count)
    ids = ids[(ids // 3) % 3 == 0]  # the clustered ones (make_batch's rule)
    group = ids - ids % 3
    representative = group + 1
    is_duplicate = ids != representative
    n = len(ids)
    return _table(
        "signatures",
        {
            "article_id": [f"{i:016x}" for i in ids],
            "cluster_id": [f"{g:016x}" for g in group],
            "is_duplicate": is_duplicate.tolist(),
            "duplicate_of": [
                f"{r:016x}" if d else None for r, d in zip(representative, is_duplicate, strict=True)
            ],
            "num_shingles": [100] * n,
            "signature": [[] for _ in range(n)],
            "num_perm": [128] * n,
            "seed": [1] * n,
            "shingle_k": [5] * n,
            "run_id": [run_id] * n,
            "decided_at": [decided] * n,
            "reason": ["representative_changed"] * n,
        },
    )


TOTAL = [0]  # the run's article count, for spreading publication times


def _partitions(source_names: Sequence[str], published: Sequence[datetime]) -> np.ndarray:
    return np.array([f"{s}/{p.year:04d}" for s, p in zip(source_names, published, strict=True)])


QUERIES = {
    "entity timeline by month and source": "SELECT * FROM entity_months('person:sergey-lavrov')",
    "co-mentions of two entities": "SELECT * FROM co_mentions('person:sergey-lavrov', 'place:kunashiri')",
    "framing share per outlet": (
        "SELECT * FROM framing_share(TIMESTAMPTZ '2025-01-01', TIMESTAMPTZ '2026-01-01')"
    ),
    "top clusters of the week": "SELECT * FROM top_clusters(TIMESTAMPTZ '2025-11-17', 10)",
}


def time_queries(wh: Warehouse, label: str) -> dict[str, tuple[float, float, pa.Table]]:
    """``{name: (cold seconds, best warm seconds, result)}`` for every query; cold = a fresh connection."""
    out = {}
    for name, sql in QUERIES.items():
        con = wh.connect()
        try:
            t0 = time.perf_counter()
            result = con.sql(sql).to_arrow_table()
            cold = time.perf_counter() - t0
            warm = []
            for _ in range(3):
                t0 = time.perf_counter()
                con.sql(sql).to_arrow_table()
                warm.append(time.perf_counter() - t0)
        finally:
            con.close()
        out[name] = (cold, min(warm), result)
        print(f"  [{label}] {name:<38} cold {cold:6.3f} s   warm {min(warm):6.3f} s   {result.num_rows} rows")
    return out


def time_rebuild(wh: Warehouse, label: str, repeat: int = 2) -> tuple[float, float]:
    """Best of ``repeat`` full catalog rebuilds, and the seconds of it spent on the state tables."""
    manifest, sha = wh._read()
    best, derived = float("inf"), float("nan")
    for _ in range(repeat):
        t0 = time.perf_counter()
        catalog.build_catalog(wh.root, manifest, sha)
        seconds = time.perf_counter() - t0
        if seconds < best:
            meta = catalog.read_meta(wh.catalog_path) or {}
            best, derived = seconds, float(meta.get("derived_seconds", "nan"))
    print(f"  [{label}] catalog rebuild {best:6.3f} s (state tables {derived:.3f} s of it)")
    return best, derived


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _show(result: pa.Table, rows: int = 4) -> None:
    columns = [c for c in result.column_names if c not in ("url", "article_id")]
    for row in result.select(columns).slice(0, rows).to_pylist():
        cells = []
        for k, v in row.items():
            if isinstance(v, float):
                v = round(v, 3)
            elif isinstance(v, datetime):
                v = v.strftime("%Y-%m-%d %H:%M")
            cells.append(f"{k}={str(v)[:40]}")
        print("      " + ", ".join(cells))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=50, help="commits the articles are written in")
    parser.add_argument("--keep", help="build the warehouse here and keep it (default: a temporary folder)")
    parser.add_argument("--revised", type=float, default=0.02,
                        help="share of each run's articles that the next run writes a new version of, and "
                             "share whose clusters it revises in the ledger (default 0.02)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="dipnews-analyst-") as tmp:
        root = Path(args.keep) if args.keep else Path(tmp) / "warehouse"
        if root.exists() and any(root.iterdir()):
            print(f"{root} is not empty: give a new folder", file=sys.stderr)
            return 2
        wh = Warehouse(root)
        print(f"load average (1, 5, 15 min) at the start: {_load()} on {os.cpu_count()} cores")
        print(f"building {args.articles:,} articles in {args.runs} runs under {root} ...")
        before: dict = {}
        figures = build_and_time(root, args.articles, args.runs, before, args.revised)
        counts = wh.query(
            "SELECT (SELECT count(*) FROM articles) AS articles, (SELECT count(*) FROM mentions) AS mentions,"
            " (SELECT count(*) FILTER (WHERE variant IS NOT NULL) FROM mentions) AS framed,"
            " (SELECT count(*) FROM article_rows) AS article_rows, (SELECT count(*) FROM mention_rows) AS"
            " mention_rows, (SELECT count(*) FROM article_superseded) AS superseded,"
            " (SELECT count(*) FROM dedup_overrides) AS overrides, (SELECT count(*) FROM stale_mention_runs)"
            " AS stale"
        ).to_pylist()[0]
        print(
            f"written in {figures['write_s']:.1f} s ({figures['commit_s']:.1f} s of it in "
            f"{args.runs} commits): {counts['articles']:,} articles, {counts['mentions']:,} mentions "
            f"({counts['framed']:,} framed); "
            f"{figures['files_before']} files -> compacted {figures['partitions_compacted']} partitions "
            f"in {figures['compact_s']:.1f} s -> {figures['files_after']} files"
        )
        print(
            f"every version: {counts['article_rows']:,} article rows, {counts['mention_rows']:,} mention "
            f"rows;"
            f" state tables: {counts['superseded']:,} superseded rows, {counts['overrides']:,} revised flags,"
            f" {counts['stale']:,} stale (article, run) mention pairs"
        )
        after = time_queries(wh, "after compaction")
        rebuild_after = time_rebuild(wh, "after compaction")
        print()
        print(f"{'query':<38} {'before (cold)':>14} {'before (warm)':>14} {'after (cold)':>13} "
              f"{'after (warm)':>13}  warm < 1 s")
        for name, (cold, warm, _) in after.items():
            b_cold, b_warm, _ = before.get(name, (float("nan"), float("nan"), None))
            verdict = "yes" if warm < 1.0 else "NO"
            print(f"{name:<38} {b_cold:>12.3f} s {b_warm:>12.3f} s {cold:>11.3f} s {warm:>11.3f} s  "
                  f"{verdict}")
        rebuild_before = figures["rebuild_before"]
        print(f"{'catalog rebuild (per commit)':<38} {rebuild_before[0]:>12.3f} s {'':>14} "
              f"{rebuild_after[0]:>11.3f} s   (state tables {rebuild_before[1]:.3f} s before, "
              f"{rebuild_after[1]:.3f} s after)")
        print(f"mean commit (catalog rebuild included) over the {args.runs} runs: "
              f"{figures['commit_s'] / args.runs:.3f} s; the last one: {figures['last_commit_s']:.3f} s")
        for name, (_, _, rows) in after.items():
            print(f"\n  {name}: {rows.num_rows} rows")
            _show(rows)
        print(f"\nload average (1, 5, 15 min) at the end: {_load()}")
    return 0


def build_and_time(root: Path, n: int, runs: int, before: dict, revised: float = 0.0) -> dict:
    """Write and commit the runs, time the queries on the small files, then compact."""
    wh = Warehouse(root)
    figures = build_runs(root, n, runs, revised)
    print(f"before compaction: {len(wh.manifest().all_files())} files")
    before.update(time_queries(wh, "before compaction"))
    figures["rebuild_before"] = time_rebuild(wh, "before compaction")
    c0 = time.perf_counter()
    compactions = wh.compact()
    figures["compact_s"] = time.perf_counter() - c0
    figures["partitions_compacted"] = len(compactions)
    figures["files_after"] = len(wh.manifest().all_files())
    return figures


def build_runs(root: Path, n: int, runs: int, revised: float = 0.0) -> dict:
    """Write ``n`` articles with their mentions and ledger rows in ``runs`` commits.

    From the second run on, each run also writes a new version of a ``revised`` share of the previous
    run's articles (with their new mentions: the old ones become stale) and revises the dedup flags of
    the clusters among as many others (ledger rows only), so that ``articles`` and ``mentions`` have
    superseded rows, overridden flags and stale mentions to leave out, as a real warehouse has.
    """
    TOTAL[0] = n
    wh = Warehouse(root)
    entities = entity_ids()
    rng = np.random.default_rng(20261123)
    per_run = -(-n // runs // 3) * 3  # a multiple of 3: clusters do not straddle runs
    t0 = time.perf_counter()
    commit_s = 0.0
    for k in range(runs):
        first = k * per_run
        count = min(per_run, n - first)
        if count <= 0:
            break
        run_id = f"{(START + timedelta(hours=k)):%Y%m%dT%H%M%SZ}-{k:06x}"
        articles, mentions, signatures, published, source_names, owner = make_batch(
            first, count, run_id, entities, rng
        )
        article_parts = _partitions(source_names, published)
        revise = int(per_run * revised) // 3 * 3
        if k > 0 and revise:
            previous = first - per_run
            fetched = FETCHED + timedelta(hours=k)
            new = make_batch(previous, revise, run_id, entities, rng, version=2, fetched=fetched)
            owner = np.concatenate([owner, new[5] + articles.num_rows])
            articles = pa.concat_tables([articles, new[0]])
            mentions = pa.concat_tables([mentions, new[1]])
            revised_flags = revisions(previous + revise, revise, run_id, fetched)
            signatures = pa.concat_tables([signatures, new[2], revised_flags])
            article_parts = np.concatenate([article_parts, _partitions(new[4], new[3])])
        files = [write_table(root, "signatures", "all", run_id, signatures)]
        for name, table, parts in (
            ("articles", articles, article_parts),
            ("mentions", mentions, article_parts[owner]),
        ):
            for part in np.unique(parts):
                files.append(
                    write_table(root, name, str(part), run_id, table.filter(pa.array(parts == part)))
                )
        c0 = time.perf_counter()
        wh.commit(run_id, files)
        last_commit_s = time.perf_counter() - c0
        commit_s += last_commit_s
    return {
        "write_s": time.perf_counter() - t0,
        "commit_s": commit_s,
        "last_commit_s": last_commit_s,
        "files_before": len(wh.manifest().all_files()),
    }


if __name__ == "__main__":
    sys.exit(main())
