"""statutory-gaps and governance-register on a hand-made register whose answers are worked out by hand.

The register is ``tests/fixtures/registers/statutory`` (its README lists each planted case).
Every call gives an explicit ``as_of``: no answer depends on today's date.

  HWB1 statvale-hwb  Statvale Health and Wellbeing Board: councillor, DASS, DCS, DPH and an NHS
                     trust since 2013-04-01; no Healthwatch, no CCG or ICB.
  HWB2 statdale-hwb  Statdale Health & Wellbeing Board: every post under another name ("Leader of
                     the Council", "Director for Adult Social Care", "DCS"), Healthwatch, the CCG
                     until 2022-06-30, the ICB from 2022-07-01.
  CSP1 statvale-csp  council, police, ICB (from 2022-07-01); no probation, no fire.
  CSP2 statdale-csp  "Safer Statdale Partnership" (a CSP by its theme): council, police, probation,
                     CCG to 2022-06-30, ICB from 2022-07-01, fire from 2023-03-01.
  SCP  statvale-scp  safeguarding children partnership: council, police (2019-09-29), ICB (2022-07-01).
  ASB  statvale-asb  a task group on community safety, not statutory: never checked.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import pytest

import graph
import ingest
from graph.statutory import year_before

FIXTURE_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "registers" / "statutory"
HSCA = "Health and Social Care Act 2012"
CDA = "Crime and Disorder Act 1998"
PROBATION = f"{CDA}, s.5(1)(aa), as inserted by the Policing and Crime Act 2009, s.108"
STATVALE, STATVALE_CENTRAL, STATDALE = "E06999901", "E05999901", "E06999902"


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    """The statutory register ingested once into an embedded store (read-only use)."""
    store = graph.open_store(tmp_path_factory.mktemp("statutory") / "db")
    try:
        ingest.load(store, ingest.READERS["register"](FIXTURE_DIR))
        yield store
    finally:
        store.close()


def gaps(store, **params):
    return graph.run_query(store, "statutory-gaps", params)


def of(rows, partnership):
    """A partnership's rows as requirement -> row."""
    return {row["requirement"]: row for row in rows if row["partnership"] == partnership}


def unmet(rows, partnership):
    return {(row["requirement"], row["legislation"]) for row in rows if row["partnership"] == partnership and not row["met"]}


def test_a_board_missing_the_nhs_and_healthwatch_is_flagged_with_the_2012_act(register):
    rows = gaps(register, as_of="2023-06-01")
    assert unmet(rows, "statvale-hwb") == {
        ("a representative of the Local Healthwatch organisation", f"{HSCA}, s.194(2)(e)"),
        ("a representative of each relevant integrated care board",
         f"{HSCA}, s.194(2)(f), as amended by the Health and Care Act 2022"),
    }
    board = of(rows, "statvale-hwb")
    # Six requirements in force in 2023 (the CCG's ended on 30 June 2022); the NHS trust meets none.
    assert len(board) == 6
    assert board["at least one councillor of the local authority"]["posts"] == ["Cllr Ann Jones"]
    assert board["the director of public health"]["met_by"] == ["Statvale Council"]
    assert all("Statvale Hospitals NHS Trust" not in row["met_by"] for row in board.values())
    healthwatch = board["a representative of the Local Healthwatch organisation"]
    assert healthwatch["met_by"] == [] and healthwatch["rule"] == "Health and Wellbeing Board"
    assert healthwatch["legislation_url"] == "https://www.legislation.gov.uk/ukpga/2012/7/section/194"


def test_a_csp_without_probation_or_fire_is_flagged_with_the_1998_act(register):
    rows = gaps(register, as_of="2023-06-01")
    assert unmet(rows, "statvale-csp") == {
        ("every provider of probation services operating within the area", PROBATION),
        ("every fire and rescue authority any part of whose area lies within the area", f"{CDA}, s.5(1)(d)"),
    }
    assert of(rows, "statvale-csp")["every chief officer of police any part of whose police area lies within the area"][
        "met_by"] == ["Statshire Police"]


def test_a_complete_csp_is_not_flagged(register):
    # CSP2 matches by its theme (Community Safety): five requirements in 2023, each met.
    rows = of(gaps(register, as_of="2023-06-01"), "statdale-csp")
    assert len(rows) == 5 and all(row["met"] for row in rows.values())
    assert rows["every integrated care board any part of whose area lies within the area"]["met_by"] == [
        "NHS Statshire Integrated Care Board"]
    assert "statdale-csp" not in {row["partnership"] for row in gaps(register, as_of="2023-06-01", unmet=True)}


def test_a_member_who_joined_inside_the_window_counts_from_their_start_date(register):
    fire = "every fire and rescue authority any part of whose area lies within the area"
    before = of(gaps(register, as_of="2023-02-28"), "statdale-csp")[fire]
    after = of(gaps(register, as_of="2023-03-01"), "statdale-csp")[fire]
    assert (before["met"], before["met_by"]) == (False, [])
    assert (after["met"], after["met_by"], after["posts"]) == (True, ["Statshire Fire and Rescue Service"], ["Group Manager"])
    assert after["source_rows"] == ["memberships.csv row 22"]


def test_the_ccg_requirement_becomes_the_icb_requirement_on_1_july_2022(register):
    ccg = "a representative of each relevant clinical commissioning group"
    icb = "a representative of each relevant integrated care board"
    june = of(gaps(register, as_of="2022-06-30"), "statdale-hwb")
    july = of(gaps(register, as_of="2022-07-01"), "statdale-hwb")
    assert ccg in june and icb not in june and icb in july and ccg not in july
    assert june[ccg]["met_by"] == ["NHS Statshire Clinical Commissioning Group"]
    assert june[ccg]["applies_until"] == "2022-06-30" and july[icb]["applies_from"] == "2022-07-01"
    assert july[icb]["met_by"] == ["NHS Statshire Integrated Care Board"]
    # Every post under another name is met: the seeds' "Director for Adult Social Care", "DCS", the Leader.
    assert all(row["met"] for row in july.values()) and len(july) == 6
    assert july["the director of adult social services"]["posts"] == ["Director for Adult Social Care"]
    # The safeguarding partnership had only the ICB, from 1 July: the CCG's place was empty the day before.
    safeguarding = "a clinical commissioning group for an area any part of which falls within the local authority area"
    assert of(gaps(register, as_of="2022-06-30"), "statvale-scp")[safeguarding]["met"] is False
    assert all(row["met"] for row in of(gaps(register, as_of="2022-07-01"), "statvale-scp").values())


def test_rules_apply_only_from_their_dates_and_only_to_statutory_groups(register):
    # Health and Wellbeing Boards from 1 April 2013; safeguarding partners from 29 June 2018.
    old = gaps(register, as_of="2012-06-01")
    assert {row["partnership"] for row in old} == {"statvale-csp", "statdale-csp"}
    # In 2012 the NHS member of a CSP was the primary care trust; no membership had started yet.
    assert "every primary care trust any part of whose area lies within the area" in of(old, "statdale-csp")
    assert not any(row["met"] for row in old)
    assert {row["partnership"] for row in gaps(register, as_of="2018-06-28")} == {
        "statvale-hwb", "statdale-hwb", "statvale-csp", "statdale-csp"}
    assert "statvale-asb" not in {row["partnership"] for row in gaps(register, as_of="2023-06-01")}


def test_territory_partnership_and_unmet_narrow_the_rows(register):
    assert {row["partnership"] for row in gaps(register, as_of="2023-06-01", territory=STATDALE)} == {
        "statdale-hwb", "statdale-csp"}
    # A ward of Statvale: the groups covering Statvale, the place it lies in.
    assert {row["partnership"] for row in gaps(register, as_of="2023-06-01", territory=STATVALE_CENTRAL)} == {
        "statvale-hwb", "statvale-csp", "statvale-scp"}
    assert {row["partnership"] for row in gaps(register, as_of="2023-06-01", partnership="statvale-csp")} == {
        "statvale-csp"}
    flagged = gaps(register, as_of="2023-06-01", unmet=True)
    assert sorted((row["partnership"], row["legislation"]) for row in flagged) == [
        ("statvale-csp", PROBATION), ("statvale-csp", f"{CDA}, s.5(1)(d)"),
        ("statvale-hwb", f"{HSCA}, s.194(2)(e)"),
        ("statvale-hwb", f"{HSCA}, s.194(2)(f), as amended by the Health and Care Act 2022"),
    ]


def test_governance_register_flags_overdue_reviews_and_missing_dates_and_leads(register):
    rows = graph.run_query(register, "governance-register", {"as_of": "2023-06-01"})
    # 12 months before 2023-06-01 is 2022-06-01: HWB2's last review (2022-05-31) is before it, CSP1's
    # (2022-06-01) is not. HWB2's terms of reference were due 2023-03-31. Most significant first.
    assert [(row["partnership"], row["reason"]) for row in rows] == [
        ("statdale-hwb", "review overdue"), ("statdale-hwb", "terms of reference review overdue"),
        ("statdale-hwb", "no lead officer"), ("statvale-csp", "no terms of reference review date"),
        ("statvale-scp", "no terms of reference review date"), ("statvale-scp", "no lead officer"),
    ]
    first = rows[0]
    assert (first["significance"], first["resources_cash"], first["last_review"]) == ("high", 40000.0, "2022-05-31")
    assert first["detail"] == "last reviewed 2022-05-31, more than 12 months before 2023-06-01"
    assert first["source_row"] == "partnerships.csv row 3"
    # One day later CSP1's last review is more than 12 months old.
    later = graph.run_query(register, "governance-register", {"as_of": "2023-06-02", "territory": STATVALE})
    assert ("statvale-csp", "review overdue") in {(row["partnership"], row["reason"]) for row in later}
    assert {row["partnership"] for row in later} == {"statvale-csp", "statvale-scp"}


def test_a_partnership_that_has_ended_is_neither_checked_nor_reviewed(tmp_path):
    # The same register with Statdale's board ended on 2023-01-01 (its last day): as of 2022-12-31
    # it is checked and reviewed as before; as of 2023-06-01 it is in neither answer.
    register_dir = tmp_path / "register"
    shutil.copytree(FIXTURE_DIR, register_dir)
    with (FIXTURE_DIR / "partnerships.csv").open(newline="") as file:
        rows = list(csv.DictReader(file))
    with (register_dir / "partnerships.csv").open("w", newline="") as file:
        writer = csv.DictWriter(file, [*rows[0], "end"])
        writer.writeheader()
        writer.writerows({**row, "end": "2023-01-01" if row["id"] == "statdale-hwb" else ""} for row in rows)
    store = graph.open_store(tmp_path / "db")
    try:
        ingest.load(store, ingest.READERS["register"](register_dir))
        for as_of, listed in (("2022-12-31", True), ("2023-06-01", False)):
            for query in ("statutory-gaps", "governance-register"):
                answer = graph.run_query(store, query, {"as_of": as_of})
                assert ("statdale-hwb" in {row["partnership"] for row in answer}) is listed, (query, as_of)
    finally:
        store.close()


def test_a_year_before_29_february_is_28_february():
    assert year_before(dt.date(2024, 2, 29)) == dt.date(2023, 2, 28)
    assert year_before(dt.date(2023, 6, 1)) == dt.date(2022, 6, 1)


def test_both_engines_answer_alike(store):
    ingest.load(store, ingest.READERS["register"](FIXTURE_DIR))
    flagged = gaps(store, as_of="2023-06-01", unmet=True)
    assert sorted((row["partnership"], row["requirement"]) for row in flagged) == [
        ("statvale-csp", "every fire and rescue authority any part of whose area lies within the area"),
        ("statvale-csp", "every provider of probation services operating within the area"),
        ("statvale-hwb", "a representative of each relevant integrated care board"),
        ("statvale-hwb", "a representative of the Local Healthwatch organisation"),
    ]
    register = graph.run_query(store, "governance-register", {"as_of": "2023-06-01", "partnership": "statdale-hwb"})
    assert [row["reason"] for row in register] == ["review overdue", "terms of reference review overdue",
                                                   "no lead officer"]
