"""The Mainichi (mainichi.jp): the English edition (``/english/articles/…``) and the Japanese site.

Both editions run one CMS: title ``h1.title-page``, story paragraphs as direct ``<p>`` children of
``section#articledetail-body`` with ads (``aside``) and photos (``figure``) between them, the byline
``a.articletag-author``, categories in ``.articledetail-head-category-list``. JSON-LD dates carry an
offset without a colon (``2025-01-14T21:17:27+0900``). The path after ``articles/`` is the identity
(``mainichi:20250114/k00/00m/030/335000c``).

English translations close with ``(Japanese original by Taro Yamada, Political News Department)``:
the line leaves the body and the names become the authors. Wire copy closes with ``(Kyodo)``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import ClassVar

from connectors.base import Connector, Document, ParserVersion, any_of, clean_text, element_text
from connectors.dates import parse_datetime
from connectors.urls import normalize_url

# https://mainichi.jp/english/articles/20231006/p2a/00m/0na/012000c
# https://mainichi.jp/articles/20250114/k00/00m/030/335000c
# https://mainichi.jp/premier/politics/articles/20250110/pol/00m/010/…
_ARTICLE_RE = re.compile(
    r"^https?://mainichi\.jp/(?P<english>english/)?(?:[a-z]+/)*articles/(?P<id>\d{8}(?:/[a-z0-9]+){4})/?$"
)
# "(Japanese original by Taro Yamada and Hanako Sato, Political News Department)"
_ORIGINAL_RE = re.compile(r"^\(\s*Japanese original by (?P<names>.+?)\s*\)$")
_CREDIT_RE = re.compile(r"^\(\s*(?P<name>Kyodo|Jiji Press|JIJI|AP|AFP|Reuters)\s*\)$", re.IGNORECASE)
_AGENCIES = {"kyodo": "Kyodo", "jiji press": "JIJI Press", "jiji": "JIJI Press", "ap": "AP", "afp": "AFP",
             "reuters": "Reuters"}  # fmt: skip

_CHROME = (
    re.compile(r"(?i)(?:advertisement|click here for the japanese original|related articles?)\b.{0,80}"),
    re.compile(r"(?:毎日新聞のニュースサイトに掲載の記事|無断転載|有料記事|残り\d+文字).{0,80}"),
)


def _original_authors(text: str) -> list[str] | None:
    """Names in a "(Japanese original by …)" line, or None when ``text`` is not one."""
    match = _ORIGINAL_RE.match(text)
    if not match:
        return None
    names: list[str] = []
    # each name may carry its desk: "Taro Yamada, Political News Department and Hanako Sato, Osaka …"
    for part in re.split(r"\s+and\s+|;\s*", match["names"]):
        name = part.split(",")[0].strip()
        if name:
            names.append(name)
    return names


def _closing_line(text: str) -> bool:
    return _original_authors(text) is not None or bool(_CREDIT_RE.match(text))


class MainichiV1(ParserVersion):
    """The Mainichi CMS (2020 on), shared by both editions."""

    version = "2020"
    marker = "#articledetail-body"
    title_css = any_of("h1.title-page", "#articledetail-title h1", "h1")
    body_css = any_of("#articledetail-body > p", "#articledetail-body > h2")
    exclude_css = any_of("figure", "figcaption", "aside", "script", "style", "[class*='ad-']")
    boilerplate = _CHROME
    authors_css = "a.articletag-author"
    date_source = "time"  # what the visible stamp gives; JSON-LD dates keep their own source

    def _blocks(self, doc: Document) -> list[str]:
        return [t for t in (element_text(e) for e in doc.select("#articledetail-body > p")) if t]

    def body(self, doc: Document) -> list[str] | None:
        paragraphs = self.paragraphs(doc, self.body_css or "")
        # the closing credit lines are metadata: "(Kyodo)", "(Japanese original by …)"
        while paragraphs and _closing_line(paragraphs[-1]):
            paragraphs.pop()
        return paragraphs or None

    def authors(self, doc: Document) -> list[str] | None:
        names = [element_text(e) for e in doc.select(self.authors_css or "")]
        for block in self._blocks(doc)[-2:]:
            names += _original_authors(block) or []
        kept = list(dict.fromkeys(clean_text(n) for n in names if clean_text(n)))
        return kept or None

    def agency(self, doc: Document) -> str | None:
        for block in reversed(self._blocks(doc)[-2:]):
            if match := _CREDIT_RE.match(block):
                return _AGENCIES[match["name"].lower()]
        return None

    def published_at(self, doc: Document) -> datetime | None:
        if doc.meta.published_at is not None:
            return None  # JSON-LD "+0900" is exact; the assembly takes it with its source
        # the visible stamp: "2025/1/14 21:17（最終更新 1/14 21:17）", "October 7, 2023 (Mainichi Japan)"
        stamp = doc.first_text(".articletag-date.is-articledetail")
        if not stamp:
            return None
        stamp = re.split(r"[（(]", stamp, maxsplit=1)[0].strip()
        return parse_datetime(stamp, default_tz="Asia/Tokyo", reference=doc.page.fetched_at)

    def section(self, doc: Document) -> str | None:
        return doc.first_text(".articledetail-head-category-list li a")

    def language(self, doc: Document) -> str | None:
        match = _ARTICLE_RE.match(normalize_url(doc.page.url))
        if match is None:
            return None
        return "en" if match["english"] else "ja"


class MainichiConnector(Connector):
    """The Mainichi Shimbun, English edition first.

    >>> MainichiConnector().identity("https://mainichi.jp/english/articles/20231006/p2a/00m/0na/012000c")
    'mainichi:20231006/p2a/00m/0na/012000c'
    """

    id = "mainichi"
    name = "The Mainichi"
    home = "https://mainichi.jp/english/"
    feeds = ("https://mainichi.jp/rss/etc/english_latest.rss",)
    language = "en"
    min_interval = 2.0
    timezone = "Asia/Tokyo"
    article_url_pattern = _ARTICLE_RE
    hosts = ("mainichi.jp",)
    aliases = ("mainichi-shimbun", "the-mainichi")
    parsers = (MainichiV1,)
    # "Japan, Russia to hold fisheries talks - The Mainichi", "見出し | 毎日新聞", "見出し - 毎日新聞"
    title_suffix = re.compile(r"\s+[-–—|]\s+(?:The Mainichi|毎日新聞)$")
    agency_names: ClassVar[dict[str, str]] = {v: v for v in _AGENCIES.values()}

    def identity(self, url: str) -> str:
        normal = normalize_url(url)
        match = _ARTICLE_RE.match(normal)
        return f"mainichi:{match['id']}" if match else normal
