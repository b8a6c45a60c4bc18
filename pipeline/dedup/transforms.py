"""``DeduplicateArticles``: exact and near-duplicate clustering, within a run and against history.

Data flow. History is only ever scanned file by file and filtered against the index of the *run*;
what is run-sized is computed in one place and read as a side input; everything keyed by history
stays keyed (GroupByKey)::

    articles ─► Validate ─► GroupById ─► Prepare (one row per article_id: hash, agency, MinHash sketch)
      ├─► IndexRun: CombineGlobally of the sketches ─► RunIndex (side input)
      ├─► LinkCandidates
      │     ├─► run×run: candidate pairs from the index's keys; exact copies linked at once, the rest
      │     │     verified on exact shingles at one site per candidate group (GroupByKey on the site):
      │     │     only articles with near-duplicate candidates send their shingles, once
      │     └─► run×history: scan each signatures file in Arrow batches, keep the rows sharing a key with
      │           the run, take each article's current row (GroupByKey on article_id), and compare it
      │           right there with the run articles sharing its keys (estimate_overlap on signatures)
      └─► ResolveClusters: union-find over all links (ToList: run-sized) gives each run article its
            component; GatherClusters (every current member of the touched history clusters) joins the
            run articles' ids by component ─► Decide (dates, agencies and sketches from the index):
            signature rows, revisions, and the decisions (side input) ─► Finish: each article, where
            it already is, gets its cluster and flags

What crosses a shuffle per article: its body twice (GroupById, and the materialised prepared row that
the side-input steps read), and a constant number of small records (its sketch into the index, its
id into its component, its decision, its signature row); shingles only for articles with
near-duplicate candidates, once (once per partner in candidate groups larger than
:data:`HUB_LIMIT`). Run-sized objects held in one place: the RunIndex (about 1.6 KB per article, see
:mod:`~pipeline.dedup.run_index`), the candidate routes and links (a few dozen bytes per candidate
pair), the component of every run article and the decisions (about 150 B per article). History is
never a side input.

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

import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import apache_beam as beam
import numpy as np
from apache_beam import pvalue

from pipeline.dedup.agency import detect_agency
from pipeline.dedup.clusters import Decision, components, decide
from pipeline.dedup.history import latest, scan_clusters, scan_matching
from pipeline.dedup.minhash import (
    BANDS,
    NUM_PERM,
    ROWS,
    VERIFY_THRESHOLD,
    band_hashes,
    estimate_overlap,
    overlap,
)
from pipeline.dedup.run_index import RunIndex
from pipeline.dedup.sketch import DedupParams, Sketch, make_sketch, signature_row
from pipeline.dedup.text import shingle_array
from pipeline.records import DEDUPLICATE, REJECTS, count, reject

log = logging.getLogger(__name__)

ARTICLES, SIGNATURES, REVISIONS = "articles", "signatures", "revisions"
_EXACT, _ROUTES, _CLUSTERS, _DECISIONS = "exact", "routes", "clusters", "decisions"

Link = tuple[str, str]  # two nodes: "a:<article_id>" (a run article) or "c:<cluster_id>" (a history cluster)


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


def _history_links(
    row: dict[str, Any], index: RunIndex, params: DedupParams, threshold: float
) -> Iterator[Link]:
    """Links from the run to the cluster of one current history row that shares a key with the run.

    A row of a run article's own id is an earlier version: the new version stays in that cluster.
    Any other row is compared with the run articles sharing a band key or its content hash, as a
    GroupByKey over keys would pair them: an equal hash, or an estimated overlap of at least
    ``threshold``, links.
    """
    cluster = "c:" + row["cluster_id"]
    if index.position(row["article_id"]) is not None:
        yield "a:" + row["article_id"], cluster
        return
    signature, num_shingles, digest = row["signature"], row["num_shingles"], row["content_hash"] or None
    keys = band_hashes(signature, params.bands, params.rows)[0] if num_shingles else np.empty(0, np.uint64)
    for pos in index.sharing(keys, digest).tolist():
        run_hash = index.content_hash[pos]
        same = run_hash is not None and run_hash == digest
        run_sig, run_n = index.signatures[pos], int(index.num_shingles[pos])
        if same or estimate_overlap(run_sig, run_n, signature, num_shingles) >= threshold:
            yield "a:" + index.ids[pos], cluster


#: Near-duplicate candidates whose candidate group (connected pairs) has at most this many articles are
#: all verified at one site, the group's smallest article_id: each article's shingles cross once. In a
#: larger group (a chain of loosely similar stories) each pair is verified at its greater id instead,
#: so no single worker holds the group: shingles then cross once per partner.
HUB_LIMIT = 64

Route = tuple[tuple[str, ...], tuple[tuple[str, str], ...]]  # (sites to send shingles to, pairs to verify)


def _run_candidates(_: bytes, index: RunIndex) -> Iterator[Any]:
    """Run×run candidates from the index: exact copies linked (tagged ``exact``), the rest routed.

    A pair with equal content hashes is a copy without looking further. Every other pair is verified
    on exact shingles at a *site* (an article_id; see :data:`HUB_LIMIT`). The main output holds, for
    each article in such a pair, ``(article_id, (sites, pairs))``: where it sends its shingles, and the
    pairs verified at its own id.
    """
    ids, hashes = index.ids, index.content_hash
    near: list[tuple[int, int]] = []
    for i, j in index.candidate_pairs():
        if hashes[i] is not None and hashes[i] == hashes[j]:
            yield pvalue.TaggedOutput(_EXACT, ("a:" + ids[i], "a:" + ids[j]))
        else:
            near.append((i, j))
    group = components([], near)  # position -> smallest position of its candidate group
    sizes = Counter(group.values())
    sends: dict[int, set[int]] = {}
    verify: dict[int, list[tuple[int, int]]] = {}
    for i, j in near:
        site = group[i] if sizes[group[i]] <= HUB_LIMIT else j
        sends.setdefault(i, set()).add(site)
        sends.setdefault(j, set()).add(site)
        verify.setdefault(site, []).append((i, j))
    for pos in sorted(sends):
        pairs = tuple((ids[i], ids[j]) for i, j in sorted(verify.get(pos, ())))
        yield ids[pos], (tuple(ids[site] for site in sorted(sends[pos])), pairs)


def _send_shingles(
    article: dict[str, Any], routes: dict[str, Route], k: int
) -> Iterator[tuple[str, tuple[str, bytes]]]:
    """An article's shingles to each site verifying a pair of it (itself included, if it is one).

    Articles without near-duplicate candidates (most of them) send nothing and skip the shingling.
    """
    aid = article["article_id"]
    route = routes.get(aid)
    if route is None:
        return
    shingles = shingle_array(article.get("body") or "", k).tobytes()
    for site in route[0]:
        yield site, (aid, shingles)


def _verify(
    item: tuple[str, Iterable[tuple[str, bytes]]], routes: dict[str, Route], threshold: float
) -> Iterator[Link]:
    """At one site: link each pair to verify there whose shingles overlap by at least ``threshold``."""
    site, received = item
    shingles = {sender: np.frombuffer(data, np.uint64) for sender, data in received}
    for a, b in routes[site][1]:
        if a not in shingles or b not in shingles:
            raise RuntimeError(f"dedup: the shingles of {a} or {b} did not reach their site {site}")
        if overlap(shingles[a], shingles[b]) >= threshold:
            yield "a:" + a, "a:" + b


def _components(links: list[Link], index: RunIndex) -> Iterator[Any]:
    """Union-find over the run's links (run-sized: history enters only as cluster nodes).

    Emits ``(component, ("r", article_id))`` for every run article, and once, tagged ``clusters``, the
    component of each history cluster the run touches.
    """
    mapping = components(["a:" + aid for aid in index.ids], sorted(set(links)))
    for aid in index.ids:
        yield mapping["a:" + aid], ("r", aid)
    yield pvalue.TaggedOutput(
        _CLUSTERS, {node[2:]: root for node, root in sorted(mapping.items()) if node.startswith("c:")}
    )


def _scan_clusters(path: str, clusters: dict[str, str], params: DedupParams) -> Iterator[dict[str, Any]]:
    return scan_clusters(path, frozenset(clusters), params)


def _gathered_member(
    item: tuple[str, Iterable[dict[str, Any]]], clusters: dict[str, str]
) -> Iterator[tuple[str, tuple[str, dict[str, Any]]]]:
    row = latest(item[1])
    root = clusters.get(row["cluster_id"])
    if root is not None:  # an older row of an article that has since moved does not count
        yield root, ("h", row)


class _DecideFn(beam.DoFn):
    """Decide one component: emit ``(article_id, decision)`` and the signature row of its run articles,
    and the revisions of its history rows.

    The run articles' dates, agencies and sketches come from the run index; the decision travels as a
    plain tuple (the fields of :class:`~pipeline.dedup.clusters.Decision`).
    """

    def __init__(self, params: DedupParams, run_id: str, decided_at: datetime) -> None:
        self.params = params
        self.run_id = run_id
        self.decided_at = decided_at

    def process(self, item: tuple[str, Iterable[tuple[Any, ...]]], index: RunIndex) -> Iterator[Any]:
        component, members = item
        run: dict[str, int] = {}
        by_id: dict[str, list[dict[str, Any]]] = {}
        for m in members:
            if m[0] == "r":
                pos = index.position(m[1])
                if pos is None:
                    raise RuntimeError(f"dedup: component {component} names {m[1]}, not a run article")
                run[m[1]] = pos
            else:
                by_id.setdefault(m[1]["article_id"], []).append(m[1])
        if not run:
            raise RuntimeError(f"dedup: component {component} has history members but no run article")
        history = [latest(rows) for _, rows in sorted(by_id.items())]
        decisions, revised = decide(
            {aid: (index.published_at[pos], index.agency[pos]) for aid, pos in run.items()}, history
        )
        for aid, d in sorted(decisions.items()):
            yield aid, (d.cluster_id, d.is_duplicate, d.duplicate_of, d.agency)
            yield pvalue.TaggedOutput(
                SIGNATURES,
                signature_row(
                    index.sketch(run[aid]),
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


def _finish(article: dict[str, Any], decisions: dict[str, tuple[Any, ...]]) -> dict[str, Any]:
    """The article with its decision (a side input): cluster, duplicate flag, representative, agency."""
    fields = decisions.get(article["article_id"])
    if fields is None:
        raise RuntimeError(f"dedup: no decision for article {article['article_id']}")
    d = Decision(*fields)
    return {
        **article,
        "cluster_id": d.cluster_id,
        "is_duplicate": d.is_duplicate,
        "duplicate_of": d.duplicate_of,
        "agency": d.agency,
    }


class _RunIndexFn(beam.CombineFn):
    """Combine the run's sketches into a :class:`~pipeline.dedup.run_index.RunIndex`."""

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
        sketched = checked.ok | "Prepare" >> _PrepareArticles(self.params)
        # one view for every reader: each view of a PCollection is materialised on its own
        index = beam.pvalue.AsSingleton(
            sketched
            | "SketchOnly" >> beam.Map(lambda pair: pair[1])
            | "IndexRun" >> beam.CombineGlobally(_RunIndexFn()).without_defaults(),
            default_value=RunIndex.build([]),
        )
        # the sketches travel in the index only: the article goes on without its 1.3 KB sketch
        prepared = sketched | "ArticleOnly" >> beam.Map(lambda pair: pair[0])
        files = articles.pipeline | "HistoryFiles" >> beam.Create(self.history_files)
        links = (prepared, files) | "LinkCandidates" >> _LinkCandidates(index, self.params, self.threshold)
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


class _LinkCandidates(beam.PTransform):
    """(prepared articles, history files) -> verified links: run×run, run×history, new versions."""

    def __init__(self, index: beam.pvalue.AsSingleton, params: DedupParams, threshold: float) -> None:
        super().__init__()
        self.index, self.params, self.threshold = index, params, threshold

    def expand(self, inputs: tuple[beam.PCollection, ...]) -> beam.PCollection:
        prepared, files = inputs
        history_links = (
            files
            | "ScanHistory" >> beam.FlatMap(scan_matching, self.index, self.params)
            | "KeyHitById" >> beam.Map(lambda row: (row["article_id"], row))
            | "GroupHitById" >> beam.GroupByKey()
            | "LatestHit" >> beam.MapTuple(lambda _, rows: latest(rows))
            | "HistoryLinks" >> beam.FlatMap(_history_links, self.index, self.params, self.threshold)
        )
        candidates = (
            prepared.pipeline
            | "Once" >> beam.Impulse()
            | "RunCandidates" >> beam.FlatMap(_run_candidates, self.index).with_outputs(_EXACT, main=_ROUTES)
        )
        routes = beam.pvalue.AsDict(candidates[_ROUTES])
        verified = (
            prepared
            | "SendShingles" >> beam.FlatMap(_send_shingles, routes, self.params.k)
            | "GroupShingles" >> beam.GroupByKey()
            | "Verify" >> beam.FlatMap(_verify, routes, self.threshold)
        )
        return (verified, candidates[_EXACT], history_links) | "FlattenLinks" >> beam.Flatten()


class _ResolveClusters(beam.PTransform):
    """(prepared articles, links, history files) -> the ``articles``, ``signatures``, ``revisions``."""

    def __init__(
        self, index: beam.pvalue.AsSingleton, params: DedupParams, run_id: str, decided_at: datetime
    ) -> None:
        super().__init__()
        self.index, self.params, self.run_id, self.decided_at = index, params, run_id, decided_at

    def expand(self, inputs: tuple[beam.PCollection, ...]) -> dict[str, beam.PCollection]:
        prepared, links, files = inputs
        members = (
            links
            | "CollectLinks" >> beam.combiners.ToList()
            | "Components" >> beam.FlatMap(_components, self.index).with_outputs(_CLUSTERS, main="run")
        )
        clusters = beam.pvalue.AsSingleton(members[_CLUSTERS])
        # every current member of the history clusters the run touches: the representative may be any
        gathered = (
            files
            | "GatherClusters" >> beam.FlatMap(_scan_clusters, clusters, self.params)
            | "KeyMemberById" >> beam.Map(lambda row: (row["article_id"], row))
            | "GroupMemberById" >> beam.GroupByKey()
            | "LatestMember" >> beam.FlatMap(_gathered_member, clusters)
        )
        decided = (
            (members.run, gathered)
            | "FlattenMembers" >> beam.Flatten()
            | "GroupByComponent" >> beam.GroupByKey()
            | "Decide"
            >> beam.ParDo(_DecideFn(self.params, self.run_id, self.decided_at), self.index).with_outputs(
                SIGNATURES, REVISIONS, main=_DECISIONS
            )
        )
        finished = prepared | "Finish" >> beam.Map(_finish, beam.pvalue.AsDict(decided[_DECISIONS]))
        return {ARTICLES: finished, SIGNATURES: decided[SIGNATURES], REVISIONS: decided[REVISIONS]}
