"""The catalog's dedup views over real committed files: ``articles`` (latest version, ledger flags),
``article_versions``, ``mentions`` of the current version, ``syndication``, and the data checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from dedup_support import JIJI, SAME_EVENT, T0, UNRELATED, article, commit_rows, paragraphs, run_tail

from schemas import ARTICLES, MENTIONS
from schemas.duckdb import duckdb_type
from warehouse import Warehouse, run_checks

DECIDED = datetime(2030, 1, 1, tzinfo=UTC)


def _mention(row: dict, surface: str) -> dict:
    start = row["body"].index(surface)
    return {"article_id": row["article_id"], "entity_id": f"Q-{surface.lower()}", "surface": surface,
            "start": start, "end": start + len(surface), "field": "body", "source_id": row["source_id"],
            "run_id": row["run_id"]}  # fmt: skip


def _describe(wh: Warehouse, name: str) -> list[tuple[str, str]]:
    return [(r["column_name"], r["column_type"]) for r in wh.query(f"DESCRIBE {name}").to_pylist()]


def _files(wh: Warehouse, table: str) -> list[str]:
    return [str(p) for p in wh.committed_files(table)]


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory) -> tuple[Warehouse, dict[str, int], dict[str, dict]]:
    """Run two brings a retitled JIJI copy, a new version of an old article, an unchanged re-fetch and a
    different story on the same event; both runs are committed to a real warehouse."""
    tmp = tmp_path_factory.mktemp("views")
    wh = Warehouse(tmp / "wh")
    old_version = article("tass1", SAME_EVENT, -30, source="tass", title="Rudenko: Moscow will answer")
    run1 = [
        article("jiji1", JIJI, 0, title="Japan to keep Russia sanctions, Kamikawa says"),
        old_version,
        article("port1", UNRELATED, -5, source="tass", title="Port reopens"),
    ]
    out1, _ = run_tail(run1, [], [], "r1", tmp, DECIDED)
    arts1 = [{**a, "run_id": "r1"} for a in out1["articles"]]
    tass1_v1 = next(a for a in arts1 if a["article_id"] == "tass1")
    commit_rows(wh, "r1", {"articles": arts1, "signatures": out1["signatures"],
                           "mentions": [_mention(tass1_v1, "Rudenko")]})  # fmt: skip

    paras = paragraphs(JIJI)
    retitled_copy = "\n\n".join(["JIJI Press", *paras[1:3], paras[4], paras[3]]).replace("Since 1975\n", "")
    later = timedelta(days=2)
    run2 = [
        article("an1", retitled_copy, 5, source="japanforward", title="Tokyo stands firm on sanctions"),
        article("tass1", "Moscow, in brief. " + SAME_EVENT + "\n\nRudenko added that a reply had been sent.",
                -30, source="tass", title="Rudenko: Moscow will answer Tokyo"),
        # an unchanged re-fetch: other whitespace and punctuation, same words
        article("port1", UNRELATED.replace("\n\n", "\n\n\n") + " ", -5, source="tass", title="Port reopens!"),
        article("sputnik1", SAME_EVENT.replace("/TASS/.", "(RIA Novosti) –").replace("Friday", "Thursday")
                 .replace("He said consultations", "Consultations").split("\n\n")[0]
                 + "\n\nRussian officials said the ministry would publish its reply to Japan next week, "
                 "and that talks with Japanese fishing groups would continue in Yuzhno-Sakhalinsk in April.",
                 2, source="sputnik"),
    ]  # fmt: skip
    run2 = [{**a, "fetched_at": a["fetched_at"] + later} for a in run2]
    out2, counters = run_tail(
        run2, _files(wh, "articles"), _files(wh, "signatures"), "r2", tmp, DECIDED + timedelta(days=1)
    )
    arts2 = [{**a, "run_id": "r2"} for a in out2["articles"]]
    tass1_v2 = next(a for a in arts2 if a["article_id"] == "tass1")
    commit_rows(wh, "r2", {"articles": arts2, "signatures": out2["signatures"],
                           "mentions": [_mention(tass1_v2, "Rudenko")]})  # fmt: skip
    return wh, counters, {a["article_id"]: a for a in arts2}


def test_run_two_writes_new_articles_and_the_new_version_only(two_runs) -> None:
    _, counters, written = two_runs
    assert sorted(written) == ["an1", "sputnik1", "tass1"]  # port1 was unchanged: nothing written
    assert written["tass1"]["version"] == 2 and written["an1"]["version"] == 1
    assert counters["versions_unchanged"] == 1 and counters["versions_new"] == 1


def test_articles_is_one_row_per_article_with_the_latest_version(two_runs) -> None:
    wh, _, _ = two_runs
    rows = {r["article_id"]: r for r in wh.query("SELECT * FROM articles").to_pylist()}
    assert sorted(rows) == ["an1", "jiji1", "port1", "sputnik1", "tass1"]
    assert (rows["tass1"]["version"], rows["tass1"]["title"]) == (2, "Rudenko: Moscow will answer Tokyo")
    flags = {aid: (r["cluster_id"], r["is_duplicate"], r["duplicate_of"]) for aid, r in rows.items()}
    assert flags["an1"] == ("jiji1", True, "jiji1")  # the retitled JIJI copy joins the history cluster
    assert flags["jiji1"] == ("jiji1", False, None)
    assert flags["tass1"] == ("tass1", False, None)  # the new version stays in its own cluster
    assert flags["sputnik1"] == ("sputnik1", False, None)  # same event, different story
    assert rows["an1"]["agency"] == "JIJI Press"
    assert _describe(wh, "articles") == [(f.name, duckdb_type(f.type)) for f in ARTICLES]
    assert wh.query("SELECT count(*) AS n FROM article_rows").to_pylist() == [{"n": 6}]


def test_article_versions_lists_every_version_with_what_changed(two_runs) -> None:
    wh, _, _ = two_runs
    rows = wh.query(
        "SELECT version, changed, first_seen_at, last_seen_at, superseded_at, is_current, run_id "
        "FROM article_versions WHERE article_id = 'tass1' ORDER BY version"
    ).to_pylist()
    v1_seen = T0 + timedelta(hours=-29)
    v2_seen = v1_seen + timedelta(days=2)
    assert [(r["version"], r["changed"], r["run_id"], r["is_current"]) for r in rows] == [
        (1, [], "r1", False),
        (2, ["title", "body"], "r2", True),
    ]
    assert (rows[0]["first_seen_at"], rows[0]["last_seen_at"], rows[0]["superseded_at"]) == (
        v1_seen, v1_seen, v2_seen)  # fmt: skip
    assert (rows[1]["first_seen_at"], rows[1]["superseded_at"]) == (v2_seen, None)
    single = wh.query(
        "SELECT max(version) AS v, count(*) AS n FROM article_versions WHERE article_id = 'port1'"
    )
    assert single.to_pylist() == [{"v": 1, "n": 1}]  # the unchanged re-fetch made no version


def test_mentions_are_those_of_the_current_version(two_runs) -> None:
    wh, _, written = two_runs
    current = wh.query("SELECT start, run_id FROM mentions WHERE article_id = 'tass1'").to_pylist()
    assert current == [{"start": written["tass1"]["body"].index("Rudenko"), "run_id": "r2"}]
    every = wh.query("SELECT count(*) AS n FROM mention_rows WHERE article_id = 'tass1'").to_pylist()
    assert every == [{"n": 2}]
    assert _describe(wh, "mentions") == [(f.name, duckdb_type(f.type)) for f in MENTIONS]


def test_syndication_shows_the_first_publisher_and_the_delay(two_runs) -> None:
    wh, _, _ = two_runs
    rows = wh.query(
        "SELECT cluster_id, agency, copies, first_article_id, first_source_id, repeat_article_id, "
        "repeated_by, delay_seconds, delay = INTERVAL 5 HOURS AS five_hours FROM syndication"
    ).to_pylist()
    assert rows == [{
        "cluster_id": "jiji1", "agency": "JIJI Press", "copies": 2, "first_article_id": "jiji1",
        "first_source_id": "arabnews", "repeat_article_id": "an1", "repeated_by": "japanforward",
        "delay_seconds": 5 * 3600.0, "five_hours": True,
    }]  # fmt: skip


def test_data_checks_pass_over_two_versions(two_runs) -> None:
    wh, _, _ = two_runs
    failed = [str(r) for r in run_checks(wh) if not r.passed]
    assert failed == []


def test_articles_shows_flags_revised_by_a_later_run(tmp_path: Path) -> None:
    """An earlier copy found later becomes the representative: the old rows are not rewritten, the
    ledger's revision rows change what ``articles`` shows."""
    wh = Warehouse(tmp_path / "wh")
    out1, _ = run_tail([article("h1", JIJI, 5), article("h2", JIJI, 6)], [], [], "r1", tmp_path, DECIDED)
    commit_rows(wh, "r1", {"articles": out1["articles"], "signatures": out1["signatures"]})
    earlier = article("n1", "\n\n".join(paragraphs(JIJI)[1:]), 1)
    out2, _ = run_tail([earlier], _files(wh, "articles"), _files(wh, "signatures"), "r2", tmp_path,
                       DECIDED + timedelta(days=1))  # fmt: skip
    commit_rows(wh, "r2", {"articles": out2["articles"], "signatures": out2["signatures"]})

    rows = wh.query("SELECT article_id, cluster_id, is_duplicate, duplicate_of FROM article_rows "
                    "WHERE article_id = 'h1'").to_pylist()  # fmt: skip
    assert rows == [{"article_id": "h1", "cluster_id": "h1", "is_duplicate": False, "duplicate_of": None}]
    shown = wh.query("SELECT article_id, cluster_id, is_duplicate, duplicate_of FROM articles ORDER BY 1")
    assert [tuple(r.values()) for r in shown.to_pylist()] == [
        ("h1", "h1", True, "n1"),
        ("h2", "h1", True, "n1"),
        ("n1", "h1", False, None),
    ]
    state = wh.query("SELECT article_id, reason, decided_by_run FROM dedup_state ORDER BY 1").to_pylist()
    assert [(r["reason"], r["decided_by_run"]) for r in state] == [
        ("representative_changed", "r2"), ("representative_changed", "r2"), ("new", "r2")]  # fmt: skip
    assert [str(r) for r in run_checks(wh) if not r.passed] == []


def test_articles_without_ledger_rows_keep_their_own_flags(tmp_path: Path) -> None:
    """Rows written without dedup (a loaded warehouse, rows from before the ledger) show as written."""
    wh = Warehouse(tmp_path / "wh")
    row = {**article("a1", UNRELATED, 0), "cluster_id": "c9", "is_duplicate": True, "duplicate_of": "a0",
           "agency": "Kyodo", "version": None}  # fmt: skip
    commit_rows(wh, "r1", {"articles": [row, {**article("a0", JIJI, -1), "version": None}]})
    shown = wh.query("SELECT cluster_id, is_duplicate, duplicate_of, agency, version FROM articles "
                     "WHERE article_id = 'a1'").to_pylist()  # fmt: skip
    assert shown == [{"cluster_id": "c9", "is_duplicate": True, "duplicate_of": "a0", "agency": "Kyodo",
                      "version": None}]  # fmt: skip
    versions = wh.query("SELECT version, changed FROM article_versions WHERE article_id = 'a1'").to_pylist()
    assert versions == [{"version": 1, "changed": []}]
