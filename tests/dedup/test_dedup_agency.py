"""Wire agency detection from credits and datelines."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.dedup.agency import detect_agency

SEEDS = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "seeds"


@pytest.mark.parametrize(
    ("body", "source", "expected"),
    [
        ("TOKYO, October 6. /TASS/. Tokyo will continue the political dialogue.", "tass", "TASS"),
        ("TOKYO, September 11 (RIA Novosti) – Japan plans to develop relations.", "sputnik", "RIA Novosti"),
        (
            "TOKYO: Japan has taken a wait-and-see attitude.\nMore text here.\nJIJI Press",
            "arabnews",
            "JIJI Press",
        ),
        ("TOKYO (Kyodo) -- Japan lodged a protest.", "japantimes", "Kyodo"),
        ("Japan lodged a protest with Russia on Friday. (Kyodo)", "japantimes", "Kyodo"),
        ("MOSCOW, Oct. 5 (Reuters) - Russia said it would respond.", "x", "Reuters"),
        ("AFP\nTOKYO: The agency line stands above the body.", "arabnews", "AFP"),
        # a photo caption credits the picture, not the story
        (
            "Kishida speaks in Tokyo on Monday. (AFP)\nTOKYO: Japan said it would keep sanctions.",
            "arabnews",
            None,
        ),
        ("Tokyo said it would continue dialogue, TASS reported citing Kyodo.", "sputnik", None),
        ("Moscow said the talks were over.", "tass", "TASS"),  # the source is an agency itself
        ("", "arabnews", None),
    ],
)
def test_detect_agency(body: str, source: str, expected: str | None) -> None:
    assert detect_agency(None, body, source) == expected


def test_title_suffix_counts_when_the_body_is_silent() -> None:
    assert detect_agency("Japan protests to Russia - Kyodo News", "Japan protested.", "nippon") == "Kyodo"


@pytest.mark.skipif(not SEEDS.exists(), reason="../shared/reference/seeds not present")
def test_real_seed_pages() -> None:
    found = {p.name[:3]: detect_agency(None, p.read_text(encoding="utf-8"), "x") for p in SEEDS.glob("*.txt")}
    assert found == {"000": "JIJI Press", "001": "TASS", "003": "RIA Novosti"}
