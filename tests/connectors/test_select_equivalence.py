"""``Document.select`` selects exactly what lxml's own ``CSSSelector`` selects.

``connectors.base.css`` compiles a selector list to merged XPath steps, and a Document remembers what
each selector found. Neither may change a result: the same elements, in the same (document) order,
each once. These tests compare both against the plain ``CSSSelector(selector, translator="html")``,
evaluated afresh on every call: on hand-written pages that exercise each merge rule and on every
fixture page of every registered connector, field by field and selector by selector.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from lxml.cssselect import CSSSelector

from connectors import registry
from connectors.base import Document, Page, css
from tests.connectors.make_fixtures import fixture_page_params, golden_page

FIXTURES = Path(__file__).resolve().parent / "fixtures"

PAGE = """<html><head><title>t</title><meta name="a" content="1"></head><body class="postid-7 home">
<main><article class="node node--type-article" id="post-7">
 <h1 class="entry-title">Title</h1>
 <div class="field-name-body a__b"><p>one</p><ul><li>two</li><li class="x">three</li></ul>
  <div class="field--name-body"><p>nested <span class="share-bar">share</span></p><h2>head</h2></div>
  <figure class="photo"><p>in figure</p><figcaption>cap</figcaption></figure>
  <p class="\tcaption\nbox  wide">spaced classes</p><p class="a\u00a0tags">nbsp class</p>
  <div itemprop="articleBody" data-type="text"><p>itemprop</p><script>x()</script></div>
 </div>
 <a href="/x">link</a><p>after link</p><li>loose</li>
</article><article class="node"><div class="field-name-body"><p>second</p></div></article></main>
</body></html>"""

SELECTORS = (
    # bare names, class tests and attribute tests, all in one list
    "figure, figcaption, .tags, [class*='photo'], [class*='caption'], [class*='share'], script, style",
    "p, li, h2",
    ".caption, .box, .wide, .tags, [class~=wide]",
    # same path, different last step; different first step, same rest; both at once
    ".field-name-body p, .field-name-body li, .field-name-body h2",
    ".field-name-body p, .field--name-body p, [itemprop=articleBody] p",
    ".field-name-body p, .field-name-body li, .field--name-body p, .field--name-body li, .a__b h2",
    "article.node--type-article, article.node, article, main",
    "div p, div > p, p",
    ".field-name-body > p, .field-name-body > ul > li, .field-name-body > div > h2",
    # positional steps are never merged
    "a + p, a + li",
    "li:nth-child(2), li:last-child, li:first-child",
    ":scope > p, :scope > li",
    "p:first-of-type, h2:first-of-type",
    "[data-type=text] p, [data-type=text] script, [id^='post-'], body[class*='postid-']",
    "h1, h1.entry-title, .entry-title h1",
    "nothing, .nothing, [nothing]",
    "p",
)


def _plain(selector: str, root: Any) -> list[Any]:
    return CSSSelector(selector, translator="html")(root)


@pytest.mark.parametrize("selector", SELECTORS)
def test_merged_selector_selects_what_cssselector_selects(selector: str) -> None:
    tree = lxml.html.document_fromstring(PAGE)
    scopes = [tree, *tree.iter("article", "div", "ul")]
    for scope in scopes:
        expected = _plain(selector, scope)
        found = css(selector)(scope)
        assert found == expected, (selector, scope.tag, css(selector).path)
        assert len(found) == len(set(found))


def test_merging_keeps_the_selector_and_compiles_fewer_branches() -> None:
    selector = "figure, .a, .b, [class*='c'], .d p, .d li"
    compiled = css(selector)
    assert compiled.css == selector
    assert compiled.path.count(" | ") < CSSSelector(selector, translator="html").path.count(" | ")


def test_invalid_selectors_fail_as_before() -> None:
    with pytest.raises(Exception) as plain:
        CSSSelector("p::text, li", translator="html")
    with pytest.raises(type(plain.value)):
        css("p::text, li")


def _document(html: str) -> Document:
    page = Page(url="https://example.com/a", content=b"", text=html, fetched_at=datetime(2024, 1, 1))
    return Document.from_page(page)


def test_select_remembers_per_document_and_returns_a_list_of_its_own() -> None:
    doc = _document(PAGE)
    first = doc.select("p")
    first.clear()  # a caller's list is its own
    assert doc.select("p") == _plain("p", doc.tree)
    article = doc.select("article")[0]
    assert doc.select("p", within=article) == _plain("p", article)
    assert doc.select("p", within=article) != doc.select("p")


def test_forget_selections_sees_a_modified_tree() -> None:
    doc = _document(PAGE)
    before = doc.select("figure")
    assert before
    before[0].getparent().remove(before[0])
    doc.forget_selections()
    assert doc.select("figure") == _plain("figure", doc.tree) == []


class _FreshDocument(Document):
    """A Document as it was: every select() a plain CSSSelector evaluated afresh, nothing remembered."""

    def select(self, selector: str, within: Any = None) -> list[Any]:
        return _plain(selector, self.tree if within is None else within)


class _CheckedDocument(Document):
    """The optimised Document, each of whose selections is checked against the plain one."""

    checked = 0

    def select(self, selector: str, within: Any = None) -> list[Any]:
        found = super().select(selector, within)
        assert found == _plain(selector, self.tree if within is None else within), selector
        _CheckedDocument.checked += 1
        return found


@pytest.mark.parametrize(("source_id", "html_path"), fixture_page_params())
def test_fixture_page_extracts_the_same_with_a_fresh_document(source_id: str, html_path: Path) -> None:
    _golden, page = golden_page(html_path)
    connector = registry.get(source_id)

    def extract(document_class: type[Document]) -> Any:
        base = Document.from_page(page, default_tz=connector.timezone)
        doc = document_class(page=base.page, tree=base.tree, meta=base.meta)
        try:
            return connector.extract_document(doc)
        except Exception as exc:  # a page that fails must fail the same way
            return (type(exc).__name__, str(exc))

    before = _CheckedDocument.checked
    optimised = extract(_CheckedDocument)
    assert optimised == extract(_FreshDocument)
    assert optimised == extract(Document)
    assert _CheckedDocument.checked > before  # the page did go through select()
