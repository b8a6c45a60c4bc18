"""Pair-level precision and recall of DeduplicateArticles on the generated evaluation set.

Runs the real composite on FnApiRunner: (1) every article in one run; (2) across two runs, where two
copies of each story are committed as history (a signatures Parquet file) and the original (published
first) and the other copies arrive in a second run, so that the history path (signature-based
verification, representative revisions) is measured too. Also prints how the verification score
separates true copies from hard negatives (different stories on the same event).

    .venv/bin/python benchmarks/dedup_eval.py [--events 60] [--seed 7]
"""

from __future__ import annotations

import argparse
import itertools
import pickle
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import apache_beam as beam
import numpy as np
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.dedup.evalset import build_evalset, clustered_pairs, true_pairs
from pipeline.dedup.minhash import VERIFY_THRESHOLD, verify
from pipeline.dedup.transforms import DeduplicateArticles
from schemas import to_table
from schemas.dedup import SIGNATURES


def _dump(rows: list[Any], path: str) -> None:
    Path(path).write_bytes(pickle.dumps(rows))


def run_once(
    articles: list[dict[str, Any]], history: list[str], run_id: str, out: Path
) -> dict[str, list[Any]]:
    """Run the composite and return its outputs as lists."""
    out.mkdir(parents=True, exist_ok=True)
    with beam.Pipeline(runner="FnApiRunner") as p:
        outputs = p | beam.Create(articles) | DeduplicateArticles(history, run_id=run_id)
        for name, pc in outputs.items():
            _ = (
                pc
                | f"List{name}" >> beam.combiners.ToList()
                | f"Dump{name}" >> beam.Map(_dump, str(out / name))
            )
    return {name: pickle.loads((out / name).read_bytes()) for name in ("articles", "signatures", "revisions")}


def score(name: str, truth: set[tuple[str, str]], predicted: set[tuple[str, str]]) -> tuple[float, float]:
    """Print and return pair-level precision and recall."""
    tp = len(truth & predicted)
    fp = len(predicted - truth)
    fn = len(truth - predicted)
    precision = tp / (tp + fp) if predicted else 1.0
    recall = tp / (tp + fn) if truth else 1.0
    print(
        f"{name:<28} precision {precision:.4f} ({tp}/{tp + fp})  recall {recall:.4f} ({tp}/{tp + fn})  "
        f"false links {fp}  missed {fn}"
    )
    return precision, recall


def check_representatives(
    articles: list[dict[str, Any]], clusters: dict[str, str], flags: dict[str, Any]
) -> int:
    """How many clusters break the rule: exactly one non-duplicate, the earliest published."""
    by_cluster: dict[str, list[dict[str, Any]]] = {}
    for a in articles:
        by_cluster.setdefault(clusters[a["article_id"]], []).append(a)
    bad = 0
    for members in by_cluster.values():
        rep = min(members, key=lambda a: (a["published_at"], a["article_id"]))["article_id"]
        ok = all(
            flags[a["article_id"]] == ((a["article_id"] != rep), rep if a["article_id"] != rep else None)
            for a in members
        )
        bad += not ok
    return bad


def _recall_by_change(articles: list[dict[str, Any]], clusters: dict[str, str]) -> None:
    """Print, per kind of change, the share of copies placed in their original's cluster."""
    original = {a["story"]: a["article_id"] for a in articles if a["changes"] == ["original"]}
    found: dict[str, list[bool]] = {}
    for a in articles:
        for change in a["changes"]:
            if change != "original":
                found.setdefault(change, []).append(
                    clusters[a["article_id"]] == clusters[original[a["story"]]]
                )
    print("  copies with their original, by change: " + ", ".join(
        f"{k} {sum(v)}/{len(v)}" for k, v in sorted(found.items())))  # fmt: skip


def main(argv: list[str] | None = None) -> dict[str, float]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=60)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    articles = build_evalset(events=args.events, seed=args.seed)
    truth = true_pairs(articles)
    stories = len({a["story"] for a in articles})
    print(
        f"evaluation set: {len(articles)} articles, {stories} stories in {args.events} events, "
        f"{len(truth)} true pairs, threshold {VERIFY_THRESHOLD}"
    )

    pos, neg = [], []
    for a, b in itertools.combinations(articles, 2):
        if a["story"][:4] == b["story"][:4]:  # same event: copies and hard negatives
            (pos if a["story"] == b["story"] else neg).append(verify(a["body"], b["body"]))
    print(
        f"verify() on same-event pairs: copies n={len(pos)} min {min(pos):.3f} "
        f"p1 {np.percentile(pos, 1):.3f} "
        f"median {np.median(pos):.3f} | hard negatives n={len(neg)} median {np.median(neg):.3f} "
        f"p99 {np.percentile(neg, 99):.3f} max {max(neg):.3f}"
    )

    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        t = time.perf_counter()
        one = run_once(articles, [], "eval-one", work / "one")
        took = time.perf_counter() - t
        clusters = {a["article_id"]: a["cluster_id"] for a in one["articles"]}
        flags = {a["article_id"]: (a["is_duplicate"], a["duplicate_of"]) for a in one["articles"]}
        p, r = score(f"one run ({took:.1f} s)", truth, clustered_pairs(clusters))
        figures |= {"one_run_precision": p, "one_run_recall": r}
        _recall_by_change(articles, clusters)
        broken = check_representatives(articles, clusters, flags)
        print(
            f"  clusters breaking the representative rule: {broken}; "
            f"articles out {len(one['articles'])} of {len(articles)} in"
        )

        # history holds two copies of each story; the original (published first) and the other copies
        # arrive in run two, so the original takes over as representative and history is revised
        first = [a for a in articles if a["article_id"].endswith(("c1", "c2"))]
        second = [a for a in articles if not a["article_id"].endswith(("c1", "c2"))]
        r1 = run_once(first, [], "eval-r1", work / "r1")
        hist = work / "signatures-r1.parquet"
        pq.write_table(to_table(r1["signatures"], SIGNATURES), hist)
        t = time.perf_counter()
        r2 = run_once(second, [str(hist)], "eval-r2", work / "r2")
        took = time.perf_counter() - t
        clusters = {a["article_id"]: a["cluster_id"] for a in r1["articles"]}
        for rev in r1["revisions"] + r2["revisions"]:
            clusters[rev["article_id"]] = rev["cluster_id"]
        clusters |= {a["article_id"]: a["cluster_id"] for a in r2["articles"]}
        p, r = score(f"two runs ({len(first)}+{len(second)})", truth, clustered_pairs(clusters))
        second_ids = {a["article_id"] for a in second}
        crosses = {
            pair
            for pair in clustered_pairs(clusters) | truth
            if (pair[0] in second_ids) != (pair[1] in second_ids)
        }
        score("  of which run 2 x history", crosses & truth, crosses & clustered_pairs(clusters))
        print(f"  run 2 took {took:.1f} s; history rows revised: {len(r2['revisions'])}")
        final = {
            a["article_id"]: (a["is_duplicate"], a["duplicate_of"]) for a in r1["articles"] + r2["articles"]
        }
        final |= {r["article_id"]: (r["is_duplicate"], r["duplicate_of"]) for r in r2["revisions"]}
        broken = check_representatives(articles, clusters, final)
        print(f"  clusters breaking the representative rule after the revisions: {broken}")
        figures |= {"two_run_precision": p, "two_run_recall": r}
    return figures


if __name__ == "__main__":
    main()
