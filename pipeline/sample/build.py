# ruff: noqa: E501  -- the page templates below keep the long lines of the real sites' markup
"""Render the sample corpus (``content/*.toml``) into the four sites' pages, feeds and sitemaps.

Run as ``python -m pipeline.sample.build``. Output, all deterministic (no build timestamps), so
regenerating gives no diff:

- ``site/<host>/...``: edition 1 (pages, feeds, sitemaps, ``robots.txt``) and ``site/routes.json``,
  mapping each logical URL (``https://tass.com/politics/1681234``) to its file and content type;
- ``site-edition2/...``: the overlay a later poll sees: pages of ``updates.toml`` and complete feeds;
- ``expected.json`` / ``expected-edition2.json``: per article key what extraction must give (URL,
  source, title, UTC publication time, body paragraph count, relevance, expected mentions).

The page templates follow the real sites' markup (SOURCES.md): TASS ``.news-header__*`` and
``.text-block``; Sputnik ``article__*`` (and the 2019 ``b-article`` design for fixtures); Arab News on
a Drupal theme, with the next article appended as infinite scroll does; Japan Forward on WordPress
with Yoast JSON-LD; sankei.com on Arc XP. The same renderers build the connector test fixtures.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
CONTENT_DIR = HERE / "content"
SITE_DIR = HERE / "site"
EDITION2_DIR = HERE / "site-edition2"

SOURCES = ("tass", "sputnik", "arabnews", "sankei")
HOSTS = {
    "tass": ("tass.com", "tass.ru"),
    "sputnik": ("sputnikglobe.com",),
    "arabnews": ("www.arabnews.com",),
    "sankei": ("japan-forward.com", "www.sankei.com"),
}
#: the feeds of the sample, per source (the sample configuration lists exactly these)
FEEDS: dict[str, tuple[str, ...]] = {
    "tass": (
        "https://tass.com/rss/v2.xml",
        "https://tass.com/rss/politics.xml",
        "https://tass.com/rss/world.xml",
        "https://tass.ru/rss/v2.xml",
    ),
    "sputnik": (
        "https://sputnikglobe.com/export/rss2/archive/index.xml",
        "https://sputnikglobe.com/export/rss2/world/index.xml",
    ),
    "arabnews": ("https://www.arabnews.com/rss.xml", "https://www.arabnews.com/cat/4/rss.xml"),
    "sankei": (
        "https://japan-forward.com/feed/",
        "https://www.sankei.com/feeds/sitemapindex-category/?outputType=xml",
    ),
}
SANKEI_INDEX = "https://www.sankei.com/feeds/sitemapindex-category/?outputType=xml"
SANKEI_NEWS_SITEMAP = "https://www.sankei.com/feeds/google-sitemap/?outputType=xml"

_REQUIRED = ("key", "source", "host", "id", "title", "published", "body")
_KNOWN = {
    "key",
    "source",
    "host",
    "id",
    "section",
    "slug",
    "language",
    "title",
    "kicker",
    "lead",
    "published",
    "modified",
    "dateline",
    "agency",
    "authors",
    "photo_caption",
    "photo_credit",
    "body",
    "feeds",
    "feed_link_query",
    "about_japan_russia",
    "expect_mentions",
    "republished_from",
    "note",
}


class ContentError(ValueError):
    """A content entry that cannot be rendered, with the file and key it came from."""


@dataclass(frozen=True)
class Story:
    """One ``[[article]]`` entry of the content TOML (see the format in the module docstring)."""

    key: str
    source: str
    host: str
    id: str
    title: str
    published: datetime
    paragraphs: tuple[str, ...]
    section: str = "world"
    slug: str = ""
    language: str = "en"
    kicker: str = ""
    lead: str = ""
    modified: datetime | None = None
    dateline: str = ""
    agency: str = ""
    authors: tuple[str, ...] = ()
    photo_caption: str = ""
    photo_credit: str = ""
    feeds: tuple[str, ...] = ()
    feed_link_query: str = ""
    about_japan_russia: bool = True
    expect_mentions: tuple[str, ...] = ()
    republished_from: str = ""
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def url(self) -> str:
        """The article's logical URL, as the site prints it."""
        return article_url(self)

    @property
    def feed_link(self) -> str:
        return f"{self.url}?{self.feed_link_query}" if self.feed_link_query else self.url

    def link_in(self, feed_url: str) -> str:
        """The link ``feed_url`` gives for this story.

        A story with ``alt_feed`` is listed there under ``alt_section`` with the tracking query (TASS files
        one story under several sections, e.g. /politics/1736412 and /world/1736412?utm_source=rss), and
        under its own URL without a query everywhere else.
        """
        alt_feed = self.extra.get("alt_feed")
        if not alt_feed:
            return self.feed_link
        if feed_url != alt_feed:
            return self.url
        alt = replace(self, section=str(self.extra.get("alt_section") or self.section))
        return f"{alt.url}?{self.feed_link_query}" if self.feed_link_query else alt.url


# -- loading -------------------------------------------------------------------------------------------


def _parse_time(value: Any, where: str) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError as exc:
            raise ContentError(f"{where}: not an ISO 8601 time: {value!r}") from exc
    if parsed.tzinfo is None:
        raise ContentError(f"{where}: time {value!r} lacks its UTC offset")
    return parsed


def _squash(text: str) -> str:
    """Runs of spaces and newlines as one space; the ideographic space (U+3000) of Japanese headlines stays."""
    return re.sub(r"[ \t\r\n\xa0]+", " ", text).strip()


def story_from_dict(raw: dict[str, Any], where: str = "<content>") -> Story:
    """A :class:`Story` from one TOML table; raises ContentError naming what is wrong."""
    missing = [k for k in _REQUIRED if not raw.get(k)]
    if missing:
        raise ContentError(f"{where}: article {raw.get('key', '?')!r} lacks {', '.join(missing)}")
    key = str(raw["key"])
    where = f"{where} [{key}]"
    if raw["source"] not in SOURCES:
        raise ContentError(f"{where}: unknown source {raw['source']!r} (known: {', '.join(SOURCES)})")
    if raw["host"] not in HOSTS[raw["source"]]:
        raise ContentError(
            f"{where}: host {raw['host']!r} is not one of {raw['source']}'s {HOSTS[raw['source']]}"
        )
    paragraphs = tuple(_squash(p) for p in str(raw["body"]).strip().split("\n\n") if p.strip())
    if not paragraphs:
        raise ContentError(f"{where}: empty body")
    modified = _parse_time(raw["modified"], where) if raw.get("modified") else None
    return Story(
        key=key,
        source=raw["source"],
        host=raw["host"],
        id=str(raw["id"]),
        title=_squash(str(raw["title"])),
        published=_parse_time(raw["published"], where),
        paragraphs=paragraphs,
        section=str(raw.get("section") or "world"),
        slug=str(raw.get("slug") or ""),
        language=str(raw.get("language") or "en"),
        kicker=str(raw.get("kicker") or ""),
        lead=_squash(str(raw.get("lead") or "")),
        modified=modified,
        dateline=str(raw.get("dateline") or ""),
        agency=str(raw.get("agency") or ""),
        authors=tuple(raw.get("authors") or ()),
        photo_caption=str(raw.get("photo_caption") or ""),
        photo_credit=str(raw.get("photo_credit") or ""),
        feeds=tuple(raw.get("feeds") or ()),
        feed_link_query=str(raw.get("feed_link_query") or ""),
        about_japan_russia=bool(raw.get("about_japan_russia", True)),
        expect_mentions=tuple(raw.get("expect_mentions") or ()),
        republished_from=str(raw.get("republished_from") or ""),
        note=str(raw.get("note") or ""),
        extra={k: v for k, v in raw.items() if k not in _KNOWN},
    )


def load_stories(path: Path) -> list[Story]:
    """The ``[[article]]`` entries of one TOML file; raises ContentError for a bad file or entry."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(f"{path}: {exc}") from exc
    return [story_from_dict(raw, str(path)) for raw in data.get("article", [])]


def load_corpus(content_dir: Path = CONTENT_DIR) -> tuple[list[Story], list[Story]]:
    """(edition 1 stories, edition 2 entries of ``updates.toml``); keys must be unique per edition."""
    edition1: list[Story] = []
    for path in sorted(content_dir.glob("*.toml")):
        if path.name != "updates.toml":
            edition1.extend(load_stories(path))
    updates_path = content_dir / "updates.toml"
    updates = load_stories(updates_path) if updates_path.exists() else []
    for stories in (edition1, updates):
        seen: set[str] = set()
        for story in stories:
            if story.key in seen:
                raise ContentError(f"duplicate article key {story.key!r}")
            seen.add(story.key)
    return edition1, updates


# -- URLs and dates ----------------------------------------------------------------------------------


def _local(when: datetime, zone: str) -> datetime:
    return when.astimezone(ZoneInfo(zone))


def article_url(story: Story) -> str:
    """The URL the site gives ``story`` (see SOURCES.md for each pattern)."""
    if story.source == "tass":
        return f"https://{story.host}/{story.section}/{story.id}"
    if story.source == "sputnik":
        day = _local(story.published, "Europe/Moscow").strftime("%Y%m%d")
        return f"https://sputnikglobe.com/{day}/{story.slug}-{story.id}.html"
    if story.source == "arabnews":
        return f"https://www.arabnews.com/node/{story.id}/{story.section}"
    if story.host == "japan-forward.com":
        return f"https://japan-forward.com/{story.slug}/"
    day = _local(story.published, "Asia/Tokyo").strftime("%Y%m%d")
    return f"https://www.sankei.com/article/{day}-{story.id}/"


def _unix(when: datetime) -> int:
    return int(when.timestamp())


def _iso(when: datetime) -> str:
    return when.isoformat(timespec="seconds")


def _rfc822(when: datetime) -> str:
    return format_datetime(when)


_RU_MONTHS = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)


def _dateline(story: Story) -> str:
    """The dateline as the site prints it before the first paragraph, with its separator."""
    if not story.dateline:
        return ""
    place = story.dateline.upper()
    when = story.published
    if story.source == "tass":
        if story.language == "ru":
            return f"{place}, {when.day} {_RU_MONTHS[when.month - 1]}. /ТАСС/. "
        return f"{place}, {when.strftime('%B')} {when.day}. /TASS/. "
    if story.source == "sputnik":
        agency = story.agency or "Sputnik"
        return f"{place}, {when.strftime('%B')} {when.day} ({agency}) - "
    if story.source == "arabnews":
        return f"{place}: "
    return f"{place} - "


def expected_paragraphs(story: Story) -> int:
    """How many body paragraphs extraction must return (the dateline and credits are not paragraphs)."""
    return len(story.paragraphs)


# -- page templates ----------------------------------------------------------------------------------


def _e(text: str) -> str:
    return escape(text, quote=True)


def _jsonld(obj: dict[str, Any]) -> str:
    # "</" inside JSON would end the script element early
    text = json.dumps(obj, ensure_ascii=False, indent=1).replace("</", "<\\/")
    return f'<script type="application/ld+json">{text}</script>'


def _body_paragraphs(story: Story) -> list[str]:
    paragraphs = list(story.paragraphs)
    paragraphs[0] = _dateline(story) + paragraphs[0]
    return paragraphs


def _others(story: Story, corpus: Sequence[Story]) -> list[Story]:
    """Other stories of the same source, in corpus order starting after ``story`` (for cards)."""
    same = [s for s in corpus if s.source == story.source and s.key != story.key]
    index = next((i for i, s in enumerate(corpus) if s.key == story.key), 0)
    after = [s for s in corpus[index + 1 :] if s in same]
    return after + [s for s in same if s not in after]


def render_tass(story: Story, corpus: Sequence[Story] = ()) -> str:
    """A tass.com / tass.ru article page (2020 design)."""
    ru = story.language == "ru"
    section_label = story.section.replace("-", " ").title()
    site = "ТАСС" if ru else "TASS"
    all_news = "Все новости" if ru else "All news"
    read_also = "Читайте также" if ru else "Read also"
    others = _others(story, corpus)
    paragraphs = _body_paragraphs(story)
    blocks: list[str] = []
    for i, text in enumerate(paragraphs):
        blocks.append(f"<p>{_e(text)}</p>")
        if i == 0 and others:
            other = others[0]
            blocks.append(
                f'<div class="text-include"><a class="text-include__link" href="{_e(other.url)}">'
                f'<span class="text-include__label">{read_also}</span> {_e(other.title)}</a></div>'
            )
    photo = ""
    if story.photo_caption or story.photo_credit:
        photo = (
            '<div class="news-media"><figure class="news-media__figure">'
            f'<img src="/img/{story.id}.jpg" alt="{_e(story.photo_caption)}">'
            f'<figcaption class="news-media__caption">{_e(story.photo_caption)}</figcaption>'
            f'<div class="news-media__credit">© {_e(story.photo_credit)}</div></figure></div>'
        )
    jsonld = _jsonld(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": story.title,
            "description": story.lead,
            "datePublished": _iso(story.published),
            **({"dateModified": _iso(story.modified)} if story.modified else {}),
            "url": story.url,
            "mainEntityOfPage": story.url,
            "articleSection": section_label,
            "inLanguage": story.language,
            "publisher": {"@type": "Organization", "name": site},
        }
    )
    nav = "".join(
        f'<li class="menu__item"><a href="/{s}">{_e(s.title())}</a></li>'
        for s in (
            ("politika", "ekonomika", "mezhdunarodnaya-panorama") if ru else ("politics", "world", "economy")
        )
    )
    return f"""<!DOCTYPE html>
<html lang="{story.language}">
<head>
<meta charset="utf-8">
<title>{_e(story.title)} - {_e(section_label)} - {site}</title>
<meta name="description" content="{_e(story.lead)}">
<meta property="og:title" content="{_e(story.title)} - {_e(section_label)} - {site}">
<meta property="og:description" content="{_e(story.lead)}">
<meta property="og:url" content="{_e(story.url)}">
<meta property="og:type" content="article">
<link rel="canonical" href="{_e(story.url)}">
{jsonld}
</head>
<body>
<header class="header"><a class="header__logo" href="/">{site}</a>
<nav class="menu"><ul>{nav}</ul></nav><a class="header__all-news" href="/">{all_news}</a></header>
<main class="container">
<div class="news-header">
<div class="news-header__section"><a href="/{story.section}">{_e(section_label)}</a></div>
<div class="news-header__date"><dateformat time="{_unix(story.published)}"></dateformat></div>
<h1 class="news-header__title">{_e(story.title)}</h1>
{f'<div class="news-header__lead">{_e(story.lead)}</div>' if story.lead else ""}
</div>
{photo}
<div class="text-content">
<div class="text-block">
{chr(10).join(blocks)}
</div>
</div>
<div class="tags"><a class="tags__item" href="/tag/japan">Japan</a><a class="tags__item" href="/tag/russia">Russia</a></div>
<div class="share-block"><span>Share</span><a href="#">VK</a><a href="#">Telegram</a></div>
</main>
<aside class="news-list"><h3>{all_news}</h3>
{"".join(f'<a class="news-list__item" href="{_e(o.url)}">{_e(o.title)}</a>' for o in others[:3])}
</aside>
<footer class="footer">© {site} {story.published.year}</footer>
</body>
</html>
"""


def render_sputnik(story: Story, corpus: Sequence[Story] = ()) -> str:
    """A sputnikglobe.com article page (today's ``article__`` design), a related card inside the body."""
    others = _others(story, corpus)
    stamp = _unix(story.published)
    moscow = _local(story.published, "UTC")
    shown = f"{moscow.strftime('%H:%M')} GMT {moscow.strftime('%d.%m.%Y')}"
    blocks: list[str] = []
    for i, text in enumerate(_body_paragraphs(story)):
        blocks.append(
            f'<div class="article__block" data-type="text"><div class="article__text">{_e(text)}</div></div>'
        )
        if i == 0 and others:
            other = others[0]
            blocks.append(
                '<div class="article__block" data-type="article"><div class="article__article">'
                f'<a class="article__article-title" href="{_e(other.url)}">{_e(other.title)}</a>'
                f'<div class="article__article-info"><span data-unixtime="{_unix(other.published)}">'
                f"{_e(other.published.strftime('%d %B, %H:%M GMT'))}</span></div>"
                f'<div class="article__article-desc">{_e(other.lead)}</div></div></div>'
            )
    og_title = (
        f"{story.title} - {story.published.astimezone(UTC).strftime('%d.%m.%Y')}, Sputnik International"
    )
    jsonld = _jsonld(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": story.title,
            "description": story.lead,
            "datePublished": _iso(story.published),
            **({"dateModified": _iso(story.modified)} if story.modified else {}),
            "mainEntityOfPage": {"@type": "WebPage", "@id": story.url},
            "author": [{"@type": "Person", "name": a} for a in story.authors]
            or {"@type": "Organization", "name": "Sputnik International"},
            "publisher": {"@type": "Organization", "name": "Sputnik International"},
            "articleSection": story.section.title(),
        }
    )
    photo = ""
    if story.photo_caption:
        photo = (
            f'<div class="article__announce"><div class="photoview"><img alt="{_e(story.photo_caption)}" '
            f'src="/img/{story.id}.jpg"><div class="media__copyright">© {_e(story.photo_credit or "Sputnik")}'
            f'</div><div class="media__caption">{_e(story.photo_caption)}</div></div></div>'
        )
    authors = "".join(f'<a class="article__author-name" href="/author/">{_e(a)}</a>' for a in story.authors)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{_e(og_title)}</title>
<meta name="description" content="{_e(story.lead)}">
<meta property="og:title" content="{_e(og_title)}">
<meta property="og:description" content="{_e(story.lead)}">
<meta property="og:url" content="{_e(story.url)}">
<meta property="og:site_name" content="Sputnik International">
<link rel="canonical" href="{_e(story.url)}">
<link rel="amphtml" href="{_e(story.url.replace("sputnikglobe.com/", "sputnikglobe.com/amp/"))}">
{jsonld}
</head>
<body>
<div class="header"><a class="header__logo" href="/">Sputnik International</a>
<ul class="header__menu"><li><a href="/world/">World</a></li><li><a href="/russia/">Russia</a></li>
<li><a href="/asia/">Asia</a></li></ul>
<a class="header__subscribe" href="/subscribe/">Subscribe</a><div class="header__lang">Русский</div></div>
<div class="layout">
<div class="article m-article">
<div class="article__header">
<div class="article__info"><div class="article__info-date"><a href="/{moscow.strftime("%Y%m%d")}/" data-unixtime="{stamp}">{shown}</a></div>
{'<div class="article__info-date-modified">Updated <span data-unixtime="' + str(_unix(story.modified)) + '">' + _local(story.modified, "UTC").strftime("%H:%M GMT %d.%m.%Y") + "</span></div>" if story.modified else ""}
</div>
<h1 class="article__title">{_e(story.title)}</h1>
<div class="article__announce-text">{_e(story.lead)}</div>
{photo}
<div class="article__authors">{authors}</div>
<div class="article__share"><span>Subscribe</span><a href="#">Telegram</a><a href="#">X</a></div>
</div>
<div class="article__body">
{chr(10).join(blocks)}
</div>
<div class="article__tags"><a class="tag" href="/world/"><span class="tag__text">{_e(story.section.title())}</span></a></div>
<div class="article__footer"><div class="article__subscribe">Subscribe</div></div>
<div class="comments"><div class="comments__title">Discussion</div>
<div class="comments__login">To participate in the discussion log in or register</div>
<div class="comments__ru">Чтобы участвовать в дискуссии, авторизуйтесь или зарегистрируйтесь</div></div>
</div>
<div class="newsfeed"><div class="newsfeed__title">Newsfeed</div>
{"".join(f'<div class="newsfeed__item"><span data-unixtime="{_unix(o.published)}"></span><a href="{_e(o.url)}">{_e(o.title)}</a></div>' for o in others[:3])}
</div>
</div>
<div class="footer">© 2023 Sputnik. All rights reserved. 18+</div>
</body>
</html>
"""


def render_sputnik_2019(story: Story, corpus: Sequence[Story] = ()) -> str:
    """A sputniknews.com page in the 2019 ``b-article`` design (used by the connector fixtures).

    ``<time datetime>`` has no offset and is UTC, as on the saved real page of that design.
    """
    when = story.published.astimezone(UTC)
    paragraphs = "".join(f"<p>{_e(p)}</p> " for p in _body_paragraphs(story))
    author = (
        f'<div class="b-article__refs-author">by <a rel="author" href="/authors/">{_e(story.authors[0])}</a></div>'
        if story.authors
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{_e(story.title)} - Sputnik International</title>
<meta property="og:title" content="{_e(story.title)}">
<meta property="og:url" content="{_e(sputnik_2019_url(story))}">
<meta property="og:description" content="{_e(story.lead)}">
</head><body>
<div class="b-header"><a class="b-header__logo" href="/"></a><div class="b-header__menu">Newsfeed</div></div>
<div class="b-article__header"><div class="b-article__header-title "><h1 itemprop="name">{_e(story.title)}</h1></div>
<div class="b-article__header-copy"><span>© {_e(story.photo_credit or "Sputnik")}</span></div></div>
<div class="l-main"><div class="b-article">
<div class="b-article__refs-text "><a class="b-article__refs-rubric" href="/{story.section}/" itemprop="articleSection">{_e(story.section.title())}</a>
<div class="b-article__refs-credits"><time class="b-article__refs-date" itemprop="dateCreated" datetime="{when.strftime("%Y-%m-%dT%H:%M")}">{when.strftime("%H:%M %d.%m.%Y")}</time>
<span class="b-article__refs-getshorturl">Get short URL</span></div>{author}</div>
<div class="b-article__lead" itemprop="description"><p>{_e(story.lead)}</p></div>
<div itemprop="articleBody" class="b-article__text">{paragraphs}<div class="b-inject"><a href="/">Subscribe</a></div></div>
<div class="b-article__refs"><div class="b-article__refs-list"></div></div>
<section class="comments"><div class="title">Comments</div>
<div class="b-comments__login">To participate in the discussion log in or register</div></section>
</div></div>
<div class="b-footer">Лента новостей</div>
</body></html>
"""


def sputnik_2019_url(story: Story) -> str:
    """The sputniknews.com URL of the 2019 design: ``/<section>/YYYYMMDD<id>-<slug>/``."""
    day = _local(story.published, "Europe/Moscow").strftime("%Y%m%d")
    return f"https://sputniknews.com/{story.section}/{day}{story.id}-{story.slug}/"


def _arabnews_time(when: datetime) -> str:
    # "06 Oct 2023 12:10:26 GMT9": the site prints the offset as bare hours
    hours = int((when.utcoffset() or when.astimezone(UTC).utcoffset()).total_seconds() // 3600)  # type: ignore[union-attr]
    sign = "" if hours >= 0 else "-"
    return f"{when.strftime('%d %b %Y %H:%M:%S')} GMT{sign}{abs(hours)}"


def _arabnews_article(story: Story, *, first: bool) -> str:
    """One ``<article>`` of an Arab News page (the first, or the one infinite scroll appends)."""
    caption = ""
    if story.photo_caption:
        credit = f" ({story.photo_credit})" if story.photo_credit else " (AFP)"
        caption = (
            f'<div class="article-item-img"><img src="/sites/default/files/{story.id}.jpg" alt="">'
            f'<div class="article-item-img-caption">{_e(story.photo_caption)}{_e(credit)}</div></div>'
        )
    paragraphs = [f"<p>{_e(p)}</p>" for p in _body_paragraphs(story)]
    if story.agency:
        paragraphs.append(f"<p>{_e(story.agency)}</p>")  # the wire credit closes the body
    byline = (
        "".join(f'<span class="author-name">{_e(a)}</span>' for a in story.authors)
        if story.authors
        else f'<span class="article-item-agency">{_e(story.agency)}</span>'
    )
    updated = story.modified or story.published
    return f"""<article class="node node--type-article node--view-mode-full{" node--first" if first else " node--next"}" data-history-node-id="{story.id}" about="/node/{story.id}/{story.section}">
<div class="article-item-breadcrumb"><a href="/">Home</a> <a href="/{story.section}">{_e(story.section.title())}</a> <span>{_e(story.title)}</span></div>
<div class="article-item-topic"><a href="/taxonomy/term/{story.section}">{_e(story.section.title())}</a></div>
<div class="entry-title"><h1>{_e(story.title)}</h1></div>
{f'<div class="article-item-subtitle"><p>{_e(story.lead)}</p></div>' if story.lead else ""}
{caption}
<div class="short-url"><span>Short Url</span> <input value="https://arab.news/{story.id[-5:]}" readonly></div>
<div class="article-item-date"><div class="entry-date"><time datetime="{_iso(story.published)}">{_arabnews_time(story.published)}</time></div>
<div class="article-item-updated">Updated {_arabnews_time(updated)}</div></div>
<div class="article-item-author">{byline}</div>
<div class="field field-name-body field--name-body"><div class="field-items"><div class="field-item even">
{chr(10).join(paragraphs)}
</div></div></div>
<div class="article-item-tags"><span>topics</span> <a href="/tags/japan">Japan</a> <a href="/tags/russia">Russia</a></div>
<div class="article-share"><a href="#">facebook</a><a href="#">twitter</a><a href="#">whatsapp</a></div>
</article>"""


def render_arabnews(story: Story, corpus: Sequence[Story] = ()) -> str:
    """An arabnews.com page: the article, "Most Popular"/"Recommended" lists, and the next article
    appended below it, as the site's infinite scroll does."""
    others = _others(story, corpus)
    jsonld = _jsonld(
        {
            "@context": "https://schema.org",
            "@graph": [
                {
                    "@type": "NewsArticle",
                    "headline": story.title,
                    "name": story.title,
                    "description": story.lead,
                    "datePublished": _iso(story.published),
                    "dateModified": _iso(story.modified or story.published),
                    "mainEntityOfPage": {"@type": "WebPage", "@id": story.url},
                    "author": [{"@type": "Person", "name": a} for a in story.authors]
                    or {"@type": "Person", "name": story.agency or "Arab News"},
                    "publisher": {"@type": "Organization", "name": "Arab News"},
                }
            ],
        }
    )
    popular = "".join(f'<li><a href="{_e(o.url)}">{_e(o.title)}</a></li>' for o in others[:3])
    appended = _arabnews_article(others[0], first=False) if others else ""
    return f"""<!DOCTYPE html>
<html lang="en" dir="ltr">
<head>
<meta charset="utf-8">
<title>{_e(story.title)} | Arab News</title>
<meta name="description" content="{_e(story.lead)}">
<meta property="og:site_name" content="Arab News">
<meta property="og:title" content="{_e(story.title)}">
<meta property="og:url" content="{_e(story.url)}">
<meta property="article:published_time" content="{_iso(story.published)}">
<link rel="canonical" href="{_e(story.url)}">
<link rel="shortlink" href="https://www.arabnews.com/node/{story.id}">
{jsonld}
</head>
<body class="path-node page-node-type-article">
<header class="header"><div class="logo"><a href="/">Arab News</a><span class="since">Since 1975</span></div>
<ul class="social"><li><a href="#">facebook</a></li><li><a href="#">twitter</a></li></ul>
<nav class="main-menu"><a href="/saudiarabia">Saudi Arabia</a> <a href="/middleeast">Middle East</a> <a href="/world">World</a> <a href="/japan">Japan</a></nav></header>
<main class="main-content">
{_arabnews_article(story, first=True)}
<aside class="most-popular"><h2>Most Popular</h2><ol>{popular}</ol></aside>
<section class="recommended"><h2>Recommended</h2><ul>{popular}</ul></section>
{appended}
</main>
<footer class="footer"><a href="#top">return to top</a> <span>© 2023 SRPC. All rights reserved.</span></footer>
</body>
</html>
"""


def render_japanforward(story: Story, corpus: Sequence[Story] = ()) -> str:
    """A japan-forward.com post (WordPress with Yoast JSON-LD ``@graph``)."""
    heading = f"{story.kicker} | {story.title}" if story.kicker else story.title
    paragraphs = [f"<p>{_e(p)}</p>" for p in _body_paragraphs(story)]
    if story.agency:
        paragraphs.append(f"<p>({_e(story.agency)})</p>")
    figure = ""
    if story.photo_caption:
        credit = f" (© {story.photo_credit})" if story.photo_credit else " (© Sankei)"
        figure = (
            f'<figure class="wp-block-image size-large"><img src="/wp-content/uploads/{story.id}.jpg" alt="">'
            f'<figcaption class="wp-element-caption">{_e(story.photo_caption)}{_e(credit)}</figcaption></figure>'
        )
    author_names = list(story.authors) or ["JAPAN Forward"]
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "NewsArticle",
                "@id": f"{story.url}#article",
                "headline": heading,
                "datePublished": _iso(story.published),
                "dateModified": _iso(story.modified or story.published),
                "mainEntityOfPage": {"@id": story.url},
                "author": [
                    {"@id": f"https://japan-forward.com/#/schema/person/{i}"}
                    for i in range(len(author_names))
                ],
                "articleSection": [story.section.title()],
                "inLanguage": "en-US",
                "publisher": {"@id": "https://japan-forward.com/#organization"},
            },
            {"@type": "WebPage", "@id": story.url, "url": story.url, "name": f"{heading} - JAPAN Forward"},
            {
                "@type": "Organization",
                "@id": "https://japan-forward.com/#organization",
                "name": "JAPAN Forward",
            },
            *(
                {"@type": "Person", "@id": f"https://japan-forward.com/#/schema/person/{i}", "name": name}
                for i, name in enumerate(author_names)
            ),
        ],
    }
    related = "".join(f'<li><a href="{_e(o.url)}">{_e(o.title)}</a></li>' for o in _others(story, corpus)[:3])
    excerpt = f'<p class="entry-excerpt">{_e(story.lead)}</p>' if story.lead else ""
    byline = "".join(
        f'<a class="author-name" rel="author" href="/author/">{_e(a)}</a>' for a in story.authors
    )
    return f"""<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="UTF-8">
<title>{_e(heading)} - JAPAN Forward</title>
<meta name="description" content="{_e(story.lead)}">
<meta property="og:locale" content="en_US">
<meta property="og:type" content="article">
<meta property="og:title" content="{_e(heading)} - JAPAN Forward">
<meta property="og:url" content="{_e(story.url)}">
<meta property="og:site_name" content="JAPAN Forward">
<meta property="article:published_time" content="{_iso(story.published.astimezone(UTC))}">
{f'<meta property="article:modified_time" content="{_iso(story.modified.astimezone(UTC))}">' if story.modified else ""}
{"".join(f'<meta name="author" content="{_e(a)}">' for a in story.authors)}
<link rel="canonical" href="{_e(story.url)}">
<link rel="shortlink" href="https://japan-forward.com/?p={story.id}">
{_jsonld(graph)}
</head>
<body class="post-template-default single single-post postid-{story.id} single-format-standard">
<header id="masthead" class="site-header"><a class="site-title" href="/">JAPAN Forward</a>
<nav class="main-navigation"><a href="/category/politics/">Politics</a> <a href="/category/world/">World</a> <a href="/category/opinion/">Opinion</a></nav></header>
<main id="main" class="site-main">
<article id="post-{story.id}" class="post-{story.id} post type-post status-publish category-{story.section}">
<header class="entry-header">
<div class="entry-category"><a href="/category/{story.section}/">{_e(story.section.title())}</a></div>
<h1 class="entry-title">{_e(heading)}</h1>
{excerpt}
<div class="entry-meta"><time class="entry-date published" datetime="{_iso(story.published)}">{story.published.strftime("%B")} {story.published.day}, {story.published.year}</time> {byline}</div>
</header>
<div class="entry-content">
{figure}
{chr(10).join(paragraphs)}
<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">Share this:</h3><a href="#">Twitter</a><a href="#">Facebook</a></div>
</div>
<footer class="entry-footer"><div class="entry-tags"><a href="/tag/japan-russia/">Japan-Russia</a></div></footer>
</article>
<section class="jp-relatedposts"><h3>Related</h3><ul>{related}</ul></section>
</main>
<footer class="site-footer">© JAPAN Forward</footer>
</body>
</html>
"""


def render_sankei(story: Story, corpus: Sequence[Story] = ()) -> str:
    """A www.sankei.com article page (Arc XP, Japanese)."""
    jst = _local(story.published, "Asia/Tokyo")
    body: list[str] = []
    if story.photo_caption:
        body.append(
            '<figure class="article-image"><div class="figure_image"><img src="/resizer/x.jpg" alt=""></div>'
            f'<figcaption class="caption">{_e(story.photo_caption)}</figcaption></figure>'
        )
    for i, text in enumerate(_body_paragraphs(story)):
        body.append(f'<p class="article-text ">{_e(text)}</p>')
        if i == 0:
            body.append(
                '<div class="inline-gptAd"><div class="gptAd"><div id="div-gpt-ad-Rec_Article"></div></div></div>'
            )
    jsonld = _jsonld(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "mainEntityOfPage": story.url,
            "url": story.url,
            "datePublished": _iso(jst),
            "dateModified": _iso(_local(story.modified or story.published, "Asia/Tokyo")),
            "headline": story.title,
            "description": story.paragraphs[0][:60] + "…",
            "publisher": {"@type": "Organization", "name": "産経新聞：産経ニュース"},
            "author": [{"@type": "Person", "name": a} for a in story.authors],
        }
    )
    authors = "".join(
        f'<div class="author-container"><a class="author-info-link" href="/author/"><span class="author-name">{_e(a)}</span></a></div>'
        for a in story.authors
    )
    return f"""<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<title>{_e(story.title)} - 産経ニュース</title>
<meta property="og:type" content="article">
<meta property="og:title" content="{_e(story.title)}">
<meta property="og:url" content="{_e(story.url)}">
<meta name="article:published_time" content="{_iso(jst)}">
{"".join(f'<meta name="author" content="{_e(a)}">' for a in story.authors)}
<meta name="cXenseParse:skd-articletype" content="free">
<link rel="canonical" href="{_e(story.url)}">
{jsonld}
</head>
<body>
<header class="site-header"><a href="/">産経ニュース</a><nav><a href="/politics/">政治</a> <a href="/world/">国際</a> <a href="/affairs/">社会</a></nav></header>
<nav class="breadcrumb"><a href="https://www.sankei.com/">トップ</a> <a href="https://www.sankei.com/{story.section}/">{_e(story.section)}</a></nav>
<article class="article">
<h1 class="article-headline">{_e(story.title)}</h1>
<div class="article-meta"><time datetime="{_iso(story.published.astimezone(UTC))}">{jst.year}/{jst.month}/{jst.day} {jst.strftime("%H:%M")}</time>{authors}</div>
<div class="article-body clearfix ">
{chr(10).join(body)}
</div>
<div class="article-share">この記事をシェア</div>
</article>
<section class="related"><h2>関連記事</h2></section>
<footer>無断転載を禁じます</footer>
</body>
</html>
"""


RENDERERS: dict[str, Callable[[Story, Sequence[Story]], str]] = {
    "tass.com": render_tass,
    "tass.ru": render_tass,
    "sputnikglobe.com": render_sputnik,
    "www.arabnews.com": render_arabnews,
    "japan-forward.com": render_japanforward,
    "www.sankei.com": render_sankei,
}


def render_page(story: Story, corpus: Sequence[Story] = ()) -> str:
    """The HTML page of ``story`` on its site; ``corpus`` supplies related cards and the next article."""
    return RENDERERS[story.host](story, corpus)


# -- feeds ----------------------------------------------------------------------------------------------


def _rss(
    channel_title: str, link: str, feed_url: str, items: Iterable[str], *, wordpress: bool = False
) -> str:
    namespaces = (
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:atom="http://www.w3.org/2005/Atom"'
    )
    extra = "<generator>https://wordpress.org/?v=6.4.2</generator>" if wordpress else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"{namespaces}>\n<channel>\n'
        f"<title>{_e(channel_title)}</title>\n<link>{_e(link)}</link>\n"
        f'<atom:link href="{_e(feed_url)}" rel="self" type="application/rss+xml"/>\n'
        f"<description>{_e(channel_title)}</description>\n<language>en</language>\n{extra}\n"
        + "\n".join(items)
        + "\n</channel>\n</rss>\n"
    )


def _feed_item(story: Story, feed_url: str) -> str:
    if story.host == "japan-forward.com":
        content = "".join(f"<p>{_e(p)}</p>" for p in _body_paragraphs(story))
        heading = f"{story.kicker} | {story.title}" if story.kicker else story.title
        creators = "".join(
            f"<dc:creator><![CDATA[{a}]]></dc:creator>" for a in (story.authors or ("JAPAN Forward",))
        )
        return (
            f"<item><title>{_e(heading)}</title><link>{_e(story.link_in(feed_url))}</link>{creators}"
            f"<pubDate>{_rfc822(story.published.astimezone(UTC))}</pubDate>"
            f"<category><![CDATA[{story.section.title()}]]></category>"
            f'<guid isPermaLink="false">https://japan-forward.com/?p={story.id}</guid>'
            f"<description><![CDATA[{story.lead}]]></description>"
            f"<content:encoded><![CDATA[{content}]]></content:encoded></item>"
        )
    if story.source == "arabnews":
        return (
            f"<item><title>{_e(story.title)}</title><link>{_e(story.link_in(feed_url))}</link>"
            f"<description>{_e('<p>' + story.lead + '</p>')}</description>"
            f"<pubDate>{_rfc822(story.published)}</pubDate>"
            # pubDate stays the node's creation time; an edited node says so in <atom:updated>, which
            # is what lets a later poll see that https://www.arabnews.com/node/2499156/japan changed
            + (f"<atom:updated>{_iso(story.modified)}</atom:updated>" if story.modified else "")
            + f"<dc:creator>{_e(', '.join(story.authors) or story.agency or 'Arab News')}</dc:creator>"
            f'<guid isPermaLink="false">{story.id} at https://www.arabnews.com</guid></item>'
        )
    enclosure = (
        f'<enclosure url="https://cdn1.img.sputnikglobe.com/img/{story.id}.jpg" type="image/jpeg" length="0"/>'
        if story.source == "sputnik"
        else ""
    )
    return (
        f"<item><title>{_e(story.title)}</title><link>{_e(story.link_in(feed_url))}</link>"
        f"<guid>{_e(story.url)}</guid><pubDate>{_rfc822(story.published)}</pubDate>"
        f"<description>{_e(story.lead)}</description><category>{_e(story.section.title())}</category>"
        f"{enclosure}</item>"
    )


def _listed(stories: Sequence[Story], feed_url: str) -> list[Story]:
    """Stories that name ``feed_url``, newest first (ties by key, for a stable order)."""
    chosen = [s for s in stories if feed_url in s.feeds]
    return sorted(chosen, key=lambda s: (-s.published.timestamp(), s.key))


def render_feed(feed_url: str, stories: Sequence[Story]) -> str:
    """The RSS feed or sitemap at ``feed_url`` listing the ``stories`` that name it."""
    if feed_url == SANKEI_INDEX:
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"<sitemap><loc>{_e(SANKEI_NEWS_SITEMAP)}</loc></sitemap>\n</sitemapindex>\n"
        )
    if feed_url == SANKEI_NEWS_SITEMAP:
        urls = "".join(
            f"<url><loc>{_e(s.link_in(feed_url))}</loc><news:news><news:publication><news:name>産経ニュース</news:name>"
            f"<news:language>ja</news:language></news:publication>"
            f"<news:publication_date>{_iso(_local(s.published, 'Asia/Tokyo'))}</news:publication_date>"
            f"<news:title>{_e(s.title)}</news:title></news:news></url>\n"
            for s in _listed(stories, SANKEI_INDEX)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n' + urls + "</urlset>\n"
        )
    listed = _listed(stories, feed_url)
    if feed_url.startswith("https://japan-forward.com/"):
        return _rss(
            "JAPAN Forward", "https://japan-forward.com", feed_url, (_feed_item(s, feed_url) for s in listed), wordpress=True
        )
    titles = {
        "tass.com": "TASS",
        "tass.ru": "ТАСС",
        "sputnikglobe.com": "Sputnik International",
        "www.arabnews.com": "Arab News",
    }
    host = feed_url.split("/")[2]
    return _rss(titles.get(host, host), f"https://{host}/", feed_url, (_feed_item(s, feed_url) for s in listed))


ROBOTS = {
    # TASS and Sputnik keep crawlers out of search and user pages; the sample mirrors that shape
    "tass.com": "User-agent: *\nDisallow: /search\nDisallow: /userApi/\nSitemap: https://tass.com/sitemap.xml\n",
    "tass.ru": "User-agent: *\nDisallow: /search\nDisallow: /userApi/\n",
    "sputnikglobe.com": "User-agent: *\nDisallow: /search/\nDisallow: /services/\n",
    "www.arabnews.com": "User-agent: *\nCrawl-delay: 2\nDisallow: /search/\nDisallow: /user/\n",
    "japan-forward.com": "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n",
    "www.sankei.com": "User-agent: *\nDisallow: /pf/api/\nSitemap: " + SANKEI_INDEX + "\n",
}


# -- the site on disk ---------------------------------------------------------------------------------


def file_for(url: str) -> str:
    """The file (relative to the site root) that serves logical ``url``.

    >>> file_for("https://tass.com/politics/1681234")
    'tass.com/politics/1681234.html'
    >>> file_for("https://www.sankei.com/feeds/sitemapindex-category/?outputType=xml")
    'www.sankei.com/feeds/sitemapindex-category/index__outputType=xml.xml'
    """
    rest = url.split("://", 1)[1]
    path_part, _, query = rest.partition("?")
    host, _, path = path_part.partition("/")
    path = "/" + path
    if path.endswith("/"):
        path += "index"
    stem, dot, ext = path.rpartition(".")
    if not dot or "/" in ext:
        stem, ext = path, ""
    if query:
        stem += "__" + "".join(ch if ch.isalnum() or ch in "=-_" else "_" for ch in query)
    if not ext:
        ext = "xml" if ("feed" in path or "sitemap" in path or "rss" in path) else "html"
    return f"{host}{stem}.{ext}"


def _content_type(url: str, file: str) -> str:
    if file.endswith(".txt"):
        return "text/plain; charset=utf-8"
    if file.endswith(".xml"):
        if "japan-forward.com/feed" in url:
            return "application/rss+xml; charset=UTF-8"
        return "application/xml; charset=utf-8" if "sankei.com" in url else "text/xml; charset=utf-8"
    return "text/html; charset=utf-8"


def render_site(
    pages: Sequence[Story],
    feeds_from: Sequence[Story],
    *,
    corpus: Sequence[Story] | None = None,
    robots: bool = True,
) -> dict[str, tuple[str, str]]:
    """``{logical URL: (content type, text)}`` for the pages of ``pages`` and every sample feed listing
    ``feeds_from``; ``corpus`` (default ``feeds_from``) supplies related cards and appended articles."""
    corpus = list(corpus if corpus is not None else feeds_from)
    out: dict[str, tuple[str, str]] = {}
    for story in pages:
        out[story.url] = ("text/html; charset=utf-8", render_page(story, corpus))
    feed_urls = [f for urls in FEEDS.values() for f in urls] + [SANKEI_NEWS_SITEMAP]
    for feed_url in feed_urls:
        out[feed_url] = (_content_type(feed_url, file_for(feed_url)), render_feed(feed_url, feeds_from))
    if robots:
        for host, text in ROBOTS.items():
            out[f"https://{host}/robots.txt"] = ("text/plain; charset=utf-8", text)
    return out


def write_site(rendered: dict[str, tuple[str, str]], root: Path) -> dict[str, dict[str, str]]:
    """Write ``rendered`` under ``root`` (replacing what was there) with ``routes.json``; return the routes."""
    if root.exists():
        shutil.rmtree(root)
    routes: dict[str, dict[str, str]] = {}
    for url in sorted(rendered):
        content_type, text = rendered[url]
        file = file_for(url)
        if file in {r["file"] for r in routes.values()}:
            raise ContentError(f"two URLs map to the file {file}: rename a slug or id")
        target = root / file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        routes[url] = {"file": file, "content_type": content_type}
    (root / "routes.json").write_text(json.dumps(routes, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return routes


#: short credits as printed -> the agency name extraction stores ("(JIJI)" closes Japan Forward copy)
AGENCY_NAMES = {"JIJI": "JIJI Press", "Kyodo News": "Kyodo"}


def _printed_agency(story: Story) -> str | None:
    """The agency the page credits: the content's, or the site's own in its dateline ("/TASS/.")."""
    if story.agency:
        return AGENCY_NAMES.get(story.agency, story.agency)
    if story.dateline and story.source in ("tass", "sputnik"):
        return "TASS" if story.source == "tass" else "Sputnik"
    return None


def expected_record(story: Story, edition: int) -> dict[str, Any]:
    """What extracting ``story``'s page must give (the lead's end-to-end test asserts against it)."""
    from connectors import registry

    connector = registry.get(story.source)
    return {
        "url": story.url,
        "feed_link": story.feed_link,
        "source_id": story.source,
        "identity": connector.entry_identity(story.url, f"https://japan-forward.com/?p={story.id}")
        if story.host == "japan-forward.com"
        else connector.identity(story.url),
        "title": story.title,
        "kicker": story.kicker or None,
        "published_at": story.published.astimezone(UTC).isoformat(),
        "modified_at": story.modified.astimezone(UTC).isoformat() if story.modified else None,
        "language": story.language,
        "body_paragraphs": expected_paragraphs(story),
        "agency": _printed_agency(story),
        "dateline_place": story.dateline.upper() or None,
        "authors": list(story.authors),
        "about_japan_russia": story.about_japan_russia,
        "expect_mentions": list(story.expect_mentions),
        "republished_from": story.republished_from or None,
        "edition": edition,
    }


def edition2_corpus(edition1: Sequence[Story], updates: Sequence[Story]) -> list[Story]:
    """Edition 1 with the updated stories replaced and the new ones added.

    An update names the story it is a new version of in ``version_of`` (same URL, edited text): it takes
    that story's place, so a feed lists the URL once.
    """
    by_key = {s.key: s for s in edition1}
    for story in updates:
        by_key.pop(str(story.extra.get("version_of") or ""), None)
        by_key[story.key] = story
    return list(by_key.values())


def build(content_dir: Path = CONTENT_DIR, out_dir: Path = HERE) -> dict[str, int]:
    """Render the whole sample: both editions and their expected values. Returns counts per output."""
    edition1, updates = load_corpus(content_dir)
    if not edition1:
        raise ContentError(f"no articles in {content_dir}/*.toml")
    site1 = write_site(render_site(edition1, edition1), out_dir / "site")
    full2 = edition2_corpus(edition1, updates)
    site2 = write_site(render_site(updates, full2, corpus=full2, robots=False), out_dir / "site-edition2")
    for name, stories, edition in (("expected.json", edition1, 1), ("expected-edition2.json", full2, 2)):
        updated = {s.key for s in updates}
        records = {
            s.key: expected_record(s, 2 if (edition == 2 and s.key in updated) else 1) for s in stories
        }
        (out_dir / name).write_text(
            json.dumps(records, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
        )
    return {
        "articles": len(edition1),
        "updates": len(updates),
        "routes": len(site1),
        "routes_edition2": len(site2),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.sample.build", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--content", type=Path, default=CONTENT_DIR, help="folder of the content TOML files")
    parser.add_argument(
        "--out", type=Path, default=HERE, help="folder to write site/, site-edition2/ and expected"
    )
    args = parser.parse_args(argv)
    try:
        counts = build(args.content, args.out)
    except ContentError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(" ".join(f"{k}={v}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = [
    "FEEDS",
    "ContentError",
    "Story",
    "article_url",
    "build",
    "expected_record",
    "file_for",
    "load_corpus",
    "load_stories",
    "render_feed",
    "render_page",
    "render_site",
    "render_sputnik_2019",
    "sputnik_2019_url",
    "story_from_dict",
    "write_site",
]
