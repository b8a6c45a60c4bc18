"""Text normalisation, content hashing and word shingling for deduplication (pure functions).

Two copies of one story differ in ways that say nothing about the story: Unicode forms, case, curly
versus straight quotes, dash variants, whitespace, and the site chrome an extractor left in ("Short
Url", "All news", photo credits, lone agency credit lines). Everything here folds those away first,
so that the exact hash and the shingles see the same text for the same story.

>>> normalize_for_hash("“Peace  treaty” — TASS\\nShort Url:")
'"peace treaty" - tass'
>>> content_hash(None, "A b") == content_hash("Another title", "a  B")
True
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

import numpy as np

#: Quote and dash variants folded to ASCII (NFKC keeps them apart).
_FOLD = str.maketrans(
    {
        "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'", "´": "'",
        "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"',
        "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
        "•": " ", "·": " ", "\u00a0": " ", "\u200b": "",
    }
)  # fmt: skip

#: Whole lines (after folding) that are site chrome, not story text. Matched on the stripped line.
_CHROME_LINES = frozenset(
    {
        # arabnews.com page furniture, e.g. https://www.arabnews.com/node/2385866/japan
        "since 1975", "short url", "short url:", "topics", "most popular", "recommended",
        "return to top", "facebook", "twitter", "home",
        # tass.com: "All news" navigation above every article
        "all news",
        # sputnikglobe.com UI strings (also in Russian)
        "subscribe", "newsfeed", "to participate in the discussion", "log in or register", "loader",
        "chats", "заголовок открываемого материала",
        # generic
        "advertisement", "read more", "share", "related", "related articles", "translation",
    }
)  # fmt: skip

#: Lone credit lines: "JIJI Press", "(Kyodo)", "- AFP", "/TASS/".
AGENCY_NAMES = ("jiji press", "jiji", "kyodo", "kyodo news", "tass", "ria novosti", "afp", "reuters", "ap")
_CREDIT_LINE = re.compile(r"^[\s(/\-]*(?:" + "|".join(re.escape(a) for a in AGENCY_NAMES) + r")[\s)/.\-]*$")
_CHROME_PATTERNS = (
    re.compile(r"^©"),  # photo credits: "© AP Photo/Eugene Hoshiko"
    re.compile(r"^updated \d{1,2} \w+ \d{4}"),  # arabnews "Updated 25 May 2022"
    re.compile(r"^updated \d+ \w+ ago$"),  # arabnews relative "Updated 5 sec ago"
    re.compile(r"^\d{1,2} \w{3} \d{4} \d{2}:\d{2}(:\d{2})? gmt[+-]?\d*$"),  # "06 Oct 2023 12:10:26 GMT9"
    re.compile(r"^\d+$"),  # comment counters
    _CREDIT_LINE,
)

_SPACE = re.compile(r"[ \t\f\v\r]+")
#: A word for shingling: a run of letters/digits, or one CJK character (Japanese has no spaces).
_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W_]+(?:['.][^\W_]+)*")


# str.translate looks every character up in the table (150 us for a 4 KB body); a regex visits only
# the characters to fold. Neither the folded characters nor _SPACE include a newline, so both apply
# to the whole text at once, not line by line (a regex call per line cost as much again).
_FOLD_RE = re.compile("[" + re.escape("".join(chr(c) for c in _FOLD)) + "]")


def _fold_char(m: re.Match[str]) -> str:
    return _FOLD[ord(m.group())]  # type: ignore[return-value]  # maketrans gave str values


def _is_chrome(line: str) -> bool:
    bare = line.strip(" :|")
    return bare in _CHROME_LINES or any(p.search(line) for p in _CHROME_PATTERNS)


def normalize_for_hash(text: str) -> str:
    """``text`` folded so that copies of one story compare equal.

    NFKC, case-folded, quote and dash variants folded to ASCII, runs of whitespace collapsed to one
    space, and lines that are site chrome (``"Short Url"``, ``"All news"``, ``"© AP Photo/..."``, a
    lone ``"JIJI Press"`` credit) removed. Paragraphs are joined by one space, so re-wrapping does not
    matter either.

    >>> normalize_for_hash("Since 1975\\n\\nTOKYO:  Japan’s   stance\\n(Kyodo)")
    "tokyo: japan's stance"
    """
    if not isinstance(text, str):
        raise TypeError(f"normalize_for_hash needs a str, got {type(text).__name__}")
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _SPACE.sub(" ", _FOLD_RE.sub(_fold_char, text))
    lines = (line.strip() for line in text.split("\n"))
    return " ".join(line for line in lines if line and not _is_chrome(line))


def tokens(text: str) -> list[str]:
    """The words of the normalised ``text`` (punctuation dropped; one token per CJK character).

    >>> tokens("Lavrov met Kamikawa, Sept. 20.")
    ['lavrov', 'met', 'kamikawa', 'sept', '20']
    """
    return _TOKEN.findall(normalize_for_hash(text))


def content_hash(title: str | None, body: str) -> str:
    """Hex SHA-256 of the normalised body: equal for exact copies of one story.

    The title is deliberately left out: retitled copies of one wire story are the most common duplicate
    (SOURCES.md, "Syndication"). Only the words count, so punctuation and chrome do not change the hash.

    >>> content_hash("Old title", "TOKYO: Talks resume.") == content_hash("New title", "Tokyo - talks resume")
    True
    """
    del title  # part of the signature for the callers' sake; see the docstring for why it is unused
    return hash_tokens(tokens(body or ""))


def hash_tokens(words: list[str]) -> str:
    """:func:`content_hash` of a body already split by :func:`tokens` (saves tokenising twice)."""
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()


@lru_cache(maxsize=1 << 18)
def _word_hash(word: str) -> int:
    # blake2b, not hash(): Python salts str hashes per process, shingles must match across workers.
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")


_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit constant (golden ratio) for the rolling combination


def shingle_array(text: str, k: int = 5) -> np.ndarray:
    """Sorted unique 64-bit hashes of the word ``k``-grams of ``text``, as a ``uint64`` array.

    A text of fewer than ``k`` words (but at least one) gives one shingle of all its words; an empty
    text gives none. The hashes are stable across processes and machines.
    """
    return shingle_tokens(tokens(text), k)


def shingle_tokens(words: list[str], k: int = 5) -> np.ndarray:
    """:func:`shingle_array` of a text already split by :func:`tokens`."""
    if k < 1:
        raise ValueError(f"shingle size k must be >= 1, got {k}")
    if not words:
        return np.empty(0, dtype=np.uint64)
    hashes = np.fromiter(map(_word_hash, words), dtype=np.uint64, count=len(words))  # map: no frame per word
    width = min(k, len(words))
    n = len(words) - width + 1
    acc = hashes[:n].copy()
    with np.errstate(over="ignore"):  # wrapping multiplication is the point
        for j in range(1, width):
            acc = acc * _MIX ^ hashes[j : j + n]
    return np.unique(acc)


def shingles(text: str, k: int = 5) -> set[int]:
    """Word ``k``-gram shingles of the normalised ``text``, hashed to stable 64-bit ints.

    >>> len(shingles("one two three four five six", k=5))
    2
    >>> shingles("Same words.") == shingles("SAME  words")
    True
    """
    return set(shingle_array(text, k).tolist())
