"""The tagger's output is byte-identical to the reference outputs stored before its speed-up (issue 7).

The fixture ``speed_reference.json`` holds its own inputs (the sample corpus articles, the evaluation
passages and 300 synthetic articles as recipes over a sentence pool) and the outputs of the code of
its ``rev``: every Mention field in order and the relevance float (the synthetic articles' outputs as
a SHA-256 digest). It is written by ``benchmarks/tagging_speed.py --write-reference``; its
knowledge-base fingerprint tells when a KB edit has made it stale (see that script's docstring).

Where the git history holds that revision, its code also runs side by side with the current code on
generated text (hypothesis): the normaliser on any characters, the tagger on aliases of the KB glued
at random.
"""

from __future__ import annotations

import pickle
import sys
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipeline.tagging import Mention, Tagger, load_kb
from pipeline.tagging.kb import default_kb_dir
from pipeline.tagging.normalize import normalize

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))

import tagging_speed  # noqa: E402


@pytest.fixture(scope="module")
def reference() -> tuple[dict[str, Any], list[tuple[tagging_speed.Case, tagging_speed.Expected]]]:
    header, pairs = tagging_speed.read_reference()
    if header["kb_fingerprint"] != tagging_speed.kb_fingerprint():
        pytest.fail(
            "the knowledge base changed since tests/tagging/speed_reference.json was written: regenerate "
            "it with `.venv/bin/python benchmarks/tagging_speed.py --write-reference` (the reference "
            "code's outputs on the new KB), then check that this test passes"
        )
    return header, pairs


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger.load()


def _mismatches(tagger: Any, pairs: list[tuple[tagging_speed.Case, tagging_speed.Expected]]) -> list[str]:
    out = []
    for case, expected in pairs:
        output = tagging_speed.run_case(tagger, case)
        if not expected.matches(output):
            mentions, relevance = output
            detail = f"{case.key}: relevance {relevance!r} (expected {expected.relevance!r}), "
            if expected.mentions is None:
                detail += f"{len(mentions)} mentions (expected {expected.count}; digest differs)"
            else:
                # zip stops at the shorter list: a missing or extra mention shows in the counts
                side_by_side = zip(mentions, expected.mentions, strict=False)
                diff = next(((i, m, e) for i, (m, e) in enumerate(side_by_side) if m != e), None)
                detail += f"{len(mentions)} mentions (expected {expected.count}); first difference {diff}"
            out.append(detail)
    return out


def test_the_fixture_covers_every_kind_of_case(reference) -> None:
    header, pairs = reference
    assert header["mention_fields"] == list(Mention.__slots__)
    groups = {case.key.split("/", 1)[0] for case, _ in pairs}
    assert groups == {"sample", "eval", "synthetic"}
    assert sum(key.startswith("synthetic/") for key in (c.key for c, _ in pairs)) >= 200
    assert sum(expected.count for _, expected in pairs) > 10_000  # mentions, not empty outputs
    # the synthetic articles take the normaliser's slow path (decomposed marks, half-width kana) too
    bodies = "".join(case.body for case, _ in pairs if case.key.startswith("synthetic/"))
    assert any(unicodedata.combining(c) for c in bodies)  # "й" decomposed: и + U+0306
    assert "\uff9e" in bodies and "\uff21" in bodies  # half-width ﾞ, full-width Ａ


@pytest.mark.parametrize("group", ["sample", "eval", "synthetic"])
def test_outputs_are_identical_to_the_reference(reference, tagger: Tagger, group: str) -> None:
    _, pairs = reference
    selected = [(c, e) for c, e in pairs if c.key.startswith(group + "/")]
    bad = _mismatches(tagger, selected)
    assert not bad, f"{len(bad)} of {len(selected)} outputs differ:\n" + "\n".join(bad[:10])


def test_a_pickled_tagger_gives_the_same_outputs(reference, tagger: Tagger) -> None:
    # TagEntities builds its tagger in DoFn.setup, but tests and other runners pickle it
    _, pairs = reference
    clone = pickle.loads(pickle.dumps(tagger))
    selected = [(c, e) for c, e in pairs if not c.key.startswith("synthetic/")]
    assert not _mismatches(clone, selected)


def test_a_changed_output_is_caught(reference, tagger: Tagger) -> None:
    # The comparison itself can fail: one shifted offset or one relevance digit is a difference.
    _, pairs = reference
    for case, expected in (pairs[0], pairs[-1]):
        mentions, relevance = tagging_speed.run_case(tagger, case)
        assert expected.matches((mentions, relevance))
        assert not expected.matches((mentions, relevance + 1e-9))
        moved = [(*m[:4], m[4] + 1, *m[5:]) for m in mentions[:1]] + mentions[1:]
        assert not expected.matches((moved, relevance))


# -- the code before the speed-up, run side by side on generated text (needs the git history) --------------
@pytest.fixture(scope="module")
def reference_code(tmp_path_factory: pytest.TempPathFactory) -> Any:
    try:
        return tagging_speed.reference_package(tagging_speed.REFERENCE_REV, tmp_path_factory.mktemp("ref"))
    except LookupError as exc:
        pytest.skip(
            f"revision {tagging_speed.REFERENCE_REV[:12]} is not available (no git or a shallow clone): {exc}"
        )


@pytest.fixture(scope="module")
def reference_tagger(reference_code: Any) -> Any:
    return reference_code.Tagger.load(default_kb_dir())


# Characters that send the normaliser down its slow path, or fold differently there: marks, kana
# voicing, İ, a final sigma, the backtick; and any character at all.
_TRICKY = "aAbΣσİıЁёйЙи\u0306\u0308\u0301\u0304ｶﾞﾟガカ\u3099\u309aＡａ`'’“—\u00a0ßẞǅﬁ日本ラブロフ・･ \n.,"
_PIECES = st.one_of(
    st.sampled_from(_TRICKY), st.sampled_from(["aΣ ", "ΟΔΥΣΣΕΥΣ.", "ｶﾞﾙｰｼﾞﾝ", "`x`"]), st.characters()
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join))
@example("aΣ \u0301")  # a final sigma: lower() of a run would write ς, the slow path writes σ
@example("`Abe`\u0301")  # the slow path folds a backtick to "'", the fast path keeps it
@example("Росси\u0301я ｶﾞﾙｰｼﾞﾝ İstanbul")
def test_normalize_folds_any_text_as_before(reference_code: Any, text: str) -> None:
    old = reference_code.normalize.normalize(text)
    new = normalize(text)
    assert (new.text, new.index_map, new.original_length) == (old.text, old.index_map, old.original_length)


def _aliases() -> list[str]:
    kb = load_kb()
    return sorted(
        {a for e in kb.entities.values() for a in e.all_aliases()}
        | {a for g in kb.generics.values() for a in g.aliases}
    )


_RESPELL = [
    str,
    str.upper,
    str.lower,
    lambda s: unicodedata.normalize("NFD", s),
    tagging_speed.TRANSFORMS["fullwidth"],
]
_GLUE = [" ", ", ", " the ", "'s ", " и ", "の", "\n", "", " former ", " Prime Minister ", "。", " said "]


@settings(max_examples=150, deadline=None)
@given(
    parts=st.lists(
        st.tuples(st.sampled_from(_aliases()), st.sampled_from(_RESPELL), st.sampled_from(_GLUE)), max_size=25
    ),
    day=st.one_of(st.none(), st.dates(min_value=date(1990, 1, 1), max_value=date(2026, 11, 23))),
    language=st.sampled_from([None, "en", "ru", "ja"]),
    source_id=st.sampled_from([None, "tass", "sankei", "arabnews"]),
)
def test_tagger_gives_the_same_mentions_as_before_on_alias_soup(
    reference_tagger: Any,
    tagger: Tagger,
    parts: list[tuple[str, Any, str]],
    day: Any,
    language: Any,
    source_id: Any,
) -> None:
    # Names, roles and surnames of the knowledge base glued at random: dense in every resolver rule.
    body = "".join(respell(alias) + glue for alias, respell, glue in parts)
    title = "".join(alias for alias, _, _ in parts[:3])
    case = tagging_speed.Case("soup", title, body, day, language, source_id)
    assert tagging_speed.run_case(tagger, case) == tagging_speed.run_case(reference_tagger, case)
