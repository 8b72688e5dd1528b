"""GET /changes: what changed between two days, a page at a time, on the hand-written `changes` register."""

import pytest
from fastapi.testclient import TestClient

import graph
import ingest
from api import create_app
from partnermap.settings import Settings
from tests.conftest import ROOT

CHANGES = ROOT / "tests" / "fixtures" / "registers" / "changes"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    db = tmp_path_factory.mktemp("api-changes") / "db"
    with graph.open_store(db) as store:
        ingest.load(store, ingest.READERS["register"](CHANGES))
    with TestClient(create_app(Settings(db=db))) as test_client:
        yield test_client


def test_counts_of_every_kind_and_a_page_of_changes(client):
    answer = client.get("/changes", params={"from": "2024-01-01", "to": "2024-12-31", "limit": 3, "offset": 7})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["from"], body["to"], body["territory"], body["total"]) == ("2024-01-01", "2024-12-31", "", 31)
    assert body["counts"]["chairs-changed"] == 1 and body["counts"]["memberships-ended"] == 7
    # Rows 8 to 10: the last membership begun (charity-b on the --to day), then the first two ended.
    assert [(i["change"], i["date"], i["id"], i["related"]) for i in body["items"]] == [
        ("memberships-begun", "2024-12-31", "charity-b", "safety"),
        ("memberships-ended", "2024-01-01", "charity-a", "safety"),
        ("memberships-ended", "2024-03-31", "charity-a", "old-forum")]


def test_a_territory_narrows_the_answer(client):
    body = client.get("/changes", params={"from": "2024-01-01", "to": "2024-12-31", "territory": "E07000932"}).json()
    assert body["total"] == 2 and sum(body["counts"].values()) == 2


@pytest.mark.parametrize(("params", "code", "words"), [
    ({"from": "2024-12-31", "to": "2024-01-01"}, "bad_query", "is after to"),
    ({"from": "2024-02-30", "to": "2024-12-31"}, "bad_query", "must be a date"),
    ({"from": "24-01-01", "to": "2024-12-31"}, "bad_request", "pattern"),
    ({"to": "2024-12-31"}, "bad_request", "Field required"),
    ({"from": "2024-01-01", "to": "2024-12-31", "limit": 1001}, "bad_request", "1000"),
    ({"from": "2024-01-01", "to": "2024-12-31", "offset": 10_001}, "bad_request", "10000"),
])
def test_bad_parameters_are_400_in_the_one_error_shape(client, params, code, words):
    answer = client.get("/changes", params=params)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == code and words in answer.text
