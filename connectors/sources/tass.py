"""TASS: tass.com (English) and tass.ru (Russian), one platform family.

Article URLs are ``https://tass.com/<section>/<numeric id>``; one story is listed under several sections
(``/politics/1681234`` and ``/world/1681234``), so the numeric id is the identity. tass.ru numbers its
stories separately, hence a separate namespace: ``tass:<id>`` for tass.com, ``tass.ru:<id>`` for tass.ru.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import ClassVar
from urllib.parse import urlsplit

from connectors.base import Connector, Document, ParserVersion, any_of
from connectors.dates import parse_datetime
from connectors.urls import normalize_url

# https://tass.com/politics/1681234 , https://tass.ru/politika/19012345 , https://tass.ru/mezhdunarodnaya-panorama/1
_ARTICLE_RE = re.compile(r"^https?://(?:www\.)?tass\.(?:com|ru)(?:/[a-z0-9_-]+)+/(?P<id>\d{3,})/?$")

_CHROME = (
    re.compile(r"(?i)all news"),
    re.compile(r"(?i)read (?:also|more)\b.{0,200}"),
    re.compile(r"©\s?.{0,120}"),  # photo credits: "© AP Photo/Eugene Hoshiko", "© Sergei Bobylev/TASS"
    re.compile(r"(?i)(?:more|read) (?:on|at) tass\.(?:com|ru).{0,80}"),
    re.compile(r"(?i)подробнее.{0,120}|читайте также.{0,200}|все новости"),
)


class TassV2020(ParserVersion):
    """The tass.com design of 2020 on: ``.news-header__title``, ``div.text-content .text-block p``."""

    version = "2020"
    marker = "div.text-content .text-block"
    title_css = "h1.news-header__title, .news-header__title"
    lead_css = "div.news-header__lead"
    body_css = any_of("div.text-content .text-block p", "div.text-content .text-block h2", ".text-block li")
    # figures, photo credits, "Read also" includes and tag rows sit between the paragraphs
    exclude_css = any_of(
        "figure",
        "figcaption",
        ".text-include",
        ".text-insert",
        "[class*='photo']",
        "[class*='caption']",
        "[class*='credit']",
        ".tags",
        "[class*='share']",
        "[class*='related']",
        "script",
        "style",
    )
    boilerplate = _CHROME
    date_source = "unixtime"

    def published_at(self, doc: Document) -> datetime | None:
        # <dateformat time="1696561826"></dateformat>: Unix seconds of publication
        stamp = doc.attr("dateformat[time], [data-dateformat-time]", "time") or doc.attr(
            "[data-dateformat-time]", "data-dateformat-time"
        )
        return parse_datetime(stamp) if stamp else None

    def language(self, doc: Document) -> str | None:
        return "ru" if urlsplit(doc.page.url).hostname in ("tass.ru", "www.tass.ru") else None

    def section(self, doc: Document) -> str | None:
        return _section_of(doc.page.url)


class TassReact(TassV2020):
    """The newer React design (tass.ru first): CSS-module classes such as ``Paragraph_paragraph__9WAFK``.

    e.g. https://tass.ru/politika/19012345 renders ``<p class="Paragraph_paragraph__...">`` in
    ``<article>``; the hashes change with each build, so only the class-name prefix is matched.
    """

    version = "react"
    marker = "[class*='Paragraph_paragraph']"
    title_css = "h1[class*='NewsHeader_title'], h1[class*='title'], h1"
    lead_css = "[class*='NewsHeader_lead'], [class*='lead']"
    body_css = any_of(
        "article [class*='Paragraph_paragraph']", "[class*='Content_wrapper'] [class*='Paragraph_paragraph']"
    )


class TassConnector(Connector):
    """TASS Russian News Agency, English and Russian.

    >>> TassConnector().identity("https://tass.com/world/1681234?utm_source=rss")
    'tass:1681234'
    >>> TassConnector().identity("https://tass.ru/politika/19012345")
    'tass.ru:19012345'
    """

    id = "tass"
    name = "TASS"
    home = "https://tass.com/"
    feeds = ("https://tass.com/rss/v2.xml", "https://tass.ru/rss/v2.xml")
    language = "en"
    # TASS blocks addresses that fetch faster than this (reported by several scrapers)
    min_interval = 4.0
    timezone = "Europe/Moscow"
    article_url_pattern = _ARTICLE_RE
    hosts = ("tass.com", "tass.ru")
    aliases = ("tass-en", "tass-ru")
    parsers = (TassV2020, TassReact)
    # og:title "Japan set to continue political dialogue with Russia - Politics - TASS"
    title_suffix = re.compile(r"\s+[-–—]\s+(?:[^-–—]{1,40}\s+[-–—]\s+)?(?:TASS|ТАСС)$")
    agency_names: ClassVar[dict[str, str]] = {"ТАСС": "TASS", "TASS": "TASS"}

    def identity(self, url: str) -> str:
        normal = normalize_url(url)
        match = _ARTICLE_RE.match(normal)
        if not match:
            return normal
        host = urlsplit(normal).hostname or ""
        prefix = "tass.ru" if host.endswith("tass.ru") else "tass"
        return f"{prefix}:{match['id']}"


def _section_of(url: str) -> str | None:
    parts = [p for p in urlsplit(url).path.split("/") if p]
    return parts[0] if len(parts) >= 2 else None
