"""The Kremlin (en.kremlin.ru, kremlin.ru): news and transcripts of the President of Russia.

Atom feed ``http://en.kremlin.ru/events/president/news/feed``. Pages: title ``h1.entry-title.p-name``,
lead ``div.read__lead``, body paragraphs in ``div.read__content`` (within its
``div.read__internal_content[itemprop=articleBody]``), date ``time.read__published`` (its ``datetime``
is a bare day) plus the clock time in ``.read__time`` (Moscow), place ``.read__place``; titles end
with `` • President of Russia``.
Transcripts give each speaker's turn as ``<p><b>Vladimir Putin:</b> …</p>``; the speaker names stay in
the body (they are the text). The numeric id is the identity, per language edition:
``kremlin:en:72500`` and ``kremlin:ru:72500`` are the same event in two languages, not one article.
"""

from __future__ import annotations

import re
from datetime import datetime

from connectors.base import Connector, Document, ParserVersion, any_of
from connectors.dates import Dateline, parse_datetime
from connectors.urls import normalize_url

# http://en.kremlin.ru/events/president/news/72500 , http://kremlin.ru/events/president/transcripts/72501
_ARTICLE_RE = re.compile(
    r"^https?://(?P<en>en\.)?kremlin\.ru/events/president/(?P<kind>news|transcripts)/(?P<id>\d+)/?$"
)
_CHROME = (
    re.compile(
        r"(?i)(?:publication date|text version|send to e-?mail|print version|topics|persons)\b.{0,99}"
    ),
    re.compile(
        r"(?:Дата публикации|Текстовая версия|Отправить на почту|Версия для печати|Темы|Персоны).{0,99}"
    ),
)
_SECTIONS = {("en", "news"): "News", ("en", "transcripts"): "Transcripts",
             ("ru", "news"): "Новости", ("ru", "transcripts"): "Стенограммы"}  # fmt: skip


class KremlinV1(ParserVersion):
    """kremlin.ru's ``read__`` layout (2012 on)."""

    version = "2012"
    marker = "div.read__content"
    title_css = any_of("h1.entry-title", "h1")
    lead_css = "div.read__lead"
    # the story sits in "entry-content e-content read__internal_content" (itemprop=articleBody) inside
    # div.read__content, after the lead; paragraphs directly in div.read__content are accepted too
    body_css = any_of(
        *(
            f"{box} > {tag}"
            for box in ("div.read__internal_content", "[itemprop=articleBody]", "div.read__content")
            for tag in ("p", "blockquote", "ul > li")
        )
    )
    exclude_css = any_of("figure", "figcaption", ".read__bottommeta", ".read__tags", "script", "style")
    boilerplate = _CHROME
    date_source = "time"

    def published_at(self, doc: Document) -> datetime | None:
        day = doc.attr("time.read__published", "datetime")
        if not day:
            return None
        clock = doc.first_text(".read__time") or ""
        # the datetime attribute is a bare day in Moscow time; the clock, when printed, sits beside it
        stamp = f"{day} {clock}" if re.fullmatch(r"\d{1,2}:\d{2}", clock) else day
        return parse_datetime(stamp, default_tz="Europe/Moscow")

    def dateline_place(self, doc: Document) -> str | None:
        return doc.first_text(".read__place")

    def _match(self, doc: Document) -> re.Match[str] | None:
        return _ARTICLE_RE.match(normalize_url(doc.page.url))

    def language(self, doc: Document) -> str | None:
        match = self._match(doc)
        return None if match is None else ("en" if match["en"] else "ru")

    def section(self, doc: Document) -> str | None:
        match = self._match(doc)
        return None if match is None else _SECTIONS[("en" if match["en"] else "ru", match["kind"])]

    def dateline(self, text: str) -> Dateline | None:
        return None  # official texts have no wire dateline; a capitalised opening is prose


class KremlinConnector(Connector):
    """President of Russia: the Kremlin's news and transcripts.

    >>> KremlinConnector().identity("http://en.kremlin.ru/events/president/news/72500?utm_source=rss")
    'kremlin:en:72500'
    """

    id = "kremlin"
    name = "President of Russia"
    home = "https://en.kremlin.ru/"
    feeds = ("http://en.kremlin.ru/events/president/news/feed",)
    language = "en"
    min_interval = 3.0
    timezone = "Europe/Moscow"
    article_url_pattern = _ARTICLE_RE
    hosts = ("kremlin.ru",)
    aliases = ("kremlin-ru", "president-of-russia")
    parsers = (KremlinV1,)
    # <title>Meeting with Security Council members • President of Russia</title>
    title_suffix = re.compile(r"\s+[•|\-–—]\s+(?:President of Russia|Президент России)$")

    def identity(self, url: str) -> str:
        normal = normalize_url(url)
        match = _ARTICLE_RE.match(normal)
        if match is None:
            return normal
        return f"kremlin:{'en' if match['en'] else 'ru'}:{match['id']}"
