"""Data tests: the queries of warehouse/sql/checks/ return nothing on sound data, and catch each fault."""

from __future__ import annotations

import pytest
from whtest import T0, article, mention, run_row, write_rows, write_run

from warehouse import Warehouse, run_checks
from warehouse.checks import check_names


def failing(wh: Warehouse) -> dict[str, int]:
    return {r.name: r.violations.num_rows for r in run_checks(wh) if not r.passed}


def test_every_check_passes_on_an_empty_warehouse(wh: Warehouse) -> None:
    results = run_checks(wh)
    assert [r.name for r in results] == check_names() and len(results) >= 5
    assert all(r.passed for r in results), [str(r) for r in results]


def test_every_check_passes_on_sound_data(wh: Warehouse) -> None:
    arts = [article(1), article(2), article(3, is_duplicate=True, duplicate_of="tass-1", cluster_id="c1")]
    files = write_run(wh, "r1", arts, with_mentions=False)
    files += write_rows(wh, "mentions", "r1", [mention(arts[0]), mention(arts[0], "Kamikawa"),
                                              mention(arts[0], "Talks 1", field="title")])
    files += write_rows(wh, "rejects", "r1", [{"run_id": "r1", "reason": "http_404", "rejected_at": T0}])
    wh.commit("r1", files)
    assert failing(wh) == {}


BAD_CASES = {
    "duplicate_article_ids": lambda: ([article(1), article(1, url="https://tass.example/news/1?amp")], []),
    "orphan_mentions": lambda: ([article(1)], [mention(article(1)), mention(article(2))]),
    "mention_offsets": lambda: ([article(1)], [mention(article(1), start=5, end=3),
                                               mention(article(1), end=999),
                                               mention(article(1), field="lead"),
                                               mention(article(1), surface="Lavrov", start=1, end=7)]),
    "duplicates_linked": lambda: ([article(1), article(2, is_duplicate=True, duplicate_of="tass-99")], []),
    "run_ids_committed": lambda: ([article(1, run_id="elsewhere")], []),
}


@pytest.mark.parametrize("check", sorted(BAD_CASES))
def test_each_check_catches_its_fault(wh: Warehouse, check: str) -> None:
    arts, mentions = BAD_CASES[check]()
    files = write_rows(wh, "articles", "r1", arts) + write_rows(wh, "runs", "r1", [run_row("r1")])
    files += write_rows(wh, "mentions", "r1", mentions) if mentions else []
    wh.commit("r1", files)
    found = failing(wh)
    assert set(found) == {check}
    expected = {"mention_offsets": 4}.get(check, 1)
    assert found[check] == expected


def test_checks_can_be_chosen_by_name(wh: Warehouse) -> None:
    assert [r.name for r in run_checks(wh, ["orphan_mentions"])] == ["orphan_mentions"]
    with pytest.raises(ValueError, match="unknown checks"):
        run_checks(wh, ["nope"])


def test_check_names_cover_the_planted_faults() -> None:
    assert set(BAD_CASES) == set(check_names())
