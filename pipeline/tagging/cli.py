"""``dipnews tag``: read text on stdin, print one JSON object per mention.

The console script's ``tag`` sub-command calls :func:`run`; ``python -m pipeline.tagging`` does too.
Offsets are code-point offsets into the text as read (``text[start:end] == surface``): all of stdin
is the body, with no title split off.

    $ echo "Лавров встретился с послом Японии." | python -m pipeline.tagging --date 2024-05-01
    {"entity_id": "person:sergey-lavrov", "name": "Sergey Lavrov", "type": "person", "surface": "Лавров", ...}
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import TextIO

from pipeline.tagging.tagger import Tagger

__all__ = ["main", "run"]


def run(
    text: str,
    out: TextIO,
    *,
    day: date | None = None,
    language: str | None = None,
    tagger: Tagger | None = None,
) -> int:
    """Tag ``text`` and write one JSON line per mention to ``out``; return the number of mentions."""
    tagger = tagger or Tagger.load()
    mentions = tagger.tag(text, published_at=day, language=language)
    for m in mentions:
        out.write(json.dumps(m.as_json(), ensure_ascii=False) + "\n")
    return len(mentions)


def _parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``[--date YYYY-MM-DD] [--language en|ru|ja]``, text on stdin."""
    parser = argparse.ArgumentParser(
        prog="dipnews tag", description="Tag Japan-Russia entities in text on stdin."
    )
    parser.add_argument(
        "--date",
        type=_parse_date,
        default=None,
        help="publication date: bare roles resolve to who held the office that day",
    )
    parser.add_argument("--language", default=None, help="language of the text (helps country-less names)")
    args = parser.parse_args(argv)
    run(sys.stdin.read(), sys.stdout, day=args.date, language=args.language)
    return 0
