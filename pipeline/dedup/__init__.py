"""Deduplication: exact and near-duplicate clustering of articles, within a run and against history.

Modules, each with one job:

- :mod:`~pipeline.dedup.text`: normalisation, content hash, word shingles (pure).
- :mod:`~pipeline.dedup.minhash`: MinHash signatures, LSH band keys, candidate verification (pure).
- :mod:`~pipeline.dedup.agency`: the wire agency credited in datelines and credit lines (pure).
- :mod:`~pipeline.dedup.clusters`: connected components and representatives (pure).
- :mod:`~pipeline.dedup.versions`: which version a re-fetch is, and what changed (pure).
- :mod:`~pipeline.dedup.assign_versions`: the Beam step :class:`AssignVersions` numbering versions
  against the committed articles and dropping unchanged re-fetches.
- :mod:`~pipeline.dedup.sketch`, :mod:`~pipeline.dedup.history`: sketches and reading history files.
- :mod:`~pipeline.dedup.run_index`: the run's sketches and join keys in one object (the side input
  that history is matched against and run×run candidates are found in).
- :mod:`~pipeline.dedup.transforms`: the Beam composite :class:`DeduplicateArticles`.
- :mod:`~pipeline.dedup.evalset`: the generated evaluation set of benchmarks/dedup_eval.py.

The DuckDB views over dedup's outputs (``articles`` with the ledger's current flags, ``dedup_state``,
``article_versions``, ``syndication``) live in ``warehouse/sql/views/``.

The pure helpers are re-exported here; import the Beam composites from ``pipeline.dedup.transforms``
and ``pipeline.dedup.assign_versions`` so that using the helpers does not import Beam.
"""

from pipeline.dedup.agency import detect_agency
from pipeline.dedup.minhash import MinHasher, band_keys, verify
from pipeline.dedup.text import content_hash, normalize_for_hash, shingles
from pipeline.dedup.versions import diff_fields, next_version

__all__ = [
    "MinHasher",
    "band_keys",
    "content_hash",
    "detect_agency",
    "diff_fields",
    "next_version",
    "normalize_for_hash",
    "shingles",
    "verify",
]
