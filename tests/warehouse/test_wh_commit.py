"""The commit protocol: visibility, idempotence, verification of files, state maps."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from whtest import article, count, run_row, write_rows, write_run

from warehouse import CommitError, FileEntry, Warehouse, write_partition


def test_empty_warehouse_reads_as_empty(wh: Warehouse) -> None:
    assert wh.manifest().version == 0
    assert wh.committed_runs() == set() and wh.committed_files("articles") == [] and wh.state() == {}
    assert count(wh, "articles") == 0
    assert not (wh.root / "_manifest" / "manifest.json").exists()


def test_written_files_are_invisible_until_committed(wh: Warehouse) -> None:
    files = write_run(wh, "r1", [article(1), article(2)])
    assert count(wh, "articles") == 0 and wh.committed_files("articles") == []
    assert wh.commit("r1", files) is True
    assert count(wh, "articles") == 2 and count(wh, "mentions") == 2 and count(wh, "runs") == 1
    assert wh.committed_runs() == {"r1"}
    assert wh.committed_files("articles") == [wh.root / "data/articles/tass/2025/r1-00000.parquet"]
    assert all(p.is_absolute() and p.exists() for p in wh.committed_files("mentions"))


def test_manifest_records_files_runs_and_version(wh: Warehouse) -> None:
    files = write_run(wh, "r1", [article(1)])
    wh.commit("r1", files)
    doc = json.loads((wh.root / "_manifest/manifest.json").read_text())
    assert doc["version"] == 1 and doc["format"] == "dipnews-manifest/1"
    assert {e["path"] for entries in doc["tables"].values() for e in entries} == {f.path for f in files}
    assert doc["runs"]["r1"]["files"] == 3 and doc["runs"]["r1"]["rows"] == {
        "articles": 1, "mentions": 1, "runs": 1}
    wh.commit("r2", write_run(wh, "r2", [article(2, run_id="r2")]))
    assert wh.manifest().version == 2


def test_committing_a_run_twice_is_a_no_op(wh: Warehouse) -> None:
    files = write_run(wh, "r1", [article(1), article(2)])
    assert wh.commit("r1", files) is True
    before = (wh.root / "_manifest/manifest.json").read_bytes()
    assert wh.commit("r1", files) is False
    assert wh.commit("r1", [], state={"feed_state": {"https://x.example/rss": {"etag": "e"}}}) is False
    assert (wh.root / "_manifest/manifest.json").read_bytes() == before
    assert count(wh, "articles") == 2


def test_a_rerun_with_the_same_files_listed_twice_commits_them_once(wh: Warehouse) -> None:
    files = write_run(wh, "r1", [article(1)])
    assert wh.commit("r1", files + files)
    assert count(wh, "articles") == 1 and len(wh.committed_files("articles")) == 1


def test_staged_files_finds_a_runs_files_and_only_them(wh: Warehouse) -> None:
    files = write_run(wh, "r1", [article(1), article(2, source="sputnik")])
    write_run(wh, "r1-b", [article(3)])
    assert sorted(wh.staged_files("r1"), key=lambda e: e.path) == sorted(files, key=lambda e: e.path)
    assert wh.commit("r1", wh.staged_files("r1"))
    assert count(wh, "articles") == 2


def test_commit_refuses_files_of_another_run(wh: Warehouse) -> None:
    other = write_rows(wh, "runs", "r2", [run_row("r2")])
    with pytest.raises(ValueError, match="written by run 'r2'"):
        wh.commit("r1", other)
    assert wh.manifest().version == 0


def test_commit_refuses_an_entry_that_does_not_match_the_file(wh: Warehouse) -> None:
    [entry] = write_rows(wh, "articles", "r1", [article(1), article(2)])
    with pytest.raises(CommitError, match="has 2 rows"):
        wh.commit("r1", [replace(entry, rows=3)])
    with pytest.raises(CommitError, match="cannot be read"):
        wh.commit("r1", [FileEntry("articles", "data/articles/tass/2025/r1-00009.parquet", 1, 10)])
    with pytest.raises(ValueError, match="not a data file path"):
        wh.commit("r1", [replace(entry, path="../elsewhere/r1-00000.parquet")])
    with pytest.raises(ValueError, match="not a data file path of table 'mentions'"):
        wh.commit("r1", [replace(entry, table="mentions")])
    with pytest.raises(ValueError, match="unknown table"):
        wh.commit("r1", [replace(entry, table="nope")])
    assert wh.manifest().version == 0 and count(wh, "articles") == 0


def test_commit_refuses_a_file_of_another_schema(wh: Warehouse) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = wh.root / "data/runs/all/r1-00000.parquet"
    path.parent.mkdir(parents=True)
    pq.write_table(pa.table({"run_id": ["r1"]}), path)
    entry = FileEntry("runs", "data/runs/all/r1-00000.parquet", 1, path.stat().st_size)
    with pytest.raises(CommitError, match="does not have the schema of runs"):
        wh.commit("r1", [entry])


def test_another_run_cannot_commit_an_earlier_runs_files(wh: Warehouse) -> None:
    files = write_run(wh, "r1", [article(1)])
    wh.commit("r1", files)
    with pytest.raises(ValueError, match="written by run"):
        wh.commit("r2", files)


def test_state_is_merged_key_by_key_and_none_deletes(wh: Warehouse) -> None:
    feed_a, feed_b = "https://tass.com/rss/v2.xml", "https://sputnik.example/export/rss2/archive/index.xml"
    wh.commit("r1", [], state={"feed_state": {
        feed_a: {"etag": '"1"', "status": 200, "checked_at": "2025-10-06T09:30:00+00:00",
                 "source_id": "tass"},
        feed_b: {"last_modified": "Mon, 06 Oct 2025 09:30:00 GMT", "status": 200},
    }})
    wh.commit("r2", [], state={"feed_state": {feed_a: {"etag": '"2"', "status": 304}, feed_b: None},
                               "cursors": {"tass": {"page": 3}}})
    assert wh.state() == {"feed_state": {feed_a: {"etag": '"2"', "status": 304}},
                          "cursors": {"tass": {"page": 3}}}
    assert wh.feed_state() == {feed_a: {"etag": '"2"', "status": 304}}
    wh.commit("r3", [], state={"kb_version": "2025.10", "cursors": None})
    assert wh.state() == {"feed_state": {feed_a: {"etag": '"2"', "status": 304}}, "kb_version": "2025.10"}
    table = wh.query("SELECT feed_url, etag, status, checked_at FROM feed_state").to_pylist()
    assert table == [{"feed_url": feed_a, "etag": '"2"', "status": 304, "checked_at": None}]


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ({"feed_state": {"u": {"checked_at": "yesterday"}}}, "checked_at"),
        ({"feed_state": {"u": {"checked_at": "2025-10-06T09:30:00"}}}, "no UTC offset"),
        ({"feed_state": {"u": {"status": "200"}}}, "expected an integer"),
        ({"feed_state": {"u": "etag"}}, "must be an object"),
        ({"m": {"k": object()}}, "not JSON-serialisable"),
        ({"m": {1: "x"}}, "non-string key"),
        ({"feed_state": ["x"]}, "must be a dict"),
        ({1: "x"}, "names must be strings"),
        (["x"], "must be a dict of named values"),
    ],
)
def test_bad_state_is_refused_before_anything_is_written(wh: Warehouse, state: object, message: str) -> None:
    files = write_run(wh, "r1", [article(1)])
    with pytest.raises(TypeError, match=message):
        wh.commit("r1", files, state=state)  # type: ignore[arg-type]
    assert wh.manifest().version == 0 and wh.committed_runs() == set()


def test_an_empty_file_commits_and_adds_nothing(wh: Warehouse) -> None:
    entry = write_partition(wh.root, "rejects", "2025", "r1", [])
    assert entry.rows == 0
    assert wh.commit("r1", [entry])
    assert count(wh, "rejects") == 0 and wh.committed_files("rejects") == [wh.root / entry.path]


def test_many_runs_accumulate(wh: Warehouse) -> None:
    for i in range(5):
        run_id = f"r{i}"
        wh.commit(run_id, write_run(wh, run_id, [article(10 * i + k, run_id=run_id) for k in range(3)]))
    assert count(wh, "articles") == 15 and count(wh, "runs") == 5 and wh.manifest().version == 5
    assert wh.query("SELECT count(DISTINCT article_id) AS n FROM articles").column("n")[0].as_py() == 15


def test_replace_supersedes_a_snapshot_tables_earlier_files(wh: Warehouse) -> None:
    kb1 = [{"entity_id": "Q1", "name": "Lavrov", "kb_version": "1"}]
    kb2 = [{"entity_id": "Q1", "name": "Sergey Lavrov", "kb_version": "2"},
           {"entity_id": "Q2", "name": "Kamikawa", "kb_version": "2"}]
    first = write_run(wh, "r1", [article(1)])
    wh.commit("r1", [write_partition(wh.root, "entities", "kb", "r1", kb1), *first])
    second = write_run(wh, "r2", [article(2, run_id="r2")])
    wh.commit("r2", [write_partition(wh.root, "entities", "kb", "r2", kb2), *second], replace=["entities"])
    assert wh.query("SELECT name FROM entities ORDER BY entity_id").column("name").to_pylist() == [
        "Sergey Lavrov", "Kamikawa"]
    assert count(wh, "articles") == 2  # other tables keep their files
    assert (wh.root / "data/entities/kb/r1-00000.parquet").exists()  # left for vacuum
    with pytest.raises(ValueError, match="unknown table"):
        wh.commit("r3", [], replace=["nope"])


def test_concurrent_commits_all_land(wh: Warehouse) -> None:
    import threading

    batches = {f"t{i}": write_rows(wh, "runs", f"t{i}", [run_row(f"t{i}")]) for i in range(8)}
    errors: list[BaseException] = []

    def commit(run_id: str) -> None:
        try:
            # separate Warehouse objects, as separate processes would have
            assert Warehouse(wh.root).commit(run_id, batches[run_id])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=commit, args=(run_id,)) for run_id in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert wh.committed_runs() == set(batches) and wh.manifest().version == 8
    assert count(wh, "runs") == 8
