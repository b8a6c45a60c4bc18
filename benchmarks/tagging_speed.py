"""Tagger speed: ``Tagger.tag`` + ``Tagger.relevance``, the working tree beside the code before the speed-up.

    .venv/bin/python benchmarks/tagging_speed.py                 # articles/s and MB/s, old and new
    .venv/bin/python benchmarks/tagging_speed.py --rev <commit>  # compare with another revision
    .venv/bin/python benchmarks/tagging_speed.py --write-reference [--rev HEAD]

Issue 7 asks the tagger for at least 1.5x its speed with byte-identical output. The old code is taken
from git (``git show <rev>:pipeline/tagging/<file>``) into a temporary directory and imported under a
private package name, so both versions run in one process on the same texts, in alternating rounds
(the machine is shared: alternating spreads any load evenly over both). Time is CPU time of this
process, the cost per core.

The texts are the speed corpus (:func:`speed_corpus`): the sample corpus articles, the tagging
evaluation sets (development, held-out, traps), and 300 synthetic articles of 0.3 to 8 KB mixing the
sentences of both, drawn with a fixed seed. Before timing, the outputs of both versions are compared:
every mention field, in order, and the relevance float must be identical.

``--write-reference`` stores the corpus and the outputs of ``--rev`` (default: the revision before the
speed-up) as ``tests/tagging/speed_reference.json``, the fixture of
``tests/tagging/test_tagging_speed_equivalence.py``. The fixture holds its own inputs and a fingerprint
of the knowledge base, so later edits of the sample corpus cannot break it. After an edit of the KB,
regenerate it as it is (the old code's outputs on the new KB); after a deliberate change of the
tagger's output, regenerate it with ``--rev HEAD`` from the committed change.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import random
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(REPO))

from pipeline.tagging import Tagger  # noqa: E402
from pipeline.tagging.evaluation import load_passages, load_sample_articles  # noqa: E402
from pipeline.tagging.kb import default_kb_dir  # noqa: E402

#: the last commit before the speed-up of issue 7: the "old code" of the comparison
REFERENCE_REV = "99b4844a0192f77b76acf378d4921545d9ad12fb"
REFERENCE_FILE = REPO / "tests" / "tagging" / "speed_reference.json"
SAMPLE_CONTENT = REPO / "pipeline" / "sample" / "content"
EVAL_DIR = REPO / "tests" / "tagging" / "eval"
SYNTHETIC_COUNT = 300
SYNTHETIC_SEED = 20261123
#: the share of synthetic articles in each language: roughly that of the outlets dipnews reads
LANGUAGE_MIX = {"en": 0.5, "ru": 0.3, "ja": 0.2}
#: cases per turn of each tagger in :func:`compare`
CHUNK = 10
# The modules the tagger is made of (``evaluation`` and the CLI are not needed to tag).
_MODULES = ("kb", "localtime", "matcher", "mention", "normalize", "relevance", "resolve", "tagger")
_SOURCES = ("tass", "sputnik", "arabnews", "sankei", None)
_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+|(?<=。)")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_KANA_OR_KANJI = re.compile("[\u3040-\u30ff\u3400-\u9fff]")


@dataclass(frozen=True)
class Case:
    """One article to tag: the arguments of ``Tagger.tag`` (``title`` and ``body`` also go to relevance)."""

    key: str
    title: str
    body: str
    published_at: datetime | date | None
    language: str | None
    source_id: str | None

    def size(self) -> int:
        """UTF-8 bytes of title and body."""
        return len(self.title.encode()) + len(self.body.encode())


Output = tuple[list[tuple[Any, ...]], float]  # (every Mention as a tuple of its fields, relevance)


# -- the corpus -----------------------------------------------------------------------------------------
def real_cases() -> list[Case]:
    """The sample corpus articles and the passages of the evaluation sets."""
    cases = [
        Case(f"sample/{a.key}", a.title, a.body, a.published_at, a.language, a.source_id)
        for a in load_sample_articles(SAMPLE_CONTENT)
    ]
    for subset in ("", "heldout", "traps"):
        for p in load_passages(EVAL_DIR / subset):
            cases.append(Case(f"eval/{subset or 'dev'}/{p.id}", p.title, p.text, p.date, p.language, None))
    return cases


def sentence_pool(cases: Sequence[Case]) -> list[str]:
    """The distinct sentences of ``cases`` (titles too), English first, then Japanese and Russian.

    The sample corpus is nearly all English; the evaluation passages add most of the Russian and
    Japanese sentences.
    """
    pool: dict[str, dict[str, None]] = {}
    for case in cases:
        for paragraph in f"{case.title}\n{case.body}".split("\n"):
            for sentence in _SENTENCE_END.split(paragraph):
                if sentence.strip():
                    pool.setdefault(_language_of(sentence), {}).setdefault(sentence.strip(), None)
    return [sentence for _, sentences in sorted(pool.items()) for sentence in sentences]


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text)


def _halfwidth_kana(text: str) -> str:
    # NFD first, so that ガ becomes カ + U+3099 and then ｶ + ﾞ, as half-width text spells it
    return "".join(_HALF_KANA.get(c, c) for c in unicodedata.normalize("NFD", text))


_HALF_KANA = {
    **{unicodedata.normalize("NFKC", chr(cp)): chr(cp) for cp in range(0xFF66, 0xFF9E)},
    "\u3099": "\uff9e",
    "\u309a": "\uff9f",
    "・": "\uff65",
}
#: the ways a synthetic article may respell a sentence: each sends the normaliser or the case checks
#: down another path (decomposed diacritics, full-width Latin, half-width kana, all caps)
TRANSFORMS: dict[str, Callable[[str], str]] = {
    "nfd": lambda s: unicodedata.normalize("NFD", s),
    "upper": str.upper,
    "lower": str.lower,
    "fullwidth": _fullwidth,
    "halfwidth": _halfwidth_kana,
}


def synthetic_recipes(
    pool: Sequence[str], count: int = SYNTHETIC_COUNT, seed: int = SYNTHETIC_SEED
) -> list[dict[str, Any]]:
    """Seeded random articles as recipes over ``pool``: sentence indices, or ``[index, transform]``.

    Articles are in English, Russian and Japanese as :data:`LANGUAGE_MIX` says, and most keep to one
    language, as news does; one in five draws about a third of its sentences from the other languages
    (a Russian quote in an English story), so the matcher sees every mix of scripts. In one article in
    ten, one sentence in four is respelled by one of :data:`TRANSFORMS` (the normaliser's slow path is
    rare in news, but it must give the same output). Sizes run from a few sentences to about 8 KB, and
    the dates, languages and sources vary the resolver's paths.
    """
    rng = random.Random(seed)
    by_language: dict[str, list[int]] = {}
    for index, sentence in enumerate(pool):
        by_language.setdefault(_language_of(sentence), []).append(index)
    languages = sorted(by_language)
    transforms = sorted(TRANSFORMS)

    def pick(language: str, respelled: bool) -> int | list[Any]:
        index = rng.choice(by_language[language])
        return [index, rng.choice(transforms)] if respelled and rng.random() < 0.25 else index

    recipes = []
    for n in range(count):
        language = rng.choices(languages, [LANGUAGE_MIX[lang] for lang in languages])[0]
        respelled = rng.random() < 0.1
        mixed = rng.random() < 0.2
        target = rng.choice((300, 1000, 2500, 5000, 8000))
        body: list[int | list[Any]] = []
        size = 0
        while size < target:
            body.append(pick(rng.choice(languages) if mixed and rng.random() < 0.3 else language, respelled))
            size += len(pool[body[-1] if isinstance(body[-1], int) else body[-1][0]].encode())
        title = (
            [pick(language if rng.random() < 0.9 else rng.choice(languages), respelled)]
            if rng.random() < 0.8
            else []
        )
        day = date(2012, 1, 1) + timedelta(days=rng.randrange(14 * 365))
        moment = datetime(day.year, day.month, day.day, rng.randrange(24), tzinfo=UTC)
        tokyo = moment.astimezone(timezone(timedelta(hours=9)))
        recipes.append(
            {
                "key": f"synthetic/{n}",
                "title": title,
                "body": body,
                "separator": rng.choice([" ", "\n\n"]),
                "published_at": rng.choice([None, day.isoformat(), moment.isoformat(), tokyo.isoformat()]),
                "language": language if rng.random() < 0.8 else None,
                "source_id": rng.choice(_SOURCES),
            }
        )
    return recipes


def _language_of(sentence: str) -> str:
    if _CYRILLIC.search(sentence):
        return "ru"
    return "ja" if _KANA_OR_KANJI.search(sentence) else "en"


def synthetic_case(recipe: dict[str, Any], pool: Sequence[str]) -> Case:
    """The article a recipe of :func:`synthetic_recipes` describes."""

    def sentence(item: int | list[Any]) -> str:
        if isinstance(item, int):
            return pool[item]
        index, transform = item
        return TRANSFORMS[transform](pool[index])

    return Case(
        recipe["key"],
        " ".join(sentence(item) for item in recipe["title"]),
        recipe["separator"].join(sentence(item) for item in recipe["body"]),
        _parse_moment(recipe["published_at"]),
        recipe["language"],
        recipe["source_id"],
    )


def speed_corpus() -> list[Case]:
    """Every case of the comparison: real ones first, then :data:`SYNTHETIC_COUNT` synthetic articles."""
    cases = real_cases()
    pool = sentence_pool(cases)
    return cases + [synthetic_case(r, pool) for r in synthetic_recipes(pool)]


def _parse_moment(value: str | None) -> datetime | date | None:
    if value is None:
        return None
    return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)


def _moment_json(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


# -- the code to compare --------------------------------------------------------------------------------
def reference_package(rev: str, workdir: Path) -> ModuleType:
    """The ``pipeline.tagging`` package of git revision ``rev``, importable beside the current one.

    Its modules are written to ``workdir/_tagging_<rev>/`` with their ``pipeline.tagging`` imports
    renamed, so the two versions share no module objects. Raises :class:`LookupError` when git or the
    revision is not there (a shallow clone, a source tarball).
    """
    name = "_tagging_" + re.sub(r"\W", "_", rev[:12])
    package = workdir / name
    package.mkdir(parents=True, exist_ok=True)
    for module in ("__init__", *_MODULES):
        command = ["git", "-C", str(REPO), "show", f"{rev}:pipeline/tagging/{module}.py"]
        try:
            source = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        except (OSError, subprocess.CalledProcessError) as exc:
            detail = exc.stderr.strip() if isinstance(exc, subprocess.CalledProcessError) else str(exc)
            raise LookupError(
                f"cannot read pipeline/tagging/{module}.py at revision {rev}: {detail}"
            ) from exc
        renamed = source.replace("pipeline.tagging.", f"{name}.")
        (package / f"{module}.py").write_text(renamed, encoding="utf-8")
    if str(workdir) not in sys.path:
        sys.path.insert(0, str(workdir))
    return importlib.import_module(name)


def tag_and_score(tagger: Any, case: Case) -> tuple[list[Any], float]:
    """Tag one case and score its relevance, as TagEntities does: what the benchmark times."""
    mentions = tagger.tag(
        case.body,
        title=case.title,
        published_at=case.published_at,
        language=case.language,
        source_id=case.source_id,
    )
    return mentions, tagger.relevance(mentions, body=case.body, title=case.title)


def run_case(tagger: Any, case: Case) -> Output:
    """:func:`tag_and_score` with every mention as the tuple of its fields, comparable across versions."""
    mentions, relevance = tag_and_score(tagger, case)
    fields = mentions[0].__slots__ if mentions else ()
    return [tuple(getattr(m, f) for f in fields) for m in mentions], relevance


def kb_fingerprint(kb_dir: Path | None = None) -> str:
    """SHA-256 over the knowledge base files (names and bytes), to tell whether a fixture is stale."""
    digest = hashlib.sha256()
    for path in sorted((kb_dir or default_kb_dir()).glob("*.toml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


# -- the reference fixture ------------------------------------------------------------------------------
def output_digest(output: Output) -> str:
    """SHA-256 of an output as JSON: every field of every mention (floats by their exact repr), relevance."""
    mentions, relevance = output
    payload = json.dumps([[list(m) for m in mentions], relevance], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def write_reference(tagger: Any, rev: str, path: Path = REFERENCE_FILE) -> None:
    """Store the corpus and the outputs of ``tagger`` (the code of ``rev``) for the equivalence test.

    Real cases are stored whole with their mentions in full, so a failing test can show the difference;
    synthetic ones as recipes over the stored sentence pool, with their relevance, mention count and
    :func:`output_digest` (their mentions in full would make the file ten times larger).
    """
    real = real_cases()
    pool = sentence_pool(real)
    entries: list[dict[str, Any]] = [
        {
            "key": c.key,
            "title": c.title,
            "body": c.body,
            "published_at": _moment_json(c.published_at),
            "language": c.language,
            "source_id": c.source_id,
        }
        for c in real
    ]
    entries += synthetic_recipes(pool)
    expected: dict[str, dict[str, Any]] = {}
    for entry in entries:
        output = run_case(tagger, _case_of(entry, pool))
        mentions, relevance = output
        if entry["key"].startswith("synthetic/"):
            expected[entry["key"]] = {
                "relevance": relevance,
                "count": len(mentions),
                "sha256": output_digest(output),
            }
        else:
            expected[entry["key"]] = {"relevance": relevance, "mentions": [list(m) for m in mentions]}
    header = {
        "about": "Inputs and outputs of Tagger.tag + Tagger.relevance for "
        "tests/tagging/test_tagging_speed_equivalence.py, written by "
        "benchmarks/tagging_speed.py --write-reference: never edit by hand.",
        "rev": rev,
        "kb_fingerprint": kb_fingerprint(),
        "mention_fields": list(_mention_fields()),
    }
    # One sentence, case or output per line: the file stays reviewable in a diff.
    lines = ["{"] + [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in header.items()]
    for name, rows in (
        ("pool", [json.dumps(sentence, ensure_ascii=False) for sentence in pool]),
        ("cases", [json.dumps(entry, ensure_ascii=False) for entry in entries]),
        ("expected", [f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in expected.items()]),
    ):
        opener, closer = ("{", "}") if name == "expected" else ("[", "]")
        comma = "" if name == "expected" else ","
        lines.append(f"  {json.dumps(name)}: {opener}\n    " + ",\n    ".join(rows) + f"\n  {closer}{comma}")
    lines.append("}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class Expected:
    """A stored output: mentions in full (real cases) or their count and digest (synthetic ones)."""

    relevance: float
    mentions: list[tuple[Any, ...]] | None
    count: int
    sha256: str

    def matches(self, output: Output) -> bool:
        """Whether ``output`` is identical to the stored one."""
        mentions, relevance = output
        if self.mentions is not None:
            return mentions == self.mentions and repr(relevance) == repr(self.relevance)
        return output_digest(output) == self.sha256


def read_reference(path: Path = REFERENCE_FILE) -> tuple[dict[str, Any], list[tuple[Case, Expected]]]:
    """The fixture's header (``rev``, ``kb_fingerprint``, ``mention_fields``) and its cases with outputs."""
    document = json.loads(path.read_text(encoding="utf-8"))
    pool = document["pool"]
    pairs = []
    for entry in document["cases"]:
        out = document["expected"][entry["key"]]
        full = out.get("mentions")
        mentions = [tuple(m) for m in full] if full is not None else None
        count = len(mentions) if mentions is not None else out["count"]
        pairs.append(
            (_case_of(entry, pool), Expected(out["relevance"], mentions, count, out.get("sha256", "")))
        )
    header = {k: document[k] for k in ("rev", "kb_fingerprint", "mention_fields")}
    return header, pairs


def _case_of(entry: dict[str, Any], pool: Sequence[str]) -> Case:
    """A stored case: a recipe (synthetic) or the article itself."""
    if entry["key"].startswith("synthetic/"):
        return synthetic_case(entry, pool)
    return Case(
        entry["key"],
        entry["title"],
        entry["body"],
        _parse_moment(entry["published_at"]),
        entry["language"],
        entry["source_id"],
    )


def _mention_fields() -> tuple[str, ...]:
    from pipeline.tagging.mention import Mention

    return Mention.__slots__


# -- timing ---------------------------------------------------------------------------------------------
def time_round(tagger: Any, cases: Sequence[Case]) -> float:
    """CPU seconds to tag and score every case once."""
    start = time.process_time()
    for case in cases:
        tag_and_score(tagger, case)
    return time.process_time() - start


def compare(
    taggers: dict[str, Any], groups: dict[str, list[Case]], rounds: int, report: Callable[[str], None] = print
) -> dict[str, dict[str, float]]:
    """Time each tagger on each group of cases; print a table, return the CPU seconds and speed-ups.

    The taggers take turns on chunks of :data:`CHUNK` cases, so a burst of load from another process
    hits both about equally; each figure is the best of ``rounds`` (the least disturbed).
    """
    best: dict[tuple[str, str], float] = {}
    for round_ in range(rounds):
        for group, cases in groups.items():
            spent = dict.fromkeys(taggers, 0.0)
            for first in range(0, len(cases), CHUNK):
                chunk = cases[first : first + CHUNK]
                order = list(taggers) if (round_ + first // CHUNK) % 2 == 0 else list(reversed(taggers))
                for name in order:
                    spent[name] += time_round(taggers[name], chunk)
            for name, seconds in spent.items():
                best[(group, name)] = min(best.get((group, name), seconds), seconds)
    names = list(taggers)
    head = f"{'corpus':28} {'articles':>8} {'KB/art':>7}"
    for name in names:
        head += f" {name + ' art/s':>13} {name + ' MB/s':>12}"
    report(head + f" {'speed-up':>9}")
    figures: dict[str, dict[str, float]] = {}
    for group, cases in groups.items():
        size = sum(c.size() for c in cases)
        row = f"{group:28} {len(cases):8} {size / len(cases) / 1000:7.2f}"
        for name in names:
            seconds = best[(group, name)]
            row += f" {len(cases) / seconds:13.0f} {size / seconds / 1e6:12.2f}"
            figures.setdefault(group, {})[name] = seconds
        speedup = best[(group, names[0])] / best[(group, names[-1])]
        figures[group]["speedup"] = speedup
        report(row + f" {speedup:8.2f}x")
    return figures


def corpus_groups(cases: list[Case]) -> dict[str, list[Case]]:
    """The speed corpus by kind of text, as the benchmark reports it, and all of it."""
    return {
        "sample corpus": [c for c in cases if c.key.startswith("sample/")],
        "evaluation passages": [c for c in cases if c.key.startswith("eval/")],
        "synthetic (0.3-8 KB)": [c for c in cases if c.key.startswith("synthetic/")],
        "all": cases,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--rev", default=REFERENCE_REV, help="git revision of the old code (default: %(default)s)"
    )
    parser.add_argument("--rounds", type=int, default=5, help="timing rounds per version (best one counts)")
    parser.add_argument(
        "--write-reference", action="store_true", help=f"write {REFERENCE_FILE.relative_to(REPO)} from --rev"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tagging-ref-") as tmp:
        try:
            old_package = reference_package(args.rev, Path(tmp))
        except LookupError as exc:
            print(f"tagging_speed: {exc}", file=sys.stderr)
            return 2
        old = old_package.Tagger.load(default_kb_dir())
        if args.write_reference:
            write_reference(old, args.rev)
            print(f"wrote {REFERENCE_FILE} from {args.rev}")
            return 0
        new = Tagger.load()
        cases = speed_corpus()
        differ = [c.key for c in cases if run_case(old, c) != run_case(new, c)]
        mentions = sum(len(run_case(new, c)[0]) for c in cases)
        print(
            f"{len(cases)} articles, {mentions} mentions: outputs of {args.rev[:12]} and the working tree "
            f"{'IDENTICAL' if not differ else f'DIFFER on {len(differ)}: {differ[:5]}'}"
        )
        groups = corpus_groups(cases)
        print(
            f"CPU time, best of {args.rounds} alternating rounds; old = {args.rev[:12]}, new = working tree"
        )
        compare({"old": old, "new": new}, groups, args.rounds)
        return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
