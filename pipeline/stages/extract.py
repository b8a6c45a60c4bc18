"""ExtractArticles: turn each fetched page into an article with its source's parser.

The connector falls back to the generic path by itself when its selectors find nothing and says so in
``extraction_method``; a page that yields no body at all is a reject, never a silent empty row.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import apache_beam as beam

from connectors.base import ExtractionError
from pipeline import faults, records
from pipeline.config import SourceConfig
from pipeline.stages.common import StageOutput, build_connectors


class ExtractArticleFn(beam.DoFn):
    """``{"entry", "page"}`` -> ``{"entry", "article", "page"}``; unparseable pages -> rejects."""

    def __init__(self, sources: Sequence[SourceConfig], run_id: str):
        self._sources = tuple(sources)
        self._run_id = run_id

    def setup(self) -> None:
        self._connectors = build_connectors(self._sources)

    def process(self, element: dict[str, Any]) -> Iterator[Any]:
        entry, page = element["entry"], element["page"]
        source_id = entry["source_id"]
        try:
            article = self._connectors[source_id].extract(page)
        except ExtractionError as exc:
            yield records.reject(
                self._run_id,
                records.EXTRACT,
                exc.reason,
                source_id=source_id,
                url=page.url,
                detail=exc.detail,
            )
            return
        except Exception as exc:  # a parser bug must cost one page, not the run
            yield records.reject(
                self._run_id,
                records.EXTRACT,
                "parse_error",
                source_id=source_id,
                url=page.url,
                detail=records.unexpected(exc),
            )
            return
        if not (article.get("body") or "").strip():
            yield records.reject(
                self._run_id,
                records.EXTRACT,
                "empty_body",
                source_id=source_id,
                url=page.url,
                detail=f"extraction_method={article.get('extraction_method')}",
            )
            return
        faults.maybe_crash("extract")
        records.count("articles_extracted")
        records.count(f"source.{source_id}.extracted")
        if article.get("extraction_method") == "generic":
            # A source parser falling back is how a layout change shows itself (dipnews sources/status).
            records.count(f"source.{source_id}.generic_fallback")
        yield {
            "entry": entry,
            "article": article,
            "fetched_at": page.fetched_at,
            "final_url": page.url,
            "robots_allowed": element.get("robots_allowed"),
        }


class ExtractArticles(beam.PTransform):
    """Pages -> extracted articles; failures -> rejects."""

    def __init__(self, sources: Sequence[SourceConfig], *, run_id: str):
        super().__init__()
        self._fn = ExtractArticleFn(sources, run_id)

    def expand(self, pages: beam.PCollection) -> StageOutput:
        results = pages | "Extract" >> beam.ParDo(self._fn).with_outputs(records.REJECTS, main="articles")
        return StageOutput(results.articles, results[records.REJECTS])
