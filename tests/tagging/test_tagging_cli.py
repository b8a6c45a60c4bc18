"""``python -m pipeline.tagging`` (what ``dipnews tag`` runs): JSON lines with exact offsets."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from pipeline.tagging.cli import run

REPO = Path(__file__).resolve().parents[2]


def test_run_prints_one_json_object_per_mention() -> None:
    text = "林官房長官は、Лаврову и Ｔｏｋｙｏ"
    out = io.StringIO()
    count = run(text, out, day=date(2024, 5, 1))
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert count == len(lines) == 3
    for obj in lines:
        assert list(obj)[:6] == ["entity_id", "name", "type", "surface", "start", "end"]
        assert text[obj["start"] : obj["end"]] == obj["surface"]
    assert lines[0]["entity_id"] == "person:yoshimasa-hayashi"


def test_module_entry_point_reads_stdin() -> None:
    text = "The Chief Cabinet Secretary met Лавров.\n"
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline.tagging", "--date", "2021-05-01"],
        input=text.encode(),
        capture_output=True,
        cwd=REPO,
        timeout=60,
        check=True,
    )
    lines = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert [o["entity_id"] for o in lines] == ["person:katsunobu-kato", "person:sergey-lavrov"]
    bad = subprocess.run(
        [sys.executable, "-m", "pipeline.tagging", "--date", "May 1"],
        input=b"",
        capture_output=True,
        cwd=REPO,
        timeout=60,
    )
    assert bad.returncode == 2 and b"YYYY-MM-DD" in bad.stderr
