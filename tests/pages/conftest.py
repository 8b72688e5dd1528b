"""The workspace's stores: the demo's data with a register of hostile names beside it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import graph
import ingest
from tests.conftest import ROOT

HOSTILE = ROOT / "tests" / "fixtures" / "registers" / "hostile-names"


@pytest.fixture(scope="session")
def workspace_db(demo_db, tmp_path_factory) -> Path:
    """What `make demo` builds (copied), plus the hostile-names register; closed, so a server can own it."""
    db = tmp_path_factory.mktemp("workspace") / "db"
    shutil.copytree(demo_db, db)
    with graph.open_store(db) as store:
        ingest.load(store, ingest.READERS["register"](HOSTILE))
    return db
