"""Arab News (arabnews.com, Drupal): republishes JIJI Press, Kyodo, AFP and Reuters copy.

Article URLs are ``https://www.arabnews.com/node/<node id>/<section path>``; the node id is the identity.
Infinite scroll appends the next article to the page (a second ``<article>``), so every field is read
from the first article only. Titles and dates come from JSON-LD/meta first (Drupal's markup varies
between themes); the visible ``06 Oct 2023 12:10:26 GMT9`` stamp is the fallback.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, ClassVar

from connectors.base import Connector, Document, ParserVersion, any_of, clean_text, element_text
from connectors.dates import Dateline, parse_datetime
from connectors.urls import normalize_url

# https://www.arabnews.com/node/2389186/world , https://www.arabnews.com/node/2389186
_ARTICLE_RE = re.compile(r"^https?://(?:www\.)?arabnews\.com/node/(?P<id>\d+)(?:/[a-z0-9%_-]+)*/?$")

#: wire credits Arab News prints as a line of their own ("JIJI Press" closing the body)
WIRE_AGENCIES: dict[str, str] = {
    "jiji press": "JIJI Press",
    "jiji": "JIJI Press",
    "kyodo": "Kyodo",
    "kyodo news": "Kyodo",
    "afp": "AFP",
    "reuters": "Reuters",
    "ap": "AP",
    "associated press": "AP",
    "spa": "SPA",
    "saudi press agency": "SPA",
    "arab news": "Arab News",
    "arab news japan": "Arab News Japan",
    "tass": "TASS",
    "xinhua": "Xinhua",
}
_CREDIT_RE = re.compile(r"^[(\[]?\s*(?:with\s+)?(?P<name>[A-Za-z .]{2,25}?)\s*[)\]]?\.?$")

_CHROME = (
    re.compile(r"(?i)short url:?.{0,60}"),
    re.compile(r"(?i)updated\b.{0,40}"),
    re.compile(r"(?i)since 1975|return to top|most popular|recommended|topics?:?.{0,80}"),
    re.compile(r".{0,200}\(AFP\)|.{0,200}\((?:Reuters|AP|Kyodo|JIJI|SPA)(?: Photo)?\)"),  # photo captions
    re.compile(r"(?i)home|facebook|twitter|x|instagram|linkedin|whatsapp|telegram|youtube|email|print"),
    # the stamp printed above the body: "06 Oct 2023 12:10:26 GMT9"
    re.compile(r"(?:updated\s+)?\d{1,2} \w{3} \d{4} \d{1,2}:\d{2}(?::\d{2})? GMT[+-]?\d{1,2}", re.IGNORECASE),
)

_BODY_CONTAINERS = (
    ".field-name-body",
    ".field--name-body",
    ".field--name-field-body",
    ".field-name-field-body",
    "[itemprop=articleBody]",
)
# the first article of the page; later ones are the infinite-scroll appendix
_FIRST_ARTICLE = ("article.node--type-article", "article.node", "div.node--type-article", "article", "main")


class ArabNewsDrupal(ParserVersion):
    """The Drupal theme of 2019 on: ``.entry-title h1``, ``.field-name-body`` paragraphs."""

    version = "drupal"
    # Drupal 7 themes print "field-name-body", Drupal 8+ "field--name-body"; some node templates
    # name the field "field-body" or mark it itemprop=articleBody
    marker = any_of(*_BODY_CONTAINERS)
    title_css = any_of(".entry-title h1", "h1.entry-title", "h1")
    lead_css = any_of(".article-item-subtitle", ".field--name-field-subtitle", ".field-name-field-subtitle")
    body_css = any_of(*(f"{c} {tag}" for c in _BODY_CONTAINERS for tag in ("p", "li", "h2")))
    exclude_css = any_of(
        "figure",
        "figcaption",
        ".article-item-img",
        "[class*='caption']",
        "[class*='share']",
        "[class*='related']",
        "[class*='recommended']",
        "[class*='most-popular']",
        ".short-url",
        "script",
        "style",
    )
    boilerplate = _CHROME
    section_css = any_of(".article-item-topic a", ".article-item-topic")
    date_source = "time"

    def _article(self, doc: Document) -> Any:
        # selectors in order of preference, not document order: <main> wraps every article
        for selector in _FIRST_ARTICLE:
            found = doc.select(selector)
            if found:
                return found[0]
        return doc.tree

    def _first_text(self, doc: Document, selector: str | None) -> str | None:
        if not selector:
            return None
        for element in doc.select(selector, within=self._article(doc)):
            text = element_text(element)
            if text:
                return text
        return None

    def title(self, doc: Document) -> str | None:
        return self._first_text(doc, self.title_css)

    def lead(self, doc: Document) -> str | None:
        return self._first_text(doc, self.lead_css)

    def section(self, doc: Document) -> str | None:
        return self._first_text(doc, self.section_css)

    def _paragraphs(self, doc: Document) -> list[str]:
        return self.paragraphs(doc, self.body_css or "", within=self._article(doc))

    def body(self, doc: Document) -> list[str] | None:
        paragraphs = self._paragraphs(doc)
        if paragraphs and _credit(paragraphs[-1]):
            paragraphs = paragraphs[:-1]  # "JIJI Press" closes the body: it is the agency, not text
        return paragraphs or None

    def agency(self, doc: Document) -> str | None:
        # the raw last paragraph: a bare credit like "(AFP)" counts as chrome for the body filter
        blocks = [element_text(e) for e in doc.select(self.body_css or "", within=self._article(doc))]
        blocks = [b for b in blocks if b]
        if blocks and _credit(blocks[-1]):
            return _credit(blocks[-1])
        line = self._first_text(doc, any_of(".article-item-agency", ".field--name-field-source"))
        return _credit(line) if line else None

    def authors(self, doc: Document) -> list[str] | None:
        names = [
            element_text(e)
            for e in doc.select(".article-item-author .author-name", within=self._article(doc))
        ]
        names += list(getattr(doc.meta, "authors", None) or [])
        # Drupal lists the wire service as the "author" of agency copy
        return [n for n in dict.fromkeys(clean_text(n) for n in names) if n and not _credit(n)]

    def published_at(self, doc: Document) -> datetime | None:
        if getattr(doc.meta, "published_at", None) is not None:
            return None  # JSON-LD/meta wins; the assembly takes it with its source
        stamp = doc.attr("time[datetime]", "datetime") or self._first_text(doc, any_of(".entry-date", "time"))
        # "06 Oct 2023 12:10:26 GMT9" is +09:00; relative "Updated 5 sec ago" needs the fetch time
        return (
            parse_datetime(stamp, reference=doc.page.fetched_at, default_tz="Asia/Riyadh") if stamp else None
        )

    def dateline(self, text: str) -> Dateline | None:
        found = super().dateline(text)
        if found is not None:
            return found
        match = _DATELINE_RE.match(text)
        if not match:
            return None
        return Dateline(place=match["place"], month_day=None, agency=None, end=match.end())

    def modified_at(self, doc: Document) -> datetime | None:
        text = self._first_text(doc, any_of(".article-item-updated", ".entry-updated"))
        if not text:
            return None
        return parse_datetime(text.removeprefix("Updated").strip(), reference=doc.page.fetched_at)


# "NEMURO, HOKKAIDO: Japanese officials..." (place and prefecture in capitals, then a colon)
_DATELINE_RE = re.compile(
    r"^(?P<place>[A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+)*(?:, [A-Z][A-Z.'’ -]+)?):\s+(?=\S)"
)


def _credit(text: str) -> str | None:
    """The agency name when ``text`` is nothing but a wire credit ("JIJI Press", "(AFP)")."""
    match = _CREDIT_RE.match(clean_text(text))
    return WIRE_AGENCIES.get(match["name"].strip().lower()) if match else None


class ArabNewsConnector(Connector):
    """Arab News.

    >>> ArabNewsConnector().identity("https://www.arabnews.com/node/2389186/amp?utm_source=rss")
    'arabnews:2389186'
    """

    id = "arabnews"
    name = "Arab News"
    home = "https://www.arabnews.com/"
    feeds = ("https://www.arabnews.com/rss.xml",)
    language = "en"
    min_interval = 2.0
    timezone = "Asia/Riyadh"
    article_url_pattern = _ARTICLE_RE
    hosts = ("arabnews.com",)
    aliases = ("arab-news", "arab_news")
    parsers = (ArabNewsDrupal,)
    # <title>Japan noncommittal over Putin’s willingness for talks | Arab News</title>
    title_suffix = re.compile(r"\s+[|\-–—]\s+Arab News(?: Japan)?$")
    agency_names: ClassVar[dict[str, str]] = {v: v for v in WIRE_AGENCIES.values()}

    def identity(self, url: str) -> str:
        normal = normalize_url(url)
        match = _ARTICLE_RE.match(normal)
        return f"arabnews:{match['id']}" if match else normal
