"""Versions of one article (same identity, new text): what changed, and which version a re-fetch is.

Pure helpers; the Beam step that applies them is :class:`pipeline.dedup.assign_versions.AssignVersions`.

>>> diff_fields({"title": "A", "body": "x  y"}, {"title": "A", "body": "x y"})
[]
>>> diff_fields({"title": "A", "body": "x"}, {"title": "B", "body": "z"})
['title', 'body']
>>> previous = {"version": 1, "title": "A", "content_hash": content_hash(None, "x y")}
>>> next_version(previous, {"title": "A.", "body": "X, y"}) is None  # unchanged: no new row
True
>>> next_version(previous, {"title": "A", "body": "x y z"}), next_version(None, {"title": "A", "body": "x"})
(2, 1)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from pipeline.dedup.text import content_hash, tokens

#: The fields whose change makes a new version, in the order they are reported.
VERSIONED_FIELDS = ("title", "body")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def diff_fields(old_row: Mapping[str, Any], new_row: Mapping[str, Any]) -> list[str]:
    """Names of the fields (``"title"``, ``"body"``) whose normalised text differs between two versions.

    Compared as the words :func:`~pipeline.dedup.text.content_hash` hashes, so a re-fetch that only
    differs in whitespace, punctuation, quote style or site chrome is not a new version. A field
    missing or None on one side and non-empty on the other counts as changed.
    """
    changed = []
    for name in VERSIONED_FIELDS:
        old, new = old_row.get(name), new_row.get(name)
        if tokens(old or "") != tokens(new or ""):
            changed.append(name)
    return changed


def version_of(row: Mapping[str, Any]) -> int:
    """The version a committed row holds; rows written before versions existed count as version 1."""
    return int(row.get("version") or 1)


def latest_committed(rows: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The committed row of the latest version among one article's rows (ties: latest fetched), or None."""
    return max(
        rows,
        key=lambda r: (version_of(r), r.get("fetched_at") or _EPOCH, r.get("run_id") or ""),
        default=None,
    )


def next_version(previous: Mapping[str, Any] | None, article: Mapping[str, Any]) -> int | None:
    """The version number ``article`` is written as, or None when it repeats ``previous`` (write nothing).

    ``previous`` is the latest committed row of the same ``article_id`` (``version``, ``title``,
    ``content_hash``) or None for a new article. The body is compared by content hash (the words only,
    as :func:`diff_fields` compares), the title by its words.
    """
    if previous is None:
        return 1
    same_body = previous.get("content_hash") == content_hash(None, article.get("body") or "")
    same_title = tokens(previous.get("title") or "") == tokens(article.get("title") or "")
    if same_body and same_title:
        return None
    return version_of(previous) + 1
