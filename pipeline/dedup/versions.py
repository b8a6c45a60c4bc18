"""What changed between two versions of one article (same identity, new text): a pure helper.

>>> diff_fields({"title": "A", "body": "x  y"}, {"title": "A", "body": "x y"})
[]
>>> diff_fields({"title": "A", "body": "x"}, {"title": "B", "body": "z"})
['title', 'body']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipeline.dedup.text import tokens

#: The fields whose change makes a new version, in the order they are reported.
VERSIONED_FIELDS = ("title", "body")


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
