"""Two runs of the sample on one warehouse: edition 1, then edition 2 (and edition 2 again), in DuckDB.

Edition 2 (pipeline/sample/content/updates.toml) brings a retitled re-run of a JIJI Press story on a
new Arab News node, a new version of the Kyodo salmon-quota article at the same URL (its feed item
gains a later ``<atom:updated>``), a TASS story on the same event as the JIJI one (the hard negative)
and two ordinary new articles.
"""

from __future__ import annotations

import json
import tomllib
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.e2e.conftest import REPO, dipnews, query, table_snapshot

pytestmark = pytest.mark.slow

EXPECTED2 = REPO / "pipeline" / "sample" / "expected-edition2.json"
CONTENT = REPO / "pipeline" / "sample" / "content"
SALMON = "arabnews-kyodo-salmon-quota-v2"
JIJI_FIRST, JIJI_JF, JIJI_RERUN = (
    "arabnews-jiji-island-drills-protest",
    "jf-jiji-island-drills-protest",
    "arabnews-jiji-island-drills-rerun",
)
HARD_NEGATIVE = "tass-zakharova-rejects-drills-protest"
SAME_EVENT_TASS = "tass-kurils-coastal-drills"
#: the tables a run writes to; a run that adds nothing leaves all of them as they were
WRITTEN = ("article_rows", "mention_rows", "signatures", "rejects")


@pytest.fixture(scope="module")
def expected2() -> dict:
    return json.loads(EXPECTED2.read_text(encoding="utf-8"))


def _run(warehouse: Path, *args: str) -> None:
    proc = dipnews("run", "--sample", "--warehouse", str(warehouse), *args)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-5000:]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """Edition 1, then edition 2."""
    root = tmp_path_factory.mktemp("two_runs") / "wh"
    _run(root)
    _run(root, "--sample-edition", "2")
    return root


def _id(warehouse: Path, url: str) -> str:
    rows = query(warehouse, f"SELECT DISTINCT article_id FROM article_rows WHERE url = '{url}'")
    assert len(rows) == 1, f"{url}: {rows}"
    return rows[0][0]


def _flags(warehouse: Path, article_id: str) -> tuple:
    columns = "cluster_id, is_duplicate, duplicate_of, agency"
    rows = query(warehouse, f"SELECT {columns} FROM articles WHERE article_id = '{article_id}'")
    assert len(rows) == 1, rows
    return rows[0]


def test_the_retitled_jiji_copy_joins_the_jiji_cluster(warehouse: Path, expected2: dict) -> None:
    first, jf, rerun = (_id(warehouse, expected2[k]["url"]) for k in (JIJI_FIRST, JIJI_JF, JIJI_RERUN))
    assert _flags(warehouse, first) == (first, False, None, "JIJI Press")
    assert _flags(warehouse, rerun) == (first, True, first, "JIJI Press")
    assert _flags(warehouse, jf)[:3] == (first, True, first)
    titles = dict(query(warehouse, f"SELECT article_id, title FROM articles WHERE cluster_id = '{first}'"))
    assert titles[rerun] == expected2[JIJI_RERUN]["title"] != titles[first]


def test_the_same_event_story_keeps_its_own_cluster(warehouse: Path, expected2: dict) -> None:
    negative = _id(warehouse, expected2[HARD_NEGATIVE]["url"])
    assert _flags(warehouse, negative)[:3] == (negative, False, None)
    members = query(warehouse, f"SELECT count(*) FROM articles WHERE cluster_id = '{negative}'")
    assert members == [(1,)]
    other = _id(warehouse, expected2[SAME_EVENT_TASS]["url"])
    jiji = _id(warehouse, expected2[JIJI_FIRST]["url"])
    assert _flags(warehouse, other)[0] not in (negative, jiji)


def _story_paragraphs(content_file: str, key: str) -> list[str]:
    stories = tomllib.loads((CONTENT / content_file).read_text(encoding="utf-8"))["article"]
    body = next(s["body"] for s in stories if s["key"] == key)
    return [p.strip() for p in body.strip().split("\n\n")]


def test_the_new_version_is_one_article_row_with_version_two(warehouse: Path, expected2: dict) -> None:
    salmon = _id(warehouse, expected2[SALMON]["url"])
    old = _story_paragraphs("arabnews.toml", "arabnews-kyodo-salmon-quota")
    new_paragraphs = [p for p in _story_paragraphs("updates.toml", SALMON) if p not in old]
    assert new_paragraphs, "edition 2 must change the salmon-quota body"
    rows = query(warehouse, f"SELECT version, body, modified_at FROM articles WHERE article_id = '{salmon}'")
    assert len(rows) == 1
    version, body, modified_at = rows[0]
    assert version == 2
    assert all(p in body for p in new_paragraphs)
    assert modified_at == datetime.fromisoformat(expected2[SALMON]["modified_at"])


def test_article_versions_keeps_both_versions_and_what_changed(warehouse: Path, expected2: dict) -> None:
    salmon = _id(warehouse, expected2[SALMON]["url"])
    rows = query(
        warehouse,
        "SELECT version, changed, first_seen_at, last_seen_at, superseded_at, is_current, body "
        f"FROM article_versions WHERE article_id = '{salmon}' ORDER BY version",
    )
    assert [(r[0], r[1], r[5]) for r in rows] == [(1, [], False), (2, ["body"], True)]
    (_, _, first1, last1, superseded1, _, body1), (_, _, first2, last2, superseded2, _, body2) = rows
    assert first1 <= last1 < first2 <= last2 and superseded1 == first2 and superseded2 is None
    assert body1 != body2
    # the same node's identity (one article_id) is not a second article
    assert query(warehouse, f"SELECT count(*) FROM articles WHERE article_id = '{salmon}'") == [(1,)]


def test_syndication_lists_the_jiji_cluster_with_first_publisher_and_delay(
    warehouse: Path, expected2: dict
) -> None:
    first, jf, rerun = (_id(warehouse, expected2[k]["url"]) for k in (JIJI_FIRST, JIJI_JF, JIJI_RERUN))
    rows = query(
        warehouse,
        "SELECT first_article_id, first_source_id, agency, copies, repeat_article_id, repeated_by, delay "
        f"FROM syndication WHERE cluster_id = '{first}' ORDER BY delay",
    )
    published = {
        k: datetime.fromisoformat(expected2[k]["published_at"]) for k in (JIJI_FIRST, JIJI_JF, JIJI_RERUN)
    }
    assert rows == [
        (first, "arabnews", "JIJI Press", 3, jf, "sankei", published[JIJI_JF] - published[JIJI_FIRST]),
        (
            first,
            "arabnews",
            "JIJI Press",
            3,
            rerun,
            "arabnews",
            published[JIJI_RERUN] - published[JIJI_FIRST],
        ),
    ]
    assert rows[0][-1] == timedelta(hours=4, minutes=35)


def test_the_data_checks_pass_after_two_runs(warehouse: Path) -> None:
    proc = dipnews("check", "--warehouse", str(warehouse))
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]


def test_a_third_run_of_edition_two_adds_nothing(warehouse: Path, tmp_path: Path) -> None:
    before = {t: table_snapshot(warehouse, t) for t in (*WRITTEN, "articles", "article_versions")}
    _run(warehouse, "--sample-edition", "2")
    after = {t: table_snapshot(warehouse, t) for t in before}
    assert after == before
    last = query(warehouse, "SELECT entries_new, pages_fetched, articles_written FROM runs "
                            "ORDER BY started_at DESC LIMIT 1")  # fmt: skip
    assert last == [(0, 0, 0)]
