"""The examples in the toolkit's docstrings run and hold."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "connectors.urls",
    "connectors.dates",
    "connectors.text",
    "connectors.jsonld",
    "connectors.feeds",
    "connectors.generic",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
