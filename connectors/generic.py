"""The generic extraction path: any news page to an :class:`~connectors.base.Article`.

Metadata (title, dates, authors, canonical URL, language, section) comes from JSON-LD and meta tags
(:mod:`connectors.jsonld`); the body from trafilatura, with chrome lines stripped and paragraphs kept;
the date from htmldate only when the page's metadata has none. Per-source connectors call this as
their default and override single fields where a site needs it.

>>> from datetime import datetime, UTC
>>> from connectors.base import Page
>>> html = ('<html lang="en"><head><title>Talks resume - Politics - TASS</title>'
...         '<meta property="article:published_time" content="2023-10-06T12:10:26+03:00"></head>'
...         '<body><article><h1>Talks resume</h1><p>' + 'Japan and Russia resumed talks. ' * 20 +
...         '</p></article></body></html>')
>>> article = extract_generic(Page("https://tass.com/politics/1", html.encode(), html, datetime.now(UTC)))
>>> article["title"], article["published_at"].isoformat(), article["date_source"]
('Talks resume', '2023-10-06T09:10:26+00:00', 'meta')
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit

import lxml.etree
import lxml.html
import trafilatura
from htmldate import find_date

from connectors.base import Article, ExtractionError, Page
from connectors.dates import parse_datetime
from connectors.jsonld import Metadata, page_metadata
from connectors.text import clean_line, split_paragraphs, strip_chrome, word_count
from connectors.urls import host_of, resolve

#: the kicker prefixes of titles ("EDITORIAL | ...", "ANALYSIS: ...") when written in capitals
_KICKER_RE = re.compile(r"^(?P<kicker>[A-Z][A-Z0-9'’&\- ]{2,30}?)\s*[|:]\s+(?P<rest>\S.*)$")
#: section names that sit between a headline and the site name in titles ("... - Politics - TASS")
# fmt: off
COMMON_SECTIONS = frozenset({
    "Politics", "World", "Economy", "Business", "Society", "Society & Culture", "Culture", "Sports",
    "Sport", "Science", "Science & Space", "Military & Defense", "Russian Politics & Diplomacy",
    "Emergencies", "International Panorama", "Opinion", "Opinions", "Editorial", "Editorials", "Analysis",
    "National", "Asia", "Japan", "Russia", "Middle East", "News", "Latest", "Technology",
    "Asia & Pacific", "Columnists",
})
# fmt: on
# "SITE|Title" or "SITE: Title", spaces optional (e.g. https://www3.nhk.or.jp/news/easy/)
_SITE_PREFIX_RE = re.compile(r"^(?P<site>[^|｜:：]{2,40}?)\s*[|｜:：]\s*(?P<rest>\S.{4,})$")
# title segments separated by " - ", " | ", " – ", " — ", " :: " or " / "
_SEPARATOR_RE = re.compile(r"\s+(?:[-|–—/·•]|::|»)\s+")
# " - 21.01.2025, Sputnik International": a date stuck in front of the site name
_DATED_SUFFIX_RE = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4},\s*")

#: longest body accepted, in characters (about 60,000 words): long-form stories stay well under it; a page
#: with more text is a data dump or a hostile page, and would cost the tagger hundreds of thousands of
#: mentions (a 5 MB one-line page gave 349,525)
MAX_BODY_CHARS = 400_000
#: longest title kept; a longer one (a page stuffing its <title>) is cut at a word boundary
MAX_TITLE_CHARS = 500
#: fewer words than this (CJK characters count one each) is no article: a navigation stub or a placeholder
MIN_BODY_WORDS = 10
# Bodies shorter than this (in words) from precision mode are retried in recall mode: precision mode
# sometimes keeps only the lead of pages whose paragraphs sit in several containers.
_RECALL_RETRY_WORDS = 80
# JSON-LD articleBody replaces an extracted body shorter than _JSONLD_RESCUE_RATIO of it, if it is at
# least _JSONLD_BODY_MIN_WORDS long and contains _JSONLD_AGREEMENT of the extracted body's shingles.
_JSONLD_BODY_MIN_WORDS = 60
_JSONLD_RESCUE_RATIO = 0.6
_JSONLD_AGREEMENT = 0.6
# fmt: off
_BLOCK_TAGS = (
    "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "section", "article",
    "figcaption", "pre", "table", "ul", "ol", "dd", "dt", "body",
)
# fmt: on
# second-level labels under country codes: japantimes.co.jp, bbc.co.uk, abc.net.au
_SECOND_LEVEL = frozenset({"co", "com", "ne", "or", "ac", "go", "org", "net", "gov", "edu"})
_XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


def _normalise_site(name: str) -> str:
    return re.sub(r"[^\w]+", "", name.casefold().removeprefix("the "))


def _cap_title(text: str) -> str:
    """``text`` cut to MAX_TITLE_CHARS at a word boundary, with an ellipsis when cut.

    >>> len(_cap_title("Talks " * 200)) <= MAX_TITLE_CHARS
    True
    """
    if len(text) <= MAX_TITLE_CHARS:
        return text
    cut = text[: MAX_TITLE_CHARS - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > MAX_TITLE_CHARS // 2 else cut).rstrip() + "…"


def clean_title(
    title: str, *, site_suffixes: Sequence[str] = (), section: str | None = None
) -> tuple[str, str | None]:
    """``title`` without its site suffix, and the kicker prefix if it has one.

    Trailing `` - X`` / `` | X`` segments are removed while they name the site (one of
    ``site_suffixes``, e.g. the ``og:site_name``), possibly after a date (`` - 21.01.2025, Sputnik
    International``); a segment just before the site name goes too when it is the page's ``section``
    or a common section name (`` - Politics - TASS``). A site name in front (``SITE|Title``) is
    removed as well. A capitalised prefix before ``|`` or ``:`` is returned as the kicker.

    >>> clean_title("Talks resume - Politics - TASS", site_suffixes=["TASS"])
    ('Talks resume', None)
    >>> clean_title("EDITORIAL | Russia's Threats | JAPAN Forward", site_suffixes=["JAPAN Forward"])
    ("Russia's Threats", 'EDITORIAL')
    """
    text = _cap_title(" ".join(title[: MAX_TITLE_CHARS * 4].split()))
    sites = {_normalise_site(s) for s in site_suffixes if s and _normalise_site(s)}
    separators = list(_SEPARATOR_RE.finditer(text))
    if separators and sites:
        last = _normalise_site(_DATED_SUFFIX_RE.sub("", text[separators[-1].end() :]))
        # the segment names the site, maybe with more words ("Sputnik International" for "sputnik"),
        # but a short word that merely ends a site name ("News" of "Arab News") is no site name
        if last and any(
            last == s or (len(s) >= 4 and (last.startswith(s) or last.endswith(s))) for s in sites
        ):
            cut = separators[-1].start()
            if len(separators) > 1:
                before = _normalise_site(text[separators[-2].end() : cut])
                known = {_normalise_site(name) for name in COMMON_SECTIONS}
                if section:
                    known.add(_normalise_site(section))
                if before in known:
                    cut = separators[-2].start()
            text = text[:cut].strip()
    prefix = _SITE_PREFIX_RE.match(text)
    if prefix and sites and _normalise_site(prefix["site"]) in sites:
        text = prefix["rest"]  # "NEWS WEB EASY|子どもへの…": the site name in front
    kicker = None
    match = _KICKER_RE.match(text)
    if match and len(match["rest"]) > 10 and any(ch.isalpha() for ch in match["kicker"]):
        kicker, text = match["kicker"].strip(), match["rest"].strip()
    return text, kicker


def site_label(url: str) -> str:
    """The name-like label of a URL's host: ``tass`` for tass.com, ``japantimes`` for www.japantimes.co.jp.

    Titles end in the site's name far more often than sites declare it; "TASS" and "Arab News"
    normalise to the host labels ``tass`` and ``arabnews``.

    >>> site_label("https://www.japantimes.co.jp/news/"), site_label("https://japan-forward.com/x/")
    ('japantimes', 'japan-forward')
    """
    labels = host_of(url).split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else labels[0]


def parse_html(page: Page) -> lxml.html.HtmlElement:
    """The page parsed as HTML. Raises ExtractionError("not_html") when there is no document."""
    source: str | bytes = page.text or page.content
    if isinstance(source, str):
        # lxml refuses str input that carries an encoding declaration
        source = _XML_DECLARATION_RE.sub("", source, count=1)
    if not source.strip():
        raise ExtractionError("not_html", "empty page")
    try:
        tree = lxml.html.document_fromstring(source)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ExtractionError("not_html", str(exc)) from exc
    if tree is None or (tree.find(".//body") is None and not tree.text_content().strip()):
        raise ExtractionError("not_html", "no document body")
    return tree


def _trafilatura_body(tree: lxml.html.HtmlElement, url: str, *, precision: bool) -> str:
    # trafilatura 2.x works on its own copy of a tree it is given, so the caller's tree stays intact
    text = trafilatura.extract(
        tree,
        url=url,
        favor_precision=precision,
        favor_recall=not precision,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        deduplicate=False,
        with_metadata=False,
    )
    return text or ""


def _shingles(text: str, n: int = 4) -> set[tuple[str, ...]]:
    tokens = re.findall(r"\w+", text.casefold())
    return {tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1))}


def _containment(part: str, whole: str) -> float:
    """Share of ``part``'s 4-gram shingles found in ``whole``."""
    mine = _shingles(part)
    return len(mine & _shingles(whole)) / len(mine) if mine else 0.0


def html_to_paragraphs(markup: str) -> list[str]:
    """Text paragraphs of an HTML fragment (block elements and ``<br>`` separate them).

    >>> html_to_paragraphs("<p>One <b>two</b></p><p>Three<br>Four</p>")
    ['One two', 'Three', 'Four']
    """
    if "<" not in markup:
        return split_paragraphs(markup)
    try:
        fragment = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return split_paragraphs(re.sub(r"<[^>]+>", " ", markup))
    for br in fragment.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for element in fragment.iter(*_BLOCK_TAGS):
        element.tail = "\n" + (element.tail or "")
        if element.text:
            element.text = "\n" + element.text
    return split_paragraphs(fragment.text_content())


def _jsonld_body(meta: Metadata | None, body: str) -> str | None:
    """JSON-LD ``articleBody`` when it rescues a truncated extraction; None otherwise.

    trafilatura keeps paragraphs and usually equals or beats articleBody (which often is one blob, or
    carries markup and embedded captions), so articleBody is only taken when it is long, clearly longer
    than the extracted body, and contains that body (the two describe the same article).
    """
    if meta is None or not meta.article_body:
        return None
    paragraphs = strip_chrome(html_to_paragraphs(meta.article_body))
    candidate = "\n\n".join(paragraphs)
    words, body_words = word_count(candidate), word_count(body)
    if words < _JSONLD_BODY_MIN_WORDS or body_words > _JSONLD_RESCUE_RATIO * words:
        return None
    if body and _containment(body, candidate) < _JSONLD_AGREEMENT:
        return None
    return candidate


def extract_body(
    tree: lxml.html.HtmlElement, url: str, meta: Metadata | None = None, *, titles: Sequence[str] = ()
) -> str:
    """The article text of ``tree``: paragraphs separated by a blank line, chrome lines dropped.

    trafilatura runs in precision mode (measured best on both benchmarks, see benchmarks/extraction.py);
    a body under _RECALL_RETRY_WORDS is retried in recall mode, whose text is taken only when it is
    longer and contains the precise one. A first line equal to one of ``titles`` (the headline printed
    above the text) is dropped.
    """
    text = _trafilatura_body(tree, url, precision=True)
    if word_count(text) < _RECALL_RETRY_WORDS:
        recall = _trafilatura_body(tree, url, precision=False)
        # recall mode may fall back to a JSON-LD articleBody of some other story: it must agree
        if word_count(recall) > word_count(text) and (
            not text or _containment(text, recall) >= _JSONLD_AGREEMENT
        ):
            text = recall
    paragraphs = strip_chrome(split_paragraphs(text))
    headlines = {t.casefold() for t in titles if t}
    if paragraphs and paragraphs[0].casefold() in headlines:
        paragraphs = paragraphs[1:]
    body = "\n\n".join(paragraphs)
    return _jsonld_body(meta, body) or body


def _headline_of(h1: str, title: str, max_tail_words: int = 6) -> bool:
    """Whether ``title`` is the ``h1`` headline plus a short trailing segment such as a site name.

    Many sites declare no ``og:site_name`` and name themselves in ``<title>`` only
    ("Fisheries talks resume | Example Wire"); the visible headline then tells where the title ends.

    >>> _headline_of("Fisheries talks resume", "Fisheries talks resume | Example Wire")
    True
    >>> _headline_of("Talks", "Talks - a long subtitle that goes on well beyond any site name at all")
    False
    """
    if h1 == title or not title.startswith(h1):
        return False
    separator = _SEPARATOR_RE.match(title, len(h1))
    return separator is not None and 0 < len(title[separator.end() :].split()) <= max_tail_words


def _h1_text(tree: lxml.html.HtmlElement) -> str | None:
    h1 = tree.find(".//h1")
    if h1 is None:
        return None
    return clean_line(h1.text_content()) or None


def _htmldate(
    tree: lxml.html.HtmlElement, url: str, fetched_at: datetime, default_tz: str | None
) -> datetime | None:
    """The publication day htmldate finds, as midnight in the site's zone (htmldate gives days only).

    Quick search only: the extensive one also takes a copyright year ("© 2026") for the date, a guess
    we would rather not store. No date after the fetch is possible.
    """
    latest = fetched_at.astimezone(UTC).strftime("%Y-%m-%d") if fetched_at.tzinfo else None
    found = find_date(
        tree, url=url, original_date=True, outputformat="%Y-%m-%d", extensive_search=False, max_date=latest
    )
    return parse_datetime(found, default_tz=default_tz) if found else None


def _canonical_url(page_url: str, href: str | None) -> str | None:
    """``href`` made absolute, when it is an http(s) URL; None for ``javascript:``, ``file:``, broken URLs.

    >>> _canonical_url("https://tass.com/a", "/politics/1"), _canonical_url("https://tass.com/a", "http://[::1")
    ('https://tass.com/politics/1', None)
    """
    if not href:
        return None
    try:
        absolute = resolve(page_url, href)
        parts = urlsplit(absolute)
        host = parts.hostname
    except ValueError:  # "http://[::1": urllib raises on a broken IPv6 literal
        return None
    return absolute if parts.scheme in ("http", "https") and host else None


def extract_generic(
    page: Page,
    *,
    default_tz: str | None = None,
    site_suffixes: Sequence[str] = (),
    tree: lxml.html.HtmlElement | None = None,
) -> Article:
    """The article on ``page`` by the generic path; ``extraction_method`` is ``"generic"``.

    ``default_tz`` is the zone of naive dates on this site; ``site_suffixes`` are names the title may
    end with (``og:site_name`` is always tried); ``tree`` is the already parsed page, if the caller has it.

    Raises ExtractionError("not_html") for a page that does not parse, ("empty_body") without body text,
    ("body_too_long") with more than MAX_BODY_CHARS of it.
    """
    if tree is None:
        tree = parse_html(page)
    meta = page_metadata(tree, default_tz=default_tz)
    suffixes = [*site_suffixes, *([meta.site_name] if meta.site_name else []), site_label(page.url)]
    raw_title = meta.title or meta.html_title
    title, kicker = (
        clean_title(raw_title, site_suffixes=suffixes, section=meta.section) if raw_title else (None, None)
    )
    h1 = _h1_text(tree)
    if title and h1 and _headline_of(h1, title):
        title = h1
    titles = [t for t in (title, raw_title, meta.html_title, h1) if t]
    body = extract_body(tree, page.url, meta, titles=titles)
    if len(body) > MAX_BODY_CHARS:
        raise ExtractionError("body_too_long", f"{len(body)} characters of text > {MAX_BODY_CHARS}")
    if word_count(body) < MIN_BODY_WORDS:
        raise ExtractionError("empty_body", f"{word_count(body)} words of text")

    published_at, date_source = meta.published_at, meta.date_source
    # A page that declares a date we cannot accept ("2023-02-30") gets none: htmldate would read a
    # part of the same string ("2023-02") and invent the first of the month.
    if published_at is None and not meta.published:
        published_at = _htmldate(tree, page.url, page.fetched_at, default_tz)
        date_source = "htmldate" if published_at else None

    return Article(
        url=page.url,
        canonical_url=_canonical_url(page.url, meta.canonical_url),
        title=title or None,
        kicker=kicker,
        lead=meta.description,
        body=body,
        authors=meta.authors,
        published_at=published_at,
        modified_at=meta.modified_at,
        date_source=date_source,
        language=meta.language,
        section=meta.section,
        agency=None,
        dateline_place=None,
        extraction_method="generic",
    )
