"""TagEntities: link Japan-Russia entities in each article and score its relevance."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

import apache_beam as beam

from pipeline import faults, records

#: tag of the mentions output
MENTIONS = "mentions"


class TagArticleFn(beam.DoFn):
    """Article row -> the row with ``relevance``, plus one ``mentions`` row per mention."""

    def __init__(self, run_id: str, kb_dir: str | None = None):
        self._run_id = run_id
        self._kb_dir = kb_dir

    def setup(self) -> None:
        # Built in the worker: the matcher's automaton is large and need not travel with the DoFn.
        from pipeline.tagging import Tagger

        self._tagger = Tagger.load(self._kb_dir)

    def process(self, row: dict[str, Any]) -> Iterator[Any]:
        try:
            mentions = self._tagger.tag(
                row["body"],
                title=row.get("title") or "",
                published_at=row.get("published_at"),
                source_id=row.get("source_id"),
                language=row.get("language"),
            )
            relevance = self._tagger.relevance(mentions, body=row["body"], title=row.get("title") or "")
        except Exception as exc:
            # The article is kept untagged: losing it over a tagger bug would be worse than a NULL score.
            yield records.reject(
                self._run_id,
                records.TAG,
                "tag_error",
                source_id=row["source_id"],
                url=row["url"],
                detail=records.unexpected(exc),
            )
            yield row
            return
        faults.maybe_crash("tag")
        records.count("mentions", len(mentions))
        yield {**row, "relevance": float(relevance)}
        for m in mentions:
            yield beam.pvalue.TaggedOutput(
                MENTIONS,
                {
                    "article_id": row["article_id"],
                    "entity_id": m.entity_id,
                    "surface": m.surface,
                    "start": m.start,
                    "end": m.end,
                    "field": m.field,
                    "source_id": row["source_id"],
                    "run_id": self._run_id,
                    "variant": m.variant or None,
                    "role": m.role or None,
                    "via": m.via,
                    "confidence": m.confidence,
                    # not a mentions column: it puts the mention in its article's year partition
                    "published_at": row.get("published_at"),
                },
            )


class TagOutput(NamedTuple):
    """TagEntities' outputs: tagged articles, their mentions, and rejects."""

    main: beam.PCollection
    mentions: beam.PCollection
    rejects: beam.PCollection


class TagEntities(beam.PTransform):
    """Articles -> tagged articles, mentions and rejects."""

    def __init__(self, *, run_id: str, kb_dir: str | None = None):
        super().__init__()
        self._fn = TagArticleFn(run_id, kb_dir)

    def expand(self, articles: beam.PCollection) -> TagOutput:
        results = articles | "Tag" >> beam.ParDo(self._fn).with_outputs(
            MENTIONS, records.REJECTS, main="articles"
        )
        return TagOutput(results.articles, results[MENTIONS], results[records.REJECTS])
