"""GET /locate: the territories holding a point, smallest first, and what covers the smallest."""

from __future__ import annotations

from tests.api.conftest import assert_error

# A point in Enderby, Blaby (out/locate-enderby.txt in the demo): Enderby ward 2025 (E05015265)
# inside Blaby 006 MSOA, Blaby district (E07000129), Leicestershire (E10000018).
ENDERBY = {"lat": 52.5917, "lon": -1.2067}


def test_locate_a_point_in_blaby(demo_client):
    body = demo_client.get("/locate", params=ENDERBY).json()
    found = {t["territory"]: t for t in body["territories"]}
    assert found["E05015265"]["how"] == "boundary" and found["E05015265"]["level"] == "ward"
    assert found["E07000129"]["how"] == "boundary"
    assert found["E10000018"]["how"] == "contains" and found["E10000018"]["via"] == "E07000129"
    levels = [t["level"] for t in body["territories"] if not t["approximate"]]
    assert levels.index("ward") < levels.index("district") < levels.index("county")  # smallest first
    assert all(t["approximate"] for t in body["territories"] if t["how"] == "parent's boundary")
    # Coverage of the smallest placed territory, through the tree: the district and county LSPs,
    # and the statutory partnerships the ONS geographies link to Blaby.
    assert body["coverage_of"] in found
    covering = {item["id"] for item in demo_client.get("/locate", params={**ENDERBY, "kind": "partnership", "limit": 1000}
                                                       ).json()["coverage"]["items"]}
    # the district and county LSPs (register), Blaby CSP (ONS lad19_to_csp19_to_pfa19 row 2) and
    # the LLR STP/ICS E54000015 (ccg19_to_stp19_to_cancer_alliance19 row 2)
    assert {"blaby-lsp", "leicestershire-together", "E22000164", "E54000015"} <= covering


def test_locate_without_guesses_and_with_coverage_filters(demo_client):
    exact = demo_client.get("/locate", params={**ENDERBY, "approximate": "false"}).json()
    assert exact["territories"] and not any(t["approximate"] for t in exact["territories"])
    services = demo_client.get("/locate", params={**ENDERBY, "kind": "service", "limit": 1000}).json()
    assert services["coverage"]["items"] and {i["kind"] for i in services["coverage"]["items"]} == {"Service"}


def test_a_point_outside_every_boundary_finds_nothing(demo_client):
    body = demo_client.get("/locate", params={"lat": 51.5, "lon": -30.0}).json()  # the Atlantic
    assert body["territories"] == [] and body["coverage"] is None and body["coverage_of"] is None


def test_nonsense_coordinates_are_400(demo_client):
    error = assert_error(demo_client.get("/locate", params={"lat": 152, "lon": -1.2}), 400, "bad_request")
    assert error["problems"][0]["location"] == "query.lat"
    assert_error(demo_client.get("/locate", params={"lat": "north", "lon": 0}), 400, "bad_request")
    assert_error(demo_client.get("/locate", params={"lon": 0}), 400, "bad_request")
