"""DeduplicateArticles on FnApiRunner: within a run and against history (the views: test_dedup_views.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.testing.util import assert_that, equal_to
from dedup_support import JIJI, SAME_EVENT, T0, UNRELATED, article, paragraphs, run_dedup, write_signatures

from pipeline.dedup.sketch import DedupParams, make_sketch, signature_row
from pipeline.dedup.transforms import DeduplicateArticles


def _by_id(rows: list[dict]) -> dict[str, dict]:
    return {r["article_id"]: r for r in rows}


def test_within_run_clusters_exact_and_near_copies_and_keeps_the_rest(tmp_path: Path) -> None:
    paras = paragraphs(JIJI)
    articles = [
        article("orig", JIJI, 0, title="Japan keeps sanctions"),
        article("exact", JIJI.replace("Since 1975\n", ""), 2, source="japanforward", title="Retitled"),
        article("reordered", "\n\n".join([paras[0], paras[2], paras[1], *paras[3:]]), 3, source="nippon"),
        article("lead_cut", "\n\n".join(paras[1:]), -1, source="japantimes"),  # earliest: the representative
        article("same_event", SAME_EVENT, 1, source="tass"),
        article("unrelated", UNRELATED, 1, source="tass"),
        article("empty", "", 1),
        article("empty2", "", 2),
    ]
    out = _by_id(run_dedup(articles, [], "r1", tmp_path)["articles"])
    assert set(out) == {a["article_id"] for a in articles}  # nothing dropped
    cluster = {aid for aid, a in out.items() if a["cluster_id"] == "lead_cut"}
    assert cluster == {"orig", "exact", "reordered", "lead_cut"}
    assert not out["lead_cut"]["is_duplicate"] and out["lead_cut"]["duplicate_of"] is None
    assert all(
        out[a]["is_duplicate"] and out[a]["duplicate_of"] == "lead_cut" for a in cluster - {"lead_cut"}
    )
    for alone in ("same_event", "unrelated", "empty", "empty2"):  # empty bodies are not copies of each other
        assert out[alone]["cluster_id"] == alone and not out[alone]["is_duplicate"]
    assert out["orig"]["content_hash"] == out["exact"]["content_hash"]
    assert out["orig"]["agency"] == "JIJI Press"
    assert out["reordered"]["agency"] == "JIJI Press"  # filled from its cluster: wire copy
    assert out["same_event"]["agency"] == "TASS"


def test_bad_input_is_rejected_with_a_reason_and_identities_are_merged(tmp_path: Path) -> None:
    naive = article("naive", UNRELATED, 0)
    naive["published_at"] = datetime(2024, 1, 1)  # no time zone
    twice = [article("same", JIJI, 0), article("same", JIJI + "\nMore text at the end of it.", 0)]
    twice[1]["fetched_at"] = T0 + timedelta(days=1)
    bad_body = {**article("bad", UNRELATED, 0), "body": b"x"}
    outputs = run_dedup([*twice, naive, {"body": "no id"}, bad_body], [], "r1", tmp_path)
    assert {r["reason"] for r in outputs["rejects"]} == {
        "naive_published_at",
        "missing_article_id",
        "bad_body",
    }
    assert all(r["stage"] == "deduplicate" and r["run_id"] == "r1" for r in outputs["rejects"])
    assert [a["article_id"] for a in outputs["articles"]] == ["same"]
    assert outputs["articles"][0]["body"].endswith("More text at the end of it.")  # the latest fetch wins


def test_assert_that_on_the_articles_output() -> None:
    articles = [article("a", JIJI, 0), article("b", JIJI, 1), article("c", UNRELATED, 0)]
    with beam.Pipeline(runner="FnApiRunner") as p:
        out = p | beam.Create(articles) | DeduplicateArticles(run_id="r")
        flags = out["articles"] | beam.Map(lambda a: (a["article_id"], a["cluster_id"], a["duplicate_of"]))
        assert_that(flags, equal_to([("a", "a", None), ("b", "a", "a"), ("c", "c", None)]))
        assert_that(out["signatures"] | beam.Map(lambda r: r["reason"]), equal_to(["new"] * 3), label="sigs")


def test_history_parameters_must_match(tmp_path: Path) -> None:
    params = DedupParams()  # history sketched with the defaults (128 values)
    sketch = make_sketch(article("a", JIJI, 0), params)
    row = signature_row(sketch, cluster_id="a", is_duplicate=False, duplicate_of=None, agency=None,
                        params=params, run_id="r1", decided_at=T0)  # fmt: skip
    hist = write_signatures([row], tmp_path / "sig.parquet")
    with pytest.raises(Exception, match="num_perm"):
        run_dedup([article("b", JIJI, 1)], [hist], "r2", tmp_path, num_perm=64, bands=16)


def test_an_earlier_copy_takes_over_as_representative_and_history_is_revised(tmp_path: Path) -> None:
    out1 = run_dedup([article("h1", JIJI, 5), article("h2", JIJI, 6)], [], "r1", tmp_path)
    hist = write_signatures(out1["signatures"], tmp_path / "r1.parquet")
    out2 = run_dedup([article("n1", "\n\n".join(paragraphs(JIJI)[1:]), 1)], [hist], "r2", tmp_path)
    assert out2["articles"][0]["cluster_id"] == "h1"  # the cluster id is stable
    assert not out2["articles"][0]["is_duplicate"]
    revised = {
        r["article_id"]: (r["is_duplicate"], r["duplicate_of"], r["reason"]) for r in out2["revisions"]
    }
    assert revised == {
        "h1": (True, "n1", "representative_changed"),
        "h2": (True, "n1", "representative_changed"),
    }
    sig2 = write_signatures(out2["signatures"], tmp_path / "r2.parquet")

    # run three sees the revised state: a later copy points at n1, and nothing is revised again
    out3 = run_dedup([article("x1", JIJI, 9)], [hist, sig2], "r3", tmp_path)
    assert (out3["articles"][0]["cluster_id"], out3["articles"][0]["duplicate_of"]) == ("h1", "n1")
    assert out3["revisions"] == []


def test_a_new_article_bridging_two_history_clusters_merges_them(tmp_path: Path) -> None:
    paras = paragraphs(JIJI)
    first_half = "\n\n".join(paras[:3])
    second_half = "\n\n".join(paras[2:])
    out1 = run_dedup([article("g1", first_half, 0), article("k1", second_half, 1)], [], "r1", tmp_path)
    assert {a["cluster_id"] for a in out1["articles"]} == {"g1", "k1"}  # not copies of each other
    hist = write_signatures(out1["signatures"], tmp_path / "r1.parquet")
    out2 = run_dedup([article("full", JIJI, 3)], [hist], "r2", tmp_path)
    assert out2["articles"][0]["cluster_id"] == "g1"
    assert {(r["article_id"], r["cluster_id"], r["reason"]) for r in out2["revisions"]} == {
        ("k1", "g1", "clusters_merged")
    }
