"""``DeduplicateArticles``: exact and near-duplicate clustering, within a run and against history.

Data flow. History is only ever scanned file by file and filtered against a small index of the *run*
(a side input of run size); everything after that is keyed (GroupByKey/CoGroupByKey)::

    articles ─► Validate ─► Prepare (one row per article_id; hash, agency, MinHash sketch)
      ├─► IndexRun: band keys, hashes, ids of the run ─► side input
      ├─► MatchHistory: scan each signatures file in Arrow batches, keep rows sharing a key with the run
      ├─► LinkCandidates: GroupByKey(band key) over run + matched history rows
      │       ├─► run×run pairs ─► CoGroupByKey with shingles (twice) ─► verify() on exact shingles
      │       └─► run×history pairs ─► estimate_overlap() on the stored signatures
      └─► ResolveClusters: union-find over the run's verified links (run-sized), then GatherClusters
              (every current member of the touched history clusters) ─► GroupByKey(component) ─► Decide

Outputs (a dict of PCollections):

- ``"articles"``: every valid input article, once per ``article_id``, with ``content_hash``,
  ``cluster_id``, ``is_duplicate``, ``duplicate_of`` and ``agency`` set.
- ``"signatures"``: rows of ``schemas.dedup.SIGNATURES`` for the run's articles (reason ``"new"``) and
  revision rows for history articles whose state changed. Write them to the ``signatures`` table with
  the articles; pass its committed files as ``history_files`` to the next run.
- ``"revisions"``: for each history article whose ``cluster_id``/``is_duplicate``/``duplicate_of``
  changed: ``article_id``, the new values, ``agency``, ``run_id``, ``decided_at``, ``reason``.
  The ``articles`` view should prefer these over the values in the article's own row.
- ``"rejects"``: rows of ``schemas.tables.REJECTS`` (stage ``"deduplicate"``) for input that cannot
  be deduplicated (no article_id, a body that is not text, a naive published_at).

Example::

    with beam.Pipeline(runner="FnApiRunner") as p:
        out = p | beam.Create(articles) | DeduplicateArticles(history, run_id="r2")
        out["articles"] | WriteArticles(...)
        out["signatures"] | WriteSignatures(...)
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import apache_beam as beam
import numpy as np
from apache_beam import pvalue

from pipeline.dedup.agency import detect_agency
from pipeline.dedup.clusters import components, decide
from pipeline.dedup.history import RunIndex, latest, scan_clusters, scan_matching
from pipeline.dedup.minhash import (
    BANDS,
    NUM_PERM,
    ROWS,
    VERIFY_THRESHOLD,
    band_hashes,
    estimate_overlap,
    overlap,
)
from pipeline.dedup.sketch import DedupParams, Sketch, hash_key, make_sketch, signature_row
from pipeline.dedup.text import shingle_array
from pipeline.records import DEDUPLICATE, REJECTS, count, reject

log = logging.getLogger(__name__)

ARTICLES, SIGNATURES, REVISIONS = "articles", "signatures", "revisions"
_PAIRS, _INVOLVED = "pairs", "involved"


# -- step functions (module level: picklable, testable) ------------------------------------------


def _validate(article: Any, run_id: str) -> Iterator[Any]:
    """Pass valid articles on as ``(article_id, article)``; route the rest to rejects with a reason."""
    problem = _problem(article)
    if problem is None:
        yield article["article_id"], article
    else:
        row = article if isinstance(article, dict) else {}
        reason, detail = problem
        yield reject(
            run_id, DEDUPLICATE, reason, source_id=row.get("source_id"), url=row.get("url"), detail=detail
        )


def _problem(article: Any) -> tuple[str, str] | None:
    """``(reason, detail)`` if ``article`` cannot be deduplicated, else None."""
    if not isinstance(article, dict):
        return "not_a_record", type(article).__name__
    aid = article.get("article_id")
    if not isinstance(aid, str) or not aid:
        return "missing_article_id", repr(aid)
    body = article.get("body")
    if body is not None and not isinstance(body, str):
        return "bad_body", f"{aid}: body is {type(body).__name__}"
    published = article.get("published_at")
    if published is not None and (not isinstance(published, datetime) or published.utcoffset() is None):
        return "naive_published_at", f"{aid}: published_at must be an aware datetime, got {published!r}"
    return None


def _one_per_identity(item: tuple[str, Iterable[dict[str, Any]]]) -> dict[str, Any]:
    """One row per article_id: the same article reached twice (two feeds, two URLs) is one article.

    The kept row is the latest fetched, then the longest body, then the smallest URL; the others are
    counted in the ``identity_rows_merged`` metric and logged, not written twice.
    """
    aid, rows = item
    rows = list(rows)
    if len(rows) > 1:
        count("dedup.identity_rows_merged", len(rows) - 1)
        log.info("dedup: %d rows share article_id %s; keeping one", len(rows), aid)

    def rank(r: dict[str, Any]) -> tuple[Any, ...]:
        fetched = r.get("fetched_at")
        return (
            fetched is not None,
            fetched or datetime.min.replace(tzinfo=UTC),
            len(r.get("body") or ""),
            [-ord(c) for c in r.get("url") or ""],
        )

    return max(rows, key=rank)


def _prepare(article: dict[str, Any], params: DedupParams) -> tuple[dict[str, Any], Sketch]:
    """Fill content_hash and the credited agency, and sketch the article."""
    agency = article.get("agency") or detect_agency(
        article.get("title"), article.get("body") or "", article.get("source_id") or ""
    )
    sketch = make_sketch({**article, "agency": agency}, params)
    return {**article, "agency": agency, "content_hash": sketch.content_hash}, sketch


def _run_band_rows(sketch: Sketch) -> Iterator[tuple[int, tuple[Any, ...]]]:
    member = ("r", sketch.article_id, sketch.signature.tobytes(), sketch.num_shingles, sketch.content_hash)
    for key in sketch.join_keys():
        yield key, member


def _history_band_rows(
    row: dict[str, Any], index: RunIndex, params: DedupParams
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    if row["article_id"] in index.article_ids:
        return iter(())  # an earlier version of a run article: linked by identity in _version_links
    return _band_rows_of(row, params)


def _band_rows_of(row: dict[str, Any], params: DedupParams) -> Iterator[tuple[int, tuple[Any, ...]]]:
    sig = row["signature"]
    member = (
        "h",
        row["article_id"],
        row["cluster_id"],
        sig.tobytes(),
        row["num_shingles"],
        row["content_hash"],
    )
    if row["num_shingles"]:
        for key in band_hashes(sig, params.bands, params.rows)[0]:
            yield int(key), member
    if row["content_hash"]:
        yield hash_key(row["content_hash"]), member


def _version_links(row: dict[str, Any], index: RunIndex) -> Iterator[tuple[str, str]]:
    """A run article whose id is already in history is a new version: it stays in that cluster."""
    if row["article_id"] in index.article_ids:
        yield "a:" + row["article_id"], "c:" + row["cluster_id"]


def _band_candidates(item: tuple[int, Iterable[tuple[Any, ...]]], threshold: float) -> Iterator[Any]:
    """Within one band key: run×run pairs to verify (tagged), and verified run×history links."""
    _, members = item
    run = sorted((m for m in members if m[0] == "r"), key=lambda m: m[1])
    hist = [m for m in members if m[0] == "h"]
    for a, b in itertools.combinations(run, 2):
        if a[1] != b[1]:
            yield pvalue.TaggedOutput(_PAIRS, (a[1], b[1]))
    for r, h in itertools.product(run, hist):
        _, rid, rsig, rn, rhash = r
        _, _, cluster_id, hsig, hn, hhash = h
        if rhash is not None and rhash == hhash:
            yield "a:" + rid, "c:" + cluster_id
            continue
        score = estimate_overlap(np.frombuffer(rsig, np.uint32), rn, np.frombuffer(hsig, np.uint32), hn)
        if score >= threshold:
            yield "a:" + rid, "c:" + cluster_id


def _doc(prepared: tuple[dict[str, Any], Sketch], k: int) -> tuple[str, tuple[str | None, bytes]]:
    article, sketch = prepared
    return sketch.article_id, (sketch.content_hash, shingle_array(article.get("body") or "", k).tobytes())


def _first_half(item: tuple[str, dict[str, list[Any]]]) -> Iterator[tuple[str, tuple[str, Any]]]:
    a, grouped = item
    partners = sorted(set(grouped["pair"]))  # a pair meets in every band it shares: verify it once
    for doc in grouped["doc"]:
        for b in partners:
            yield b, (a, doc)


def _verify_pairs(item: tuple[str, dict[str, list[Any]]], threshold: float) -> Iterator[tuple[str, str]]:
    b, grouped = item
    for doc_b in grouped["doc"]:
        for a, doc_a in grouped["half"]:
            (hash_a, sh_a), (hash_b, sh_b) = doc_a, doc_b
            same = hash_a is not None and hash_a == hash_b
            if same or overlap(np.frombuffer(sh_a, np.uint64), np.frombuffer(sh_b, np.uint64)) >= threshold:
                yield "a:" + a, "a:" + b


def _components(links: list[tuple[str, str]], index: RunIndex) -> Iterator[Any]:
    """Union-find over the run's links (run-sized: history enters only as cluster nodes).

    Emits ``(node, ("m", root))`` for every node, and once, tagged ``involved``, the history cluster ids.
    """
    mapping = components(sorted("a:" + aid for aid in index.article_ids), sorted(set(links)))
    for node, root in sorted(mapping.items()):
        yield node, ("m", root)
    yield pvalue.TaggedOutput(_INVOLVED, frozenset(node[2:] for node in mapping if node.startswith("c:")))


def _gathered_member(item: tuple[str, Iterable[dict[str, Any]]], involved: frozenset[str]) -> Iterator[Any]:
    row = latest(item[1])
    if row["cluster_id"] in involved:  # an older row of an article that has since moved does not count
        yield "c:" + row["cluster_id"], ("h", row)


def _to_components(item: tuple[str, Iterable[tuple[Any, ...]]]) -> Iterator[tuple[str, tuple[Any, ...]]]:
    node, values = item
    values = list(values)
    roots = [v[1] for v in values if v[0] == "m"]
    if len(roots) != 1:
        raise RuntimeError(f"dedup: node {node} has {len(roots)} component assignments")
    for v in values:
        if v[0] != "m":
            yield roots[0], v


class _DecideFn(beam.DoFn):
    """Decide one component: cluster id, representative, flags; emit articles, signatures, revisions."""

    def __init__(self, params: DedupParams, run_id: str, decided_at: datetime) -> None:
        self.params = params
        self.run_id = run_id
        self.decided_at = decided_at

    def process(self, item: tuple[str, Iterable[tuple[Any, ...]]]) -> Iterator[Any]:
        _, members = item
        run = {m[2].article_id: (m[1], m[2]) for m in members if m[0] == "r"}
        by_id: dict[str, list[dict[str, Any]]] = {}
        for m in members:
            if m[0] == "h":
                by_id.setdefault(m[1]["article_id"], []).append(m[1])
        history = [latest(rows) for _, rows in sorted(by_id.items())]
        decisions, revised = decide(
            {aid: (s.published_at, a.get("agency")) for aid, (a, s) in run.items()}, history
        )
        for aid, (article, sketch) in sorted(run.items()):
            d = decisions[aid]
            yield {
                **article,
                "cluster_id": d.cluster_id,
                "is_duplicate": d.is_duplicate,
                "duplicate_of": d.duplicate_of,
                "agency": d.agency,
            }
            yield pvalue.TaggedOutput(
                SIGNATURES,
                signature_row(
                    sketch,
                    cluster_id=d.cluster_id,
                    is_duplicate=d.is_duplicate,
                    duplicate_of=d.duplicate_of,
                    agency=d.agency,
                    params=self.params,
                    run_id=self.run_id,
                    decided_at=self.decided_at,
                ),
            )
        for row, d, reason in revised:
            change = {
                "cluster_id": d.cluster_id,
                "is_duplicate": d.is_duplicate,
                "duplicate_of": d.duplicate_of,
                "agency": d.agency,
                "run_id": self.run_id,
                "decided_at": self.decided_at,
                "reason": reason,
            }
            yield pvalue.TaggedOutput(REVISIONS, {"article_id": row["article_id"], **change})
            signature = np.asarray(row["signature"], dtype=np.uint32).view(np.int32).tolist()
            yield pvalue.TaggedOutput(SIGNATURES, {**row, **change, "signature": signature})


class _RunIndexFn(beam.CombineFn):
    """Combine the run's sketches into a RunIndex (keys only: ids, hashes, band keys)."""

    def create_accumulator(self) -> list[Sketch]:
        return []

    def add_input(self, acc: list[Sketch], sketch: Sketch) -> list[Sketch]:
        acc.append(sketch)
        return acc

    def merge_accumulators(self, accs: Iterable[list[Sketch]]) -> list[Sketch]:
        return [s for acc in accs for s in acc]

    def extract_output(self, acc: list[Sketch]) -> RunIndex:
        return RunIndex.build(acc)


# -- the composite -------------------------------------------------------------------------------


class DeduplicateArticles(beam.PTransform):
    """Cluster exact and near-duplicate articles within the run and against history; drop nothing.

    ``history_files`` are the committed Parquet files of the ``signatures`` table (empty on a fresh
    warehouse). Returns a dict of PCollections: ``articles``, ``signatures``, ``revisions``, ``rejects``
    (see the module docstring). ``decided_at`` (default: now) stamps the signature rows of this run.

    >>> DeduplicateArticles(run_id="r1").params.bands
    32
    """

    def __init__(
        self,
        history_files: Sequence[str] = (),
        *,
        run_id: str,
        num_perm: int = NUM_PERM,
        bands: int = BANDS,
        rows: int = ROWS,
        seed: int = 1,
        shingle_k: int = 5,
        threshold: float = VERIFY_THRESHOLD,
        decided_at: datetime | None = None,
    ) -> None:
        super().__init__()
        if not run_id:
            raise ValueError("DeduplicateArticles needs a run_id")
        if isinstance(history_files, str):
            raise TypeError("history_files is a sequence of paths, not one string")
        self.history_files = [str(f) for f in history_files]
        self.run_id = run_id
        self.params = DedupParams(num_perm=num_perm, seed=seed, bands=bands, rows=rows, k=shingle_k)
        self.threshold = threshold
        self.decided_at = decided_at or datetime.now(UTC)
        if self.decided_at.utcoffset() is None:
            raise ValueError("decided_at must be timezone-aware")

    def expand(self, articles: beam.PCollection) -> dict[str, beam.PCollection]:
        checked = articles | "Validate" >> beam.FlatMap(_validate, self.run_id).with_outputs(
            REJECTS, main="ok"
        )
        prepared = checked.ok | "Prepare" >> _PrepareArticles(self.params)
        sketches = prepared | "SketchOnly" >> beam.Map(lambda pair: pair[1])
        index = beam.pvalue.AsSingleton(sketches | "IndexRun" >> beam.CombineGlobally(_RunIndexFn()))
        files = articles.pipeline | "HistoryFiles" >> beam.Create(self.history_files)
        hits = files | "MatchHistory" >> _MatchHistory(index, self.params)
        links = (prepared, hits) | "LinkCandidates" >> _LinkCandidates(index, self.params, self.threshold)
        decided = (prepared, links, files) | "ResolveClusters" >> _ResolveClusters(
            index, self.params, self.run_id, self.decided_at
        )
        return {**decided, REJECTS: checked[REJECTS]}


class _PrepareArticles(beam.PTransform):
    """(article_id, article) -> (article with content_hash and agency, Sketch), one per article_id."""

    def __init__(self, params: DedupParams) -> None:
        super().__init__()
        self.params = params

    def expand(self, keyed: beam.PCollection) -> beam.PCollection:
        return (
            keyed
            | "GroupById" >> beam.GroupByKey()
            | "OneRowPerIdentity" >> beam.Map(_one_per_identity)
            | "Sketch" >> beam.Map(_prepare, self.params)
        )


class _MatchHistory(beam.PTransform):
    """History file paths -> the current history rows sharing a band key, hash or article id with the run."""

    def __init__(self, index: Any, params: DedupParams) -> None:
        super().__init__()
        self.index, self.params = index, params

    def expand(self, files: beam.PCollection) -> beam.PCollection:
        return (
            files
            | "ScanHistory" >> beam.FlatMap(scan_matching, self.index, self.params)
            | "KeyHitById" >> beam.Map(lambda row: (row["article_id"], row))
            | "GroupHitById" >> beam.GroupByKey()
            | "LatestHit" >> beam.MapTuple(lambda _, rows: latest(rows))
        )


class _LinkCandidates(beam.PTransform):
    """(prepared, history hits) -> verified links ``(node, node)``: run×run, run×history, new versions."""

    def __init__(self, index: Any, params: DedupParams, threshold: float) -> None:
        super().__init__()
        self.index, self.params, self.threshold = index, params, threshold

    def expand(self, inputs: tuple[beam.PCollection, beam.PCollection]) -> beam.PCollection:
        prepared, hits = inputs
        sketches = prepared | "Sketches" >> beam.Map(lambda pair: pair[1])
        banded = (
            (
                sketches | "RunBandRows" >> beam.FlatMap(_run_band_rows),
                hits | "HistoryBandRows" >> beam.FlatMap(_history_band_rows, self.index, self.params),
            )
            | "FlattenBandRows" >> beam.Flatten()
            | "GroupByBand" >> beam.GroupByKey()
            | "Candidates"
            >> beam.FlatMap(_band_candidates, self.threshold).with_outputs(_PAIRS, main="history")
        )
        # run×run pairs are verified on exact shingles: join each side's shingles in turn
        docs = prepared | "Shingles" >> beam.Map(_doc, self.params.k)
        halves = (
            {"pair": banded[_PAIRS], "doc": docs}
            | "JoinFirst" >> beam.CoGroupByKey()
            | "FirstHalf" >> beam.FlatMap(_first_half)
        )
        run_links = (
            {"half": halves, "doc": docs}
            | "JoinSecond" >> beam.CoGroupByKey()
            | "Verify" >> beam.FlatMap(_verify_pairs, self.threshold)
        )
        versions = hits | "VersionLinks" >> beam.FlatMap(_version_links, self.index)
        return (run_links, banded.history, versions) | "FlattenLinks" >> beam.Flatten()


class _ResolveClusters(beam.PTransform):
    """(prepared, links, history files) -> the ``articles``, ``signatures`` and ``revisions`` outputs."""

    def __init__(self, index: Any, params: DedupParams, run_id: str, decided_at: datetime) -> None:
        super().__init__()
        self.index, self.params, self.run_id, self.decided_at = index, params, run_id, decided_at

    def expand(self, inputs: tuple[beam.PCollection, ...]) -> dict[str, beam.PCollection]:
        prepared, links, files = inputs
        mapping = (
            links
            | "CollectLinks" >> beam.combiners.ToList()
            | "Components" >> beam.FlatMap(_components, self.index).with_outputs(_INVOLVED, main="mapping")
        )
        involved = beam.pvalue.AsSingleton(mapping[_INVOLVED])
        # every current member of the history clusters the run touches: the representative may be any
        gathered = (
            files
            | "GatherClusters" >> beam.FlatMap(scan_clusters, involved, self.params)
            | "KeyMemberById" >> beam.Map(lambda row: (row["article_id"], row))
            | "GroupMemberById" >> beam.GroupByKey()
            | "LatestMember" >> beam.FlatMap(_gathered_member, involved)
        )
        run_members = prepared | "KeyRunMember" >> beam.MapTuple(
            lambda a, s: ("a:" + s.article_id, ("r", a, s))
        )
        decided = (
            (mapping.mapping, run_members, gathered)
            | "FlattenMembers" >> beam.Flatten()
            | "GroupByNode" >> beam.GroupByKey()
            | "ToComponents" >> beam.FlatMap(_to_components)
            | "GroupByComponent" >> beam.GroupByKey()
            | "Decide"
            >> beam.ParDo(_DecideFn(self.params, self.run_id, self.decided_at)).with_outputs(
                SIGNATURES, REVISIONS, main=ARTICLES
            )
        )
        return {ARTICLES: decided[ARTICLES], SIGNATURES: decided[SIGNATURES], REVISIONS: decided[REVISIONS]}
