"""Body extraction quality and speed: ``extract_generic`` beside bare ``trafilatura.extract``.

The metric is the one of scrapinghub/article-extraction-benchmark (``evaluate.py``): per document, the
\\w+ tokens of expected and extracted text are cut into 4-gram shingles; true positives, false
positives and false negatives are counted over the shingle multisets and normalised by their sum;
precision and recall are computed per document and averaged over the documents where they are
defined; F1 is computed from the two averages.

Datasets are read in place from ``../shared/benchmarks`` (never copied into the project):

* ``scrapinghub``: ``html/<id>.html.gz`` and ``ground-truth.json`` (``articleBody``);
* ``fundus``: ``html/<name>.html.gz`` and ``ground_truth.json`` (``body``: a list of paragraphs).

Run: ``.venv/bin/python benchmarks/extraction.py [--dataset scrapinghub|fundus|all] [--limit N]``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import trafilatura

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(REPO))

from connectors.base import ExtractionError, Page  # noqa: E402
from connectors.generic import extract_generic  # noqa: E402

SHARED = REPO / ".." / "shared" / "benchmarks"
_TOKEN_RE = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Document:
    """One benchmark page and the body a human marked as the article."""

    key: str
    url: str
    html: bytes
    expected: str


@dataclass(frozen=True)
class Scores:
    """Averaged precision and recall, F1 from them, and throughput."""

    precision: float
    recall: float
    f1: float
    pages_per_second: float
    documents: int


def shingle_counts(true: str, pred: str, n: int = 4) -> tuple[float, float, float]:
    """Normalised (tp, fp, fn) over 4-gram shingles of \\w+ tokens, as in the scrapinghub benchmark."""

    def shingles(text: str) -> Counter[tuple[str, ...]]:
        tokens = _TOKEN_RE.findall(text or "")
        return Counter(
            shingle for i in range(max(1, len(tokens) - n + 1)) if (shingle := tuple(tokens[i : i + n]))
        )

    expected, predicted = shingles(true), shingles(pred)
    tp = fp = fn = 0.0
    for key in expected.keys() | predicted.keys():
        t, p = expected.get(key, 0), predicted.get(key, 0)
        tp += min(t, p)
        fp += max(0, p - t)
        fn += max(0, t - p)
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def aggregate(counts: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """(precision, recall, f1): per-document scores averaged where defined, F1 of the averages."""
    precisions = [_precision(*c) for c in counts if c[0] + c[1] > 0]
    recalls = [_recall(*c) for c in counts if c[0] + c[2] > 0]
    precision = statistics.mean(precisions) if precisions else 0.0
    recall = statistics.mean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def load_scrapinghub(root: Path) -> Iterator[Document]:
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    for key, item in sorted(truth.items()):
        html = gzip.decompress((root / "html" / f"{key}.html.gz").read_bytes())
        yield Document(key, item.get("url", ""), html, item.get("articleBody", ""))


def load_fundus(root: Path) -> Iterator[Document]:
    truth = json.loads((root / "ground_truth.json").read_text(encoding="utf-8"))
    for key, item in sorted(truth.items()):
        body = item.get("body", [])
        expected = "\n".join(body) if isinstance(body, list) else str(body)
        html = gzip.decompress((root / "html" / key).read_bytes())
        yield Document(key, item.get("url", ""), html, expected)


DATASETS: dict[str, tuple[str, Callable[[Path], Iterator[Document]]]] = {
    "scrapinghub": ("scrapinghub", load_scrapinghub),
    "fundus": ("fundus", load_fundus),
}


def _decode(html: bytes) -> str:
    return html.decode("utf-8", errors="replace")


def ours(doc: Document) -> str:
    """Body by ``extract_generic``; an ExtractionError counts as an empty body."""
    page = Page(doc.url or "https://example.invalid/", doc.html, _decode(doc.html), datetime.now(UTC))
    try:
        return extract_generic(page).get("body") or ""
    except ExtractionError:
        return ""


def bare_trafilatura(doc: Document) -> str:
    """Body by ``trafilatura.extract`` with its defaults."""
    return trafilatura.extract(_decode(doc.html)) or ""


def trafilatura_precision(doc: Document) -> str:
    """``trafilatura.extract(favor_precision=True)``: the mode extract_generic builds on."""
    return trafilatura.extract(_decode(doc.html), favor_precision=True) or ""


def trafilatura_recall(doc: Document) -> str:
    """``trafilatura.extract(favor_recall=True)``, for comparison."""
    return trafilatura.extract(_decode(doc.html), favor_recall=True) or ""


#: the extra modes ``--variants`` measures, to show why extract_generic builds on precision mode
VARIANTS: dict[str, Callable[[Document], str]] = {
    "traf. precision": trafilatura_precision,
    "traf. recall": trafilatura_recall,
}


def _scores(docs: list[Document], outputs: list[str], seconds: float) -> Scores:
    precision, recall, f1 = aggregate(
        [shingle_counts(d.expected, o) for d, o in zip(docs, outputs, strict=True)]
    )
    return Scores(precision, recall, f1, len(docs) / seconds if seconds else 0.0, len(docs))


def run(
    dataset: str,
    limit: int | None = None,
    root: Path = SHARED,
    *,
    variants: bool = False,
    repeat: int = 1,
) -> dict[str, Scores]:
    """Scores of ``extract_generic`` and bare trafilatura (plus its precision and recall modes when
    ``variants``) on ``dataset``; raises FileNotFoundError when the data is absent.

    The extractors run document by document, alternating their order, so that load from other
    processes on the machine and cache warmth weigh on all alike. With ``repeat`` > 1 each document
    is extracted that many times and its fastest time counts, which filters out stalls caused by
    other processes on a shared machine.
    """
    folder, loader = DATASETS[dataset]
    path = root / folder
    if not path.is_dir():
        raise FileNotFoundError(path)
    docs = list(loader(path))[:limit]
    extractors: dict[str, Callable[[Document], str]] = {
        "extract_generic": ours,
        "trafilatura": bare_trafilatura,
        **(VARIANTS if variants else {}),
    }
    outputs: dict[str, list[str]] = {name: [] for name in extractors}
    seconds = dict.fromkeys(extractors, 0.0)
    for index, doc in enumerate(docs):
        order = list(extractors) if index % 2 == 0 else list(reversed(extractors))
        fastest = dict.fromkeys(extractors, float("inf"))
        last: dict[str, str] = {}
        for _ in range(max(1, repeat)):
            for name in order:
                start = time.perf_counter()
                last[name] = extractors[name](doc)
                fastest[name] = min(fastest[name], time.perf_counter() - start)
        for name in extractors:
            outputs[name].append(last[name])
            seconds[name] += fastest[name]
    return {name: _scores(docs, outputs[name], seconds[name]) for name in extractors}


def report(dataset: str, results: dict[str, Scores]) -> str:
    ours_, bare = results["extract_generic"], results["trafilatura"]
    lines = [f"{dataset} ({ours_.documents} documents)"]
    lines.append(f"  {'extractor':<16} {'precision':>9} {'recall':>7} {'F1':>7} {'pages/s':>8}")
    for name, s in results.items():
        lines.append(
            f"  {name:<16} {s.precision:>9.4f} {s.recall:>7.4f} {s.f1:>7.4f} {s.pages_per_second:>8.1f}"
        )
    ratio = ours_.pages_per_second / bare.pages_per_second if bare.pages_per_second else float("nan")
    lines.append(f"  F1 ours - bare = {ours_.f1 - bare.f1:+.4f}; throughput ours / bare = {ratio:.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=[*DATASETS, "all"], default="all")
    parser.add_argument("--limit", type=int, default=None, help="first N documents only")
    parser.add_argument("--variants", action="store_true", help="also trafilatura's precision/recall modes")
    parser.add_argument("--repeat", type=int, default=1, help="extract each page N times, keep the fastest")
    args = parser.parse_args(argv)
    names = list(DATASETS) if args.dataset == "all" else [args.dataset]
    for name in names:
        try:
            results = run(name, args.limit, variants=args.variants, repeat=args.repeat)
        except FileNotFoundError as exc:
            print(f"{name}: data not found at {exc}", file=sys.stderr)
            return 2
        print(report(name, results), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
