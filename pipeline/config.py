"""The TOML configuration of a run, loaded once and passed inward through constructors.

The form is DESIGN.md's::

    [fetch]
    allow_private_networks = false

    [schedule]          # how often each feed is polled (adaptive, see pipeline/feedstate.py)
    min_interval = 300  # seconds; a feed that keeps bringing news is polled this often
    max_interval = 21600

    [maintenance]
    compact_after_files = 32   # compact a partition of articles/mentions holding more files (0: never)

    [run]
    chunk_size = 5000          # new articles ingested per pipeline: memory follows this, not the run

    [[sources]]
    id = "tass"
    feeds = ["https://tass.com/rss/v2.xml"]   # optional: overrides the connector's feeds
    # connector = "generic"                    # a source with no module of its own

Unknown keys are errors, not silently ignored settings: a typo in a politeness setting must not run a
crawl with the defaults.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connectors.http import FetchSettings

DEFAULT_CONFIG = Path("dipnews.toml")
DEFAULT_WAREHOUSE = Path("warehouse")
WAREHOUSE_ENV = "DIPNEWS_WAREHOUSE"


class ConfigError(ValueError):
    """A configuration file that cannot be used as written."""


@dataclass(frozen=True)
class SourceConfig:
    """One ``[[sources]]`` entry."""

    id: str
    feeds: tuple[str, ...] | None = None  # None: the connector's own feeds
    connector: str | None = None  # "generic" for a source with no module of its own
    enabled: bool = True
    min_interval: float | None = None  # seconds between requests to one host; None: the connector's


@dataclass(frozen=True)
class ScheduleSettings:
    """``[schedule]``: the bounds of each feed's adaptive polling interval, in seconds.

    A poll that brings nothing new stretches the feed's interval by ``growth`` (up to ``max_interval``);
    a poll that brings news sets it back to ``min_interval``.

    >>> ScheduleSettings(min_interval=60, max_interval=30)
    Traceback (most recent call last):
    ...
    ValueError: max_interval (30) must be at least min_interval (60)
    """

    min_interval: float = 300.0
    max_interval: float = 6 * 3600.0
    growth: float = 1.5

    def __post_init__(self) -> None:
        for name in ("min_interval", "max_interval", "growth"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
                raise ValueError(f"{name} must be a number, got {value!r}")
        if self.min_interval < 0:
            raise ValueError(f"min_interval must be >= 0, got {self.min_interval}")
        if self.max_interval < self.min_interval:
            raise ValueError(
                f"max_interval ({self.max_interval:g}) must be at least min_interval ({self.min_interval:g})"
            )
        if self.growth < 1:
            raise ValueError(f"growth must be >= 1, got {self.growth}")


#: articles per ingestion pipeline (``[run] chunk_size``): memory grows with it, throughput barely does
DEFAULT_CHUNK_SIZE = 5000


@dataclass(frozen=True)
class RunSettings:
    """``[run]``: how a run is cut up.

    ``chunk_size``: entries ingested per pipeline (pipeline.chunks). Memory grows with it, not with the
    run: a backlog of 20,000 new articles is ingested in four chunks of 5,000, each one pipeline.
    """

    chunk_size: int = DEFAULT_CHUNK_SIZE

    def __post_init__(self) -> None:
        value = self.chunk_size
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"chunk_size must be an integer >= 1, got {value!r}")


@dataclass(frozen=True)
class MaintenanceSettings:
    """``[maintenance]``: automatic upkeep after each commit.

    ``compact_after_files``: when a partition of ``articles`` or ``mentions`` holds more committed files
    than this, the run compacts it right after its commit (0 turns automatic compaction off).
    """

    compact_after_files: int = 32

    def __post_init__(self) -> None:
        value = self.compact_after_files
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"compact_after_files must be an integer >= 0, got {value!r}")


@dataclass(frozen=True)
class Config:
    """A whole configuration: fetch settings, schedule, upkeep and the sources to ingest."""

    fetch: FetchSettings = field(default_factory=FetchSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    maintenance: MaintenanceSettings = field(default_factory=MaintenanceSettings)
    run: RunSettings = field(default_factory=RunSettings)
    sources: tuple[SourceConfig, ...] = ()  # empty: every registered connector with its own feeds
    #: whether requests wait out the per-host intervals (off only for the loopback sample and benchmarks)
    polite: bool = True
    path: str | None = None

    def select(self, ids: Sequence[str] | None) -> Config:
        """This configuration restricted to the sources named in ``ids`` (``--sources``)."""
        if not ids:
            return self
        sources = self.sources or tuple(SourceConfig(id=c.id) for c in _registered())
        known = {s.id for s in sources}
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise ConfigError(
                f"unknown source(s) {', '.join(unknown)}; configured: {', '.join(sorted(known))}"
            )
        return dataclasses.replace(self, sources=tuple(s for s in sources if s.id in ids))


def _registered() -> list[Any]:
    from connectors import registry

    return registry.all_connectors()


_FETCH_FIELDS = {f.name: f for f in dataclasses.fields(FetchSettings)}
_SOURCE_KEYS = {"id", "feeds", "connector", "enabled", "min_interval"}


def _fetch_settings(table: Mapping[str, Any], where: str) -> FetchSettings:
    unknown = sorted(set(table) - set(_FETCH_FIELDS) - {"polite"})
    if unknown:
        raise ConfigError(f"{where}: unknown [fetch] key(s) {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key == "polite":
            continue
        if key in ("allowed_private",):
            value = frozenset(value)
        elif key in ("host_min_interval", "origin_overrides"):
            value = dict(value)
        values[key] = value
    try:
        return FetchSettings(**values)
    except (TypeError, ValueError) as exc:  # a value of the wrong type or out of range
        raise ConfigError(f"{where}: [fetch]: {exc}") from exc


def _section(cls: type, name: str, table: Any, where: str) -> Any:
    """``[name]`` as a ``cls`` dataclass; unknown keys and bad values are ConfigErrors."""
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where}: [{name}] must be a table")
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"{where}: unknown [{name}] key(s) {', '.join(unknown)}")
    try:
        return cls(**table)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: [{name}]: {exc}") from exc


def _source(entry: Mapping[str, Any], where: str) -> SourceConfig:
    unknown = sorted(set(entry) - _SOURCE_KEYS)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(unknown)} in [[sources]] {entry.get('id', '?')!r}"
        )
    if not isinstance(entry.get("id"), str) or not entry["id"]:
        raise ConfigError(f"{where}: every [[sources]] entry needs an id")
    feeds = entry.get("feeds")
    if feeds is not None and (not isinstance(feeds, list) or not all(isinstance(f, str) for f in feeds)):
        raise ConfigError(f"{where}: feeds of {entry['id']!r} must be a list of URLs")
    return SourceConfig(
        id=entry["id"],
        feeds=tuple(feeds) if feeds is not None else None,
        connector=entry.get("connector"),
        enabled=bool(entry.get("enabled", True)),
        min_interval=entry.get("min_interval"),
    )


def parse_config(text: str, *, where: str = "<config>") -> Config:
    """Parse configuration TOML text.

    >>> parse_config('[[sources]]\\nid = "tass"').sources[0].id
    'tass'
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML: {exc}") from exc
    unknown = sorted(set(data) - {"fetch", "schedule", "maintenance", "run", "sources"})
    if unknown:
        raise ConfigError(f"{where}: unknown section(s) {', '.join(unknown)}")
    fetch_table = data.get("fetch", {})
    sources = tuple(_source(s, where) for s in data.get("sources", []))
    ids = [s.id for s in sources]
    if len(ids) != len(set(ids)):
        raise ConfigError(f"{where}: duplicate source ids in [[sources]]")
    return Config(
        fetch=_fetch_settings(fetch_table, where),
        schedule=_section(ScheduleSettings, "schedule", data.get("schedule", {}), where),
        maintenance=_section(MaintenanceSettings, "maintenance", data.get("maintenance", {}), where),
        run=_section(RunSettings, "run", data.get("run", {}), where),
        sources=tuple(s for s in sources if s.enabled),
        polite=bool(fetch_table.get("polite", True)),
        path=where,
    )


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Load ``path``, or ``./dipnews.toml`` when it exists, or the defaults."""
    if path is None:
        if not DEFAULT_CONFIG.exists():
            return Config()
        path = DEFAULT_CONFIG
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror}") from exc
    return parse_config(text, where=str(path))


def warehouse_dir(option: str | None) -> Path:
    """The warehouse directory: ``--warehouse``, else ``$DIPNEWS_WAREHOUSE``, else ``./warehouse``."""
    return Path(option or os.environ.get(WAREHOUSE_ENV) or DEFAULT_WAREHOUSE)
