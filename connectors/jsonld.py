"""Page metadata from JSON-LD, OpenGraph, Twitter cards, ``article:*`` and other meta tags.

JSON-LD wins over meta tags for the fields it carries (it is what publishers feed to search engines
and is usually the most exact); meta tags fill what it lacks. Broken JSON is common on news sites
(trailing commas, HTML entities, raw newlines inside strings, several objects in one block), so blocks
are repaired before they are given up.

>>> import lxml.html
>>> tree = lxml.html.fromstring('<html lang="ja"><head><script type="application/ld+json">'
...     '{"@type": "NewsArticle", "headline": "見出し", "datePublished": "2025-01-21T05:00:00+0900",}'
...     '</script></head><body></body></html>')
>>> meta = page_metadata(tree)
>>> meta.title, meta.published_at.isoformat(), meta.date_source, meta.language
('見出し', '2025-01-20T20:00:00+00:00', 'jsonld', 'ja')
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import lxml.html

from connectors.dates import parse_datetime
from connectors.text import clean_line

#: JSON-LD types that describe the article itself, best first
# fmt: off
ARTICLE_TYPES = (
    "NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle", "OpinionNewsArticle",
    "BackgroundNewsArticle", "Article", "BlogPosting", "Report", "LiveBlogPosting", "SocialMediaPosting",
    "WebPage",
)
# fmt: on
_TYPE_RANK = {name.lower(): rank for rank, name in enumerate(ARTICLE_TYPES)}

# meta names that carry the publication date on sites without article:published_time
# fmt: off
_PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "og:published_time", "published_time",
    "pubdate", "publishdate", "publish-date", "date", "dc.date", "dc.date.issued", "dcterms.created",
    "dcterms.issued", "sailthru.date", "parsely-pub-date", "cxenseparse:recs:publishtime",
    "article.published", "datepublished", "iso-8601-publish-date",
)
_MODIFIED_META = (
    "article:modified_time", "og:article:modified_time", "og:updated_time", "modified_time",
    "dc.date.modified", "dcterms.modified", "lastmod", "last-modified", "article.updated", "datemodified",
)
_AUTHOR_META = (
    "author", "article:author", "dc.creator", "parsely-author", "sailthru.author", "byl",
    "cxenseparse:author",
)
_SECTION_META = (
    "article:section", "og:article:section", "section", "parsely-section",
    "cxenseparse:recs:articlesection",
)
# fmt: on

#: author values that name nobody
# fmt: off
PLACEHOLDER_AUTHORS = frozenset({
    "no author", "unknown", "anonymous", "admin", "administrator", "none", "null", "staff", "editor",
    "webmaster",
})
# fmt: on
_TRAILING_COMMA_RE = re.compile(r",\s*([}\]])")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_BY_RE = re.compile(r"^(?:by|written by|text by|автор:?)\s+", re.IGNORECASE)


@dataclass
class Metadata:
    """What a page says about itself. Dates are aware UTC datetimes; raw strings are kept beside them."""

    title: str | None = None
    site_name: str | None = None
    description: str | None = None
    canonical_url: str | None = None
    language: str | None = None
    authors: list[str] = field(default_factory=list)
    section: str | None = None
    keywords: list[str] = field(default_factory=list)
    published: str | None = None
    modified: str | None = None
    published_at: datetime | None = None
    modified_at: datetime | None = None
    date_source: str | None = None  # "jsonld" or "meta"
    article_body: str | None = None  # JSON-LD articleBody, when the page gives one
    article_type: str | None = None
    image: str | None = None
    html_title: str | None = None  # the <title> element, with its site suffix
    jsonld: list[dict[str, Any]] = field(default_factory=list)  # every JSON-LD object found, flattened


# --- JSON-LD -------------------------------------------------------------------------------------

#: deepest nesting of lists and objects kept from a JSON-LD block (real pages nest fewer than 10 levels)
MAX_DEPTH = 64


def _decode_all(text: str) -> list[Any]:
    """Every JSON value in ``text`` (a block may hold several, back to back); [] when nothing decodes."""
    decoder = json.JSONDecoder(strict=False)  # strict=False: raw newlines inside strings
    values: list[Any] = []
    index = 0
    while index < len(text):
        while index < len(text) and text[index] in " \t\r\n;,":
            index += 1
        if index >= len(text):
            break
        try:
            value, index = decoder.raw_decode(text, index)
        except (json.JSONDecodeError, RecursionError):  # RecursionError: "[[[[..." nested past the stack
            break
        if _depth(value) <= MAX_DEPTH:  # the walks below recurse: a hostile depth is dropped, not followed
            values.append(value)
    return values


def _depth(value: Any) -> int:
    """How deeply lists and objects nest in ``value`` (iteratively: the value may be hostile).

    >>> _depth({"a": [1, {"b": 2}]}), _depth("x")
    (3, 0)
    """
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            break
        stack.extend((child, level + 1) for child in children)
    return deepest


def parse_jsonld_block(raw: str) -> list[Any]:
    """The JSON values of one ``<script type="application/ld+json">`` body, repairing common breakage.

    >>> parse_jsonld_block('<!-- {"@type": "Article", "headline": "A &amp; B",} -->')
    [{'@type': 'Article', 'headline': 'A & B'}]
    """
    text = raw.strip()
    for wrapper in (("<!--", "-->"), ("<![CDATA[", "]]>"), ("//<![CDATA[", "//]]>")):
        if text.startswith(wrapper[0]) and text.endswith(wrapper[1]):
            text = text[len(wrapper[0]) : -len(wrapper[1])].strip()
    text = _CONTROL_RE.sub(" ", text)
    attempts = (text, _TRAILING_COMMA_RE.sub(r"\1", text))
    for attempt in attempts:
        values = _decode_all(attempt)
        if values:
            return [_unescape(v) for v in values]
    # entities escaped outside strings ("&quot;") make the whole block unparsable until unescaped
    unescaped = _TRAILING_COMMA_RE.sub(r"\1", html.unescape(text))
    return [_unescape(v) for v in _decode_all(unescaped)]


def _unescape(value: Any) -> Any:
    """HTML entities left inside JSON strings ("A &amp; B") decoded, recursively."""
    if isinstance(value, str):
        return html.unescape(value) if "&" in value else value
    if isinstance(value, list):
        return [_unescape(v) for v in value]
    if isinstance(value, dict):
        return {k: _unescape(v) for k, v in value.items()}
    return value


def _walk(value: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in ``value``: lists, ``@graph`` and nested objects included."""
    if isinstance(value, list):
        for item in value:
            yield from _walk(item)
    elif isinstance(value, dict):
        yield value
        for key, item in value.items():
            if isinstance(item, dict | list) and key not in ("@context",):
                yield from _walk(item)


def _types(node: dict[str, Any]) -> list[str]:
    kind = node.get("@type", [])
    kinds = kind if isinstance(kind, list) else [kind]
    return [k.rsplit("/", 1)[-1] for k in kinds if isinstance(k, str)]


def _article_rank(node: dict[str, Any]) -> int | None:
    ranks = [_TYPE_RANK[t.lower()] for t in _types(node) if t.lower() in _TYPE_RANK]
    return min(ranks) if ranks else None


def _text(value: Any) -> str | None:
    """A display string from a JSON-LD value that may be a string, a list, or an object with a name."""
    if value is None:
        return None
    if isinstance(value, str):
        cleaned = clean_line(value)
        return cleaned or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, list):
        for item in value:
            text = _text(item)
            if text:
                return text
        return None
    if isinstance(value, dict):
        return _text(value.get("name") or value.get("@value") or value.get("headline"))
    return None


def _names(value: Any, by_id: dict[str, dict[str, Any]]) -> list[str]:
    """Author names from a string, a Person/Organization (maybe an ``@id`` reference) or a list."""
    if value is None:
        return []
    if isinstance(value, list):
        return [name for item in value for name in _names(item, by_id)]
    if isinstance(value, dict):
        if "name" not in value and isinstance(value.get("@id"), str) and value["@id"] in by_id:
            value = by_id[value["@id"]]
        name = value.get("name")
        return _names(name, by_id) if not isinstance(name, dict) else []
    if isinstance(value, str):
        return split_authors(value)
    return []


def split_authors(value: str) -> list[str]:
    """``"By Jane Doe and John Roe"`` -> ``["Jane Doe", "John Roe"]``; URLs are not names.

    >>> split_authors("By Jane Doe, John Roe and Ivan Petrov")
    ['Jane Doe', 'John Roe', 'Ivan Petrov']
    """
    text = _BY_RE.sub("", clean_line(value))
    if not text or text.startswith(("http://", "https://")):
        return []
    parts = re.split(r"\s*(?:,|;|\band\b|&|\bи\b|、|・)\s*", text)
    return [p.strip() for p in parts if p.strip() and not p.strip().startswith("http")]


def _dedupe(items: list[str]) -> list[str]:
    seen: set[str] = set()
    kept: list[str] = []
    for item in items:
        if item.casefold() not in seen:
            seen.add(item.casefold())
            kept.append(item)
    return kept


def _best_article(nodes: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The node that describes the article: the best-ranked type (a WebPage only when no Article-like
    node exists), among those a node with a headline, then the first in the page."""
    candidates = [(rank, i) for i, node in enumerate(nodes) if (rank := _article_rank(node)) is not None]
    if not candidates:
        return None
    _, index = min(candidates, key=lambda c: (c[0], "headline" not in nodes[c[1]], c[1]))
    return nodes[index]


# --- meta tags -----------------------------------------------------------------------------------


def _meta_map(tree: lxml.html.HtmlElement) -> dict[str, list[str]]:
    """Lower-cased meta ``name``/``property``/``itemprop``/``http-equiv`` -> their contents, in page order."""
    found: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        content = meta.get("content")
        if content is None:
            continue
        content = content.strip()
        if not content:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = meta.get(attr)
            if key:
                found.setdefault(key.strip().lower(), []).append(content)
    return found


def _first(meta: dict[str, list[str]], names: tuple[str, ...]) -> str | None:
    for name in names:
        values = meta.get(name)
        if values:
            return values[0]
    return None


def _link_canonical(tree: lxml.html.HtmlElement) -> str | None:
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        if "canonical" in rel and link.get("href", "").strip():
            return link.get("href").strip()
    return None


def _language(
    tree: lxml.html.HtmlElement, meta: dict[str, list[str]], node: dict[str, Any] | None
) -> str | None:
    candidates = [
        tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang"),
        _text(node.get("inLanguage")) if node else None,
        _first(meta, ("content-language", "language", "dc.language")),
        _first(meta, ("og:locale",)),
    ]
    for value in candidates:
        if value and re.fullmatch(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*", value.strip()):
            return value.strip().replace("_", "-").split("-")[0].lower()
    return None


def page_metadata(tree: lxml.html.HtmlElement, *, default_tz: str | None = None) -> Metadata:
    """Merged metadata of a parsed page: JSON-LD first, then OpenGraph, Twitter and other meta tags.

    ``default_tz`` is the zone of dates written without an offset (default UTC).
    """
    meta = _meta_map(tree)
    objects: list[dict[str, Any]] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() not in ("application/ld+json", "application/json+ld"):
            continue
        objects.extend(_walk(parse_jsonld_block(script.text or "")))
    # a reference ({"@id": ...} alone) must not shadow the node it points to: keep the fullest node
    by_id: dict[str, dict[str, Any]] = {}
    for candidate in objects:
        key = candidate.get("@id")
        if isinstance(key, str) and len(candidate) > len(by_id.get(key, {})):
            by_id[key] = candidate
    node = _best_article(objects)
    result = Metadata(jsonld=objects)

    title_el = tree.find(".//title")
    result.html_title = clean_line(title_el.text_content()) if title_el is not None else None
    result.html_title = result.html_title or None

    if node is not None:
        result.article_type = _types(node)[0] if _types(node) else None
        result.title = _text(node.get("headline")) or _text(node.get("name"))
        result.description = _text(node.get("description"))
        result.authors = _names(node.get("author"), by_id) or _names(node.get("creator"), by_id)
        result.section = _text(node.get("articleSection"))
        result.published = _text(node.get("datePublished")) or _text(node.get("dateCreated"))
        result.modified = _text(node.get("dateModified"))
        body = node.get("articleBody") or node.get("text")
        result.article_body = body.strip() if isinstance(body, str) and body.strip() else None
        main = node.get("mainEntityOfPage")
        url = main.get("@id") if isinstance(main, dict) else main if isinstance(main, str) else None
        result.canonical_url = url if isinstance(url, str) and url.startswith("http") else None
        keywords = node.get("keywords")
        if isinstance(keywords, str):
            result.keywords = [k.strip() for k in keywords.split(",") if k.strip()]
        elif isinstance(keywords, list):
            result.keywords = [k for k in (_text(k) for k in keywords) if k]
        result.image = (
            _text(node.get("image"))
            if not isinstance(node.get("image"), dict)
            else _text(node["image"].get("url"))
        )
        publisher = node.get("publisher")
        if isinstance(publisher, dict) and "name" not in publisher and publisher.get("@id") in by_id:
            publisher = by_id[publisher["@id"]]
        result.site_name = _text(publisher)
        if result.published:
            result.published_at = parse_datetime(result.published, default_tz=default_tz)
            result.date_source = "jsonld" if result.published_at else None
        if result.modified:
            result.modified_at = parse_datetime(result.modified, default_tz=default_tz)

    result.title = result.title or _first(meta, ("og:title", "twitter:title", "title", "dc.title"))
    result.site_name = _first(meta, ("og:site_name", "application-name")) or result.site_name
    result.description = result.description or _first(
        meta, ("og:description", "description", "twitter:description")
    )
    result.canonical_url = _link_canonical(tree) or _first(meta, ("og:url",)) or result.canonical_url
    result.language = _language(tree, meta, node)
    result.section = result.section or _first(meta, _SECTION_META)
    # the publisher named as author ("毎日新聞" on https://mainichi.jp/articles/...) is not a byline
    publishers = {
        n.casefold() for n in (result.site_name, _text(node.get("publisher")) if node else None) if n
    }
    result.authors = [a for a in result.authors if a.casefold() not in publishers]
    if not result.authors:
        for name in _AUTHOR_META:
            authors = [a for value in meta.get(name, []) for a in split_authors(value)]
            if authors:
                result.authors = authors
                break
    nobody = PLACEHOLDER_AUTHORS | publishers
    result.authors = _dedupe([a for a in result.authors if a and a.casefold() not in nobody])
    if result.description and "<" in result.description:
        # some CMSes put markup in og:description (e.g. https://japannews.yomiuri.co.jp/politics/)
        result.description = clean_line(re.sub(r"<[^>]+>", " ", result.description)) or None
    if not result.keywords:
        keywords = _first(meta, ("keywords", "news_keywords"))
        result.keywords = [k.strip() for k in keywords.split(",") if k.strip()] if keywords else []
    if result.published_at is None:
        raw = _first(meta, _PUBLISHED_META)
        parsed = parse_datetime(raw, default_tz=default_tz) if raw else None
        if parsed is not None:
            result.published, result.published_at, result.date_source = raw, parsed, "meta"
        elif raw and not result.published:
            result.published = raw  # declared but impossible ("2023-02-30"): the raw string says so
    if result.modified_at is None:
        raw = _first(meta, _MODIFIED_META)
        parsed = parse_datetime(raw, default_tz=default_tz) if raw else None
        if parsed is not None:
            result.modified, result.modified_at = raw, parsed
    if result.title:
        result.title = clean_line(result.title) or None
    return result
