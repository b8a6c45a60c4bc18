"""The progress display on a real terminal: ``dipnews run --sample`` with stderr on a pseudo-terminal
draws its line in place; with stderr on a pipe it prints no control characters at all."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def _run(warehouse: Path, stderr_tty: bool) -> tuple[int, str, str]:
    argv = [sys.executable, "-m", "pipeline", "run", "--sample", "--warehouse", str(warehouse)]
    if not stderr_tty:
        proc = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=300)
        return proc.returncode, proc.stdout, proc.stderr
    master, slave = pty.openpty()
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO once the child closed its end
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    proc = subprocess.Popen(argv, cwd=REPO, stdout=subprocess.PIPE, stderr=slave, text=True)
    os.close(slave)
    out, _ = proc.communicate(timeout=300)
    reader.join(timeout=10)
    os.close(master)
    return proc.returncode, out, b"".join(chunks).decode("utf-8", "replace")


def test_progress_is_drawn_on_a_terminal(tmp_path: Path) -> None:
    code, out, err = _run(tmp_path / "wh", stderr_tty=True)
    assert code == 0, err
    assert "\r\x1b[K[" in err
    assert "tass " in err and "written: " in err and "[commit]" in err
    assert "(committed)" in out  # the report stays on stdout


def test_no_progress_on_a_pipe(tmp_path: Path) -> None:
    code, out, err = _run(tmp_path / "wh", stderr_tty=False)
    assert code == 0, err
    assert "\x1b" not in err and "[commit]" not in err
    assert "(committed)" in out
