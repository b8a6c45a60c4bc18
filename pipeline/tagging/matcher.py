"""A multi-pattern matcher over folded text: one Aho-Corasick automaton for all three languages.

How each alias is matched depends on its script:

* Latin (English, romanised names): the folded alias itself, at word boundaries.
* Cyrillic: Russian inflects names and nouns (Путин, Путина, Путину; Курильские острова, Курильских
  островов). Each word of the alias is cut to a stem (its nominative ending removed) and may take any
  case ending: the automaton finds the stem of the first word, then a compiled regex checks the rest.
* Japanese: no word boundaries, so the alias is matched anywhere, except that a katakana alias must not
  be glued to more katakana (ラブロフ is not a match inside ラブロフスキー).

Overlapping candidates are resolved longest first ("Sea of Japan" beats "Japan").

>>> from pipeline.tagging.normalize import normalize
>>> m = Matcher([AliasSpec("Путин", "person:vladimir-putin")])
>>> [(c.start, c.end) for c in m.find(normalize("Встреча с Путиным"), "Встреча с Путиным")]
[(10, 17)]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import ahocorasick

from pipeline.tagging.normalize import Normalized, fold_alias

__all__ = ["AliasSpec", "Candidate", "Matcher", "script_of"]

# Case endings of Russian nouns, adjectives and surnames; longest first so the regex prefers them.
_RU_ENDINGS = sorted(
    {
        "а",
        "я",
        "о",
        "е",
        "ы",
        "и",
        "у",
        "ю",
        "ь",
        "й",
        "ом",
        "ем",
        "ой",
        "ей",
        "ою",
        "ею",
        "ам",
        "ям",
        "ах",
        "ях",
        "ами",
        "ями",
        "ов",
        "ев",
        "ий",
        "ый",
        "ая",
        "яя",
        "ое",
        "ее",
        "ые",
        "ие",
        "ых",
        "их",
        "ым",
        "им",
        "ыми",
        "ими",
        "ую",
        "юю",
        "ого",
        "его",
        "ому",
        "ему",
        "ия",
        "ии",
        "ию",
        "ией",
        "иям",
        "иях",
        "иями",
        "ье",
        "ья",
        "ьи",
        "ью",
        "ьям",
        "ьях",
        "ьями",
        "ьем",
        "ием",
    },
    key=lambda e: (-len(e), e),
)
# Nominative endings cut from an alias word to get its stem (longest first).
_RU_STRIP = (
    "ия",
    "ие",
    "ий",
    "ый",
    "ая",
    "ое",
    "ые",
    "ой",
    "ья",
    "ье",
    "а",
    "я",
    "о",
    "е",
    "ы",
    "и",
    "у",
    "ю",
    "ь",
    "й",
)
# A stem takes up to four more letters, which must form one of the endings: checked in Python on the
# regex groups, because a 70-way alternation per word made each pattern take 5 ms to compile.
_ENDING_RE = "([а-яё]{0,4})"
_ENDINGS = frozenset(_RU_ENDINGS) | {""}
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_JAPANESE = re.compile("[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")


def script_of(alias: str) -> str:
    """``"ru"`` for Cyrillic, ``"ja"`` for kana/kanji, ``"latin"`` otherwise."""
    if _CYRILLIC.search(alias):
        return "ru"
    if _JAPANESE.search(alias):
        return "ja"
    return "latin"


def _is_word(ch: str) -> bool:
    # CJK characters are alphanumeric to Python, but they do not glue to Latin or Cyrillic words:
    # "G7首脳会議" has the alias "G7" at a boundary.
    return ch.isalnum() and ord(ch) < 0x3000


def _is_katakana(ch: str) -> bool:
    return "\u30a1" <= ch <= "\u30ff" and ch != "\u30fb"  # not the middle dot ・ that separates names


def _ru_stem(word: str) -> str:
    if word.isupper() or len(word) <= 3:  # МИД, РФ, ООН: abbreviations keep their letters
        return word.lower()
    low = word.lower()
    for ending in _RU_STRIP:
        if low.endswith(ending) and len(low) - len(ending) >= 3:
            return low[: -len(ending)]
    return low


@dataclass(frozen=True, slots=True)
class AliasSpec:
    """One surface form to look for and what it points at.

    ``target`` is an entity id, or ``generic:<key>`` for names that need a country from context.
    ``short`` marks an ambiguous short name (a bare surname) that needs evidence before it is linked.
    ``cased`` requires the text to start the match with a capital letter (names, not common words).
    """

    alias: str
    target: str
    variant: str = ""
    short: bool = False
    cased: bool = False


class Candidate(NamedTuple):
    """A match in folded coordinates, with every spec that matched this exact span.

    A named tuple, not a dataclass: the matcher makes one per match, and a frozen dataclass costs a
    ``setattr`` call per field to build.
    """

    start: int
    end: int
    specs: tuple[int, ...]


class _Check(NamedTuple):
    """The edge checks shared by a run of specs of one key (consecutive, so their order is kept)."""

    japanese: bool  # katakana edges are checked (else word boundaries)
    check_start: bool
    check_end: bool
    ids: tuple[int, ...]


class _Entry(NamedTuple):
    """What a hit of one automaton key needs: its length, its checks and its Cyrillic patterns."""

    length: int
    at_word_start: bool  # a Latin or Cyrillic key: the match must start at a word boundary
    exact: tuple[_Check, ...]
    patterns: tuple[tuple[str, tuple[int, ...]], ...]  # (regex source, spec ids), compiled on first use


class Matcher:
    """Find all aliases in folded text. Picklable: only the specs travel, the rest is rebuilt."""

    def __init__(self, specs: Sequence[AliasSpec]) -> None:
        self.specs = list(specs)
        self._build()

    def _build(self) -> None:
        exact: dict[str, list[int]] = {}
        ru: dict[str, dict[str, list[int]]] = {}
        # Per spec, the checks its hits need: (japanese, check_start, check_end): katakana edges for a
        # Japanese alias, word boundaries otherwise; and how many leading characters must be upper case
        # in the original: 1 for a cased name, all of an abbreviation ("СВО" must not match the pronoun
        # "своей", "US" not "us"), 0 for none.
        checks: list[tuple[bool, bool, bool]] = []
        self._case: list[int] = []
        for i, spec in enumerate(self.specs):
            folded = fold_alias(spec.alias)
            first, last = spec.alias[0], spec.alias[-1]
            if script_of(spec.alias) == "ja":
                checks.append((True, _is_katakana(first), _is_katakana(last)))
                self._case.append(0)
            else:
                abbreviation = spec.alias.isupper() and len(spec.alias) <= 6
                checks.append((False, _is_word(first), _is_word(last)))
                self._case.append(len(spec.alias) if abbreviation else int(spec.cased))
            if script_of(spec.alias) == "ru":
                stems = [_ru_stem(w) for w in spec.alias.split()]
                pattern = r"\s+".join(re.escape(fold_alias(s)) + _ENDING_RE for s in stems)
                ru.setdefault(fold_alias(stems[0]), {}).setdefault(pattern + r"(?![^\W_])", []).append(i)
            else:
                exact.setdefault(folded, []).append(i)
        self._cased = frozenset(i for i, case in enumerate(self._case) if case)
        # Cyrillic patterns are compiled on first use: compiling all 600+ up front took most of the
        # load time, and one corpus hits few of them.
        self._compiled: dict[str, re.Pattern[str]] = {}
        self._entries: dict[str, tuple[str, _Entry]] = {}
        for key in set(exact) | set(ru):
            runs: list[_Check] = []
            for i in exact.get(key, ()):
                if runs and runs[-1][:3] == checks[i]:
                    runs[-1] = runs[-1]._replace(ids=(*runs[-1].ids, i))
                else:
                    runs.append(_Check(*checks[i], (i,)))
            patterns = tuple((p, tuple(ids)) for p, ids in ru.get(key, {}).items())
            entry = _Entry(len(key), key[0] < "\u3000", tuple(runs), patterns)
            self._entries[key] = (script_of(key), entry)
        self._automata: dict[frozenset[str], ahocorasick.Automaton] = {}

    def _automaton_for(self, scripts: frozenset[str]) -> ahocorasick.Automaton:
        """The automaton over the keys of ``scripts`` only, built on first use.

        Scanning cost depends on the fan-out of the trie: with thousands of kanji and Cyrillic keys in
        it, English text scans five times slower than with Latin keys alone (13 vs 73 MB/s), so text
        is scanned with the keys of the scripts it contains.
        """
        automaton = self._automata.get(scripts)
        if automaton is None:
            automaton = ahocorasick.Automaton()
            for key, (script, entry) in self._entries.items():
                if script in scripts:
                    automaton.add_word(key, entry)
            if len(automaton) == 0:
                automaton.add_word("\x00", _Entry(1, False, (), ()))  # an empty automaton cannot be iterated
            automaton.make_automaton()
            self._automata[scripts] = automaton
        return automaton

    def __getstate__(self) -> dict[str, object]:
        return {"specs": self.specs}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.specs = state["specs"]  # type: ignore[assignment]
        self._build()

    def find(self, norm: Normalized, original: str) -> list[Candidate]:
        """Non-overlapping matches in ``norm.text``, longest first, returned in text order."""
        text = norm.text
        n = len(text)
        scripts = {"latin"}
        if not text.isascii():
            if _CYRILLIC.search(text):
                scripts.add("ru")
            if _JAPANESE.search(text):
                scripts.add("ja")
        automaton = self._automaton_for(frozenset(scripts))
        # Spec ids per span, in the order of the hits, keyed by (start - end, start): sorted keys put the
        # longest spans first.
        found: dict[tuple[int, int], tuple[int, ...]] = {}
        for last, (length, at_word_start, exact, patterns) in automaton.iter(text):
            start = last + 1 - length
            before = text[start - 1] if start > 0 else " "
            if at_word_start and before.isalnum() and before < "\u3000":
                continue  # every Latin and Cyrillic alias starts at a word boundary
            end = last + 1
            after = text[end] if end < n else " "
            for japanese, check_start, check_end, ids in exact:
                if japanese:
                    if (check_start and _is_katakana(before)) or (check_end and _is_katakana(after)):
                        continue
                elif check_end and after.isalnum() and after < "\u3000":
                    continue
                key = (start - end, start)
                found[key] = found.get(key, ()) + ids
            for pattern, ids in patterns:
                regex = self._compiled.get(pattern)
                if regex is None:
                    regex = self._compiled[pattern] = re.compile(pattern)
                m = regex.match(text, start)
                if m is not None and _ENDINGS.issuperset(m.groups()):
                    key = (start - m.end(), start)
                    found[key] = found.get(key, ()) + ids
        if not found:
            return []
        # Longest first; a bytearray marks the characters already taken (find() on it runs in C, so a
        # long article with tens of thousands of candidates stays linear).
        taken = bytearray(n)
        accepted: list[Candidate] = []
        case = self._case
        for negative_length, start in sorted(found):
            end = start - negative_length
            if taken.find(1, start, end) != -1:
                continue
            ids = found[negative_length, start]
            if len(ids) == 1:  # most spans: one spec, one check
                if case[ids[0]] and not self._upper_ok(original, norm, start, case[ids[0]]):
                    continue
            elif not self._cased.isdisjoint(ids):
                ids = tuple(i for i in ids if self._upper_ok(original, norm, start, case[i]))
                if not ids:
                    continue
            taken[start:end] = b"\x01" * (end - start)
            accepted.append(Candidate(start, end, ids))
        accepted.sort()  # by start: accepted spans do not overlap
        return accepted

    @staticmethod
    def _upper_ok(original: str, norm: Normalized, start: int, count: int) -> bool:
        """Whether the first ``count`` matched characters are upper case in the original text."""
        if count == 0:
            return True
        if norm.index_map is None:  # the usual case: folding kept every offset
            head = original[start : start + count]
        else:
            ostart, oend = norm.original_span(start, min(start + count, len(norm.text)))
            head = original[ostart:oend]
        if count == 1:
            return head[:1].isupper()
        return head.isupper() or not any(c.isalpha() for c in head)

    @classmethod
    def from_specs(cls, specs: Iterable[AliasSpec]) -> Matcher:
        """Build a matcher from any iterable of specs."""
        return cls(list(specs))
