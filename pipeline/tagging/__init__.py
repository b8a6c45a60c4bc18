"""Japan–Russia entity tagging: a versioned multilingual knowledge base, a matcher and a resolver.

>>> from datetime import date
>>> tagger = Tagger.load()
>>> ms = tagger.tag("Лавров встретился с послом Японии.", published_at=date(2024, 5, 1))
>>> [(m.entity_id, m.surface) for m in ms][:1]
[('person:sergey-lavrov', 'Лавров')]
"""

from pipeline.tagging.kb import KBError, KnowledgeBase, load_kb
from pipeline.tagging.mention import Mention
from pipeline.tagging.tagger import Tagger

__all__ = ["KBError", "KnowledgeBase", "Mention", "Tagger", "load_kb"]
