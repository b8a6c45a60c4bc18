"""Text cleaning: whitespace, paragraphs, chrome lines."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.text import (
    is_chrome_line,
    join_paragraphs,
    normalize_whitespace,
    split_paragraphs,
    strip_chrome,
    word_count,
)


def test_normalize_whitespace() -> None:
    assert normalize_whitespace("a\u00a0 b\u200b \r\n\r\n\n  c\t d ") == "a b\n\nc d"


def test_split_and_join_paragraphs() -> None:
    assert split_paragraphs("One.\n\n  Two. \nThree.\n") == ["One.", "Two.", "Three."]
    assert join_paragraphs(["One.", "", "Share", "Two."]) == "One.\n\nTwo."
    assert join_paragraphs(["One.", "Share"], drop_chrome=False) == "One.\n\nShare"


@pytest.mark.parametrize(
    "line",
    [
        "Share",
        "Share on Facebook",
        "Follow us on Twitter",
        "Subscribe",
        "Subscribe to our newsletter",
        "Sign up for our daily newsletter",
        "Most Popular",
        "Recommended",
        "Read more",
        "Read more: Japan and Russia sign deal",
        "Short Url",
        "return to top",
        "Since 1975",
        "All news",
        "Newsfeed",
        "To participate in the discussion log in or register",
        "Updated 25 May 2022",
        "Updated 5 sec ago",
        "© AP Photo/Eugene Hoshiko",
        "(© Sankei)",
        "(© Kyodo)",
        "Photo: Reuters",
        "A police officer stands guard in Tokyo (AFP)",
        "Getty Images",
        "___",
        "* * *",
        "More:",
        "DON'T MISS",
        "Join our commenting forum",
        "Tell us what YOU think...",
        "Subscribe to Independent Premium to bookmark this article",
        "Our Standards: The Thomson Reuters Trust Principles.",
        "© 2026 Example News. All rights reserved.",
        "関連記事",
        "Читайте также",
    ],
)
def test_chrome_lines(line: str) -> None:
    assert is_chrome_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "Japan and Russia signed a fishing agreement on Monday.",
        "The newsletter was sent to 3,000 officials in Tokyo and Moscow on Monday, a spokesman said.",
        "Photos show the damage.",
        "Share prices in Tokyo fell 2 percent.",
        "Most popular among voters was the opposition candidate, according to the NHK exit poll.",
        "TOKYO: Japan's exports rose for a third month",
        "More than 300 people were evacuated.",
        "Watch the islands closely, the minister said.",
        "Copyright law was amended in 2019.",
    ],
)
def test_prose_is_not_chrome(line: str) -> None:
    assert not is_chrome_line(line)


def test_long_lines_are_never_chrome() -> None:
    assert not is_chrome_line("Read more " + "about the talks between Japan and Russia " * 5)


def test_strip_chrome_keeps_distant_repeats_but_drops_adjacent_ones() -> None:
    lines = ["Title", "Title", "Body.", "- Blur", "Other.", "- Blur", "Most Popular"]
    assert strip_chrome(lines) == ["Title", "Body.", "- Blur", "Other.", "- Blur"]


def test_extra_patterns() -> None:
    extra = [re.compile(r"Все новости ТАСС", re.IGNORECASE)]
    assert strip_chrome(["Body.", "Все новости ТАСС"], extra) == ["Body."]


def test_word_count_counts_cjk_characters() -> None:
    assert word_count("Japan and Russia") == 3
    assert word_count("日本とロシア") == 6
    assert word_count("G7 サミット") == 5


SEEDS = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "seeds"


def seed_lines(name: str) -> list[str]:
    path = SEEDS / name
    if not path.is_file():
        pytest.skip(f"shared seed not available: {path}")
    return split_paragraphs(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("seed", "chrome", "kept"),
    [
        (
            "000_685e569b064d91c7.txt",  # Arab News: JIJI Press story
            [
                "Since 1975",
                "facebook",
                "twitter",
                "Short Url:",
                "06 Oct 2023 12:10:26 GMT9",
                "topics",
                "Most Popular",
                "Recommended",
                "return to top",
            ],
            ["TOKYO: Japan has taken a wait-and-see attitude", "JIJI Press"],
        ),
        (
            "001_dc6994646fd485d5.txt",  # TASS
            ["All news", "© AP Photo/Eugene Hoshiko"],
            ["TOKYO, October 6. /TASS/. Tokyo will continue the political dialogue"],
        ),
        (
            "003_b6b8862839b646d6.txt",  # Sputnik, RIA Novosti dateline
            [
                "Subscribe",
                "Newsfeed",
                "0",
                "To participate in the discussion",
                "log in or register",
                "loader",
                "Chats",
                "Заголовок открываемого материала",
            ],
            ["TOKYO, September 11 (RIA Novosti) – Japan plans to develop relations"],
        ),
    ],
)
def test_chrome_of_real_outlet_pages(seed: str, chrome: list[str], kept: list[str]) -> None:
    lines = seed_lines(seed)
    cleaned = strip_chrome(lines)
    for line in chrome:
        assert any(clean.strip(" •") == line for clean in lines), f"seed no longer has {line!r}"
        assert not any(clean.strip(" •") == line for clean in cleaned), line
    for start in kept:
        assert any(line.startswith(start) for line in cleaned), start
    # prose is never dropped: every line longer than a chrome line survives
    assert [line for line in lines if len(line) > 90] == [line for line in cleaned if len(line) > 90]


@given(st.text(max_size=90))
@settings(max_examples=300, deadline=None)
def test_chrome_check_is_fast_on_any_line(line: str) -> None:
    start = time.perf_counter()
    is_chrome_line(line)
    assert time.perf_counter() - start < 0.5  # a backtracking blow-up takes seconds to hours


@pytest.mark.parametrize(
    "line", ["1" * 89 + "x", "1 " * 44 + "x", "Updated " + "5 " * 40 + "x", "©" * 80 + "("]
)
def test_chrome_check_has_no_catastrophic_backtracking(line: str) -> None:
    start = time.perf_counter()
    is_chrome_line(line)
    assert time.perf_counter() - start < 0.5  # a backtracking blow-up takes seconds to hours
