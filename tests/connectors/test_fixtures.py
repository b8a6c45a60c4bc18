"""Every registered connector against every fixture of its source (STYLE.md #2).

A new connector needs fixtures under ``fixtures/<source_id>/`` (pages, a feed and golden JSON written by
``make_fixtures.py``), not new test code: the parameters are discovered from the registry and the
fixture folders.
"""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest

from connectors import registry
from tests.connectors.make_fixtures import fixture_page_params, golden_page, jsonable

FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: what every source's fixtures must cover at least
MIN_PAGES = 5


def _parsers(source_id: str) -> tuple[Any, ...]:
    return type(registry.get(source_id)).parsers


def _feeds() -> list[Any]:
    params = []
    for connector in registry.all_connectors():
        for xml in sorted((FIXTURES / connector.id).glob("feed_*.xml")):
            params.append(pytest.param(connector.id, xml, id=f"{connector.id}/{xml.stem}"))
    return params


@pytest.mark.parametrize("source_id", [c.id for c in registry.all_connectors()])
def test_every_connector_has_fixtures(source_id: str) -> None:
    folder = FIXTURES / source_id
    pages = [p for p in folder.glob("*.html")]
    assert len(pages) >= MIN_PAGES, f"{source_id} needs at least {MIN_PAGES} fixture pages in {folder}"
    assert list(folder.glob("feed_*.xml")), f"{source_id} needs a feed fixture in {folder}"
    for page in pages:
        assert page.with_suffix(".json").exists(), f"{page} has no golden JSON: run make_fixtures.py"


@pytest.mark.parametrize(("source_id", "html_path"), fixture_page_params())
def test_page_matches_golden(source_id: str, html_path: Path) -> None:
    golden, page = golden_page(html_path)
    article = registry.get(source_id).extract(page)
    assert jsonable(dict(article)) == golden["expected"]
    # invariants the golden files must never lose, whatever they were regenerated from
    assert article["body"] and article["title"]
    assert article["published_at"] is not None and article["published_at"].tzinfo == UTC
    assert article["extraction_method"] in (
        "generic",
        *(f"source:{source_id}@{p.version}" for p in _parsers(source_id)),
    )


@pytest.mark.parametrize(("source_id", "xml_path"), _feeds())
def test_feed_matches_golden(source_id: str, xml_path: Path) -> None:
    golden = json.loads(xml_path.with_suffix(".json").read_text(encoding="utf-8"))
    entries = registry.get(source_id).parse_feed(xml_path.read_bytes(), golden["feed_url"])
    assert jsonable([dict(e) for e in entries]) == golden["expected"]
    assert entries, "a feed fixture lists at least one entry"
    for entry in entries:
        assert entry["source_id"] == source_id and entry["feed_url"] == golden["feed_url"]
        assert entry["kind"] in ("article", "sitemap")
        if entry["kind"] == "article":
            assert "utm_" not in entry["url"] and entry["identity"]
