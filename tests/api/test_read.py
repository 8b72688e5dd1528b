"""Reading endpoints over the Leicestershire sample; expected values worked out from its CSV files."""

from __future__ import annotations

import pytest

from tests.api.conftest import assert_error


def test_health_and_version(client):
    assert client.get("/health").json() == {"status": "ok", "store": "embedded"}
    from partnermap import __version__

    assert client.get("/version").json() == {"version": __version__}


def test_territories_lists_all_31_by_code(client):
    body = client.get("/territories").json()
    assert body["total"] == 31  # territories.csv has 31 rows
    assert body["limit"] == 100 and body["offset"] == 0
    codes = [item["code"] for item in body["items"]]
    assert codes == sorted(codes)
    assert {"code": "E07000129", "name": "Blaby", "level": "district", "parent": "E10000018"} in body["items"]


def test_territory_search_by_name_any_case_and_pages(client):
    body = client.get("/territories", params={"q": "LEICESTER"}).json()
    # Leicester, North West Leicestershire, Leicestershire, police force area, fire area, ICB area
    assert [t["code"] for t in body["items"]] == [
        "E06000016", "E07000134", "E10000018", "E23000021", "E31000024", "E54000015"
    ]
    page = client.get("/territories", params={"q": "leicester", "limit": 2, "offset": 1}).json()
    assert page["total"] == 6 and page["limit"] == 2 and page["offset"] == 1
    assert [t["code"] for t in page["items"]] == ["E07000134", "E10000018"]


def test_territory_search_by_code(client):
    body = client.get("/territories", params={"q": "e0501"}).json()
    assert body["total"] == 13  # six Leicester wards, four Charnwood wards, three Blaby wards


def test_territory_with_parents_and_children(client):
    ward = client.get("/territories/E05014672").json()
    assert ward["name"] == "Loughborough Ashby" and ward["level"] == "ward"
    assert [p["code"] for p in ward["parents"]] == ["E07000130", "E10000018", "E12000004", "E92000001"]
    assert ward["children"] == []
    blaby = client.get("/territories/E07000129").json()
    assert [c["code"] for c in blaby["children"]] == ["E05015261", "E05015265", "E05015269"]
    assert blaby["parents"][0]["name"] == "Leicestershire"


def test_coverage_of_blaby(client):
    body = client.get("/territories/E07000129/coverage").json()
    rows = {(row["id"], row["via"], row["relation"]) for row in body["items"]}
    assert ("blaby-lsp", "E07000129", "itself") in rows
    assert ("blaby-community-alarm", "E07000129", "itself") in rows
    assert ("leicestershire-together", "E10000018", "contains it") in rows
    lsp = next(row for row in body["items"] if row["id"] == "blaby-lsp")
    assert lsp["kind"] == "Partnership"
    assert lsp["source_row"] == "partnerships.csv row 3"
    assert body["total"] == len(body["items"])


def test_coverage_includes_what_lies_inside_and_filters_by_kind(client):
    body = client.get("/territories/E07000130/coverage", params={"kind": "service", "limit": 1000}).json()
    assert {row["kind"] for row in body["items"]} == {"Service"}
    inside = {(row["id"], row["via"]) for row in body["items"] if row["relation"] == "inside it"}
    # services.csv: Loughborough services sit on Charnwood's wards
    assert ("loughborough-handyperson", "E05014672") in inside
    assert ("loughborough-storer-neighbourhood-policing", "E05014677") in inside


def test_coverage_filters_by_theme_client_group_and_day(client):
    url = "/territories/E07000129/coverage"
    # services.csv: Blaby's community alarm (row 13) and the county's home fire safety checks
    # (row 22) are both for older people; strategies.csv row 14, the LT communication strategy
    # (county, communities), starts 2005-01-01.
    older = {row["id"] for row in client.get(url, params={"client_group": "Older People", "limit": 1000}).json()["items"]}
    assert {"blaby-community-alarm", "home-fire-safety-checks"} <= older
    health = client.get(url, params={"theme": "health", "kind": "strategy", "limit": 1000}).json()["items"]
    assert "leicestershire-community-strategy" in {row["id"] for row in health}
    assert "lt-communication-strategy" not in {row["id"] for row in health}  # communities only
    strategies = lambda day: {row["id"] for row in client.get(
        url, params={"kind": "Strategy", "as_of": day, "limit": 1000}).json()["items"]}
    assert "lt-communication-strategy" in strategies("2006-01-01")
    assert "lt-communication-strategy" not in strategies("2004-12-31")
    assert "leicestershire-community-strategy" in strategies("2004-12-31")  # undated: always in force
    error = assert_error(client.get(url, params={"as_of": "last tuesday"}), 400, "bad_request")
    assert error["problems"][0]["location"] == "query.as_of"


def test_coverage_pages(client):
    full = client.get("/territories/E07000129/coverage").json()
    page = client.get("/territories/E07000129/coverage", params={"limit": 3, "offset": 2}).json()
    assert page["total"] == full["total"]
    assert page["items"] == full["items"][2:5]


def test_unknown_territory_is_404(client):
    assert_error(client.get("/territories/E99999999"), 404, "not_found")
    assert_error(client.get("/territories/E99999999/coverage"), 404, "not_found")


def test_organisation_profile(client):
    body = client.get("/organisations/blaby-dc").json()
    assert body["kind"] == "Organisation" and body["name"] == "Blaby District Council"
    links = {(n["direction"], n["relationship"], n["id"]) for n in body["neighbours"]}
    assert ("out", "MEMBER_OF", "blaby-lsp") in links
    assert ("out", "DELIVERS", "blaby-community-alarm") in links
    assert ("out", "COVERS", "E07000129") in links


def test_partnership_profile_includes_forums(client):
    lsp = client.get("/partnerships/blaby-lsp").json()
    assert ("out", "REPORTS_TO", "leicestershire-together") in {
        (n["direction"], n["relationship"], n["id"]) for n in lsp["neighbours"]
    }
    forum = client.get("/partnerships/sp-provider-forum").json()
    assert forum["kind"] == "Forum"


def test_service_and_strategy_profiles(client):
    service = client.get("/services/blaby-community-alarm").json()
    links = {(n["direction"], n["relationship"], n["id"]) for n in service["neighbours"]}
    assert ("in", "DELIVERS", "blaby-dc") in links
    assert ("in", "COMMISSIONS", "leicestershire-cc") in links
    strategy = client.get("/strategies/sp-five-year-strategy").json()
    assert strategy["name"] == "Leicester Supporting People Five Year Strategy 2005-10"
    aligned = {n["id"] for n in strategy["neighbours"] if n["relationship"] == "ALIGNS_WITH" and n["direction"] == "out"}
    assert {"older-people-strategy", "housing-strategy"} <= aligned


@pytest.mark.parametrize(
    "path",
    ["/organisations/blaby-lsp", "/partnerships/blaby-dc", "/services/blaby-lsp", "/strategies/blaby-dc",
     "/organisations/no-such-id"],
)
def test_profile_of_missing_or_other_kind_is_404(client, path):
    assert_error(client.get(path), 404, "not_found")


def test_queries_are_listed_with_parameters(client):
    body = client.get("/queries").json()
    by_name = {query["name"]: query for query in body}
    assert "coverage" in by_name and "brokers" in by_name
    assert by_name["coverage"]["params"] == [
        {"name": "territory", "type": "str", "default": None, "required": True,
         "description": "GSS code of the territory, e.g. E07000129", "least": None, "greatest": None},
        {"name": "limit", "type": "int", "default": "100", "required": False,
         "description": "most rows to return (0: the default)", "least": "0", "greatest": "1000"},
        {"name": "offset", "type": "int", "default": "0", "required": False, "description": "rows to skip",
         "least": "0", "greatest": "10000"},
    ]
    overload_min = next(p for p in by_name["overload"]["params"] if p["name"] == "min")
    assert overload_min["type"] == "int" and overload_min["required"] is False
    assert (overload_min["least"], overload_min["greatest"]) == ("1", "100000")
    # overload's own limit is the page's: listed once, with its own default
    assert [p["default"] for p in by_name["overload"]["params"] if p["name"] == "limit"] == ["500"]


def test_named_query_runs_with_query_string_parameters(client):
    body = client.get("/queries/coverage", params={"territory": "E07000129"}).json()
    assert body["name"] == "coverage" and body["total"] == len(body["rows"])
    assert any(row["id"] == "blaby-lsp" and row["via"] == "E07000129" for row in body["rows"])


def test_named_query_errors(client):
    error = assert_error(client.get("/queries/coverage", params={"territory": "E07000129", "cypher": "MATCH"}),
                         400, "bad_query")
    assert "no parameter cypher" in error["message"]
    error = assert_error(client.get("/queries/overload", params={"min": "lots"}), 400, "bad_query")
    assert "'min' must be an int" in error["message"]
    assert_error(client.get("/queries/coverage"), 400, "bad_query")
    assert_error(client.get("/queries/no-such-query"), 404, "not_found")


def test_bad_paging_parameters_are_400(client):
    error = assert_error(client.get("/territories", params={"limit": 1001}), 400, "bad_request")
    assert error["problems"][0]["location"] == "query.limit"
    assert_error(client.get("/territories", params={"offset": "x"}), 400, "bad_request")
    assert_error(client.get("/territories", params={"offset": 2**64}), 400, "bad_request")  # was a 500
    assert_error(client.get("/territories", params={"limit": -1}), 400, "bad_request")
    # 0 means the default page, never everything
    assert client.get("/territories", params={"limit": 0}).json()["limit"] == 100


def test_unknown_route_uses_the_error_shape(client):
    assert_error(client.get("/no/such/route"), 404)
    assert_error(client.delete("/territories"), 405)


def test_graph_page_is_html_of_the_place(client):
    response = client.get("/graph.html", params={"territory": "E07000129"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Blaby District Local Strategic Partnership" in response.text


def test_graph_json_is_the_membership_network_of_a_place(client):
    done = client.get("/graph", params={"territory": "E07000129", "as_of": "2008-01-01"})
    assert done.status_code == 200
    body = done.json()
    ids = {node["id"] for node in body["nodes"]}
    # memberships.csv: Blaby District Council sits on the Blaby LSP, which covers Blaby (E07000129)
    assert {"blaby-lsp", "blaby-dc"} <= ids
    assert {"source": "blaby-dc", "target": "blaby-lsp"}.items() <= next(
        e for e in body["edges"] if e["source"] == "blaby-dc" and e["target"] == "blaby-lsp"
    ).items()
    assert all(e["type"] == "MEMBER_OF" for e in body["edges"])
    bad = client.get("/graph", params={"as_of": "01/01/2008"})
    assert bad.status_code == 400 and bad.json()["error"]["status"] == 400


def test_graph_json_around_a_focus_to_a_depth(client):
    # memberships.csv: blaby-lsp has five members on 2008-01-01 (blaby-dc, leicestershire-cc,
    # leicestershire-police, leics-county-rutland-pct, voluntary-action-leicestershire).
    near = client.get("/graph", params={"focus": "blaby-lsp", "depth": 1, "as_of": "2008-01-01"}).json()
    assert {n["id"] for n in near["nodes"]} == {"blaby-lsp", "blaby-dc", "leicestershire-cc", "leicestershire-police",
                                                "leics-county-rutland-pct", "voluntary-action-leicestershire"}
    assert {e["target"] for e in near["edges"]} == {"blaby-lsp"}
    wider = client.get("/graph", params={"focus": "blaby-lsp", "depth": 2, "as_of": "2008-01-01"}).json()
    assert {n["id"] for n in near["nodes"]} < {n["id"] for n in wider["nodes"]}  # their other partnerships too
    assert "leicestershire-together" in {n["id"] for n in wider["nodes"]}
    assert_error(client.get("/graph", params={"focus": "nobody"}), 404, "not_found")
    assert_error(client.get("/graph", params={"focus": "blaby-lsp", "depth": 0}), 400, "bad_request")
    page = client.get("/graph.html", params={"focus": "blaby-dc", "depth": 1})
    assert page.status_code == 200 and "Blaby District Local Strategic Partnership" in page.text
