"""The knowledge base: loading and validating the TOML files in ``pipeline/tagging/kb/``.

One file per entity type (``people.toml``, ``orgs.toml``, ``places.toml``, ``blocs.toml``,
``treaties.toml``, ``topics.toml``, ``offices.toml``) holds ``[[entity]]`` tables; ``generics.toml``
holds the country-less names ("Foreign Ministry", "foreign minister", "МИД") that resolve to Japan's or
Russia's by context; ``meta.toml`` holds the version and the country cues. An entity looks like::

    [[entity]]
    id = "person:sergey-lavrov"
    name = "Sergey Lavrov"
    country = "RU"
    aliases = ["Sergey Lavrov", "Sergei Lavrov", "Lavrov", "Сергей Лавров", "Лавров", "ラブロフ"]
    short = []                       # ambiguous surnames, linked only with evidence (see resolve.py)
    offices = [{ office = "office:ru-foreign-minister", start = 2004-03-09 }]

Validation is strict (:class:`KBError` names the file and entity): ids are typed slugs, aliases are
unique across entities, offices exist, and no office has two holders on one day.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.tagging.normalize import fold_alias

__all__ = [
    "TYPES",
    "Entity",
    "Generic",
    "KBError",
    "KnowledgeBase",
    "OfficeTerm",
    "default_kb_dir",
    "load_kb",
]

TYPES = ("person", "org", "place", "bloc", "treaty", "topic", "office")
_FILES = {
    "people.toml": "person",
    "orgs.toml": "org",
    "places.toml": "place",
    "blocs.toml": "bloc",
    "treaties.toml": "treaty",
    "topics.toml": "topic",
    "offices.toml": "office",
}
_ID = re.compile(r"^(person|org|place|bloc|treaty|topic|office):[a-z0-9]+(?:-[a-z0-9]+)*$")
_ENTITY_KEYS = {
    "id",
    "name",
    "country",
    "description",
    "wikidata",
    "aliases",
    "short",
    "variants",
    "offices",
    "generic",
    "bilateral",
}
_WIKIDATA = re.compile(r"^Q[1-9][0-9]*$")


class KBError(ValueError):
    """The knowledge base files are malformed or inconsistent."""


@dataclass(frozen=True, slots=True)
class OfficeTerm:
    """One term of one person in one office; ``end`` is the first day out of office (None: still in)."""

    office: str
    start: date
    end: date | None = None

    def covers(self, day: date) -> bool:
        """Whether the person held the office on ``day``."""
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True, slots=True)
class Entity:
    """One entity of the knowledge base. ``variants`` maps a naming variant to its aliases."""

    id: str
    name: str
    type: str
    country: str = ""
    description: str = ""
    wikidata: str = ""
    aliases: tuple[str, ...] = ()
    short: tuple[str, ...] = ()
    variants: tuple[tuple[str, tuple[str, ...]], ...] = ()
    offices: tuple[OfficeTerm, ...] = ()
    generic: str = ""
    bilateral: bool = False

    def all_aliases(self) -> list[str]:
        """Every surface form, variants and ambiguous short names included, without repeats."""
        seen: dict[str, None] = {}
        for alias in [*self.aliases, *(a for _, forms in self.variants for a in forms), *self.short]:
            seen.setdefault(alias, None)
        return list(seen)


@dataclass(frozen=True, slots=True)
class Generic:
    """A name without a country ("the Foreign Ministry"): ``kind`` is ``org`` or ``office``."""

    key: str
    kind: str
    aliases: tuple[str, ...]


@dataclass(slots=True)
class KnowledgeBase:
    """All entities and generic names, indexed for the tagger."""

    version: str
    entities: dict[str, Entity]
    generics: dict[str, Generic]
    country_cues: dict[str, tuple[str, ...]]
    stop_before_short: tuple[str, ...] = ()
    adjectives: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _holders: dict[str, list[tuple[OfficeTerm, str]]] = field(default_factory=dict)
    _by_generic: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for entity in self.entities.values():
            for term in entity.offices:
                self._holders.setdefault(term.office, []).append((term, entity.id))
            if entity.generic:
                self._by_generic.setdefault(entity.generic, {})[entity.country] = entity.id
        for terms in self._holders.values():
            terms.sort(key=lambda t: t[0].start)

    def holder(self, office_id: str, day: date) -> str | None:
        """The id of the person who held ``office_id`` on ``day``, or None (vacant or unknown)."""
        for term, person in self._holders.get(office_id, ()):
            if term.covers(day):
                return person
        return None

    def holders(self, office_id: str) -> list[tuple[OfficeTerm, str]]:
        """Every (term, person id) of an office, oldest first."""
        return list(self._holders.get(office_id, ()))

    def generic_candidates(self, key: str) -> dict[str, str]:
        """Country code → entity id for a generic name's key, e.g. ``{"JP": "org:mofa-japan", ...}``."""
        return dict(self._by_generic.get(key, {}))


def default_kb_dir() -> Path:
    """The knowledge base packaged with dipnews."""
    return Path(__file__).resolve().parent / "kb"


def _str_list(value: Any, where: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise KBError(f"{where}: {key!r} must be a list of non-empty strings")
    return tuple(value)


def _parse_entity(raw: dict[str, Any], etype: str, where: str) -> Entity:
    unknown = set(raw) - _ENTITY_KEYS
    if unknown:
        raise KBError(f"{where}: unknown keys {sorted(unknown)}")
    eid = raw.get("id")
    if not isinstance(eid, str) or not _ID.match(eid):
        raise KBError(f"{where}: bad id {eid!r} (want a typed slug such as 'person:sergey-lavrov')")
    where = f"{where} ({eid})"
    if eid.split(":", 1)[0] != etype:
        raise KBError(f"{where}: id prefix does not match the file's type {etype!r}")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise KBError(f"{where}: missing name")
    wikidata = raw.get("wikidata", "")
    if wikidata and not _WIKIDATA.match(wikidata):
        raise KBError(f"{where}: bad wikidata id {wikidata!r}")
    variants_raw = raw.get("variants", {})
    if not isinstance(variants_raw, dict):
        raise KBError(f"{where}: 'variants' must be a table of lists")
    variants = tuple((k, _str_list(v, where, f"variants.{k}")) for k, v in variants_raw.items())
    offices: list[OfficeTerm] = []
    for term in raw.get("offices", []):
        if not isinstance(term, dict) or not isinstance(term.get("office"), str):
            raise KBError(f"{where}: each office needs an 'office' id")
        start, end = term.get("start"), term.get("end")
        if not isinstance(start, date) or (end is not None and not isinstance(end, date)):
            raise KBError(f"{where}: office {term['office']} needs TOML dates start (and optional end)")
        if end is not None and end <= start:
            raise KBError(f"{where}: office {term['office']} ends ({end}) before it starts ({start})")
        offices.append(OfficeTerm(term["office"], start, end))
    aliases = _str_list(raw.get("aliases"), where, "aliases")
    if not aliases and not variants:
        raise KBError(f"{where}: no aliases")
    return Entity(
        id=eid,
        name=name,
        type=etype,
        country=str(raw.get("country", "")),
        description=str(raw.get("description", "")),
        wikidata=wikidata,
        aliases=aliases,
        short=_str_list(raw.get("short"), where, "short"),
        variants=variants,
        offices=tuple(offices),
        generic=str(raw.get("generic", "")),
        bilateral=bool(raw.get("bilateral", False)),
    )


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise KBError(f"{path.name}: {exc}") from exc


def _validate(entities: dict[str, Entity], generics: dict[str, Generic]) -> None:
    owner: dict[str, str] = {}
    for entity in entities.values():
        for alias in [*entity.aliases, *(a for _, forms in entity.variants for a in forms)]:
            key = fold_alias(alias)
            other = owner.setdefault(key, entity.id)
            if other != entity.id:
                raise KBError(f"alias {alias!r} belongs to both {other} and {entity.id}")
        for term in entity.offices:
            office = entities.get(term.office)
            if office is None or office.type != "office":
                raise KBError(f"{entity.id}: unknown office {term.office}")
        if entity.generic and entity.generic not in generics:
            raise KBError(f"{entity.id}: unknown generic {entity.generic!r}")
        if entity.generic and not entity.country:
            raise KBError(f"{entity.id}: an entity with a generic name needs a country")
    for generic in generics.values():
        for alias in generic.aliases:
            other = owner.get(fold_alias(alias))
            if other is not None:
                raise KBError(f"generic alias {alias!r} of {generic.key} is also an alias of {other}")
    by_office: dict[str, list[tuple[OfficeTerm, str]]] = {}
    for entity in entities.values():
        for term in entity.offices:
            by_office.setdefault(term.office, []).append((term, entity.id))
    for office, terms in by_office.items():
        terms.sort(key=lambda t: t[0].start)
        for (a, pa), (b, pb) in itertools.pairwise(terms):
            if a.end is None or a.end > b.start:
                raise KBError(f"{office}: {pa} ({a.start}..{a.end}) overlaps {pb} (from {b.start})")


def load_kb(kb_dir: str | Path | None = None) -> KnowledgeBase:
    """Load and validate the knowledge base in ``kb_dir`` (default: the packaged one).

    >>> kb = load_kb()
    >>> kb.entities["person:sergey-lavrov"].country
    'RU'
    """
    root = Path(kb_dir) if kb_dir is not None else default_kb_dir()
    if not root.is_dir():
        raise KBError(f"knowledge base directory not found: {root}")
    meta = _read(root / "meta.toml") if (root / "meta.toml").exists() else {}
    version = meta.get("version")
    if not isinstance(version, str) or not version:
        raise KBError("meta.toml: missing 'version'")
    entities: dict[str, Entity] = {}
    for filename, etype in _FILES.items():
        path = root / filename
        if not path.exists():
            continue
        data = _read(path)
        for i, raw in enumerate(data.get("entity", [])):
            entity = _parse_entity(raw, etype, f"{filename} entity #{i + 1}")
            if entity.id in entities:
                raise KBError(f"{filename}: duplicate id {entity.id}")
            entities[entity.id] = entity
    generics: dict[str, Generic] = {}
    if (root / "generics.toml").exists():
        for raw in _read(root / "generics.toml").get("generic", []):
            key, kind = raw.get("key"), raw.get("kind")
            if not isinstance(key, str) or kind not in ("org", "office"):
                raise KBError(f"generics.toml: bad generic {raw!r}")
            generics[key] = Generic(key, kind, _str_list(raw.get("aliases"), f"generic {key}", "aliases"))
    _validate(entities, generics)
    for code in meta.get("cues", {}):
        if not re.fullmatch(r"[A-Z]{2}", code):
            raise KBError(
                f"meta.toml: cue table key {code!r} is not a country code (a key misplaced under [cues]?)"
            )
    cues = {
        str(code): tuple(fold_alias(c) for c in _str_list(words, "meta.toml", f"cues.{code}"))
        for code, words in meta.get("cues", {}).items()
    }
    stop = tuple(
        fold_alias(w) for w in _str_list(meta.get("not_given_names"), "meta.toml", "not_given_names")
    )
    adjectives = {
        str(code): tuple(fold_alias(w) for w in _str_list(words, "meta.toml", f"adjectives.{code}"))
        for code, words in meta.get("adjectives", {}).items()
    }
    return KnowledgeBase(version, entities, generics, cues, stop, adjectives)


def iter_entities(kb: KnowledgeBase, types: Iterable[str] | None = None) -> list[Entity]:
    """The entities of ``kb``, optionally only those of ``types``, in id order."""
    wanted = set(types) if types is not None else None
    return [e for _, e in sorted(kb.entities.items()) if wanted is None or e.type in wanted]
