"""Fixtures of the warehouse tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from warehouse import Warehouse


@pytest.fixture
def wh(tmp_path: Path) -> Warehouse:
    """An empty warehouse in a temporary directory (not created yet: the warehouse creates it lazily)."""
    return Warehouse(tmp_path / "wh")
