"""The examples in the docstrings of the driver-side modules run as written."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "pipeline.config",
    "pipeline.faults",
    "pipeline.feedstate",
    "pipeline.logs",
    "pipeline.progress",
    "pipeline.report",
    "pipeline.run",
    "pipeline.status",
    "pipeline.stream",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
