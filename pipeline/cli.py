"""The ``dipnews`` command (also ``python -m pipeline``): run, stream, status, sql, sources, extract, tag, ...

Each subcommand is a small function taking parsed arguments and returning an exit code; errors a user
can fix (bad config, locked warehouse, unreadable file) print one clear line to stderr, not a traceback.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.config import ConfigError, load_config, warehouse_dir

log = logging.getLogger("dipnews")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _print_json(obj: Any, **kwargs: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, default=_json_default, **kwargs))


# -- run / stream --------------------------------------------------------------------------------------------


def _sample_config(config, site) -> Any:
    """The configuration of a ``--sample`` run: the sample's sources, fetched from its loopback server."""
    from pipeline.config import ScheduleSettings, parse_config

    sample = parse_config(site.config_toml, where="<sample corpus>")
    fetch = dataclasses.replace(
        config.fetch,
        origin_overrides={**dict(config.fetch.origin_overrides), **site.origin_overrides},
        allowed_private=frozenset(config.fetch.allowed_private) | site.allowed_private,
        min_interval=0.0,
        honor_crawl_delay=False,  # robots.txt rules still apply; only the waiting is lifted
    )
    # The sample server is ours and on loopback: waiting out politeness intervals there helps nobody,
    # and its feeds are always due (a zero polling interval), so every poll of a sample stream polls.
    return dataclasses.replace(
        sample,
        fetch=fetch,
        polite=False,
        schedule=ScheduleSettings(min_interval=0.0, max_interval=0.0),
        maintenance=config.maintenance,
        run=config.run,
    )


@contextmanager
def _run_config(args: argparse.Namespace) -> Iterator[Any]:
    """The configuration to run with: ``--config`` restricted to ``--sources``, or the served sample."""
    config = load_config(args.config)
    sources = [s for s in (args.sources or "").split(",") if s]
    if not args.sample:
        yield config.select(sources)
        return
    from pipeline.sample.server import serve

    with serve(edition=args.sample_edition) as site:
        yield _sample_config(config, site).select(sources)


def _progress(args: argparse.Namespace) -> Any:
    """The progress display, if wanted: not by default when logs go to a machine as JSON lines."""
    from pipeline.progress import Progress, default_stream

    if args.progress == "auto" and args.log_format == "json":
        return None
    return Progress.for_stream(default_stream(), args.progress)


def cmd_run(args: argparse.Namespace, beam_args: Sequence[str]) -> int:
    """One batch run; prints its summary."""
    from pipeline import report
    from pipeline.run import run_batch

    warehouse = warehouse_dir(args.warehouse)
    with _run_config(args) as config:
        result = run_batch(
            config,
            warehouse,
            beam_args=beam_args,
            refetch=args.refetch,
            lock_wait=args.lock_wait,
            all_feeds=args.all_feeds,
            progress=_progress(args),
        )
    print(report.run_summary(result, warehouse))
    return result.exit_code


def cmd_stream(args: argparse.Namespace, beam_args: Sequence[str]) -> int:
    """Poll every ``--interval`` seconds, one committed window per poll, until stopped or ``--max-polls``.

    SIGTERM / Ctrl-C finish the current window and exit with the windows' code; a second one aborts it.
    """
    from pipeline import report
    from pipeline.stream import StopFlag, run_stream, stop_on_signals

    warehouse = warehouse_dir(args.warehouse)
    stop = StopFlag()

    def on_window(window) -> None:
        print(report.window_line(window), flush=True)

    with stop_on_signals(stop), _run_config(args) as config:
        result = run_stream(
            config,
            warehouse,
            interval=args.interval,
            max_polls=args.max_polls,
            beam_args=beam_args,
            refetch=args.refetch,
            all_feeds=args.all_feeds,
            lock_wait=args.lock_wait,
            stop=stop,
            on_window=on_window,
            progress=_progress(args),
        )
    print(report.stream_summary(result, warehouse), flush=True)
    return result.exit_code


def cmd_status(args: argparse.Namespace) -> int:
    """Per source: last success, volume against its usual, empty-body and blocked rates, warnings."""
    from pipeline import status

    health = status.source_status(warehouse_dir(args.warehouse), recent=args.runs)
    if args.format == "json":
        _print_json([dataclasses.asdict(h) for h in health], indent=2)
    else:
        print(status.format_status(health))
    return 0


def cmd_new_source(args: argparse.Namespace) -> int:
    """Scaffold a connector module and its fixture folder for a new outlet (connectors/scaffold.py)."""
    from connectors.scaffold import ScaffoldError, default_root, scaffold

    root = Path(args.root) if args.root else default_root()
    try:
        written = scaffold(args.source_id, args.home, args.feed, root=root)
    except ScaffoldError as exc:
        print(f"dipnews: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"created {path}")
    return 0


# -- sql / sources / extract / tag ---------------------------------------------------------------------------


def cmd_sql(args: argparse.Namespace) -> int:
    """Run a query against the warehouse catalog and print the result."""
    from warehouse import Warehouse, format_result

    warehouse = Warehouse(warehouse_dir(args.warehouse))
    table = warehouse.query(args.query)
    text = format_result(table, args.format)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def cmd_compact(args: argparse.Namespace) -> int:
    """Merge each partition's small files into few large ones, atomically (readers keep querying)."""
    from warehouse import Warehouse

    warehouse = Warehouse(warehouse_dir(args.warehouse))
    with warehouse.lock(wait=args.lock_wait):
        done = warehouse.compact(args.table, min_files=args.min_files)
    for c in done:
        print(f"{c.table}/{c.partition}: {len(c.replaced)} files -> {len(c.written)}")
    print(
        f"compacted {len(done)} partition(s); "
        "`dipnews vacuum` deletes the replaced files after the grace period"
    )
    return 0


def cmd_vacuum(args: argparse.Namespace) -> int:
    """Delete files no commit references (left by killed runs, replaced by compaction)."""
    from warehouse import Warehouse

    report = Warehouse(warehouse_dir(args.warehouse)).vacuum(
        grace_seconds=args.grace, dry_run=args.dry_run, lock_wait=args.lock_wait
    )
    verb = "would delete" if args.dry_run else "deleted"
    print(
        f"{verb} {len(report.files)} data file(s) and {len(report.temps)} temp file(s), "
        f"{report.bytes} bytes; "
        f"kept {report.kept_recent} unreferenced file(s) younger than {args.grace:g} s"
    )
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Verify every committed file and run the SQL data tests; exit 1 when anything is wrong."""
    from warehouse import Warehouse, run_checks

    warehouse = Warehouse(warehouse_dir(args.warehouse))
    problems = warehouse.check(read_data=not args.quick)
    for problem in problems:
        print(f"file {problem.path}: {problem.issue}")
    failed = [r for r in run_checks(warehouse) if not r.passed]
    for result in failed:
        print(result)
    print(
        f"{len(warehouse.manifest().all_files())} file(s) checked: {len(problems)} problem(s), "
        f"{len(failed)} failed data test(s)"
    )
    return 1 if problems or failed else 0


def cmd_sources(args: argparse.Namespace) -> int:
    """List the connectors, their feeds and their health in the latest runs."""
    from pipeline import report

    print(report.sources_table(warehouse_dir(args.warehouse), load_config(args.config), args.format))
    return 0


def _read_page(target: str, url: str | None, config) -> Any:
    from connectors.base import Page
    from connectors.encoding import decode_html
    from pipeline import records

    path = Path(target)
    if path.exists():
        content = path.read_bytes()
        if path.suffix == ".gz":
            import gzip

            content = gzip.decompress(content)
        text, encoding = decode_html(content, "")
        return Page(
            url=url or path.resolve().as_uri(),
            content=content,
            text=text,
            fetched_at=records.now_utc(),
            encoding=encoding,
            requested_url=url or "",
        )
    if not target.startswith(("http://", "https://")):
        raise FileNotFoundError(f"no such file, and not an http(s) URL: {target}")
    from connectors.http import HttpClient

    client = HttpClient(config.fetch)
    try:
        return client.get(target, kind="page").page()
    finally:
        client.close()


def _page_url(page) -> str | None:
    """The URL a saved page says it is (canonical link or og:url), for choosing its connector."""
    import lxml.html

    from connectors.jsonld import page_metadata

    try:
        meta = page_metadata(lxml.html.document_fromstring(page.text))
    except Exception:
        return None
    return getattr(meta, "canonical_url", None) or getattr(meta, "url", None)


def cmd_extract(args: argparse.Namespace) -> int:
    """Print the article extracted from one URL or saved page as JSON."""
    from connectors import registry

    config = load_config(args.config)
    page = _read_page(args.target, args.url, config)
    if args.source:
        connector = registry.make_connector(args.source)
    else:
        url = page.url if page.url.startswith("http") else _page_url(page)
        connector = (registry.for_url(url) if url else None) or registry.make_connector(
            "generic", connector="generic"
        )
        if url and not page.url.startswith("http"):
            page = dataclasses.replace(page, url=url)
    article = dict(connector.extract(page))
    article["source_id"] = connector.id
    if article.get("url", "").startswith("http"):
        article["identity"] = connector.identity(article["url"])
    _print_json(article, indent=2, sort_keys=True)
    return 0


def cmd_tag(args: argparse.Namespace) -> int:
    """Tag the text on stdin; print one JSON object per mention."""
    from pipeline.tagging.cli import run

    run(sys.stdin.read(), sys.stdout, day=args.date, language=args.language)
    return 0


# -- parser --------------------------------------------------------------------------------------------------


def _run_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="TOML configuration (default: ./dipnews.toml if present)")
    p.add_argument("--warehouse", help="warehouse directory (default: $DIPNEWS_WAREHOUSE or ./warehouse)")
    p.add_argument("--sources", help="comma-separated source ids to run (default: all configured)")
    p.add_argument(
        "--sample", action="store_true", help="ingest the bundled sample corpus, served on loopback"
    )
    p.add_argument(
        "--sample-edition",
        type=int,
        default=1,
        choices=(1, 2),
        help="which poll of the sample corpus to serve (2 brings updates)",
    )
    p.add_argument("--refetch", action="store_true", help="fetch articles again even if already committed")
    p.add_argument(
        "--lock-wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait this long for another run's warehouse lock before giving up",
    )
    p.add_argument(
        "--all-feeds",
        action="store_true",
        help="poll every feed now, even those whose adaptive interval says they are not due yet",
    )
    p.add_argument(
        "--progress",
        choices=("auto", "always", "never"),
        default="auto",
        help="live progress on stderr (auto: only when stderr is a terminal)",
    )


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _non_negative(text: str) -> float:
    value = float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``dipnews`` command."""
    parser = argparse.ArgumentParser(
        prog="dipnews", description="Ingest diplomacy news into Parquet and DuckDB."
    )
    parser.add_argument("--version", action="version", version=f"dipnews {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    parser.add_argument(
        "--log-format",
        choices=("text", "json"),
        default="text",
        help="log lines as text, or as one JSON object per line (for machines)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", help="one batch run (Beam options may follow, e.g. --runner=...)")
    _run_arguments(p)

    p = sub.add_parser("stream", help="poll continuously, committing each poll")
    _run_arguments(p)
    p.add_argument(
        "--interval", type=_non_negative, default=900.0, metavar="SECONDS", help="seconds between polls"
    )
    p.add_argument("--max-polls", type=_positive, default=None, metavar="N", help="stop after N polls")

    p = sub.add_parser("status", help="health per source: last success, volume, error rates, warnings")
    p.add_argument("--warehouse")
    p.add_argument("--runs", type=_positive, default=30, metavar="N", help="recent runs to judge by")
    p.add_argument("--format", choices=("table", "json"), default="table")

    p = sub.add_parser("new-source", help="scaffold a connector module for a new outlet")
    p.add_argument("source_id", metavar="ID", help="the new source's id (also its module name)")
    p.add_argument("--home", required=True, metavar="URL", help="the outlet's home page")
    p.add_argument("--feed", required=True, metavar="URL", help="one of its RSS/Atom feeds or sitemaps")
    p.add_argument("--root", help="the dipnews tree to write into (default: the installed one)")

    p = sub.add_parser("sql", help="query the warehouse")
    p.add_argument("query")
    p.add_argument("--warehouse")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")

    p = sub.add_parser("compact", help="merge small files per partition, atomically")
    p.add_argument("--warehouse")
    p.add_argument("--table", help="only this table (default: all)")
    p.add_argument(
        "--min-files", type=int, default=2, help="compact partitions holding at least this many files"
    )
    p.add_argument("--lock-wait", type=float, default=0.0, metavar="SECONDS")

    p = sub.add_parser("vacuum", help="delete files no commit references")
    p.add_argument("--warehouse")
    p.add_argument(
        "--grace",
        type=float,
        default=3600.0,
        metavar="SECONDS",
        help="keep unreferenced files younger than this (a run may be writing them)",
    )
    p.add_argument("--dry-run", action="store_true")
    p.add_argument("--lock-wait", type=float, default=0.0, metavar="SECONDS")

    p = sub.add_parser("check", help="verify every committed file and run the SQL data tests")
    p.add_argument("--warehouse")
    p.add_argument("--quick", action="store_true", help="check sizes and footers only, do not decode data")

    p = sub.add_parser("sources", help="list connectors with their feeds and health")
    p.add_argument("--warehouse")
    p.add_argument("--config")
    p.add_argument("--format", choices=("table", "json"), default="table")

    p = sub.add_parser("extract", help="print one extracted article as JSON")
    p.add_argument("target", metavar="URL_OR_FILE")
    p.add_argument("--source", help="connector id (default: chosen by the page's URL)")
    p.add_argument("--url", help="the page's URL, for a saved file")
    p.add_argument("--config")

    p = sub.add_parser("tag", help="tag text on stdin; one JSON object per mention")
    p.add_argument(
        "--date",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="publication date (resolves roles such as 'the foreign minister')",
    )
    p.add_argument("--language", choices=("en", "ru", "ja"), help="language of the text (default: detected)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``dipnews`` console script."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command not in ("run", "stream"):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command in ("run", "stream"):
        from pipeline import beam_runtime

        # before any thread starts (see pipeline.beam_runtime)
        beam_runtime.tune_malloc(multi_process=beam_runtime.starts_worker_processes(extra))
    from pipeline import logs

    logs.configure(args.log_format, verbose=args.verbose)
    import duckdb

    from warehouse import CommitError, WarehouseError, WarehouseLocked

    try:
        if args.command in ("run", "stream"):
            return (cmd_run if args.command == "run" else cmd_stream)(args, extra)
        commands = {
            "sql": cmd_sql,
            "sources": cmd_sources,
            "extract": cmd_extract,
            "tag": cmd_tag,
            "compact": cmd_compact,
            "vacuum": cmd_vacuum,
            "check": cmd_check,
            "status": cmd_status,
            "new-source": cmd_new_source,
        }
        return commands[args.command](args)
    except WarehouseLocked as exc:
        from pipeline.run import EXIT_LOCKED

        print(f"dipnews: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except CommitError as exc:
        # the run did its work but could not commit it (a full disk...): it failed, and changed nothing
        from pipeline.run import EXIT_FAILED

        print(f"dipnews: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except (ConfigError, FileNotFoundError, WarehouseError, duckdb.Error) as exc:
        # What a user can fix (config, paths, SQL) is one clear line; anything else is a bug and keeps
        # its traceback.
        print(f"dipnews: {exc}", file=sys.stderr)
        return 2
