"""Human-readable reports: the summary printed after a run and the ``dipnews sources`` table."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain aligned text table (numbers right-aligned)."""
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def line(values: Sequence[str], numeric: Sequence[bool]) -> str:
        return "  ".join(
            v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric, strict=True)
        )

    numeric = [
        all(r[i].lstrip("-").isdigit() for r in cells if r[i]) and bool(cells) for i in range(len(headers))
    ]
    out = [line(headers, [False] * len(headers)), line(["-" * w for w in widths], [False] * len(headers))]
    out += [line(r, numeric) for r in cells]
    return "\n".join(out).rstrip()


_SOURCE_COLUMNS = ("polled", "skipped", "new", "fetched", "extracted", "written", "duplicates", "rejected")


def source_rows(summary: dict[str, Any]) -> list[list[Any]]:
    """Rows of the per-source table from a runs ``summary`` document (its ``sources`` part)."""
    rows = []
    for source_id, s in sorted(summary.get("sources", {}).items()):
        rejected = s.get("rejected", {})
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(rejected.items())) or "-"
        rows.append(
            [source_id, *(s.get(c, 0) for c in _SOURCE_COLUMNS[:-1]), sum(rejected.values()), reasons,
             f"{s.get('fetch_seconds', 0.0):.1f}"]
        )
    return rows


def run_summary(result: Any, warehouse: Path) -> str:
    """The summary of one run: status, counts per source (polled, new, fetched, extracted, duplicates,
    rejected by reason, time), and where the warehouse is."""
    from pipeline.run import EXIT_PARTIAL

    r = result.row
    summary = json.loads(r.get("summary") or "{}")
    lines = [
        f"run {result.run_id}: {result.status}{' (committed)' if result.committed else ' (NOT committed)'}"
        f" in {summary.get('seconds', 0.0):.1f} s",
        f"  feeds {r.get('feeds_read', 0)} (skipped {summary.get('feeds_skipped', 0)}, "
        f"not modified {summary.get('feeds_not_modified', 0)}), entries {r.get('entries_seen', 0)}, "
        f"new {r.get('entries_new', 0)}, "
        f"fetched {r.get('pages_fetched', 0)}, extracted {r.get('articles_extracted', 0)}, "
        f"written {r.get('articles_written', 0)} (duplicates {r.get('duplicates', 0)}), "
        f"mentions {r.get('mentions_written', 0)}, rejects {r.get('rejects', 0)}",
    ]
    rows = source_rows(summary)
    if rows:
        lines += ["", table(["source", *_SOURCE_COLUMNS, "rejected by reason", "fetch s"], rows)]
    reasons = summary.get("rejects_by_reason", {})
    if reasons:
        lines += ["", "rejects by stage.reason: " + ", ".join(f"{k} {v}" for k, v in reasons.items())]
    for c in getattr(result, "compactions", []):
        lines.append(f"compacted {c.table}/{c.partition}: {len(c.replaced)} files -> {len(c.written)}")
    if result.exit_code == EXIT_PARTIAL:
        lines += ["", f"sources that failed entirely: {', '.join(result.failed_sources)}"]
    lines += [
        "",
        f'warehouse: {warehouse.resolve()}  (dipnews sql "select ...", or duckdb '
        f"{warehouse.resolve() / 'catalog.duckdb'})",
    ]
    return "\n".join(lines)


def window_line(result: Any) -> str:
    """One line per committed window of a stream.

    >>> from types import SimpleNamespace
    >>> window_line(SimpleNamespace(run_id="r1", status="ok", committed=True, row={
    ...     "feeds_read": 9, "entries_new": 2, "articles_written": 2, "rejects": 0}))
    'window r1: ok, feeds 9, new 2, written 2, rejects 0'
    """
    r = result.row
    state = result.status if result.committed else f"{result.status} (NOT committed)"
    return (
        f"window {result.run_id}: {state}, feeds {r.get('feeds_read', 0)}, new {r.get('entries_new', 0)}, "
        f"written {r.get('articles_written', 0)}, rejects {r.get('rejects', 0)}"
    )


def stream_summary(result: Any, warehouse: Path) -> str:
    """The last lines of a stream: how many windows, why it stopped, what it wrote."""
    written = sum(w.row.get("articles_written", 0) for w in result.windows)
    why = {None: "", "max_polls": " (--max-polls reached)"}.get(result.stopped_by, f" ({result.stopped_by})")
    lines = [
        f"stream stopped{why}: {len(result.windows)} window(s) committed, {result.failures} failed, "
        f"{written} article(s) written",
    ]
    if result.aborted:
        lines.append("the last window was aborted: nothing of it was committed")
    lines.append(f"warehouse: {warehouse.resolve()}")
    return "\n".join(lines)


def source_health(warehouse_root: Path, last_runs: int = 10) -> dict[str, dict[str, int]]:
    """Per source, counts summed over the latest ``last_runs`` committed runs."""
    from warehouse import Warehouse

    wh = Warehouse(warehouse_root)
    if not wh.committed_runs():
        return {}
    runs = wh.query(f"select summary from runs order by started_at desc limit {int(last_runs)}").to_pylist()
    health: dict[str, dict[str, int]] = {}
    for run in runs:
        per_source = json.loads(run["summary"] or "{}").get("per_source", {})
        for source_id, counts in per_source.items():
            total = health.setdefault(source_id, {})
            for key, value in counts.items():
                total[key] = total.get(key, 0) + value
    return health


def sources_table(warehouse_root: Path, config: Any, fmt: str = "table") -> str:
    """``dipnews sources``: every connector, its feeds, and its health in the latest runs."""
    from connectors import registry

    health = source_health(warehouse_root) if (warehouse_root / "_manifest").exists() else {}
    configured = {s.id: s for s in config.sources}
    items = []
    for connector in registry.all_connectors():
        feeds = (
            configured[connector.id].feeds
            if connector.id in configured and configured[connector.id].feeds
            else connector.feeds
        )
        h = health.get(connector.id, {})
        items.append(
            {
                "id": connector.id,
                "name": connector.name,
                "language": connector.language,
                "feeds": list(feeds),
                "fetched": h.get("fetched", 0),
                "extracted": h.get("extracted", 0),
                "rejected": h.get("rejected", 0),
                "blocked": h.get("rejected.blocked", 0),
                "empty_bodies": h.get("rejected.empty_body", 0),
                "generic_fallbacks": h.get("generic_fallback", 0),
            }
        )
    if fmt == "json":
        return json.dumps(items, ensure_ascii=False, indent=2)
    headers = ["id", "name", "fetched", "extracted", "rejected", "blocked", "empty", "fallback", "feeds"]
    rows = [
        [
            i["id"],
            i["name"],
            i["fetched"],
            i["extracted"],
            i["rejected"],
            i["blocked"],
            i["empty_bodies"],
            i["generic_fallbacks"],
            " ".join(i["feeds"]),
        ]
        for i in items
    ]
    return table(headers, rows) + "\n\n(health: totals over the latest 10 committed runs)"
