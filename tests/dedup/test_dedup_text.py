"""Normalisation, content hashing and shingling."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.dedup.text import content_hash, normalize_for_hash, shingle_array, shingles, tokens

SEEDS = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "seeds"


def test_normalize_folds_unicode_case_quotes_dashes_and_whitespace() -> None:
    assert normalize_for_hash("“Japan’s”\u00a0 STANCE — firm") == normalize_for_hash(
        '"japan\'s" stance - firm'
    )
    assert normalize_for_hash("ＴＯＫＹＯ") == "tokyo"  # NFKC: full-width letters


def test_normalize_drops_chrome_lines_but_keeps_text() -> None:
    page = (
        "Since 1975\n• facebook\nShort Url:\n06 Oct 2023 12:10:26 GMT9\n"
        "TOKYO: Talks resume.\nJIJI Press\nreturn to top"
    )
    assert normalize_for_hash(page) == "tokyo: talks resume."
    # a credit inside a sentence is text, not chrome
    assert "kyodo" in normalize_for_hash("Kyodo reported that talks resume.")


def test_normalize_rejects_non_text() -> None:
    with pytest.raises(TypeError, match="needs a str"):
        normalize_for_hash(b"bytes")  # type: ignore[arg-type]


def test_content_hash_ignores_title_chrome_and_punctuation_but_not_words() -> None:
    body = "TOKYO: Japan will keep sanctions, Kamikawa said."
    same = content_hash(
        "Other title", "All news\nTOKYO - Japan will keep sanctions; Kamikawa said\n© AP Photo/X"
    )
    assert content_hash("Title", body) == same
    assert content_hash("Title", body) != content_hash("Title", body.replace("keep", "lift"))
    assert len(content_hash(None, body)) == 64


@pytest.mark.skipif(not SEEDS.exists(), reason="../shared/reference/seeds not present")
def test_chrome_of_real_seed_pages_does_not_change_the_hash() -> None:
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        lines = text.split("\n")
        # the same page with every chrome line gone must hash the same
        kept = [line for line in lines if normalize_for_hash(line)]
        assert content_hash(None, "\n".join(kept)) == content_hash(None, text), path.name


def test_tokens_split_cjk_characters() -> None:
    assert tokens("北方領土 talks") == ["北", "方", "領", "土", "talks"]


def test_shingles_count_and_short_texts() -> None:
    assert len(shingles("a b c d e f g", k=5)) == 3
    assert len(shingles("only three words", k=5)) == 1  # fewer than k words: one shingle
    assert shingles("", k=5) == set()
    with pytest.raises(ValueError, match="k must be"):
        shingles("a b", k=0)


def test_shingles_are_stable_across_processes() -> None:
    """Python salts str hashes per process; the shingles must not depend on that."""
    text = "Japan and Russia resumed talks on fishing near the disputed islands on Monday."
    code = f"from pipeline.dedup.text import shingle_array; print(shingle_array({text!r}).tolist())"
    root = Path(__file__).resolve().parents[2]
    other = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True,
        env={"PYTHONHASHSEED": "12345", "PYTHONPATH": str(root)},
    ).stdout  # fmt: skip
    assert hash("salted") != int(subprocess.run(
        [sys.executable, "-c", "print(hash('salted'))"], capture_output=True, text=True, check=True,
        env={"PYTHONHASHSEED": "12345"},
    ).stdout)  # fmt: skip  # the other process really hashes str differently
    assert other.strip() == str(shingle_array(text).tolist())


@given(st.text(max_size=300))
def test_normalize_is_idempotent_and_never_crashes(text: str) -> None:
    once = normalize_for_hash(text)
    assert normalize_for_hash(once) == once
    assert isinstance(content_hash(None, text), str)
