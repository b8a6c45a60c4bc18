"""The manifest: the one file that says what the warehouse contains.

``<root>/_manifest/manifest.json`` lists every committed data file per table (path, rows, bytes), the
committed runs and the state maps. A data file not listed here is invisible, whatever is on disk: that
is what makes a commit atomic, since the manifest is replaced in one ``os.replace``.

>>> m = Manifest.empty()
>>> m.version, m.runs
(0, {})
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warehouse.errors import WarehouseError
from warehouse.layout import FileEntry

MANIFEST_DIR = "_manifest"
MANIFEST_FILE = "manifest.json"
FORMAT = "dipnews-manifest/1"


@dataclass(frozen=True)
class Manifest:
    """An immutable snapshot of the committed warehouse.

    ``files`` maps each table to its committed files; ``runs`` maps each committed run id (compactions
    included) to a small record (when, how many files and rows); ``state`` holds the state maps, e.g.
    ``{"feed_state": {feed_url: {"etag": ...}}, "kb_version": "2025.10"}``.
    """

    version: int
    files: dict[str, tuple[FileEntry, ...]] = field(default_factory=dict)
    runs: dict[str, dict[str, Any]] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)
    committed_at: str | None = None

    @classmethod
    def empty(cls) -> Manifest:
        """The manifest of a warehouse nothing was committed to."""
        return cls(version=0)

    def table_files(self, table: str) -> tuple[FileEntry, ...]:
        """The committed files of ``table`` (empty for a table without any)."""
        return self.files.get(table, ())

    def all_files(self) -> list[FileEntry]:
        """Every committed file of every table."""
        return [entry for entries in self.files.values() for entry in entries]

    def paths(self) -> set[str]:
        """The relative paths of every committed file."""
        return {entry.path for entry in self.all_files()}

    def to_json(self) -> dict[str, Any]:
        """The JSON document written to disk."""
        return {
            "format": FORMAT,
            "version": self.version,
            "committed_at": self.committed_at,
            "tables": {t: [e.to_json() for e in entries] for t, entries in sorted(self.files.items())},
            "runs": self.runs,
            "state": self.state,
        }

    def dumps(self) -> bytes:
        """The manifest as UTF-8 JSON bytes (stable key order, so equal manifests are equal bytes)."""
        return (json.dumps(self.to_json(), indent=1, ensure_ascii=False, sort_keys=False) + "\n").encode()

    @classmethod
    def from_json(cls, doc: Mapping[str, Any], origin: str = "manifest") -> Manifest:
        """Parse a manifest document; WarehouseError on a document this code does not understand."""
        if doc.get("format") != FORMAT:
            found = doc.get("format")
            raise WarehouseError(f"{origin}: unsupported manifest format {found!r}, want {FORMAT!r}")
        try:
            files = {
                table: tuple(FileEntry(table, e["path"], int(e["rows"]), int(e["bytes"])) for e in entries)
                for table, entries in doc["tables"].items()
            }
            return cls(
                int(doc["version"]), files, dict(doc["runs"]), dict(doc["state"]), doc.get("committed_at")
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise WarehouseError(f"{origin}: malformed manifest ({exc!r})") from exc


def manifest_path(root: Path) -> Path:
    """Where the manifest of the warehouse at ``root`` lives."""
    return root / MANIFEST_DIR / MANIFEST_FILE


def read_manifest_bytes(root: Path) -> bytes | None:
    """The raw committed manifest, or None when nothing was ever committed."""
    try:
        return manifest_path(root).read_bytes()
    except FileNotFoundError:
        return None


def parse_manifest(raw: bytes | None, origin: str = "manifest") -> Manifest:
    """The manifest in ``raw`` (empty for None)."""
    if raw is None:
        return Manifest.empty()
    try:
        doc = json.loads(raw)
    except ValueError as exc:
        raise WarehouseError(f"{origin}: not valid JSON ({exc})") from exc
    if not isinstance(doc, dict):
        raise WarehouseError(f"{origin}: not a JSON object")
    return Manifest.from_json(doc, origin)


def load_manifest(root: Path) -> Manifest:
    """The committed manifest of the warehouse at ``root`` (empty when there is none)."""
    return parse_manifest(read_manifest_bytes(root), str(manifest_path(root)))


def check_state(update: Any) -> dict[str, Any]:
    """Validate a state update: ``{name: value}`` where a value is a map ``{str: JSON}`` or any JSON value.

    Raises TypeError before anything is written, so an unserialisable value never half-commits.

    >>> check_state({"feed_state": {"https://tass.com/rss/v2.xml": {"etag": '"abc"'}}})["feed_state"]
    {'https://tass.com/rss/v2.xml': {'etag': '"abc"'}}
    """
    if not isinstance(update, Mapping):
        raise TypeError(f"state must be a dict of named values or maps, got {type(update).__name__}")
    for name, value in update.items():
        if not isinstance(name, str):
            raise TypeError(f"state names must be strings, got {name!r}")
        if isinstance(value, Mapping):
            for key in value:
                if not isinstance(key, str):
                    raise TypeError(f"state[{name!r}] has a non-string key {key!r}")
    try:
        json.dumps(update, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"state is not JSON-serialisable: {exc}") from exc
    return copy.deepcopy(dict(update))


def merge_state(current: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """``current`` with ``update`` applied.

    A map (dict) merges into the committed map key by key, and a None value removes that key; any other
    value replaces the committed one; a None value at the top removes the name.

    >>> merge_state({"m": {"a": 1, "b": 2}, "kb_version": "1"}, {"m": {"b": None, "c": 3}, "kb_version": "2"})
    {'m': {'a': 1, 'c': 3}, 'kb_version': '2'}
    """
    merged = copy.deepcopy(dict(current))
    for name, value in update.items():
        if value is None:
            merged.pop(name, None)
        elif isinstance(value, Mapping):
            target = merged.get(name)
            target = dict(target) if isinstance(target, Mapping) else {}
            for key, item in value.items():
                if item is None:
                    target.pop(key, None)
                else:
                    target[key] = copy.deepcopy(item)
            merged[name] = target
        else:
            merged[name] = copy.deepcopy(value)
    return merged
