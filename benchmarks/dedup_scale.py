"""Time and peak memory of DeduplicateArticles with a large history and a small run.

History: signatures files of N articles (real MinHash signatures of generated ~250-word texts, 10% of
them copies of others, in 10,000-row files, as the warehouse commits them). Run: 2,000 new articles, of
which 300 are copies of history articles (lead cut, chrome added, a sentence edited), 100 copies of
other run articles, and the rest new. Each measurement runs in a fresh process, so its peak RSS
(``ru_maxrss``) is the dedup stage's own: Beam pipeline on FnApiRunner, from reading history to the
last output.

    .venv/bin/python benchmarks/dedup_scale.py [--sizes 0,50000,100000,200000] [--run 2000]

Generated history is cached under ``$TMPDIR/dipnews-dedup-scale`` (the generation time is printed apart).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from multiprocessing import Pool
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.dedup.sketch import DedupParams, make_sketch, signature_row
from schemas import to_table
from schemas.dedup import SIGNATURES

FILE_ROWS = 10_000
T0 = datetime(2023, 1, 1, tzinfo=UTC)
CACHE = Path(tempfile.gettempdir()) / "dipnews-dedup-scale"

_VOCAB: tuple[list[str], list[float]] | None = None
_DOMAIN_WORDS = (
    ("japan", "russia", "tokyo", "moscow", "minister", "foreign", "said", "talks", "sanctions", "islands"),
    ("treaty", "peace", "kuril", "northern", "territories", "fishing", "kishida", "putin", "lavrov"),
    ("kamikawa", "hayashi", "ukraine", "war", "government", "ministry", "statement", "official", "press"),
    ("conference", "friday", "agreement", "dispute"),
)


def _vocabulary() -> tuple[list[str], list[float]]:
    """20,000 pseudo-words after a few dozen of the domain, with Zipf (1/rank) cumulative weights."""
    global _VOCAB
    if _VOCAB is None:
        rng = random.Random(1)
        real = [w for group in _DOMAIN_WORDS for w in group]
        syllables = ["ka", "to", "mi", "ra", "su", "no", "ve", "lo", "de", "an", "si", "ko", "ru", "te", "ma"]
        made = {"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(40_000)}
        words = real + sorted(made)[:20_000]
        rng.shuffle(words)  # the domain words get random ranks, not the top ones
        cumulative, total = [], 0.0
        for rank in range(1, len(words) + 1):
            total += 1.0 / rank
            cumulative.append(total)
        _VOCAB = (words, cumulative)
    return _VOCAB


def _text(rng: random.Random) -> str:
    words, cumulative = _vocabulary()
    paragraphs = [
        " ".join(rng.choices(words, cum_weights=cumulative, k=40)) + "." for _ in range(rng.randint(4, 8))
    ]
    return "\n\n".join(paragraphs)


def _copy_of(rng: random.Random, text: str) -> str:
    paragraphs = text.split("\n\n")
    kind = rng.randrange(3)
    if kind == 0:
        paragraphs = paragraphs[1:]  # lead cut
    elif kind == 1:
        paragraphs = ["Since 1975", "Short Url:", *paragraphs, "JIJI Press", "Most Popular"]
    else:
        i = rng.randrange(len(paragraphs))
        paragraphs[i] = "Officials said further details would be announced later."
    return "\n\n".join(paragraphs)


def _history_chunk(args: tuple[int, int]) -> str:
    """Write history file ``index`` (rows start..start+FILE_ROWS) and return its path."""
    index, _ = args
    path = CACHE / f"history-{index:03d}.parquet"
    if path.exists():
        return str(path)
    params = DedupParams()
    rng = random.Random(index)
    rows: list[dict[str, Any]] = []
    texts: list[str] = []
    for i in range(FILE_ROWS):
        aid = f"h{index:03d}-{i:05d}"
        published = T0 + timedelta(minutes=index * FILE_ROWS + i)
        if texts and rng.random() < 0.1:  # a copy of an earlier article of this file
            j = rng.randrange(len(texts))
            body, cluster, rep = _copy_of(rng, texts[j]), rows[j]["cluster_id"], rows[j]["cluster_id"]
        else:
            body, cluster, rep = _text(rng), aid, None
        texts.append(body)
        sketch = make_sketch(
            {"article_id": aid, "body": body, "published_at": published, "source_id": "gen"}, params
        )
        rows.append(signature_row(sketch, cluster_id=cluster, is_duplicate=rep is not None, duplicate_of=rep,
                                  agency=None, params=params, run_id=f"gen-{index}",
                                  decided_at=published + timedelta(hours=1)))  # fmt: skip
    tmp = path.with_suffix(".tmp")
    pq.write_table(to_table(rows, SIGNATURES), tmp)
    (CACHE / f"texts-{index:03d}.pkl").write_bytes(pickle.dumps(texts[:200]))
    tmp.rename(path)
    return str(path)


def ensure_history(size: int) -> list[str]:
    """Generate (or reuse) the history files for ``size`` rows; print how long generation took."""
    CACHE.mkdir(parents=True, exist_ok=True)
    files = size // FILE_ROWS
    t = time.perf_counter()
    with Pool(2) as pool:
        paths = pool.map(_history_chunk, [(i, files) for i in range(files)])
    print(f"history files for {size:,} rows ready in {time.perf_counter() - t:.1f} s (cache: {CACHE})")
    return paths


def make_run(n: int, history_files: int) -> list[dict[str, Any]]:
    """The run: copies of history, copies within the run, and new articles."""
    rng = random.Random(99)
    articles: list[dict[str, Any]] = []
    # copies are made of the texts of the first history files even when history is empty (size 0): there
    # they are new articles, which gives the cost of a run without history as the baseline
    history_texts = [
        pickle.loads((CACHE / f"texts-{i:03d}.pkl").read_bytes()) for i in range(max(1, history_files))
    ]
    published = T0 + timedelta(days=400)
    for i in range(n):
        if i < 300:
            f = rng.randrange(len(history_texts))
            body = _copy_of(rng, rng.choice(history_texts[f]))
        elif i < 400:
            body = (
                _copy_of(rng, articles[rng.randrange(300, len(articles))]["body"]) if i > 300 else _text(rng)
            )
        else:
            body = _text(rng)
        aid = f"n{i:05d}"
        url = f"https://gen.example/{aid}"
        when = published + timedelta(minutes=i)
        articles.append(
            {"article_id": aid, "source_id": "gen", "url": url, "body": body, "published_at": when}
        )
    return articles


def _tag(count: int, name: str) -> tuple[str, int]:
    return name, count


def _write_json(data: dict[str, int], path: str) -> None:
    Path(path).write_text(json.dumps(data))


def measure(size: int, run_size: int) -> dict[str, Any]:
    """(In a fresh process) run the dedup stage once; return time, peak RSS and output counts."""
    import apache_beam as beam  # imported here: the child's RSS includes them

    from pipeline.dedup.transforms import DeduplicateArticles

    files = [str(CACHE / f"history-{i:03d}.parquet") for i in range(size // FILE_ROWS)]
    articles = make_run(run_size, len(files))
    counts_path = Path(tempfile.mkdtemp()) / "counts.json"
    t = time.perf_counter()
    with beam.Pipeline(runner="FnApiRunner") as p:
        out = p | beam.Create(articles) | DeduplicateArticles(files, run_id=f"scale-{size}")
        arts = out["articles"]
        counts = [
            out[name]
            | f"Count{name}" >> beam.combiners.Count.Globally()
            | f"Key{name}" >> beam.Map(_tag, name)
            for name in ("articles", "signatures", "revisions")
        ]
        dups = (
            arts | beam.Filter(lambda a: a["is_duplicate"]) | "CountDups" >> beam.combiners.Count.Globally()
        )
        joined = (
            arts
            | beam.Filter(lambda a: a["cluster_id"][0] == "h")
            | "CountJoined" >> beam.combiners.Count.Globally()
        )
        _ = (
            (
                *counts,
                dups | "KeyDups" >> beam.Map(_tag, "duplicates"),
                joined | "KeyJoined" >> beam.Map(_tag, "joined_history"),
            )
            | beam.Flatten()
            | beam.combiners.ToDict()
            | beam.Map(_write_json, str(counts_path))
        )
    seconds = time.perf_counter() - t
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"history": size, "run": run_size, "seconds": seconds, "peak_rss_mb": peak_mb,
            **json.loads(counts_path.read_text())}  # fmt: skip


def _time_scan(size: int, run_size: int) -> None:
    """The history scan alone (numpy over Arrow batches, no Beam), to show what history itself costs."""
    from pipeline.dedup.history import RunIndex, scan_matching  # imported here: the parent stays light

    params = DedupParams()
    files = [str(CACHE / f"history-{i:03d}.parquet") for i in range(size // FILE_ROWS)]
    if not files:
        return
    index = RunIndex.build(make_sketch(a, params) for a in make_run(run_size, len(files)))
    t = time.perf_counter()
    hits = sum(1 for path in files for _ in scan_matching(path, index, params))
    print(f"history scan alone: {size:,} rows against the run's {index.bands.size:,} band keys in "
          f"{time.perf_counter() - t:.1f} s, {hits} rows matched")  # fmt: skip


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="0,50000,100000,200000")
    ap.add_argument("--run", type=int, default=2000)
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child is not None:
        print(json.dumps(measure(args.child, args.run)))
        return []
    sizes = [int(s) for s in args.sizes.split(",")]
    ensure_history(max(max(sizes), FILE_ROWS))
    results = []
    print(f"{'history':>9} {'run':>6} {'seconds':>8} {'peak RSS MB':>12}  outputs")
    for size in sizes:
        proc = subprocess.run(
            [sys.executable, __file__, "--child", str(size), "--run", str(args.run)],
            capture_output=True, text=True, check=True, env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )  # fmt: skip
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        results.append(r)
        print(f"{r['history']:>9,} {r['run']:>6,} {r['seconds']:>8.1f} {r['peak_rss_mb']:>12.0f}  "
              f"articles {r['articles']}, duplicates {r['duplicates']}, "
              f"joined history {r['joined_history']}, "
              f"signature rows {r['signatures']}, revisions {r['revisions']}")  # fmt: skip
    _time_scan(max(sizes), args.run)
    print(f"targets: <= 60 s and <= 2,048 MB at 200,000 + 2,000 on 2 cores; load average now "
          f"{os.getloadavg()[0]:.1f} (other work on the machine slows these figures)")  # fmt: skip
    return results


if __name__ == "__main__":
    main()
