"""Per-outlet body extraction, measured against the text each page was rendered from.

Run from the repository root::

    .venv/bin/python benchmarks/connectors_fixtures.py

Pages: the sample corpus (``pipeline/sample/content/*.toml``, edition 1, rendered by the sample site's
renderers) and every connector fixture page under ``tests/connectors/fixtures/`` whose golden JSON
names the content entry it was made from (``make_fixtures.ENTRIES`` for the four sample outlets,
``outlet_pages.STORIES`` for nippon.com, The Mainichi and the Kremlin). The truth is the entry's
paragraphs; datelines and wire credits are printed around them and are not body text.

Printed per outlet, side by side in one run: body token F1 of the outlet's connector (target >= 0.99)
next to the generic extractor on the same pages, the lowest page F1, and the number of chrome strings
found in connector bodies (target 0). Chrome strings are what each outlet prints around a story
(navigation, share bars, "Most Popular", newsletter prompts, copyright trailers) plus each page's own
photo caption and credit (counted only where the body holds a string more often than the true text
does: a caption may quote a name the story uses). Tokens are lower-cased words, and single characters
for Japanese text.
Exit status 1 when an outlet misses a target.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from connectors import registry
from connectors.base import Connector, ExtractionError, Page
from connectors.registry import GenericConnector

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "connectors" / "fixtures"
F1_TARGET = 0.99

#: what the four sample outlets print around a story (SOURCES.md); the newer outlets' lists live with
#: their fixture renderers (``tests/connectors/outlet_pages.CHROME``)
SAMPLE_CHROME: dict[str, tuple[str, ...]] = {
    "tass": ("All news", "© AP Photo", "/TASS/", "Read more", "Subscribe"),
    "sputnik": (
        "Subscribe",
        "Newsfeed",
        "To participate in the discussion",
        "log in or register",
        "Sputnik International",
        "Заголовок открываемого материала",
    ),
    "arabnews": ("Since 1975", "Short Url", "Most Popular", "Recommended", "return to top", "Updated"),
    "sankei": ("Read the editorial in Japanese", "(© Sankei)", "Related", "関連記事", "続きを読む", "Share"),
}

_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f]|[^\W_]+", re.UNICODE)


def tokens(text: str) -> Counter[str]:
    """Lower-cased word tokens; each kana or kanji is a token of its own (Japanese has no spaces).

    >>> sorted(tokens("Japan's 日露 talks").elements())
    ['japan', 's', 'talks', '日', '露']
    """
    return Counter(_TOKEN.findall(text.lower()))


def token_f1(predicted: str, truth: str) -> float:
    """Bag-of-tokens F1 of ``predicted`` against ``truth`` (1.0 when both are empty)."""
    got, want = tokens(predicted), tokens(truth)
    if not got and not want:
        return 1.0
    overlap = sum((got & want).values())
    if overlap == 0:
        return 0.0
    precision, recall = overlap / sum(got.values()), overlap / sum(want.values())
    return 2 * precision * recall / (precision + recall)


@dataclass(frozen=True)
class Case:
    """One page to extract, with the body it was rendered from and the chrome it must not keep."""

    source_id: str
    name: str
    url: str
    html: str
    truth: str
    chrome: tuple[str, ...]
    fetched_at: datetime = datetime(2023, 10, 8, 9, 0, tzinfo=UTC)


@dataclass
class Score:
    """The figures of one outlet: per-page F1 (connector and generic), chrome found, extraction errors."""

    pages: int = 0
    f1: list[float] = field(default_factory=list)
    generic_f1: list[float] = field(default_factory=list)
    chrome_hits: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _page(case: Case) -> Page:
    return Page(
        url=case.url,
        content=case.html.encode("utf-8"),
        text=case.html,
        fetched_at=case.fetched_at,
        content_type="text/html; charset=utf-8",
    )


def _story_chrome(story: object) -> tuple[str, ...]:
    caption = getattr(story, "photo_caption", "") or ""
    credit = getattr(story, "photo_credit", "") or ""
    return tuple(s for s in (caption, credit) if s)


def sample_cases() -> list[Case]:
    """The 45 pages of the sample corpus (edition 1)."""
    from pipeline.sample import build

    corpus, _ = build.load_corpus()
    return [
        Case(
            source_id=story.source,
            name=f"sample/{story.key}",
            url=story.url,
            html=build.render_page(story, corpus),
            truth="\n\n".join(story.paragraphs),
            chrome=SAMPLE_CHROME.get(story.source, ()) + _story_chrome(story),
        )
        for story in corpus
    ]


def fixture_cases() -> list[Case]:
    """Every fixture page whose golden JSON names the content entry it was rendered from."""
    from pipeline.sample import build
    from tests.connectors import make_fixtures, outlet_pages

    entries = {raw["key"]: build.story_from_dict(raw, "make_fixtures") for raw in make_fixtures.ENTRIES}
    cases: list[Case] = []
    for golden_path in sorted(FIXTURES.glob("*/*.json")):
        if golden_path.name.startswith("feed_"):
            continue
        golden = json.loads(golden_path.read_text(encoding="utf-8"))
        key, source_id = golden.get("content_key"), golden_path.parent.name
        story: object
        if key in entries:
            story = entries[key]
            chrome = SAMPLE_CHROME.get(source_id, ())
        else:
            try:
                story = outlet_pages.by_key(key)
            except KeyError:
                continue  # a page not rendered from a content entry has no truth to score against
            chrome = outlet_pages.CHROME.get(source_id, ())
        cases.append(
            Case(
                source_id=source_id,
                name=f"fixture/{source_id}/{golden_path.stem}",
                url=golden["url"],
                html=golden_path.with_suffix(".html").read_text(encoding="utf-8"),
                truth="\n\n".join(story.paragraphs),  # type: ignore[attr-defined]
                chrome=chrome + _story_chrome(story),
                fetched_at=datetime.fromisoformat(golden["fetched_at"]),
            )
        )
    return cases


def _body(connector: Connector, case: Case) -> str:
    try:
        return connector.extract(_page(case))["body"] or ""
    except ExtractionError:
        return ""


def score(cases: Iterable[Case]) -> dict[str, Score]:
    """Extract every case with its outlet's connector and with the generic one; score both."""
    generic = GenericConnector("generic-baseline", feeds=["https://example.invalid/feed"])
    scores: dict[str, Score] = {}
    for case in cases:
        result = scores.setdefault(case.source_id, Score())
        result.pages += 1
        try:
            body = registry.get(case.source_id).extract(_page(case))["body"] or ""
        except ExtractionError as exc:
            body = ""
            result.errors.append(f"{case.name}: {exc}")
        result.f1.append(token_f1(body, case.truth))
        result.generic_f1.append(token_f1(_body(generic, case), case.truth))
        # a caption may quote a name the story also uses: only a surplus over the true text is chrome
        result.chrome_hits += [
            f"{case.name}: {c!r}" for c in case.chrome if c and body.count(c) > case.truth.count(c)
        ]
    return scores


def report(scores: dict[str, Score]) -> tuple[str, bool]:
    """The table of figures, and whether every outlet met both targets."""
    header = f"{'outlet':<10} {'pages':>5} {'connector F1':>13} {'min F1':>7} {'generic F1':>11}"
    lines = [header + f" {'chrome':>7}  ok"]
    all_ok = True
    total = Score()
    for source_id in sorted(scores):
        s = scores[source_id]
        mean = sum(s.f1) / len(s.f1)
        ok = mean >= F1_TARGET and not s.chrome_hits and not s.errors
        all_ok &= ok
        total.pages += s.pages
        total.f1 += s.f1
        total.generic_f1 += s.generic_f1
        total.chrome_hits += s.chrome_hits
        lines.append(
            f"{source_id:<10} {s.pages:>5} {mean:>13.4f} {min(s.f1):>7.4f} "
            f"{sum(s.generic_f1) / len(s.generic_f1):>11.4f} {len(s.chrome_hits):>7}  {'yes' if ok else 'NO'}"
        )
    if total.pages:
        lines.append(
            f"{'all':<10} {total.pages:>5} {sum(total.f1) / len(total.f1):>13.4f} {min(total.f1):>7.4f} "
            f"{sum(total.generic_f1) / len(total.generic_f1):>11.4f} {len(total.chrome_hits):>7}"
        )
    lines.append(f"targets: connector F1 >= {F1_TARGET} per outlet, 0 chrome strings in bodies")
    for s in scores.values():
        lines += [f"  chrome: {hit}" for hit in s.chrome_hits] + [f"  error: {e}" for e in s.errors]
    return "\n".join(lines), all_ok


def main() -> int:
    scores = score([*sample_cases(), *fixture_cases()])
    text, ok = report(scores)
    print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
