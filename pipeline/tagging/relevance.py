"""How much an article is about Japan–Russia relations, from its mentions: a score from 0 to 1.

Signals, each counted with title mentions weighing double:

* ``bilateral``: entities that only make sense between the two countries (the disputed islands, the
  1956 Joint Declaration, the peace-treaty talks, visa-free visits, Sakhalin-1, the two envoys …),
  and bare roles linked through such an office ("Russia's ambassador to Japan");
* ``jp`` and ``ru``: Japanese and Russian entities, plus half a point per country adjective in the
  text ("a Russian patrol plane", at most 1.5); both sides must be present, so a Japan–US story full
  of Japanese names scores low;
* ``other``: entities of other countries (a China–Russia story that names Japan once is diluted).

``x = (1.5 * bilateral + 1.6 * sqrt(min(jp, ru))) * share`` with ``share`` the part of all
country-bearing weight that is Japanese, Russian or bilateral, and the score is ``1 - exp(-x / 1.2)``.
The constants were set on the relevance labels of the evaluation set (benchmarks/tagging_eval.py).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pipeline.tagging.kb import KnowledgeBase
from pipeline.tagging.mention import Mention

__all__ = ["relevance_features", "relevance_score"]

_ADJECTIVE_CAP = 1.5


def relevance_features(kb: KnowledgeBase, mentions: Sequence[Mention], text: str = "") -> dict[str, float]:
    """The weighted counts the score is made of: ``bilateral``, ``jp``, ``ru`` and ``other``."""
    feats = {"bilateral": 0.0, "jp": 0.0, "ru": 0.0, "other": 0.0}
    for m in mentions:
        entity = kb.entities.get(m.entity_id)
        if entity is None:
            continue
        weight = 2.0 if m.field == "title" else 1.0
        office = kb.entities.get(m.role) if m.role else None
        if entity.bilateral or (office is not None and office.bilateral):
            feats["bilateral"] += weight
        elif entity.country == "JP":
            feats["jp"] += weight
        elif entity.country == "RU":
            feats["ru"] += weight
        elif entity.country:
            feats["other"] += weight
    if text:
        folded = text.lower()  # adjectives are plain letters: no need for the full fold
        for code, key in (("JP", "jp"), ("RU", "ru")):
            # substring counts are C-fast; "russian" inside another word is rare enough to ignore
            count = sum(folded.count(word) for word in kb.adjectives.get(code, ()))
            feats[key] += min(_ADJECTIVE_CAP, 0.5 * count)
    return feats


def relevance_score(kb: KnowledgeBase, mentions: Sequence[Mention], text: str = "") -> float:
    """The relevance to Japan–Russia relations of an article with these mentions (and text), in [0, 1]."""
    f = relevance_features(kb, mentions, text)
    core = f["bilateral"] + f["jp"] + f["ru"]
    total = core + f["other"]
    if total == 0:
        return 0.0
    share = core / total
    x = (1.5 * f["bilateral"] + 1.6 * math.sqrt(min(f["jp"], f["ru"]))) * share
    return round(1.0 - math.exp(-x / 1.2), 4)
