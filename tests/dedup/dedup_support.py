"""Helpers shared by the dedup tests: run DeduplicateArticles on FnApiRunner and collect its outputs."""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import apache_beam as beam
import pyarrow.parquet as pq
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import PipelineOptions

from pipeline.dedup.assign_versions import AssignVersions
from pipeline.dedup.transforms import DeduplicateArticles
from pipeline.records import NAMESPACE
from schemas import to_table
from schemas.dedup import SIGNATURES
from warehouse import Warehouse, write_partition
from warehouse.layout import partition_of


def dump_rows(rows: list[Any], path: str) -> None:
    """Pickle ``rows`` (a collected PCollection) to ``path``: how the tests get outputs out of a pipeline."""
    Path(path).write_bytes(pickle.dumps(rows))


def run_dedup(
    articles: Sequence[dict[str, Any]],
    history: Sequence[str],
    run_id: str,
    workdir: Path,
    options: PipelineOptions | None = None,
    runner: str = "FnApiRunner",
    **kwargs: Any,
) -> dict[str, list[dict[str, Any]]]:
    """Run the transform over ``articles`` and return every output as a list of rows."""
    out_dir = workdir / f"out-{run_id}"
    out_dir.mkdir(parents=True, exist_ok=True)
    kwargs.setdefault("decided_at", datetime(2030, 1, 1, tzinfo=UTC).replace(minute=len(run_id)))
    with beam.Pipeline(runner=runner, options=options) as p:
        dedup = DeduplicateArticles(history, run_id=run_id, **kwargs)
        outputs = p | "Input" >> beam.Create(list(articles)) | dedup
        for name, pcoll in outputs.items():
            _ = (
                pcoll
                | f"Collect{name}" >> beam.combiners.ToList()
                | f"Dump{name}" >> beam.Map(dump_rows, str(out_dir / f"{name}.pkl"))
            )
    return {path.stem: pickle.loads(path.read_bytes()) for path in out_dir.glob("*.pkl")}


def write_signatures(rows: list[dict[str, Any]], path: Path) -> str:
    """Commit ``rows`` as a signatures Parquet file the way the warehouse would; return its path."""
    pq.write_table(to_table(rows, SIGNATURES), path)
    return str(path)


T0 = datetime(2024, 3, 1, 9, tzinfo=UTC)

# A JIJI story as arabnews.com prints it, and a different story on the same event (same people, same
# background paragraph): the hard negative.
JIJI = "\n".join(
    [
        "Since 1975",
        "Short Url:",
        "01 Mar 2024 18:10:26 GMT9",
        (
            "TOKYO: Japan's Foreign Minister Yoko Kamikawa said on Friday that Tokyo will keep its "
            "sanctions against Russia in place while seeking talks on salmon and crab fishing near the "
            "disputed islands."
        ),
        "",
        (
            "Kamikawa told reporters that the government would coordinate closely with its Group of "
            "Seven partners before any talks with Moscow resume, and that fishermen in Nemuro had asked"
            " for clarity."
        ),
        "",
        (
            "Russian Deputy Foreign Minister Andrei Rudenko said earlier this week that Moscow saw no "
            "basis for a peace treaty while Japan kept what he called unfriendly measures."
        ),
        "",
        (
            "The islands, seized by the Soviet Union at the end of World War II, are called the "
            "Northern Territories in Japan and the Southern Kurils in Russia."
        ),
        "",
        (
            "Former residents have been unable to visit family graves on the islands since 2022, when "
            "Russia suspended the visa-free exchange program."
        ),
        "JIJI Press",
        "Most Popular",
    ]
)
SAME_EVENT = "\n".join(
    [
        (
            "MOSCOW, March 1. /TASS/. Russian Deputy Foreign Minister Andrei Rudenko said on Friday "
            "that Moscow would answer any new Japanese sanctions and that fishing talks could not be "
            "separated from politics."
        ),
        "",
        (
            "Rudenko told TASS that Japan's Foreign Minister Yoko Kamikawa had chosen to follow "
            "Washington, and that Russian fishing companies in Sakhalin were ready for business if "
            "Tokyo changed course."
        ),
        "",
        (
            "He said consultations on crab quotas had been frozen since the autumn, and that the "
            "Russian side had handed Japan a list of conditions through the embassy."
        ),
        "",
        (
            "The islands, seized by the Soviet Union at the end of World War II, are called the "
            "Northern Territories in Japan and the Southern Kurils in Russia."
        ),
    ]
)
UNRELATED = "\n".join(
    [
        (
            "VLADIVOSTOK: The port of Vladivostok opened a new container terminal on Saturday, with "
            "cranes built to handle ships from China and South Korea and a rail link to the Trans-"
            "Siberian line, the regional governor said at the opening ceremony."
        ),
    ]
)


def article(
    aid: str, body: str, hours: float, *, source: str = "arabnews", title: str = "t", **extra: Any
) -> dict:
    """An article dict as NormalizeArticles hands it to dedup."""
    return {
        "article_id": aid, "source_id": source, "url": f"https://{source}.example/{aid}", "title": title,
        "body": body, "published_at": T0 + timedelta(hours=hours),
        "fetched_at": T0 + timedelta(hours=hours + 1),
        "language": "en", "identity": f"{source}:{aid}", **extra,
    }  # fmt: skip


def paragraphs(text: str) -> list[str]:
    """The paragraphs of ``text``."""
    return text.split("\n\n")


def run_tail(
    articles: Sequence[dict[str, Any]],
    article_files: Sequence[str],
    signature_files: Sequence[str],
    run_id: str,
    workdir: Path,
    decided_at: datetime,
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, int]]:
    """AssignVersions then DeduplicateArticles, as IngestEntries chains them; returns (outputs, counters)."""
    out_dir = workdir / f"tail-{run_id}"
    out_dir.mkdir(parents=True, exist_ok=True)
    p = beam.Pipeline(runner="FnApiRunner")
    versioned = p | "Input" >> beam.Create(list(articles)) | AssignVersions(article_files)
    dedup = DeduplicateArticles(signature_files, run_id=run_id, decided_at=decided_at)
    for name, pcoll in (versioned | dedup).items():
        _ = (
            pcoll
            | f"Collect{name}" >> beam.combiners.ToList()
            | f"Dump{name}" >> beam.Map(dump_rows, str(out_dir / f"{name}.pkl"))
        )
    result = p.run()
    result.wait_until_finish()
    outputs = {path.stem: pickle.loads(path.read_bytes()) for path in out_dir.glob("*.pkl")}
    return outputs, counters_of(result)


def counters_of(result: Any) -> dict[str, int]:
    """The dipnews counters of a finished pipeline, summed over steps."""
    totals: dict[str, int] = {}
    for counter in result.metrics().query(MetricsFilter().with_namespace(NAMESPACE))["counters"]:
        value = counter.committed if counter.committed is not None else counter.attempted
        totals[counter.key.metric.name] = totals.get(counter.key.metric.name, 0) + int(value or 0)
    return totals


def commit_rows(wh: Warehouse, run_id: str, tables: dict[str, list[dict[str, Any]]]) -> None:
    """Write each table's rows in their partitions and commit them as run ``run_id``."""
    files = []
    for table, rows in tables.items():
        groups: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            row = {**row, "run_id": row.get("run_id") or run_id}
            groups.setdefault(partition_of(table, row), []).append(row)
        for part, group in sorted(groups.items()):
            files.append(write_partition(wh.root, table, part, run_id, group))
    assert wh.commit(run_id, files)
