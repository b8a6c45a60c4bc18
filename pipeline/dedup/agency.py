"""Which wire agency a story comes from, read from its credits and datelines (a pure function).

Only credits that speak for the *story* count: the dateline that opens the body, a lone credit line,
and a credit closing the last paragraph. Photo captions ("... in Tokyo. (AFP)") credit the picture,
not the text, so a parenthesised credit in the middle of the text is ignored.

>>> detect_agency(None, "TOKYO, October 6. /TASS/. Tokyo will continue the dialogue.", "tass")
'TASS'
>>> body = "Kishida in Tokyo on Monday. (AFP)\\nTOKYO: Japan protested.\\nJIJI Press"
>>> detect_agency(None, body, "arabnews")
'JIJI Press'
"""

from __future__ import annotations

import re
import unicodedata

#: Canonical names and the spellings that credit them (matched case-insensitively).
AGENCIES: dict[str, tuple[str, ...]] = {
    "JIJI Press": ("jiji press", "jiji"),
    "Kyodo": ("kyodo news", "kyodo"),
    "TASS": ("tass", "итар-тасс", "тасс"),
    "RIA Novosti": ("ria novosti", "риа новости"),
    "AFP": ("afp", "agence france-presse"),
    "Reuters": ("reuters",),
    "AP": ("ap", "associated press"),
}

#: Sources that are themselves a wire agency: their own copy is that agency's.
SOURCE_AGENCY: dict[str, str] = {"tass": "TASS", "kyodo": "Kyodo", "jiji": "JIJI Press", "ria": "RIA Novosti"}

_SPELLING = {s: name for name, spellings in AGENCIES.items() for s in spellings}
_ALT = "|".join(re.escape(s) for s in sorted(_SPELLING, key=len, reverse=True))

# "TOKYO, October 6. /TASS/." (tass.com), "TOKYO, September 11 (RIA Novosti) –" (sputnik),
# "TOKYO (Kyodo) --", "MOSCOW (Reuters) -": a place in capitals, an optional date, then the credit.
_DATELINE = re.compile(
    r"^\s*[A-ZА-ЯЁ][A-ZА-ЯЁ .'\-]{1,40}(?:,\s*[\w .]{1,25}?)?\s*[(/]\s*(?i:(" + _ALT + r"))\s*[)/]"
)
# A line that is nothing but a credit: "JIJI Press", "(Kyodo)", "— AFP", "/TASS/".
_CREDIT_LINE = re.compile(r"^[\s(/\-–—]*(" + _ALT + r")[\s)/.\-–—]*$", re.IGNORECASE)
# A credit closing the last paragraph: "... said on Friday. (Kyodo)".
_CLOSING = re.compile(r"[.!?\"”’]\s*[(\[]\s*(" + _ALT + r")\s*[)\]]\s*$", re.IGNORECASE)
# Title suffixes some sites add: "Japan protests - Kyodo News".
_TITLE_SUFFIX = re.compile(r"\s[-|–—]\s*(" + _ALT + r")\s*$", re.IGNORECASE)


def _canonical(spelling: str) -> str:
    return _SPELLING[spelling.casefold()]


def _lines(body: str) -> list[str]:
    text = unicodedata.normalize("NFKC", body)
    return [line.strip() for line in text.split("\n") if line.strip()]


def detect_agency(title: str | None, body: str, source_id: str) -> str | None:
    """The wire agency credited for the story, or None.

    Looks, in order, at: the dateline of the first paragraph that has one, lone credit lines, a credit
    closing the last paragraph, a title suffix, and finally whether the source is an agency itself.

    >>> detect_agency(None, "TOKYO, September 11 (RIA Novosti) – Japan plans talks.", "sputnik")
    'RIA Novosti'
    >>> detect_agency("Talks", "Japan protested on Friday. (Kyodo)", "japantimes")
    'Kyodo'
    >>> detect_agency(None, "Putin in Moscow. (AFP)\\nMOSCOW: Russia said nothing new.", "arabnews") is None
    True
    """
    lines = _lines(body or "")
    for line in lines[:8]:  # the dateline sits in the first paragraphs, after chrome and captions
        m = _DATELINE.match(line)
        if m:
            return _canonical(m.group(1))
    for line in lines:
        m = _CREDIT_LINE.match(line)
        if m:
            return _canonical(m.group(1))
    if lines:
        m = _CLOSING.search(lines[-1])
        if m:
            return _canonical(m.group(1))
    if title:
        m = _TITLE_SUFFIX.search(unicodedata.normalize("NFKC", title))
        if m:
            return _canonical(m.group(1))
    return SOURCE_AGENCY.get(source_id)
