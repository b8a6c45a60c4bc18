"""The ``dipnews`` command's small subcommands: extract, tag, sources, sql, and its errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.cli import main

SAMPLE = Path(__file__).resolve().parents[2] / "pipeline" / "sample"


def _expected() -> dict:
    return json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))


def _sample_file(url: str) -> Path:
    from pipeline.sample.build import file_for

    return SAMPLE / "site" / file_for(url)


def test_extract_saved_page_picks_the_connector_from_the_page(capsys) -> None:
    article = _expected()["tass-lavrov-japan-buildup"]
    assert main(["extract", str(_sample_file(article["url"]))]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["source_id"] == "tass"
    assert out["title"] == article["title"]
    assert out["published_at"] == article["published_at"]
    assert out["extraction_method"].startswith("source:tass@")
    assert out["identity"] == "tass:1736412"


def test_extract_with_explicit_source(capsys) -> None:
    article = next(a for a in _expected().values() if a["source_id"] == "sputnik")
    assert (
        main(["extract", str(_sample_file(article["url"])), "--source", "sputnik", "--url", article["url"]])
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["title"] == article["title"]
    assert out["body"].count("\n\n") + 1 == article["body_paragraphs"]


def test_extract_missing_file_is_a_clear_error(capsys) -> None:
    assert main(["extract", "/no/such/page.html"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_tag_prints_one_json_object_per_mention(capsys, monkeypatch) -> None:
    import io

    text = "Foreign Minister Sergei Lavrov said the Southern Kurils are Russian. Kunashir hosts new drills."
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    assert main(["tag", "--date", "2023-10-06"]) == 0
    mentions = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert mentions, "no mentions"
    for m in mentions:
        # DESIGN.md's six keys come first; further keys (field, variant, role, ...) are additions.
        assert list(m)[:6] == ["entity_id", "name", "type", "surface", "start", "end"]
        assert text[m["start"] : m["end"]] == m["surface"]
    surfaces = {m["surface"] for m in mentions}
    assert {"Sergei Lavrov", "Kunashir"} <= surfaces


def test_sources_lists_every_connector(capsys, tmp_path) -> None:
    assert main(["sources", "--warehouse", str(tmp_path), "--format", "json"]) == 0
    listed = {c["id"]: c for c in json.loads(capsys.readouterr().out)}
    assert {"tass", "sputnik", "arabnews", "sankei"} <= set(listed)
    assert "https://tass.com/rss/v2.xml" in listed["tass"]["feeds"]


def test_sql_on_an_empty_warehouse_describes_the_views(capsys, tmp_path) -> None:
    assert (
        main(["sql", "select count(*) as n from articles", "--warehouse", str(tmp_path), "--format", "json"])
        == 0
    )
    assert json.loads(capsys.readouterr().out.strip().splitlines()[0]) in ({"n": 0}, [{"n": 0}])


def test_bad_sql_is_a_clear_error(capsys, tmp_path) -> None:
    assert main(["sql", "select nope from articles", "--warehouse", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("dipnews:") and "nope" in err


def test_unknown_arguments_are_refused(capsys) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["sql", "select 1", "--bogus"])
    assert raised.value.code == 2
