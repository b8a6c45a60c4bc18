"""Sputnik International: sputnikglobe.com, formerly sputniknews.com (the RIA Novosti platform).

Two layouts: the "b-article" design (2019 and before, e.g.
https://sputniknews.com/columnists/201911181077343476-royal-self-indicting-arrogance/) and today's
"article__" design (e.g. https://sputnikglobe.com/20231006/japan-russia-dialogue-1113912345.html).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import ClassVar

from connectors.base import Connector, Document, ParserVersion, any_of, either
from connectors.dates import parse_datetime
from connectors.urls import normalize_url

# https://sputnikglobe.com/20231006/some-slug-1113912345.html
_NEW_URL_RE = re.compile(
    r"^https?://(?:[a-z]+\.)?(?:sputnikglobe|sputniknews)\.com/(?P<date>\d{8})/(?:[^/]*-)?(?P<id>\d{6,})\.html$"
)
# https://sputniknews.com/columnists/201911181077343476-royal-self-indicting-arrogance/
_OLD_URL_RE = re.compile(
    r"^https?://(?:[a-z]+\.)?(?:sputnikglobe|sputniknews)\.com/(?:[a-z0-9_-]+/)+(?P<date>\d{8})(?P<id>\d{6,})"
    r"(?:-[^/]*)?/?$"
)

_CHROME = (
    re.compile(
        r"(?i)subscribe|newsfeed|get short url|comments?|show comment|hide comment|track|"
        r"to participate in the discussion,?\s*log in or register|all comments|show new comments"
    ),
    re.compile(r"(?i)(?:[\w\s]{0,30} )?on (?:telegram|vk|twitter|x)\.?|follow sputnik.{0,60}"),
    re.compile(
        r"(?:Лента новостей|Подписаться|Обсуждение|Чтобы участвовать в дискуссии.{0,80}|"
        r"Все комментарии|Показать новые комментарии|Загрузить больше|Новости)"
    ),
    re.compile(r"©\s?.{0,80}"),
    # widget leftovers of the comment and chat blocks: a bare counter, "loader", "Chats"
    re.compile(r"(?i)\d{1,5}|loader|chats?|to participate in the discussion|log in or register"),
    re.compile(r"Заголовок открываемого материала|Чаты|Комментарии"),
)


class SputnikV2019(ParserVersion):
    """The "b-article" design: ``h1[itemprop=name]``, ``.b-article__lead``, ``.b-article__text``."""

    version = "2019"
    valid_until = date(2021, 12, 31)
    marker = ".b-article__text"
    title_css = "h1[itemprop=name], .b-article__header-title h1"
    lead_css = ".b-article__lead"
    # paragraphs, quotes and lists directly in the article body; injected widgets are divs
    body_css = (
        ".b-article__text[itemprop=articleBody] > p, .b-article__text[itemprop=articleBody] > blockquote,"
        " .b-article__text[itemprop=articleBody] > ul > li, .b-article__text[itemprop=articleBody] > h3,"
        " .b-article__text[itemprop=articleBody] > h2"
    )
    exclude_css = ".b-inject, .b-article__refs, [class*='banner'], script, style"
    boilerplate = _CHROME
    section_css = ".b-article__refs-rubric"
    authors_css = ".b-article__refs-author a[rel=author], .b-article__refs-author a"
    date_source = "time"

    def published_at(self, doc: Document) -> datetime | None:
        # <time datetime="2019-11-18T21:17"> carries no offset; the site wrote UTC there
        stamp = doc.attr("time[itemprop=dateCreated], time.b-article__refs-date", "datetime")
        return parse_datetime(stamp, default_tz="UTC") if stamp else None


class SputnikV2022(ParserVersion):
    """Today's design: ``h1.article__title``, ``.article__announce-text``, ``.article__block`` by type."""

    version = "2022"
    marker = ".article__body"
    title_css = "h1.article__title"
    lead_css = ".article__announce-text"
    body_css = (
        ".article__body .article__block[data-type=text] .article__text,"
        " .article__body .article__block[data-type=quote] .article__quote-text,"
        " .article__body .article__block[data-type=h2] .article__h2,"
        " .article__body .article__block[data-type=list] li"
    )
    # related-article cards ("div[data-type=article]") sit inside the body between text blocks
    exclude_css = any_of(
        ".article__body [data-type=article]",
        ".article__body [data-type=banner]",
        ".article__article",
        ".article__body [data-type=social]",
        ".article__body [data-type=media]",
        ".article__body [data-type=photolent]",
        "script",
        "style",
    )
    boilerplate = _CHROME
    section_css = ".article__tags .tag__text, .breadcrumbs__item:last-child [itemprop=name]"
    authors_css = ".article__author-name, [rel=author]"
    date_source = "unixtime"

    def published_at(self, doc: Document) -> datetime | None:
        # only the header's stamp: the related cards inside the body carry data-unixtime too
        stamp = doc.attr(
            any_of(".article__info-date [data-unixtime]", ".article__header [data-unixtime]"), "data-unixtime"
        )
        return parse_datetime(stamp) if stamp else None

    def modified_at(self, doc: Document) -> datetime | None:
        stamp = doc.attr(".article__info-date-modified [data-unixtime]", "data-unixtime")
        return parse_datetime(stamp) if stamp else None


class SputnikConnector(Connector):
    """Sputnik International.

    >>> SputnikConnector().identity("https://sputnikglobe.com/20231006/japan-russia-1113912345.html")
    'sputnik:1113912345'
    >>> SputnikConnector().identity("https://sputniknews.com/columnists/201911181077343476-royal-arrogance/")
    'sputnik:1077343476'
    """

    id = "sputnik"
    name = "Sputnik International"
    home = "https://sputnikglobe.com/"
    feeds = ("https://sputnikglobe.com/export/rss2/archive/index.xml",)
    language = "en"
    min_interval = 2.0
    timezone = "Europe/Moscow"
    article_url_pattern = either(_NEW_URL_RE, _OLD_URL_RE)
    hosts = ("sputnikglobe.com", "sputniknews.com")
    aliases = ("sputnikglobe", "sputniknews", "sputnik-international")
    parsers = (SputnikV2019, SputnikV2022)
    # og:title "Japan Seeks Dialogue With Russia - 06.10.2023, Sputnik International"
    title_suffix = re.compile(r"\s+[-–—]\s+(?:\d{2}\.\d{2}\.\d{4},\s+)?Sputnik(?: International)?$")
    agency_names: ClassVar[dict[str, str]] = {
        "Sputnik": "Sputnik",
        "RIA Novosti": "RIA Novosti",
        "РИА Новости": "RIA Novosti",
    }

    def identity(self, url: str) -> str:
        normal = normalize_url(url)
        match = _NEW_URL_RE.match(normal) or _OLD_URL_RE.match(normal)
        return f"sputnik:{match['id']}" if match else normal
