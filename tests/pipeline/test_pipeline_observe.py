"""Seeing what it does: ``dipnews status`` warnings, JSON logs, the progress display, the run summary,
the stream's stop handling and the new configuration sections.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from pipeline import logs, report, status
from pipeline.cli import main
from pipeline.config import ConfigError, parse_config
from pipeline.feedstate import FeedPoll, PollRecord, write_poll_record
from pipeline.progress import Progress
from pipeline.stream import StopFlag, StreamResult, run_stream, stop_on_signals
from warehouse import Warehouse, partition_of, write_partition

T0 = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)


# -- dipnews status ------------------------------------------------------------------------------------------


def _article(source: str, n: int, run_id: str, method: str) -> dict:
    return {"article_id": f"{source}-{run_id}-{n}", "source_id": source, "url": f"https://{source}.ex/{n}",
            "published_at": T0, "fetched_at": T0, "run_id": run_id, "extraction_method": method,
            "is_duplicate": False}


def _commit_run(wh: Warehouse, hour: int, sources: dict[str, dict], methods: dict[str, str],
                failed: tuple[str, ...] = ()) -> None:
    run_id = f"run{hour:03d}"
    summary = {"sources": sources, "failed_sources": list(failed)}
    row = {"run_id": run_id, "started_at": T0 + timedelta(hours=hour), "status": "ok",
           "summary": json.dumps(summary)}
    files = [write_partition(wh.root, "runs", "all", run_id, [row])]
    for source, counts in sources.items():
        rows = [_article(source, n, run_id, methods.get(source, "jsonld")) for n in range(counts["written"])]
        if rows:
            partition = partition_of("articles", rows[0])
            files.append(write_partition(wh.root, "articles", partition, run_id, rows))
    wh.commit(run_id, files)


def _counts(written: int, polled: int = 1, fetched: int | None = None, **rejected: int) -> dict:
    return {"polled": polled, "new": written, "fetched": written if fetched is None else fetched,
            "extracted": written, "written": written, "duplicates": 0, "rejected": rejected}


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    """Five runs an hour apart, then one eight hours later: tass goes quiet after hour 2, sputnik's
    parser starts falling back to generic in the last run, arabnews is blocked, sankei is healthy."""
    wh = Warehouse(tmp_path_factory.mktemp("status") / "wh")
    for hour in [*range(5), 12]:
        last = hour == 12
        _commit_run(
            wh,
            hour,
            {
                "tass": _counts(4 if hour <= 2 else 0),
                "sputnik": _counts(4),
                "arabnews": _counts(0, polled=1, fetched=0, blocked=1),
                "sankei": _counts(2, fetched=3, empty_body=1 if hour == 3 else 0),
            },
            {"sputnik": "generic" if last else "jsonld"},
            failed=("arabnews",),
        )
    return wh.root


def test_status_warns_about_the_source_that_went_quiet(history: Path) -> None:
    health = {h.source_id: h for h in status.source_status(history)}
    tass = health["tass"]
    assert tass.last_new_at == (T0 + timedelta(hours=2)).isoformat()
    assert tass.last_success_at == (T0 + timedelta(hours=12)).isoformat()
    assert (tass.volume, tass.usual_volume) == (0, 4)  # median of 4, 4, 4, 0, 0
    assert any("nothing new for 10.0 h; usually news every 1.0 h" in w for w in tass.warnings), tass.warnings


def test_status_warns_when_the_parser_falls_back_to_generic(history: Path) -> None:
    sputnik = {h.source_id: h for h in status.source_status(history)}["sputnik"]
    assert (sputnik.generic_share, sputnik.usual_generic_share) == (1.0, 0.0)
    assert any("fell back to generic extraction" in w for w in sputnik.warnings), sputnik.warnings
    assert (sputnik.volume, sputnik.usual_volume) == (4, 4)


def test_status_rates_and_a_healthy_source(history: Path) -> None:
    health = {h.source_id: h for h in status.source_status(history)}
    arabnews, sankei = health["arabnews"], health["sankei"]
    assert arabnews.last_success_at is None and arabnews.blocked_rate == 1.0
    assert "every feed failed in the latest run" in arabnews.warnings
    assert any("blocked on 100% of requests" in w for w in arabnews.warnings)
    assert sankei.empty_body_rate == round(1 / 18, 3)
    assert sankei.warnings == []


def test_status_command_prints_the_table_and_json(history: Path, capsys) -> None:
    assert main(["status", "--warehouse", str(history)]) == 0
    out = capsys.readouterr().out
    assert "last success" in out and "warnings:" in out and "tass: nothing new" in out
    assert main(["status", "--warehouse", str(history), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {d["source_id"] for d in doc} == {"tass", "sputnik", "arabnews", "sankei"}


def test_status_of_an_empty_warehouse(tmp_path: Path, capsys) -> None:
    assert main(["status", "--warehouse", str(tmp_path / "none")]) == 0
    assert "no committed runs yet" in capsys.readouterr().out


# -- logs ----------------------------------------------------------------------------------------------------


def test_json_log_lines_are_one_object_each_with_extra_fields() -> None:
    stream = io.StringIO()
    logs.configure("json", verbose=True, stream=stream)
    try:
        logging.getLogger("pipeline.test").info("polled %d feeds\nsecond line", 3, extra={"run_id": "r1"})
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("pipeline.test").exception("failed")
    finally:
        logs.configure("text")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["message"] == "polled 3 feeds\nsecond line" and first["run_id"] == "r1"
    assert first["level"] == "INFO" and first["logger"] == "pipeline.test" and first["ts"].endswith("Z")
    assert second["level"] == "ERROR" and "ValueError: boom" in second["exc_info"]
    with pytest.raises(ValueError, match="log format"):
        logs.configure("xml")


def test_cli_log_format_json_writes_json_lines(tmp_path: Path, capsys) -> None:
    # building the catalog of a new warehouse logs at INFO: with -v it goes through the JSON handler
    assert main(["--log-format", "json", "-v", "sql", "select 1", "--warehouse", str(tmp_path)]) == 0
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert err and all(json.loads(line)["level"] for line in err)
    logs.configure("text")


# -- progress ------------------------------------------------------------------------------------------------


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_quiet_when_not_on_a_terminal() -> None:
    assert Progress.for_stream(io.StringIO(), "auto") is None
    assert Progress.for_stream(_Tty(), "never") is None
    assert isinstance(Progress.for_stream(_Tty(), "auto"), Progress)
    assert isinstance(Progress.for_stream(io.StringIO(), "always"), Progress)
    with pytest.raises(ValueError, match="progress mode"):
        Progress.for_stream(io.StringIO(), "sometimes")


def test_progress_shows_feeds_per_source_and_rows_per_table(tmp_path: Path) -> None:
    stream = _Tty()
    progress = Progress(stream, refresh=0.01, tty=True)
    root, record_dir = tmp_path / "wh", tmp_path / "wh" / "_staging" / "r1" / "feeds"
    feeds = [FeedPoll("tass", "https://t/1"), FeedPoll("tass", "https://t/2"), FeedPoll("sputnik", "https://s/1"),
             FeedPoll("sputnik", "https://s/2", due=False)]
    progress.start_run("r1", feeds, root, record_dir)
    write_poll_record(record_dir, PollRecord("https://t/1", "tass", T0.isoformat(), 200, entries=2))
    assert progress.snapshot()["feeds"] == {"sputnik": (0, 1), "tass": (1, 2)}
    rows = [_article("tass", n, "r1", "jsonld") for n in range(3)]
    write_partition(root, "articles", partition_of("articles", rows[0]), "r1", rows)
    line = progress.render()
    assert line.startswith("[feeds]") and "tass 1/2 +3" in line and "sputnik 0/1" in line
    assert "written: articles 3" in line
    progress.stage("commit")
    progress.finish()
    out = stream.getvalue()
    assert "\r\x1b[K[commit]" in out and out.endswith("\n")


def test_run_prints_no_progress_when_stderr_is_not_a_terminal(tmp_path: Path, capsys, monkeypatch) -> None:
    # the non-TTY path through the CLI: an empty config runs no source at all, quickly
    config = tmp_path / "c.toml"
    config.write_text("[[sources]]\nid = 'tass'\nfeeds = []\n")
    assert main(["run", "--config", str(config), "--warehouse", str(tmp_path / "wh")]) == 0
    captured = capsys.readouterr()
    assert "\x1b[K" not in captured.err and "[feeds]" not in captured.err
    assert "(committed)" in captured.out


def test_forced_progress_through_the_cli(tmp_path: Path, capsys) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[[sources]]\nid = 'tass'\nfeeds = []\n")
    argv = ["run", "--config", str(config), "--warehouse", str(tmp_path / "wh"), "--progress", "always"]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "[commit]" in err and "feeds: -" in err


# -- the run summary -----------------------------------------------------------------------------------------


def test_run_summary_has_the_per_source_table() -> None:
    summary = {"sources": {"tass": {"polled": 2, "skipped": 1, "new": 3, "fetched": 3, "extracted": 2,
                                    "written": 2, "duplicates": 1, "rejected": {"empty_body": 1},
                                    "fetch_seconds": 1.25}},
               "rejects_by_reason": {"extract.empty_body": 1}, "seconds": 4.0, "feeds_skipped": 1}
    row = {"summary": json.dumps(summary), "feeds_read": 2}
    result = SimpleNamespace(run_id="r1", status="ok", committed=True, counters={}, failed_sources=[],
                             exit_code=0, compactions=[], row=row)
    text = report.run_summary(result, Path("/tmp/wh"))
    header = next(line for line in text.splitlines() if line.startswith("source"))
    assert header.split()[:9] == ["source", "polled", "skipped", "new", "fetched", "extracted", "written",
                                  "duplicates", "rejected"]
    row = next(line for line in text.splitlines() if line.startswith("tass"))
    assert row.split()[:9] == ["tass", "2", "1", "3", "3", "2", "2", "1", "1"]
    assert "empty_body 1" in row and row.rstrip().endswith("1.2")
    assert "in 4.0 s" in text and "skipped 1" in text


# -- stream units --------------------------------------------------------------------------------------------


def test_first_signal_requests_a_stop_second_aborts() -> None:
    flag = StopFlag()
    with stop_on_signals(flag, signals=(signal.SIGUSR1,)):
        os.kill(os.getpid(), signal.SIGUSR1)
        assert flag.requested and flag.signal_name == "SIGUSR1"
        assert flag.wait(10) is True  # no sleeping once stopped
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGUSR1)
    assert signal.getsignal(signal.SIGUSR1) == signal.SIG_DFL


def test_stream_exit_codes() -> None:
    ok = SimpleNamespace(exit_code=0)
    assert StreamResult([ok, ok]).exit_code == 0
    assert StreamResult([ok, SimpleNamespace(exit_code=3)]).exit_code == 3
    assert StreamResult([ok], failures=1).exit_code == 1
    assert StreamResult([ok], aborted=True).exit_code == 130


def test_stream_arguments_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="interval"):
        run_stream(parse_config(""), tmp_path, interval=-1)
    with pytest.raises(ValueError, match="max_polls"):
        run_stream(parse_config(""), tmp_path, interval=1, max_polls=0)


def test_a_stream_stopped_before_it_starts_commits_nothing(tmp_path: Path) -> None:
    flag = StopFlag()
    flag.request("test")
    result = run_stream(parse_config("[[sources]]\nid = 'tass'\nfeeds = []"), tmp_path / "wh", interval=0,
                        stop=flag)
    assert (result.windows, result.stopped_by, result.exit_code) == ([], "test", 0)
    assert Warehouse(tmp_path / "wh").committed_runs() == set()


# -- configuration -------------------------------------------------------------------------------------------


def test_schedule_and_maintenance_sections() -> None:
    config = parse_config("[schedule]\nmin_interval = 60\nmax_interval = 3600\ngrowth = 2\n"
                          "[maintenance]\ncompact_after_files = 8")
    schedule = config.schedule
    assert (schedule.min_interval, schedule.max_interval, schedule.growth) == (60, 3600, 2)
    assert config.maintenance.compact_after_files == 8
    defaults = parse_config("")
    assert (defaults.schedule.min_interval, defaults.maintenance.compact_after_files) == (300.0, 32)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[schedule]\nmin_interval = 60\nmax_interval = 30", "max_interval (30) must be at least"),
        ("[schedule]\nmin_interval = -1", "min_interval must be >= 0"),
        ("[schedule]\ngrowth = 0.5", "growth must be >= 1"),
        ("[schedule]\nevery = 5", "unknown [schedule] key(s) every"),
        ("[schedule]\nmin_interval = 'soon'", "min_interval must be a number"),
        ("[maintenance]\ncompact_after_files = 1.5", "compact_after_files must be an integer"),
        ("[maintenance]\ncompact = true", "unknown [maintenance] key(s) compact"),
        ("schedule = 3", "[schedule] must be a table"),
    ],
)
def test_schedule_and_maintenance_mistakes_are_clear(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_config(text)
