"""Every docstring example in the four packages runs and prints what it says (no drifting examples).

Modules are found by walking the packages, so a new module is covered without touching this file.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

PACKAGES = ("schemas", "connectors", "pipeline", "warehouse")
#: modules outside the packages whose examples run too
EXTRA_MODULES = ("benchmarks.connectors_fixtures",)
#: modules whose docstrings are their usage documentation: they must keep at least one example
MUST_HAVE_EXAMPLES = {
    "benchmarks.connectors_fixtures",
    "connectors.base",
    "connectors.dates",
    "connectors.feeds",
    "connectors.generic",
    "connectors.jsonld",
    "connectors.registry",
    "connectors.scaffold",
    "connectors.sources.arabnews",
    "connectors.sources.kremlin",
    "connectors.sources.mainichi",
    "connectors.sources.nippon",
    "connectors.sources.ria",
    "connectors.sources.sankei",
    "connectors.sources.sputnik",
    "connectors.sources.tass",
    "connectors.text",
    "connectors.urls",
    "pipeline.sample.build",
}


def _modules() -> list[str]:
    names = list(EXTRA_MODULES)
    for package in PACKAGES:
        pkg = importlib.import_module(package)
        names.append(package)
        for info in pkgutil.walk_packages(pkg.__path__, prefix=f"{package}."):
            if info.name.endswith("__main__"):
                continue  # running it would start the CLI
            names.append(info.name)
    return sorted(names)


def test_modules_that_must_have_examples_exist() -> None:
    assert set(_modules()) >= MUST_HAVE_EXAMPLES


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
    if name in MUST_HAVE_EXAMPLES:
        assert result.attempted > 0, f"{name} lost its docstring examples"
