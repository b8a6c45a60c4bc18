"""From raw alias matches to linked mentions: roles, country-less names and ambiguous surnames.

Rules for one article (title and body together); 1-4 apply in this order, 5 and 6 refine 4 and 2:

1. A role next to a name ("Foreign Minister Sergey Lavrov", "林官房長官") is not a mention of its own:
   it is evidence for the name. A role next to a name the KB does not know ("Foreign Minister Penny
   Wong") is dropped, and so is a role after "former"/"бывший"/"元" or "Deputy"/"заместитель" with
   no name.
2. A role alone ("the Chief Cabinet Secretary") links to whoever held the office on the publication
   date (``role`` says which office); without a date it links to the office entity itself.
3. A country-less name ("the Foreign Ministry", "МИД", "foreign minister") takes its country from a cue
   just before it ("Russia's Deputy Foreign Minister"), else from the last mention of the same kind in
   the article, else the dateline (TOKYO, MOSCOW), else the language, else the balance of Japanese and
   Russian entities in the article. With no country it is dropped, and so is a name owned by a third
   country: a cue for it before ("Syria's foreign minister") or its name right after ("МИД Сирии",
   "the Foreign Ministry of Iran").
4. An ambiguous surname (Abe, Suzuki, Kono, Hayashi, Kishida …) is linked only with evidence: a role
   next to it that the person held, a full-name mention of the person in the same article (the
   nearest one before it wins), or a role in the article that the person held on the publication date.
   A surname after an unknown given name ("Hiroshi Abe") is another person and is not linked.
5. A contested alias, one person's regular alias that is also another's short name ("Medvedev": Dmitry
   Medvedev's alias, the tennis player Daniil Medvedev's surname), stays with its owner unless the other
   person has stronger evidence in the article by rule 4 (named in full, or a role next to the name).
6. A role after an indefinite or generic word ("the first Soviet or Russian leader", "a Russian
   leader", "any foreign minister") is nobody in particular and is dropped, like "former".
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import date

from pipeline.tagging.kb import Entity, KnowledgeBase
from pipeline.tagging.matcher import AliasSpec

__all__ = ["Found", "Linked", "Reading", "Resolver"]

_FORMER = re.compile(r"(?:former|ex-|then[- ]|late|previous|past|бывш\w*|экс-|元|前|故)\s*$")
# "Deputy Foreign Minister", "заместитель министра", "副外相": a deputy is not the office holder.
_DEPUTY = re.compile(r"(?:deputy|vice|заместител\w*|замминистра|зам\.?|副)[\s-]*$")
# "the first Soviet or Russian leader", "a Russian leader", "any Japanese prime minister": not the holder.
_GENERIC = re.compile(
    r"(?:^|[^\w-])(?:first|last|next|future|successive|any|every|each|another|a|an|or|nor|"
    r"первы\w*|любо\w*|кажды\w*|или|歴代|初の)\s*$",
    re.IGNORECASE,
)
# A dateline is the city then a separator: "TOKYO, October 6. /TASS/." or "MOSCOW — ".
_DATELINES = {
    "JP": re.compile(r"^\s*(?:tokyo|токио|東京)\s*(?:,|-|\(|/|=)"),
    "RU": re.compile(r"^\s*(?:moscow|москва|モスクワ)\s*(?:,|-|\(|/|=)"),
}
_JA_HONORIFICS = (
    "氏",
    "さん",
    "首相",
    "総理",
    "元首相",
    "議員",
    "知事",
    "総裁",
    "幹事長",
    "大使",
    "外相",
    "防衛相",
    "官房長官",
    "代表",
    "元",
    "前",
)
_PHRASE_BREAK = re.compile(r"[.!?,;:()\"«»—\n。、！？「」]| - ")
_CAPITALISED_WORD = re.compile(r"([A-Z][a-z]+|[А-ЯЁ][а-яё]+)\s$")
_NEXT_CAPITALISED = re.compile(r"^\s([A-Z][a-z]+|[А-ЯЁ][а-яё]+)")


def _is_kana_or_kanji(ch: str) -> bool:
    return "\u30a1" <= ch <= "\u30fa" or "\u3400" <= ch <= "\u9fff"


@dataclass(frozen=True, slots=True)
class Reading:
    """What the specs of a match say before any context is read: see :meth:`Resolver.read`.

    A match's specs are those of one alias key, so the same few hundred combinations recur in every
    article; the tagger reads each combination once and keeps the reading.
    """

    specs: tuple[AliasSpec, ...]
    kind: str  # entity | office | short | generic-org | generic-office
    target: str  # of the first regular (not short) spec: an entity id, "generic:<key>", "" for none
    variant: str  # of that spec
    entity: Entity | None  # the entity ``target`` names (None for a generic name or a bare short name)
    contested: bool  # an entity's alias that is also someone else's short name (rule 5)
    person_like: bool  # a short name or a person's alias: a role next to it is evidence (rule 1)


@dataclass(slots=True)
class Found:
    """One raw match: original offsets into ``field``'s text and the reading of its specs."""

    field: str
    start: int
    end: int
    surface: str
    reading: Reading
    text: str  # the original text of the field
    folded: str  # the folded text of the field
    fstart: int  # offsets into ``folded``
    fend: int

    @property
    def specs(self) -> tuple[AliasSpec, ...]:
        """Every spec that matched this span."""
        return self.reading.specs


@dataclass(slots=True)
class Linked:
    """A resolved mention, before it becomes a public :class:`pipeline.tagging.Mention`.

    Not frozen: one is made per mention, and a frozen dataclass costs a ``setattr`` call per field.
    """

    entity: Entity
    found: Found
    variant: str = ""
    role: str = ""
    via: str = "alias"  # alias | role | context | surname
    confidence: float = 1.0


class Resolver:
    """Applies the module's rules with one knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._cue_owner = {cue: country for country, cues in kb.country_cues.items() for cue in cues}
        cues = sorted(self._cue_owner, key=len, reverse=True) or ["\x00"]
        self._cues = re.compile("|".join(re.escape(c) for c in cues))

    def read(self, specs: tuple[AliasSpec, ...]) -> Reading:
        """The context-free part of resolving a match with these specs: its kind and what it names.

        >>> from pipeline.tagging.kb import load_kb
        >>> reading = Resolver(load_kb()).read((AliasSpec("Lavrov", "person:sergey-lavrov"),))
        >>> reading.kind, reading.person_like
        ('entity', True)
        """
        spec = next((s for s in specs if not s.short), None)
        entity = None
        if spec is None:
            kind = "short"
        elif spec.target.startswith("generic:"):
            kind = "generic-" + self.kb.generics[spec.target[8:]].kind
        else:
            entity = self.kb.entities[spec.target]
            kind = "office" if entity.type == "office" else "entity"
        contested = kind == "entity" and any(s.short for s in specs)
        person_like = kind == "short" or (kind == "entity" and entity is not None and entity.type == "person")
        target, variant = (spec.target, spec.variant) if spec is not None else ("", "")
        return Reading(specs, kind, target, variant, entity, contested, person_like)

    # -- helpers ---------------------------------------------------------------------------------------
    def _offices_of_role(self, found: Found) -> set[str]:
        """Office ids a role match may stand for (a generic role: every country's office)."""
        target = found.reading.target
        if target.startswith("generic:"):
            return set(self.kb.generic_candidates(target[8:]).values())
        return {target}

    def _cue_country(self, found: Found) -> str:
        """A country named in the same noun phrase, just before: "Russia's Deputy Foreign Minister"."""
        window = found.folded[max(0, found.fstart - 40) : found.fstart]
        window = _PHRASE_BREAK.split(window)[-1]
        if not _is_kana_or_kanji(found.surface[0]):
            window = " ".join(window.split()[-3:])  # the last three words at most
        best = ""
        for m in self._cues.finditer(window):
            best = self._cue_owner[m.group()]  # the last cue in the window wins
        return best

    def _country_after(self, found: list[Found], i: int) -> str:
        """The country of a place named right after a country-less name: "МИД Сирии" (Russian puts the
        owner after, in the genitive), "the Foreign Ministry of Iran"."""
        f = found[i]
        if i + 1 >= len(found) or found[i + 1].field != f.field:
            return ""
        nxt = found[i + 1]
        if f.text[f.end : nxt.start].lower() not in (" ", " of ", " of the "):
            return ""
        target = nxt.reading.target
        if not target or target.startswith("generic:"):
            return ""
        place = self.kb.entities[target]
        return place.country if place.type == "place" else ""

    @staticmethod
    def _adjacent(a: Found, b: Found) -> bool:
        """Whether ``b`` follows ``a`` in the same field with at most one space between."""
        if a.field != b.field or b.start < a.end:
            return False
        gap = a.text[a.end : b.start]
        # 「安倍元首相」「菅前首相」: "former" between a Japanese surname and its title still glues them
        return gap in ("", " ", "\u00a0", "\u3000", "元", "前")

    # -- main ------------------------------------------------------------------------------------------
    def resolve(self, found: list[Found], day: date | None, language: str | None) -> list[Linked]:
        """Link the raw matches of one article (title matches first, then body, each in text order)."""
        kinds = [f.reading.kind for f in found]
        # Rule 5: a regular alias that is also someone else's short name is settled after the surnames.
        contested = {i for i, f in enumerate(found) if f.reading.contested}
        person_like = {i for i, f in enumerate(found) if f.reading.person_like}
        # Roles next to names: evidence for the name, not mentions of their own (rule 1).
        role_next_to: dict[int, set[str]] = {}
        glued_roles: set[int] = set()
        for i, kind in enumerate(kinds):
            if kind not in ("office", "generic-office"):
                continue
            for j in (i - 1, i + 1):
                if 0 <= j < len(found) and j in person_like:
                    first, second = (found[j], found[i]) if j < i else (found[i], found[j])
                    if self._adjacent(first, second):
                        glued_roles.add(i)
                        role_next_to.setdefault(j, set()).update(self._offices_of_role(found[i]))
        entity_counts = {"JP": 0, "RU": 0}
        for f in found:
            if f.reading.kind == "entity" and f.reading.entity is not None:
                country = f.reading.entity.country
                if country in entity_counts:
                    entity_counts[country] += 1
        dateline = ""
        for f in found:  # every body match carries the folded body: the first one gives its opening
            if f.field == "body":
                for country, pattern in _DATELINES.items():
                    if pattern.match(f.folded):
                        dateline = country
                break

        out: list[Linked | None] = []
        last_country: dict[str, str] = {}
        roles_in_article: set[str] = set()
        for i, f in enumerate(found):
            kind = kinds[i]
            reading = f.reading
            linked: Linked | None = None
            if kind == "entity":
                entity = reading.entity  # type: ignore[assignment]  # the reading of an entity names it
                linked = Linked(entity, f, reading.variant)
                if entity.generic:
                    last_country[entity.generic] = entity.country
            elif kind in ("generic-org", "generic-office"):
                key = reading.target[8:]  # "generic:<key>"
                country = (
                    self._cue_country(f)
                    or self._country_after(found, i)
                    or last_country.get(key, "")
                    or dateline
                    or {"ja": "JP", "ru": "RU"}.get((language or "")[:2], "")
                    or self._balance(entity_counts)
                )
                target = self.kb.generic_candidates(key).get(country)
                if target is not None:
                    last_country[key] = country
                    entity = self.kb.entities[target]
                    linked = Linked(entity, f, via="context", confidence=0.8)
                    if kind == "generic-office":
                        linked = self._role(linked, i in glued_roles, day)
            elif kind == "office":
                entity = reading.entity  # type: ignore[assignment]  # the reading of an office names it
                if entity.generic:
                    last_country[entity.generic] = entity.country
                linked = self._role(Linked(entity, f), i in glued_roles, day)
            if linked is not None and linked.role:
                roles_in_article.add(linked.role)
            out.append(linked)

        shorts = [i for i, kind in enumerate(kinds) if kind == "short"]
        if not shorts and not contested:
            return [lk for lk in out if lk is not None]  # no surname needs the evidence below
        # Evidence for surnames, indexed so that a long article stays linear: where each entity is named
        # (in reading order: title, then body) and which organisations are named, by their first word.
        named: dict[str, list[tuple[int, int]]] = {}
        orgs: dict[str, Entity] = {}
        for i, (f, lk) in enumerate(zip(found, out, strict=True)):
            if lk is not None and i not in contested:
                named.setdefault(lk.entity.id, []).append(_position(f))
                if lk.entity.type == "org":
                    orgs.setdefault(f.folded[f.fstart : f.fend].split(" ", 1)[0], lk.entity)
        for positions in named.values():
            positions.sort()
        # Surnames next to a role first: once linked they are evidence for the bare ones ("Abe said"),
        # wherever those stand (a headline's "Abe" is settled by "Prime Minister Abe" in the body).
        for i in sorted(shorts, key=lambda i: i not in role_next_to):
            linked = self._surname(found[i], role_next_to.get(i, set()), named, orgs, roles_in_article, day)
            out[i] = linked
            if linked is not None:
                bisect.insort(named.setdefault(linked.entity.id, []), _position(found[i]))
        for i in sorted(contested):
            out[i] = self._contested(out[i], role_next_to.get(i, set()), named, roles_in_article, day)
        return [lk for lk in out if lk is not None]

    @staticmethod
    def _balance(counts: dict[str, int]) -> str:
        if counts["JP"] == counts["RU"]:
            return ""
        return "JP" if counts["JP"] > counts["RU"] else "RU"

    def _role(self, linked: Linked, glued: bool, day: date | None) -> Linked | None:
        """Rules 1 and 2 for a role whose office (``linked.entity``) is known."""
        f = linked.found
        if glued:
            return None
        before = f.text[max(0, f.start - 12) : f.start].lower()
        if _FORMER.search(before) or _DEPUTY.search(before) or _GENERIC.search(before):
            return None
        after = f.text[f.end : f.end + 30]
        if _NEXT_CAPITALISED.match(after) and not after[1:].startswith(("And", "Of", "On", "In", "Said")):
            return None  # a title before a name the KB does not know: "Foreign Minister Penny Wong"
        if f.start > 0 and _is_kana_or_kanji(f.text[f.start - 1]):
            return None  # 「ウォン外相」: a Japanese role glued to an unknown name
        office = linked.entity
        if day is None:
            return Linked(office, f, role=office.id, via=linked.via, confidence=linked.confidence)
        holder = self.kb.holder(office.id, day)
        if holder is None:
            return Linked(office, f, role=office.id, via=linked.via, confidence=linked.confidence)
        return Linked(
            self.kb.entities[holder], f, role=office.id, via="role", confidence=0.9 * linked.confidence
        )

    def _contested(
        self,
        linked: Linked | None,
        adjacent_offices: set[str],
        named: dict[str, list[tuple[int, int]]],
        roles_in_article: set[str],
        day: date | None,
    ) -> Linked | None:
        """Rule 5: the owner of a contested alias keeps it unless a rival has stronger evidence."""
        if linked is None:
            return None
        f = linked.found
        owner = linked.entity.id
        rivals = [s.target for s in f.specs if s.short and s.target != owner]
        scored = self._scores(f, [owner, *rivals], adjacent_offices, named, roles_in_article, day)
        best = max(scored, default=None)
        if best is None or best[2] == owner:
            return linked
        own = max((s for s in scored if s[2] == owner), default=None)
        if own is not None and own[:2] >= best[:2]:
            return linked
        return Linked(self.kb.entities[best[2]], f, via="surname", confidence=0.9)

    def _scores(
        self,
        f: Found,
        candidates: list[str],
        adjacent_offices: set[str],
        named: dict[str, list[tuple[int, int]]],
        roles_in_article: set[str],
        day: date | None,
    ) -> list[tuple[int, tuple[int, int], str]]:
        """Rule 4's evidence for each candidate: (score, nearest naming before, id), score 0 left out.

        4: a role next to the name that the person held on the date; 3: one they ever held; 2: named
        in full in the article; 1: a role in the article that they held on the date.
        """
        here = _position(f)
        scored: list[tuple[int, tuple[int, int], str]] = []
        for cand in candidates:
            person = self.kb.entities[cand]
            score = 0
            if adjacent_offices & {t.office for t in person.offices}:
                score = 3
                if day is not None and any(
                    t.covers(day) and t.office in adjacent_offices for t in person.offices
                ):
                    score = 4
            positions = named.get(cand, [])  # this surname is added only once it is linked
            if positions and score < 3:
                score = 2
            if (
                not score
                and day is not None
                and any(t.covers(day) and t.office in roles_in_article for t in person.offices)
            ):
                score = 1
            if score:
                # the nearest naming before this surname wins over one further back or after it
                k = bisect.bisect_left(positions, here)
                nearest = positions[k - 1] if k > 0 else (-1, -1)
                scored.append((score, nearest, cand))
        return scored

    def _surname(
        self,
        f: Found,
        adjacent_offices: set[str],
        named: dict[str, list[tuple[int, int]]],
        orgs: dict[str, Entity],
        roles_in_article: set[str],
        day: date | None,
    ) -> Linked | None:
        """Rule 4: link an ambiguous short name only with evidence."""
        folded = f.folded[f.fstart : f.fend]
        japanese = _is_kana_or_kanji(f.surface[0])
        if not japanese:
            before = f.text[max(0, f.start - 20) : f.start]
            m = _CAPITALISED_WORD.search(before)
            if m and m.group(1).lower() not in self.kb.stop_before_short:
                # "Hiroshi Abe": an unknown given name makes it someone else; so does "Toshihiro
                # Suzuki", the carmaker's president, in an article that names Suzuki Motor
                return None
        org = orgs.get(folded)
        if org is not None and " " not in folded:
            # "Suzuki Motor ... where Suzuki controls": the company named in full, not a politician
            return Linked(org, f, via="surname", confidence=0.8)
        if japanese and not adjacent_offices and not f.text.startswith(_JA_HONORIFICS, f.end):
            return (
                None  # 「河野」alone is a common surname or a place; only 「河野氏」「河野外相」 are evidence
            )
        candidates = [s.target for s in f.specs if s.short]
        scored = self._scores(f, candidates, adjacent_offices, named, roles_in_article, day)
        if not scored:
            return None
        scored.sort(reverse=True)
        if len(scored) > 1 and scored[0][:2] == scored[1][:2]:
            return None  # two people with equal evidence: do not guess
        entity = self.kb.entities[scored[0][2]]
        return Linked(entity, f, via="surname", confidence={4: 0.95, 3: 0.9, 2: 0.9, 1: 0.7}[scored[0][0]])


def _position(f: Found) -> tuple[int, int]:
    """Reading-order position of a match: the title comes before the body."""
    return (0 if f.field == "title" else 1, f.start)
