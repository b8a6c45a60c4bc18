"""Validate the sample-corpus content files in ``pipeline/sample/content/``.

The site renderers turn these TOML entries into HTML, feeds and sitemaps, and the tagger and dedup
tests use the expectations they carry, so a malformed entry must fail here rather than surface as a
confusing rendering or tagging failure later. Three groups of checks:

* the schema of every entry (keys, types, ids per host, ISO dates with offsets, allowed feeds);
* the consistency of the expectations (``expect_mentions`` really occur in the text, traps really
  appear in the negatives, republished copies really match their originals);
* the special cases the corpus promises (two section feeds, the JIJI pair, the edited re-publication,
  the negatives and their traps, the Russian and Japanese articles, edition 2).
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

CONTENT_DIR = Path(__file__).resolve().parents[2] / "pipeline" / "sample" / "content"
EDITION_ONE_FILES = ("tass.toml", "sputnik.toml", "arabnews.toml", "sankei.toml")
UPDATES_FILE = "updates.toml"

REQUIRED: dict[str, type] = {
    "key": str,
    "source": str,
    "host": str,
    "id": str,
    "section": str,
    "slug": str,
    "language": str,
    "title": str,
    "kicker": str,
    "lead": str,
    "published": str,
    "modified": str,
    "dateline": str,
    "agency": str,
    "authors": list,
    "photo_caption": str,
    "photo_credit": str,
    "body": str,
    "feeds": list,
    "feed_link_query": str,
    "about_japan_russia": bool,
    "expect_mentions": list,
    "republished_from": str,
    "note": str,
}
OPTIONAL: dict[str, type] = {
    "alt_section": str,
    "alt_feed": str,
    "expect_no_entities": list,
    "version_of": str,
    "edition": int,
}

HOSTS_BY_SOURCE = {
    "tass": {"tass.com", "tass.ru"},
    "sputnik": {"sputnikglobe.com"},
    "arabnews": {"www.arabnews.com"},
    "sankei": {"japan-forward.com", "www.sankei.com"},
}
LANGUAGE_BY_HOST = {
    "tass.com": "en",
    "tass.ru": "ru",
    "sputnikglobe.com": "en",
    "www.arabnews.com": "en",
    "japan-forward.com": "en",
    "www.sankei.com": "ja",
}
# The site's own id as it appears in its URLs (see the format contract).
ID_PATTERN_BY_HOST = {
    "tass.com": re.compile(r"[1-9]\d{6}"),
    "tass.ru": re.compile(r"[1-9]\d{7}"),
    "sputnikglobe.com": re.compile(r"1\d{9}"),
    "www.arabnews.com": re.compile(r"[1-9]\d{6}"),
    "japan-forward.com": re.compile(r"[1-9]\d{4,6}"),
    "www.sankei.com": re.compile(r"[A-Z0-9]{26}"),
}
FEEDS_BY_HOST = {
    "tass.com": {
        "https://tass.com/rss/v2.xml",
        "https://tass.com/rss/politics.xml",
        "https://tass.com/rss/world.xml",
    },
    "tass.ru": {"https://tass.ru/rss/v2.xml"},
    "sputnikglobe.com": {
        "https://sputnikglobe.com/export/rss2/archive/index.xml",
        "https://sputnikglobe.com/export/rss2/world/index.xml",
    },
    "www.arabnews.com": {"https://www.arabnews.com/rss.xml", "https://www.arabnews.com/cat/4/rss.xml"},
    "japan-forward.com": {"https://japan-forward.com/feed/"},
    "www.sankei.com": {"https://www.sankei.com/feeds/sitemapindex-category/?outputType=xml"},
}
# A TASS section feed lists only stories of its section (or of their alternative section).
TASS_SECTION_FEEDS = {
    "https://tass.com/rss/politics.xml": "politics",
    "https://tass.com/rss/world.xml": "world",
}
SLUG_HOSTS = {"sputnikglobe.com", "www.arabnews.com", "japan-forward.com"}
KICKERS = {"EDITORIAL", "ANALYSIS", "INTERVIEW", "OPINION", "COMMENTARY"}
AGENCIES = {"", "JIJI Press", "Kyodo", "AFP", "Reuters", "RIA Novosti"}
SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
ISO_WITH_OFFSET_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}")
PARAGRAPH_RANGE = range(3, 10)  # 3 to 9 paragraphs
EARLIEST_YEAR, LATEST_YEAR = 2022, 2026


def _load(name: str) -> list[dict[str, Any]]:
    path = CONTENT_DIR / name
    if not path.is_file():
        pytest.fail(f"missing content file {path}")
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    if set(data) != {"article"}:
        pytest.fail(f"{name}: top level must hold only [[article]] tables, found {sorted(data)}")
    return [dict(entry, _file=name) for entry in data["article"]]


EDITION_ONE: list[dict[str, Any]] = [a for name in EDITION_ONE_FILES for a in _load(name)]
UPDATES: list[dict[str, Any]] = _load(UPDATES_FILE)
ALL: list[dict[str, Any]] = EDITION_ONE + UPDATES
BY_KEY: dict[str, dict[str, Any]] = {a["key"]: a for a in ALL if isinstance(a.get("key"), str)}


def paragraphs(body: str) -> list[str]:
    """Split a body into its paragraphs (blank-line separated), without surrounding whitespace."""
    return [p.strip() for p in re.split(r"\n\s*\n", body.strip()) if p.strip()]


def text_of(article: dict[str, Any]) -> str:
    """The text a tagger sees: title and body."""
    return article["title"] + "\n" + article["body"]


def parse_time(value: str) -> datetime:
    """Parse an ISO 8601 timestamp that must carry an explicit UTC offset."""
    assert ISO_WITH_OFFSET_RE.fullmatch(value), f"not ISO 8601 with offset: {value!r}"
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None
    return parsed


def by_id(articles: list[dict[str, Any]]) -> list[Any]:
    return [pytest.param(a, id=str(a.get("key", "?"))) for a in articles]


# -- schema of every entry -------------------------------------------------------------------------


@pytest.mark.parametrize("article", by_id(ALL))
def test_keys_and_types(article: dict[str, Any]) -> None:
    keys = set(article) - {"_file"}
    missing = set(REQUIRED) - keys
    unknown = keys - set(REQUIRED) - set(OPTIONAL)
    assert not missing, f"missing keys {sorted(missing)}"
    assert not unknown, f"unknown keys {sorted(unknown)} (typo?)"
    for name, kind in {**REQUIRED, **OPTIONAL}.items():
        if name in article:
            assert type(article[name]) is kind, f"{name} must be {kind.__name__}"
    for name in ("authors", "feeds", "expect_mentions", "expect_no_entities"):
        assert all(isinstance(v, str) and v.strip() for v in article.get(name, [])), name
    for name in ("key", "id", "section", "title", "lead", "body", "note"):
        assert article[name].strip(), f"{name} is empty"


@pytest.mark.parametrize("article", by_id(ALL))
def test_source_host_language_and_id(article: dict[str, Any]) -> None:
    host = article["host"]
    assert host in HOSTS_BY_SOURCE.get(article["source"], set()), (
        f"{host} is not a host of {article['source']}"
    )
    assert article["language"] == LANGUAGE_BY_HOST[host]
    assert ID_PATTERN_BY_HOST[host].fullmatch(article["id"]), f"bad id {article['id']!r} for {host}"
    assert SLUG_RE.fullmatch(article["section"]), article["section"]
    if host in SLUG_HOSTS:
        assert SLUG_RE.fullmatch(article["slug"]), f"{host} needs a URL slug, got {article['slug']!r}"
    assert article["agency"] in AGENCIES
    if article["kicker"]:
        assert host == "japan-forward.com", "kickers are a Japan Forward convention"
        assert article["kicker"] in KICKERS
        assert not article["title"].upper().startswith(article["kicker"]), "the renderer adds the kicker"


@pytest.mark.parametrize("article", by_id(ALL))
def test_dates_have_offsets_and_plausible_years(article: dict[str, Any]) -> None:
    published = parse_time(article["published"])
    assert EARLIEST_YEAR <= published.year <= LATEST_YEAR
    if article["modified"]:
        modified = parse_time(article["modified"])
        assert modified > published, "modified must come after published"


@pytest.mark.parametrize("article", by_id(ALL))
def test_feeds_are_allowed_for_the_host(article: dict[str, Any]) -> None:
    feeds = article["feeds"]
    assert feeds, "an article must be listed in at least one feed"
    assert len(set(feeds)) == len(feeds), "duplicate feed"
    assert set(feeds) <= FEEDS_BY_HOST[article["host"]], f"feeds not allowed for {article['host']}"
    sections = {article["section"], article.get("alt_section", article["section"])}
    for feed in feeds:
        if feed in TASS_SECTION_FEEDS:
            assert TASS_SECTION_FEEDS[feed] in sections, f"{feed} lists a {article['section']} story"
    if "alt_feed" in article:
        assert article["alt_feed"] in feeds
        assert "alt_section" in article
    if article["feed_link_query"]:
        assert re.fullmatch(r"[a-z_]+=[A-Za-z0-9_-]+(?:&[a-z_]+=[A-Za-z0-9_-]+)*", article["feed_link_query"])


@pytest.mark.parametrize("article", by_id(ALL))
def test_body_shape(article: dict[str, Any]) -> None:
    paras = paragraphs(article["body"])
    assert len(paras) in PARAGRAPH_RANGE, f"{len(paras)} paragraphs"
    # The renderer prepends the dateline and the agency credit; the content must not carry them.
    if article["dateline"]:
        dateline = re.compile(rf"{re.escape(article['dateline'])}\s*(?:[,:(–—]|-\s)", re.IGNORECASE)
        assert not dateline.match(paras[0]), "the dateline is in the body"
    for marker in ("/TASS/", "/ТАСС/", "(Sputnik)", "(RIA Novosti)"):
        assert marker not in article["body"]
    assert "\t" not in article["body"]
    if article["photo_caption"]:
        assert not re.search(r"\((?:AFP|Kyodo|Reuters|JIJI Press|© [^)]*)\)$", article["photo_caption"]), (
            "the renderer appends the photo credit to the caption"
        )


@pytest.mark.parametrize("article", by_id(ALL))
def test_photo_caption_has_a_credit(article: dict[str, Any]) -> None:
    # Arab News and Japan Forward print the credit after the caption, "(AFP)" / "(© Sankei)"; an empty
    # credit would make the renderer fall back to a default agency that may be wrong for the photo.
    if article["photo_caption"] and article["host"] in {"www.arabnews.com", "japan-forward.com"}:
        assert article["photo_credit"], "a captioned photo needs its credit"


@pytest.mark.parametrize("article", by_id(ALL))
def test_script_matches_language(article: dict[str, Any]) -> None:
    body = article["body"]
    cyrillic = len(re.findall(r"[А-Яа-яЁё]", body))
    kana_kanji = len(re.findall(r"[\u3040-\u30ff\u4e00-\u9fff]", body))
    latin = len(re.findall(r"[A-Za-z]", body))
    main = {"ru": cyrillic, "ja": kana_kanji, "en": latin}[article["language"]]
    assert main > 0.9 * (cyrillic + kana_kanji + latin), "body is not mostly in the article's language"


@pytest.mark.parametrize("article", by_id(ALL))
def test_mentions_and_traps(article: dict[str, Any]) -> None:
    text = text_of(article)
    mentions = article["expect_mentions"]
    traps = article.get("expect_no_entities", [])
    if article["about_japan_russia"]:
        assert 3 <= len(mentions) <= 8, f"{len(mentions)} expect_mentions"
        assert not traps, "a Japan-Russia article has no traps"
    else:
        assert not mentions, "a negative expects no mentions"
        assert traps, "a negative lists the trap strings that must not be linked"
    for surface in [*mentions, *traps]:
        assert surface in text, f"{surface!r} does not occur in the title or body"
    assert len(set(mentions)) == len(mentions)


@pytest.mark.parametrize("article", by_id(EDITION_ONE))
def test_edition_one_entries_carry_no_edition_2_keys(article: dict[str, Any]) -> None:
    assert article.get("edition", 1) == 1
    assert "version_of" not in article


# -- the corpus as a whole -------------------------------------------------------------------------


def test_keys_unique_across_corpus() -> None:
    counts = Counter(a["key"] for a in ALL)
    assert [k for k, n in counts.items() if n > 1] == []


def test_site_ids_unique_except_for_new_versions() -> None:
    owners: dict[tuple[str, str], str] = {}
    for article in ALL:
        site_id = (article["host"], article["id"])
        if "version_of" in article:
            original = BY_KEY[article["version_of"]]
            assert (original["host"], original["id"]) == site_id, "a new version keeps its URL"
            continue
        assert site_id not in owners, f"{site_id} used by {owners.get(site_id)} and {article['key']}"
        owners[site_id] = article["key"]


def test_references_point_to_existing_articles() -> None:
    for article in ALL:
        for name in ("republished_from", "version_of"):
            target = article.get(name, "")
            if target:
                assert target in BY_KEY, f"{article['key']}.{name} -> unknown {target!r}"
                assert target != article["key"]
                assert BY_KEY[target].get("edition", 1) == 1, "references point to edition-1 articles"


def test_counts_per_source() -> None:
    hosts = Counter(a["host"] for a in EDITION_ONE)
    assert len(EDITION_ONE) >= 44
    assert hosts["tass.com"] >= 12
    assert hosts["tass.ru"] == 1
    assert hosts["sputnikglobe.com"] >= 10
    assert hosts["www.arabnews.com"] >= 10
    assert hosts["japan-forward.com"] >= 8
    assert hosts["www.sankei.com"] == 1


def test_bodies_vary_in_length() -> None:
    lengths = Counter(len(paragraphs(a["body"])) for a in ALL)
    assert lengths[3] >= 3, "some short three-paragraph wire items"
    assert sum(n for size, n in lengths.items() if size >= 7) >= 3, "some long pieces"
    assert max(lengths) >= 8, "at least one long feature"
    assert len(lengths) >= 5


def test_dates_not_after_the_newest_edition() -> None:
    newest_one = max(parse_time(a["published"]) for a in EDITION_ONE)
    newest_two = max(parse_time(a["published"]) for a in UPDATES)
    assert newest_two >= newest_one, "a later poll brings the newest article"


# -- the special cases -----------------------------------------------------------------------------


def test_tass_story_in_two_section_feeds() -> None:
    found = [
        a
        for a in EDITION_ONE
        if a["host"] == "tass.com" and set(TASS_SECTION_FEEDS) <= set(a["feeds"]) and "alt_section" in a
    ]
    assert found, "one TASS story is listed in politics.xml and world.xml"
    story = found[0]
    assert story["feed_link_query"] == "utm_source=rss&utm_medium=feed&utm_campaign=world"
    assert story["alt_section"] != story["section"]
    assert "two section feeds" in story["note"]


def test_jiji_story_on_arab_news_and_japan_forward() -> None:
    pairs = [
        (BY_KEY[a["republished_from"]], a)
        for a in EDITION_ONE
        if a["host"] == "japan-forward.com" and a["agency"] == "JIJI Press" and a["republished_from"]
    ]
    assert pairs, "Japan Forward re-runs a JIJI story first seen on Arab News"
    original, copy = pairs[0]
    assert original["host"] == "www.arabnews.com" and original["agency"] == "JIJI Press"
    assert copy["title"] != original["title"]
    assert copy["body"] == original["body"]
    assert "JIJI" in original["note"] and "JIJI" in copy["note"]


def _edited_paragraphs(a: dict[str, Any], b: dict[str, Any]) -> list[int]:
    pa, pb = paragraphs(a["body"]), paragraphs(b["body"])
    assert len(pa) == len(pb), "an edited copy keeps the paragraph structure"
    return [i for i, (x, y) in enumerate(zip(pa, pb, strict=True)) if x != y]


def test_republished_with_one_edited_paragraph() -> None:
    found = []
    for copy in EDITION_ONE:
        original = BY_KEY.get(copy["republished_from"])
        if original is None or original["host"] != copy["host"] or original["agency"]:
            continue
        delay = parse_time(copy["published"]) - parse_time(original["published"])
        found.append((original, copy, delay))
    assert found, "one outlet re-publishes its own story under a new id"
    original, copy, delay = found[0]
    assert copy["id"] != original["id"]
    assert 0 < delay.total_seconds() <= 12 * 3600, "re-published a few hours later"
    assert len(_edited_paragraphs(original, copy)) == 1
    assert "Special case" in copy["note"]


def test_negatives_and_their_traps() -> None:
    negatives = [a for a in EDITION_ONE if not a["about_japan_russia"]]
    assert len(negatives) >= 8
    traps = {t for a in negatives for t in a["expect_no_entities"]}
    assert "Suzuki" in traps, "the carmaker Suzuki"
    assert "Abe" in traps, "a different Abe"
    # Russia-China only: Russia and China, no Japan.
    assert any(
        "China" in text_of(a) and "Putin" in text_of(a) and "Japan" not in text_of(a) for a in negatives
    )
    # Japan-South Korea only: no Russia.
    assert any(
        "South Korea" in text_of(a) and "Japan" in text_of(a) and "Russia" not in text_of(a)
        for a in negatives
    )
    assert all(a["note"].startswith("Negative") for a in negatives)


def test_russian_article() -> None:
    ru = [a for a in EDITION_ONE if a["host"] == "tass.ru"]
    assert len(ru) == 1
    text = text_of(ru[0])
    for inflected in ("Путина", "Курильских островов", "Лавров заявил"):
        assert inflected in text


def test_japanese_article() -> None:
    ja = [a for a in EDITION_ONE if a["host"] == "www.sankei.com"]
    assert len(ja) == 1
    text = text_of(ja[0])
    for term in ("北方領土", "ロシア外務省"):
        assert term in text
    assert ja[0]["feeds"] == ["https://www.sankei.com/feeds/sitemapindex-category/?outputType=xml"]


def test_variety_of_voices_and_names() -> None:
    def texts(host: str) -> str:
        return "\n".join(text_of(a) for a in ALL if a["host"] == host)

    assert any(a["photo_caption"] and a["photo_credit"] for a in ALL)
    assert any(a["authors"] for a in ALL if a["host"] == "japan-forward.com")
    assert any(a["authors"] for a in ALL if a["host"] == "www.arabnews.com")
    assert any(a["agency"] == "RIA Novosti" for a in ALL if a["host"] == "sputnikglobe.com")
    arab_agencies = {a["agency"] for a in ALL if a["host"] == "www.arabnews.com"}
    assert {"JIJI Press", "Kyodo", "AFP", "Reuters"} <= arab_agencies
    assert {"EDITORIAL", "ANALYSIS"} <= {a["kicker"] for a in ALL}
    assert len({a["dateline"] for a in ALL}) >= 6
    for russian_name in ("Southern Kurils", "Iturup", "Kunashir"):
        assert russian_name in texts("tass.com")
    for japanese_name in ("Northern Territories", "Etorofu", "Kunashiri", "Habomai", "Shikotan"):
        assert japanese_name in texts("japan-forward.com")
    corpus = "\n".join(text_of(a) for a in ALL)
    for variant in ("G7", "G-7", "Group of Seven"):
        assert re.search(rf"\b{re.escape(variant)}\b", corpus), variant
    for topic in ("sanctions", "1956", "fish", "visa-free", "Sakhalin-2", "drills", "airspace"):
        assert topic in corpus, topic


# -- edition 2 -------------------------------------------------------------------------------------


@pytest.mark.parametrize("article", by_id(UPDATES))
def test_updates_are_edition_two(article: dict[str, Any]) -> None:
    assert article["edition"] == 2
    assert "Edition 2" in article["note"]


def test_update_new_version_of_an_article() -> None:
    versions = [a for a in UPDATES if "version_of" in a]
    assert versions, "edition 2 brings a new version of an existing article"
    for new in versions:
        original = BY_KEY[new["version_of"]]
        assert new["key"] == original["key"] + "-v2"
        for same in ("source", "host", "id", "section", "slug", "published", "language"):
            assert new[same] == original[same], same
        assert parse_time(new["modified"]) > parse_time(original["modified"] or original["published"])
        assert len(_edited_paragraphs(original, new)) == 1


def test_update_retitled_jiji_copy() -> None:
    copies = [a for a in UPDATES if a["agency"] == "JIJI Press" and a["republished_from"]]
    assert copies
    for copy in copies:
        original = BY_KEY[copy["republished_from"]]
        assert original["agency"] == "JIJI Press"
        assert copy["title"] != original["title"]
        assert copy["body"] == original["body"]
        assert (copy["host"], copy["id"]) != (original["host"], original["id"])


def test_update_hard_negative_for_dedup() -> None:
    hard = [a for a in UPDATES if "hard negative" in a["note"]]
    assert hard
    for article in hard:
        assert not article["republished_from"] and "version_of" not in article
        # It shares people and places with the story it must not be merged with.
        others = [a for a in EDITION_ONE if set(a["expect_mentions"]) & set(article["expect_mentions"])]
        assert any(len(set(a["expect_mentions"]) & set(article["expect_mentions"])) >= 3 for a in others)


def test_update_ordinary_new_articles() -> None:
    ordinary = [
        a
        for a in UPDATES
        if not a["republished_from"] and "version_of" not in a and "hard negative" not in a["note"]
    ]
    assert len(ordinary) >= 2
