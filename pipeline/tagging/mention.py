"""The public record of one entity mention."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["Mention"]


@dataclass(frozen=True, slots=True)
class Mention:
    """One linked mention, with code-point offsets into the ORIGINAL title or body.

    ``text[start:end] == surface`` always holds for the field's text. ``variant`` is the naming variant
    of a disputed-island name (``northern_territories``, ``southern_kurils``, ``kurils``,
    ``japanese_naming``, ``russian_naming``, ``neutral``), ``role`` the office through which a bare role
    ("the Chief Cabinet Secretary") was linked to its holder on the publication date, and ``via`` how
    the link was made: ``alias``, ``role``, ``context`` (a country-less name) or ``surname``.

    >>> m = Mention("person:sergey-lavrov", "Sergey Lavrov", "person", "Lavrov", 0, 6, "body")
    >>> m.as_json()["entity_id"]
    'person:sergey-lavrov'
    """

    entity_id: str
    name: str
    type: str
    surface: str
    start: int
    end: int
    field: str
    variant: str = ""
    role: str = ""
    via: str = "alias"
    confidence: float = 1.0

    def as_json(self) -> dict[str, Any]:
        """The mention as the JSON object ``dipnews tag`` prints (the DESIGN.md keys come first)."""
        return asdict(self)
