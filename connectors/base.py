"""What a connector is: a declarative source spec plus pure parsing functions.

Fetching and parsing are kept apart (STYLE.md #4): the framework owns the one HTTP client and hands a
connector the bytes it fetched, as a :class:`Page`; a connector never imports an HTTP library. Parsing
is a pure function of ``(bytes, url, fetched_at)``.

The records that flow between stages are plain dicts (picklable, cheap in Beam), typed here as
``TypedDict`` so that every stage agrees on the keys.

A source module declares (fundus-style, STYLE.md #1 and #3)::

    class TassV1(ParserVersion):
        version = "2020"
        title_css = ".news-header__title"
        body_css = "div.text-content .text-block p"

    class TassConnector(Connector):
        id = "tass"
        home = "https://tass.com/"
        parsers = (TassV1,)

and :meth:`Connector.extract` does the rest: parse the page once into a :class:`Document`, pick the
parser version valid for it, call the field methods named after the columns they fill, fill what they
leave empty from the page metadata (JSON-LD/meta) and the generic extractor, and strip the dateline.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, ClassVar, TypedDict

import lxml.etree
import lxml.html
from cssselect import parse as cssselect_parse
from cssselect.parser import CombinedSelector
from cssselect.xpath import XPathExpr
from lxml.cssselect import CSSSelector, LxmlHTMLTranslator


@dataclass(frozen=True)
class Page:
    """One fetched page, as the HTTP layer hands it to a parser.

    ``url`` is the final URL after redirects; ``requested_url`` the one that was asked for.
    ``text`` is the body decoded with the charset the HTTP layer settled on (header, BOM, meta or
    detection: see ``connectors.encoding``). Parsers read ``text``, and ``content`` only when ``text`` is
    empty: the pipeline's FetchPages drops the bytes of a decoded page to halve what it moves.
    """

    url: str
    content: bytes
    text: str
    fetched_at: datetime
    content_type: str = ""
    encoding: str = "utf-8"
    requested_url: str = ""
    headers: dict[str, str] = field(default_factory=dict)


class FeedEntry(TypedDict, total=False):
    """One item discovered in a feed or sitemap.

    ``kind`` is ``"article"`` for an article link and ``"sitemap"`` for a child sitemap of a sitemap
    index: the caller fetches a ``"sitemap"`` entry's ``url`` and hands it to ``parse_feed`` again.
    """

    source_id: str
    kind: str  # "article" | "sitemap"
    url: str  # normalised article URL (tracking parameters removed)
    raw_url: str  # the link as the feed gave it
    feed_url: str
    identity: str  # per-source identity, e.g. "tass:1234567"
    title: str | None
    summary: str | None
    published_at: datetime | None  # UTC
    updated_at: datetime | None  # UTC
    language: str | None
    authors: list[str]


class Article(TypedDict, total=False):
    """What a connector extracts from one page. Dates are timezone-aware UTC datetimes."""

    url: str
    canonical_url: str | None
    identity: str | None  # per-source identity, as Connector.identity gives it for this page
    title: str | None
    kicker: str | None
    lead: str | None
    body: str | None  # paragraphs separated by one blank line
    authors: list[str]
    published_at: datetime | None
    modified_at: datetime | None
    date_source: str | None  # "jsonld", "meta", "unixtime", "time", "htmldate", "feed", ...
    language: str | None
    section: str | None
    agency: str | None  # wire credit: "JIJI Press", "Kyodo", "TASS", ...
    dateline_place: str | None
    extraction_method: str  # "source:<id>@<version>" or "generic"


class ExtractionError(Exception):
    """A page that cannot be turned into an article. ``reason`` becomes the reject's reason code."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail

    def __reduce__(self) -> tuple[Any, ...]:
        # Beam pickles exceptions into dead-letter records; keep both arguments on the way back.
        return (type(self), (self.reason, self.detail))


# --------------------------------------------------------------------------------------------------
# The parsed document: built once per page, handed to every field method.

_HTML_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
# not \s: the ideographic space (U+3000) separates Japanese headline parts and must stay
_WS = re.compile(r"[ \t\r\n\f\v\xa0\u2028\u2029\u200b]+")


@lru_cache(maxsize=512)
def css(selector: str) -> CSSSelector:
    """A compiled, cached CSS selector (``lxml.cssselect``), e.g. ``css("h1.entry-title")(tree)``.

    It selects exactly what ``CSSSelector(selector, translator="html")`` selects, in the same (document)
    order, but a selector list is compiled to fewer tree scans: see :func:`_merged_xpath`.
    """
    return _MergedCSSSelector(selector)


# A selector list "a, b, c" is translated by cssselect to the XPath union "A | B | C": one scan of the
# tree per member, each testing its predicate on every element, then a sort of the union into document
# order. The parsers' exclusion and body lists ("figure, figcaption, [class*='share'], ...", up to 15
# members) were the costliest selections of an extraction. Members that differ only in their last
# step ("X p, X li": same path, then p or li) or only in their first ("A p, B p") are therefore merged
# into one step whose predicate is the "or" of theirs: "X/descendant::*[self::p or self::li]". Both
# select the same set of elements, and an XPath node-set comes back in document order either way. A
# step whose predicate depends on its position ("+" combinators, ":scope") is never merged: "*" in
# place of its name test would change position().
_POSITIONAL = re.compile(r"\b(?:position|last)\(")


def _step_test(expr: XPathExpr) -> str | None:
    """The predicate that stands for ``expr``'s name test and condition in a merged ``*[...]`` step;
    None when ``expr`` cannot be merged (a path before it, or a positional condition)."""
    if expr.path or _POSITIONAL.search(expr.condition or ""):
        return None
    step = XPathExpr(element=expr.element, condition=expr.condition)
    step.add_name_test()  # "p" -> "self::p", as cssselect does itself (or a name() test)
    return step.condition or "true()"


def _merge_steps(tests: list[str]) -> str:
    """One step matching any of the predicates ``tests`` (from :func:`_step_test`).

    Tests that open with the same attribute guard (``@class and contains(@class, 'a')``) share it, so
    that an element without the attribute fails once, not once per test:
    ``*[@class][contains(@class, 'a') or contains(@class, 'b')]``, or, beside other tests,
    ``*[(@class and (contains(@class, 'a') or ...)) or (@itemprop = 'x')]``.
    """
    tests = list(dict.fromkeys(tests))
    if "true()" in tests:
        return "*"
    guarded: dict[str, list[str]] = {}
    for test in tests:
        guard = _GUARD.match(test)
        # "@a and X or Y" would be "(@a and X) or Y": only a rest without "or" moves under the guard
        key = guard.group(1) if guard and len(test) > guard.end() and " or " not in test else ""
        guarded.setdefault(key, []).append(test[guard.end() :] if key and guard else test)
    if len(guarded) == 1 and "" not in guarded:
        [(guard_name, rests)] = guarded.items()
        return f"*[{guard_name}][" + " or ".join(f"({r})" for r in rests) + "]"
    parts: list[str] = []
    for guard_name, rests in guarded.items():
        if not guard_name:
            parts.extend(f"({r})" for r in rests)
        elif len(rests) == 1:
            parts.append(f"({guard_name} and {rests[0]})")
        else:
            parts.append(f"({guard_name} and (" + " or ".join(f"({r})" for r in rests) + "))")
    return "*[" + " or ".join(parts) + "]"


_GUARD = re.compile(r"(@[a-z][a-z0-9_-]*) and ")


def _merged_xpath(selector: str, translator: LxmlHTMLTranslator) -> str:
    """The XPath of the CSS selector list ``selector``, members merged as said above.

    >>> for branch in _merged_xpath("figure, [class*='a'], [class*='b']", LxmlHTMLTranslator()).split(" | "):
    ...     print(branch)
    descendant-or-self::figure
    descendant-or-self::*[@class][(contains(@class, 'a')) or (contains(@class, 'b'))]
    >>> _merged_xpath("article p, article li", LxmlHTMLTranslator())
    'descendant-or-self::article/descendant::*[(self::p) or (self::li)]'
    >>> _merged_xpath("article p, main p", LxmlHTMLTranslator())
    'descendant-or-self::*[(self::article) or (self::main)]/descendant::p'
    """
    prefix = "descendant-or-self::"
    parsed = cssselect_parse(selector)
    if len(parsed) < 2 or any(s.pseudo_element for s in parsed):
        return str(translator.css_to_xpath(selector))  # nothing to merge (or its error, unchanged)
    # 1. members with the same path up to their last step: merge the last steps
    by_path: dict[tuple[str, str], list[XPathExpr]] = {}
    heads: dict[tuple[str, str], XPathExpr | None] = {}
    unmerged: list[str] = []
    for member in parsed:
        expr = translator.xpath(member.parsed_tree)
        # a bare name ("script") stays a name test of its own: libxml2 walks the tree for it faster
        # than it evaluates "self::script" as one more predicate on every element
        bare_name = not expr.path and not expr.condition and expr.element != "*"
        if bare_name or _step_test(XPathExpr(element=expr.element, condition=expr.condition)) is None:
            unmerged.append(prefix + str(expr))
            continue
        head_tree = member.parsed_tree
        while isinstance(head_tree, CombinedSelector):
            head_tree = head_tree.selector
        head = translator.xpath(head_tree) if head_tree is not member.parsed_tree else None
        key = (str(expr.path), str(head) if head is not None else "")
        by_path.setdefault(key, []).append(expr)
        heads[key] = head
    # 2. the results that share everything after their first step: merge the first steps
    by_rest: dict[str, list[XPathExpr]] = {}
    for key, exprs in by_path.items():
        path, head = key[0], heads[key]
        if len(exprs) == 1:
            whole = str(exprs[0])
        else:
            tests = [_step_test(XPathExpr(element=e.element, condition=e.condition)) for e in exprs]
            whole = path + _merge_steps([t for t in tests if t is not None])
        if head is None or _step_test(head) is None or not whole.startswith(str(head)):
            unmerged.append(prefix + whole)
            continue
        by_rest.setdefault(whole[len(str(head)) :], []).append(head)
    for rest, group in by_rest.items():
        if len(group) == 1:
            unmerged.append(prefix + str(group[0]) + rest)
        else:
            unmerged.append(prefix + _merge_steps([t for h in group if (t := _step_test(h))]) + rest)
    return " | ".join(dict.fromkeys(unmerged))


class _MergedCSSSelector(CSSSelector):
    """A :class:`CSSSelector` compiled with :func:`_merged_xpath` (``.css`` and ``.path`` as usual)."""

    def __init__(self, selector: str) -> None:
        # CSSSelector.__init__ would compile the unmerged path: call XPath's directly
        lxml.etree.XPath.__init__(self, _merged_xpath(selector, LxmlHTMLTranslator()))
        self.css = selector


def any_of(*selectors: str) -> str:
    """One CSS selector list from several, e.g. ``any_of("h1.title", "h1")`` -> ``"h1.title, h1"``."""
    return ", ".join(selectors)


def either(*patterns: re.Pattern[str]) -> re.Pattern[str]:
    """One pattern matching any of ``patterns`` (their named groups dropped so the names may repeat).

    >>> bool(either(re.compile(r"^a(?P<id>\\d)$"), re.compile(r"^b(?P<id>\\d)$")).match("b1"))
    True
    """
    return re.compile("|".join(f"(?:{re.sub(r'[(][?]P<[^>]+>', '(?:', p.pattern)})" for p in patterns))


def clean_text(text: str | None) -> str:
    r"""Whitespace collapsed to single spaces (non-breaking spaces included), trimmed.

    >>> clean_text("  TOKYO,\xa0October 6.\n ")
    'TOKYO, October 6.'
    """
    return _WS.sub(" ", text or "").strip(" \u3000")


_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "button", "svg"})
_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "figure"}
)


def element_text(element: lxml.html.HtmlElement, skip: frozenset[Any] | set[Any] = frozenset()) -> str:
    """The visible text of ``element`` (scripts, styles, buttons, comments and the subtrees in ``skip``
    left out), whitespace collapsed; block children are separated by a space."""
    parts: list[str] = []
    _collect_text(element, parts, skip)
    return clean_text("".join(parts))


def _collect_text(node: Any, parts: list[str], skip: frozenset[Any] | set[Any]) -> None:
    if not isinstance(node.tag, str) or node.tag in _SKIP_TAGS or node in skip:
        return
    if node.tag in _BLOCK_TAGS:
        parts.append(" ")
    if node.text:
        parts.append(node.text)
    for child in node:
        _collect_text(child, parts, skip)
        if child.tail:
            parts.append(child.tail)
    if node.tag in _BLOCK_TAGS:
        parts.append(" ")


def parse_html(page: Page) -> lxml.html.HtmlElement:
    """The lxml tree of ``page`` (its decoded text; bytes when the text is empty).

    Raises ExtractionError("empty_page") for a blank page and ("not_html") for XML or unparsable bytes.
    """
    source = page.text.encode("utf-8") if page.text else page.content
    if not source or not source.strip():
        raise ExtractionError("empty_page", page.url)
    head = source.lstrip()[:512].lower()
    if head.startswith((b"<?xml", b"<rss", b"<feed", b"<urlset", b"<sitemapindex")) and b"<html" not in head:
        raise ExtractionError("not_html", f"{page.url} is XML, not an article page")
    try:
        if not page.text:
            return lxml.html.document_fromstring(source)
        return lxml.html.document_fromstring(source, parser=_HTML_PARSER)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ExtractionError("not_html", f"{page.url}: {exc}") from exc


@dataclass
class Document:
    """A page parsed once: the lxml ``tree`` plus the ``meta`` of ``connectors.jsonld.page_metadata``.

    Field methods of a :class:`ParserVersion` take a Document and read it; they never modify the tree.

    >>> doc = Document.from_page(page)            # doctest: +SKIP
    >>> doc.first_text("h1")                      # doctest: +SKIP
    'Japan set to continue political dialogue with Russia'
    """

    page: Page
    tree: lxml.html.HtmlElement
    meta: Any  # connectors.jsonld.Metadata
    #: what :meth:`select` found, by (selector, within): parser versions ask for the same selector
    #: several times a page (Arab News looks up its first <article> once per field). Valid because
    #: field methods never modify the tree; :meth:`forget_selections` empties it for code that does.
    _selected: dict[tuple[str, Any], list[Any]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def from_page(cls, page: Page, *, default_tz: str | None = None) -> Document:
        """Parse ``page``; ``default_tz`` is the zone of naive timestamps in its metadata."""
        from connectors.jsonld import page_metadata

        tree = parse_html(page)
        return cls(page=page, tree=tree, meta=page_metadata(tree, default_tz=default_tz))

    def select(self, selector: str, within: lxml.html.HtmlElement | None = None) -> list[Any]:
        """Elements matching the CSS ``selector`` (in document order) under ``within`` or the root.

        Each (selector, within) is evaluated once per Document; callers get a list of their own.
        """
        key = (selector, within)
        found = self._selected.get(key)
        if found is None:
            found = self._selected[key] = css(selector)(self.tree if within is None else within)
        return list(found)

    def forget_selections(self) -> None:
        """Drop what :meth:`select` remembered: to be called after anything modifies ``tree``."""
        self._selected.clear()

    def first(self, selector: str) -> Any | None:
        found = self.select(selector)
        return found[0] if found else None

    def first_text(self, selector: str) -> str | None:
        """The text of the first element matching ``selector`` that has text, else None."""
        for element in self.select(selector):
            text = element_text(element)
            if text:
                return text
        return None

    def attr(self, selector: str, name: str) -> str | None:
        """Attribute ``name`` of the first element matching ``selector`` that carries it."""
        for element in self.select(selector):
            value = (element.get(name) or "").strip()
            if value:
                return value
        return None

    def meta_content(self, key: str) -> str | None:
        """``<meta name=key>`` or ``<meta property=key>`` content, e.g. ``article:published_time``."""
        return self.attr(f'meta[name="{key}"], meta[property="{key}"], meta[itemprop="{key}"]', "content")


# --------------------------------------------------------------------------------------------------
# Parser versions: one class per layout of a site, fields named after the columns they fill.

#: the fields a parser version may fill; each is a method ``name(doc) -> value | None``
FIELDS = (
    "title",
    "kicker",
    "lead",
    "body",
    "authors",
    "published_at",
    "modified_at",
    "language",
    "section",
    "agency",
    "dateline_place",
    "canonical_url",
)


class ParserVersion:
    """One layout of a site. Class attributes are selectors; methods named after columns read them.

    ``valid_until`` is the last day the layout was served (None: still current); ``marker`` is a CSS
    selector found only in this layout. :meth:`Connector.parser_for` picks the version whose marker
    matches and, among several, the one valid at the page's date (STYLE.md #3).

    A method returns its column's value, or None to let the metadata/generic path fill it. ``body``
    returns the list of paragraphs (None when its selectors found nothing: the layout changed).
    """

    version: ClassVar[str] = "1"
    valid_until: ClassVar[date | None] = None
    marker: ClassVar[str | None] = None
    title_css: ClassVar[str | None] = None
    lead_css: ClassVar[str | None] = None
    #: selector of the body's paragraphs (or blocks); text of each match is one paragraph
    body_css: ClassVar[str | None] = None
    #: elements inside the body that are not the story (related cards, captions, share bars, ads)
    exclude_css: ClassVar[str | None] = None
    #: whole paragraphs that are chrome, matched against the collapsed text
    boilerplate: ClassVar[tuple[re.Pattern[str], ...]] = ()
    section_css: ClassVar[str | None] = None
    authors_css: ClassVar[str | None] = None
    #: what ``date_source`` says when this version's ``published_at`` gave the date
    date_source: ClassVar[str] = "page"

    def matches(self, doc: Document) -> bool:
        """Whether ``doc`` is in this layout (its marker, else its body selector, is present)."""
        probe = self.marker or self.body_css
        return bool(probe and doc.select(probe))

    # -- fields ------------------------------------------------------------------------------------
    def title(self, doc: Document) -> str | None:
        return doc.first_text(self.title_css) if self.title_css else None

    def kicker(self, doc: Document) -> str | None:
        return None

    def lead(self, doc: Document) -> str | None:
        return doc.first_text(self.lead_css) if self.lead_css else None

    def body(self, doc: Document) -> list[str] | None:
        if not self.body_css:
            return None
        return self.paragraphs(doc, self.body_css) or None

    def authors(self, doc: Document) -> list[str] | None:
        if not self.authors_css:
            return None
        names = [element_text(e) for e in doc.select(self.authors_css)]
        return _unique([n for n in names if n]) or None

    def published_at(self, doc: Document) -> datetime | None:
        return None

    def modified_at(self, doc: Document) -> datetime | None:
        return None

    def language(self, doc: Document) -> str | None:
        return None

    def section(self, doc: Document) -> str | None:
        return doc.first_text(self.section_css) if self.section_css else None

    def agency(self, doc: Document) -> str | None:
        return None

    def dateline_place(self, doc: Document) -> str | None:
        return None

    def canonical_url(self, doc: Document) -> str | None:
        return None

    def dateline(self, text: str) -> Any | None:
        """The dateline opening ``text`` (``connectors.dates.Dateline``: place, agency, end), or None.

        Sources whose datelines the shared parser misses override this.
        """
        from connectors.dates import parse_dateline

        return parse_dateline(text)

    # -- helpers for subclasses ---------------------------------------------------------------------
    def paragraphs(self, doc: Document, selector: str, within: Any | None = None) -> list[str]:
        """Texts of the elements matching ``selector`` (under ``within``, default the whole page),
        minus excluded subtrees and boilerplate.

        A match nested in another match is skipped (its text is already in the outer one).
        """
        excluded: set[Any] = set()
        if self.exclude_css:
            for element in doc.select(self.exclude_css, within=within):
                excluded.update(element.iter())
        matched = [e for e in doc.select(selector, within=within) if e not in excluded]
        matched_set = set(matched)
        texts: list[str] = []
        for element in matched:
            if any(a in matched_set for a in element.iterancestors()):
                continue
            text = element_text(element, excluded)
            if text and not self.is_boilerplate(text):
                texts.append(text)
        return texts

    def is_boilerplate(self, text: str) -> bool:
        """Whether a whole paragraph is chrome: the shared list of ``connectors.text`` plus this
        version's ``boilerplate`` patterns."""
        from connectors.text import is_chrome_line

        return any(p.fullmatch(text) for p in self.boilerplate) or is_chrome_line(text)


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        seen.setdefault(value, None)
    return list(seen)


# --------------------------------------------------------------------------------------------------
# The connector.


class Connector:
    """Base class of every source. A subclass is a spec plus overrides where the generic path errs.

    Class attributes form the spec; methods are pure functions. Subclasses live one per module in
    ``connectors/sources/`` and are found by ``connectors.registry`` without touching a shared file.
    An instance may override ``id`` and ``feeds`` (``Connector(source_id=..., feeds=...)``); instances
    hold only strings and tuples, so they pickle (Beam ships them to workers).

    >>> from connectors.registry import get
    >>> get("tass").identity("https://tass.com/politics/1681234?utm_source=rss")
    'tass:1681234'
    """

    id: ClassVar[str] = ""
    name: ClassVar[str] = ""
    home: ClassVar[str] = ""
    feeds: ClassVar[tuple[str, ...]] = ()
    language: ClassVar[str] = "en"
    #: minimum seconds between two requests to one host of this source
    min_interval: ClassVar[float] = 1.0
    #: article URLs this source accepts from its feeds; None accepts every http(s) URL of its hosts
    article_url_pattern: ClassVar[re.Pattern[str] | None] = None
    #: hosts this source owns (without "www."); ``registry.for_url`` finds the connector by them
    hosts: ClassVar[tuple[str, ...]] = ()
    #: other names ``registry.get`` accepts for this source
    aliases: ClassVar[tuple[str, ...]] = ()
    #: the site's layouts, oldest first; empty for a source that only uses the generic path
    parsers: ClassVar[tuple[type[ParserVersion], ...]] = ()
    #: the site's default time zone for naive timestamps (IANA name)
    timezone: ClassVar[str] = "UTC"
    #: what the site appends to its titles (og:title, <title>), stripped from every title
    title_suffix: ClassVar[re.Pattern[str] | None] = None
    #: agency credits as printed -> the name stored in ``agency`` (e.g. "ТАСС" -> "TASS")
    agency_names: ClassVar[dict[str, str]] = {}

    def __init__(self, source_id: str | None = None, feeds: Sequence[str] | None = None) -> None:
        if source_id is not None:
            self.id = source_id  # type: ignore[misc]
        if feeds is not None:
            self.feeds = tuple(feeds)  # type: ignore[misc]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.id!r}, feeds={list(self.feeds)!r})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and (self.id, self.feeds) == (other.id, other.feeds)  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), self.id, self.feeds))

    # -- URLs ----------------------------------------------------------------------------------------
    def owns(self, url: str) -> bool:
        """Whether ``url``'s host is one of this source's hosts (subdomains included)."""
        from connectors.urls import host_of

        host = host_of(url)
        return any(host == h or host.endswith("." + h) for h in self.hosts)

    def accepts(self, url: str) -> bool:
        """Whether a discovered URL is an article of this source (per-source URL filter)."""
        from connectors.urls import normalize_url

        try:
            url = normalize_url(url)
        except ValueError:
            return False
        if self.hosts and not self.owns(url):
            return False
        return self.article_url_pattern is None or bool(self.article_url_pattern.search(url))

    def identity(self, url: str) -> str:
        """The stable identity of the article at ``url``, e.g. ``"tass:1234567"``.

        Every URL variant of one article (tracking parameters, section paths, AMP) gives the same identity.
        The default is the normalised URL. Raises ValueError for a URL that is not absolute http(s).
        """
        from connectors.urls import normalize_url

        return normalize_url(url)

    def page_identity(self, doc: Document, canonical_url: str | None) -> str:
        """The identity of the article in ``doc``: from its canonical URL, else the page URL."""
        for candidate in (canonical_url, doc.page.url):
            if candidate:
                try:
                    return self.identity(candidate)
                except ValueError:
                    continue
        raise ExtractionError("bad_url", doc.page.url)

    # -- feeds ---------------------------------------------------------------------------------------
    def parse_feed(self, content: bytes, feed_url: str) -> list[FeedEntry]:
        """Entries of an RSS/Atom feed or (news) sitemap. Raises ExtractionError("not_a_feed") on HTML.

        Article links are normalised, filtered by :meth:`accepts` and given their identity; a sitemap
        index yields its child sitemaps as entries of ``kind="sitemap"`` (no identity) to fetch next.
        """
        from connectors.feeds import parse_feed
        from connectors.urls import normalize_url

        entries: list[FeedEntry] = []
        for item in parse_feed(content, feed_url):
            kind = getattr(item, "kind", "article") or "article"
            try:
                url = normalize_url(item.url)
            except ValueError:
                continue  # a link that is not http(s) (mailto:, javascript:) is no article of ours
            entry: FeedEntry = {
                "source_id": self.id,
                "kind": kind,
                "url": url,
                "raw_url": item.url,
                "feed_url": feed_url,
                "title": item.title,
                "summary": item.summary,
                "published_at": item.published_at,
                "updated_at": item.updated_at,
                "language": getattr(item, "language", None),
                "authors": list(getattr(item, "authors", None) or []),
            }
            if kind == "sitemap":
                entries.append(entry)
                continue
            if not self.accepts(url):
                continue
            entry["identity"] = self.entry_identity(url, getattr(item, "guid", None))
            entries.append(entry)
        return entries

    def entry_identity(self, url: str, guid: str | None) -> str:
        """Identity of a feed entry; sources whose guid carries the id override this."""
        return self.identity(url)

    # -- extraction ----------------------------------------------------------------------------------
    def parser_for(self, doc: Document) -> ParserVersion | None:
        """The parser version for ``doc``: the versions whose marker matches, the one valid at the
        page's date among them (the latest when the date is unknown); None when no layout matches."""
        matching = [p() for p in self.parsers if p().matches(doc)]
        if not matching:
            return None
        if len(matching) == 1:
            return matching[0]
        when = _meta_date(doc)
        if when is not None:
            for parser in matching:  # oldest first
                if parser.valid_until is None or when.date() <= parser.valid_until:
                    return parser
        return matching[-1]

    def extract(self, page: Page) -> Article:
        """The article on ``page``. Raises ExtractionError (e.g. reason "empty_body").

        Runs the parser version valid for the page; fields it leaves empty come from the page
        metadata, then from the generic extractor. ``extraction_method`` is ``source:<id>@<version>``
        when the version's body selectors found the body, else ``generic``.
        """
        doc = Document.from_page(page, default_tz=self.timezone)
        return self.extract_document(doc)

    def extract_document(self, doc: Document) -> Article:
        """:meth:`extract` on a page already parsed (``dipnews extract`` and tests reuse the tree)."""
        parser = self.parser_for(doc)
        if parser is None and self.parsers:
            # the site's layout changed: keep going with the latest version's non-body fields
            parser = self.parsers[-1]()
        return assemble_article(self, parser, doc)


def _meta_date(doc: Document) -> datetime | None:
    published = doc.meta.published_at
    if published is None:
        return None
    return published if published.tzinfo else published.replace(tzinfo=UTC)


# --------------------------------------------------------------------------------------------------
# Assembling an article: the parser's fields, then metadata, then the generic path.


class _Generic:
    """The generic extraction of a page, run at most once and only when a field needs it."""

    def __init__(self, connector: Connector, doc: Document) -> None:
        self.connector = connector
        self.doc = doc
        self._article: Article | None = None
        self._error: ExtractionError | None = None

    def get(self) -> Article | None:
        if self._article is None and self._error is None:
            from connectors.generic import extract_generic

            # the generic path gets the tree itself: should it ever change it, later selections
            # must look at the tree as it is, not at what select() remembered
            self.doc.forget_selections()
            try:
                self._article = extract_generic(
                    self.doc.page,
                    default_tz=self.connector.timezone,
                    site_suffixes=(self.connector.name,),
                    tree=self.doc.tree,
                )
            except ExtractionError as exc:
                self._error = exc
            finally:
                self.doc.forget_selections()
        return self._article

    def field(self, name: str) -> Any:
        article = self.get()
        return article.get(name) if article else None

    def raise_if_failed(self) -> None:
        if self._error is not None:
            raise self._error


def _split_paragraphs(body: str | None) -> list[str]:
    return [clean_text(p) for p in re.split(r"\n\s*\n", body or "") if clean_text(p)]


#: fewer words than this in a generic body means it found navigation, not a story
MIN_GENERIC_WORDS = 12


def _generic_paragraphs(
    generic: _Generic, known: set[str | None], parser: ParserVersion | None = None
) -> list[str]:
    """The generic path's body paragraphs, without chrome lines (``parser``'s boilerplate patterns
    too: a site's copyright trailer does not go away when its body selectors stop matching) and
    without the title or lead it often repeats at the top. Raises ExtractionError("empty_body") when
    no story text is left."""
    from connectors.text import is_chrome_line, word_count

    chrome = parser.is_boilerplate if parser is not None else is_chrome_line
    paragraphs = [p for p in _split_paragraphs(generic.field("body")) if not chrome(p)]
    repeated = {clean_text(k) for k in known if k}
    while paragraphs and paragraphs[0] in repeated:
        paragraphs.pop(0)
    if word_count(" ".join(paragraphs)) < MIN_GENERIC_WORDS:
        generic.raise_if_failed()
        raise ExtractionError("empty_body", f"{generic.doc.page.url}: no story text found")
    return paragraphs


def _language_code(value: str | None) -> str | None:
    """``"en-US"`` -> ``"en"``; None for an empty value."""
    value = (value or "").strip().lower().replace("_", "-")
    return value.split("-")[0] or None


def _canonical(page: Page, href: str | None) -> str | None:
    from connectors.urls import normalize_url, resolve

    if not href:
        return None
    try:
        return normalize_url(resolve(page.url, href))
    except ValueError:
        return None


def assemble_article(connector: Connector, parser: ParserVersion | None, doc: Document) -> Article:
    """Build the :class:`Article` of ``doc``: ``parser``'s fields first, then the page metadata, then
    the generic path for what both leave empty (and for the body when the parser's selectors found
    nothing). Raises ExtractionError("empty_body") when no body is found at all."""
    from connectors.dates import parse_dateline, parse_datetime

    page, meta = doc.page, doc.meta
    values: dict[str, Any] = {f: (getattr(parser, f)(doc) if parser else None) for f in FIELDS}
    # read everything from the tree before the generic path (trafilatura) gets to work on it
    canonical_url = _canonical(page, values["canonical_url"] or meta.canonical_url)
    identity = connector.page_identity(doc, canonical_url)
    generic = _Generic(connector, doc)

    paragraphs: list[str] = list(values["body"] or [])
    if paragraphs and parser is not None:
        method = f"source:{connector.id}@{parser.version}"
    else:
        method = "generic"
        paragraphs = _generic_paragraphs(generic, {values["title"], values["lead"], meta.title}, parser)

    title, kicker = values["title"], values["kicker"]
    if not title and meta.title:
        # imported here: connectors.generic loads trafilatura, which most pages never need
        from connectors.generic import clean_title

        title, meta_kicker = clean_title(meta.title, site_suffixes=(connector.name,))
        kicker = kicker or meta_kicker
    if not title:
        title, kicker = generic.field("title"), kicker or generic.field("kicker")

    published_at, date_source = values["published_at"], getattr(parser, "date_source", None)
    if published_at is None and meta.published_at is not None:
        published_at, date_source = meta.published_at, meta.date_source or "meta"
    modified_at = values["modified_at"] or meta.modified_at

    # the dateline opens the first paragraph: "TOKYO, October 6. /TASS/. Tokyo will ..."
    dateline_place, agency = values["dateline_place"], values["agency"]
    dateline = parser.dateline(paragraphs[0]) if parser is not None else parse_dateline(paragraphs[0])
    if dateline is not None:
        rest = clean_text(paragraphs[0][dateline.end :])
        paragraphs = ([rest] if rest else []) + paragraphs[1:]
        dateline_place = dateline_place or dateline.place
        agency = agency or dateline.agency
    if not paragraphs:
        raise ExtractionError("empty_body", f"{page.url}: only a dateline")

    if published_at is None and dateline is not None and dateline.month_day:
        # a dateline has no year ("October 6"): the fetch time decides it (latest such day before it)
        published_at = parse_datetime(
            dateline.month_day, default_tz=connector.timezone, reference=page.fetched_at
        )
        date_source = "dateline" if published_at is not None else None
    if published_at is None and generic.field("published_at") is not None:
        published_at, date_source = generic.field("published_at"), generic.field("date_source")

    lead = values["lead"]
    if lead is None and method == "generic":
        description = clean_text(meta.description)
        # a description cut off with an ellipsis is the body's opening, not a standfirst
        if description and not description.endswith(("…", "...")) and description != paragraphs[0]:
            lead = description

    authors = values["authors"]
    if authors is None:
        # sites name themselves as the author of staff copy ("Sputnik International"): not a byline
        publishers = {n.casefold() for n in (connector.name, meta.site_name) if n}
        authors = [a for a in meta.authors or [] if a.casefold() not in publishers]

    language = _language_code(values["language"]) or _language_code(meta.language) or connector.language
    section = values["section"] or meta.section

    title = clean_text(title)
    if title and connector.title_suffix is not None:
        title = connector.title_suffix.sub("", title)
    agency = clean_text(agency) or None
    if agency:
        agency = connector.agency_names.get(agency, agency)

    return {
        "url": page.url,
        "canonical_url": canonical_url,
        "identity": identity,
        "title": title or None,
        "kicker": clean_text(kicker) or None,
        "lead": clean_text(lead) or None,
        "body": "\n\n".join(paragraphs),
        "authors": _unique(clean_text(a) for a in authors if clean_text(a)),
        "published_at": _utc(published_at),
        "modified_at": _utc(modified_at),
        "date_source": date_source if published_at is not None else None,
        "language": language,
        "section": clean_text(section) or None,
        "agency": agency,
        "dateline_place": clean_text(dateline_place) or None,
        "extraction_method": method,
    }


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
