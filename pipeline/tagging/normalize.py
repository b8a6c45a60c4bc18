"""Text normalisation for matching, with a map back to the original offsets.

The matcher runs over a folded copy of the text: lower case, Latin diacritics removed (Shinzō → shinzo),
full-width ASCII folded (ＴＡＳＳ → tass), ё → е, typographic quotes and dashes made ASCII, half-width
katakana made full-width. Every match must still be reported with offsets into the ORIGINAL string, so
:func:`normalize` returns the folded text together with an offset map.

Most text folds one code point to one code point, and then the map is the identity (``index_map`` is
``None``) and costs nothing: that fast path is what keeps the tagger above 5 MB/s. Only text with
combining marks, half-width voiced marks or characters whose lower case is longer (``İ``) takes the
slow path, which builds the map: the runs between such characters still fold as whole strings, and
only the characters themselves are folded one by one.

>>> n = normalize("Ｆｏｒｅｉｇｎ Minister Shinzō")
>>> n.text
'foreign minister shinzo'
>>> n.original_span(18, 24)
(18, 24)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Normalized", "fold_alias", "normalize"]


def _build_table() -> dict[int, str]:
    """A one-to-one ``str.translate`` table: each entry maps one code point to exactly one."""
    table: dict[int, str] = {}
    # Full-width ASCII (U+FF01..U+FF5E) to ASCII; U+3000 ideographic space to space.
    for cp in range(0xFF01, 0xFF5F):
        table[cp] = chr(cp - 0xFEE0)
    table[0x3000] = " "
    # Latin letters with diacritics: keep the base letter when NFD is base + combining marks only.
    for cp in [*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)]:
        decomposed = unicodedata.normalize("NFD", chr(cp))
        base = decomposed[0]
        if (
            len(decomposed) > 1
            and base.isascii()
            and base.isalpha()
            and all(unicodedata.combining(c) for c in decomposed[1:])
        ):
            table[cp] = base
    table[ord("ß")] = "s"  # one-to-one on purpose; no alias relies on "ss"
    table[ord("ё")] = "е"
    table[ord("Ё")] = "Е"
    for ch in "\u2018\u2019\u201a\u201b\u2032\u02bc\uff07`":
        table[ord(ch)] = "'"
    for ch in "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb":
        table[ord(ch)] = '"'
    for ch in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d":
        table[ord(ch)] = "-"
    for ch in "\u00a0\u2002\u2003\u2009\u200a\u202f\u205f":
        table[ord(ch)] = " "
    # Half-width katakana (U+FF61..U+FF9D) to full-width; the voicing marks FF9E/FF9F go the slow path.
    for cp in range(0xFF61, 0xFF9E):
        table[cp] = unicodedata.normalize("NFKC", chr(cp))[0]
    # Japanese middle dots of every width fold to the full-width one used in the KB: ラブロフ・セルゲイ.
    table[0xFF65] = "・"
    table[0x00B7] = "・"
    return table


_TABLE = _build_table()
# Characters that cannot be folded one-to-one: combining marks (decomposed "Shinzo\u0304"), half-width
# and combining kana voicing marks, and the few characters whose lower case is two code points.
_SLOW = re.compile("[\u0300-\u036f\u3099\u309a\uff9e\uff9f\u0130]")


@dataclass(frozen=True, slots=True)
class Normalized:
    """Folded text plus, when folding changed the length, the original index of each folded character."""

    text: str
    index_map: tuple[int, ...] | None
    original_length: int

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that the folded span ``[start, end)`` came from."""
        if self.index_map is None:
            return start, end
        if start >= len(self.index_map):
            return self.original_length, self.original_length
        return self.index_map[start], self.index_map[end - 1] + 1 if end > start else self.index_map[start]


def _fold_char(ch: str) -> str:
    return ch.translate(_TABLE).lower()


# Characters the table changes; most text has few of them, and a regex substitution over those few is
# several times faster than str.translate's per-character dictionary lookups.
_MAPPED = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_TABLE)) + "]")


def _translate_all(text: str) -> str:
    return _MAPPED.sub(lambda m: _TABLE[ord(m.group())], text)


def _translate(text: str) -> str:
    if text.isascii():
        return text  # the table maps no ASCII character except the backtick, which no alias uses
    return _translate_all(text)


_VOICING = {"\uff9e": "\u3099", "\uff9f": "\u309a", "\u3099": "\u3099", "\u309a": "\u309a"}


@lru_cache(maxsize=1 << 16)
def _folds_alone(ch: str) -> bool:
    """Whether ``ch`` must be folded on its own on the slow path, not as part of a run.

    A mark combines with the character before it; a character whose fold is not one plain character
    (``İ``) changes the length; and ``Σ`` is the one character whose lower case depends on its
    neighbours (``str.lower`` writes a final sigma as ``ς``), where the slow path lowers each alone.
    """
    folded = _fold_char(ch)
    return (
        bool(unicodedata.combining(ch))
        or ch in _VOICING
        or ch == "\u03a3"
        or len(folded) != 1
        or bool(unicodedata.combining(folded))
    )


def _fold_alone(ch: str, i: int, out: list[str], index: list[int]) -> None:
    """Fold the character ``ch`` at index ``i`` of the original onto ``out`` and ``index``.

    ``out[-1]``, when there is one, is the last folded character, which a mark may combine with.
    """
    if unicodedata.combining(ch) and ch not in _VOICING:
        # A combining diacritic folds away, except on Cyrillic й-style letters, which we keep whole.
        if out and "\u0400" <= out[-1] <= "\u04ff":
            out[-1] = unicodedata.normalize("NFC", out[-1] + ch).lower()
        return
    if ch in _VOICING:
        # Kana voicing: compose with the previous kana (ｶﾞ → ガ) so it matches the KB's spelling.
        if out:
            composed = unicodedata.normalize("NFC", out[-1] + _VOICING[ch])
            if len(composed) == 1:
                out[-1] = composed
        return
    for piece in _fold_char(ch):
        if unicodedata.combining(piece):  # "İ".lower() is "i" + U+0307: keep the "i" only
            continue
        out.append(piece)
        index.append(i)


def _fold_slowly(text: str) -> Normalized:
    """The slow path: fold ``text`` and map each folded character back to its original index.

    Only the few characters of :func:`_folds_alone` need a look at their neighbours; the runs between
    them fold as whole strings, one to one (every character of ``text`` once went through the loop
    of :func:`_fold_alone`, which made this path twenty times slower than the fast one).
    """
    alone = sorted(i for ch in set(text) if _folds_alone(ch) for i in _indices(text, ch))
    # Folded pieces, each run with its last character apart: a mark after it may combine with it.
    out: list[str] = []
    index: list[int] = []
    done = 0
    for i in [*alone, len(text)]:
        if done < i:
            # _translate_all, not _translate: the slow path has always folded a backtick to "'"
            run = _translate_all(text[done:i]).lower()
            out += (run[:-1], run[-1])
            index.extend(range(done, i))
        if i < len(text):
            _fold_alone(text[i], i, out, index)
        done = i + 1
    return Normalized("".join(out), tuple(index), len(text))


def _indices(text: str, ch: str) -> Iterator[int]:
    i = text.find(ch)
    while i != -1:
        yield i
        i = text.find(ch, i + 1)


def normalize(text: str) -> Normalized:
    """Fold ``text`` for matching and keep the map back to its offsets (see the module docstring)."""
    folded = _translate(text).lower()
    if len(folded) == len(text) and _SLOW.search(text) is None:
        return Normalized(folded, None, len(text))
    return _fold_slowly(text)


def fold_alias(alias: str) -> str:
    """Fold an alias of the knowledge base exactly as :func:`normalize` folds text."""
    return normalize(unicodedata.normalize("NFC", alias)).text
