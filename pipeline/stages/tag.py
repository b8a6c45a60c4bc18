"""TagEntities: link Japan-Russia entities in each article and score its relevance.

An article's mentions travel inside its row, as a list under :data:`MENTIONS`, not as elements of their
own: an article carries about 20 mentions, and every element costs its encoding at each shuffle (and a
trip to another process on a distributed runner). WriteWarehouse writes them as the ``mentions`` table,
in the article's partition, filling in the columns they share with the article (:data:`INHERITED`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

import apache_beam as beam

from pipeline import faults, records

#: key of an article row under which its mention rows travel to WriteWarehouse (the ``mentions`` table)
MENTIONS = "mentions"
#: columns a mention row takes from its article row when it is written (``published_at`` is not a
#: ``mentions`` column: it puts the mention in its article's year partition)
INHERITED = ("article_id", "source_id", "run_id", "published_at")


def mention_rows(article: dict[str, Any]) -> list[dict[str, Any]]:
    """The complete ``mentions`` rows of a tagged ``article``: its nested mentions with the inherited columns.

    >>> article = {"article_id": "a1", "source_id": "tass", "run_id": "r1", "published_at": None,
    ...            MENTIONS: [{"entity_id": "place:kunashiri", "start": 0, "end": 9}]}
    >>> mention_rows(article)[0]["article_id"], mention_rows(article)[0]["entity_id"]
    ('a1', 'place:kunashiri')
    >>> mention_rows({"article_id": "a2"})  # untagged (the tagger failed on it): no mentions
    []
    """
    shared = {column: article.get(column) for column in INHERITED}
    return [{**mention, **shared} for mention in article.get(MENTIONS) or ()]


class TagArticleFn(beam.DoFn):
    """Article row -> the row with ``relevance`` and its mentions nested under :data:`MENTIONS`."""

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
        yield {
            **row,
            "relevance": float(relevance),
            MENTIONS: [
                {
                    "entity_id": m.entity_id,
                    "surface": m.surface,
                    "start": m.start,
                    "end": m.end,
                    "field": m.field,
                    "variant": m.variant or None,
                    "role": m.role or None,
                    "via": m.via,
                    "confidence": m.confidence,
                }
                for m in mentions
            ],
        }


class TagOutput(NamedTuple):
    """TagEntities' outputs: tagged articles (mentions nested, see :func:`mention_rows`) and rejects."""

    main: beam.PCollection
    rejects: beam.PCollection


class TagEntities(beam.PTransform):
    """Articles -> tagged articles carrying their mentions, and rejects."""

    def __init__(self, *, run_id: str, kb_dir: str | None = None):
        super().__init__()
        self._fn = TagArticleFn(run_id, kb_dir)

    def expand(self, articles: beam.PCollection) -> TagOutput:
        results = articles | "Tag" >> beam.ParDo(self._fn).with_outputs(records.REJECTS, main="articles")
        return TagOutput(results.articles, results[records.REJECTS])
