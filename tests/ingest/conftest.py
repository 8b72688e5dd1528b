"""Shared fixtures for the register ingest tests.

Every test gets its own embedded store under pytest's ``tmp_path`` and closes it;
registers that a test changes are copies of ``tests/fixtures/registers/small``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import graph

SMALL = Path(__file__).resolve().parents[1] / "fixtures" / "registers" / "small"


@pytest.fixture
def small_register() -> Path:
    """The hand-made valid register (read only: never edit it in place)."""
    return SMALL


@pytest.fixture
def register_copy(tmp_path: Path) -> Path:
    """A private copy of the small register, folder name ``small``, safe to break."""
    target = tmp_path / "small"
    shutil.copytree(SMALL, target)
    return target


@pytest.fixture
def store(tmp_path: Path):
    """A fresh embedded store, closed after the test."""
    with graph.open_store(tmp_path / "db") as opened:
        yield opened
