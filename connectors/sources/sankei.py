"""Sankei: Japan Forward (japan-forward.com, English, WordPress) and sankei.com (Japanese, Arc XP).

One source id covers both hosts; the layout decides the parser: WordPress's ``.entry-content`` on Japan
Forward, Arc XP's ``div.article-body > p.article-text`` on sankei.com. Body = story paragraphs; the
sub-headings between them (``h2.article-middle-headline``) are left out, as fundus does.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import ClassVar

from connectors.base import Connector, Document, ParserVersion, any_of, clean_text, either
from connectors.urls import normalize_url

# https://www.sankei.com/article/20250121-QBJP5I25BBIG5IZ76XZNDHDB5Q/
_SANKEI_RE = re.compile(r"^https?://(?:www\.)?sankei\.com/article/\d{8}-(?P<id>[A-Z0-9]{26})/?$")
# https://japan-forward.com/japan-and-russia-resume-talks/ ; not /category/..., /tag/..., /feed/
_JF_RE = re.compile(
    r"^https?://(?:www\.)?japan-forward\.com/(?!(?:category|tag|author|feed|page|wp-|search|about|contact)\b)"
    r"[a-z0-9%-]+/?$"
)
_JF_POST_RE = re.compile(r"^https?://(?:www\.)?japan-forward\.com/?\?(?:.*&)?p=(?P<id>\d+)")
_JF_API_RE = re.compile(r"japan-forward\.com/wp-json/wp/v2/posts/(?P<id>\d+)/?$")

# "EDITORIAL | Japan Must Not Bow to Moscow": a kicker in capitals before a bar
_KICKER_RE = re.compile(r"^(?P<kicker>[A-Z][A-Z0-9 '&/.-]{1,40}?)\s*[|｜]\s*(?P<title>.+)$")
#: wire credits that close a Japan Forward story: "(JIJI)", "(Kyodo)", "JIJI Press"
_CREDITS = {
    "jiji": "JIJI Press",
    "jiji press": "JIJI Press",
    "kyodo": "Kyodo",
    "kyodo news": "Kyodo",
    "reuters": "Reuters",
    "afp": "AFP",
}
_CREDIT_RE = re.compile(r"^\(?\s*(?:source:\s*)?(?P<name>[A-Za-z .]{3,25}?)\s*\)?\.?$", re.IGNORECASE)

_JF_CHROME = (
    re.compile(r"(?i)\(?read (?:the|this) (?:editorial|article|story|column) in japanese.{0,60}"),
    re.compile(r"(?i)(?:author|authors|by|written by):\s*.{1,80}"),
    re.compile(r"(?i)(?:related|find other|read more|read also|also read)\b.{0,150}"),
    re.compile(r".{0,200}\(©\s?[^()]{1,40}\)"),  # photo captions ending "(© Sankei)"
    re.compile(r"(?i)(?:share|tweet|email|print|copy link)(?:\s+this)?"),
)
_ARC_CHROME = (re.compile(r"(?:関連記事|この記事を共有|有料会員|続きを読む|無断転載.{0,60}).{0,80}"),)


def _credit(text: str) -> str | None:
    match = _CREDIT_RE.match(clean_text(text))
    return _CREDITS.get(match["name"].strip().lower()) if match else None


class JapanForwardWordPress(ParserVersion):
    """Japan Forward on WordPress (Yoast JSON-LD): ``h1.entry-title``, ``.entry-content p``."""

    version = "jf-wp"
    marker = ".entry-content"
    title_css = any_of("h1.entry-title", "h1.post-title", "article h1")
    lead_css = any_of(".entry-excerpt", ".post-excerpt", ".entry-subtitle")
    body_css = any_of(".entry-content > p", ".entry-content > blockquote", ".entry-content > ul > li")
    exclude_css = any_of(
        "figure",
        "figcaption",
        ".wp-caption",
        ".wp-caption-text",
        ".sharedaddy",
        ".jp-relatedposts",
        "[class*='share']",
        "[class*='related']",
        ".author-box",
        ".entry-tags",
        "script",
        "style",
    )
    boilerplate = _JF_CHROME

    def _heading(self, doc: Document) -> str | None:
        return doc.first_text(self.title_css or "h1")

    def title(self, doc: Document) -> str | None:
        heading = self._heading(doc)
        match = _KICKER_RE.match(heading or "")
        return match["title"] if match else heading

    def kicker(self, doc: Document) -> str | None:
        match = _KICKER_RE.match(self._heading(doc) or "")
        return match["kicker"].strip() if match else None

    def body(self, doc: Document) -> list[str] | None:
        paragraphs = self.paragraphs(doc, self.body_css or "")
        if paragraphs and _credit(paragraphs[-1]):
            paragraphs = paragraphs[:-1]  # "(JIJI)" closes wire copy: it goes to `agency`
        return paragraphs or None

    def agency(self, doc: Document) -> str | None:
        # the raw last paragraph: "(JIJI)" alone is chrome to the body filter, a credit to us
        blocks = [clean_text(e.text_content()) for e in doc.select(self.body_css or "")]
        blocks = [b for b in blocks if b]
        return _credit(blocks[-1]) if blocks else None

    def authors(self, doc: Document) -> list[str] | None:
        names = list(getattr(doc.meta, "authors", None) or [])
        names += [clean_text(e.text_content()) for e in doc.select(any_of(".author-name", "a[rel=author]"))]
        kept = [n for n in dict.fromkeys(clean_text(n) for n in names) if n and not _credit(n)]
        return [n for n in kept if n.lower() not in ("japan forward", "japan-forward")]

    def language(self, doc: Document) -> str | None:
        return "en"


class SankeiArc(ParserVersion):
    """sankei.com on Arc XP: ``h1.article-headline``, ``div.article-body > p.article-text``."""

    version = "arc"
    marker = "div.article-body p.article-text"
    title_css = any_of("h1.article-headline", "h1")
    lead_css = None  # the JSON-LD description is the first paragraph cut with "…", not a standfirst
    body_css = "div.article-body p.article-text"
    exclude_css = any_of("figure", "figcaption", ".inline-gptAd", ".gptAd", "script", "style")
    boilerplate = _ARC_CHROME
    authors_css = any_of(".author-name", ".author-info-link")

    def language(self, doc: Document) -> str | None:
        return "ja"

    def published_at(self, doc: Document) -> datetime | None:
        return None  # JSON-LD datePublished "+09:00" and meta article:published_time are exact

    def section(self, doc: Document) -> str | None:
        crumbs = [
            clean_text(e.text_content()) for e in doc.select(any_of(".breadcrumb a", "[class*=breadcrumb] a"))
        ]
        crumbs = [c for c in crumbs if c and c != "トップ"]
        return crumbs[0] if crumbs else None


class SankeiConnector(Connector):
    """Sankei Shimbun: Japan Forward (English) and sankei.com (Japanese).

    >>> SankeiConnector().identity("https://www.sankei.com/article/20250121-QBJP5I25BBIG5IZ76XZNDHDB5Q/")
    'sankei:QBJP5I25BBIG5IZ76XZNDHDB5Q'
    >>> SankeiConnector().identity("https://japan-forward.com/?p=123456")
    'japanforward:123456'
    """

    id = "sankei"
    name = "Sankei Shimbun / Japan Forward"
    home = "https://japan-forward.com/"
    feeds = (
        "https://japan-forward.com/feed/",
        "https://www.sankei.com/feeds/sitemapindex-category/?outputType=xml",
    )
    language = "en"
    min_interval = 2.0
    timezone = "Asia/Tokyo"
    article_url_pattern = either(_SANKEI_RE, _JF_RE, _JF_POST_RE)
    hosts = ("japan-forward.com", "sankei.com")
    aliases = ("japanforward", "japan-forward", "japan_forward", "sankei-shimbun")
    parsers = (JapanForwardWordPress, SankeiArc)
    # "Japan and Russia... - JAPAN Forward", "見出し - 産経ニュース"
    title_suffix = re.compile(r"\s+[-–—|]\s+(?:JAPAN Forward|Japan Forward|産経ニュース)$")
    agency_names: ClassVar[dict[str, str]] = {"JIJI": "JIJI Press", "Kyodo": "Kyodo"}

    def identity(self, url: str) -> str:
        normal = normalize_url(url)
        if match := _SANKEI_RE.match(normal):
            return f"sankei:{match['id']}"
        if match := _JF_POST_RE.match(normal):
            return f"japanforward:{match['id']}"
        return normal

    def entry_identity(self, url: str, guid: str | None) -> str:
        # WordPress feed guids are "https://japan-forward.com/?p=123456" while links carry the slug
        if guid and (match := _JF_POST_RE.match(guid.strip())):
            return f"japanforward:{match['id']}"
        return self.identity(url)

    def page_identity(self, doc: Document, canonical_url: str | None) -> str:
        """``japanforward:<post id>`` from whichever trace of the id WordPress left on the page, so
        that a page matches its feed entry (whose guid is ``?p=<id>``) even without a shortlink.

        In order: ``<link rel=shortlink href=/?p=ID>``, the REST API link ``<link rel=alternate
        type=application/json href=/wp-json/wp/v2/posts/ID>``, ``<body class="postid-ID">``,
        ``<article id="post-ID">``, the comment form's ``comment_post_ID``. A page with none of them
        (a theme that prints no id) falls back to the canonical URL: it cannot match the feed's id,
        so a repeat of it is left to the content signatures of the deduplication.
        """
        post_id = _post_id(doc)
        if post_id:
            return f"japanforward:{post_id}"
        return super().page_identity(doc, canonical_url)


def _post_id(doc: Document) -> str | None:
    """The WordPress post id printed on a Japan Forward page, or None (see ``page_identity``)."""
    shortlink = doc.attr("link[rel=shortlink]", "href")
    if shortlink and (match := _JF_POST_RE.match(shortlink)):
        return match["id"]
    # <link rel="alternate" type="application/json" href="https://japan-forward.com/wp-json/wp/v2/posts/167001">
    api = doc.attr('link[rel=alternate][type="application/json"]', "href") or ""
    if match := _JF_API_RE.search(api):
        return match["id"]
    classes = doc.attr("body[class*='postid-']", "class") or ""
    if match := re.search(r"\bpostid-(\d+)\b", classes):
        return match.group(1)
    if match := re.fullmatch(r"post-(\d+)", doc.attr("article[id^='post-']", "id") or ""):
        return match.group(1)
    comment = doc.attr("input[name=comment_post_ID]", "value") or ""
    return comment if comment.isdigit() else None
