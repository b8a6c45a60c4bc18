"""A generated evaluation set for deduplication: base stories, their copies, and hard negatives.

Base stories are written from sentence templates about Japan–Russia diplomacy, filled with the same
people, places and numbers for every story of one *event*, and each event gets several distinct stories
(statement, reaction, background) that share names, set phrases and the background paragraphs wires
reuse — the hard negatives. Each story then gets copies made the ways copies really differ: retitled,
paragraphs reordered, site chrome added or removed, lead cut, one or two sentences edited, an agency
line added, another URL. Everything is seeded: the same seed gives the same set.

>>> ev = build_evalset(events=2, seed=3)
>>> len({a["story"] for a in ev}) >= 4 and all(a["body"] for a in ev)
True
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import combinations
from typing import Any

_SPEAKERS = [
    ("Chief Cabinet Secretary", "Yoshimasa Hayashi", "Japan"),
    ("Foreign Minister", "Yoko Kamikawa", "Japan"),
    ("Prime Minister", "Fumio Kishida", "Japan"),
    ("Foreign Minister", "Sergei Lavrov", "Russia"),
    ("Foreign Ministry spokeswoman", "Maria Zakharova", "Russia"),
    ("Kremlin spokesman", "Dmitry Peskov", "Russia"),
    ("Deputy Foreign Minister", "Andrei Rudenko", "Russia"),
    ("Minister for Okinawa and Northern Territories Affairs", "Hanako Jimi", "Japan"),
    ("Ambassador to Japan", "Nikolai Nozdrev", "Russia"),
    ("Defense Minister", "Minoru Kihara", "Japan"),
]
_TOPICS = [
    ("fishing quotas near the disputed islands", "the fisheries agreement", "salmon and crab catches"),
    ("visa-free visits by former island residents", "the exchange program", "grave visits"),
    ("sanctions over the war in Ukraine", "export restrictions", "frozen assets"),
    ("a peace treaty ending World War II hostilities", "the territorial dispute", "the 1956 declaration"),
    ("the Sakhalin-2 liquefied natural gas project", "energy supplies", "gas shipments"),
    ("military drills on the Kuril Islands", "air defense exercises", "naval patrols"),
    ("the detention of a Japanese diplomat in Vladivostok", "consular access", "the expulsion of envoys"),
    ("Russian bombers flying near Japanese airspace", "the scrambling of fighter jets", "air patrols"),
]
_PLACES = ["Tokyo", "Moscow", "Vladivostok", "Sapporo", "Yuzhno-Sakhalinsk", "Nemuro", "Osaka", "Khabarovsk"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

_STATEMENT = [
    "{s_title} {s_name} said on {day} that {s_country} would not change its position on {topic}.",
    "{s_name} told a news conference in {place} that talks on {topic2} could resume only if {o_country} "
    "showed goodwill.",
    '"We will respond firmly and calmly to any step that harms our national interests," {s_name} said.',
    "The remarks came after {o_name} criticized {s_country} over {topic3} earlier in the week.",
    "{s_name} added that {s_country} had conveyed its concerns to {o_country} through diplomatic channels.",
    "According to {s_name}, officials of the two countries met in {place} last month but made no progress.",
    "{s_country} has repeatedly called on {o_country} to return to negotiations on {topic2}.",
    '"The door to dialogue remains open, but the responsibility lies with {o_country}," {s_name} stressed.',
    "{s_name} declined to say when the next round of consultations on {topic2} would take place.",
    "The {s_title} said the government was studying {number} proposals submitted by local fishermen.",
    "{s_name} said {s_country} expected {o_country} to honor commitments made in previous agreements.",
    "Asked about {topic3}, {s_name} said it was too early to draw conclusions.",
    "{s_name} said the government would brief lawmakers on {topic2} before the end of the month.",
    "The {s_title} also said {s_country} was closely watching developments around {topic3}.",
    "Speaking after a cabinet meeting in {place}, {s_name} said the matter had been raised with allies.",
    "{s_name} said {s_country} had lodged a protest on {day} and demanded an explanation within days.",
    "Japanese media reported that {number} lawmakers had urged {s_name} to take a harder line on {topic3}.",
    "{s_name} stressed that any agreement on {topic2} would have to respect international law.",
    "The ministry in {place} published a summary of the meeting but gave no figures for {topic3}.",
    "In parliament, opposition members pressed {s_name} on why the issue of {topic2} had stalled.",
    "{s_name} called the situation regrettable and said patience was needed on {topic}.",
    "A senior official traveling with {s_name} said working groups had drafted {number} pages of notes.",
    "{s_name} said the decision on {topic3} had been taken after consultations with coastal towns.",
    "Budget documents show {s_country} has set aside funds for {topic2} for the coming fiscal year.",
]
_REACTION = [
    "{o_title} {o_name} rejected the criticism on {day}, calling it an attempt to shift the blame.",
    "In a statement posted online, {o_name} said {s_country} had chosen confrontation over cooperation.",
    '"Such statements do not help to create an atmosphere of trust," {o_name} told reporters in {place}.',
    "{o_name} said {o_country} would consider retaliatory measures if {s_country} expanded {topic3}.",
    "Officials in {place} said they had not received any formal proposal concerning {topic2}.",
    "{o_name} accused {s_country} of following the lead of Washington on {topic}.",
    "The ministry said {number} vessels had been affected by the latest decision on {topic3}.",
    "Analysts in {place} said the exchange reflected a deep freeze in relations between the two neighbors.",
    "{o_name} said the position of {o_country} on {topic2} had been explained many times.",
    "Diplomats in {place} said a working-level meeting on {topic3} had been postponed indefinitely.",
    "State television in {o_country} showed {o_name} meeting regional governors in {place} on {day}.",
    "{o_name} said the {number} demands put forward by {s_country} were unacceptable.",
    "Business groups in {place} warned that {topic3} was already costing local firms customers.",
    "Commentators in the {o_country} press said {s_name} was speaking mainly to a domestic audience.",
    "{o_name} said {o_country} remained ready for contacts if {s_country} changed course on {topic}.",
    "A spokesperson for the regional administration in {place} declined to comment on {topic3}.",
    "{o_name} recalled that the two sides had agreed on a framework for {topic2} years ago.",
    "Fishermen's associations in {place} said {number} crews were waiting for clarity on {topic3}.",
    "Experts interviewed in {place} said neither side had an incentive to compromise before elections.",
    "{o_name} said the remarks by {s_name} contradicted earlier assurances given to {o_country}.",
    "{o_name} said contacts at the working level continued despite the tensions over {topic2}.",
    "The {o_title} noted that {o_country} had warned {s_country} about the consequences months ago.",
    "Local officials in {place} voiced concern that {topic3} would hurt the regional economy.",
    "{o_name} said {o_country} saw no grounds for talks on {topic} under the current circumstances.",
]
_QUOTES = [
    '"We will respond firmly and calmly to any step that harms our national interests," {s_name} said.',
    '"The door to dialogue remains open, but the responsibility lies with {o_country}," {s_name} stressed.',
    '"Such statements do not help to create an atmosphere of trust," {o_name} told reporters in {place}.',
    '"We have made our position absolutely clear to our partners in {o_country}," {s_name} said.',
]
_BACKGROUND = [
    "The islands, seized by the Soviet Union at the end of World War II, are called the Northern "
    "Territories in Japan and the Southern Kurils in Russia.",
    "The dispute has prevented the two countries from signing a peace treaty formally ending the war.",
    "Relations between Tokyo and Moscow have deteriorated sharply since Russia invaded Ukraine in "
    "February 2022 and Japan joined Western sanctions.",
    "Russia suspended talks on a peace treaty in March 2022, citing Japan's unfriendly position.",
    "Former Japanese residents of the islands have been unable to visit family graves there since 2020.",
    "Japan and Russia signed a joint declaration in 1956 that envisaged the handover of two of the "
    "islands after a peace treaty.",
]
_CHROME_TOP = [
    ["Since 1975", "• facebook", "• twitter", "Short Url:", "{date} GMT9"],
    ["All news", "© AP Photo/Eugene Hoshiko"],
    ["Subscribe", "Newsfeed"],
    ["{s_name} speaks during a news conference in {place} on {day}. (AFP)"],
]
_CHROME_BOTTOM = [
    ["topics", "Most Popular", "Recommended", "return to top"],
    ["To participate in the discussion", "log in or register", "loader"],
    ["Read more", "Related"],
]
_AGENCY_LINES = [
    lambda place: (None, "JIJI Press"),
    lambda place: (f"{place.upper()} (Kyodo) -- ", None),
    lambda place: (f"{place.upper()}, October 6. /TASS/. ", None),
    lambda place: (None, "(Reuters)"),
]
_TITLES = [
    "{s_country} firm on {topic_short} as {o_country} hits back",
    "{s_name} rules out shift on {topic_short}",
    "{o_country} rejects {s_country} criticism over {topic_short}",
    "Tensions rise over {topic_short}",
    "{s_name}: door to talks on {topic_short} still open",
    "{place} watches as {topic_short} row deepens",
]
_EDIT_SENTENCES = [
    "Officials said further details would be announced later.",
    "The statement was also published on the ministry's website.",
    "No date has been set for a follow-up meeting.",
    "The issue is expected to be raised again at the next cabinet meeting.",
]


#: Wording that varies between events (one choice per event), as real reporters word alike facts
#: differently: without it, stories of two events with the same people and topic would repeat whole
#: template sentences verbatim, which real different stories do not.
_WORDING = {
    " said ": (" said ", " stated ", " noted ", " insisted "),
    " told ": (" told ", " informed ", " assured "),
    "talks": ("talks", "negotiations", "consultations", "dialogue"),
    "government": ("government", "cabinet", "administration"),
    "officials": ("officials", "representatives", "diplomats"),
    "concern": ("concern", "alarm", "unease"),
    "criticized": ("criticized", "condemned", "denounced"),
    "earlier": ("earlier", "previously", "already"),
    "latest": ("latest", "recent", "new"),
    "position": ("position", "stance", "line"),
    "month": ("month", "quarter", "season"),
    "would": ("would", "will", "could"),
    "the two": ("the two", "both", "the two neighboring"),
    "reporters": ("reporters", "journalists", "the press"),
    "consider": ("consider", "weigh", "prepare"),
    "proposals": ("proposals", "requests", "petitions"),
}


def _fill(template: str, slots: dict[str, Any]) -> str:
    text = template.format(**slots)
    for word, choice in slots.get("_wording", {}).items():  # type: ignore[union-attr]
        text = text.replace(word, choice)
    return text


def _event_slots(rng: random.Random, when: datetime, speaker_topic: tuple[int, int]) -> dict[str, Any]:
    speaker, topic = _SPEAKERS[speaker_topic[0]], _TOPICS[speaker_topic[1]]
    other = rng.choice([s for s in _SPEAKERS if s[2] != speaker[2]])
    return {
        "s_title": speaker[0], "s_name": speaker[1], "s_country": speaker[2],
        "o_title": other[0], "o_name": other[1], "o_country": other[2],
        "topic": topic[0], "topic2": topic[1], "topic3": topic[2],
        "topic_short": topic[1].removeprefix("the "),
        "place": rng.choice(_PLACES), "day": _DAYS[when.weekday()], "number": str(rng.randint(2, 60)),
        "date": when.strftime("%d %b %Y %H:%M:%S"),
        "_wording": {w: rng.choice(alts) for w, alts in _WORDING.items()},
    }  # type: ignore[dict-item]  # fmt: skip


def _story(rng: random.Random, slots: dict[str, Any], own: list[str], shared: list[str]) -> list[list[str]]:
    """Paragraphs (lists of sentences) of one story: its own sentences, then the event's shared ones.

    ``own`` templates are not used by the event's other stories; ``shared`` (a key quote and a
    background paragraph) are, as wires on one event repeat the same quote and boilerplate.
    """
    sentences = [_fill(t, slots) for t in own]
    paragraphs: list[list[str]] = []
    i = 0
    while i < len(sentences):
        size = rng.choice((1, 2, 2))
        paragraphs.append(sentences[i : i + size])
        i += size
    quote, background = (_fill(t, slots) for t in shared)
    paragraphs.insert(rng.randint(1, 2), [quote])
    paragraphs.insert(rng.randint(3, len(paragraphs)), [background])
    return paragraphs


def _render(paragraphs: list[list[str]]) -> str:
    return "\n\n".join(" ".join(p) for p in paragraphs)


# -- copy transformations of the body: (rng, paragraphs) -> paragraphs --


def _reorder(rng: random.Random, paras: list[list[str]]) -> list[list[str]]:
    body = paras[1:]
    rng.shuffle(body)
    return [paras[0], *body]


def _cut_lead(rng: random.Random, paras: list[list[str]]) -> list[list[str]]:
    return paras[1:]


def _edit_sentences(rng: random.Random, paras: list[list[str]]) -> list[list[str]]:
    paras = [list(p) for p in paras]
    for _ in range(rng.choice((1, 2))):
        p = rng.randrange(len(paras))
        s = rng.randrange(len(paras[p]))
        words = paras[p][s].split()
        if rng.random() < 0.5 and len(words) > 6:  # reword: drop a word and append a clause
            del words[rng.randrange(1, len(words) - 1)]
            paras[p][s] = " ".join(words).rstrip(".") + ", officials said."
        else:  # replace the sentence with another
            paras[p][s] = rng.choice(_EDIT_SENTENCES)
    return paras


_Transform = Callable[[random.Random, list[list[str]]], list[list[str]]]
_BODY_TRANSFORMS: list[tuple[str, _Transform]] = [
    ("reordered", _reorder),
    ("lead_cut", _cut_lead),
    ("sentences_edited", _edit_sentences),
]
_FRAME_TRANSFORMS = ("chrome_added", "agency_line", "retitled", "new_url")


def build_evalset(
    events: int = 40, stories_per_event: int = 3, copies: int = 4, seed: int = 7
) -> list[dict[str, Any]]:
    """Articles as the pipeline sees them, with ``story`` (the truth: equal = duplicates) and ``changes``.

    ``events`` events x ``stories_per_event`` distinct stories each (hard negatives of each other) x
    (1 original + ``copies`` copies, each made by one to three transformations).
    """
    rng = random.Random(seed)
    # Distinct events differ in speaker or topic: two events with both equal would be one story told twice.
    combos = [(s, t) for s in range(len(_SPEAKERS)) for t in range(len(_TOPICS))]
    if events > len(combos):
        raise ValueError(f"at most {len(combos)} events, asked for {events}")
    picked = rng.sample(combos, events)
    articles: list[dict[str, Any]] = []
    start = datetime(2024, 1, 8, 3, tzinfo=UTC)
    for e in range(events):
        when = start + timedelta(hours=7 * e)
        slots = _event_slots(rng, when, picked[e])
        # The event's stories share a key quote and a background paragraph but no other sentence.
        shared = [rng.choice(_QUOTES), rng.choice(_BACKGROUND)]
        statement, reaction = rng.sample(_STATEMENT, len(_STATEMENT)), rng.sample(_REACTION, len(_REACTION))
        per = min(len(_STATEMENT), len(_REACTION)) // stories_per_event
        if per < 3:
            raise ValueError(f"too many stories per event ({stories_per_event}) for the sentence templates")
        for st in range(stories_per_event):
            story = f"e{e:03d}s{st}"
            lead, follow = (statement, reaction) if st % 2 == 0 else (reaction, statement)
            own = lead[st * per : (st + 1) * per] + follow[st * per : st * per + per // 2]
            paras = _story(rng, slots, own, shared)
            title = _fill(rng.choice(_TITLES), slots)
            published = when + timedelta(minutes=rng.randint(0, 240))
            articles.append(_article(story, 0, title, _render(paras), published, ["original"]))
            for c in range(1, copies + 1):
                articles.append(_copy(rng, story, c, title, paras, slots, published))
    return articles


def _copy(
    rng: random.Random,
    story: str,
    n: int,
    title: str,
    paras: list[list[str]],
    slots: dict[str, Any],
    when: datetime,
) -> dict[str, Any]:
    changes: list[str] = []
    for name, fn in rng.sample(_BODY_TRANSFORMS, rng.randint(1, 2)):
        paras = fn(rng, paras)
        changes.append(name)
    top: list[str] = []
    bottom: list[str] = []
    text_prefix = ""
    for name in rng.sample(_FRAME_TRANSFORMS, rng.randint(1, 3)):
        changes.append(name)
        if name == "chrome_added":
            top = [_fill(line, slots) for line in rng.choice(_CHROME_TOP)]
            bottom = rng.choice(_CHROME_BOTTOM)
        elif name == "agency_line":
            prefix, line = rng.choice(_AGENCY_LINES)(slots["place"])
            text_prefix = prefix or ""
            bottom = [*bottom, line] if line else bottom
        elif name == "retitled":
            title = _fill(rng.choice(_TITLES), slots) + rng.choice(["", " - report", " | Kyodo"])
    body = _render(paras)
    body = "\n".join([*top, text_prefix + body, *bottom])
    return _article(story, n, title, body, when + timedelta(minutes=rng.randint(1, 600)), changes)


def _article(story: str, n: int, title: str, body: str, when: datetime, changes: list[str]) -> dict[str, Any]:
    aid = f"{story}c{n}"
    return {
        "article_id": aid,
        "source_id": ("arabnews", "tass", "sputnik", "japanforward", "kyodo")[n % 5],
        "url": f"https://news.example/{n}/{aid}",
        "title": title,
        "body": body,
        "published_at": when,
        "story": story,
        "changes": changes,
    }


def true_pairs(articles: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """Pairs of article ids (sorted) that are copies of one story."""
    by_story: dict[str, list[str]] = {}
    for a in articles:
        by_story.setdefault(a["story"], []).append(a["article_id"])
    return {tuple(sorted(p)) for ids in by_story.values() for p in combinations(ids, 2)}  # type: ignore[misc]


def clustered_pairs(clusters: dict[str, str]) -> set[tuple[str, str]]:
    """Pairs of article ids placed in one cluster, from ``{article_id: cluster_id}``."""
    by_cluster: dict[str, list[str]] = {}
    for aid, cid in clusters.items():
        by_cluster.setdefault(cid, []).append(aid)
    return {tuple(sorted(p)) for ids in by_cluster.values() for p in combinations(ids, 2)}  # type: ignore[misc]
