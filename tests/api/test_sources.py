"""GET /sources and GET /conflicts over two registers that disagree (tests/fixtures/sources, README there)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import graph
import ingest
from api import create_app
from partnermap.settings import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sources"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    db = tmp_path_factory.mktemp("sources") / "db"
    with graph.open_store(db) as store:
        for name in ("county", "ccg-return"):
            ingest.load(store, ingest.READERS["register"](FIXTURES / name))
    with TestClient(create_app(Settings(db=db))) as test_client:
        yield test_client


def test_every_source_is_listed_with_when_it_last_stated_its_facts(client):
    sources = client.get("/sources").json()
    assert [s["source"] for s in sources] == [f"register:{r}/{f}.csv" for r in ("ccg-return", "county")
                                             for f in ("memberships", "organisations", "partnerships", "territories")]
    assert all(s["reader"] == "register" and s["ingested_at"] for s in sources)


def test_conflicts_group_every_value_by_fact_and_property(client):
    conflicts = client.get("/conflicts").json()
    assert [(c["kind"], c["property"]) for c in conflicts] == [("MEMBER_OF", "attendance"), ("MEMBER_OF", "role")]
    role = conflicts[1]
    assert role["about"] == "NHS Shropshire CCG → Shropshire Partnership"
    assert [(v["value"], v["shown"], v["source"]) for v in role["values"]] == [
        ("vice_chair", True, "register:ccg-return/memberships.csv"), ("member", False, "register:county/memberships.csv")]
    assert client.get("/conflicts", params={"kind": "Organisation"}).json() == []
    bad = client.get("/conflicts", params={"kind": "Nothing"})
    assert bad.status_code == 400 and "MEMBER_OF" in bad.json()["error"]["message"]
