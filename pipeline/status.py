"""``dipnews status``: is each source healthy, judged against its own recent history?

Per source, from the committed ``runs`` (their JSON ``summary``) and ``articles`` tables:

- **last success**: the latest run in which at least one of its feeds answered (200 or 304);
- **volume**: articles written by its latest run against its usual (the median of its recent runs);
- **empty-body rate** (pages rejected as ``empty_body`` per page fetched) and **blocked rate**
  (``blocked`` rejects per request: feeds polled plus pages fetched), over the recent runs;
- **generic share**: the part of its articles whose ``extraction_method`` is ``generic`` (the source's
  own parser found nothing and fell back), in its latest run against its usual.

Warnings name what looks broken: nothing new for far longer than usual (more than
:data:`QUIET_FACTOR` times the median gap between its runs with news), a jump of the generic share
(a layout change the parser no longer understands), every feed failing, or high blocked / empty rates.
"""

from __future__ import annotations

import itertools
import json
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

#: "nothing new" warns when the quiet spell exceeds this many times the source's usual gap between news
QUIET_FACTOR = 3.0
#: runs with news a source needs before its usual gap is trusted
MIN_NEWS_RUNS = 3
#: the generic share warns when it rises by this much over the usual, to at least GENERIC_ALERT
GENERIC_JUMP = 0.3
GENERIC_ALERT = 0.5
#: articles the latest run must have written before its generic share means anything
GENERIC_MIN_ARTICLES = 3
#: rates (per request or per page) above which a warning is given
BLOCKED_ALERT = 0.2
EMPTY_ALERT = 0.2


@dataclass
class SourceStatus:
    """The health of one source over its recent runs (times are ISO 8601 UTC strings, or None)."""

    source_id: str
    runs: int = 0  # recent runs that polled it
    last_run_at: str | None = None
    last_success_at: str | None = None
    last_new_at: str | None = None
    volume: int = 0  # articles written by its latest run
    usual_volume: float | None = None  # median of the runs before it
    empty_body_rate: float = 0.0
    blocked_rate: float = 0.0
    generic_share: float | None = None  # latest run
    usual_generic_share: float | None = None
    warnings: list[str] = field(default_factory=list)


def _source_counts(summary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per-source counts of one run's summary, in the ``sources`` form (older runs have ``per_source``)."""
    if "sources" in summary:
        return summary["sources"]
    out = {}
    for source_id, c in summary.get("per_source", {}).items():
        out[source_id] = {
            "polled": c.get("feeds_read", 0),
            "new": c.get("entries_new", 0),
            "fetched": c.get("fetched", 0),
            "extracted": c.get("extracted", 0),
            "written": c.get("extracted", 0),
            "rejected": {k.removeprefix("rejected."): v for k, v in c.items() if k.startswith("rejected.")},
        }
    return out


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _human(delta: timedelta) -> str:
    seconds = delta.total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} s"


def source_status(warehouse_root: str | Path, *, recent: int = 30) -> list[SourceStatus]:
    """The status of every source seen in the latest ``recent`` committed runs, by source id."""
    from warehouse import Warehouse

    wh = Warehouse(warehouse_root)
    if not wh.committed_runs():
        return []
    runs = wh.query(
        f"SELECT run_id, started_at, summary FROM runs ORDER BY started_at DESC LIMIT {int(recent)}"
    ).to_pylist()
    runs.reverse()  # oldest first
    generic = _generic_shares(wh, [r["run_id"] for r in runs])
    history: dict[str, list[dict[str, Any]]] = {}
    for run in runs:
        summary = json.loads(run["summary"] or "{}")
        failed = set(summary.get("failed_sources", []))
        for source_id, counts in _source_counts(summary).items():
            if not counts.get("polled", 0) and not counts.get("not_modified", 0):
                continue  # not polled in this run (not due, or not selected)
            history.setdefault(source_id, []).append(
                {"at": run["started_at"], "failed": source_id in failed, "run_id": run["run_id"], **counts}
            )
    return [_judge(source_id, entries, generic) for source_id, entries in sorted(history.items())]


def _generic_shares(wh: Any, run_ids: Sequence[str]) -> dict[tuple[str, str], tuple[int, int]]:
    """``{(source_id, run_id): (generic articles, articles)}`` from the committed articles."""
    if not run_ids:
        return {}
    rows = wh.query(
        "SELECT source_id, run_id, count(*) FILTER (WHERE extraction_method = 'generic') AS generic, "
        "count(*) AS n FROM articles GROUP BY ALL"
    ).to_pylist()
    wanted = set(run_ids)
    return {(r["source_id"], r["run_id"]): (r["generic"], r["n"]) for r in rows if r["run_id"] in wanted}


def _rate(numerator: int, denominator: int) -> float:
    return round(numerator / denominator, 3) if denominator else 0.0


def _judge(source_id: str, entries: list[dict[str, Any]], generic: dict) -> SourceStatus:
    last = entries[-1]
    status = SourceStatus(source_id, runs=len(entries), last_run_at=_iso(last["at"]))
    successes = [e for e in entries if not e["failed"]]
    status.last_success_at = _iso(successes[-1]["at"]) if successes else None
    with_news = [e for e in entries if e.get("written", 0) > 0]
    status.last_new_at = _iso(with_news[-1]["at"]) if with_news else None
    status.volume = int(last.get("written", 0))
    earlier = entries[:-1]
    if earlier:
        status.usual_volume = statistics.median(e.get("written", 0) for e in earlier)
    fetched = sum(e.get("fetched", 0) for e in entries)
    requests = fetched + sum(e.get("polled", 0) for e in entries)
    status.empty_body_rate = _rate(sum(e.get("rejected", {}).get("empty_body", 0) for e in entries), fetched)
    status.blocked_rate = _rate(sum(e.get("rejected", {}).get("blocked", 0) for e in entries), requests)

    shares = [(e, generic.get((source_id, e["run_id"]))) for e in entries]
    shares = [(e, g / n) for e, (g, n) in ((e, s) for e, s in shares if s and s[1]) if n]
    last_counts = generic.get((source_id, last["run_id"]))
    if last_counts and last_counts[1]:
        status.generic_share = round(last_counts[0] / last_counts[1], 3)
    before = [share for e, share in shares if e is not last]
    if before:
        status.usual_generic_share = round(statistics.median(before), 3)
    status.warnings = _warnings(status, entries, with_news, last, last_counts)
    return status


def _warnings(status: SourceStatus, entries, with_news, last, last_counts) -> list[str]:
    out = []
    if last["failed"]:
        out.append("every feed failed in the latest run")
    if len(with_news) >= MIN_NEWS_RUNS:
        gaps = [(b["at"] - a["at"]).total_seconds() for a, b in itertools.pairwise(with_news)]
        usual = statistics.median(gaps)
        quiet = (last["at"] - with_news[-1]["at"]).total_seconds()
        if usual > 0 and quiet > QUIET_FACTOR * usual:
            out.append(
                f"nothing new for {_human(timedelta(seconds=quiet))}; usually news every "
                f"{_human(timedelta(seconds=usual))}"
            )
    elif not with_news and len(entries) >= MIN_NEWS_RUNS * 2:
        out.append(f"nothing new in its last {len(entries)} runs")
    if (
        status.generic_share is not None
        and last_counts[1] >= GENERIC_MIN_ARTICLES
        and status.generic_share >= GENERIC_ALERT
        and status.generic_share - (status.usual_generic_share or 0.0) >= GENERIC_JUMP
    ):
        before = status.usual_generic_share
        usual = "no history" if before is None else f"usually {before:.0%}"
        out.append(
            f"{status.generic_share:.0%} of its latest articles fell back to generic extraction "
            f"({usual}): has its page layout changed?"
        )
    if status.blocked_rate > BLOCKED_ALERT:
        out.append(f"blocked on {status.blocked_rate:.0%} of requests")
    if status.empty_body_rate > EMPTY_ALERT:
        out.append(f"{status.empty_body_rate:.0%} of fetched pages had an empty body")
    return out


def format_status(health: Sequence[SourceStatus]) -> str:
    """``dipnews status`` as a text table, warnings listed under it."""
    from pipeline.report import table

    if not health:
        return "no committed runs yet: run `dipnews run` first"

    def when(value: str | None) -> str:
        return value[:16].replace("T", " ") if value else "never"

    def pct(value: float | None) -> str:
        return "-" if value is None else f"{value:.0%}"

    rows = [
        [
            h.source_id,
            when(h.last_success_at),
            when(h.last_new_at),
            f"{h.volume} / {h.usual_volume:g}" if h.usual_volume is not None else str(h.volume),
            pct(h.empty_body_rate),
            pct(h.blocked_rate),
            f"{pct(h.generic_share)} / {pct(h.usual_generic_share)}",
            "WARN" if h.warnings else "ok",
        ]
        for h in health
    ]
    headers = ["source", "last success", "last new", "volume/usual", "empty", "blocked", "generic/usual",
               "health"]
    lines = [table(headers, rows)]
    warnings = [f"  {h.source_id}: {w}" for h in health for w in h.warnings]
    if warnings:
        lines += ["", "warnings:", *warnings]
    lines += ["", f"(over each source's latest {max(h.runs for h in health)} polled runs at most)"]
    return "\n".join(lines)
