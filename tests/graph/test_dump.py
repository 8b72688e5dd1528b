"""The whole-graph dump exporters build on: every label and type, typed per the model."""

import datetime as dt

import graph
from graph.dump import EDGE_COLUMNS, dump
from ontology import load_model


def test_an_empty_store_dumps_every_label_and_type_with_its_columns(store):
    everything = dump(store)
    model = load_model()
    assert set(everything.nodes) == set(model.labels) and set(everything.relationships) == set(model.relationships)
    assert list(everything.nodes["Organisation"].columns)[0] == "id"
    assert set(model.labels["Organisation"].properties) == set(everything.nodes["Organisation"].columns)
    assert list(everything.relationships["MEMBER_OF"].columns)[:5] == [*EDGE_COLUMNS, "id"]
    assert all(len(frame) == 0 for frame in everything.nodes.values())


def test_the_sample_dumps_with_plain_typed_values(sample_store):
    everything = dump(sample_store)
    assert everything.counts() == graph.stats(sample_store)
    members = everything.relationships["MEMBER_OF"].set_index("id")
    # memberships.csv row 2: attendance 0.92, since 2001-06-01, no end date.
    chair = members.loc["MEMBER_OF|leicestershire-cc|leicestershire-together|Leader of the Council"]
    assert chair["attendance"] == 0.92 and chair["since"] == dt.date(2001, 6, 1) and chair["until"] is None
    assert (chair["from_label"], chair["to_label"]) == ("Organisation", "Partnership")
    lcc = everything.nodes["Organisation"].set_index("id").loc["leicestershire-cc"]
    assert lcc["aliases"] == ["Leicestershire CC", "County Council", "Leicestershire"]  # organisations.csv row 2
    meetings = everything.nodes["Partnership"].set_index("id").loc["leicestershire-together", "meetings_per_year"]
    assert meetings == 4 and type(meetings) is int
