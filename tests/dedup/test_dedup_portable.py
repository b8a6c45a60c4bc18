"""The composite on the portable job API (the path Flink, Spark and Dataflow take): coders and pickling."""

from __future__ import annotations

from pathlib import Path

import pytest
from apache_beam.options.pipeline_options import PipelineOptions
from dedup_support import JIJI, UNRELATED, article, paragraphs, run_dedup, write_signatures


@pytest.mark.slow
def test_runs_on_portable_runner_with_history(tmp_path: Path) -> None:
    options = PipelineOptions(["--job_endpoint=embed", "--environment_type=LOOPBACK"])
    first = run_dedup([article("h1", JIJI, 0), article("h2", UNRELATED, 0)], [], "r1", tmp_path,
                      options=options, runner="PortableRunner")  # fmt: skip
    assert {a["article_id"]: a["cluster_id"] for a in first["articles"]} == {"h1": "h1", "h2": "h2"}
    hist = write_signatures(first["signatures"], tmp_path / "r1.parquet")
    copy = "\n\n".join(paragraphs(JIJI)[1:])
    second = run_dedup([article("n1", copy, -2), article("n2", JIJI, 3)], [hist], "r2", tmp_path,
                       options=options, runner="PortableRunner")  # fmt: skip
    flags = {a["article_id"]: (a["cluster_id"], a["is_duplicate"], a["duplicate_of"])
             for a in second["articles"]}  # fmt: skip
    assert flags == {"n1": ("h1", False, None), "n2": ("h1", True, "n1")}
    assert [(r["article_id"], r["duplicate_of"]) for r in second["revisions"]] == [("h1", "n1")]
