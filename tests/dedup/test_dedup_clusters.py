"""Connected components and the representative rule."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from pipeline.dedup.clusters import components, decide
from pipeline.dedup.versions import diff_fields

T = datetime(2024, 5, 1, tzinfo=UTC)


def _row(aid: str, cluster: str, hours: int, dup_of: str | None = None, agency: str | None = None) -> dict:
    return {"article_id": aid, "cluster_id": cluster, "published_at": T + timedelta(hours=hours),
            "is_duplicate": dup_of is not None, "duplicate_of": dup_of, "agency": agency}  # fmt: skip


def test_components_do_not_depend_on_link_order() -> None:
    links = [("a:3", "a:1"), ("a:4", "c:z"), ("a:1", "a:2"), ("a:5", "a:4")]
    expected = components(["a:1", "a:2", "a:3", "a:4", "a:5", "a:6"], links)
    for seed in range(5):
        shuffled = links[:]
        random.Random(seed).shuffle(shuffled)
        assert (
            components(["a:6", "a:5", "a:4", "a:3", "a:2", "a:1"], [(b, a) for a, b in shuffled]) == expected
        )
    assert expected["a:2"] == expected["a:3"] == "a:1"
    assert expected["c:z"] == expected["a:5"] == "a:4"
    assert expected["a:6"] == "a:6"


def test_components_of_int_nodes_are_rooted_at_the_smallest() -> None:
    """Dedup also groups candidate pairs by article position."""
    assert components([], [(3, 7), (7, 1), (4, 5)]) == {3: 1, 7: 1, 1: 1, 4: 4, 5: 4}


def test_run_only_component_takes_the_earliest_as_representative() -> None:
    decisions, revised = decide(
        {"b": (T, "Kyodo"), "a": (T + timedelta(hours=1), None), "c": (None, None)}, []
    )
    assert decisions["b"].cluster_id == "b" and not decisions["b"].is_duplicate
    assert (
        decisions["a"].duplicate_of == "b" and decisions["c"].duplicate_of == "b"
    )  # unknown date sorts last
    assert decisions["a"].agency == "Kyodo"  # wire copy of wire copy
    assert revised == []


def test_ties_are_broken_by_article_id() -> None:
    decisions, _ = decide({"y": (T, None), "x": (T, None)}, [])
    assert not decisions["x"].is_duplicate and decisions["y"].duplicate_of == "x"


def test_joining_history_keeps_its_cluster_id() -> None:
    history = [_row("h1", "h1", 0), _row("h2", "h1", 1, "h1")]
    decisions, revised = decide({"n": (T + timedelta(hours=5), None)}, history)
    assert decisions["n"].cluster_id == "h1" and decisions["n"].duplicate_of == "h1"
    assert revised == []  # nothing changed for history


def test_earlier_new_article_becomes_representative_and_history_is_revised() -> None:
    history = [_row("h1", "h1", 0), _row("h2", "h1", 1, "h1")]
    decisions, revised = decide({"n": (T - timedelta(hours=1), None)}, history)
    assert decisions["n"].cluster_id == "h1" and not decisions["n"].is_duplicate
    assert {(r["article_id"], d.duplicate_of, why) for r, d, why in revised} == {
        ("h1", "n", "representative_changed"),
        ("h2", "n", "representative_changed"),
    }


def test_a_bridge_merges_two_history_clusters_into_the_older() -> None:
    history = [_row("h1", "h1", 0), _row("g1", "g1", 3), _row("g2", "g1", 4, "g1")]
    decisions, revised = decide({"n": (T + timedelta(hours=9), None)}, history)
    assert decisions["n"].cluster_id == "h1"
    assert {(r["article_id"], d.cluster_id, d.duplicate_of, why) for r, d, why in revised} == {
        ("g1", "h1", "h1", "clusters_merged"),
        ("g2", "h1", "h1", "clusters_merged"),
    }


def test_new_version_keeps_the_cluster_of_its_identity() -> None:
    history = [_row("h1", "h1", 0)]  # the earlier version of "h1"
    decisions, revised = decide({"h1": (T, None)}, history)
    assert decisions["h1"].cluster_id == "h1" and not decisions["h1"].is_duplicate
    assert revised == []


def test_diff_fields() -> None:
    old = {"title": "Japan protests", "body": "TOKYO: Japan protested.\nShort Url"}
    assert diff_fields(old, {"title": "Japan protests", "body": "TOKYO - Japan protested."}) == []
    assert diff_fields(old, {"title": "Japan protests again", "body": old["body"]}) == ["title"]
    assert diff_fields(old, {"title": None, "body": "New text."}) == ["title", "body"]
