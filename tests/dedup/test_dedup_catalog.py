"""How the catalog layers the dedup views: `article_rows`, `mention_rows` under the table names."""

from __future__ import annotations

from pathlib import Path

import pytest

import schemas
from schemas.duckdb import duckdb_type
from warehouse import Warehouse
from warehouse.catalog import FILE_VIEW_NAMES, analyst_sql, file_view_name


def test_table_named_views_run_before_the_macros_and_the_other_views() -> None:
    order = [f"{p.parent.name}/{p.name}" for p in analyst_sql()]
    assert order[:2] == ["views/00_articles.sql", "views/01_mentions.sql"]
    first_macro = min(i for i, name in enumerate(order) if name.startswith("macros/"))
    assert all(name.startswith("macros/") for name in order[first_macro : first_macro + 2])
    later = [name for name in order[first_macro:] if name.startswith("views/")]
    assert later == sorted(later) and "views/40_article_versions.sql" in later


@pytest.mark.parametrize("table", sorted(FILE_VIEW_NAMES))
def test_file_backed_and_table_views_describe_as_the_schema(tmp_path: Path, table: str) -> None:
    wh = Warehouse(tmp_path / "wh")
    expected = [(f.name, duckdb_type(f.type)) for f in schemas.TABLES[table]]
    for name in (table, file_view_name(table)):
        described = wh.query(f"DESCRIBE {name}").to_pylist()
        assert [(r["column_name"], r["column_type"]) for r in described] == expected, name


def test_the_dedup_views_exist_on_an_empty_warehouse(tmp_path: Path) -> None:
    wh = Warehouse(tmp_path / "wh")
    for view in ("dedup_state", "article_versions", "syndication", "article_rows", "mention_rows"):
        assert wh.query(f"SELECT count(*) AS n FROM {view}").to_pylist() == [{"n": 0}], view
