"""Human-readable reports: the summary printed after a run and the ``dipnews sources`` table."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

_RUN_COLUMNS = ("feeds_read", "entries_seen", "entries_new", "fetched", "extracted", "rejected")


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


def run_summary(result: Any, warehouse: Path) -> str:
    """The summary of one run: status, counts per source, rejects by reason."""
    from pipeline.run import EXIT_PARTIAL

    rows = []
    for source_id in sorted(result.per_source):
        counts = result.per_source[source_id]
        rows.append([source_id, *(counts.get(c, 0) for c in _RUN_COLUMNS)])
    c, r = result.counters, result.row
    lines = [
        f"run {result.run_id}: {result.status}{' (committed)' if result.committed else ' (NOT committed)'}",
        f"  feeds {r.get('feeds_read', 0)}, entries {r.get('entries_seen', 0)}, "
        f"new {r.get('entries_new', 0)}, "
        f"fetched {r.get('pages_fetched', 0)}, extracted {r.get('articles_extracted', 0)}, "
        f"written {r.get('articles_written', 0)} (duplicates {r.get('duplicates', 0)}), "
        f"mentions {r.get('mentions_written', 0)}, rejects {r.get('rejects', 0)}",
    ]
    if rows:
        lines += ["", table(["source", *_RUN_COLUMNS], rows)]
    reasons = {k.removeprefix("rejects."): v for k, v in sorted(c.items()) if k.startswith("rejects.")}
    if reasons:
        lines += ["", "rejects by stage.reason: " + ", ".join(f"{k} {v}" for k, v in reasons.items())]
    if result.exit_code == EXIT_PARTIAL:
        lines += ["", f"sources that failed entirely: {', '.join(result.failed_sources)}"]
    lines += [
        "",
        f'warehouse: {warehouse.resolve()}  (dipnews sql "select ...", or duckdb '
        f"{warehouse.resolve() / 'catalog.duckdb'})",
    ]
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
