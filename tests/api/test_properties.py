"""Property-based tests (hypothesis) of the query parameters, and the rules every route keeps.

Whatever a client puts in the query string: never a server error, a 4xx always in the one error
shape, and never a traceback or Cypher in the answer. Every write needs the key; no route
takes query text from a client.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote, unquote

import pytest
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graph
from tests.api.conftest import KEY, assert_error

# Derandomized: CI sees the same 50 examples each run (set derandomize=False locally to explore).
BOUNDED = settings(max_examples=50, deadline=None, database=None, derandomize=True,
                   suppress_health_check=list(HealthCheck))
# Anything a query string can carry, weighted towards what parsers trip on.
TEXT = st.one_of(
    st.text(max_size=80),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.sampled_from(["", " ", "-1", "0", "1e309", "NaN", "2024-02-30", "9999-12-31", "0000-00-00", "E07000129",
                     "' OR 1=1 --", "x'}) DETACH DELETE n //", "MATCH (n) RETURN n", "%00", "\u202e", "a" * 1000]),
)
NUMBER = st.one_of(st.integers(-(10**20), 10**20).map(str), st.floats().map(str), TEXT)
CYPHER_OR_TRACE = re.compile(r"Traceback|File \"/|MATCH \(|RETURN |DETACH DELETE|\bUNWIND\b")


def _params(draw_from: dict) -> st.SearchStrategy[dict]:
    """Some of the named parameters, each drawn from its strategy."""
    return st.fixed_dictionaries({}, optional=draw_from)


def _check(response, *sent) -> None:
    """No 5xx; a 4xx in the one shape; no Cypher or traceback beyond what the client itself sent."""
    assert response.status_code < 500, (response.request.url, response.text[:500])
    text = response.text
    # An error may quote the client's own input back (as sent, trimmed, or as the path decoded): not a leak.
    echoes = [*sent, *(str(v).strip() for v in sent), *unquote(response.request.url.path).split("/")]
    for value in sorted(echoes, key=len, reverse=True):
        for form in {value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}:
            text = text.replace(form, "") if form else text
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/json")
        body = response.json()
        assert set(body) == {"error"} and body["error"]["status"] == response.status_code
        assert set(body["error"]) <= {"status", "code", "message", "problems"} and body["error"]["message"]
    assert not CYPHER_OR_TRACE.search(text), (response.request.url, response.text[:500])


@BOUNDED
@given(params=_params({"q": TEXT, "limit": NUMBER, "offset": NUMBER}))
def test_territory_search(client, params):
    _check(client.get("/territories", params=params), *params.values())


@BOUNDED
@given(code=st.one_of(st.just("E07000129"), st.just("E10000018"), TEXT.filter(lambda s: s.strip(". "))),
       params=_params({"kind": TEXT, "theme": TEXT, "client_group": TEXT, "as_of": TEXT, "limit": NUMBER,
                       "offset": NUMBER}))
def test_territory_coverage(client, code, params):
    _check(client.get(f"/territories/{quote(code, safe='')}/coverage", params=params), code, *params.values())


@BOUNDED
@given(name=st.one_of(st.sampled_from(graph.query_names()), TEXT.filter(lambda s: s.strip(". "))),
       params=st.dictionaries(st.one_of(st.sampled_from(["territory", "id", "ids", "min", "as_of", "theme", "limit",
                                                         "query", "cypher"]), TEXT.filter(bool)),
                              TEXT, max_size=4))
def test_named_queries(client, name, params):
    _check(client.get(f"/queries/{quote(name, safe='')}", params=params), name, *params, *params.values())


@BOUNDED
@given(path=st.sampled_from(["/graph", "/graph.html"]),
       params=_params({"territory": TEXT, "theme": TEXT, "as_of": TEXT, "focus": TEXT, "depth": NUMBER}))
def test_graph(client, path, params):
    _check(client.get(path, params=params), *params.values())


@BOUNDED
@given(params=_params({"lat": NUMBER, "lon": NUMBER, "approximate": TEXT, "kind": TEXT, "theme": TEXT,
                       "client_group": TEXT, "as_of": TEXT, "limit": NUMBER, "offset": NUMBER}))
def test_locate(demo_client, params):
    _check(demo_client.get("/locate", params=params), *params.values())


WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _routes(routes) -> list[APIRoute]:
    """Every route, into included routers too (newer FastAPI keeps them as wrappers)."""
    found = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found.extend(_routes(route.original_router.routes))
    return found


def _writes(app) -> list[tuple[str, str]]:
    """Write routes, from the routing table and from the OpenAPI document (a route hidden from either counts)."""
    routed = {(method, route.path) for route in _routes(app.routes) for method in route.methods & WRITE_METHODS}
    documented = {(method.upper(), path) for path, operations in app.openapi()["paths"].items()
                  for method in operations if method.upper() in WRITE_METHODS}
    return sorted(routed | documented)


def test_every_write_route_needs_the_key(make_client):
    client = make_client(api_keys=[KEY])
    writes = _writes(client.app)
    assert ("POST", "/ingest/register") in writes and ("POST", "/upload") in writes
    for method, path in writes:
        if path in ("/upload", "/upload/confirm"):  # the workspace's forms send their key as a field, answered with a page
            for key in ({}, {"api_key": "not-the-key"}, {"api_key": f"Bearer {KEY}"}):
                response = client.post(path, data=key, files={"register": ("r.zip", b"PK\x03\x04", "application/zip")})
                assert response.status_code == 401 and "Enter a valid API key" in response.text
            continue
        for headers in ({}, {"Authorization": "Bearer not-the-key"}, {"Authorization": KEY}):
            response = client.request(method, path, content=b"PK\x03\x04", headers={**headers,
                                      "Content-Type": "application/zip"})
            assert_error(response, 401, "unauthorized")
    # with no keys configured, writes are off altogether
    closed = make_client()
    for method, path in _writes(closed.app):
        if path in ("/upload", "/upload/confirm"):
            assert closed.post(path, data={"api_key": KEY}).status_code == 403
            continue
        assert_error(closed.request(method, path, headers={"Authorization": f"Bearer {KEY}"}), 403, "forbidden")


def test_no_route_takes_query_text(client):
    query_like = re.compile(r"query|cypher|statement|cql|gql", re.IGNORECASE)
    for path, operations in client.app.openapi()["paths"].items():
        for operation in operations.values():
            names = [p["name"] for p in operation.get("parameters", [])]
            assert not [n for n in names if query_like.search(n)], (path, names)
            assert "requestBody" not in operation or path in ("/ingest/register", "/ingest/openreferral", "/ingest/360giving"), path
    # the one route that passes its query string on takes only a query's declared parameters
    for smuggled in ({"query": "MATCH (n) DETACH DELETE n"}, {"cypher": "MATCH (n) RETURN n"}):
        error = assert_error(client.get("/queries/overload", params=smuggled), 400)
        assert "MATCH" not in error["message"]
    assert client.get("/territories").json()["total"] == 31


@pytest.mark.parametrize("size", [10_001, 1_000_000])
def test_bodies_over_the_limit_are_413(make_client, size):
    client = make_client(api_keys=[KEY], max_request_bytes=10_000)
    response = client.post("/ingest/register", content=b"PK" + b"\0" * (size - 2),
                           headers={"Content-Type": "application/zip", "Authorization": f"Bearer {KEY}"})
    assert_error(response, 413, "too_large")
