"""AssignVersions + DeduplicateArticles on FnApiRunner: the current code against an earlier revision.

Issue 7 measures the whole run against a bare extraction loop; this isolates what the dedup stage costs
per article on Beam. The run: N generated articles with 3-6 KB bodies (Zipf pseudo-words, as in
benchmarks/dedup_scale.py), of which 10% are near-copies of an earlier article (lead cut, chrome added,
a paragraph replaced) and 4% exact copies under another title; no history (a fresh warehouse). The
articles are read from a pickle by an Impulse + FlatMap, so no ``beam.Create`` reshuffle is measured.
Both implementations must reach the same decisions and signature rows (compared by digest).

Each measurement runs in a fresh process: seconds, articles per second, peak RSS, and the elements and
bytes the runner encoded at stage boundaries (every GroupByKey, side input and materialised
PCollection; counted by wrapping the SDK's DataOutputOperation), per article. The baseline is the
dedup code of git revision ``--baseline`` (default: the commit before the rework): the whole
``pipeline/dedup`` package of that revision shown into a temporary directory as ``baseline_dedup``
(its sketching, Beam structure and AssignVersions); the current code is ``pipeline.dedup``.

    .venv/bin/python benchmarks/dedup_beam.py [--sizes 2000,20000] [--baseline REV] [--workers 2]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import os
import pickle
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from dedup_scale import _copy_of, _vocabulary  # noqa: E402  (the generator of the scale benchmark)

#: the last revision with the band-row / GroupByNode implementation (issue 7's 0.33x profile)
BASELINE = "051cd77"
T0 = datetime(2026, 1, 5, tzinfo=UTC)


def _body(rng: random.Random) -> str:
    """A 3-6 KB body of 40-word paragraphs."""
    words, cumulative = _vocabulary()
    target = rng.randint(3000, 6000)
    paragraphs: list[str] = []
    size = 0
    while size < target:
        para = " ".join(rng.choices(words, cum_weights=cumulative, k=40)) + "."
        paragraphs.append(para)
        size += len(para) + 2
    return "\n\n".join(paragraphs)


def make_articles(n: int, seed: int = 5) -> list[dict[str, Any]]:
    """``n`` articles as NormalizeArticles hands them on; 10% near-copies, 4% exact copies."""
    rng = random.Random(seed)
    articles: list[dict[str, Any]] = []
    for i in range(n):
        roll = rng.random()
        if articles and roll < 0.10:
            body = _copy_of(rng, rng.choice(articles)["body"])
        elif articles and roll < 0.14:
            body = rng.choice(articles)["body"]
        else:
            body = _body(rng)
        aid = f"b{i:06d}"
        source = ("arabnews", "tass", "sputnik", "japanforward")[i % 4]
        when = T0 + timedelta(minutes=i)
        articles.append({
            "article_id": aid, "source_id": source, "url": f"https://{source}.example/{aid}",
            "title": f"Story {i}", "body": body, "published_at": when,
            "fetched_at": when + timedelta(hours=1), "language": "en", "identity": f"{source}:{aid}",
        })  # fmt: skip
    return articles


#: the modules compared: (DeduplicateArticles module, AssignVersions module)
CURRENT = ("pipeline.dedup.transforms", "pipeline.dedup.assign_versions")
BASELINE_MODULES = ("baseline_dedup.transforms", "baseline_dedup.assign_versions")


def _write_baseline(rev: str, workdir: Path) -> None:
    """Write the ``rev`` version of the whole pipeline/dedup package as ``baseline_dedup`` in ``workdir``."""
    listing = subprocess.run(
        ["git", "-C", str(ROOT), "ls-tree", "--name-only", f"{rev}:pipeline/dedup"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    package = workdir / "baseline_dedup"
    package.mkdir()
    for name in (n for n in listing if n.endswith(".py")):
        text = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{rev}:pipeline/dedup/{name}"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        (package / name).write_text(text.replace("pipeline.dedup.", "baseline_dedup."))


class _Encoded:
    """Counts what the SDK harness encodes for the runner (in-process FnApiRunner: same process)."""

    elements = 0
    bytes = 0

    @classmethod
    def install(cls) -> None:
        from apache_beam.runners.worker import bundle_processor

        original = bundle_processor.DataOutputOperation.process

        def process(self: Any, windowed_value: Any) -> None:
            before = self.output_stream.size()
            self.windowed_coder_impl.encode_to_stream(windowed_value, self.output_stream, True)
            cls.elements += 1
            cls.bytes += self.output_stream.size() - before
            self.output_stream.maybe_flush()

        process.__wrapped__ = original  # type: ignore[attr-defined]
        bundle_processor.DataOutputOperation.process = process


def _load(_: bytes, path: str) -> Iterator[dict[str, Any]]:
    yield from pickle.loads(Path(path).read_bytes())


def _decision(row: dict[str, Any], table: str) -> tuple[Any, ...]:
    """What dedup decided about one row (small: the sink does not carry bodies)."""
    decided = (row["article_id"], row["cluster_id"], row["is_duplicate"], row["duplicate_of"], row["agency"])
    if table == "articles":
        return (*decided, row["content_hash"])
    return (*decided, row["num_shingles"], tuple(row["signature"]))


def _digest(rows: list[tuple[Any, ...]]) -> str:
    return hashlib.sha256(repr(sorted(rows)).encode()).hexdigest()[:16]


def _write_json(counts: dict[str, int], path: str) -> None:
    Path(path).write_text(json.dumps(counts))


def measure(modules: tuple[str, str], articles_path: str, n: int, workers: int = 1) -> dict[str, Any]:
    """(In a fresh process) run AssignVersions + DeduplicateArticles once over the pickled articles.

    With ``workers`` > 1 the runner starts that many SDK worker processes: what they encode is not
    counted (and their memory is not in the peak RSS).
    """
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions

    _Encoded.install()
    options = PipelineOptions(
        ["--direct_running_mode=multi_processing", f"--direct_num_workers={workers}"] if workers > 1 else []
    )
    dedup_cls = importlib.import_module(modules[0]).DeduplicateArticles
    versions_cls = importlib.import_module(modules[1]).AssignVersions
    counts_path = Path(tempfile.mkdtemp()) / "counts.json"
    t = time.perf_counter()
    with beam.Pipeline(runner="FnApiRunner", options=options) as p:
        articles = p | beam.Impulse() | "Load" >> beam.FlatMap(_load, articles_path)
        out = articles | versions_cls(()) | dedup_cls((), run_id="bench")
        counted = [
            out[name]
            | f"Count{name}" >> beam.combiners.Count.Globally()
            | f"Key{name}" >> beam.Map(lambda c, name=name: (name, c))
            for name in ("articles", "signatures")
        ]
        digests = [
            out[name]
            | f"Decision{name}" >> beam.Map(_decision, name)
            | f"List{name}" >> beam.combiners.ToList()
            | f"Digest{name}" >> beam.Map(lambda rows, name=name: (f"{name}_digest", _digest(rows)))
            for name in ("articles", "signatures")
        ]
        dups = (
            out["articles"]
            | beam.Filter(lambda a: a["is_duplicate"])
            | "CountDups" >> beam.combiners.Count.Globally()
            | "KeyDups" >> beam.Map(lambda c: ("duplicates", c))
        )
        _ = (
            (*counted, *digests, dups)
            | beam.Flatten()
            | beam.combiners.ToDict()
            | beam.Map(_write_json, str(counts_path))
        )
    seconds = time.perf_counter() - t
    return {
        "n": n,
        "seconds": seconds,
        "per_second": n / seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "elements_per_article": _Encoded.elements / n if workers == 1 else float("nan"),
        "kb_per_article": _Encoded.bytes / n / 1024 if workers == 1 else float("nan"),
        **json.loads(counts_path.read_text()),
    }


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="2000,20000")
    ap.add_argument("--baseline", default=BASELINE, help="git revision of the implementation to compare")
    ap.add_argument("--workers", type=int, default=1, help="SDK worker processes (multi_processing mode)")
    ap.add_argument("--child", nargs=3, metavar=("WHICH", "ARTICLES", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        which, path, n = args.child
        modules = BASELINE_MODULES if which == "baseline" else CURRENT
        print(json.dumps(measure(modules, path, int(n), args.workers)))
        return []
    workdir = Path(tempfile.mkdtemp(prefix="dipnews-dedup-beam-"))
    _write_baseline(args.baseline, workdir)
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "PYTHONPATH": str(workdir)}
    results = []
    print(f"{'N':>7} {'implementation':<22} {'seconds':>8} {'articles/s':>10} {'peak RSS MB':>12} "
          f"{'encoded/article':>16} {'KB/article':>10}  outputs")  # fmt: skip
    for n in (int(s) for s in args.sizes.split(",")):
        path = workdir / f"articles-{n}.pkl"
        path.write_bytes(pickle.dumps(make_articles(n)))
        row = {}
        for label, which in ((f"baseline {args.baseline}", "baseline"), ("current", "current")):
            proc = subprocess.run(
                [sys.executable, __file__, "--child", which, str(path), str(n),
                 "--workers", str(args.workers)],
                capture_output=True, text=True, env=env,
            )  # fmt: skip
            if proc.returncode != 0:
                raise SystemExit(f"{label} at N={n} failed:\n{proc.stderr[-3000:]}")
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            row[label] = r
            results.append({"implementation": label, **r})
            print(f"{n:>7,} {label:<22} {r['seconds']:>8.1f} {r['per_second']:>10.0f} "
                  f"{r['peak_rss_mb']:>12.0f} {r['elements_per_article']:>16.1f} "
                  f"{r['kb_per_article']:>10.1f}  "
                  f"articles {r['articles']}, signatures {r['signatures']}, "
                  f"duplicates {r['duplicates']}")  # fmt: skip
        old, new = row.values()
        same = all(old[f"{t}_digest"] == new[f"{t}_digest"] for t in ("articles", "signatures"))
        encoded = (
            f"{new['elements_per_article'] / old['elements_per_article']:.2f}x the elements, "
            f"{new['kb_per_article'] / old['kb_per_article']:.2f}x the bytes encoded; "
            if args.workers == 1
            else "(encoding in the worker processes is not counted); "
        )
        print(f"{n:>7,} {'current / baseline':<22} {old['seconds'] / new['seconds']:>7.2f}x speed-up, "
              f"{encoded}same decisions and signature rows: {'yes' if same else 'NO'}")  # fmt: skip
    print(f"load average now {os.getloadavg()[0]:.1f} (other work on the machine slows these figures)")
    return results


if __name__ == "__main__":
    main()
