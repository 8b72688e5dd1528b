"""The graph back out as a register: export → ingest into an empty store gives the same facts and sources.

Compared fact by fact: every node and relationship by id, its values, and every source's statement
(source and values, most recent first). Rows within a source are not compared: the export numbers
its rows afresh. A workbook's sources are named after its sheets (``register:x/x.xlsx[memberships]``)
where a folder's are named after its files (``register:x/memberships.csv``): both read as ``x/memberships``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import graph
import ingest
from graph.dump import dump
from graph.facts import statements_of
from graph.register_export import register_tables, source_matches
from ontology import own_properties
from viz.register_workbook import write_register

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "leicestershire"
SOURCES = ROOT / "tests" / "fixtures" / "sources"
HOSTILE = ROOT / "tests" / "fixtures" / "registers" / "hostile-names"


def _named(source_id: str) -> str:
    found = re.match(r"^(\w+):(.*)/(?:[^/\[]*\[(\w+)\]|(\w+)\.csv)$", source_id)
    return f"{found[1]}:{found[2]}/{found[3] or found[4]}" if found else source_id


def _facts(store) -> dict:
    """Every fact by id: its values and its statements (source, values), most recent first."""
    everything, model = dump(store), store.model
    out = {}
    tables = [(label, frame, model.label(label).properties) for label, frame in everything.nodes.items()
              if label != "Source"]
    tables += [(rel, frame, model.relationship(rel).properties) for rel, frame in everything.relationships.items()]
    for name, frame, properties in tables:
        own = own_properties(properties)
        stated = {k: p for k, p in own.items() if not p.derived}
        for row in frame.to_dict("records"):
            key = (name, row["id"], row.get("from_id"), row.get("to_id"))
            values = tuple(sorted((k, repr(row.get(k))) for k in own))
            statements = tuple((_named(source), tuple(sorted((k, repr(v)) for k, v in said.items())))
                               for source, _, said in statements_of(row, stated))
            out[key] = (values, statements)
    return out


def _load(store, path: Path, name: str | None = None) -> None:
    ingest.load(store, ingest.READERS["register"](path, dataset=name) if name else ingest.READERS["register"](path))


def _exported(store, target: Path, source: str | None = None):
    tables = register_tables(dump(store), store.model, source)
    write_register(target, store.model, tables.files)
    return tables


@pytest.mark.parametrize("form", ["leicestershire", "leicestershire.xlsx"])
def test_the_sample_comes_back_the_same_from_a_folder_and_from_a_workbook(sample_store, tmp_path, form):
    tables = _exported(sample_store, tmp_path / form)
    assert tables.left_out == []  # a register's graph is all register
    with graph.open_store(tmp_path / "copy") as copy:
        _load(copy, tmp_path / form, "leicestershire")
        assert _facts(copy) == _facts(sample_store)


def test_hostile_names_survive_a_workbook(tmp_path):
    """Names that look like formulas, quotes and markup stay text in the workbook and come back as written."""
    with graph.open_store(tmp_path / "first") as first, graph.open_store(tmp_path / "copy") as copy:
        _load(first, HOSTILE)
        _exported(first, tmp_path / "hostile-names.xlsx")
        _load(copy, tmp_path / "hostile-names.xlsx", "hostile-names")
        assert _facts(copy) == _facts(first)


@pytest.fixture
def two_sources(tmp_path):
    """A store holding the county's register, then the CCG's return (which states one membership differently)."""
    store = graph.open_store(tmp_path / "both")
    _load(store, SOURCES / "county")
    _load(store, SOURCES / "ccg-return")
    yield store
    store.close()


def test_each_source_exported_and_ingested_in_turn_gives_the_same_facts_and_sources(two_sources, tmp_path):
    for name in ("county", "ccg-return"):
        _exported(two_sources, tmp_path / name, source=name)
    with graph.open_store(tmp_path / "copy") as copy:
        for name in ("county", "ccg-return"):
            _load(copy, tmp_path / name)
        assert _facts(copy) == _facts(two_sources)
        # By hand: the membership both state keeps both sources, the CCG's (the later) shown.
        row = copy.run("MATCH (:Organisation {id: 'nhs-shropshire-ccg'})-[r:MEMBER_OF]->() "
                       "RETURN r.role AS role, r.sources AS sources")
        assert row == [{"role": "vice_chair", "sources": ["register:ccg-return/memberships.csv",
                                                          "register:county/memberships.csv"]}]


def test_one_source_exported_is_what_that_source_says_not_what_is_shown(two_sources, tmp_path):
    tables = _exported(two_sources, tmp_path / "county", source="county")
    # By hand from tests/fixtures/sources/county: two seats; the CCG's is a member at 0.75 there,
    # though the store shows the CCG's own word (vice_chair, 0.8).
    seats = {(r["organisation"], r["role"], r["attendance"]) for r in tables.files["memberships"]}
    assert seats == {("shropshire-council", "chair", 0.9), ("nhs-shropshire-ccg", "member", 0.75)}
    assert [r["themes"] for r in tables.files["partnerships"]] == ["Community safety;Health"]
    with graph.open_store(tmp_path / "copy") as copy, graph.open_store(tmp_path / "alone") as alone:
        _load(copy, tmp_path / "county")
        _load(alone, SOURCES / "county")
        assert _facts(copy) == _facts(alone)


def test_a_source_is_named_by_its_id_or_its_datasets_name():
    assert source_matches("register:county/memberships.csv", "county")
    assert source_matches("register:county/memberships.csv", "register:county/memberships.csv")
    assert not source_matches("register:county/memberships.csv", "ccg-return")
    assert not source_matches("register:county-2/memberships.csv", "county")


def test_what_a_register_cannot_hold_is_listed_as_left_out(store):
    """An Open Referral service's description, web page and e-mail have no register column."""
    ingest.load(store, ingest.READERS["openreferral"](ROOT / "tests" / "fixtures" / "openreferral" / "uk" / "service_full.json"))
    tables = register_tables(dump(store), store.model)
    left = {item.what: item for item in tables.left_out}
    for prop in ("Service.description", "Service.url", "Service.email"):
        assert left[prop].count == 1 and left[prop].why == "the register has no column for it"
    assert [r["name"] for r in tables.files["services"]] == ["Community Counselling"]


def test_a_value_holding_the_separator_is_named_rather_than_silently_split(store):
    """An alias "Health; Care" (as a directory may give one) would come back as two aliases: the report says so."""
    everything = dump(store)
    organisation = {column: None for column in everything.nodes["Organisation"].columns}
    organisation.update(id="trust", name="The Trust", sector="nhs", aliases=["Health; Care", "HCT"],
                        source="register:x/organisations.csv", source_row="organisations.csv row 2")
    everything.nodes["Organisation"] = pd.DataFrame([organisation], dtype=object)
    tables = register_tables(everything, store.model)
    assert tables.files["organisations"][0]["aliases"] == "Health; Care;HCT"
    assert [(item.what, item.count) for item in tables.left_out] == [("organisations.aliases", 1)]
