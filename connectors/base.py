"""What a connector is: a declarative source spec plus pure parsing functions.

Fetching and parsing are kept apart (STYLE.md #4): the framework owns the one HTTP client and hands a
connector the bytes it fetched, as a :class:`Page`; a connector never imports an HTTP library. Parsing
is a pure function of ``(bytes, url, fetched_at)``.

The records that flow between stages are plain dicts (picklable, cheap in Beam), typed here as
``TypedDict`` so that every stage agrees on the keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar, TypedDict


@dataclass(frozen=True)
class Page:
    """One fetched page, as the HTTP layer hands it to a parser.

    ``url`` is the final URL after redirects; ``requested_url`` the one that was asked for.
    ``text`` is the body decoded with the charset the HTTP layer settled on (header, BOM, meta or
    detection: see ``connectors.encoding``).
    """

    url: str
    content: bytes
    text: str
    fetched_at: datetime
    content_type: str = ""
    encoding: str = "utf-8"
    requested_url: str = ""
    headers: dict[str, str] = field(default_factory=dict)


class FeedEntry(TypedDict, total=False):
    """One item discovered in a feed or sitemap."""

    source_id: str
    url: str  # normalised article URL (tracking parameters removed)
    raw_url: str  # the link as the feed gave it
    feed_url: str
    identity: str  # per-source identity, e.g. "tass:1234567"
    title: str | None
    summary: str | None
    published_at: datetime | None  # UTC
    updated_at: datetime | None  # UTC
    language: str | None


class Article(TypedDict, total=False):
    """What a connector extracts from one page. Dates are timezone-aware UTC datetimes."""

    url: str
    canonical_url: str | None
    title: str | None
    kicker: str | None
    lead: str | None
    body: str | None
    authors: list[str]
    published_at: datetime | None
    modified_at: datetime | None
    date_source: str | None  # "jsonld", "meta", "unixtime", "time", "htmldate", "feed", ...
    language: str | None
    section: str | None
    agency: str | None  # wire credit: "JIJI Press", "Kyodo", "TASS", ...
    dateline_place: str | None
    extraction_method: str  # "source:<id>@<version>" or "generic"


class ExtractionError(Exception):
    """A page that cannot be turned into an article. ``reason`` becomes the reject's reason code."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class Connector:
    """Base class of every source. A subclass is a spec plus overrides where the generic path errs.

    Class attributes form the spec; methods are pure functions. Subclasses live one per module in
    ``connectors/sources/`` and are found by ``connectors.registry`` without touching a shared file.
    """

    id: ClassVar[str] = ""
    name: ClassVar[str] = ""
    home: ClassVar[str] = ""
    feeds: ClassVar[tuple[str, ...]] = ()
    language: ClassVar[str] = "en"
    #: minimum seconds between two requests to one host of this source
    min_interval: ClassVar[float] = 1.0
    #: article URLs this source accepts from its feeds; None accepts every http(s) URL
    article_url_pattern: ClassVar[re.Pattern[str] | None] = None

    def accepts(self, url: str) -> bool:
        """Whether a discovered URL is an article of this source (per-source URL filter)."""
        raise NotImplementedError

    def identity(self, url: str) -> str:
        """The stable identity of the article at ``url``, e.g. ``"tass:1234567"``.

        Every URL variant of one article (tracking parameters, section paths, AMP) gives the same identity.
        """
        raise NotImplementedError

    def parse_feed(self, content: bytes, feed_url: str) -> list[FeedEntry]:
        """Entries of an RSS/Atom feed or (news) sitemap. Raises ExtractionError("not_a_feed") on HTML."""
        raise NotImplementedError

    def extract(self, page: Page) -> Article:
        """The article on ``page``. Raises ExtractionError (e.g. reason "empty_body")."""
        raise NotImplementedError
