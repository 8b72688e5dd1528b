"""The one error shape for the project's errors, and no Cypher or traces in any answer."""

from __future__ import annotations

from api import create_app
from api.deps import get_store
from fastapi.testclient import TestClient
from partnermap.errors import QueryError, StoreUnavailable
from partnermap.settings import Settings
from tests.api.conftest import assert_error


class RefusingStore:
    """A store whose engine refuses every query, quoting the Cypher as real engines do."""

    dialect = "embedded"
    model = None
    generation = None  # nothing read from it may be kept

    def __init__(self, error: Exception):
        self.error = error

    def run(self, query, params=None):
        raise self.error

    frame = run


def _engine_refusal() -> QueryError:
    try:
        raise RuntimeError("Binder exception: MATCH (t:Territory {id: $territory}) RETURN secret")
    except RuntimeError as exc:
        try:
            raise QueryError(f"the embedded engine refused the query: {exc}") from exc
        except QueryError as refused:
            return refused


def _client_with(store, tmp_path) -> TestClient:
    app = create_app(Settings(db=tmp_path / "db"))
    app.dependency_overrides[get_store] = lambda: store
    return TestClient(app)


def test_an_engine_refusal_is_400_without_the_cypher(tmp_path):
    with _client_with(RefusingStore(_engine_refusal()), tmp_path) as client:
        response = client.get("/territories")
        error = assert_error(response, 400, "bad_query")
        assert error["message"] == "the store could not run this query"
        assert "secret" not in response.text and "Territory {" not in response.text


def test_an_unavailable_store_is_503(tmp_path):
    store = RefusingStore(StoreUnavailable("Neo4j became unreachable: bolt://user:pw@host"))
    with _client_with(store, tmp_path) as client:
        for path in ("/ready", "/territories/E07000129", "/organisations/x", "/queries/coverage?territory=E1"):
            response = client.get(path)
            assert_error(response, 503, "store_unavailable")
            assert "pw@host" not in response.text
            assert response.headers["retry-after"] == "5"
        # liveness never asks the store: a server whose store is down is alive, and not ready
        assert client.get("/health").json() == {"status": "ok", "store": "embedded"}


def test_an_unexpected_error_is_500_without_a_trace(tmp_path):
    with TestClient(create_app(Settings(db=tmp_path / "db")), raise_server_exceptions=False) as client:
        client.app.dependency_overrides[get_store] = lambda: RefusingStore(KeyError("internal detail"))
        response = client.get("/territories")
        assert_error(response, 500, "internal_error")
        assert "internal detail" not in response.text


def test_cors_is_off_by_default_and_on_for_configured_origins(tmp_path):
    with TestClient(create_app(Settings(db=tmp_path / "a"))) as client:
        response = client.get("/version", headers={"Origin": "https://example.org"})
        assert "access-control-allow-origin" not in response.headers
    with TestClient(create_app(Settings(db=tmp_path / "b", cors_origins=["https://example.org"]))) as client:
        response = client.get("/version", headers={"Origin": "https://example.org"})
        assert response.headers["access-control-allow-origin"] == "https://example.org"
        response = client.get("/version", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in response.headers


def test_list_settings_read_comma_separated_or_json(monkeypatch):
    monkeypatch.setenv("PARTNERMAP_API_KEYS", "one, two")
    monkeypatch.setenv("PARTNERMAP_CORS_ORIGINS", '["https://a.example", "https://b.example"]')
    settings = Settings()
    assert settings.api_keys == ["one", "two"]
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert settings.max_request_bytes == 10 * 1024 * 1024
