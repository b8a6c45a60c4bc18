"""Japan Forward: a page's identity matches its feed entry's ``japanforward:<post id>`` whichever trace
of the WordPress post id the page carries, and falls back to the canonical URL when it carries none."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors import registry
from connectors.base import Page

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "sankei" / "japanforward_jiji.html"
FEED = Path(__file__).resolve().parent / "fixtures" / "sankei" / "feed_japan_forward_com_feed.xml"
URL = "https://japan-forward.com/japan-to-continue-fishing-talks-with-russia/"
POST_ID = "167055"


def _bare() -> str:
    """The fixture page with every trace of the post id removed."""
    html = FIXTURE.read_text(encoding="utf-8")
    html = re.sub(r'<link rel="shortlink"[^>]*>', "", html)
    html = re.sub(r"\bpostid-\d+\b", "", html)
    html = re.sub(r'<article id="post-\d+" class="post-\d+ ', '<article class="', html)
    assert POST_ID not in html, "the fixture carries the id somewhere this test does not know"
    return html


def _identity(html: str) -> str:
    page = Page(url=URL, content=html.encode(), text=html, fetched_at=datetime(2023, 10, 8, tzinfo=UTC))
    return registry.get("sankei").extract(page)["identity"]


def _with(html: str, marker: str) -> str:
    return (
        html.replace("</head>", marker + "</head>", 1)
        if "<link" in marker
        else html.replace("</body>", marker + "</body>", 1)
    )


def test_the_feed_entry_names_the_post_id() -> None:
    entries = registry.get("sankei").parse_feed(FEED.read_bytes(), "https://japan-forward.com/feed/")
    assert {e["identity"] for e in entries if e["url"] == URL} == {f"japanforward:{POST_ID}"}


@pytest.mark.parametrize(
    "marker",
    [
        f'<link rel="shortlink" href="https://japan-forward.com/?p={POST_ID}">',
        f'<link rel="alternate" type="application/json" href="https://japan-forward.com/wp-json/wp/v2/posts/{POST_ID}">',
        f'<form id="commentform"><input type="hidden" name="comment_post_ID" value="{POST_ID}"></form>',
    ],
    ids=["shortlink", "rest-api-link", "comment-form"],
)
def test_any_trace_of_the_post_id_gives_the_feed_identity(marker: str) -> None:
    assert _identity(_with(_bare(), marker)) == f"japanforward:{POST_ID}"


def test_body_class_and_article_id_give_the_feed_identity() -> None:
    html = FIXTURE.read_text(encoding="utf-8")
    html = re.sub(r'<link rel="shortlink"[^>]*>', "", html)
    assert _identity(html) == f"japanforward:{POST_ID}"  # body class "postid-167055"
    html = re.sub(r"\bpostid-\d+\b", "", html)
    if f'id="post-{POST_ID}"' not in html:
        html = html.replace("<article", f'<article id="post-{POST_ID}"', 1)
    assert _identity(html) == f"japanforward:{POST_ID}"


def test_a_page_without_any_id_falls_back_to_its_canonical_url() -> None:
    assert _identity(_bare()) == URL


def test_an_api_link_of_another_site_is_not_an_id() -> None:
    marker = (
        '<link rel="alternate" type="application/json" href="https://example.com/wp-json/wp/v2/posts/999">'
    )
    assert _identity(_with(_bare(), marker)) == URL
