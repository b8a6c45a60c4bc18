"""The labelled evaluation set: marked-up passages, their loader, and the scores.

Passages are written with inline markup, ``[[surface|entity_id]]``; the loader strips the markup and
computes the gold offsets, so offsets can never drift from the text. A passage file is TOML::

    [[passage]]
    id = "en-roles-2021"
    date = 2021-05-01            # publication date (roles resolve against it); optional
    relevant = true              # about Japan–Russia relations? (for the relevance ROC AUC)
    trap = "a bare role on a date when Kato held it"
    title = "[[Japan|place:japan]] protests"   # optional, same markup
    text = "The [[Chief Cabinet Secretary|person:katsunobu-kato]] said ..."

Mention scores are exact-match on ``(field, start, end, entity_id)``.

>>> text, gold = parse_markup("[[Lavrov|person:sergey-lavrov]] met [[Hayashi|person:yoshimasa-hayashi]].")
>>> text, gold[1]
('Lavrov met Hayashi.', (11, 18, 'person:yoshimasa-hayashi'))
"""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.tagging.tagger import Tagger

__all__ = [
    "Passage",
    "SampleArticle",
    "SampleScores",
    "Scores",
    "load_passages",
    "load_sample_articles",
    "parse_markup",
    "roc_auc",
    "score_mentions",
    "score_sample",
]

_MARK = re.compile(r"\[\[([^\[\]|]+)\|([a-z]+:[a-z0-9-]+)\]\]")


def parse_markup(marked: str) -> tuple[str, list[tuple[int, int, str]]]:
    """Strip ``[[surface|entity_id]]`` markup; return the plain text and ``(start, end, entity_id)``."""
    out: list[str] = []
    gold: list[tuple[int, int, str]] = []
    pos = 0
    length = 0
    for m in _MARK.finditer(marked):
        plain = marked[pos : m.start()]
        out.append(plain)
        length += len(plain)
        surface = m.group(1)
        gold.append((length, length + len(surface), m.group(2)))
        out.append(surface)
        length += len(surface)
        pos = m.end()
    out.append(marked[pos:])
    text = "".join(out)
    if "[[" in text or "]]" in text:
        raise ValueError(f"unbalanced or malformed markup in: {marked[:80]!r}")
    return text, gold


@dataclass(frozen=True)
class Passage:
    """One evaluation passage with its gold mentions ``(field, start, end, entity_id)``."""

    id: str
    language: str
    title: str
    text: str
    date: date | None
    relevant: bool
    trap: str
    gold: tuple[tuple[str, int, int, str], ...] = field(default=())


def load_passages(directory: str | Path) -> list[Passage]:
    """Every passage of every ``<language>.toml`` in ``directory``, in file order."""
    passages: list[Passage] = []
    seen: set[str] = set()
    for path in sorted(Path(directory).glob("*.toml")):
        language = path.stem
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        for raw in data.get("passage", []):
            pid = raw["id"]
            if pid in seen:
                raise ValueError(f"{path.name}: duplicate passage id {pid}")
            seen.add(pid)
            title, title_gold = parse_markup(raw.get("title", ""))
            text, text_gold = parse_markup(raw["text"])
            gold = [("title", s, e, eid) for s, e, eid in title_gold] + [
                ("body", s, e, eid) for s, e, eid in text_gold
            ]
            passages.append(
                Passage(
                    pid,
                    language,
                    title,
                    text,
                    raw.get("date"),
                    bool(raw["relevant"]),
                    raw.get("trap", ""),
                    tuple(gold),
                )
            )
    return passages


@dataclass
class Scores:
    """Counts of true positives, false positives and false negatives, with P, R and F1."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _type_of(entity_id: str) -> str:
    return entity_id.split(":", 1)[0]


def score_mentions(
    pairs: Iterable[tuple[Passage, Sequence[tuple[str, int, int, str]]]],
) -> tuple[
    dict[str, Scores], dict[tuple[str, str], Scores], list[tuple[str, str, tuple[str, int, int, str]]]
]:
    """Score predictions against gold.

    ``pairs`` yields ``(passage, predicted)`` with predicted mentions as ``(field, start, end, entity_id)``.
    Returns scores per language (plus ``"all"``), per ``(language, type)``, and the errors as
    ``("FP"|"FN", passage_id, mention)``.
    """
    by_lang: dict[str, Scores] = defaultdict(Scores)
    by_type: dict[tuple[str, str], Scores] = defaultdict(Scores)
    errors: list[tuple[str, str, tuple[str, int, int, str]]] = []
    for passage, predicted in pairs:
        gold, pred = set(passage.gold), set(predicted)
        for kind, items in (("tp", gold & pred), ("fp", pred - gold), ("fn", gold - pred)):
            for item in items:
                for key in (passage.language, "all"):
                    setattr(by_lang[key], kind, getattr(by_lang[key], kind) + 1)
                bucket = by_type[(passage.language, _type_of(item[3]))]
                setattr(bucket, kind, getattr(bucket, kind) + 1)
                if kind != "tp":
                    errors.append((kind.upper(), passage.id, item))
    return dict(by_lang), dict(by_type), errors


def roc_auc(labels: Sequence[bool], scores: Sequence[float]) -> float:
    """Area under the ROC curve (probability that a positive outscores a negative; ties count half)."""
    pos = [s for lab, s in zip(labels, scores, strict=True) if lab]
    neg = [s for lab, s in zip(labels, scores, strict=True) if not lab]
    if not pos or not neg:
        raise ValueError("ROC AUC needs at least one positive and one negative")
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


# -- the sample corpus as a second, real-shaped evaluation ------------------------------------------------
@dataclass(frozen=True)
class SampleArticle:
    """One article of the sample corpus (``pipeline/sample/content/*.toml``) with its labels."""

    key: str
    source_id: str
    language: str
    title: str
    body: str
    published_at: datetime | None
    relevant: bool
    expect_mentions: tuple[str, ...]


def load_sample_articles(content_dir: str | Path) -> list[SampleArticle]:
    """The labelled articles of the sample corpus: every ``[[article]]`` with ``about_japan_russia``.

    The body is the lead and the body joined, as the extractors store it.
    """
    out: list[SampleArticle] = []
    for path in sorted(Path(content_dir).glob("*.toml")):
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        for raw in data.get("article", []):
            if "about_japan_russia" not in raw:
                continue
            published = raw.get("published") or None
            body = "\n\n".join(part for part in (raw.get("lead", ""), raw["body"].strip()) if part)
            out.append(
                SampleArticle(
                    raw["key"],
                    raw["source"],
                    raw.get("language", "en"),
                    raw["title"],
                    body,
                    datetime.fromisoformat(published) if published else None,
                    bool(raw["about_japan_russia"]),
                    tuple(raw.get("expect_mentions", ())),
                )
            )
    return out


@dataclass(frozen=True)
class SampleScores:
    """Relevance and expected-mention figures on the sample corpus."""

    articles: int
    relevant: int
    auc: float
    min_relevant: float
    max_other: float
    expected: int
    found: int
    missing: tuple[tuple[str, str], ...]  # (article key, expected surface)


def score_sample(tagger: Tagger, articles: Sequence[SampleArticle]) -> SampleScores:
    """Tag the sample articles; score relevance (ROC AUC) and the share of ``expect_mentions`` found.

    An expected surface counts as found when a mention's surface equals it or contains it ("Zelensky"
    inside "Vladimir Zelensky": the tagger takes the longest name).
    """
    labels: list[bool] = []
    scores: list[float] = []
    missing: list[tuple[str, str]] = []
    expected = 0
    for a in articles:
        mentions = tagger.tag(
            a.body, title=a.title, published_at=a.published_at, language=a.language, source_id=a.source_id
        )
        labels.append(a.relevant)
        scores.append(tagger.relevance(mentions, body=a.body, title=a.title))
        surfaces = [m.surface for m in mentions]
        for want in a.expect_mentions:
            expected += 1
            if not any(want in s for s in surfaces):
                missing.append((a.key, want))
    rel = [s for s, lab in zip(scores, labels, strict=True) if lab]
    other = [s for s, lab in zip(scores, labels, strict=True) if not lab]
    return SampleScores(
        articles=len(articles),
        relevant=len(rel),
        auc=roc_auc(labels, scores),
        min_relevant=min(rel),
        max_other=max(other),
        expected=expected,
        found=expected - len(missing),
        missing=tuple(missing),
    )
