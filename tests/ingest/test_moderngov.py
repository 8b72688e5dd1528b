"""The ModernGov reader on a hand-made Leicester site (tests/fixtures/moderngov, see its SOURCES.md).

Expected values worked out by hand from the five XML answers: four live committees (a fifth is
deleted), the Health and Wellbeing Board's five meetings (one cancelled) and two meetings' attendees,
and three councillors' key posts.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import graph
from cli import app
from ingest.moderngov import committee_kind
from ingest.pipeline import ingest_paths
from partnermap.errors import InvalidRecords

SITE = Path(__file__).resolve().parents[1] / "fixtures" / "moderngov" / "leicester"
HWB = "moderngov:GB-LAE-LCE/health-and-wellbeing-board"


def counts(store) -> dict[str, int]:
    found = graph.stats(store)
    return {name: n for group in found.values() for name, n in group.items() if n}


@pytest.mark.parametrize(("title", "said"), [
    ("Health and Wellbeing Board", ("board", True, "health")),
    ("Health & Well-being Board", ("board", True, "health")), ("Health and Wellbeing Board (Shadow)", ("board", True, "health")),
    ("Safer Leicester Partnership", ("board", True, "community safety")),
    ("Leicester Community Safety Partnership", ("board", True, "community safety")),
    ("Voluntary Sector Forum", ("forum", None, "")),
    ("Audit and Risk Committee", ("other", None, "")),
])
def test_a_committees_name_says_its_kind_status_and_theme(title, said):
    assert committee_kind(title) == said


def test_a_sites_answers_give_the_council_its_committees_and_memberships(store):
    done = ingest_paths(store, "moderngov", [SITE])
    assert counts(store) == {"Source": 5, "Organisation": 1, "Territory": 1, "Partnership": 3, "Forum": 1, "Theme": 2,
                             "COVERS": 4, "HAS_THEME": 2, "MEMBER_OF": 4}
    council = store.run("MATCH (o:Organisation) RETURN o.id AS id, o.name AS name, o.sector AS sector, "
                        "o.identifiers AS ids, o.url AS url")
    assert council == [{"id": "GB-LAE-LCE", "name": "Leicester City Council", "sector": "local_authority",
                        "ids": ["orgid:GB-LAE-LCE", "gss:E06000016"], "url": "https://democracy.leicester.gov.uk"}]
    committees = store.run("MATCH (p)-[:COVERS]->(:Territory {id: 'E06000016'}) "
                           "RETURN p.name AS name, p.kind AS kind, p.statutory AS statutory, p.meetings_per_year AS per_year "
                           "ORDER BY name")
    # The board met four times (one meeting cancelled), three of them in the twelve months to 15/01/2025.
    assert committees == [
        {"name": "Audit and Risk Committee", "kind": "other", "statutory": None, "per_year": None},
        {"name": "Health and Wellbeing Board", "kind": "board", "statutory": True, "per_year": 3},
        {"name": "Safer Leicester Partnership", "kind": "board", "statutory": True, "per_year": None},
        {"name": "Voluntary Sector Forum", "kind": "forum", "statutory": None, "per_year": None},
    ]
    members = store.run(f"MATCH (:Organisation)-[m:MEMBER_OF]->(p {{id: '{HWB}'}}) RETURN m.representative AS who, "
                        "m.role AS role, m.attendance AS attendance, m.since AS since ORDER BY who")
    # Patel chaired and attended both recorded meetings; Reid attended one and sent apologies to the other;
    # Morgan is vice-chair by key post only; the substitute and the director of public health are no members.
    assert members == [
        {"who": "Councillor Asha Patel", "role": "chair", "attendance": 1.0, "since": dt.date(2024, 9, 18)},
        {"who": "Councillor Lee Morgan", "role": "vice_chair", "attendance": None, "since": None},
        {"who": "Councillor Tom Reid", "role": "member", "attendance": 0.5, "since": dt.date(2024, 9, 18)},
    ]
    chair = store.run("MATCH (:Organisation)-[m:MEMBER_OF]->(p {name: 'Audit and Risk Committee'}) "
                      "RETURN m.representative AS who, m.role AS role")
    assert chair == [{"who": "Councillor Priya Shah", "role": "chair"}]
    assert [(w.problem.file, w.problem.value) for w in done.warnings] == [("GetMeeting_5004.xml", "Dr Sam Okafor")]
    assert not store.run("MATCH (p) WHERE p.name = 'Leicester Partnership Executive' RETURN p.id")  # deleted


def test_ingesting_a_site_twice_changes_nothing(store):
    ingest_paths(store, "moderngov", [SITE])
    before = counts(store)
    again = ingest_paths(store, "moderngov", [SITE])
    assert counts(store) == before and again.removed == 0


def test_a_meeting_without_its_committee_is_refused_naming_it(store, tmp_path):
    alone = tmp_path / "GetMeeting_5004.xml"
    shutil.copy(SITE / alone.name, alone)
    with pytest.raises(InvalidRecords) as refused:
        ingest_paths(store, "moderngov", [alone])
    [problem] = refused.value.problems
    assert (problem.file, problem.column, problem.value) == ("GetMeeting_5004.xml", "meetingid", "5004")
    assert "belongs to no committee in these files" in problem.reason
    assert counts(store) == {}


@pytest.mark.parametrize(("content", "reason"), [
    (b"<?xml version='1.0'?><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'/>",
     "not an answer of the ModernGov web service partnermap reads"),
    (b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><committees/>", "refused: the XML declares"),
    (b"<committees><committee>", "not readable XML"),
])
def test_what_is_not_a_moderngov_answer_is_refused_plainly(store, tmp_path, content, reason):
    path = tmp_path / "answer.xml"
    path.write_bytes(content)
    with pytest.raises(InvalidRecords) as refused:
        ingest_paths(store, "moderngov", [path])
    assert [p.file for p in refused.value.problems] == ["answer.xml"]
    assert reason in refused.value.problems[0].reason


def test_a_site_whose_address_names_no_council_needs_council(tmp_path):
    folder = tmp_path / "site"
    folder.mkdir()
    for path in SITE.glob("*.xml"):  # the same answers from an address that names no council
        (folder / path.name).write_text(path.read_text().replace("democracy.leicester.gov.uk", "10.0.0.7"))
    runner = CliRunner()
    done = runner.invoke(app, ["--db", str(tmp_path / "db"), "ingest", "moderngov", str(folder)])
    assert done.exit_code == 2 and "which council's site answered?" in done.stderr and "--council" in done.stderr
    done = runner.invoke(app, ["--db", str(tmp_path / "db"), "ingest", "moderngov", "--council", "Leicester City Council",
                               str(folder)])
    assert done.exit_code == 0, done.output
    with graph.open_store(tmp_path / "db") as store:
        assert store.run("MATCH (o:Organisation) RETURN o.id AS id") == [{"id": "GB-LAE-LCE"}]
