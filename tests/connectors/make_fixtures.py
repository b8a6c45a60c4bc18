# ruff: noqa: E501  -- the content entries below are prose, kept one sentence per line
"""Generate the connector fixtures: pages, feeds and their golden JSON (STYLE.md #13).

Run from the repository root::

    .venv/bin/python -m tests.connectors.make_fixtures        # or: python tests/connectors/make_fixtures.py

Small content entries written for the fixtures are rendered through the sample site's renderers
(``pipeline.sample.build``), a few variants are derived from them (the 2019 Sputnik design, a page
without JSON-LD, a relative "Updated 5 sec ago", a TASS page whose body selectors no longer match),
and each connector's output is written next to the page as golden JSON. Never edit the golden files
by hand: change the entries or the connector and run this script again, then review the diff.

Layout: ``fixtures/<source_id>/<name>.html`` + ``<name>.json`` (``{"url", "fetched_at", "expected"}``)
and ``fixtures/<source_id>/feed_<name>.xml`` + ``feed_<name>.json`` (``{"feed_url", "expected"}``).
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from connectors import registry
from connectors.base import Page
from pipeline.sample import build
from tests.connectors import outlet_pages

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture_page_params() -> list[Any]:
    """``pytest.param(source_id, html_path)`` for every fixture page of every registered connector."""
    import pytest

    return [
        pytest.param(connector.id, html, id=f"{connector.id}/{html.stem}")
        for connector in registry.all_connectors()
        for html in sorted((FIXTURES / connector.id).glob("*.html"))
    ]


def golden_page(html_path: Path) -> tuple[dict[str, Any], Page]:
    """A fixture page's golden JSON, and the Page a connector is handed for it."""
    golden = json.loads(html_path.with_suffix(".json").read_text(encoding="utf-8"))
    html = html_path.read_text(encoding="utf-8")
    page = Page(
        url=golden["url"],
        content=html.encode("utf-8"),
        text=html,
        fetched_at=datetime.fromisoformat(golden["fetched_at"]),
        content_type="text/html; charset=utf-8",
    )
    return golden, page
#: every fixture page is "fetched" at this instant (relative dates resolve against it)
FETCHED_AT = datetime(2023, 10, 8, 9, 0, 0, tzinfo=UTC)

# ---------------------------------------------------------------------------------------------------
# Content entries written for the fixtures (same format as pipeline/sample/content/*.toml).

ENTRIES: list[dict[str, Any]] = [
    # -- TASS --
    {
        "key": "tass_photo",
        "source": "tass",
        "host": "tass.com",
        "id": "1687001",
        "section": "politics",
        "title": "Tokyo keeps channels open with Moscow on fisheries, says top government spokesman",
        "lead": "Talks on salmon quotas will go ahead as planned, the spokesman said",
        "published": "2023-10-06T12:10:26+03:00",
        "dateline": "TOKYO",
        "photo_caption": "The Japanese government's top spokesman at a news conference in Tokyo",
        "photo_credit": "AP Photo/Hiro Komae",
        "body": "Japan will keep working channels with Russia open on fishing in the northern waters, the "
        "government's top spokesman told reporters on Friday.\n\n"
        '"The annual consultations on salmon and trout quotas are a practical matter for our fishermen," he '
        "said, adding that the format of the talks had not changed.\n\n"
        "The intergovernmental commission normally meets in Moscow in the spring.",
        "feeds": ["https://tass.com/rss/v2.xml", "https://tass.com/rss/politics.xml"],
        "feed_link_query": "utm_source=rss&utm_medium=feed",
    },
    {
        "key": "tass_plain",
        "source": "tass",
        "host": "tass.com",
        "id": "1687044",
        "section": "world",
        "title": "Russian diplomat calls Japan's new sanctions package counterproductive",
        "lead": "",
        "published": "2023-10-07T09:45:00+03:00",
        "dateline": "MOSCOW",
        "body": "Moscow regards the latest restrictions announced by Tokyo as a step that harms Japanese "
        "business first of all, a senior Russian diplomat said on Saturday.\n\n"
        "He said Russia would respond in a measured way and would not cut contacts at the working level.",
        "feeds": ["https://tass.com/rss/v2.xml", "https://tass.com/rss/world.xml"],
    },
    {
        "key": "tass_ru",
        "source": "tass",
        "host": "tass.ru",
        "id": "18923456",
        "section": "politika",
        "language": "ru",
        "title": "В Токио заявили о намерении продолжить диалог с Москвой по рыболовству",
        "lead": "Консультации по квотам на вылов лосося пройдут в обычном формате",
        "published": "2023-10-06T12:30:00+03:00",
        "dateline": "ТОКИО",
        "body": "Япония намерена сохранить рабочие каналы связи с Россией по вопросам рыболовства, сообщил в "
        "пятницу генеральный секретарь кабинета министров.\n\n"
        "По его словам, ежегодные консультации остаются практическим вопросом для рыбаков.",
        "feeds": ["https://tass.ru/rss/v2.xml"],
    },
    {
        "key": "tass_ru_two",
        "source": "tass",
        "host": "tass.ru",
        "id": "18923999",
        "section": "mezhdunarodnaya-panorama",
        "language": "ru",
        "title": "МИД России прокомментировал новые японские санкции",
        "lead": "",
        "published": "2023-10-07T10:00:00+03:00",
        "dateline": "МОСКВА",
        "body": "Москва считает новые ограничения Токио шагом, который прежде всего вредит японскому бизнесу.\n\n"
        "Российская сторона ответит взвешенно, отметил дипломат.\n\nКонтакты на рабочем уровне сохраняются.",
        "feeds": ["https://tass.ru/rss/v2.xml"],
    },
    # -- Sputnik --
    {
        "key": "sputnik_card",
        "source": "sputnik",
        "host": "sputnikglobe.com",
        "id": "1113904321",
        "section": "world",
        "slug": "japan-signals-readiness-to-keep-fishing-talks-with-russia",
        "title": "Japan Signals Readiness to Keep Fishing Talks With Russia",
        "lead": "Tokyo says practical cooperation on fisheries should continue despite the sanctions row.",
        "published": "2023-10-06T10:20:00+00:00",
        "dateline": "TOKYO",
        "body": "Japan is ready to continue annual fisheries consultations with Russia, a government spokesman "
        "said on Friday.\n\nThe consultations set catch quotas for salmon and trout born in Russian rivers.\n\n"
        "Officials in Moscow have not yet commented on the statement.",
        "feeds": [
            "https://sputnikglobe.com/export/rss2/archive/index.xml",
            "https://sputnikglobe.com/export/rss2/world/index.xml",
        ],
    },
    {
        "key": "sputnik_ria",
        "source": "sputnik",
        "host": "sputnikglobe.com",
        "id": "1113905555",
        "section": "asia",
        "slug": "official-tokyo-wants-to-develop-ties-with-moscow",
        "title": "Official: Tokyo Wants to Develop Ties With Moscow",
        "lead": "The statement followed a meeting between a former Japanese prime minister and the Russian president.",
        "published": "2023-10-05T08:00:00+00:00",
        "dateline": "TOKYO",
        "agency": "RIA Novosti",
        "body": "Japan intends to develop its relations with Russia in line with its national interests, a senior "
        "government official said on Thursday.\n\n"
        "The remark came a day after a former prime minister held talks in the Kremlin.",
        "feeds": ["https://sputnikglobe.com/export/rss2/archive/index.xml"],
    },
    {
        "key": "sputnik_opinion",
        "source": "sputnik",
        "host": "sputnikglobe.com",
        "id": "1113906666",
        "section": "analysis",
        "slug": "why-tokyo-cannot-afford-to-ignore-moscow",
        "title": "Why Tokyo Cannot Afford to Ignore Moscow",
        "lead": "Energy projects in the Russian Far East keep Japan tied to its northern neighbour.",
        "published": "2023-10-04T15:00:00+00:00",
        "modified": "2023-10-04T18:30:00+00:00",
        "authors": ["Ekaterina Blinova"],
        "body": "Japanese trading houses have kept their stakes in the Sakhalin energy projects.\n\n"
        "Analysts say the liquefied natural gas shipments matter for the country's power grid.\n\n"
        "Tokyo has so far balanced its sanctions policy against these needs.\n\n"
        "The question will return when long-term contracts come up for renewal.",
        "feeds": ["https://sputnikglobe.com/export/rss2/archive/index.xml"],
    },
    # -- Arab News --
    {
        "key": "arabnews_jiji",
        "source": "arabnews",
        "host": "www.arabnews.com",
        "id": "2388001",
        "section": "japan",
        "title": "Japan takes wait-and-see stance on Moscow's offer of talks",
        "lead": "A foreign ministry official said the remarks were aimed at unsettling the G7 chair.",
        "published": "2023-10-06T12:10:26+09:00",
        "dateline": "TOKYO",
        "agency": "JIJI Press",
        "photo_caption": "Officials walk past the foreign ministry in Tokyo.",
        "photo_credit": "AFP",
        "body": "Japan is taking a cautious line after the Russian president said Moscow would accept dialogue "
        "with Tokyo under certain conditions.\n\n"
        '"We will not do anything that disrupts the unity of the Group of Seven," the official said.\n\n'
        "One condition named by Moscow was the lifting of Japanese sanctions.",
        "feeds": ["https://www.arabnews.com/rss.xml", "https://www.arabnews.com/cat/4/rss.xml"],
    },
    {
        "key": "arabnews_column",
        "source": "arabnews",
        "host": "www.arabnews.com",
        "id": "2388150",
        "section": "opinion",
        "title": "Japan's northern question will outlast the war",
        "lead": "The islands dispute has survived every change of leadership in Tokyo and Moscow.",
        "published": "2023-10-05T21:00:00+03:00",
        "authors": ["Yuki Tanaka"],
        "body": "Every Japanese prime minister since the 1950s has promised progress on the islands.\n\n"
        "None has delivered it, and the war in Ukraine has frozen the talks entirely.\n\n"
        "Yet the question will come back, because geography does not change.",
        "feeds": ["https://www.arabnews.com/rss.xml"],
    },
    {
        "key": "arabnews_afp",
        "source": "arabnews",
        "host": "www.arabnews.com",
        "id": "2388230",
        "section": "world",
        "title": "Russia holds naval drills near disputed islands, Japan protests",
        "lead": "",
        "published": "2023-10-07T08:15:00+03:00",
        "dateline": "TOKYO",
        "agency": "AFP",
        "body": "Japan lodged a protest with Russia on Saturday over naval exercises held near islands claimed "
        "by both countries.\n\nThe drills involved several warships and coastal missile units.",
        "feeds": ["https://www.arabnews.com/rss.xml", "https://www.arabnews.com/cat/4/rss.xml"],
    },
    # -- Sankei: Japan Forward and sankei.com --
    {
        "key": "jf_editorial",
        "source": "sankei",
        "host": "japan-forward.com",
        "id": "167001",
        "section": "opinion",
        "slug": "editorial-moscow-talk-of-dialogue-rings-hollow",
        "kicker": "EDITORIAL",
        "title": "Moscow's Talk of Dialogue Rings Hollow",
        "lead": "Russia sets conditions for talks that Japan cannot accept while the war continues.",
        "published": "2023-10-07T10:00:00+09:00",
        "agency": "",
        "photo_caption": "The Russian president speaks at a forum in Sochi.",
        "photo_credit": "Sankei",
        "body": "The Russian president says he is open to talks with Japan, but only on his terms.\n\n"
        "Lifting sanctions first would reward aggression and split Japan from its partners.\n\n"
        "Tokyo should keep its position and say so clearly.",
        "feeds": ["https://japan-forward.com/feed/"],
    },
    {
        "key": "jf_jiji",
        "source": "sankei",
        "host": "japan-forward.com",
        "id": "167055",
        "section": "politics",
        "slug": "japan-to-continue-fishing-talks-with-russia",
        "title": "Japan to Continue Fishing Talks With Russia",
        "lead": "",
        "published": "2023-10-06T18:00:00+09:00",
        "dateline": "TOKYO",
        "agency": "JIJI",
        "body": "Japan will continue its annual fisheries consultations with Russia, the chief cabinet secretary "
        "said on Friday.\n\nThe talks set quotas for salmon and trout caught off Hokkaido.",
        "feeds": ["https://japan-forward.com/feed/"],
    },
    {
        "key": "jf_analysis",
        "source": "sankei",
        "host": "japan-forward.com",
        "id": "167090",
        "section": "politics",
        "slug": "analysis-what-the-northern-territories-mean-now",
        "kicker": "ANALYSIS",
        "title": "What the Northern Territories Mean Now",
        "lead": "Former islanders are growing old while the talks stay frozen.",
        "published": "2023-10-05T07:30:00+09:00",
        "authors": ["Hiroshi Yamada"],
        "body": "Fewer than 5,000 former residents of the islands are still alive.\n\n"
        "Visits to family graves have been suspended since 2022.\n\n"
        "Local governments in Hokkaido are recording their memories.",
        "feeds": ["https://japan-forward.com/feed/"],
    },
    {
        "key": "sankei_ja",
        "source": "sankei",
        "host": "www.sankei.com",
        "id": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "section": "politics",
        "language": "ja",
        "title": "日露漁業交渉を継続へ\u3000官房長官が表明",
        "published": "2023-10-06T17:45:00+09:00",
        "body": "官房長官は６日の記者会見で、ロシアとのサケ・マス漁業交渉を例年通り続ける考えを示した。\n\n"
        "交渉は北海道沖で操業する漁業者にとって重要だとしている。",
        "feeds": ["https://www.sankei.com/feeds/sitemapindex-category/?outputType=xml"],
    },
    {
        "key": "sankei_ja_author",
        "source": "sankei",
        "host": "www.sankei.com",
        "id": "Z1Y2X3W4V5U6T7S8R9Q0PONMLK",
        "section": "world",
        "language": "ja",
        "title": "ロシア軍が北方領土周辺で演習\u3000政府が抗議",
        "published": "2023-10-07T11:00:00+09:00",
        "authors": ["山田 太郎"],
        "photo_caption": "演習に参加する艦艇（ロシア国防省提供）",
        "body": "政府は７日、ロシア軍が北方領土周辺で演習を実施したとして外交ルートで抗議した。\n\n"
        "演習には艦艇数隻が参加したという。\n\n外務省は引き続き情報収集を進める。",
        "feeds": ["https://www.sankei.com/feeds/sitemapindex-category/?outputType=xml"],
    },
]

# ---------------------------------------------------------------------------------------------------
# Variants derived from a rendered page, to cover layouts and quirks the sample site does not show.


def _no_jsonld(html: str) -> str:
    """Drop JSON-LD and article:published_time: the visible stamp must give the date."""
    html = re.sub(r'<script type="application/ld\+json">.*?</script>', "", html, flags=re.S)
    return re.sub(r'<meta property="article:published_time"[^>]*>', "", html)


def _relative_updated(html: str) -> str:
    """Arab News prints fresh stories as "Updated 5 sec ago"."""
    return re.sub(r'(<div class="article-item-updated">)Updated [^<]*', r"\1Updated 5 sec ago", html)


def _layout_changed(html: str) -> str:
    """TASS renamed its body classes: the source selectors match nothing, the generic path takes over."""
    return html.replace('class="text-content"', 'class="story-v3"').replace(
        'class="text-block"', 'class="story-v3__body"'
    )


def _react_design(html: str) -> str:
    """tass.ru's React design: CSS-module class names (``Paragraph_paragraph__<hash>``) in <article>."""
    html = re.sub(
        r'<div class="text-content">\s*<div class="text-block">(.*?)</div>\s*</div>',
        lambda m: (
            '<article class="Article_article__x1"><div class="Content_wrapper__a9f3">'
            + m.group(1).replace("<p>", '<p class="Paragraph_paragraph__9WAFK">')
            + "</div></article>"
        ),
        html,
        flags=re.S,
    )
    html = html.replace('class="news-header__title"', 'class="NewsHeader_titles__2Jd3f"')
    return html.replace('class="news-header__lead"', 'class="NewsHeader_lead__6RoXp"')


@dataclass(frozen=True)
class Variant:
    name: str
    key: str
    transform: Callable[[str], str] | None = None
    design: str = "current"  # "2019": the Sputnik b-article renderer


VARIANTS: dict[str, list[Variant]] = {
    "tass": [
        Variant("tass_photo", "tass_photo"),
        Variant("tass_plain", "tass_plain"),
        Variant("tass_ru", "tass_ru"),
        Variant("tass_ru_second", "tass_ru_two"),
        Variant("tass_layout_changed", "tass_plain", _layout_changed),
        Variant("tass_ru_react_design", "tass_ru", _react_design),
    ],
    "sputnik": [
        Variant("sputnik_related_card", "sputnik_card"),
        Variant("sputnik_ria_novosti", "sputnik_ria"),
        Variant("sputnik_opinion_modified", "sputnik_opinion"),
        Variant("sputnik_2019_design", "sputnik_ria", design="2019"),
        Variant("sputnik_2019_author", "sputnik_opinion", design="2019"),
    ],
    "arabnews": [
        Variant("arabnews_jiji_next_article", "arabnews_jiji"),
        Variant("arabnews_column", "arabnews_column"),
        Variant("arabnews_afp_updated_relative", "arabnews_afp", _relative_updated),
        Variant("arabnews_no_jsonld", "arabnews_jiji", _no_jsonld),
        Variant("arabnews_afp", "arabnews_afp"),
    ],
    "sankei": [
        Variant("japanforward_editorial", "jf_editorial"),
        Variant("japanforward_jiji", "jf_jiji"),
        Variant("japanforward_analysis_byline", "jf_analysis"),
        Variant("sankei_ja", "sankei_ja"),
        Variant("sankei_ja_author", "sankei_ja_author"),
    ],
}


def _nippon_layout_changed(html: str) -> str:
    """nippon.com renamed its body container: the source selectors match nothing, generic takes over."""
    return html.replace('<div class="editArea">', '<div class="c-article__body">')


def _utm_canonical(html: str) -> str:
    """A canonical link carrying tracking parameters (seen on syndicated copies): identity ignores them."""
    return re.sub(
        r'(<link rel="canonical" href="[^"?]+)"', r'\1?utm_source=twitter&amp;utm_medium=social"', html
    )


def _ria_layout_changed(html: str) -> str:
    """ria.ru renamed its body container: the source selectors match nothing, generic takes over."""
    return html.replace('<div class="article__body">', '<div class="story-body">')


@dataclass(frozen=True)
class OutletVariant:
    """A fixture page of an outlet rendered by ``outlet_pages`` (outlets outside the sample corpus)."""

    name: str
    key: str
    transform: Callable[[str], str] | None = None


#: outlets added after the sample corpus; their pages come from ``outlet_pages``, not the sample site
OUTLET_VARIANTS: dict[str, list[OutletVariant]] = {
    "nippon": [
        OutletVariant("nippon_jiji", "nippon_jiji"),
        OutletVariant("nippon_kyodo_photo", "nippon_kyodo"),
        OutletVariant("nippon_jiji_no_jsonld", "nippon_jiji_update"),
        OutletVariant("nippon_kyodo_utm_canonical", "nippon_kyodo", _utm_canonical),
        OutletVariant("nippon_layout_changed", "nippon_jiji", _nippon_layout_changed),
    ],
    "mainichi": [
        OutletVariant("mainichi_en_original_byline", "mainichi_staff"),
        OutletVariant("mainichi_en_kyodo", "mainichi_kyodo"),
        OutletVariant("mainichi_en_editorial_ads", "mainichi_ads"),
        OutletVariant("mainichi_en_no_jsonld", "mainichi_kyodo", _no_jsonld),
        OutletVariant("mainichi_ja", "mainichi_ja"),
    ],
    "kremlin": [
        OutletVariant("kremlin_news_place", "kremlin_news"),
        OutletVariant("kremlin_transcript", "kremlin_transcript"),
        OutletVariant("kremlin_day_only", "kremlin_day_only"),
        OutletVariant("kremlin_ru", "kremlin_ru"),
        OutletVariant("kremlin_utm_url", "kremlin_news", _utm_canonical),
    ],
    "ria": [
        OutletVariant("ria_moscow_dateline", "ria_moscow"),
        OutletVariant("ria_tokyo_byline_photo_modified", "ria_tokyo"),
        OutletVariant("ria_quote_block", "ria_quote"),
        OutletVariant("ria_no_dateline_author", "ria_no_dateline"),
        OutletVariant("ria_layout_changed", "ria_moscow", _ria_layout_changed),
    ],
}


def stories() -> list[build.Story]:
    return [build.story_from_dict(raw, "make_fixtures") for raw in ENTRIES]


def jsonable(value: Any) -> Any:
    """``value`` as the golden JSON stores it (ISO dates, sorted keys); the fixture test compares with it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def page_for(variant: Variant, by_key: dict[str, build.Story], corpus: list[build.Story]) -> tuple[str, str]:
    """(URL, HTML) of one fixture page."""
    story = by_key[variant.key]
    if variant.design == "2019":
        return build.sputnik_2019_url(story), build.render_sputnik_2019(story, corpus)
    html = build.render_page(story, corpus)
    return story.url, variant.transform(html) if variant.transform else html


def make_page(url: str, html: str) -> Page:
    """The Page the fixtures are extracted from (the tests build the same)."""
    return Page(
        url=url,
        content=html.encode("utf-8"),
        text=html,
        fetched_at=FETCHED_AT,
        content_type="text/html; charset=utf-8",
    )


def main() -> int:
    corpus = stories()
    by_key = {s.key: s for s in corpus}
    if FIXTURES.exists():
        shutil.rmtree(FIXTURES)
    written = 0
    for source_id, variants in VARIANTS.items():
        connector = registry.get(source_id)
        folder = FIXTURES / source_id
        folder.mkdir(parents=True)
        same_source = [s for s in corpus if s.source == source_id]
        for variant in variants:
            url, html = page_for(variant, by_key, same_source)
            (folder / f"{variant.name}.html").write_text(html, encoding="utf-8")
            article = connector.extract(make_page(url, html))
            golden = {
                "url": url,
                "fetched_at": FETCHED_AT.isoformat(),
                "content_key": variant.key,
                "expected": jsonable(dict(article)),
            }
            (folder / f"{variant.name}.json").write_text(
                json.dumps(golden, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
            )
            written += 1
        feed_urls = [*build.FEEDS[source_id]] + ([build.SANKEI_NEWS_SITEMAP] if source_id == "sankei" else [])
        for feed_url in feed_urls:
            xml = build.render_feed(feed_url, same_source)
            name = "feed_" + re.sub(r"[^a-z0-9]+", "_", feed_url.split("://", 1)[1].lower()).strip("_")
            (folder / f"{name}.xml").write_text(xml, encoding="utf-8")
            entries = connector.parse_feed(xml.encode("utf-8"), feed_url)
            golden = {"feed_url": feed_url, "expected": jsonable([dict(e) for e in entries])}
            (folder / f"{name}.json").write_text(
                json.dumps(golden, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
            )
            written += 1
    written += write_outlets()
    print(f"wrote {written} fixtures under {FIXTURES}")
    return 0


def _write_golden(path: Path, golden: dict[str, Any]) -> None:
    path.write_text(json.dumps(golden, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def write_outlets() -> int:
    """Pages, feeds and golden JSON of the outlets in ``OUTLET_VARIANTS``; returns the files written."""
    written = 0
    for source_id, variants in OUTLET_VARIANTS.items():
        connector = registry.get(source_id)
        folder = FIXTURES / source_id
        folder.mkdir(parents=True)
        for variant in variants:
            story = outlet_pages.by_key(variant.key)
            html = outlet_pages.render_page(story)
            html = variant.transform(html) if variant.transform else html
            (folder / f"{variant.name}.html").write_text(html, encoding="utf-8")
            article = connector.extract(make_page(story.url, html))
            golden = {
                "url": story.url,
                "fetched_at": FETCHED_AT.isoformat(),
                "content_key": variant.key,
                "expected": jsonable(dict(article)),
            }
            _write_golden(folder / f"{variant.name}.json", golden)
            written += 1
        for feed_url in outlet_pages.FEEDS[source_id]:
            xml = outlet_pages.render_feed(feed_url)
            name = "feed_" + re.sub(r"[^a-z0-9]+", "_", feed_url.split("://", 1)[1].lower()).strip("_")
            (folder / f"{name}.xml").write_text(xml, encoding="utf-8")
            entries = connector.parse_feed(xml.encode("utf-8"), feed_url)
            _write_golden(
                folder / f"{name}.json",
                {"feed_url": feed_url, "expected": jsonable([dict(e) for e in entries])},
            )
            written += 1
    return written


if __name__ == "__main__":
    raise SystemExit(main())
