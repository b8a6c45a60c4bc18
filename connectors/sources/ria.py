"""RIA Novosti (ria.ru, Russian): the platform Sputnik runs on, so the same ``article__`` layout.

Article URLs are ``https://ria.ru/YYYYMMDD/<slug>-<id>.html``; the numeric id is the identity. The
first text block opens with RIA's dateline, the agency name after a dash and a full stop:
``МОСКВА, 6 окт — РИА Новости.`` (abbreviated genitive month, no year). ``og:title`` ends with
`` - РИА Новости, 06.10.2023``.
"""

from __future__ import annotations

import re
from typing import ClassVar

from connectors.base import Connector, Document, any_of
from connectors.dates import Dateline
from connectors.sources.sputnik import SputnikV2022
from connectors.urls import normalize_url

# https://ria.ru/20231006/yaponiya-1900123456.html
_ARTICLE_RE = re.compile(r"^https?://(?:www\.)?ria\.ru/(?P<date>\d{8})/(?:[^/]*-)?(?P<id>\d{6,})\.html$")
# "МОСКВА, 6 окт — РИА Новости. ", "ТОКИО, 7 окт — РИА Новости, Иван Петров. " (a correspondent's byline)
_DATELINE_RE = re.compile(
    r"^(?P<place>[А-ЯЁ][А-ЯЁ-]+(?: [А-ЯЁ][А-ЯЁ-]+){0,2}),\s+(?P<month_day>\d{1,2}\s+[а-я]{3,8})\.?\s+"
    r"[—–-]\s+(?P<agency>РИА Новости)(?:,\s+(?P<author>[^.,]{2,60}))?\.\s*"
)
_CHROME = (
    re.compile(r"(?:Читайте также|Смотрите также|Читать ria\.ru в|Подписаться|Лента новостей)\b.{0,100}"),
)


class RiaV2022(SputnikV2022):
    """ria.ru's ``article__`` design, as on Sputnik, with RIA's dateline."""

    version = "2022"
    # RIA prints its standfirst as a second title; Sputnik's announce text is kept as a fallback
    lead_css = any_of(".article__second-title", ".article__announce-text")
    boilerplate = SputnikV2022.boilerplate + _CHROME

    def authors(self, doc: Document) -> list[str] | None:
        names = super().authors(doc) or []
        # a correspondent signs in the dateline: "ТОКИО, 7 окт — РИА Новости, Иван Петров."
        first = doc.first_text(".article__body .article__block[data-type=text] .article__text") or ""
        if (match := _DATELINE_RE.match(first)) and match["author"]:
            names.append(match["author"].strip())
        return list(dict.fromkeys(names)) or None

    def language(self, doc: Document) -> str | None:
        return "ru"

    def dateline(self, text: str) -> Dateline | None:
        match = _DATELINE_RE.match(text)
        if match:
            return Dateline(
                place=match["place"], month_day=match["month_day"], agency="RIA Novosti", end=match.end()
            )
        return super().dateline(text)


class RiaNovostiConnector(Connector):
    """RIA Novosti.

    >>> RiaNovostiConnector().identity("https://ria.ru/20231006/yaponiya-1900123456.html?utm_source=yxnews")
    'ria:1900123456'
    """

    id = "ria"
    name = "РИА Новости"
    home = "https://ria.ru/"
    feeds = ("https://ria.ru/export/rss2/archive/index.xml",)
    language = "ru"
    min_interval = 2.0
    timezone = "Europe/Moscow"
    article_url_pattern = _ARTICLE_RE
    hosts = ("ria.ru",)
    aliases = ("ria-novosti", "rianovosti", "ria_novosti")
    parsers = (RiaV2022,)
    # og:title "Япония продолжит переговоры - РИА Новости, 06.10.2023"
    title_suffix = re.compile(r"\s+[-–—]\s+РИА Новости(?:,\s+\d{2}\.\d{2}\.\d{4})?$")
    agency_names: ClassVar[dict[str, str]] = {"РИА Новости": "RIA Novosti", "RIA Novosti": "RIA Novosti"}

    def identity(self, url: str) -> str:
        normal = normalize_url(url)
        match = _ARTICLE_RE.match(normal)
        return f"ria:{match['id']}" if match else normal
