"""The examples in the connector modules' docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "connectors.base",
    "connectors.registry",
    "connectors.sources.tass",
    "connectors.sources.sputnik",
    "connectors.sources.arabnews",
    "connectors.sources.sankei",
    "connectors.sources.nippon",
    "connectors.sources.mainichi",
    "connectors.sources.kremlin",
    "connectors.sources.ria",
    "connectors.scaffold",
    "benchmarks.connectors_fixtures",
    "pipeline.sample.build",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0
