"""statutory-gaps and governance-register over HTTP (/queries/…), on the hand-made statutory register."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

import graph
import ingest
from api.app import create_app
from partnermap.settings import Settings
from tests.api.conftest import assert_error
from tests.graph.test_statutory import FIXTURE_DIR


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    db = tmp_path_factory.mktemp("statutory-api") / "db"
    with graph.open_store(db) as store:
        ingest.load(store, ingest.READERS["register"](FIXTURE_DIR))
    with TestClient(create_app(Settings(db=db))) as test_client:
        yield test_client


def test_statutory_gaps_answer_each_requirement_with_its_act(client):
    body = client.get("/queries/statutory-gaps", params={"as_of": "2023-06-01", "unmet": "true"}).json()
    # As worked out in tests/fixtures/registers/statutory/README.md: four requirements unmet.
    assert body["total"] == 4
    assert [(row["partnership"], row["legislation"]) for row in body["rows"]] == [
        ("statvale-csp", "Crime and Disorder Act 1998, s.5(1)(aa), as inserted by the Policing and Crime Act 2009, s.108"),
        ("statvale-csp", "Crime and Disorder Act 1998, s.5(1)(d)"),
        ("statvale-hwb", "Health and Social Care Act 2012, s.194(2)(e)"),
        ("statvale-hwb", "Health and Social Care Act 2012, s.194(2)(f), as amended by the Health and Care Act 2022"),
    ]
    row = body["rows"][0]
    assert row["met"] is False and row["met_by"] == [] and row["legislation_url"].startswith("https://www.legislation.gov.uk/")
    complete = client.get("/queries/statutory-gaps", params={"as_of": "2023-06-01", "partnership": "statdale-csp"}).json()
    assert complete["total"] == 5 and all(row["met"] for row in complete["rows"])


def test_governance_register_over_http(client):
    body = client.get("/queries/governance-register", params={"as_of": "2023-06-01", "territory": "E06999902"}).json()
    assert [(row["partnership"], row["reason"]) for row in body["rows"]] == [
        ("statdale-hwb", "review overdue"), ("statdale-hwb", "terms of reference review overdue"),
        ("statdale-hwb", "no lead officer")]
    listed = {query["name"]: query for query in client.get("/queries").json()}
    assert {"as_of", "territory", "partnership", "unmet"} <= {p["name"] for p in listed["statutory-gaps"]["params"]}


def test_bad_parameters_are_400(client):
    error = assert_error(client.get("/queries/statutory-gaps", params={"unmet": "perhaps"}), 400, "bad_query")
    assert "'unmet' must be a bool" in error["message"]
    assert_error(client.get("/queries/governance-register", params={"as_of": "1/6/2023"}), 400, "bad_query")
