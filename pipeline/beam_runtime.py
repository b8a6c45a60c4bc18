"""Process-wide runtime settings: Beam's state sampler, the coder of untyped elements, glibc malloc.

**State sampler.** Beam's Python SDK starts a state-sampling thread for every bundle and, when the
bundle ends, joins it. The thread sleeps up to ``statesampler.DEFAULT_SAMPLING_PERIOD_MS`` (200 ms)
between samples, and Beam offers no option to change that, so every bundle longer than a second ends
with the worker idle for 100 ms on average. A batch run is a few dozen sequential bundles per chunk:
at 20,000 articles that was 3.3 s of a 91 s run spent waiting (py-spy, idle samples of the main thread).
Sampling every few milliseconds costs nothing measurable (a C thread wakes, takes a lock, adds to a
counter) and makes the join short.

:func:`tune` is applied on import of :mod:`pipeline.records`, which every stage module imports: so in the
driver, and in each worker process as soon as it unpickles a stage (its later bundles then use it).

**Coder of untyped elements.** dipnews' elements are dict rows (and tuples keyed by strings) without
type hints, so Beam codes them with its fallback for ``Any``: ``FastPrimitivesCoder``, which writes a
dict value by value and hands every value it does not know (a ``datetime``: an article row has four) to
a pickler of its own, one call each; a row crosses five to six shuffles and side inputs on its way.
:class:`PickledRowCoder`, registered by :func:`tune` ahead of it, pickles the whole element in one C
call instead (datetimes, nested mention lists and numpy arrays included). Where Beam needs a
deterministic coder (the keys of a GroupByKey) it still gets FastPrimitivesCoder's deterministic form,
as before. A run at 5,000 articles took 3% less wall and user time (three runs each, alternated).

**Malloc.** glibc gives each thread that allocates concurrently an arena of its own, up to eight per
core, and memory freed in one arena is not reused by another. A dipnews process has many threads (Beam's
gRPC and data-plane threads, the fetch pool), so pages parsed on one thread and rows built on another
leave several half-empty arenas. And glibc raises its mmap threshold each time a large block is freed,
so that the large buffers of a bundle (encoded elements, Arrow-bound lists) are soon carved from the
heap and leave it fragmented. Two workers at 20,000 articles (process tree, peak): 2.02 GB with glibc's
defaults, 1.60 GB with two arenas (same speed), 1.37-1.38 GB with a fixed 1 MiB mmap threshold too.
The threshold costs system time (mapping and unmapping large blocks: 5 s more in that 61 s run, 0.3 s
in a one-worker run at 5,000), so it is applied only to runs that start worker processes of their own
(``--direct_running_mode=multi_processing``), where every process keeps a heap of its own; a one-process
run peaks at 0.6-0.8 GB without it.
:func:`tune_malloc` is called by ``dipnews run`` and ``dipnews stream`` before any thread starts; it
applies the settings to this process (``mallopt``) and, through the environment, to the worker
processes the runner starts. A value the user set in the environment is left as it is.
"""

from __future__ import annotations

import ctypes
import inspect
import logging
import os
import pickle
from collections.abc import Sequence
from typing import Any

from apache_beam.coders import coder_impl, coders
from apache_beam.coders.typecoders import registry

log = logging.getLogger(__name__)

#: glibc malloc settings of every dipnews process: environment variable -> (mallopt parameter number
#: in glibc's <malloc.h>, value). Two arenas (glibc's default: eight per core).
MALLOC_SETTINGS: dict[str, tuple[int, int]] = {
    "MALLOC_ARENA_MAX": (-8, 2),  # M_ARENA_MAX
}
#: and of the processes of a run that starts worker processes of its own: blocks of 1 MiB and more
#: mapped on their own, at a fixed threshold (glibc's default raises it as such blocks are freed)
MULTI_PROCESS_MALLOC_SETTINGS: dict[str, tuple[int, int]] = {
    **MALLOC_SETTINGS,
    "MALLOC_MMAP_THRESHOLD_": (-3, 1 << 20),  # M_MMAP_THRESHOLD
}

#: milliseconds between state samples in a dipnews process (Beam's default is 200)
SAMPLING_PERIOD_MS = 5


class PickledRowCoder(coders.FastCoder):
    """Codes any picklable element with one ``pickle`` call; deterministic uses get FastPrimitivesCoder's.

    >>> from datetime import UTC, datetime
    >>> row = {"id": "a1", "published_at": datetime(2024, 9, 1, tzinfo=UTC), "mentions": [{"start": 0}]}
    >>> PickledRowCoder().decode(PickledRowCoder().encode(row)) == row
    True
    """

    def _create_impl(self) -> coder_impl.CoderImpl:
        dumps, loads, protocol = pickle.dumps, pickle.loads, pickle.HIGHEST_PROTOCOL
        return coder_impl.CallbackCoderImpl(lambda value: dumps(value, protocol), loads)

    def is_deterministic(self) -> bool:
        return False  # equal dicts built in another order pickle to other bytes

    def as_deterministic_coder(self, step_label: str, error_message: str | None = None) -> coders.Coder:
        return coders.FastPrimitivesCoder().as_deterministic_coder(step_label, error_message)

    def to_type_hint(self) -> Any:
        return Any

    @classmethod
    def from_type_hint(cls, typehint: Any, registry: Any) -> PickledRowCoder:
        return cls()

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self))


def tune(sampling_period_ms: int = SAMPLING_PERIOD_MS) -> bool:
    """Apply the settings above to Beam in this process; True when the state sampler took its period.

    Idempotent. When a Beam release no longer has the constructor default the sampler setting relies
    on, that setting is skipped (bundles then just end later) and a debug line says so.
    """
    if registry.get_coder(Any) != PickledRowCoder():
        registry.register_fallback_coder(PickledRowCoder)
    from apache_beam.runners.worker import statesampler

    init = statesampler.StateSampler.__init__
    params = list(inspect.signature(init).parameters)
    if "sampling_period_ms" not in params or not init.__defaults__:
        log.debug("apache_beam's StateSampler has no sampling_period_ms default: left as it is")
        return False
    # BundleProcessor builds StateSampler(prefix, counter_factory) and so takes this default; it is the
    # constructor's last parameter, hence the last default.
    if params[-1] != "sampling_period_ms":
        log.debug("apache_beam's StateSampler takes sampling_period_ms elsewhere: left as it is")
        return False
    init.__defaults__ = (*init.__defaults__[:-1], sampling_period_ms)
    return True


def sampling_period_ms() -> int | None:
    """The sampling period a new Beam state sampler of this process gets, in milliseconds."""
    from apache_beam.runners.worker import statesampler

    defaults = statesampler.StateSampler.__init__.__defaults__
    return defaults[-1] if defaults else None


def starts_worker_processes(beam_args: Sequence[str]) -> bool:
    """Whether a run with ``beam_args`` runs its stages in worker processes that it starts itself.

    >>> starts_worker_processes(["--direct_running_mode=multi_processing", "--direct_num_workers=2"])
    True
    >>> starts_worker_processes([]), starts_worker_processes(["--runner=DataflowRunner"])
    (False, False)
    """
    from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions

    direct = PipelineOptions(list(beam_args)).view_as(DirectOptions)
    return direct.direct_running_mode == "multi_processing"


def tune_malloc(multi_process: bool = False) -> dict[str, bool]:
    """Apply :data:`MALLOC_SETTINGS` (:data:`MULTI_PROCESS_MALLOC_SETTINGS` when ``multi_process``) to
    this process and the processes it starts.

    Returns, per environment variable, whether this process's setting was made here: False where the
    user's own value already governs it (glibc read it at start; it is passed on unchanged) or where
    the C library is not glibc (nothing to tune).
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
        mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
        mallopt.restype = ctypes.c_int
    except (OSError, AttributeError):  # not glibc, or no symbol table to look in
        mallopt = None
    applied = {}
    settings = MULTI_PROCESS_MALLOC_SETTINGS if multi_process else MALLOC_SETTINGS
    for variable, (param, value) in settings.items():
        if variable in os.environ:
            applied[variable] = False
            continue
        # Children (Beam's SDK worker processes) read this when they start, before any thread of theirs.
        os.environ[variable] = str(value)
        applied[variable] = mallopt is not None and mallopt(param, value) == 1
    return applied
