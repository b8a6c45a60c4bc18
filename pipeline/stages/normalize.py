"""NormalizeArticles: one article row per page, in the shape of the ``articles`` table.

Stable ``article_id`` from the per-source identity, UTC dates with where they came from, language,
wire agency, a body with normalised whitespace (mention offsets index into exactly this text), and the
content hash exact deduplication keys on.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import apache_beam as beam

from connectors.urls import normalize_url
from pipeline import faults, records
from pipeline.dedup.agency import detect_agency
from pipeline.dedup.text import content_hash
from pipeline.stages.common import StageOutput

#: a published date further in the future than this, relative to the fetch, is a parse error, not news
FUTURE_TOLERANCE = timedelta(days=1)
#: nothing this pipeline ingests was published on the web before this
EARLIEST_PLAUSIBLE = datetime(1994, 1, 1, tzinfo=UTC)

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000]+")
_PARAGRAPH_BREAK = re.compile(r"\s*\n\s*\n\s*|\s*\n\s*")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_KANA_KANJI = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def normalize_text(text: str | None) -> str:
    """NFC, spaces folded within lines, one blank line between paragraphs, no edge whitespace.

    >>> normalize_text("  TOKYO:\\u00a0Japan  said.\\n\\n\\n Second. ")
    'TOKYO: Japan said.\\n\\nSecond.'
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = (_SPACES.sub(" ", p).strip() for p in _PARAGRAPH_BREAK.split(text))
    return "\n\n".join(p for p in paragraphs if p)


def guess_language(text: str, default: str | None) -> str | None:
    """The language by script where the page did not say: Japanese and Russian are unmistakable."""
    sample = text[:2000]
    if len(_KANA_KANJI.findall(sample)) > 20:
        return "ja"
    if len(_CYRILLIC.findall(sample)) > 40:
        return "ru"
    return default


def plausible_date(value: datetime | None, fetched_at: datetime) -> datetime | None:
    """``value`` unless it is impossible for an article fetched at ``fetched_at``."""
    if value is None or value > fetched_at + FUTURE_TOLERANCE or value < EARLIEST_PLAUSIBLE:
        return None
    return value


def article_row(element: dict[str, Any], run_id: str) -> dict[str, Any]:
    """Build the ``articles`` row of one extracted page (pure; unit-tested directly)."""
    entry, article, fetched_at = element["entry"], element["article"], element["fetched_at"]
    source_id = entry["source_id"]
    title = normalize_text(article.get("title") or entry.get("title"))
    body = normalize_text(article.get("body"))
    published_at, date_source = article.get("published_at"), article.get("date_source")
    if plausible_date(published_at, fetched_at) is None:
        if published_at is not None:
            records.count("implausible_dates")
        # The feed's date is the publisher's word too; an article with neither keeps a NULL date.
        published_at = plausible_date(entry.get("published_at"), fetched_at)
        date_source = "feed" if published_at else None
    canonical = article.get("canonical_url")
    language = article.get("language") or entry.get("language") or guess_language(body, None)
    return {
        "article_id": entry["article_id"],
        "source_id": source_id,
        "url": entry["url"],
        "canonical_url": normalize_url(canonical) if canonical else entry["url"],
        "title": title or None,
        "body": body,
        "language": (language or "").split("-")[0].lower() or None,
        "published_at": published_at,
        "fetched_at": fetched_at,
        "authors": [a.strip() for a in article.get("authors") or [] if a and a.strip()],
        "agency": article.get("agency") or detect_agency(title, body, source_id),
        "content_hash": content_hash(title, body),
        "cluster_id": None,
        "is_duplicate": None,
        "relevance": None,
        "extraction_method": article.get("extraction_method") or "generic",
        "run_id": run_id,
        "identity": entry["identity"],
        "duplicate_of": None,
        "lead": normalize_text(article.get("lead")) or None,
        "kicker": article.get("kicker") or None,
        "section": article.get("section") or None,
        "modified_at": plausible_date(article.get("modified_at"), fetched_at),
        "date_source": date_source,
        "dateline_place": article.get("dateline_place") or None,
        "feed_url": entry.get("feed_url"),
        "version": 1,
        "robots_allowed": element.get("robots_allowed"),
    }


class NormalizeArticleFn(beam.DoFn):
    """Extracted page -> ``articles`` row; a row that cannot be built -> a reject."""

    def __init__(self, run_id: str):
        self._run_id = run_id

    def process(self, element: dict[str, Any]) -> Iterator[Any]:
        entry = element["entry"]
        try:
            row = article_row(element, self._run_id)
        except Exception as exc:
            yield records.reject(
                self._run_id,
                records.NORMALIZE,
                "normalize_error",
                source_id=entry["source_id"],
                url=entry["url"],
                detail=records.unexpected(exc),
            )
            return
        faults.maybe_crash("normalize")
        if not row["body"]:
            yield records.reject(
                self._run_id,
                records.NORMALIZE,
                "empty_body",
                source_id=row["source_id"],
                url=row["url"],
                detail="body empty after whitespace normalisation",
            )
            return
        yield row


class NormalizeArticles(beam.PTransform):
    """Extracted pages -> ``articles`` rows (without cluster and relevance yet)."""

    def __init__(self, *, run_id: str):
        super().__init__()
        self._run_id = run_id

    def expand(self, extracted: beam.PCollection) -> StageOutput:
        results = extracted | "Normalize" >> beam.ParDo(NormalizeArticleFn(self._run_id)).with_outputs(
            records.REJECTS, main="articles"
        )
        return StageOutput(results.articles, results[records.REJECTS])
