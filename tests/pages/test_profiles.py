"""A profile names every source that states a fact: two registers both state the Shropshire Partnership."""

from __future__ import annotations

import re

import pytest

import graph
import ingest
from graph.coverage import CoverageCache
from pages import profiles
from pages.context import Workspace
from pages.findings import FindingsCache
from tests.conftest import ROOT

SOURCES = ROOT / "tests" / "fixtures" / "sources"


@pytest.fixture(scope="module")
def space(tmp_path_factory):
    store = graph.open_store(tmp_path_factory.mktemp("two-sources") / "db")
    for register in ("county", "ccg-return"):
        ingest.load(store, ingest.READERS["register"](SOURCES / register))
    yield Workspace(store, CoverageCache(), FindingsCache())
    store.close()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_fact_two_registers_state_lists_both_sources(space):
    text = _text(profiles.page(space, "shropshire-partnership"))
    # Both registers give the partnership on row 2 of their partnerships.csv; the later (the CCG's) first.
    assert "Sources register:ccg-return/partnerships.csv, partnerships.csv row 2 " \
           "register:county/partnerships.csv, partnerships.csv row 2" in text
    # The CCG's membership is stated by both; the council's by the county alone.
    assert "NHS Shropshire CCG Organisation memberships.csv row 2 also stated by register:county/memberships.csv" in text
    assert "Shropshire Council Organisation memberships.csv row 2 " in text
    assert "Shropshire Council Organisation memberships.csv row 2 also stated" not in text
