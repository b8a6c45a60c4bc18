"""Clusters from verified links: connected components and the representative of each (pure functions).

Nodes are ``"a:<article_id>"`` for the run's articles and ``"c:<cluster_id>"`` for clusters already in
history. Components are found with a union-find whose root is always the smallest node name, so the
result does not depend on the order in which links arrive.

>>> components(["a:1", "a:2", "a:3"], [("a:2", "a:1"), ("a:3", "c:x")])
{'a:1': 'a:1', 'a:2': 'a:1', 'a:3': 'a:3', 'c:x': 'a:3'}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

_NEVER = datetime.max.replace(tzinfo=UTC)  # an unknown publication time sorts after every known one


N = TypeVar("N", str, int)


def components(nodes: Iterable[N], links: Iterable[tuple[N, N]]) -> dict[N, N]:
    """Map every node (and every node named in ``links``) to its component's smallest node.

    Nodes are node names, or any ints (dedup groups its candidate pairs by article position too).
    """
    parent: dict[N, N] = {n: n for n in nodes}

    def find(x: N) -> N:
        parent.setdefault(x, x)
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    for a, b in links:
        ra, rb = find(a), find(b)
        if ra != rb:
            lo, hi = (ra, rb) if ra < rb else (rb, ra)
            parent[hi] = lo
    return {n: find(n) for n in list(parent)}


def order_key(published_at: datetime | None, article_id: str) -> tuple[datetime, str]:
    """Sort key of cluster members: earliest published first, ties (and unknown dates) by article_id."""
    return (published_at if published_at is not None else _NEVER, article_id)


@dataclass(frozen=True)
class Decision:
    """Where one article ends up: its cluster, whether it is a duplicate, and of which representative."""

    cluster_id: str
    is_duplicate: bool
    duplicate_of: str | None
    agency: str | None


def decide(
    run: Mapping[str, tuple[datetime | None, str | None]],
    history: Iterable[Mapping[str, Any]],
) -> tuple[dict[str, Decision], list[tuple[Mapping[str, Any], Decision, str]]]:
    """Decide one component: a cluster id, its representative, and every member's flags.

    ``run`` maps the component's run article ids to ``(published_at, agency)``; ``history`` holds the
    current signature rows of the history clusters linked to it (rows whose article_id is in ``run``
    are earlier versions: they keep their cluster's id stable but are no longer members).

    The cluster keeps the id of its history cluster; when several history clusters are joined, the one
    whose earliest member was published first (ties: smallest id) wins. A component without history
    takes its representative's article_id. The representative is the earliest published member, history
    included; ties by article_id. The agency of the representative (or of the earliest credited member)
    fills members that have none: a copy of wire copy is wire copy.

    Returns the decisions for the run's articles, and ``(row, decision, reason)`` for each history row
    whose cluster, flag or representative changes.

    >>> from datetime import datetime, UTC
    >>> t = lambda h: datetime(2024, 1, 1, h, tzinfo=UTC)
    >>> old = {"article_id": "h1", "cluster_id": "h1", "published_at": t(9), "is_duplicate": False,
    ...        "duplicate_of": None, "agency": "Kyodo"}
    >>> run, revised = decide({"n1": (t(8), None)}, [old])
    >>> run["n1"]
    Decision(cluster_id='h1', is_duplicate=False, duplicate_of=None, agency='Kyodo')
    >>> [(r["article_id"], d.duplicate_of, why) for r, d, why in revised]
    [('h1', 'n1', 'representative_changed')]
    """
    history = list(history)
    earliest: dict[str, tuple[datetime, str]] = {}
    for row in history:
        key = order_key(row.get("published_at"), row["article_id"])
        cid = row["cluster_id"]
        earliest[cid] = min(earliest.get(cid, key), key)
    current = [row for row in history if row["article_id"] not in run]

    members: list[tuple[tuple[datetime, str], str | None]] = [
        (order_key(published, aid), agency) for aid, (published, agency) in run.items()
    ]
    members += [(order_key(r.get("published_at"), r["article_id"]), r.get("agency")) for r in current]
    members.sort()
    representative = members[0][0][1]
    cluster_id = min(earliest, key=lambda cid: (earliest[cid], cid)) if earliest else representative
    credited = [agency for _, agency in members if agency]
    cluster_agency = members[0][1] or (credited[0] if credited else None)

    def decision_for(aid: str, agency: str | None) -> Decision:
        dup = aid != representative
        return Decision(cluster_id, dup, representative if dup else None, agency or cluster_agency)

    run_decisions = {aid: decision_for(aid, agency) for aid, (_, agency) in run.items()}
    revised = []
    for row in current:
        dec = decision_for(row["article_id"], row.get("agency"))
        if row["cluster_id"] != cluster_id:
            revised.append((row, dec, "clusters_merged"))
        elif (bool(row.get("is_duplicate")), row.get("duplicate_of")) != (dec.is_duplicate, dec.duplicate_of):
            revised.append((row, dec, "representative_changed"))
    return run_decisions, revised
