"""The connectors on real pages and real chrome, read in place from ../shared (skipped when absent).

- Sputnik 2019 "b-article" page against the scrapinghub benchmark's ground truth (body token F1).
- sankei.com (Arc XP) page against fundus's expected parse.
- The reference seeds (real articles flattened to text WITH their chrome): every chrome line they show
  must be dropped from ``body`` while the story's prose is kept.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import pytest

from connectors import registry
from connectors.base import Page
from connectors.encoding import decode_html

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
REAL = SHARED / "reference" / "real-pages"
SEEDS = SHARED / "reference" / "seeds"


def _real_page(path: Path, url: str) -> Page:
    if not path.exists():
        pytest.skip(f"{path} is not available")
    raw = path.read_bytes()
    text, encoding = decode_html(raw, "text/html")
    return Page(
        url=url,
        content=raw,
        text=text,
        fetched_at=datetime(2025, 2, 1, tzinfo=UTC),
        content_type="text/html",
        encoding=encoding,
    )


def _tokens(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text.lower()))


def token_f1(got: str, want: str) -> float:
    """Bag-of-tokens F1, the measure of the article-extraction benchmarks."""
    g, w = _tokens(got), _tokens(want)
    common = sum((g & w).values())
    if not common:
        return 0.0
    precision, recall = common / sum(g.values()), common / sum(w.values())
    return 2 * precision * recall / (precision + recall)


def test_sputnik_2019_real_page_matches_ground_truth() -> None:
    url = "https://sputniknews.com/columnists/201911181077343476-royal-self-indicting-arrogance/"
    page = _real_page(REAL / "sputnik" / "sputniknews_2019_columnists_1077343476.html", url)
    truth = next(
        iter(json.loads((REAL / "sputnik" / "scrapinghub_groundtruth_1077343476.json").read_text()).values())
    )
    article = registry.get("sputnik").extract(page)
    assert article["extraction_method"] == "source:sputnik@2019"
    assert token_f1(article["body"], truth["articleBody"]) >= 0.99
    assert article["title"] == "Royal Self-Indicting Arrogance"
    assert article["identity"] == "sputnik:1077343476"
    # <time datetime="2019-11-18T21:17"> without an offset is UTC on this design
    assert article["published_at"] == datetime(2019, 11, 18, 21, 17, tzinfo=UTC)
    assert article["authors"] == ["Finian Cunningham"]
    for chrome in ("Subscribe", "Newsfeed", "To participate in the discussion", "Get short URL"):
        assert chrome not in article["body"]


def test_sankei_real_page_matches_fundus() -> None:
    url = "https://www.sankei.com/article/20250121-QBJP5I25BBIG5IZ76XZNDHDB5Q/"
    page = _real_page(REAL / "sankei" / "sankei_ja_2025_01_21_QBJP5I25BBIG5IZ76XZNDHDB5Q.html", url)
    expected = json.loads(
        (REAL / "sankei" / "fundus_expected_SankeiShimbun.json").read_text(encoding="utf-8")
    )["V1"]
    article = registry.get("sankei").extract(page)
    assert article["extraction_method"] == "source:sankei@arc"
    assert article["title"] == expected["title"]
    assert article["authors"] == expected["authors"]
    assert article["published_at"] == datetime.fromisoformat(expected["publishing_date"])
    paragraphs = [p for section in expected["body"]["sections"] for p in section["paragraphs"]]
    assert article["body"].split("\n\n") == paragraphs
    assert article["identity"] == "sankei:QBJP5I25BBIG5IZ76XZNDHDB5Q" and article["language"] == "ja"


# -- chrome that the reference seeds show -------------------------------------------------------------

#: UI strings each site prints around its articles (named in SOURCES.md); lines starting with "©" and
#: Arab News's "06 Oct 2023 12:10:26 GMT9" stamps are chrome too
CHROME = {
    "tass": ("All news",),
    "sputnik": (
        "Subscribe",
        "Newsfeed",
        "To participate in the discussion",
        "log in or register",
        "loader",
        "Chats",
    ),
    "arabnews": (
        "Since 1975",
        "facebook",
        "twitter",
        "Home",
        "Short Url:",
        "topics",
        "Most Popular",
        "Recommended",
        "return to top",
    ),
}
_STAMP = re.compile(r"^\d{1,2} \w{3} \d{4} \d{1,2}:\d{2}:\d{2} GMT\d{1,2}$")


def _seed_source(text: str) -> str | None:
    if "/TASS/." in text:
        return "tass"
    if "Since 1975" in text:
        return "arabnews"
    if "Sputnik" in text or "RIA Novosti" in text:
        return "sputnik"
    return None


def _page_with_body(source: str, lines: list[str]) -> tuple[str, str]:
    """A page in the source's current layout whose body holds ``lines`` as paragraphs."""
    paragraphs = [escape(line) for line in lines]
    if source == "tass":
        body = "".join(f"<p>{p}</p>" for p in paragraphs)
        return "https://tass.com/politics/1000001", (
            '<html><body><h1 class="news-header__title">Seed</h1><div class="text-content">'
            f'<div class="text-block">{body}</div></div></body></html>'
        )
    if source == "sputnik":
        body = "".join(
            f'<div class="article__block" data-type="text"><div class="article__text">{p}</div></div>'
            for p in paragraphs
        )
        return "https://sputnikglobe.com/20230911/seed-1100000001.html", (
            '<html><body><h1 class="article__title">Seed</h1>'
            f'<div class="article__body">{body}</div></body></html>'
        )
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return "https://www.arabnews.com/node/1000001/japan", (
        '<html><body><article class="node node--type-article"><div class="entry-title"><h1>Seed</h1></div>'
        f'<div class="field-name-body">{body}</div></article></body></html>'
    )


def _seeds() -> list[Path]:
    return sorted(SEEDS.glob("*.txt")) if SEEDS.exists() else []


@pytest.mark.parametrize(
    "seed",
    _seeds() or [pytest.param(None, marks=pytest.mark.skip("no seeds"))],
    ids=lambda p: p.stem if p else "none",
)
def test_seed_chrome_is_stripped_and_prose_kept(seed: Path) -> None:
    text = seed.read_text(encoding="utf-8")
    source = _seed_source(text)
    if source is None:
        pytest.skip(f"{seed.name} is not from one of the four outlets")
    lines = [" ".join(line.split()).strip("• ") for line in text.splitlines()]
    lines = [line for line in lines if line]
    chrome = [line for line in lines if line in CHROME[source] or line.startswith("©") or _STAMP.match(line)]
    assert any(label in lines for label in CHROME[source]), f"{seed.name} no longer shows the {source} chrome"
    url, html = _page_with_body(source, lines)
    page = Page(url=url, content=html.encode(), text=html, fetched_at=datetime(2023, 10, 8, tzinfo=UTC))
    body_lines = set(registry.get(source).extract(page)["body"].split("\n\n"))
    for line in chrome:
        assert line not in body_lines, f"chrome line {line!r} of {seed.name} kept in the body"
    prose = [line for line in lines if len(line) >= 120]
    assert prose
    body = "\n\n".join(body_lines)
    for line in prose:
        assert line[-80:] in body, f"prose lost from {seed.name}: {line[:60]!r}"
