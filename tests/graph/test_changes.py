"""What changed between two days, on the hand-written `changes` register (tests/fixtures/registers/changes).

The window is 2024-01-01 to 2024-12-31. A change counts when it happens after the first day and
on or before the second: a first day (since, start) in 2024-01-02 .. 2024-12-31, a last day
(until, end) in 2024-01-01 .. 2024-12-30. Every expected row below is worked out by hand from
the fixture's CSV files; the README beside them lists the cases.
"""

from __future__ import annotations

import datetime as dt

import pytest

import graph
import ingest
from graph.changes import SECTIONS, began, changes, ended, window
from partnermap.errors import QueryError
from tests.conftest import ROOT

CHANGES = ROOT / "tests" / "fixtures" / "registers" / "changes"
FROM, TO = "2024-01-01", "2024-12-31"


@pytest.fixture(scope="module")
def dated(tmp_path_factory):
    store = graph.open_store(tmp_path_factory.mktemp("changes") / "db")
    ingest.load(store, ingest.READERS["register"](CHANGES))
    yield store
    store.close()


def _by(found, section):
    return [(r["date"].isoformat() if r["date"] else None, r["id"], r["related"], r["detail"])
            for r in found.rows if r["change"] == section]


def test_memberships_begun_and_ended_in_the_window_and_no_other(dated):
    found = changes(dated, FROM, TO)
    assert _by(found, "memberships-begun") == [
        ("2024-03-01", "council", "safety", "member, Community Safety Manager"),  # began and ended inside
        ("2024-04-01", "council", "health-board", "chair, Leader of the Council"),
        ("2024-04-01", "nhs-trust", "health-board", "member, Chief Executive"),
        ("2024-06-01", "housing-assoc", "westmoor-lsp", "member, Chief Executive"),
        ("2024-06-01", "nhs-trust", "lsp", "chair, Chief Executive"),
        ("2024-07-01", "police", "econ-1", "member, Business Liaison"),
        ("2024-07-01", "police", "econ-2", "member, Business Liaison"),
        ("2024-12-31", "charity-b", "safety", "member, Director"),  # begins on the --to day: counts
    ]
    # Not there: police on safety since 2024-01-01 (the --from day: already in force), Moor Homes on
    # safety since 2025-01-01 (after), the NHS trust on safety until 2023-12-31 (before).
    assert _by(found, "memberships-ended") == [
        ("2024-01-01", "charity-a", "safety", "member, Director"),  # last day the --from day: ended the day after
        ("2024-03-31", "charity-a", "old-forum", "chair, Director"),
        ("2024-03-31", "council", "old-forum", "member, Health Officer"),
        ("2024-05-31", "council", "lsp", "chair, Leader of the Council"),
        ("2024-06-30", "probation", "drugs-group", "member, Drugs Lead"),
        ("2024-09-30", "council", "safety", "member, Community Safety Manager"),
        ("2024-10-31", "council", "econ-3", "member, Economy Officer"),
    ]
    # Not there: probation on safety until 2024-12-31 (the --to day: still in force that day).


def test_a_chair_handed_over_is_one_change_and_a_chair_only_ending_or_only_beginning_is_none(dated):
    found = changes(dated, FROM, TO)
    rows = [r for r in found.rows if r["change"] == "chairs-changed"]
    assert [(r["date"], r["id"], r["related"]) for r in rows] == [(dt.date(2024, 6, 1), "lsp", "nhs-trust")]
    assert rows[0]["detail"] == ("Eastmoor District Council (chair until 2024-05-31) → "
                                 "Eastmoor NHS Trust (chair from 2024-06-01)")
    # old-forum lost its chair and gained none; health-board gained one and lost none.


def test_partnerships_forums_and_strategies_begun_or_ended(dated):
    found = changes(dated, FROM, TO)
    assert _by(found, "partnerships-begun") == [("2024-04-01", "health-board", None, "partnership"),
                                                ("2024-06-01", "westmoor-lsp", None, "partnership")]
    assert _by(found, "partnerships-ended") == [("2024-03-31", "old-forum", None, "forum")]
    # first-day-group starts on the --from day, last-day-group's last day is the --to day: neither counts.
    assert _by(found, "strategies-begun") == [("2024-04-01", "health-plan", None, "")]
    assert _by(found, "strategies-ended") == [("2024-03-31", "safety-plan", None, "")]


def test_findings_that_appeared_or_cleared(dated):
    found = changes(dated, FROM, TO)
    # Council: lsp, old-forum, econ-1..3 on 2024-01-01 (5); lsp, health-board, econ-1, econ-2 on 2024-12-31 (4).
    # Police: lsp, safety, drugs-group (3); then also econ-1 and econ-2 (5). The NHS trust goes 1 → 3: under 5.
    assert _by(found, "overload-up") == [(None, "police", None, "3 → 5 partnerships and forums (now overloaded)")]
    assert _by(found, "overload-down") == [(None, "council", None, "5 → 4 partnerships and forums (no longer overloaded)")]
    # health-board {council, nhs-trust} and lsp {council, police, nhs-trust}: 2 of 3, on health.
    assert _by(found, "duplicates-new") == [
        (None, "health-board", "lsp", "2 shared members (overlap 0.667), on health (Eastmoor Health and Wellbeing Board began)")]
    # econ-3 loses its one member (council), so it no longer duplicates econ-1 and econ-2 ({council} each before).
    assert [(r["id"], r["related"]) for r in found.rows if r["change"] == "duplicates-resolved"] == [
        ("econ-1", "econ-3"), ("econ-2", "econ-3")]
    # drugs-group loses probation on 2024-06-30; lsp gains the NHS trust's chair; old-forum ends.
    assert _by(found, "missing-links-opened") == [(None, "drugs-group", None, "substance misuse: no probation member")]
    assert _by(found, "missing-links-closed") == [(None, "lsp", None, "health: no nhs member"),
                                                  (None, "old-forum", None, "health: no nhs member (Eastmoor Health Forum ended)")]
    # health-plan begins with no target; safety-plan ends. first-day-plan and last-day-plan are gaps on both days.
    assert [r["id"] for r in found.rows if r["change"] == "strategy-gaps-opened"] == ["health-plan"]
    assert [r["id"] for r in found.rows if r["change"] == "strategy-gaps-closed"] == ["safety-plan"]
    assert found.counts() == {
        "memberships-begun": 8, "memberships-ended": 7, "chairs-changed": 1, "partnerships-begun": 2,
        "partnerships-ended": 1, "strategies-begun": 1, "strategies-ended": 1, "overload-up": 1, "overload-down": 1,
        "duplicates-new": 1, "duplicates-resolved": 2, "missing-links-opened": 1, "missing-links-closed": 2,
        "strategy-gaps-opened": 1, "strategy-gaps-closed": 1,
    }


def test_a_territory_keeps_what_works_there(dated):
    west = changes(dated, FROM, TO, territory="E07000932")
    assert [(r["change"], r["id"]) for r in west.rows] == [("memberships-begun", "housing-assoc"),
                                                          ("partnerships-begun", "westmoor-lsp")]
    east = changes(dated, FROM, TO, territory="E07000931")
    everything = changes(dated, FROM, TO)
    assert len(east.rows) == len(everything.rows) - 2
    assert "westmoor-lsp" not in {r["id"] for r in east.rows} | {r["related"] for r in east.rows}


def test_one_day_and_a_quiet_window_change_nothing(dated):
    assert changes(dated, "2024-06-01", "2024-06-01").rows == []
    assert changes(dated, "2025-02-01", "2025-12-31").rows == []
    assert set(changes(dated, FROM, TO).counts()) == {s.name for s in SECTIONS}


def test_the_window_is_checked_like_every_as_of():
    assert window("2024-01-01", "2024-12-31") == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    for first, last, message in (("2024-12-31", "2024-01-01", "from (2024-12-31) is after to (2024-01-01)"),
                                 ("2024-02-30", "2024-12-31", "parameter 'from' must be a date, not '2024-02-30'"),
                                 ("1800-01-01", "2024-12-31", "parameter 'from' must be from 1900-01-01 to 2100-12-31"),
                                 ("2024-01-01", "", "give both days")):
        with pytest.raises(QueryError, match=message.replace("(", r"\(").replace(")", r"\)")):
            window(first, last)


def test_the_boundaries_of_the_window():
    first, last = dt.date(2024, 1, 1), dt.date(2024, 12, 31)
    assert not began(first, first, last) and began(last, first, last) and not began(None, first, last)
    assert ended(first, first, last) and not ended(last, first, last) and not ended(None, first, last)


def test_as_of_queries_honour_the_dates_of_partnerships_and_forums(dated):
    # old-forum ended 2024-03-31; health-board began 2024-04-01: their memberships count only meanwhile.
    def groups(day):
        return {r["partnership"] for r in graph.run_query(dated, "memberships", {"as_of": day, "organisation": "council"})}

    assert groups("2024-03-31") == {"lsp", "old-forum", "safety", "econ-1", "econ-2", "econ-3"}
    assert groups("2024-04-01") == {"lsp", "health-board", "safety", "econ-1", "econ-2", "econ-3"}
    # A partnership not yet begun has no missing link; one begun has: westmoor-lsp's member is a housing body.
    missing = {(r["partnership"], r["missing_sector"]) for r in graph.run_query(dated, "missing-links", {"as_of": "2023-06-01"})}
    assert ("health-board", "nhs") not in missing and ("old-forum", "nhs") in missing
    missing = {(r["partnership"], r["missing_sector"]) for r in graph.run_query(dated, "missing-links", {"as_of": "2025-06-01"})}
    assert ("old-forum", "nhs") not in missing and ("last-day-group", "housing") not in missing
    assert ("first-day-group", "housing") in missing


MANCHESTER = ROOT.parent / "shared" / "data" / "real-moderngov-manchester-lgsf"


def test_a_real_council_s_committee_attendance_dates_its_membership(store):
    # Manchester's ModernGov answers (read in place): one attendee, Cllr Basil Curley, of meeting 4966 of the
    # Audit Committee on 13/01/2026, so the council's membership of it begins then; his key post "Chair of Health
    # Scrutiny Committee" makes a chair membership with no date, which never "begins".
    files = [MANCHESTER / "meetings.xml", MANCHESTER / "meeting_no_minutes.xml"]
    if not all(f.exists() for f in files):
        pytest.skip(f"the real files are read in place from {MANCHESTER}, which is absent")
    ingest.load(store, ingest.READERS["moderngov"](files))
    found = changes(store, "2026-01-01", "2026-02-28")
    assert [(r["change"], r["date"], r["name"], r["related_name"], r["detail"]) for r in found.rows] == [
        ("memberships-begun", dt.date(2026, 1, 13), "Manchester City Council", "Audit Committee",
         "member, Councillor Basil Curley")]
    assert changes(store, "2026-01-13", "2026-02-28").rows == []  # it began on the --from day


def test_coverage_as_of_a_day_honours_the_dates_of_partnerships_and_forums(dated):
    from graph.coverage import CoverageIndex

    index = CoverageIndex.build(dated)

    def groups(day):
        return {r["id"] for r in index.lookup("E07000931", kind="Partnership", as_of=dt.date.fromisoformat(day))} | {
            r["id"] for r in index.lookup("E07000931", kind="Forum", as_of=dt.date.fromisoformat(day))}

    assert "old-forum" in groups("2024-03-31") and "health-board" not in groups("2024-03-31")
    assert "old-forum" not in groups("2024-04-01") and "health-board" in groups("2024-04-01")
