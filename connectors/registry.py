"""Every connector, found by walking ``connectors.sources`` (STYLE.md #2): adding a source adds a module.

Each module in ``connectors/sources/`` defines exactly one :class:`~connectors.base.Connector` subclass
with a non-empty ``id``. Two connectors claiming one id or alias fail at import, naming both modules.

>>> from connectors import registry
>>> registry.get("japan-forward").id
'sankei'
>>> registry.for_url("https://tass.com/politics/1681234").id
'tass'
>>> registry.make_connector("kremlin", connector="generic", feeds=["http://en.kremlin.ru/feed"]).feeds
('http://en.kremlin.ru/feed',)
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Sequence
from types import ModuleType

import connectors.sources
from connectors.base import Connector
from connectors.urls import normalize_url


class RegistryError(ImportError):
    """A source module that breaks the one-connector-per-module, unique-id rules."""


class GenericConnector(Connector):
    """A source with no module of its own: the generic extractor, identity = normalised canonical URL.

    Built by :func:`make_connector` from configuration (``connector = "generic"``).

    >>> GenericConnector("kremlin", feeds=["http://en.kremlin.ru/events/president/news/feed"]).id
    'kremlin'
    """

    id = "generic"
    name = "Generic source"

    def __init__(self, source_id: str, feeds: Sequence[str] = ()) -> None:
        if not source_id or not source_id.strip():
            raise ValueError("a generic source needs an id")
        super().__init__(source_id=source_id.strip(), feeds=tuple(feeds))

    def identity(self, url: str) -> str:
        return normalize_url(url)


def _connector_class(module: ModuleType) -> type[Connector]:
    found = [
        obj
        for obj in vars(module).values()
        if isinstance(obj, type)
        and issubclass(obj, Connector)
        and obj.__module__ == module.__name__
        and obj.id
    ]
    if len(found) != 1:
        names = ", ".join(c.__name__ for c in found) or "none"
        raise RegistryError(
            f"{module.__name__} must define exactly one Connector subclass with an id (found: {names})"
        )
    return found[0]


def discover(package: ModuleType = connectors.sources) -> dict[str, Connector]:
    """Import every module of ``package`` and return its connectors by id.

    Raises RegistryError for a module without exactly one connector, or for a duplicate id or alias.
    """
    by_id: dict[str, Connector] = {}
    claimed: dict[str, str] = {}  # id or alias -> module that claimed it
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        cls = _connector_class(module)
        for name in (cls.id, *cls.aliases):
            key = name.lower()
            if key in claimed:
                raise RegistryError(
                    f"source name {name!r} of {module.__name__} is already taken by {claimed[key]}"
                )
            claimed[key] = module.__name__
        by_id[cls.id] = cls()
    return by_id


_CONNECTORS: dict[str, Connector] = discover()
_NAMES: dict[str, str] = {
    name.lower(): c.id for c in _CONNECTORS.values() for name in (c.id, *type(c).aliases)
}


def all_connectors() -> list[Connector]:
    """The built-in connectors, sorted by id."""
    return [_CONNECTORS[k] for k in sorted(_CONNECTORS)]


def get(id_or_alias: str) -> Connector:
    """The built-in connector named ``id_or_alias`` (case-insensitive).

    Raises KeyError naming the known ids.
    """
    key = _NAMES.get((id_or_alias or "").strip().lower())
    if key is None:
        raise KeyError(f"unknown source {id_or_alias!r}; known: {', '.join(sorted(_NAMES))}")
    return _CONNECTORS[key]


def for_url(url: str) -> Connector | None:
    """The built-in connector whose hosts include ``url``'s host, or None."""
    for connector in all_connectors():
        if connector.owns(url):
            return connector
    return None


def make_connector(
    source_id: str, *, connector: str | None = None, feeds: Sequence[str] | None = None
) -> Connector:
    """The connector of one configured source.

    ``connector="generic"`` builds a :class:`GenericConnector` called ``source_id``; otherwise the
    built-in named ``connector`` (or ``source_id``) is used, with ``feeds`` replacing its own when given
    and ``source_id`` as its id. Raises KeyError for an unknown built-in, ValueError for a generic
    source without feeds.
    """
    if connector is not None and connector.strip().lower() == "generic":
        if not feeds:
            raise ValueError(f"generic source {source_id!r} needs feeds")
        return GenericConnector(source_id, feeds=feeds)
    builtin = get(connector or source_id)
    if feeds is None and builtin.id == source_id:
        return builtin
    return type(builtin)(source_id=source_id, feeds=tuple(feeds) if feeds is not None else builtin.feeds)
