# ruff: noqa: E501  -- the story entries below are prose, kept one sentence per line
"""Fixture pages and feeds of the outlets added after the sample corpus: nippon.com (Kyodo, JIJI),
The Mainichi and the Kremlin.

The sample site (``pipeline.sample.build``) renders only the four outlets of the sample corpus, which
must stay as it is; these renderers follow the same idea for the newer outlets. Each page is modelled on
the site's structure as ``SOURCES.md`` and the saved Mainichi page show it, with the chrome a real page
carries around the story (navigation, share bars, photo captions, ads between paragraphs, "Most Read"
lists, related cards, footers), so that the fixtures test that a connector leaves it out.

``STORIES`` holds the true content of every page (the benchmark ``benchmarks/connectors_fixtures.py``
scores extraction against it); ``CHROME`` lists, per source, strings printed around the story that must
never reach a body. ``make_fixtures.py`` renders the pages, derives variants and writes golden JSON.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Story:
    """One article as written for the fixtures: the text a page is rendered from."""

    key: str
    source: str
    url: str
    title: str
    published: datetime  # aware
    paragraphs: tuple[str, ...]
    lead: str = ""
    section: str = ""
    authors: tuple[str, ...] = ()
    agency: str = ""
    dateline: str = ""  # as printed before the first paragraph, separator included
    language: str = "en"
    modified: datetime | None = None
    place: str = ""  # the Kremlin's "read__place"
    photo_caption: str = ""
    photo_credit: str = ""
    closing: str = ""  # a line printed after the story: "(Kyodo)", "(Japanese original by …)"
    quote: str = ""  # a paragraph printed as a quote block (RIA), one of ``paragraphs``
    flat: bool = False  # the Kremlin's plainer template: paragraphs directly in div.read__content
    jsonld: bool = True
    feed_url: str = ""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _jsonld(obj: dict[str, object]) -> str:
    return '<script type="application/ld+json">' + json.dumps(obj, ensure_ascii=False, indent=1) + "</script>"


def _local(when: datetime, zone: str) -> datetime:
    return when.astimezone(ZoneInfo(zone))


# --------------------------------------------------------------------------------------------------
# The stories (written for these fixtures; no text of a real article).

_NIPPON_FEED = "https://www.nippon.com/en/rss/news.xml"
_MAINICHI_FEED = "https://mainichi.jp/rss/etc/english_latest.rss"
_KREMLIN_FEED = "http://en.kremlin.ru/events/president/news/feed"
_RIA_FEED = "https://ria.ru/export/rss2/archive/index.xml"

STORIES: tuple[Story, ...] = (
    # -- nippon.com: JIJI Press and Kyodo copy --
    Story(
        key="nippon_jiji",
        source="nippon",
        url="https://www.nippon.com/en/news/yjj2023100600512/",
        title="Japan to Continue Salmon Fishing Talks with Russia",
        published=datetime(2023, 10, 6, 12, 10, tzinfo=ZoneInfo("Asia/Tokyo")),
        dateline="Tokyo, Oct. 6 (Jiji Press)--",
        agency="JIJI Press",
        section="Politics",
        paragraphs=(
            "Japan will hold its annual consultations with Russia on salmon and trout fishing as usual, Chief Cabinet Secretary said Friday.",
            "The talks decide the catch quotas for fish born in Russian rivers and caught in Japan's exclusive economic zone.",
            '"The consultations are important for the livelihoods of fishermen in Hokkaido," he told a press conference.',
        ),
        feed_url=_NIPPON_FEED,
    ),
    Story(
        key="nippon_kyodo",
        source="nippon",
        url="https://www.nippon.com/en/news/kd1062226567462/",
        title="Russia Holds Military Drills on Disputed Isles off Hokkaido",
        published=datetime(2023, 10, 7, 9, 30, tzinfo=ZoneInfo("Asia/Tokyo")),
        dateline="TOKYO - ",
        agency="Kyodo",
        section="World",
        photo_caption="A Russian naval vessel near Kunashiri Island.",
        photo_credit="Kyodo",
        paragraphs=(
            "Russia's military began exercises on two of the Russian-held islands off Hokkaido claimed by Japan, the Defense Ministry in Moscow said Saturday.",
            "More than 500 troops and artillery units are taking part in the drills on Etorofu and Kunashiri, according to the ministry.",
            "Tokyo lodged a protest through diplomatic channels, saying the drills were unacceptable.",
            "The four islands have been under Russian control since the end of World War II.",
        ),
        feed_url=_NIPPON_FEED,
    ),
    Story(
        key="nippon_jiji_update",
        source="nippon",
        url="https://www.nippon.com/en/news/yjj2023100500844/",
        title="Former Islanders Ask Government to Resume Grave Visits",
        published=datetime(2023, 10, 5, 18, 45, tzinfo=ZoneInfo("Asia/Tokyo")),
        modified=datetime(2023, 10, 5, 21, 5, tzinfo=ZoneInfo("Asia/Tokyo")),
        dateline="Nemuro, Hokkaido, Oct. 5 (Jiji Press)--",
        agency="JIJI Press",
        section="Society",
        paragraphs=(
            "A group of former residents of the Russian-held islands asked the government Thursday to press Moscow to allow visits to family graves.",
            "The visa-free exchanges were suspended after Russia's invasion of Ukraine in 2022.",
            "The average age of former islanders now exceeds 88.",
        ),
        jsonld=False,
        feed_url=_NIPPON_FEED,
    ),
    # -- The Mainichi (English edition, one Japanese page) --
    Story(
        key="mainichi_staff",
        source="mainichi",
        url="https://mainichi.jp/english/articles/20231006/p2a/00m/0na/012000c",
        title="Japan, Russia agree to hold fisheries talks despite strained ties",
        published=datetime(2023, 10, 6, 15, 20, tzinfo=ZoneInfo("Asia/Tokyo")),
        modified=datetime(2023, 10, 6, 16, 2, tzinfo=ZoneInfo("Asia/Tokyo")),
        section="Japan",
        dateline="TOKYO -- ",
        authors=("Taro Yamada",),
        closing="(Japanese original by Taro Yamada, Political News Department)",
        photo_caption="Fishing boats are seen moored at Nemuro port in Hokkaido.",
        photo_credit="Mainichi/Hanako Sato",
        paragraphs=(
            "The Japanese and Russian governments have agreed to hold this year's consultations on salmon and trout fishing, officials said.",
            "Relations between the two countries have cooled sharply since 2022, but fisheries talks have continued as a practical matter.",
            "A senior Fisheries Agency official said the negotiations would be held online to avoid delays.",
        ),
        feed_url=_MAINICHI_FEED,
    ),
    Story(
        key="mainichi_kyodo",
        source="mainichi",
        url="https://mainichi.jp/english/articles/20231007/p2g/00m/0in/004000c",
        title="Russia's top diplomat says Japan's sanctions rule out peace treaty talks",
        published=datetime(2023, 10, 7, 10, 5, tzinfo=ZoneInfo("Asia/Tokyo")),
        section="World",
        agency="Kyodo",
        dateline="MOSCOW (Kyodo) -- ",
        closing="(Kyodo)",
        paragraphs=(
            "Russia's foreign minister said Saturday that talks on a peace treaty with Japan are impossible while Tokyo keeps its sanctions in place.",
            "He accused Japan of following an unfriendly course set by Washington.",
            "Japan and Russia have never signed a peace treaty because of the territorial dispute.",
        ),
        feed_url=_MAINICHI_FEED,
    ),
    Story(
        key="mainichi_ads",
        source="mainichi",
        url="https://mainichi.jp/english/articles/20231005/p2a/00m/0op/021000c",
        title="Editorial: Japan must not let Northern Territories issue fade away",
        published=datetime(2023, 10, 5, 5, 0, tzinfo=ZoneInfo("Asia/Tokyo")),
        section="Opinion",
        paragraphs=(
            "The dispute over the Northern Territories off Hokkaido has been frozen since Russia invaded Ukraine.",
            "Former islanders are growing old, and their wish to visit their home islands is becoming harder to fulfill.",
            "The government should keep the issue alive through dialogue with its partners and by recording the memories of former residents.",
            "It is also important to pass on the history of the islands to younger generations.",
            "A solution will take time, but giving up is not an option.",
        ),
        closing="(Japanese original by Jiro Suzuki and Ichiro Ito, Editorial Writers)",
        feed_url=_MAINICHI_FEED,
    ),
    Story(
        key="mainichi_ja",
        source="mainichi",
        url="https://mainichi.jp/articles/20231006/k00/00m/010/123000c",
        title="日露サケ・マス交渉、例年通り実施へ\u3000官房長官",
        published=datetime(2023, 10, 6, 11, 40, tzinfo=ZoneInfo("Asia/Tokyo")),
        section="政治",
        language="ja",
        authors=("山本一郎",),
        paragraphs=(
            "官房長官は６日の記者会見で、ロシアとのサケ・マス漁業交渉を例年通り実施する考えを示した。",
            "交渉は北海道の漁業者の生活にかかわるとして、実務的に進める方針だ。",
        ),
        feed_url="",
    ),
    # -- The Kremlin --
    Story(
        key="kremlin_news",
        source="kremlin",
        url="http://en.kremlin.ru/events/president/news/72450",
        title="Meeting with permanent members of the Security Council",
        published=datetime(2023, 10, 6, 15, 0, tzinfo=ZoneInfo("Europe/Moscow")),
        place="The Kremlin, Moscow",
        lead="Vladimir Putin held a briefing session with permanent members of the Security Council.",
        section="News",
        paragraphs=(
            "The main item on the agenda was the situation in the Asia-Pacific region.",
            "The participants also discussed current domestic issues.",
        ),
        feed_url=_KREMLIN_FEED,
    ),
    Story(
        key="kremlin_transcript",
        source="kremlin",
        url="http://en.kremlin.ru/events/president/transcripts/72444",
        title="Valdai Discussion Club plenary session",
        published=datetime(2023, 10, 5, 17, 45, tzinfo=ZoneInfo("Europe/Moscow")),
        place="Sochi",
        lead="Vladimir Putin took part in the plenary session of the Valdai International Discussion Club.",
        section="Transcripts",
        paragraphs=(
            "Moderator: Good afternoon. Let us begin.",
            "Vladimir Putin: Good afternoon, colleagues, ladies and gentlemen.",
            "We are ready to talk with Japan if Tokyo is ready for it, but the sanctions make this difficult.",
            "Moderator: Thank you. Next question, please.",
        ),
        feed_url=_KREMLIN_FEED,
    ),
    Story(
        key="kremlin_day_only",
        source="kremlin",
        flat=True,
        url="http://en.kremlin.ru/events/president/news/72431",
        title="Telephone conversation with the President of Kazakhstan",
        published=datetime(2023, 10, 4, 0, 0, tzinfo=ZoneInfo("Europe/Moscow")),
        section="News",
        paragraphs=(
            "Vladimir Putin had a telephone conversation with the President of Kazakhstan.",
            "The leaders discussed the agenda of the upcoming visit and matters of trade and energy cooperation.",
        ),
        feed_url=_KREMLIN_FEED,
    ),
    Story(
        key="kremlin_ru",
        source="kremlin",
        url="http://kremlin.ru/events/president/news/72450",
        title="Совещание с постоянными членами Совета Безопасности",
        published=datetime(2023, 10, 6, 15, 0, tzinfo=ZoneInfo("Europe/Moscow")),
        place="Москва, Кремль",
        lead="Владимир Путин провёл оперативное совещание с постоянными членами Совета Безопасности.",
        section="Новости",
        language="ru",
        paragraphs=(
            "Основной темой обсуждения стала ситуация в Азиатско-Тихоокеанском регионе.",
            "Участники совещания также обсудили ряд текущих вопросов внутренней повестки.",
        ),
        feed_url="",
    ),
    # -- RIA Novosti (the Sputnik platform, in Russian) --
    Story(
        key="ria_moscow",
        source="ria",
        url="https://ria.ru/20231006/yaponiya-1900123456.html",
        title="В МИД России оценили новые санкции Японии",
        published=datetime(2023, 10, 6, 12, 15, tzinfo=ZoneInfo("Europe/Moscow")),
        dateline="МОСКВА, 6 окт — РИА Новости. ",
        agency="RIA Novosti",
        section="Политика",
        lead="Официальный представитель МИД назвала новые ограничения Токио недружественным шагом.",
        paragraphs=(
            "Новые ограничения, объявленные японским правительством, вредят прежде всего самой Японии, заявила официальный представитель МИД России.",
            "По ее словам, Москва ответит на эти меры взвешенно и с учетом собственных интересов.",
            "Япония присоединилась к санкциям западных стран в 2022 году.",
        ),
        feed_url=_RIA_FEED,
    ),
    Story(
        key="ria_tokyo",
        source="ria",
        url="https://ria.ru/20231007/kurily-1900124567.html",
        title="Япония выразила протест из-за учений на Курилах",
        published=datetime(2023, 10, 7, 9, 40, tzinfo=ZoneInfo("Europe/Moscow")),
        modified=datetime(2023, 10, 7, 11, 5, tzinfo=ZoneInfo("Europe/Moscow")),
        dateline="ТОКИО, 7 окт — РИА Новости, Иван Петров. ",
        agency="RIA Novosti",
        section="В мире",
        photo_caption="Остров Кунашир",
        photo_credit="РИА Новости / Сергей Иванов",
        paragraphs=(
            "Правительство Японии направило России протест в связи с военными учениями на Южных Курилах, сообщили в японском МИД.",
            "В Токио считают острова своими и называют их Северными территориями.",
            "Российская сторона заявляла, что учения проходят в плановом режиме.",
        ),
        feed_url=_RIA_FEED,
    ),
    Story(
        key="ria_quote",
        source="ria",
        url="https://ria.ru/20231005/peskov-1900120001.html",
        title="Песков прокомментировал заявление японского премьера",
        published=datetime(2023, 10, 5, 14, 0, tzinfo=ZoneInfo("Europe/Moscow")),
        dateline="МОСКВА, 5 окт — РИА Новости. ",
        agency="RIA Novosti",
        section="Политика",
        quote="Мы открыты для диалога, но не на условиях ультиматумов",
        paragraphs=(
            "Пресс-секретарь президента России прокомментировал слова премьер-министра Японии о мирном договоре.",
            "Мы открыты для диалога, но не на условиях ультиматумов",
            "Он добавил, что контакты на рабочем уровне сохраняются.",
        ),
        feed_url=_RIA_FEED,
    ),
    Story(
        key="ria_no_dateline",
        source="ria",
        url="https://ria.ru/20231004/ekonomika-1900119000.html",
        title="Японские компании сохранят доли в проектах на Сахалине",
        published=datetime(2023, 10, 4, 18, 30, tzinfo=ZoneInfo("Europe/Moscow")),
        section="Экономика",
        authors=("Мария Смирнова",),
        paragraphs=(
            "Японские торговые дома пока не намерены выходить из нефтегазовых проектов на Сахалине.",
            "Эксперты объясняют это значением поставок сжиженного газа для энергосистемы страны.",
            "Решение будет пересмотрено при продлении долгосрочных контрактов.",
        ),
        feed_url=_RIA_FEED,
    ),
)

#: strings printed around the story on each outlet's pages; none may appear in an extracted body
CHROME: dict[str, tuple[str, ...]] = {
    "nippon": (
        "Copyright The Jiji Press",
        "Kyodo News",
        "Related News",
        "Most Read",
        "Share",
        "Nippon Communications Foundation",
        "A Russian naval vessel",
    ),
    "mainichi": (
        "Japanese original by",
        "Advertisement",
        "Most Read",
        "Fishing boats are seen moored",
        "Mainichi/Hanako Sato",
        "Click here for the Japanese original",
        "THE MAINICHI NEWSPAPERS",
    ),
    "kremlin": (
        "Publication date",
        "Text version",
        "Send to e-mail",
        "Topics",
        "Persons",
        "President of Russia",
        "Дата публикации",
    ),
    "ria": (
        "Лента новостей",
        "Подписаться",
        "Читайте также",
        "Чтобы участвовать в дискуссии",
        "Заголовок открываемого материала",
        "Остров Кунашир",
        "РИА Новости / Сергей Иванов",
        "© МИА «Россия сегодня»",
    ),
}


def stories_of(source: str) -> list[Story]:
    return [s for s in STORIES if s.source == source]


def by_key(key: str) -> Story:
    for story in STORIES:
        if story.key == key:
            return story
    raise KeyError(f"no fixture story {key!r}")


# --------------------------------------------------------------------------------------------------
# nippon.com


def render_nippon(story: Story, others: Sequence[Story] = ()) -> str:
    local = _local(story.published, "Asia/Tokyo")
    paragraphs = list(story.paragraphs)
    paragraphs[0] = story.dateline + paragraphs[0]
    credit = "[Copyright The Jiji Press, Ltd.]" if story.agency == "JIJI Press" else "[© Kyodo News]"
    figure = (
        f'<figure class="c-photo"><img src="https://www.nippon.com/en/ncommon/contents/news/{story.key}.jpg" alt="">'
        f"<figcaption>{_e(story.photo_caption)} ({_e(story.photo_credit)})</figcaption></figure>"
        if story.photo_caption
        else ""
    )
    body = "".join(f"<p>{_e(p)}</p>" for p in paragraphs[:1]) + figure
    body += "".join(f"<p>{_e(p)}</p>" for p in paragraphs[1:])
    related = "".join(
        f'<li><a href="{_e(o.url)}">{_e(o.title)}</a></li>' for o in others if o.key != story.key
    )
    ld = (
        _jsonld(
            {
                "@context": "https://schema.org",
                "@type": "NewsArticle",
                "headline": story.title,
                "datePublished": local.isoformat(),
                **(
                    {"dateModified": _local(story.modified, "Asia/Tokyo").isoformat()}
                    if story.modified
                    else {}
                ),
                "publisher": {"@type": "Organization", "name": "Nippon.com"},
                "mainEntityOfPage": story.url,
            }
        )
        if story.jsonld
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{_e(story.title)} | Nippon.com</title>
<link rel="canonical" href="{_e(story.url)}">
<meta property="og:title" content="{_e(story.title)}">
<meta property="og:site_name" content="nippon.com">
{ld}
</head><body class="p-news">
<header class="l-header"><a href="/en/">nippon.com</a><nav><ul><li><a href="/en/news/">News</a></li><li><a href="/en/japan-topics/">Japan Topics</a></li></ul></nav></header>
<main class="l-main">
<ol class="c-breadcrumb"><li><a href="/en/">Home</a></li><li><a href="/en/news/">News</a></li><li><a href="/en/news/?category={_e(story.section.lower())}">{_e(story.section)}</a></li></ol>
<article class="c-article">
<div class="c-article__head"><span class="c-article__category">{_e(story.section)}</span>
<h1>{_e(story.title)}</h1>
<div class="c-article__date"><time datetime="{local.isoformat()}">{local:%b %d, %Y} ({local:%H:%M} JST)</time></div></div>
<div class="c-share"><span>Share</span><a href="#">X</a><a href="#">Facebook</a><a href="#">LINE</a></div>
<div class="editArea">{body}<p class="copyright">{credit}</p></div>
<div class="c-tags">Tags: Russia, Japan, diplomacy</div>
</article>
<section class="c-related"><h2>Related News</h2><ul>{related}</ul></section>
</main>
<aside class="l-side"><h2>Most Read</h2><ol><li><a href="/en/news/yjj2023100400001/">Nikkei Average Rises</a></li></ol></aside>
<footer class="l-footer"><p>© Nippon Communications Foundation</p></footer>
</body></html>
"""


# --------------------------------------------------------------------------------------------------
# The Mainichi (the CMS of the saved Japanese page, in English or Japanese)


def render_mainichi(story: Story, others: Sequence[Story] = ()) -> str:
    local = _local(story.published, "Asia/Tokyo")
    english = story.language == "en"
    site = "The Mainichi" if english else "毎日新聞"
    blocks: list[str] = []
    for i, paragraph in enumerate(story.paragraphs):
        paragraph = (story.dateline + paragraph) if i == 0 else paragraph
        # the Japanese edition indents each paragraph with an ideographic space
        blocks.append(f"<p>{'' if english else chr(0x3000)}{_e(paragraph)}</p>")
        if i == 0 and story.photo_caption:
            blocks.append(
                '<div class="articledetail-image-left"><figure><div class="articledetail-body-image-inner">'
                f'<img src="https://cdn.mainichi.jp/vol1/{story.key}.jpg" alt="{_e(story.photo_caption)}"></div>'
                f"<figcaption>{_e(story.photo_caption)} (<span>{_e(story.photo_credit)}</span>)</figcaption>"
                "</figure></div>"
            )
        if i % 2 == 1 and i < len(story.paragraphs) - 1:
            blocks.append(
                '<aside class="ad-articledetail-1"><span class="ad-article-text">Advertisement</span>'
                "<div id='ad-pc-article-infeed'><script>googletag.cmd.push(function(){});</script></div></aside>"
            )
    if story.closing:
        blocks.append(f"<p>{_e(story.closing)}</p>")
    if english and story.authors:
        blocks.append('<p class="original-link"><a href="#">Click here for the Japanese original</a></p>')
    authors = "".join(
        f'<a href="//mainichi.jp/reporter/{i}/" class="articletag-author">{_e(a)}</a>'
        for i, a in enumerate(story.authors)
    )
    ld_obj: dict[str, object] = {
        "@context": "http://schema.org/",
        "@type": "NewsArticle",
        "url": story.url,
        "headline": f"{story.title} - {site}",
        "description": story.paragraphs[0][:60],
        # the Mainichi's offsets have no colon: "2025-01-14T21:17:27+0900"
        "datePublished": local.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "publisher": {"@type": "Organization", "name": site, "url": "https://mainichi.jp"},
        "author": {"@type": "Organization", "name": site, "url": "https://mainichi.jp"},
        "articleSection": [story.section],
    }
    if story.modified:
        ld_obj["dateModified"] = _local(story.modified, "Asia/Tokyo").strftime("%Y-%m-%dT%H:%M:%S%z")
    ranking = "".join(
        f'<li><a href="{_e(o.url)}"><h3 class="siderankinglist-title">{_e(o.title)}</h3></a></li>'
        for o in others
        if o.key != story.key
    )
    stamp = (
        f"{local:%B} {local.day}, {local.year} (Mainichi Japan)" if english else f"{local:%Y/%-m/%-d %H:%M}"
    )
    return f"""<!DOCTYPE html>
<html lang="{story.language}"><head><meta charset="UTF-8">
<title>{_e(story.title)} - {site}</title>
<meta property="og:title" content="{_e(story.title)} | {site}">
<meta property="og:site_name" content="{site}">
<meta name="cXenseParse:author" content="{_e(",".join(story.authors))}">
<link rel="canonical" href="{_e(story.url)}">
{_jsonld(ld_obj)}
</head><body>
<header class="header"><a href="https://mainichi.jp/english/">{site}</a><nav><ul><li><a href="/english/japan/">Japan</a></li><li><a href="/english/world/">World</a></li><li><a href="/english/opinion/">Opinion</a></li></ul></nav></header>
<div class="main-contents">
<div class="articledetail-head" id="articledetail-title">
<h1 class="title-page">{_e(story.title)}</h1>
<div class="articletag mb-15">{authors}<ul class="articledetail-head-category-list"><li><a href="//mainichi.jp/english/{_e(story.section.lower())}/">{_e(story.section)}</a></li></ul></div>
<div class="articletag mb-15"><span class="articletag-date is-articledetail">{_e(stamp)}</span></div>
</div>
<div class="articledetail">
<div class="articletool"><ul><li class="tool-x"><a href="#">X</a></li><li class="tool-link"><a href="#">Link</a></li><li class="tool-print"><a href="#">Print</a></li></ul></div>
<section class="articledetail-body" id="articledetail-body">
{"".join(blocks)}
</section>
</div>
<div class="siderankinglist-box"><h2>Most Read</h2><ul class="siderankinglist">{ranking}</ul></div>
</div>
<footer class="footer"><p>Copyright THE MAINICHI NEWSPAPERS. All rights reserved.</p></footer>
</body></html>
"""


# --------------------------------------------------------------------------------------------------
# The Kremlin


def render_kremlin(story: Story, others: Sequence[Story] = ()) -> str:
    local = _local(story.published, "Europe/Moscow")
    english = story.language == "en"
    site = "President of Russia" if english else "Президент России"
    has_clock = (local.hour, local.minute) != (0, 0)
    day = f"{local:%B} {local.day}, {local.year}" if english else f"{local.day}.{local:%m}.{local.year}"
    clock = f'<div class="read__time">{local:%H:%M}</div>' if has_clock else ""
    place = f'<div class="read__place p-location">{_e(story.place)}</div>' if story.place else ""
    lead = (
        f'<div class="read__lead entry-summary p-summary"><p>{_e(story.lead)}</p></div>' if story.lead else ""
    )
    paragraphs = []
    for paragraph in story.paragraphs:
        speaker, sep, rest = paragraph.partition(": ")
        # transcripts print each speaker in bold: <p><b>Vladimir Putin:</b> Good afternoon…</p>
        if sep and len(speaker.split()) <= 3 and speaker[:1].isupper():
            paragraphs.append(f"<p><b>{_e(speaker)}:</b> {_e(rest)}</p>")
        else:
            paragraphs.append(f"<p>{_e(paragraph)}</p>")
    labels = (
        ("Publication date", "Text version", "Send to e-mail", "Print version", "Topics", "Persons")
        if english
        else (
            "Дата публикации",
            "Текстовая версия",
            "Отправить на почту",
            "Версия для печати",
            "Темы",
            "Персоны",
        )
    )
    bottom = (
        f'<div class="read__bottommeta"><p>{labels[0]}: {_e(day)}, {local:%H:%M}</p>'
        f'<ul><li><a href="#">{labels[1]}</a></li><li><a href="#">{labels[2]}</a></li><li><a href="#">{labels[3]}</a></li></ul>'
        f'<div class="read__tags"><p>{labels[4]}: Foreign policy</p><p>{labels[5]}: Putin Vladimir</p></div></div>'
    )
    more = "".join(f'<li><a href="{_e(o.url)}">{_e(o.title)}</a></li>' for o in others if o.key != story.key)
    if story.flat:
        content = f'{lead}<div class="read__content">{"".join(paragraphs)}</div>'
    else:
        content = (
            f'<div class="read__content">{lead}<div class="entry-content e-content read__internal_content"'
            f' itemprop="articleBody">{"".join(paragraphs)}</div></div>'
        )
    return f"""<!DOCTYPE html>
<html lang="{story.language}" class="no-js"><head><meta charset="utf-8">
<title>{_e(story.title)} • {site}</title>
<meta property="og:title" content="{_e(story.title)}">
<meta property="og:site_name" content="{site}">
<meta name="description" content="{_e(story.lead or story.paragraphs[0])}">
</head><body>
<header class="header"><a class="logo" href="/">{site}</a><nav class="nav"><a href="/events/president/news">{"News" if english else "Новости"}</a></nav></header>
<div class="read" id="main">
<div class="read__top">
<h1 class="entry-title p-name">{_e(story.title)}</h1>
<div class="read__meta"><time class="read__published" datetime="{local:%Y-%m-%d}">{_e(day)}</time>{clock}{place}</div>
</div>
{content}
{bottom}
</div>
<aside class="read__more"><ul>{more}</ul></aside>
<footer class="footer"><p>{site}</p></footer>
</body></html>
"""


# --------------------------------------------------------------------------------------------------
# RIA Novosti (the Sputnik platform's ``article__`` design, Russian UI)


def render_ria(story: Story, others: Sequence[Story] = ()) -> str:
    local = _local(story.published, "Europe/Moscow")
    stamp = int(story.published.timestamp())
    blocks: list[str] = []
    for i, paragraph in enumerate(story.paragraphs):
        text = (story.dateline + paragraph) if i == 0 else paragraph
        if story.quote and paragraph == story.quote:
            blocks.append(
                '<div class="article__block" data-type="quote"><div class="article__quote">'
                f'<div class="article__quote-text">{_e(text)}</div></div></div>'
            )
        else:
            blocks.append(
                f'<div class="article__block" data-type="text"><div class="article__text">{_e(text)}</div></div>'
            )
        related = [o for o in others if o.key != story.key]
        if i == 0 and related:
            # a related card between text blocks, with its own data-unixtime: not the story's date
            other = related[0]
            blocks.append(
                '<div class="article__block" data-type="article"><div class="article__article">'
                f'<a class="article__article-title" href="{_e(other.url)}">Читайте также: {_e(other.title)}</a>'
                f'<div class="article__article-info"><span data-unixtime="{int(other.published.timestamp())}">'
                "</span></div></div></div>"
            )
    photo = (
        f'<div class="article__announce"><div class="photoview"><img alt="{_e(story.photo_caption)}" src="/i.jpg">'
        f'<div class="media__copyright">© {_e(story.photo_credit)}</div>'
        f'<div class="media__caption">{_e(story.photo_caption)}</div></div></div>'
        if story.photo_caption
        else ""
    )
    modified = (
        f'<div class="article__info-date-modified">обновлено: <span data-unixtime="{int(story.modified.timestamp())}">'
        f"{_local(story.modified, 'Europe/Moscow'):%H:%M %d.%m.%Y}</span></div>"
        if story.modified
        else ""
    )
    authors = "".join(f'<a class="article__author-name" href="/author/">{_e(a)}</a>' for a in story.authors)
    og_title = f"{story.title} - РИА Новости, {local:%d.%m.%Y}"
    ld = _jsonld(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": story.title,
            "datePublished": local.isoformat(),
            **(
                {"dateModified": _local(story.modified, "Europe/Moscow").isoformat()}
                if story.modified
                else {}
            ),
            "author": [{"@type": "Person", "name": a} for a in story.authors]
            or {"@type": "Organization", "name": "РИА Новости"},
            "publisher": {"@type": "Organization", "name": "РИА Новости"},
            "mainEntityOfPage": {"@type": "WebPage", "@id": story.url},
        }
    )
    lead = f'<div class="article__second-title">{_e(story.lead)}</div>' if story.lead else ""
    return f"""<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8">
<title>{_e(og_title)}</title>
<meta property="og:title" content="{_e(og_title)}">
<meta property="og:site_name" content="РИА Новости">
<link rel="canonical" href="{_e(story.url)}">
{ld}
</head><body>
<div class="header"><a class="header__logo" href="/">РИА Новости</a><a href="/subscribe/">Подписаться</a></div>
<div class="layout"><div class="article m-article">
<div class="article__header">
<div class="article__info"><div class="article__info-date"><a href="/{local:%Y%m%d}/" data-unixtime="{stamp}">{local:%H:%M %d.%m.%Y}</a></div>{modified}</div>
<h1 class="article__title">{_e(story.title)}</h1>
{lead}
{photo}
<div class="article__authors">{authors}</div>
</div>
<div class="article__body">
{"".join(blocks)}
</div>
<div class="article__tags"><a class="tag" href="/politics/"><span class="tag__text">{_e(story.section)}</span></a></div>
<div class="comments"><div class="comments__ru">Чтобы участвовать в дискуссии, авторизуйтесь или зарегистрируйтесь</div></div>
</div>
<div class="newsfeed"><div class="newsfeed__title">Лента новостей</div></div>
</div>
<div class="footer">© МИА «Россия сегодня»</div>
</body></html>
"""


RENDERERS = {
    "nippon": render_nippon,
    "mainichi": render_mainichi,
    "kremlin": render_kremlin,
    "ria": render_ria,
}


def render_page(story: Story) -> str:
    """The HTML page of ``story``, its same-source siblings as related links."""
    return RENDERERS[story.source](story, stories_of(story.source))


# --------------------------------------------------------------------------------------------------
# Feeds


def _rfc822(when: datetime) -> str:
    return format_datetime(when)


def render_feed(feed_url: str) -> str:
    """The feed at ``feed_url`` listing the stories that name it (RSS 2.0; Atom for the Kremlin)."""
    listed = sorted((s for s in STORIES if s.feed_url == feed_url), key=lambda s: -s.published.timestamp())
    if not listed:
        raise KeyError(f"no fixture story lists {feed_url}")
    if feed_url == _KREMLIN_FEED:
        entries = "".join(
            f'<entry><title>{_e(s.title)}</title><link href="{_e(s.url)}"/>'
            f"<id>{_e(s.url)}</id><updated>{_local(s.published, 'Europe/Moscow').isoformat()}</updated>"
            f'<summary type="html">{_e(s.lead)}</summary></entry>\n'
            for s in listed
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">\n'
            f"<title>President of Russia</title><id>{feed_url}</id>"
            f'<link href="{feed_url}" rel="self"/><updated>{listed[0].published.isoformat()}</updated>\n'
            + entries
            + "</feed>\n"
        )
    title = {"nippon": "nippon.com News", "mainichi": "The Mainichi", "ria": "РИА Новости"}[listed[0].source]
    items = "".join(
        f"<item><title>{_e(s.title)}</title>"
        # feeds tag their links for analytics; the connector must strip this
        f"<link>{_e(s.url)}?utm_source=rss&amp;utm_medium=feed</link>"
        f'<guid isPermaLink="true">{_e(s.url)}</guid>'
        f"<pubDate>{_rfc822(s.published.astimezone(UTC))}</pubDate>"
        f"<description>{_e(s.paragraphs[0][:80])}</description></item>\n"
        for s in listed
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">\n<channel>\n'
        f"<title>{title}</title><link>{feed_url}</link><description>{title}</description><language>en</language>\n"
        + items
        + "</channel>\n</rss>\n"
    )


FEEDS: dict[str, tuple[str, ...]] = {
    "nippon": (_NIPPON_FEED,),
    "mainichi": (_MAINICHI_FEED,),
    "kremlin": (_KREMLIN_FEED,),
    "ria": (_RIA_FEED,),
}
