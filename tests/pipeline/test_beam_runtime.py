"""pipeline.beam_runtime: sampler period in bundles, rows coded whole, malloc settings in children."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from typing import Any

import apache_beam as beam
import numpy as np
from apache_beam.coders.typecoders import registry
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.runners.worker import statesampler
from apache_beam.testing.util import assert_that, equal_to

import pipeline.records  # noqa: F401  (applies beam_runtime.tune(), as every stage module does)
from pipeline import beam_runtime


class _SamplingPeriodFn(beam.DoFn):
    """Emits the sampling period of the state sampler that runs the element's bundle."""

    def process(self, element: int):
        yield statesampler.get_current_tracker().sampling_period_ms


def test_bundles_run_with_the_short_sampling_period() -> None:
    with beam.Pipeline(runner=FnApiRunner()) as p:
        periods = p | beam.Create([1, 2, 3]) | beam.ParDo(_SamplingPeriodFn()) | beam.Distinct()
        assert_that(periods, equal_to([beam_runtime.SAMPLING_PERIOD_MS]))


def test_tune_is_idempotent_and_keeps_the_constructor_working() -> None:
    assert beam_runtime.tune() is True
    assert beam_runtime.tune() is True
    assert beam_runtime.sampling_period_ms() == beam_runtime.SAMPLING_PERIOD_MS
    sampler = statesampler.StateSampler("test", None)
    assert sampler.sampling_period_ms == beam_runtime.SAMPLING_PERIOD_MS
    # an explicit period still wins over the default
    assert statesampler.StateSampler("test", None, 50).sampling_period_ms == 50


_CHILD = textwrap.dedent(
    """
    import json, subprocess, sys
    from pipeline import beam_runtime
    applied = beam_runtime.tune_malloc(multi_process=sys.argv[1] == "multi")
    names = list(beam_runtime.MULTI_PROCESS_MALLOC_SETTINGS)
    code = f"import os, json; print(json.dumps([os.environ.get(n) for n in {names!r}]))"
    seen = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    print(json.dumps([applied, dict(zip(names, json.loads(seen)))]))
    """
)
_UNSET = {k: v for k, v in os.environ.items() if k not in beam_runtime.MULTI_PROCESS_MALLOC_SETTINGS}


def _child(env: dict[str, str], mode: str) -> tuple[dict[str, bool], dict[str, str | None]]:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, mode], capture_output=True, text=True, check=True, env=env
    )
    applied, seen_by_grandchild = json.loads(out.stdout)
    return applied, seen_by_grandchild


def test_one_process_runs_get_two_arenas_here_and_in_processes_started_after() -> None:
    applied, seen = _child(_UNSET, "single")
    assert applied == {"MALLOC_ARENA_MAX": True}  # glibc (Debian) accepted it for the process itself
    assert seen == {"MALLOC_ARENA_MAX": "2", "MALLOC_MMAP_THRESHOLD_": None}


def test_multi_process_runs_also_get_a_fixed_mmap_threshold() -> None:
    applied, seen = _child(_UNSET, "multi")
    assert applied == {"MALLOC_ARENA_MAX": True, "MALLOC_MMAP_THRESHOLD_": True}
    assert seen == {"MALLOC_ARENA_MAX": "2", "MALLOC_MMAP_THRESHOLD_": str(1 << 20)}


def test_a_users_malloc_settings_are_left_alone() -> None:
    applied, seen = _child({**_UNSET, "MALLOC_ARENA_MAX": "4"}, "multi")
    assert applied == {"MALLOC_ARENA_MAX": False, "MALLOC_MMAP_THRESHOLD_": True}
    assert seen == {"MALLOC_ARENA_MAX": "4", "MALLOC_MMAP_THRESHOLD_": str(1 << 20)}


def test_which_runs_start_worker_processes() -> None:
    two = ["--direct_running_mode=multi_processing", "--direct_num_workers=2"]
    assert beam_runtime.starts_worker_processes(two)
    assert beam_runtime.starts_worker_processes(["--direct_running_mode", "multi_processing"])
    assert not beam_runtime.starts_worker_processes(["--direct_running_mode=in_memory"])
    assert not beam_runtime.starts_worker_processes(["--runner=PortableRunner", "--job_endpoint=embed"])


# -- the coder of untyped elements ------------------------------------------------------------------------


def _row(i: int) -> dict:
    return {
        "article_id": f"a{i}",
        "published_at": datetime(2024, 9, 1, 12, i % 60, tzinfo=UTC),
        "fetched_at": datetime(2024, 9, 2, tzinfo=UTC),
        "title": "Лавров и Камикава",
        "is_duplicate": bool(i % 2),
        "relevance": 0.5 + i,
        "tags": ("x", "y"),
        "signature": np.arange(4, dtype=np.uint32),
        "mentions": [{"entity_id": "person:lavrov", "start": 0, "end": 6, "variant": None}],
    }


def test_untyped_elements_are_coded_whole_by_the_row_coder() -> None:
    coder = registry.get_coder(Any)
    assert isinstance(coder, beam_runtime.PickledRowCoder)
    row = _row(3)
    back = coder.decode(coder.encode(row))
    assert back.keys() == row.keys() and type(back["tags"]) is tuple
    assert back["published_at"] == row["published_at"] and back["published_at"].tzinfo is not None
    assert (back["signature"] == row["signature"]).all()
    assert {k: v for k, v in back.items() if k != "signature"} == {
        k: v for k, v in row.items() if k != "signature"
    }


def test_keys_still_get_a_deterministic_coder() -> None:
    deterministic = beam_runtime.PickledRowCoder().as_deterministic_coder("GroupByKey")
    assert deterministic.is_deterministic()
    assert deterministic.encode("tass") == deterministic.encode("".join(["ta", "ss"]))


def _rows_by_source(rows: list[dict]) -> dict[str, list[str]]:
    with beam.Pipeline(runner=FnApiRunner()) as p:
        grouped = (
            p
            | beam.Create(rows)
            | beam.Map(lambda row: (row["article_id"][-1], row))
            | beam.GroupByKey()
            | beam.MapTuple(lambda key, group: (key, sorted(r["article_id"] for r in group)))
        )
        out = {str(i): sorted(f"a{j}" for j in range(20) if str(j)[-1] == str(i)) for i in range(10)}
        assert_that(grouped, equal_to(list(out.items())))
        # and rows keep their datetimes and numpy arrays through the shuffle
        kept = (
            grouped.pipeline
            | "Again" >> beam.Create(rows)
            | beam.Reshuffle()
            | beam.Map(lambda row: (row["published_at"].tzinfo is not None, int(row["signature"].sum())))
            | beam.Distinct()
        )
        assert_that(kept, equal_to([(True, 6)]), label="KeptTypes")
    return out


def test_rows_group_and_shuffle_with_the_row_coder() -> None:
    _rows_by_source([_row(i) for i in range(20)])
