"""Every answer is bounded: sizes and numbers checked to their ranges (400), and a time budget (503)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

import graph
from api import create_app
from graph.analyses import ANALYSES, Analysis
from partnermap.settings import Settings
from tests.api.conftest import assert_error
from tests.graph.test_budget import SLOW  # hours of work on 2,000 territories, unless stopped

BLABY = "E07000129"
OVERSIZED = [
    ("/territories", {"limit": 1001}),
    ("/territories", {"limit": -1}),
    ("/territories", {"offset": 2**64}),  # was a 500: "Integer exceeds 64-bit range"
    ("/territories", {"offset": 1_000_001}),
    (f"/territories/{BLABY}/coverage", {"limit": 100_000_000}),
    (f"/territories/{BLABY}/coverage", {"offset": 2**64}),
    (f"/territories/{BLABY}/coverage", {"as_of": "0"}),  # was read as 1970-01-01
    (f"/territories/{BLABY}/coverage", {"as_of": "1899-12-31"}),
    ("/locate", {"lat": 52.6, "lon": -1.2, "offset": 2**64}),
    ("/organisations/blaby-dc", {"limit": 1001}),
    ("/queries/suggested-links", {"min_shared": 0, "limit": 100_000_000}),  # grew a server to 24 GB
    ("/queries/suggested-links", {"min_shared": 0}),
    ("/queries/duplicate-services", {"limit": 1001}),
    ("/queries/coverage", {"territory": BLABY, "offset": 10_001}),
    ("/queries/overload", {"min": 0}),
    ("/queries/attendance", {"threshold": "NaN"}),
    ("/queries/overload", {"as_of": "0"}),
    ("/graph", {"as_of": "0"}),
    ("/graph", {"depth": 7}),
]


@pytest.mark.parametrize(("path", "params"), OVERSIZED, ids=[f"{p} {q}" for p, q in OVERSIZED])
def test_oversized_or_out_of_range_requests_are_400(client, path, params):
    error = assert_error(client.get(path, params=params), 400)
    assert error["code"] in ("bad_request", "bad_query")


def test_limit_0_is_the_default_never_everything(client):
    assert client.get("/territories", params={"limit": 0}).json()["limit"] == 100
    answer = client.get("/queries/duplicate-services", params={"limit": 0}).json()  # answered 1.59 GB
    assert answer["limit"] == 1000 and len(answer["rows"]) <= 1000
    answer = client.get("/queries/coverage", params={"territory": BLABY, "limit": 0}).json()
    assert answer["limit"] == 100


def test_named_queries_page_and_say_whether_more_follow(client):
    first = client.get("/queries/coverage", params={"territory": BLABY, "limit": 5}).json()
    second = client.get("/queries/coverage", params={"territory": BLABY, "limit": 5, "offset": 5}).json()
    assert first["more"] is True and first["total"] == second["total"] > 10
    assert len({row["id"] + row["via"] for row in first["rows"] + second["rows"]}) == 10
    top = client.get("/queries/overload", params={"limit": 3, "offset": 1}).json()
    assert top["total"] is None and len(top["rows"]) == 3 and top["more"] is True


def test_profiles_page_their_neighbours(client):
    full = client.get("/partnerships/blaby-lsp").json()
    page = client.get("/partnerships/blaby-lsp", params={"limit": 2, "offset": 1}).json()
    assert page["neighbours_total"] == full["neighbours_total"] == len(full["neighbours"]) > 3
    assert page["neighbours"] == full["neighbours"][1:3] and (page["limit"], page["offset"]) == (2, 1)


def test_a_map_too_large_to_draw_is_refused(client, monkeypatch):
    import api.maps

    drawn = len(client.get("/graph", params={"territory": BLABY}).json()["edges"])  # 40 edges (43 memberships)
    monkeypatch.setattr(api.maps, "MAP_MEMBERSHIPS", drawn // 2)
    for path in ("/graph", "/graph.html"):
        error = assert_error(client.get(path, params={"territory": BLABY}), 400, "bad_query")
        assert "this map would draw" in error["message"] and f"more than the {drawn // 2} a map shows" in error["message"]


def test_the_openapi_document_gives_every_list_its_maximum(client):
    for path, operations in client.app.openapi()["paths"].items():
        for operation in operations.values():
            for param in operation.get("parameters", []):
                if param["name"] in ("limit", "offset"):
                    assert "maximum" in param["schema"], (path, param)
                    assert param["schema"]["minimum"] == 0




@pytest.fixture
def slow_query(monkeypatch):
    """A named query that is certainly slower than any budget given here (injected for the test)."""
    monkeypatch.setitem(ANALYSES, "slow-count", Analysis("slow-count", "Counts for hours.", (),
                                                         lambda store, params: store.run(SLOW)))


def test_a_query_past_its_budget_is_503_and_the_server_keeps_answering(tmp_path, slow_query):
    db = tmp_path / "db"
    with graph.open_store(db) as store:
        store.run("UNWIND range(1, 2000) AS i CREATE (:Territory {id: CAST(i AS STRING), year: i})")
    with TestClient(create_app(Settings(db=db, query_seconds=0.5))) as client:
        response = client.get("/queries/slow-count")
        error = assert_error(response, 503, "timeout")
        assert "time budget of 0.5 s" in error["message"] and response.headers["retry-after"] == "5"
        # the engine was stopped, not left running: the store answers the next request at once
        assert client.get("/territories", params={"limit": 1}).json()["total"] == 2000
        assert client.get("/queries/overload").json()["rows"] == []
        assert client.get("/ready").json() == {"status": "ready", "store": "embedded"}
        assert client.get("/health").status_code == 200


def test_a_query_whose_rows_have_no_bounded_size_is_not_served(client):
    assert "boundaries" not in {query["name"] for query in client.get("/queries").json()}
    error = assert_error(client.get("/queries/boundaries"), 404, "not_found")
    assert "no bound on their size" in error["message"]
