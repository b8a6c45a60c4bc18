"""Shared text cleaning: whitespace, paragraphs, and the chrome lines that extractors keep.

Bodies are stored as paragraphs separated by one blank line. Site chrome that survives extraction
("Share", "Subscribe to our newsletter", "Most Popular", photo credits, ...) is recognised line by line:
only short lines that are nothing but such a phrase are dropped, so a real paragraph that merely
mentions a newsletter is never cut.

>>> join_paragraphs(["  First\u00a0paragraph. ", "", "Share this article", "Second."])
'First paragraph.\\n\\nSecond.'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

# zero-width characters and soft hyphens that pages sprinkle through text
# invisible characters, C0 controls but tab/newline/CR, DEL, bidi embeddings/overrides/isolates, and
# lone surrogates (feedparser turns "&#xDC00;" into one; no UTF-8 writer can store it)
_INVISIBLE_RE = re.compile(
    "[\u200b\u200c\u200d\u2060\ufeff\u00ad\x00-\x08\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_SPACES_RE = re.compile(r"[^\S\n]+")
_BLANK_LINES_RE = re.compile(r"\n\s*\n+")

_NETWORKS = r"(?:facebook|twitter|x|telegram|vk|instagram|youtube|line)"

_DATE_WORDS = (
    r"(?:\d{1,4}(?:st|nd|rd|th)?|jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|mon(?:day)?|tue(?:sday)?|wed(?:nesday)?"
    r"|thu(?:rsday)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?|gmt|utc|jst|msk|[ap]\.?m\.?|ago|sec|mins?"
    r"|hours?|days?|年|月|日|時|分)"
)

#: longest line that may be chrome; longer lines are prose even when they contain a chrome phrase
MAX_CHROME_CHARS = 90

# Each pattern must match the WHOLE line (case-insensitive). Kept as data so a connector can extend it.
CHROME_PATTERNS: tuple[str, ...] = (
    # sharing and following
    r"(?:share|share this|share this (?:article|story|page)|tweet|print|email|e-mail|copy link|copy url)"
    r"(?:\s*(?:on|via)?\s*(?:facebook|twitter|x|linkedin|whatsapp|telegram|vk|line|email|reddit))*",
    rf"(?:share|follow us|follow)(?:\s+(?:on|us on))?\s+{_NETWORKS}(?:[\s,/|]+(?:and\s+)?{_NETWORKS})*",
    r"(?:subscribe|sign up|register)(?:\s+(?:now|today|here|for free))?(?:\s+(?:to|for)\s+(?:our|the)\s+"
    r"[\w\s'’-]{0,40}(?:newsletter|updates|channel|alerts?))?[.!]?",
    r"(?:get|receive)\s+(?:our|the)\s+[\w\s'’-]{0,40}newsletter[\w\s]{0,30}[.!]?",
    r"[\w\s'’-]{0,30}newsletters?[.!:]?",
    # navigation blocks
    r"(?:most popular|most read|most viewed|popular|trending|recommended|recommended for you|related|"
    r"related (?:articles|stories|news|content|topics)|more (?:stories|news|from [\w\s]{1,30})|"
    r"you (?:may|might) (?:also )?(?:like|be interested in)|read more|read also|see also|also read|"
    r"latest(?: news)?|top stories|editor'?s picks|topics|tags|all news|newsfeed|short url|"
    r"return to top|back to top|advertisement|advertising|sponsored(?: content)?|comments?|"
    r"show comments|load more|continue reading|click here|since 1975)[:.]?",
    r"(?:read more|read also|see also|also read|related)\s*[:|»›>].{0,80}",
    r"to participate in the discussion,?\s*log in or register",
    # cookie banners: "We use cookies. Accept all cookies to continue."
    r"(?:this (?:web)?site|we) uses? cookies\b.{0,80}",
    r"updated\s+(?:\d+\s+\w+\s+ago|\d{1,2}\s+\w+\s+\d{4})",
    # photo credits: "© AP Photo/Eugene Hoshiko", "(© Sankei)", "Photo: Reuters", "(AFP)", "Getty Images"
    r"\(?\s*©\s*[^()]{1,60}\)?",
    r"\(?(?:photo|photograph|image|file photo|picture)s?(?:\s+by\s+|\s*[:/]\s*)[\w\s.,/&'’-]{1,60}\)?",
    r"[\w\s.,/&'’-]{0,50}\((?:afp|ap|reuters|kyodo|jiji|jiji press|tass|epa|getty images|sputnik)"
    r"(?:\s*photo)?\)",
    r"(?:afp|ap|reuters|kyodo|jiji press|tass|epa|sputnik|ria novosti)\s*(?:photo|/\s*[\w\s.]{1,40})",
    r"getty images|shutterstock|istock(?:photo)?",
    # separator rules, teasers, calls to comment, wire trailers
    r"(?:[_*=~#\-–—•·.] ?){3,}",
    r"(?:more|don'?t miss|must read|watch|listen|advertisement)\s*[:.!]?",
    r"join (?:our|the) (?:commenting forum|conversation|discussion)[.!]?",
    r"tell us what you think[.!…]*",
    r"subscribe to [\w\s'’-]{1,40} to [\w\s'’-]{1,40}[.!]?",
    r"our standards: the thomson reuters trust principles\.?",
    r".{0,60}all rights reserved\.?",
    # social links left as bare words ("• facebook" on https://www.arabnews.com/node/...)
    rf"{_NETWORKS}|linkedin|whatsapp|reddit|email|e-mail|rss",
    # comment widgets: "To participate in the discussion / log in or register", counters, loaders
    r"to participate in the discussion|log in or register|loader|chats|\d{1,6}",
    # a line that is only a date or time ("06 Oct 2023 12:10:26 GMT9", "Updated 5 sec ago") is metadata
    # (possessive "++": no backtracking, so a long run of digits cannot make the match exponential)
    r"(?:(?:updated|published|posted|last updated|first published)\s*:?\s*)?(?=.*\d)"
    rf"(?:{_DATE_WORDS}|[\s,./:+\-–()])++",
    # Russian and Japanese UI strings left by Sputnik / RIA and Japanese CMSes
    r"(?:поделиться|подписаться|читать также|читайте также|все новости|комментарии|новости|"
    r"заголовок открываемого материала)",
    r"(?:シェア|ツイート|関連記事|おすすめ記事|人気記事|続きを読む|この記事をシェア|印刷)",
)
_CHROME_RE = re.compile("|".join(f"(?:{p})" for p in CHROME_PATTERNS), re.IGNORECASE)


def normalize_whitespace(text: str) -> str:
    """NFC text with invisible characters removed, runs of spaces collapsed, lines stripped and
    runs of blank lines reduced to one.

    >>> normalize_whitespace("a\u00a0 b \\n\\n\\n c\u200b")
    'a b\\n\\nc'
    """
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _INVISIBLE_RE.sub("", text)
    text = _SPACES_RE.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES_RE.sub("\n\n", text).strip()


def clean_line(line: str) -> str:
    """One line with whitespace normalised (internal newlines become spaces)."""
    return " ".join(_INVISIBLE_RE.sub("", unicodedata.normalize("NFC", line)).split())


def split_paragraphs(text: str) -> list[str]:
    """Non-empty lines of ``text`` as paragraphs (any newline separates two paragraphs).

    >>> split_paragraphs("One.\\n\\nTwo.\\nThree.")
    ['One.', 'Two.', 'Three.']
    """
    return [line for line in (clean_line(part) for part in text.split("\n")) if line]


#: a line of at least this many short link labels between separators is a navigation menu
MIN_MENU_ITEMS = 6
_MENU_SEPARATOR_RE = re.compile(r"\s+[|•·»/]\s+")


def _is_menu(line: str) -> bool:
    """Whether ``line`` is a flattened menu ("Home | World | Politics | ..."), whatever its length.

    Labels are one to three words without digits, so that a table row of figures is never a menu.

    >>> _is_menu("Home | World | Politics | Economy | Sports | Opinion"), _is_menu("Salmon | 1,200 | 2023")
    (True, False)
    """
    items = _MENU_SEPARATOR_RE.split(line)
    return len(items) >= MIN_MENU_ITEMS and all(
        0 < len(item.split()) <= 3 and not any(ch.isdigit() for ch in item) for item in items
    )


def is_chrome_line(line: str, extra_patterns: Sequence[re.Pattern[str]] = ()) -> bool:
    """Whether ``line`` is site chrome (share buttons, newsletter boxes, photo credits, ...).

    Only short lines that consist entirely of such a phrase count.

    >>> is_chrome_line("Most Popular"), is_chrome_line("© AP Photo/Eugene Hoshiko")
    (True, True)
    >>> is_chrome_line("The newsletter was sent to 3,000 officials in Tokyo on Monday.")
    False
    """
    stripped = clean_line(line).strip(" -–—|•·»")
    if not stripped:
        return True
    if _is_menu(stripped):
        return True
    if len(stripped) > MAX_CHROME_CHARS:
        return False
    if _CHROME_RE.fullmatch(stripped):
        return True
    return any(p.fullmatch(stripped) for p in extra_patterns)


def strip_chrome(paragraphs: Iterable[str], extra_patterns: Sequence[re.Pattern[str]] = ()) -> list[str]:
    """``paragraphs`` without chrome lines and without a line that repeats the one before it (a title
    printed twice). Repeats further apart are kept: tables and lists legitimately repeat lines.

    >>> strip_chrome(["Short Url", "Body text here.", "Body text here.", "Recommended"])
    ['Body text here.']
    """
    kept: list[str] = []
    for paragraph in paragraphs:
        line = clean_line(paragraph)
        if not line or is_chrome_line(line, extra_patterns):
            continue
        if kept and kept[-1] == line:
            continue
        kept.append(line)
    return kept


def join_paragraphs(paragraphs: Iterable[str], *, drop_chrome: bool = True) -> str:
    """Paragraphs joined by one blank line, cleaned, empty ones and (by default) chrome dropped."""
    lines = [clean_line(p) for p in paragraphs]
    if drop_chrome:
        lines = strip_chrome(lines)
    return "\n\n".join(line for line in lines if line)


def word_count(text: str) -> int:
    """Words in ``text``; Japanese and Chinese characters count one each (they have no spaces)."""
    cjk = len(re.findall(r"[\u3040-\u30ff\u3400-\u9fff]", text))
    latin = len(re.findall(r"[^\W\u3040-\u30ff\u3400-\u9fff]+", text))
    return cjk + latin
