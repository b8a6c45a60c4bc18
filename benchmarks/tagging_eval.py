"""Measure the tagger: mention precision/recall/F1, relevance ROC AUC, and throughput.

    .venv/bin/python benchmarks/tagging_eval.py            # all three, figures side by side
    .venv/bin/python benchmarks/tagging_eval.py --errors   # also list every false positive/negative

Targets (issue 5): F1 >= 0.95 in English and >= 0.90 in Russian and Japanese; relevance ROC AUC >= 0.95
with no Japan–Russia story below 0.5; >= 5 MB of text per second per core.

The evaluation passages are in tests/tagging/eval/ (written for the project, with inline gold markup);
those in tests/tagging/eval/heldout/ were written after the knowledge base froze and are reported apart,
and those in tests/tagging/eval/traps/ are regressions for the gaps the sample corpus showed (the KB and
rules were fixed for them, so they are a regression check, not a held-out measure).
Throughput tags real news bodies (the ground truth of the extraction benchmarks in ../shared, read in
place) repeated to about 6 MB on one core, reports the denser evaluation passages too, and compares
with trafilatura's extraction time on real HTML pages of the same benchmark.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.tagging import Tagger  # noqa: E402
from pipeline.tagging.evaluation import (  # noqa: E402
    Passage,
    load_passages,
    load_sample_articles,
    roc_auc,
    score_mentions,
    score_sample,
)

EVAL_DIR = REPO / "tests" / "tagging" / "eval"
SAMPLE_CONTENT = REPO / "pipeline" / "sample" / "content"
SHARED = REPO / ".." / "shared"


def predict(tagger: Tagger, passage: Passage) -> list[tuple[str, int, int, str]]:
    """The tagger's mentions of a passage as ``(field, start, end, entity_id)``."""
    mentions = tagger.tag(
        passage.text, title=passage.title, published_at=passage.date, language=passage.language
    )
    return [(m.field, m.start, m.end, m.entity_id) for m in mentions]


def evaluate(tagger: Tagger, passages: list[Passage], show_errors: bool = False) -> dict[str, float]:
    """Print mention scores and relevance figures; return the headline numbers."""
    pairs = [(p, predict(tagger, p)) for p in passages]
    by_lang, by_type, errors = score_mentions(pairs)
    print(f"Mentions: {len(passages)} passages, {sum(len(p.gold) for p in passages)} gold mentions")
    print(f"{'language':10} {'type':8} {'P':>6} {'R':>6} {'F1':>6} {'tp':>5} {'fp':>4} {'fn':>4}")
    for lang in [*sorted(k for k in by_lang if k != "all"), "all"]:
        s = by_lang[lang]
        print(f"{lang:10} {'*':8} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.tp:5} {s.fp:4} {s.fn:4}")
        for (tl, etype), t in sorted(by_type.items()):
            if tl == lang:
                row = f"{t.precision:6.3f} {t.recall:6.3f} {t.f1:6.3f} {t.tp:5} {t.fp:4} {t.fn:4}"
                print(f"{'':10} {etype:8} {row}")
    if show_errors:
        texts = {p.id: p for p in passages}
        for kind, pid, (fld, start, end, eid) in sorted(errors, key=lambda e: (e[1], e[2][1])):
            p = texts[pid]
            source = p.title if fld == "title" else p.text
            print(f"  {kind} {pid:28} {source[start:end]!r:32} {eid}")
    labels = [p.relevant for p in passages]
    scores = [
        tagger.relevance(
            tagger.tag(p.text, title=p.title, published_at=p.date, language=p.language),
            body=p.text,
            title=p.title,
        )
        for p in passages
    ]
    auc = roc_auc(labels, scores)
    positives = [(s, p.id) for s, p in zip(scores, passages, strict=True) if p.relevant]
    lowest = min(positives)
    print(
        f"\nRelevance: {sum(labels)} Japan–Russia passages vs {len(labels) - sum(labels)} others; "
        f"ROC AUC {auc:.3f}; lowest Japan–Russia score {lowest[0]:.3f} ({lowest[1]})"
    )
    below = [pid for s, pid in positives if s < 0.5]
    print(f"Japan–Russia passages below 0.5: {len(below)} {below}")
    if show_errors:
        for s, p in sorted(zip(scores, passages, strict=True), key=lambda t: t[0]):
            print(f"  {s:.3f} {'JR ' if p.relevant else '-- '} {p.id}")
    result = {f"f1_{k}": v.f1 for k, v in by_lang.items()}
    result.update(auc=auc, min_relevant=lowest[0])
    return result


def _real_texts() -> list[tuple[str, str]]:
    """Bodies of real news articles kept as benchmark ground truth in ../shared (read in place)."""
    texts: list[tuple[str, str]] = []
    sh = SHARED / "benchmarks" / "scrapinghub" / "ground-truth.json"
    if sh.exists():
        for item in json.loads(sh.read_text(encoding="utf-8")).values():
            if item.get("articleBody"):
                texts.append((item["articleBody"], "en"))
    fundus = SHARED / "benchmarks" / "fundus" / "ground_truth.json"
    if fundus.exists():
        for item in json.loads(fundus.read_text(encoding="utf-8")).values():
            body = item.get("body")
            if isinstance(body, list):
                texts.append(("\n".join(str(p) for p in body), ""))
    tass = SHARED / "reference" / "real-pages" / "tass" / "opnweb_tass_scraper_politics_20_2024-12.json"
    if tass.exists():
        for item in json.loads(tass.read_text(encoding="utf-8")):
            texts.append(("\n".join(item.get("content") or []), "en"))
    return texts


def _html_pages(limit: int) -> list[str]:
    pages: list[str] = []
    total = 0
    for path in sorted((SHARED / "benchmarks" / "scrapinghub" / "html").glob("*.html.gz")):
        html = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
        pages.append(html)
        total += len(html.encode())
        if total >= limit:
            break
    return pages


def throughput(tagger: Tagger, passages: list[Passage], target_bytes: int = 6_000_000) -> dict[str, float]:
    """Tag ~``target_bytes`` of UTF-8 text on one core and print MB/s, side by side with trafilatura.

    The text is real news bodies from ../shared/benchmarks when present (the evaluation passages
    otherwise, which are far denser in mentions than news and so a pessimistic load).
    """
    docs = _real_texts()
    source = "real news bodies from ../shared/benchmarks"
    if not docs:
        docs = [(p.text, p.language) for p in passages]
        source = "evaluation passages"
    size = sum(len(t.encode()) for t, _ in docs)
    reps = max(1, target_bytes // size)
    total = 0
    count = 0
    start = time.perf_counter()
    cpu_start = time.process_time()
    for _ in range(reps):
        for body, lang in docs:
            tagger.relevance(tagger.tag(body, language=lang or None), body=body)
            total += len(body.encode())
            count += len(body)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    mbps = total / elapsed / 1e6
    cpu_mbps = total / cpu / 1e6
    # Wall time understates the speed when other processes share the cores; the CPU time this process
    # used is the "per core" cost. Both are printed, with the load average, so a reader can judge.
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"\nThroughput ({source}, {len(docs)} texts x {reps}): tagged {total / 1e6:.1f} MB in {elapsed:.2f} s"
        f" = {mbps:.1f} MB/s wall, {cpu_mbps:.1f} MB/s of CPU time on one core"
        f" (load average {load:.1f} on {os.cpu_count()} cores)"
    )
    dense = [(p.text, p.language) for p in passages]
    dense_bytes = sum(len(t.encode()) for t, _ in dense)
    start = time.perf_counter()
    for _ in range(20):
        for body, lang in dense:
            tagger.relevance(tagger.tag(body, language=lang), body=body)
    d_mbps = 20 * dense_bytes / (time.perf_counter() - start) / 1e6
    print(f"Evaluation passages (about one mention every 20 characters): {d_mbps:.1f} MB/s")
    result = {"tagger_mb_s": mbps, "tagger_cpu_mb_s": cpu_mbps, "dense_mb_s": d_mbps}
    pages = _html_pages(3_000_000)
    if pages:
        import trafilatura

        html_bytes = sum(len(p.encode()) for p in pages)
        start = time.perf_counter()
        extracted = 0
        for page in pages:
            extracted += len((trafilatura.extract(page) or "").encode())
        t_elapsed = time.perf_counter() - start
        tag_seconds = extracted / (mbps * 1e6)
        print(
            f"trafilatura: {len(pages)} pages, {html_bytes / 1e6:.1f} MB of HTML in {t_elapsed:.2f} s "
            f"({html_bytes / t_elapsed / 1e6:.2f} MB/s of HTML) -> {extracted / 1e6:.2f} MB of text; "
            f"tagging that text takes ~{tag_seconds:.3f} s = {tag_seconds / t_elapsed:.3f} of extraction time"
        )
        result["trafilatura_html_mb_s"] = html_bytes / t_elapsed / 1e6
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--errors", action="store_true", help="list false positives and negatives")
    parser.add_argument("--no-throughput", action="store_true")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    tagger = Tagger.load()
    print(
        f"KB {tagger.kb_version}: {len(tagger.kb.entities)} entities, loaded in "
        f"{time.perf_counter() - start:.2f} s"
    )
    passages = load_passages(EVAL_DIR)
    print("== Development set (tests/tagging/eval; the KB and rules were adjusted while writing it) ==")
    evaluate(tagger, passages, show_errors=args.errors)
    heldout = load_passages(EVAL_DIR / "heldout")
    if heldout:
        print("\n== Held-out set (tests/tagging/eval/heldout; written after the KB froze, never tuned on) ==")
        evaluate(tagger, heldout, show_errors=args.errors)
    traps = load_passages(EVAL_DIR / "traps")
    if traps:
        print("\n== Sample-traps set (tests/tagging/eval/traps; regressions for the sample's gaps) ==")
        evaluate(tagger, traps, show_errors=args.errors)
    articles = load_sample_articles(SAMPLE_CONTENT)
    if articles:
        s = score_sample(tagger, articles)
        print(
            "\n== Sample corpus (pipeline/sample/content: whole articles labelled by their authors;"
            " its KB gaps were fixed in wave 2, so it is not held out) =="
            f"\n{s.articles} articles ({s.relevant} Japan–Russia): relevance ROC AUC {s.auc:.3f}, lowest"
            f" Japan–Russia {s.min_relevant:.3f}, highest other {s.max_other:.3f}; expected mentions found"
            f" {s.found}/{s.expected}{' missing ' + str(list(s.missing)) if s.missing else ''}"
        )
    if not args.no_throughput:
        throughput(tagger, passages)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
