"""format_result: the text of `dipnews sql` in its three formats."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pyarrow as pa
import pytest
from whtest import article, write_run

from warehouse import Warehouse, format_result

SAMPLE = pa.table({
    "id": pa.array([1, 22, None], pa.int64()),
    "title": ["Лавров, \"talks\"", "line\nbreak", None],
    "at": pa.array([datetime(2025, 10, 6, 9, 30, tzinfo=UTC), datetime(2025, 10, 6, 9, 30, 0, 5, tzinfo=UTC),
                    None], pa.timestamp("us", tz="UTC")),
    "tags": pa.array([["a", "b"], [], None], pa.list_(pa.string())),
    "ok": [True, False, None],
    "score": [0.5, float("nan"), None],
})


def test_json_is_one_object_per_line_with_utc_iso_timestamps() -> None:
    lines = format_result(SAMPLE, "json").splitlines()
    assert len(lines) == 3
    rows = [json.loads(line) for line in lines]
    assert rows[0] == {"id": 1, "title": "Лавров, \"talks\"", "at": "2025-10-06T09:30:00Z",
                       "tags": ["a", "b"], "ok": True, "score": 0.5}
    assert rows[1]["at"] == "2025-10-06T09:30:00.000005Z" and rows[1]["title"] == "line\nbreak"
    assert rows[1]["score"] is None  # NaN is not JSON
    assert rows[2] == dict.fromkeys(SAMPLE.column_names)


def test_json_of_an_empty_result_is_empty() -> None:
    assert format_result(SAMPLE.slice(0, 0), "json") == ""


def test_json_refuses_ambiguous_column_names() -> None:
    table = pa.Table.from_arrays([pa.array([1]), pa.array([2])], names=["n", "n"])
    with pytest.raises(ValueError, match="distinct column names"):
        format_result(table, "json")


def test_csv_round_trips_through_the_csv_module() -> None:
    text = format_result(SAMPLE, "csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == SAMPLE.column_names
    assert rows[1] == ["1", "Лавров, \"talks\"", "2025-10-06T09:30:00Z", '["a", "b"]', "true", "0.5"]
    assert rows[2][1] == "line\nbreak" and rows[2][3] == "[]"
    assert rows[3] == [""] * 6
    assert len(rows) == 4


def test_table_is_aligned_with_a_row_count() -> None:
    text = format_result(SAMPLE, "table")
    lines = text.splitlines()
    assert lines[0].split(" | ")[0].strip() == "id" and set(lines[1]) <= {"-", "+"}
    assert lines[-1] == "(3 rows)"
    assert "line\\nbreak" in text and "NULL" in lines[4]
    assert lines[2].startswith("   1 |") and lines[3].startswith("  22 |")  # numbers right-aligned
    assert lines[4].startswith("NULL |")
    widths = {len(line.split(" | ")[0]) for line in [lines[0], *lines[2:5]]}
    assert widths == {4}


def test_table_cuts_long_cells() -> None:
    text = format_result(pa.table({"body": ["x" * 500]}), "table")
    assert "x" * 59 + "…" in text and "x" * 61 not in text
    assert format_result(pa.table({"n": [1]}), "table").endswith("(1 row)\n")


def test_other_types_print_sensibly() -> None:
    table = pa.table({
        "d": pa.array([date(2025, 10, 6)]),
        "naive": pa.array([datetime(2025, 10, 6, 12, 0)], pa.timestamp("us")),
        "moscow": pa.array([datetime(2025, 10, 6, 12, 0, tzinfo=timezone(timedelta(hours=3)))],
                           pa.timestamp("us", tz="Europe/Moscow")),
        "dec": pa.array([Decimal("1.50")], pa.decimal128(5, 2)),
        "blob": pa.array([b"\x00\x01"], pa.binary()),
        "s": pa.array([{"k": 1}], pa.struct([("k", pa.int32())])),
    })
    row = json.loads(format_result(table, "json"))
    assert row == {"d": "2025-10-06", "naive": "2025-10-06T12:00:00", "moscow": "2025-10-06T09:00:00Z",
                   "dec": "1.50", "blob": "AAE=", "s": {"k": 1}}


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        format_result(SAMPLE, "xml")  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_every_format_prints_a_warehouse_query(wh: Warehouse, fmt: str) -> None:
    wh.commit("r1", write_run(wh, "r1", [article(1)]))
    text = format_result(wh.query("SELECT article_id, published_at, authors FROM articles"), fmt)
    assert "tass-1" in text and "2025-10-06T09:30:00Z" in text and "A. Writer" in text
