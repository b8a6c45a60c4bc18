"""``articles`` and ``mentions`` over the state the catalog materialises give the rows that the
query-time definitions they replaced gave, row for row (those definitions are kept below as the oracle).

The catalog resolves at build time which rows are not their article's latest, which flags the dedup
ledger revised and which mentions are stale (``warehouse/sql/state/``); the oracle recomputes all of it
in every query, as the catalog did before. Both run on the same base views, for a warehouse written
through the real writer with every corner case the SQL comments name, and for random tables.
"""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whtest import T0, article, mention, write_rows

import schemas
from schemas.duckdb import duckdb_type
from warehouse import Warehouse, catalog
from warehouse.catalog import DERIVED_TABLES, DERIVED_VIEWS, read_meta

# The definitions of the views as they were before the state tables (warehouse/sql/views/00_articles.sql
# and 01_mentions.sql at commit 051cd77), under other names: the oracle.
REFERENCE_SQL = """
CREATE OR REPLACE TEMP VIEW dedup_state_reference AS
SELECT article_id, cluster_id, is_duplicate, duplicate_of, agency, reason, run_id AS decided_by_run,
       decided_at
FROM signatures
QUALIFY row_number() OVER (PARTITION BY article_id ORDER BY decided_at DESC, run_id DESC) = 1;

CREATE OR REPLACE TEMP VIEW articles_reference AS
WITH latest AS (
    SELECT article_id,
           max((coalesce(version, 1), coalesce(fetched_at, '-infinity'), coalesce(run_id, ''))) AS rank
    FROM article_rows
    GROUP BY article_id
)
SELECT a.* REPLACE (
    CASE WHEN d.article_id IS NULL THEN a.agency ELSE d.agency END AS agency,
    CASE WHEN d.article_id IS NULL THEN a.cluster_id ELSE d.cluster_id END AS cluster_id,
    CASE WHEN d.article_id IS NULL THEN a.is_duplicate ELSE d.is_duplicate END AS is_duplicate,
    CASE WHEN d.article_id IS NULL THEN a.duplicate_of ELSE d.duplicate_of END AS duplicate_of
)
FROM article_rows AS a
SEMI JOIN latest AS l
    ON l.article_id = a.article_id
   AND l.rank = (coalesce(a.version, 1), coalesce(a.fetched_at, '-infinity'), coalesce(a.run_id, ''))
LEFT JOIN dedup_state_reference AS d ON d.article_id = a.article_id;

CREATE OR REPLACE TEMP VIEW mentions_reference AS
SELECT m.*
FROM mention_rows AS m
ANTI JOIN articles_reference AS a
    ON a.article_id = m.article_id
   AND a.run_id IS DISTINCT FROM m.run_id;
"""


def rows_of(con: duckdb.DuckDBPyConnection, name: str) -> list[tuple[Any, ...]]:
    """Every row of ``name``, every column, in one canonical order (repr sorts NULLs and lists too)."""
    return sorted(con.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)


def assert_same_as_reference(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(REFERENCE_SQL)
    for view in ("articles", "mentions", "dedup_state"):
        described = con.execute(f"DESCRIBE {view}").fetchall()
        reference = con.execute(f"DESCRIBE {view}_reference").fetchall()
        assert described == reference, view
        assert rows_of(con, view) == rows_of(con, f"{view}_reference"), view


def ledger(art: str, run_id: str, decided_hours: float, **flags: Any) -> dict[str, Any]:
    """A ``signatures`` row deciding about ``art``, ``decided_hours`` after T0."""
    row = {
        "article_id": art, "cluster_id": art, "is_duplicate": False, "duplicate_of": None,
        "published_at": T0, "num_shingles": 10, "signature": [1, 2], "num_perm": 2, "seed": 1,
        "shingle_k": 5, "agency": None, "source_id": "tass", "run_id": run_id,
        "decided_at": T0 + timedelta(hours=decided_hours), "reason": "new",
    }  # fmt: skip
    row.update(flags)
    return row


def commit(wh: Warehouse, run_id: str, tables: dict[str, list[dict[str, Any]]]) -> None:
    files = [f for table, rows in tables.items() if rows for f in write_rows(wh, table, run_id, rows)]
    assert wh.commit(run_id, files)


@pytest.fixture(scope="module")
def corners(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """Three runs over every case the views' comments describe."""
    wh = Warehouse(tmp_path_factory.mktemp("corners") / "wh")
    later = T0 + timedelta(days=1)
    v1 = article(1, version=1)
    revised = article(2)  # its ledger flags are revised by r2
    retagged = article(3)  # r2 tags it again without writing a new row
    tie_a = article(4, title="Tie A", version=2)
    tie_b = article(4, source="tass", title="Tie B", version=2, published_at=T0 + timedelta(days=400))
    no_version = article(5, version=None)
    no_fetch = article(6, fetched_at=None)
    no_run = article(7, run_id=None)
    unknown = article(8, cluster_id="mine", is_duplicate=True, duplicate_of="tass-1", agency="Kyodo")
    commit(wh, "r1", {
        "articles": [v1, revised, retagged, tie_a, tie_b, no_version, no_fetch, no_run, unknown],
        "mentions": [mention(a) for a in (v1, revised, retagged, tie_a, no_version, no_fetch)]
                    + [mention(no_run, run_id=None), mention(no_run, run_id="r1")]
                    + [mention(article(99), run_id="r1")],  # an orphan: tass-99 has no article row
        # the ledger agrees with every row it knows of; tass-8 it never saw, tass-50 was never written
        "signatures": [ledger(f"tass-{n}", "r1", 0, cluster_id=f"c{n}") for n in (1, 2, 3, 4, 5, 6, 7)]
                      + [ledger("tass-50", "r1", 0)],
    })  # fmt: skip
    v2 = article(1, run_id="r2", version=2, fetched_at=later, body="Lavrov met Kamikawa again, in Moscow.")
    same_version_later = article(5, run_id="r2", version=1, fetched_at=later)  # NULL version == 1
    commit(wh, "r2", {
        "articles": [v2, same_version_later, article(6, run_id="r2", fetched_at=T0 - timedelta(days=1)),
                     article(7, run_id=None, version=2, title="Seven again")],  # no run id either
        "mentions": [mention(v2), mention(same_version_later), mention(article(3, run_id="r2"))],
        "signatures": [
            ledger("tass-2", "r2", 5, cluster_id="tass-9", is_duplicate=True, duplicate_of="tass-9",
                   agency="JIJI Press", reason="representative_changed"),
            # two decisions at the same time: the later run wins
            ledger("tass-3", "r2", 0, cluster_id="c3", agency="TASS"),
            # an earlier decision than r1's: r1's stays current
            ledger("tass-4", "r2", -5, cluster_id="other", is_duplicate=True),
        ],
    })  # fmt: skip
    commit(wh, "r3", {
        "articles": [article(10, run_id="r3", version=3)],
        # r2's revision of tass-2 is revised back to what its row says: no override, though r2's differs
        "signatures": [ledger("tass-2", "r3", 5, cluster_id="c2", reason="clusters_merged")],
    })  # fmt: skip
    return wh


def test_the_views_answer_as_the_reference_row_for_row(corners: Warehouse) -> None:
    with corners.connect() as con:
        assert_same_as_reference(con)


def test_the_corner_cases_are_really_there(corners: Warehouse) -> None:
    """The scenario is not vacuous: every case shows in the reference's answer."""
    with corners.connect() as con:
        con.execute(REFERENCE_SQL)
        shown = con.execute("SELECT article_id, title, version, run_id, cluster_id, is_duplicate, agency "
                            "FROM articles_reference ORDER BY ALL").fetchall()  # fmt: skip
        hidden = con.execute("SELECT article_id, run_id FROM mention_rows EXCEPT ALL "
                             "SELECT article_id, run_id FROM mentions_reference ORDER BY ALL").fetchall()
        superseded = con.execute("SELECT count(*) FROM article_superseded").fetchall()
        overrides = con.execute("SELECT article_id FROM dedup_overrides ORDER BY 1").fetchall()
    titles = {(r[0], r[1]) for r in shown}
    assert ("tass-4", "Tie A") in titles and ("tass-4", "Tie B") in titles  # a tie keeps both rows
    assert ("tass-1", 2, "r2") in {(r[0], r[2], r[3]) for r in shown}  # the newer version
    assert ("tass-2", "c2", False, None) in {(r[0], r[4], r[5], r[6]) for r in shown}  # r3 undid r2
    assert ("tass-3", "c3", "TASS") in {(r[0], r[4], r[6]) for r in shown}  # the later run of a tie
    assert ("tass-8", "mine", True, "Kyodo") in {(r[0], r[4], r[5], r[6]) for r in shown}  # not in ledger
    # a new version (1), a re-tagging without a new row (3), a row outranked on fetched_at (5, 6) and a
    # row without a run id (7: its mention without one stays, the one of r1 goes); the orphan stays
    assert hidden == [
        ("tass-1", "r1"), ("tass-3", "r2"), ("tass-5", "r1"), ("tass-6", "r1"), ("tass-7", "r1")]  # fmt: skip
    assert ("tass-7", "Seven again", 2, None) in {r[:4] for r in shown}
    assert superseded == [(4,)] and overrides == [("tass-3",)]


def test_the_state_is_materialised(corners: Warehouse) -> None:
    meta = read_meta(corners.catalog_path)
    assert meta is not None and meta["derived"] == DERIVED_TABLES and float(meta["derived_seconds"]) >= 0
    with duckdb.connect(str(corners.catalog_path), read_only=True) as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert {"article_superseded", "dedup_overrides", "stale_mention_runs"} <= tables


def test_the_views_stay_right_after_compaction(corners: Warehouse, tmp_path: Path) -> None:
    wh = Warehouse(tmp_path / "copy")
    shutil.copytree(corners.root, wh.root)
    wh.ensure_catalog()  # moved: rebuilt for the new root
    with wh.connect() as con:
        before = {v: rows_of(con, v) for v in ("articles", "mentions")}
    assert wh.compact()
    with wh.connect() as con:
        assert {v: rows_of(con, v) for v in ("articles", "mentions")} == before
        assert_same_as_reference(con)


def test_an_unreadable_file_makes_the_state_views_not_tables(tmp_path: Path) -> None:
    """A committed file whose data cannot be read (its footer can: the base views bind) must not stop the
    catalog: the state becomes views (the query-time behaviour of old) and every query not reading that
    file still works; the catalog is not current, so the next command tries again."""
    wh = Warehouse(tmp_path / "wh")
    art = article(1)
    commit(wh, "r1", {"articles": [art], "mentions": [mention(art)], "runs": [{"run_id": "r1"}]})
    mentions_file = wh.committed_files("mentions")[0]
    saved = mentions_file.read_bytes()
    damaged = bytearray(saved)
    damaged[4:200] = bytes(196)  # the first data page; the footer at the end stays intact
    mentions_file.write_bytes(bytes(damaged))
    catalog.build_catalog(wh.root, *wh._read())
    assert read_meta(wh.catalog_path)["derived"] == DERIVED_VIEWS and not wh.catalog_is_current()
    with duckdb.connect(str(wh.catalog_path), read_only=True) as con:
        assert con.execute("SELECT run_id FROM runs").fetchall() == [("r1",)]
        assert con.execute("SELECT article_id FROM articles").fetchall() == [("tass-1",)]
        with pytest.raises(duckdb.Error):
            con.execute("SELECT * FROM mentions").fetchall()
    mentions_file.write_bytes(saved)
    assert wh.query("SELECT count(*) AS n FROM mentions").to_pylist() == [{"n": 1}]
    assert read_meta(wh.catalog_path)["derived"] == DERIVED_TABLES and wh.catalog_is_current()


# -- random tables ------------------------------------------------------------------------------------

IDS = ["a", "b", "c", "d"]
RUNS = ["r1", "r2", "r3", None, ""]
FLAGS = st.fixed_dictionaries({
    "cluster_id": st.sampled_from(["a", "b", "c"]),
    "is_duplicate": st.booleans(),
    "duplicate_of": st.sampled_from([None, "a", "b"]),
    "agency": st.sampled_from([None, "TASS", "Kyodo"]),
})  # fmt: skip
HOURS = st.sampled_from([None, 0, 1, 2])


@st.composite
def article_rows(draw: st.DrawFn) -> dict[str, Any]:
    hours = draw(HOURS)
    flags = draw(st.one_of(st.none(), FLAGS))
    return {
        **article(0, run_id=draw(st.sampled_from(RUNS))),
        "article_id": draw(st.sampled_from(IDS)),
        "title": draw(st.sampled_from(["x", "y"])),
        "version": draw(st.sampled_from([None, 1, 2])),
        "fetched_at": None if hours is None else T0 + timedelta(hours=hours),
        **(flags or {"cluster_id": None, "is_duplicate": None}),
    }


@st.composite
def ledger_rows(draw: st.DrawFn) -> dict[str, Any]:
    return ledger(draw(st.sampled_from([*IDS, "z"])), draw(st.sampled_from(["r1", "r2", "r3"])),
                  draw(st.sampled_from([0, 1, 2])), **draw(FLAGS))


@st.composite
def mention_rows(draw: st.DrawFn) -> dict[str, Any]:
    return {"article_id": draw(st.sampled_from([*IDS, "orphan"])), "entity_id": "Q1",
            "start": draw(st.integers(0, 3)), "run_id": draw(st.sampled_from(RUNS))}  # fmt: skip


def _unique_decisions(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One ledger row per (article, decided_at, run): a full tie has no defined winner in either view."""
    seen: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        seen.setdefault((row["article_id"], row["decided_at"], row["run_id"]), row)
    return list(seen.values())


def _base_table(con: duckdb.DuckDBPyConnection, name: str, table: str, rows: list[dict[str, Any]]) -> None:
    data = schemas.to_table(rows, schemas.TABLES[table])
    con.register("input_rows", data)
    select = ", ".join(f'CAST("{f.name}" AS {duckdb_type(f.type)}) AS "{f.name}"' for f in data.schema)
    con.execute(f'CREATE TABLE "{name}" AS SELECT {select} FROM input_rows')
    con.unregister("input_rows")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    articles=st.lists(article_rows(), max_size=10),
    decisions=st.lists(ledger_rows(), max_size=8),
    mentions=st.lists(mention_rows(), max_size=8),
)
def test_random_tables_answer_as_the_reference(
    articles: list[dict[str, Any]], decisions: list[dict[str, Any]], mentions: list[dict[str, Any]]
) -> None:
    with duckdb.connect() as con:
        _base_table(con, "article_rows", "articles", articles)
        _base_table(con, "mention_rows", "mentions", mentions)
        _base_table(con, "signatures", "signatures", _unique_decisions(decisions))
        assert catalog.create_derived(con) == DERIVED_TABLES
        for path in catalog.analyst_sql()[:2]:  # views/00_articles.sql, views/01_mentions.sql
            con.execute(path.read_text())
        assert_same_as_reference(con)

