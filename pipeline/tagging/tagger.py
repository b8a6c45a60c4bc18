"""The tagger: knowledge base + matcher + resolver behind the API the pipeline and the CLI call.

>>> from datetime import date
>>> tagger = Tagger.load()
>>> [m.entity_id for m in tagger.tag("The Chief Cabinet Secretary spoke.", published_at=date(2021, 5, 1))]
['person:katsunobu-kato']
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pipeline.tagging.kb import KnowledgeBase, load_kb
from pipeline.tagging.localtime import local_date
from pipeline.tagging.matcher import AliasSpec, Matcher
from pipeline.tagging.mention import Mention
from pipeline.tagging.normalize import normalize
from pipeline.tagging.relevance import relevance_score
from pipeline.tagging.resolve import Found, Reading, Resolver

__all__ = ["Tagger", "alias_specs"]

_CASED_TYPES = {"person", "place", "org", "bloc"}


def alias_specs(kb: KnowledgeBase) -> list[AliasSpec]:
    """Every alias of ``kb`` as a matcher spec (entities, their variants and short names, generics)."""
    specs: list[AliasSpec] = []
    for entity in kb.entities.values():
        cased = entity.type in _CASED_TYPES

        def spec(
            alias: str, variant: str = "", short: bool = False, eid: str = entity.id, cased: bool = cased
        ) -> AliasSpec:
            return AliasSpec(alias, eid, variant, short, cased and alias[0].isupper())

        specs.extend(spec(a) for a in entity.aliases)
        specs.extend(spec(a, variant) for variant, forms in entity.variants for a in forms)
        specs.extend(spec(a, short=True) for a in entity.short)
    for generic in kb.generics.values():
        specs.extend(AliasSpec(a, f"generic:{generic.key}") for a in generic.aliases)
    return specs


class Tagger:
    """Tags articles with the entities of a knowledge base. Picklable; :meth:`load` takes well under 1 s."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.kb_version = kb.version
        self._matcher = Matcher(alias_specs(kb))
        self._resolver = Resolver(kb)
        self._readings: dict[tuple[int, ...], Reading] = {}

    @classmethod
    def load(cls, kb_dir: str | Path | None = None) -> Tagger:
        """A tagger over the knowledge base in ``kb_dir`` (default: the packaged one)."""
        return cls(load_kb(kb_dir))

    def __getstate__(self) -> dict[str, Any]:
        return {"kb": self.kb, "matcher": self._matcher}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.kb = state["kb"]
        self.kb_version = self.kb.version
        self._matcher = state["matcher"]
        self._resolver = Resolver(self.kb)
        self._readings = {}

    def _reading(self, ids: tuple[int, ...]) -> Reading:
        """The resolver's reading of the matcher's specs ``ids``, made once per combination."""
        reading = self._readings.get(ids)
        if reading is None:
            specs = tuple(self._matcher.specs[i] for i in ids)
            reading = self._readings[ids] = self._resolver.read(specs)
        return reading

    def _find(self, field: str, text: str) -> list[Found]:
        norm = normalize(text)
        readings = self._readings
        found = []
        for fstart, fend, ids in self._matcher.find(norm, text):
            start, end = (fstart, fend) if norm.index_map is None else norm.original_span(fstart, fend)
            reading = readings.get(ids) or self._reading(ids)
            found.append(Found(field, start, end, text[start:end], reading, text, norm.text, fstart, fend))
        return found

    def tag(
        self,
        body: str,
        *,
        title: str = "",
        published_at: datetime | date | None = None,
        language: str | None = None,
        source_id: str | None = None,
        timezone: str | None = None,
    ) -> list[Mention]:
        """The mentions in ``title`` and ``body``, title first, each in text order.

        ``published_at`` decides who a bare role ("Japan's foreign minister") refers to: a datetime is
        dated in the outlet's own time zone (``timezone``, else by ``source_id``, else by ``language``;
        see :mod:`pipeline.tagging.localtime`), a ``date`` is used as it is. ``language`` also helps
        resolve country-less names ("МИД" in a Russian text is Russia's).
        """
        if not isinstance(body, str) or not isinstance(title, str):
            raise TypeError("title and body must be strings")
        day = local_date(published_at, timezone=timezone, source_id=source_id, language=language)
        found = self._find("title", title) if title else []
        found += self._find("body", body) if body else []
        mentions = []
        for lk in self._resolver.resolve(found, day, language):
            f = lk.found
            # every field by position: keywords make a frozen dataclass half as slow again to build
            mentions.append(
                Mention(
                    lk.entity.id,
                    lk.entity.name,
                    lk.entity.type,
                    f.surface,
                    f.start,
                    f.end,
                    f.field,
                    lk.variant,
                    lk.role,
                    lk.via,
                    lk.confidence,
                )
            )
        return mentions

    def relevance(self, mentions: list[Mention], *, body: str = "", title: str = "") -> float:
        """Relevance in [0, 1] of the article with these mentions to Japan–Russia relations.

        ``body`` and ``title`` add weak evidence (country adjectives such as "Russian"); the mentions
        carry the rest. See :mod:`pipeline.tagging.relevance`.
        """
        return relevance_score(self.kb, mentions, f"{title}\n{body}" if title else body)

    def entity_counts(self, mentions: list[Mention]) -> list[dict[str, Any]]:
        """One row per entity of an article: ``entity_id``, ``name``, ``type``, ``count``, ``variants``."""
        counts = Counter(m.entity_id for m in mentions)
        variants: dict[str, Counter[str]] = {}
        for m in mentions:
            if m.variant:
                variants.setdefault(m.entity_id, Counter())[m.variant] += 1
        rows = []
        for eid, count in counts.most_common():
            entity = self.kb.entities[eid]
            rows.append(
                {
                    "entity_id": eid,
                    "name": entity.name,
                    "type": entity.type,
                    "count": count,
                    "variants": dict(variants.get(eid, {})),
                }
            )
        return rows

    def entity_rows(self) -> list[dict[str, Any]]:
        """Rows for the ``entities`` table (schemas/tables.py ENTITIES), sorted by id."""
        return [
            {
                "entity_id": e.id,
                "name": e.name,
                "type": e.type,
                "wikidata_id": e.wikidata or None,
                "aliases": e.all_aliases(),
                "country": e.country or None,
                "description": e.description or None,
                "kb_version": self.kb_version,
            }
            for _, e in sorted(self.kb.entities.items())
        ]
