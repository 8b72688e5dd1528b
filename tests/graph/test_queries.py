"""Named queries: loading, parameter checking, dialect rendering, and answers on the sample."""

import datetime as dt
import re

import pytest

import graph
from graph.queries import QueryFileError, parse_query_file, render_embedded, used_params
from partnermap.errors import NotFound, QueryError


def test_every_query_file_loads_with_a_description_and_runs_on_the_embedded_engine(demo_db):
    # The demo's data: the register with geography, boundaries, ONS partnerships and documents,
    # so every reader's facts are there for the queries about them.
    queries = graph.load_queries()
    assert {"coverage", "profile"} <= set(queries)
    examples = {
        "territory": "E07000129",
        "id": "leicestershire-together",
        "ids": ["leicestershire-together", "E07000129", "blaby-community-alarm", "leicestershire-cc"],  # one of each kind asked for
        "from_date": "2000-01-01", "to_date": "2008-12-31",  # the sample's memberships and strategies begin then
    }
    with graph.open_store(demo_db, read_only=True) as store:
        for name, query in queries.items():
            assert query.description, f"{name} has no description"
            params = {p.name: examples[p.name] for p in query.params if p.required}
            assert graph.run_query(store, name, params), f"{name} returned nothing on the demo's data"


def test_a_used_but_undeclared_parameter_names_the_file_and_line(tmp_path):
    path = tmp_path / "bad.cypher"
    path.write_text("// A query.\n// @param a str: first\nMATCH (n {id: $a})\nRETURN n.name = $b\n")
    with pytest.raises(QueryFileError, match=r"bad.cypher:4: \$b is used but not declared"):
        parse_query_file(path)


def test_a_declared_but_unused_parameter_is_an_error(tmp_path):
    path = tmp_path / "bad.cypher"
    path.write_text("// A query.\n// @param a str: first\n// @param b int = 1: second\nMATCH (n {id: $a}) RETURN n\n")
    with pytest.raises(QueryFileError, match="@param b is declared but"):
        parse_query_file(path)


def test_params_in_comments_and_strings_do_not_count():
    assert used_params("MATCH (n) // uses $x\nWHERE n.name = '$y' AND n.id = $z RETURN n") == {"z"}


def test_embedded_rendering_rewrites_only_the_known_differences():
    neo4j = "MATCH (x:Partnership|Forum)-[r:COVERS]->(t) RETURN labels(x)[0] AS kind, type(r) AS rel, [1,2] AS l, toInteger(t.n) AS n"
    assert render_embedded(neo4j) == (
        "MATCH (x:Partnership:Forum)-[r:COVERS]->(t) RETURN label(x) AS kind, label(r) AS rel, [1,2] AS l, to_int64(t.n) AS n"
    )


def test_parameters_are_checked_and_typed():
    coverage = graph.get_query("coverage")
    with pytest.raises(QueryError, match="needs --param territory"):
        coverage.bind({})
    with pytest.raises(QueryError, match="has no parameter colour"):
        coverage.bind({"territory": "E07000129", "colour": "red"})
    param = graph.Param("as_of", "date", None, False, "")
    assert param.coerce("2020-02-29") == dt.date(2020, 2, 29)
    with pytest.raises(QueryError, match="must be a date"):
        param.coerce("29/02/2020")


def test_unknown_query_lists_the_known_ones():
    with pytest.raises(NotFound, match="no query named 'nope'; there are: .*coverage"):
        graph.get_query("nope")


def _by(rows, key="id"):
    return {row[key]: row for row in rows}


def test_coverage_of_a_ward_goes_up_the_territory_chain(sample_store):
    # Loughborough Ashby ward (E05014672) lies in Charnwood (E07000130) < Leicestershire (E10000018).
    rows = graph.run_query(sample_store, "coverage", {"territory": "E05014672"})
    found = _by(rows)
    # services.csv row 19: the Loughborough handyperson service covers the ward itself
    assert (found["loughborough-handyperson"]["via"], found["loughborough-handyperson"]["relation"]) == ("E05014672", "itself")
    assert found["loughborough-handyperson"]["source_row"] == "services.csv row 19"
    # partnerships.csv: Charnwood LSP covers the district; Leicestershire Together the county
    assert (found["charnwood-lsp"]["via"], found["charnwood-lsp"]["relation"]) == ("E07000130", "contains it")
    assert found["leicestershire-together"]["via"] == "E10000018"
    assert found["leicestershire-together"]["kind"] == "Partnership"
    # Nothing from a neighbouring ward or district, and nothing is inside a ward here.
    assert "loughborough-storer-neighbourhood-policing" not in found
    assert "blaby-lsp" not in found
    assert not [r for r in rows if r["relation"] == "inside it"]


def test_coverage_of_a_district_includes_what_covers_its_wards(sample_store):
    rows = graph.run_query(sample_store, "coverage", {"territory": "E07000130"})
    inside = {r["id"]: r["via"] for r in rows if r["relation"] == "inside it"}
    assert inside == {
        "loughborough-handyperson": "E05014672",
        "loughborough-storer-neighbourhood-policing": "E05014677",
    }
    assert {"Partnership", "Service", "Organisation"} <= {r["kind"] for r in rows}


def test_coverage_of_an_unknown_code_is_empty(sample_store):
    assert graph.run_query(sample_store, "coverage", {"territory": "E99999999"}) == []


def test_profile_lists_neighbours_both_ways_with_their_sources(sample_store):
    rows = graph.run_query(sample_store, "profile", {"id": "sp-commissioning-body"})
    assert {r["kind"] for r in rows} == {"Partnership"}
    out = {(r["relationship"], r["neighbour_id"]) for r in rows if r["direction"] == "out"}
    assert ("REPORTS_TO", "leicester-partnership") in out
    members = [r for r in rows if r["direction"] == "in" and r["relationship"] == "MEMBER_OF"]
    assert members and all(r["relationship_source"] == "register:leicestershire/memberships.csv" for r in members)
    assert all(r["relationship_source_row"].startswith("memberships.csv row ") for r in members)


def test_declared_ranges_are_checked_with_one_message(tmp_path):
    path = tmp_path / "ranged.cypher"
    path.write_text("// A query.\n// @param min int = 2 in 1..100: fewest\n// @param share float = 0.5 in 0..1: share\n"
                    "// @param limit int = 20 in 0..50: most rows\n"
                    "MATCH (n) WHERE n.x >= $min AND n.y < $share RETURN n LIMIT $limit\n")
    query = parse_query_file(path)
    assert query.bind({}) == {"min": 2, "share": 0.5, "limit": 20}
    assert query.bind({"min": "100", "share": "1", "limit": "50"}) == {"min": 100, "share": 1.0, "limit": 50}
    for given, message in (({"min": "0"}, "'min' must be from 1 to 100, not '0'"),
                           ({"min": "101"}, "'min' must be from 1 to 100"),
                           ({"share": "NaN"}, "'share' must be from 0.0 to 1.0, not 'NaN'"),
                           ({"share": "inf"}, "'share' must be from 0.0 to 1.0"),
                           ({"limit": "51"}, "'limit' must be from 0 to 50"),
                           ({"limit": "-1"}, "'limit' must be from 0 to 50")):
        with pytest.raises(QueryError, match=re.escape(message)):
            query.bind(given)
    # A limit of 0 is its default, never "everything".
    assert query.bind({"limit": "0"})["limit"] == 20


def test_every_int_fits_64_bits_and_every_date_is_a_real_one_of_two_centuries():
    number = graph.Param("n", "int", None, False, "")
    assert number.coerce(str(2**63 - 1)) == 2**63 - 1
    with pytest.raises(QueryError, match="'n' must be from"):
        number.coerce(str(2**64))  # an offset past 64 bits was a 500
    day = graph.Param("as_of", "date", None, False, "")
    for wrong in ("0", "20080101", "2008-02-30", "1899-12-31", "2101-01-01", "9999-12-31"):
        with pytest.raises(QueryError, match="'as_of' must be"):
            day.coerce(wrong)
    assert day.coerce("1900-01-01") == dt.date(1900, 1, 1)


def test_a_malformed_range_names_the_file_and_line(tmp_path):
    path = tmp_path / "bad.cypher"
    path.write_text("// A query.\n// @param min int = 1 in one..two: fewest\nMATCH (n) WHERE n.x >= $min RETURN n\n")
    with pytest.raises(QueryFileError, match=r"bad.cypher:2: the range of @param min is not an int range"):
        parse_query_file(path)


def test_every_numeric_parameter_of_the_shipped_queries_has_a_range():
    for name in graph.query_names():
        _, params = graph.describe(name)
        for param in params:
            if param.type in ("int", "float"):
                assert param.low is not None and param.high is not None, (name, param.name)


def test_capping_limits_each_branch_of_a_union(tmp_path):
    path = tmp_path / "two.cypher"
    path.write_text("// Two parts.\n// @param x int = 1 in 0..9: x\nMATCH (a) WHERE a.x = $x RETURN a.id AS id\n"
                    "UNION\nMATCH (b) RETURN b.id AS id\nLIMIT $x\n")
    capped = parse_query_file(path).render_capped("neo4j", "cap")
    assert capped.endswith("MATCH (a) WHERE a.x = $x RETURN a.id AS id\nLIMIT $cap\nUNION\nMATCH (b) RETURN b.id AS id\nLIMIT $x\n")
    with pytest.raises(QueryError, match=r"\$x is a parameter of the query itself"):
        parse_query_file(path).render_capped("neo4j", "x")
