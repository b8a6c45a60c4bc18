"""Feeds and sitemaps: RSS 2.0, RSS 1.0 and Atom via feedparser; XML sitemaps, news sitemaps and
sitemap indexes via lxml.

The body is sniffed, never trusted by its URL or Content-Type: a feed URL that answers with an HTML
page (TASS served a JS redirect page in 2022) is ``not_a_feed``, a broken one ``malformed_feed``.

Hostile XML is defused. feedparser's strict parser does not load external entities
(``feature_external_ges`` off) and it removes every ``<!ENTITY>`` declaration from the DOCTYPE before
parsing except plain-text ones without references, so neither an XXE ``SYSTEM "file:///etc/passwd"``
nor a "billion laughs" chain survives; sitemaps are parsed by lxml with entity resolution, DTD
loading and network access off and ``huge_tree`` off. Gzip bodies (``sitemap.xml.gz``) are inflated
up to a cap.

>>> rss = b'''<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
... <item><title>Talks</title><link>https://tass.com/politics/1?utm_source=rss</link>
... <pubDate>Fri, 06 Oct 2023 12:10:26 +0300</pubDate></item></channel></rss>'''
>>> item = parse_feed(rss, "https://tass.com/rss/v2.xml")[0]
>>> item.url, item.published_at.isoformat(), item.kind
('https://tass.com/politics/1?utm_source=rss', '2023-10-06T09:10:26+00:00', 'article')
"""

from __future__ import annotations

import io
import logging
import re
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import feedparser
import lxml.etree

from connectors.base import ExtractionError
from connectors.dates import parse_datetime
from connectors.text import clean_line
from connectors.urls import resolve

log = logging.getLogger(__name__)

#: largest inflated size of a gzip feed or sitemap (the sitemap protocol caps files at 50 MB)
MAX_INFLATED_BYTES = 64 * 1024 * 1024

_NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
_FEED_ROOTS = frozenset({"rss", "rdf", "feed", "channel"})
#: how much of the body is scanned for the document element
_SNIFF_BYTES = 65536
_TAG_NAME_RE = re.compile(rb"<\s*([A-Za-z_][\w.:-]*)")
# plain alternatives only: no nested quantifiers, so hostile bodies cannot make the search slow
_HTML_RE = re.compile(rb"<!doctype\s+html|<html[\s>]|<body[\s>]|<head[\s>]", re.IGNORECASE)
# numeric character references; those naming no character XML allows are replaced before parsing
_CHAR_REF_RE = re.compile(rb"&#(?:[xX]([0-9A-Fa-f]{1,8})|([0-9]{1,10}));")


@dataclass
class FeedItem:
    """One entry of a feed or sitemap.

    ``url`` is the link as given, made absolute against the feed URL (not normalised: the caller keeps
    both spellings). ``kind`` is ``"sitemap"`` for the children of a sitemap index, which the caller
    fetches in turn. Dates are aware UTC datetimes.
    """

    url: str
    title: str | None = None
    summary: str | None = None  # the description as the feed gives it (may hold raw HTML)
    published_at: datetime | None = None
    updated_at: datetime | None = None
    guid: str | None = None
    kind: Literal["article", "sitemap"] = "article"
    content_html: str | None = None  # content:encoded / Atom content, raw HTML (not sanitised)
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    language: str | None = None


def _inflate(content: bytes) -> bytes:
    if not content.startswith(b"\x1f\x8b"):
        return content
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(content, MAX_INFLATED_BYTES + 1)
    except zlib.error as exc:
        raise ExtractionError("malformed_feed", f"bad gzip data: {exc}") from exc
    if len(data) > MAX_INFLATED_BYTES:
        raise ExtractionError("malformed_feed", f"gzip body inflates beyond {MAX_INFLATED_BYTES} bytes")
    return data


@dataclass(frozen=True)
class _Prolog:
    """What precedes the document element: its local name, and the span of the DOCTYPE if any."""

    root: str | None
    doctype: tuple[int, int] | None
    has_subset: bool


def _scan_prolog(content: bytes) -> _Prolog:
    """Skip the XML declaration, comments, processing instructions and DOCTYPE (with its internal
    subset) to the document element, in one linear pass: hand-written because regular expressions for
    nested prologs backtrack exponentially on hostile input."""
    head = content[:_SNIFF_BYTES]
    if b"\x00" in head[:4]:  # UTF-16/32 with or without BOM: sniff a UTF-8 copy of the head
        head = head.decode(
            "utf-32" if head[:4] in (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00") else "utf-16", "ignore"
        )
        head = head.encode("utf-8")
    index, doctype, has_subset = 0, None, False
    while True:
        while index < len(head) and head[index : index + 1].isspace():
            index += 1
        if head.startswith(b"<?", index):
            end = head.find(b"?>", index)
        elif head.startswith(b"<!--", index):
            end = head.find(b"-->", index)
            end = end + 1 if end >= 0 else end  # point at the last character of "-->"
        elif head[index : index + 9].upper() == b"<!DOCTYPE":
            close, bracket = head.find(b">", index), head.find(b"[", index)
            if 0 <= bracket < close or (bracket >= 0 and close < 0):
                has_subset = True
                close = head.find(b"]", bracket)
                while close >= 0:  # the subset ends at "]" followed by optional spaces and ">"
                    after = close + 1
                    while after < len(head) and head[after : after + 1].isspace():
                        after += 1
                    if head.startswith(b">", after):
                        close = after
                        break
                    close = head.find(b"]", after)
            end = close - 1 if close >= 0 else -1
            if end >= 0:
                doctype = (index, close + 1)
        else:
            match = _TAG_NAME_RE.match(head, index)
            name = match.group(1).decode("ascii", "replace").rsplit(":", 1)[-1].lower() if match else None
            return _Prolog(name, doctype, has_subset)
        if end < 0:
            return _Prolog(None, doctype, has_subset)
        index = end + 2


def _safe_parser() -> lxml.etree.XMLParser:
    return lxml.etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )


def _child_text(element: lxml.etree._Element, *path: str) -> str | None:
    node: lxml.etree._Element | None = element
    for tag in path:
        if node is None:
            return None
        node = node.find(tag)
    if node is None or node.text is None:
        return None
    return clean_line(node.text) or None


def _parse_sitemap(content: bytes, feed_url: str, *, default_tz: str | None) -> list[FeedItem]:
    try:
        root = lxml.etree.fromstring(content, parser=_safe_parser())
    except lxml.etree.XMLSyntaxError as exc:
        raise ExtractionError("malformed_feed", f"sitemap: {exc}") from exc
    local = lxml.etree.QName(root).localname
    ns = lxml.etree.QName(root).namespace or ""
    prefix = f"{{{ns}}}" if ns else ""
    news = f"{{{_NEWS_NS}}}"
    items: list[FeedItem] = []
    skipped = 0
    child_tag, kind = ("sitemap", "sitemap") if local == "sitemapindex" else ("url", "article")
    for node in root.iter(f"{prefix}{child_tag}"):
        loc = _child_text(node, f"{prefix}loc")
        if not loc:
            skipped += 1
            continue
        lastmod = _child_text(node, f"{prefix}lastmod")
        item = FeedItem(
            url=resolve(feed_url, loc),
            kind=kind,  # type: ignore[arg-type]
            updated_at=parse_datetime(lastmod, default_tz=default_tz) if lastmod else None,
        )
        news_node = node.find(f"{news}news")
        if news_node is not None:
            item.title = _child_text(news_node, f"{news}title")
            published = _child_text(news_node, f"{news}publication_date")
            item.published_at = parse_datetime(published, default_tz=default_tz) if published else None
            item.language = _child_text(news_node, f"{news}publication", f"{news}language")
            keywords = _child_text(news_node, f"{news}keywords")
            item.categories = [k.strip() for k in keywords.split(",") if k.strip()] if keywords else []
        items.append(item)
    if skipped:
        log.warning("%s: %d sitemap entries without <loc> skipped", feed_url, skipped)
    return items


def _struct_to_datetime(value: time.struct_time | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _entry_date(entry: Any, key: str, default_tz: str | None) -> datetime | None:
    """Our own parser first (it knows "GMT9" and naive local times); feedparser's as the fallback."""
    # dict.get: FeedParserDict.get("updated") silently falls back to "published"
    raw = dict.get(entry, key)
    parsed = parse_datetime(raw, default_tz=default_tz) if raw else None
    return parsed or _struct_to_datetime(dict.get(entry, f"{key}_parsed"))


def _entry_authors(entry: Any) -> list[str]:
    names: list[str] = []
    for author in entry.get("authors") or []:
        name = clean_line(author.get("name") or "") if isinstance(author, dict) else ""
        if name and name not in names:
            names.append(name)
    if not names and entry.get("author"):
        names.append(clean_line(entry["author"]))
    return [n for n in names if n]


def _entry_content(entry: Any) -> str | None:
    contents = entry.get("content") or []
    html = [c.get("value", "") for c in contents if "html" in (c.get("type") or "")]
    text = html or [c.get("value", "") for c in contents]
    joined = "\n".join(t for t in text if t and t.strip())
    return joined or None


def _defuse(content: bytes) -> bytes:
    """``content`` without a DOCTYPE whose internal subset declares entities.

    feedparser already drops entity declarations with references and expat caps amplification, but
    what a feed never needs we remove before any parser sees it: no entity can then expand at all.
    """
    prolog = _scan_prolog(content)
    if prolog.doctype is None or not prolog.has_subset:
        return content
    start, end = prolog.doctype
    if b"<!ENTITY" not in content[start:end].upper():
        return content
    return content[:start] + content[end:]


def _valid_char_ref(match: re.Match[bytes]) -> bytes:
    code = int(match.group(1), 16) if match.group(1) else int(match.group(2))
    if (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    ):
        return match.group(0)
    return b"&#xFFFD;"


def replace_bad_char_refs(content: bytes) -> bytes:
    """``content`` with character references to NUL, controls, lone surrogates or beyond U+10FFFF replaced
    by U+FFFD: feedparser's loose parser would otherwise hand out a lone surrogate ("&#xDC00;"), which
    breaks its own re-encoding and every UTF-8 writer after it.

    >>> replace_bad_char_refs(b"a &#xDC00; b &#0; c &#233; d &#x110000;")
    b'a &#xFFFD; b &#xFFFD; c &#233; d &#xFFFD;'
    """
    return _CHAR_REF_RE.sub(_valid_char_ref, content) if b"&#" in content else content


def _parse_syndication(content: bytes, feed_url: str, *, default_tz: str | None) -> list[FeedItem]:
    content = replace_bad_char_refs(_defuse(content))
    try:
        # a stream, never a str: feedparser treats a str as a URL or a file name and would open it
        parsed = feedparser.parse(
            io.BytesIO(content),
            response_headers={"content-location": feed_url, "content-type": "application/xml"},
            # Summaries and content are kept as the feed gives them: nothing in dipnews renders them,
            # and sanitising every item's HTML took half of feedparser's time on a full feed.
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except (UnicodeError, ValueError, RecursionError) as exc:  # feedparser's loose path on hostile bytes
        raise ExtractionError("malformed_feed", f"{type(exc).__name__}: {exc}") from exc
    entries = parsed.get("entries") or []
    if not entries:
        if parsed.get("bozo"):
            raise ExtractionError("malformed_feed", str(parsed.get("bozo_exception") or "unparsable feed"))
        if not parsed.get("version") and not parsed.get("feed"):
            raise ExtractionError("not_a_feed", "no RSS or Atom structure")
        return []
    feed_language = (parsed.get("feed") or {}).get("language")
    items: list[FeedItem] = []
    skipped = 0
    for entry in entries:
        link = entry.get("link") or ""
        guid = entry.get("id") or None
        if not link and guid and guid.startswith(("http://", "https://")):
            link = guid  # RSS <guid isPermaLink="true"> without <link>
        if not link:
            skipped += 1
            continue
        summary = entry.get("summary")
        content_html = _entry_content(entry)
        if summary and content_html and summary.strip() == content_html.strip():
            summary = None  # feedparser copies an Atom entry's content into its summary
        items.append(
            FeedItem(
                url=resolve(feed_url, link),
                title=clean_line(entry.get("title") or "") or None,
                summary=summary.strip() if summary and summary.strip() else None,
                # RSS 1.0 dc:date and Atom entries with only <updated> give one date: the item's date
                published_at=_entry_date(entry, "published", default_tz)
                or _entry_date(entry, "created", default_tz)
                or _entry_date(entry, "updated", default_tz),
                updated_at=_entry_date(entry, "updated", default_tz),
                guid=guid,
                content_html=content_html,
                authors=_entry_authors(entry),
                categories=[t.get("term") for t in entry.get("tags") or [] if t.get("term")],
                language=entry.get("language") or feed_language,
            )
        )
    if skipped:
        log.warning("%s: %d feed entries without a link skipped", feed_url, skipped)
        if not items:
            raise ExtractionError("malformed_feed", f"none of {skipped} entries has a link")
    return items


def parse_feed(content: bytes, feed_url: str, *, default_tz: str | None = None) -> list[FeedItem]:
    """Entries of the RSS/Atom feed, sitemap, news sitemap or sitemap index in ``content``.

    ``default_tz`` is the zone of dates written without an offset. Raises
    ``ExtractionError("not_a_feed")`` for HTML or any other non-feed body and
    ``ExtractionError("malformed_feed", detail)`` for a feed that cannot be read.
    """
    if not isinstance(content, bytes | bytearray):
        raise ExtractionError("not_a_feed", f"expected bytes, got {type(content).__name__}")
    data = _inflate(bytes(content)).removeprefix(b"\xef\xbb\xbf")
    if not data.strip():
        raise ExtractionError("not_a_feed", "empty body")
    root = _scan_prolog(data).root
    if root in ("urlset", "sitemapindex"):
        return _parse_sitemap(data, feed_url, default_tz=default_tz)
    if root in _FEED_ROOTS:
        return _parse_syndication(data, feed_url, default_tz=default_tz)
    if root is None and not _HTML_RE.search(data[:_SNIFF_BYTES]):
        # not XML at the top (junk before the root?): feedparser's loose parser may still read it
        try:
            items = _parse_syndication(data, feed_url, default_tz=default_tz)
        except ExtractionError as exc:
            raise ExtractionError(
                "not_a_feed", f"no XML document element ({exc.detail or exc.reason})"
            ) from exc
        if items:
            return items
    found = root or "no XML"
    raise ExtractionError("not_a_feed", f"document element is <{found}>")
