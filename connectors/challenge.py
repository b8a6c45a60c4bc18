"""Recognising bot walls: pages served with 2xx that are a challenge or a block, not the content.

A challenge page parsed as an article yields a "Just a moment..." article; parsed as a feed it yields
an empty feed. Both are silent data loss, so the client turns them into ``FetchError("blocked")``.

Detection keys on structure, never on a word in the prose: a response header set by the wall
(``cf-mitigated: challenge``), a page title that only the wall uses, or a wall's script/form markers
on a page whose visible text is tiny. A real article that discusses Cloudflare has thousands of
characters of visible text and none of the headers, so it passes.

Example::

    >>> is_challenge("<html><title>Just a moment...</title><body>Checking your browser</body></html>", {})
    'cloudflare_challenge'
    >>> is_challenge("<p>" + "Cloudflare said on Tuesday that its network ... " * 40 + "</p>", {}) is None
    True
"""

from __future__ import annotations

import re
from collections.abc import Mapping

#: Visible text shorter than this (characters) is a "tiny body": no article is that short.
TINY_TEXT = 600
# The HTML of walls is small too; only this much of a page is examined.
_SCAN_CHARS = 200_000
# A site's own JS shell (redirect, "enable JavaScript") is small; an app page that ships its article as
# inline JSON (Next.js __NEXT_DATA__, Arc XP Fusion globals) also has little visible text, but is big.
SHELL_MAX_CHARS = 32 * 1024

_SCRIPT_OR_STYLE = re.compile(
    r"<(script|style|noscript|template)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL
)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
# Where _SCRIPT_OR_STYLE starts a match: one left in a cleaned piece is a block that did not close in it.
_OPENER = re.compile(r"<(?:script|style|noscript|template)\b", re.IGNORECASE)
# Piece of a page cleaned at a time by _has_visible_text (grown while a piece ends inside a block).
_PIECE_CHARS = 4096

# (label, title pattern): titles no real article has, enough on their own.
_WALL_TITLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("cloudflare_block", re.compile(r"^Attention Required! \| Cloudflare$", re.IGNORECASE)),
    ("ddos_guard", re.compile(r"^DDoS-Guard$", re.IGNORECASE)),
    ("sucuri", re.compile(r"^Sucuri WebSite Firewall", re.IGNORECASE)),
)
# (label, marker): a vendor's wall markup; counted only on a page whose visible text is tiny.
_WALL_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("cloudflare_challenge", re.compile(r"<title[^>]*>\s*Just a moment(\.\.\.|…)\s*</title", re.IGNORECASE)),
    ("cloudflare_challenge", re.compile(r"/cdn-cgi/challenge-platform/|_cf_chl_opt|\bcf-chl-|cf_chl_", re.I)),
    ("aws_waf", re.compile(r"awswaf\.com|AwsWafIntegration|\bgokuProps\b|aws-waf-token", re.IGNORECASE)),
    ("imperva", re.compile(r"_Incapsula_Resource|Incapsula incident ID", re.IGNORECASE)),
    ("datadome", re.compile(r"captcha-delivery\.com|\bdd\s*=\s*\{\s*'rt'", re.IGNORECASE)),
    ("perimeterx", re.compile(r"\bpx-captcha\b|_pxAppId", re.IGNORECASE)),
    ("akamai", re.compile(r"<title>\s*Access Denied\s*</title>.*Reference\s*#", re.IGNORECASE | re.DOTALL)),
)
# (label, marker): a site's own JS shell; counted only on a small page whose visible text is tiny.
_SHELL_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "js_redirect",
        re.compile(
            r"<script[^>]*>[^<]*(?:window\.|document\.|top\.|self\.)?location"
            r"(?:\.href)?\s*(?:=|\.replace\(|\.assign\()",
            re.IGNORECASE,
        ),
    ),
    (
        "js_required",
        re.compile(
            r"(?:please\s+)?(?:enable|turn\s+on)\s+javascript|javascript\s+is\s+(?:required|disabled)"
            r"|requires\s+javascript",
            re.IGNORECASE,
        ),
    ),
)


def visible_text(html: str) -> str:
    """The text a reader would see: scripts, styles, comments and tags removed, spaces collapsed."""
    text = _SCRIPT_OR_STYLE.sub(" ", html)
    text = _COMMENT.sub(" ", text)
    text = _TAG.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def _has_visible_text(html: str, minimum: int, piece: int = _PIECE_CHARS) -> bool:
    """``len(visible_text(html)) >= minimum``, without cleaning all of a page that proves it early.

    The page is cleaned a piece at a time by the same four substitutions. A piece ends after a ``>`` and
    is accepted only when nothing in it is left open once cleaned: no script/style opener, no ``<!--``
    and no ``<`` survive. Then every match of every substitution that starts in the piece ends in it,
    so cleaning the piece alone gives exactly the piece's share of the page's cleaned text, and the
    rest of the page cleans independently. A piece with an open block is regrown (doubling) from the
    same start. The lengths of the pieces' collapsed texts add up to at most the length of the whole
    collapsed text (only a space between two pieces can be missing), so reaching ``minimum`` early is
    proof; a page that never reaches it is cleaned to its end, where the sum is exact.

    >>> _has_visible_text("<p>" + "word " * 200 + "</p>" + "<script>x</script>" * 5000, 600)
    True
    """
    total = 0
    pieces: list[str] = []
    start, size, end_of_page = 0, piece, len(html)
    while start < end_of_page:
        end = start + size
        if end >= end_of_page:  # the last piece: nothing follows, so its cleaning is exact as it is
            cleaned = _TAG.sub(" ", _COMMENT.sub(" ", _SCRIPT_OR_STYLE.sub(" ", html[start:])))
            pieces.append(cleaned)
            break
        cut = html.rfind(">", start, end)
        if cut < 0:
            size *= 2
            continue
        end = cut + 1
        cleaned = _SCRIPT_OR_STYLE.sub(" ", html[start:end])
        if _OPENER.search(cleaned) is None:
            cleaned = _COMMENT.sub(" ", cleaned)
            if "<!--" not in cleaned:
                cleaned = _TAG.sub(" ", cleaned)
                if "<" not in cleaned:
                    pieces.append(cleaned)
                    total += _collapsed_length(cleaned)
                    if total >= minimum:
                        return True
                    start = end
                    continue
        size *= 2  # the piece ends inside a block, a comment or a tag: take more of the page
    return _collapsed_length("".join(pieces)) >= minimum


def _collapsed_length(text: str) -> int:
    """``len(_SPACE.sub(" ", text).strip())``, without building the string.

    ``str.split()`` splits at the characters ``\\s`` matches (both are ``str.isspace``), so the
    collapsed text is the words joined by single spaces.

    >>> _collapsed_length("  a \\n\\t bc  "), len(_SPACE.sub(" ", "  a \\n\\t bc  ").strip())
    (4, 4)
    """
    words = text.split()
    return sum(map(len, words)) + len(words) - 1 if words else 0


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value.strip().lower()
    return ""


def is_challenge(text: str, headers: Mapping[str, str]) -> str | None:
    """The kind of bot wall ``text`` is (e.g. ``"cloudflare_challenge"``, ``"js_redirect"``), or None.

    ``headers`` are the response headers (any case). Labels: ``cloudflare_challenge``,
    ``cloudflare_block``, ``aws_waf``, ``imperva``, ``datadome``, ``perimeterx``, ``akamai``,
    ``ddos_guard``, ``sucuri``, ``js_redirect``, ``js_required``.
    """
    if _header(headers, "cf-mitigated") == "challenge":
        return "cloudflare_challenge"
    if _header(headers, "x-amzn-waf-action") in ("challenge", "captcha"):
        return "aws_waf"
    html = text[:_SCAN_CHARS]
    title = _TITLE.search(html)
    if title:
        title_text = _SPACE.sub(" ", title.group(1)).strip()
        for label, pattern in _WALL_TITLES:
            if pattern.search(title_text):
                return label
    if _has_visible_text(html, TINY_TEXT):  # len(visible_text(html)) >= TINY_TEXT, found out cheaply
        return None
    for label, pattern in _WALL_MARKERS:
        if pattern.search(html):
            return label
    if len(text) > SHELL_MAX_CHARS:
        return None
    for label, pattern in _SHELL_MARKERS:
        if pattern.search(html):
            return label
    return None


#: Labels of walls run by a bot-protection vendor (as opposed to a site's own JS shell).
VENDOR_WALLS = frozenset(
    {
        "cloudflare_challenge",
        "cloudflare_block",
        "aws_waf",
        "imperva",
        "datadome",
        "perimeterx",
        "akamai",
        "ddos_guard",
        "sucuri",
    }
)
