"""pipeline.beam_runtime: the state sampler's period reaches real bundles; malloc arenas reach children."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import apache_beam as beam
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
    import os, subprocess, sys
    from pipeline import beam_runtime
    applied = beam_runtime.limit_malloc_arenas()
    grandchild = subprocess.run(
        [sys.executable, "-c", "import os; print(os.environ.get('MALLOC_ARENA_MAX'))"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    print(applied, grandchild)
    """
)


def _child(env: dict[str, str]) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD], capture_output=True, text=True, check=True, env=env
    ).stdout.split()
    return out


def test_malloc_arenas_are_capped_here_and_in_processes_started_after() -> None:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    applied, seen_by_child = _child(env)
    assert applied == "True"  # glibc (Debian) accepted the cap for the process itself
    assert seen_by_child == str(beam_runtime.MALLOC_ARENAS)


def test_a_users_malloc_arena_max_is_left_alone() -> None:
    env = {**os.environ, "MALLOC_ARENA_MAX": "4"}
    applied, seen_by_child = _child(env)
    assert applied == "False"
    assert seen_by_child == "4"
