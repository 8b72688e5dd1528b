"""Every diagnostic on a hand-made register whose right answers are worked out by hand.

The register is ``tests/fixtures/registers/diagnostics`` (its README lists each planted case
and what it should show). It is ingested once into a real embedded store for the module.
Every query that reads memberships or strategies gets an explicit ``as_of``, so no answer
depends on today's date. The arithmetic behind each expected value is in the comments.

Shorthand used in the comments for the partnerships (partnerships.csv rows):
  P1 testshire-together (row 2, county, Economy;Health, 4 meetings)
  P2 northdale-lsp (row 3, Northdale, Economy;Housing, 6)
  P3 southvale-lsp (row 4, Southvale, Environment;Communities, 6)
  P4 north-wellbeing (row 5, Northdale, Health;Older People, 6)
  P5 north-older-people (row 6, Northdale Abbey, older people, 4)
  MH north-mental-health (row 7, Northdale Brook, Mental Health, 12)
  P6 north-safety (row 8, Northdale, Community Safety, 4)
  P7 north-road-safety (row 9, Northdale, Road Safety, 2)
  P8 south-road-safety (row 10, Southvale, Road Safety, 2)
  P9 south-health (row 11, forum, Southvale, Health;Communities, 3)
  P10 south-wellbeing (row 12, Southvale, Health;Housing, 6)
  P11 south-skills (row 13, Southvale, Economy;Skills, 4)
  P12 south-jobs (row 14, Southvale, economy;Employment, no meetings figure)
"""

from __future__ import annotations

from pathlib import Path

import pytest

import graph
import ingest

FIXTURE_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "registers" / "diagnostics"
AS_OF = "2020-06-01"

ABBEY, BROOK, CASTLE = "E05000911", "E05000912", "E05000921"
NORTHDALE, SOUTHVALE, TESTSHIRE = "E07000901", "E07000902", "E10000099"


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    """The diagnostics register ingested once into an embedded store (read-only use)."""
    store = graph.open_store(tmp_path_factory.mktemp("diagnostics") / "db")
    try:
        ingest.load(store, ingest.READERS["register"](FIXTURE_DIR))
        yield store
    finally:
        store.close()


def run(store, name, **params):
    return graph.run_query(store, name, params)


def by(rows, key):
    """Rows keyed by one column, checking the key is unique."""
    keyed = {row[key]: row for row in rows}
    assert len(keyed) == len(rows), f"{key} is not unique in {rows}"
    return keyed


def pairs(rows):
    return [(row["a"], row["b"]) for row in rows]


def m_row(n):
    return f"memberships.csv row {n}"


def p_row(n):
    return f"partnerships.csv row {n}"


# --------------------------------------------------------------------------------------------
# overload
# --------------------------------------------------------------------------------------------

def test_overload_counts_distinct_partnerships_and_chairs_per_organisation(register):
    rows = run(register, "overload", as_of=AS_OF)
    # In force on 2020-06-01 (memberships.csv rows; 7 ended 2019-03-31, 8 starts 2021, 39 ended 2019-12-31):
    #   north-council  P1(6) P2 chair(9) P4(17) P5(21) P6(27)         -> 5 memberships, 1 chair
    #   north-cvs      P2(11) P4(19) P5(22) MH(25) P6(29)              -> 5, 0
    #   nhs-trust      P1(4) P4 chair(16) P5 chair(20) MH chair(24)    -> 4, 3
    #   fire           P5(23) P6(28) P7 chair(30) P8 chair(32)         -> 4, 2
    #   south-cvs      P3(14) P9 chair(34) P11(42) P12 chair(44)       -> 4, 2
    #   police         P1(5) P6 chair(26) P7(31) P8(33)                -> 4, 1
    #   south-council  P3 chair(12) P10 chair(37) P11(41)              -> 3, 2
    #   college        P9(36) P11 chair(40) P12(43)                    -> 3, 1
    #   south-homes    P3(13) P10(38) P12(46)                          -> 3, 0
    #   county-council P1 chair(2) + P1 secretariat(3), P3(15)         -> 2 (P1 once), 1
    #   north-homes    P2(10) P4(18)                                   -> 2, 0
    #   probation      P9(35) P12(45)                                  -> 2, 0
    #   northdale-mind MH(47)                                          -> 1, 0
    # Ordered by memberships desc, chairs desc, id.
    assert [(r["organisation"], r["memberships"], r["chairs"]) for r in rows] == [
        ("north-council", 5, 1),
        ("north-cvs", 5, 0),
        ("nhs-trust", 4, 3),
        ("fire", 4, 2),
        ("south-cvs", 4, 2),
        ("police", 4, 1),
        ("south-council", 3, 2),
        ("college", 3, 1),
        ("south-homes", 3, 0),
        ("county-council", 2, 1),
        ("north-homes", 2, 0),
        ("probation", 2, 0),
        ("northdale-mind", 1, 0),
    ]
    found = by(rows, "organisation")
    assert sorted(found["county-council"]["partnerships"]) == ["Southvale Local Strategic Partnership", "Testshire Together"]
    assert found["nhs-trust"]["chaired"] and sorted(found["nhs-trust"]["chaired"]) == [
        "Abbey Older People's Board", "Brook Mental Health Task Group", "Northdale Health and Wellbeing Board",
    ]
    assert found["north-cvs"]["chaired"] == []


def test_overload_min_keeps_organisations_with_at_least_that_many(register):
    # From the counts above: >= 4 is six organisations, >= 5 two, >= 6 none.
    assert [r["organisation"] for r in run(register, "overload", as_of=AS_OF, min=4)] == [
        "north-council", "north-cvs", "nhs-trust", "fire", "south-cvs", "police",
    ]
    assert [r["organisation"] for r in run(register, "overload", as_of=AS_OF, min="5")] == ["north-council", "north-cvs"]
    assert run(register, "overload", as_of=AS_OF, min=6) == []


def test_overload_of_some_organisations_counts_all_their_groups(register):
    # The review pack asks for a partnership's members only: each still counts every group it sits on
    # (north-council 5, probation 2, from the counts above); the others are not listed.
    rows = run(register, "overload", as_of=AS_OF, organisations=["probation", "north-council"])
    assert [(r["organisation"], r["memberships"]) for r in rows] == [("north-council", 5), ("probation", 2)]


def test_overload_meetings_a_year_and_average_attendance(register):
    found = by(run(register, "overload", as_of=AS_OF), "organisation")
    # nhs-trust: P1 4 + P4 6 + P5 4 + MH 12 = 26; attendance (1 + 0.9 + 1 + 0.9) / 4 = 0.95
    assert (found["nhs-trust"]["meetings_per_year"], found["nhs-trust"]["average_attendance"]) == (26, pytest.approx(0.95))
    # police: P1 4 + P6 4 + P7 2 + P8 2 = 12; attendance (0.5 + 0.9) / 2 = 0.7 (blanks ignored)
    assert (found["police"]["meetings_per_year"], found["police"]["average_attendance"]) == (12, pytest.approx(0.7))
    # north-cvs: P2 6 + P4 6 + P5 4 + MH 12 + P6 4 = 32; only row 11 has attendance: 0.75
    assert (found["north-cvs"]["meetings_per_year"], found["north-cvs"]["average_attendance"]) == (32, pytest.approx(0.75))
    # north-council: P1 4 + P2 6 + P4 6 + P5 4 + P6 4 = 24; (1 + 1 + 0.8 + 0.8) / 4 = 0.9
    assert (found["north-council"]["meetings_per_year"], found["north-council"]["average_attendance"]) == (24, pytest.approx(0.9))
    # college: P9 3 + P11 4 + P12 (blank: 0) = 7; no attendance recorded at all -> None
    assert (found["college"]["meetings_per_year"], found["college"]["average_attendance"]) == (7, None)
    # south-cvs: P3 6 + P9 3 + P11 4 + P12 0 = 13
    assert found["south-cvs"]["meetings_per_year"] == 13
    # county-council: rows 2 (0.9), 3 (blank), 15 (0.8) -> (0.9 + 0.8) / 2 = 0.85
    assert found["county-council"]["average_attendance"] == pytest.approx(0.85)


def test_overload_counts_the_meetings_of_a_group_once_for_an_organisation_with_two_posts(register):
    # county-council sits on testshire-together twice (chair row 2, secretariat row 3) and on
    # southvale-lsp (row 15): the groups hold 4 + 6 = 10 meetings a year between them (not 4+4+6 = 14).
    found = by(run(register, "overload", as_of=AS_OF), "organisation")
    assert found["county-council"]["memberships"] == 2
    assert found["county-council"]["meetings_per_year"] == 10
    # Limited to Northdale Abbey only testshire-together counts: 4 meetings (not 8).
    found = by(run(register, "overload", as_of=AS_OF, territory=ABBEY), "organisation")
    assert found["county-council"]["meetings_per_year"] == 4


def test_overload_in_a_ward_counts_groups_covering_it_its_district_and_county_only(register):
    rows = run(register, "overload", as_of=AS_OF, territory=ABBEY)
    found = by(rows, "organisation")
    # Working in Northdale Abbey: P5 (Abbey itself), P2 P4 P6 P7 (Northdale, which contains it),
    # P1 (Testshire, which contains it). Not MH (Northdale Brook, a sibling ward), not anything
    # in Southvale (P3, P8, P9..P12).
    counts = {org: (r["memberships"], r["chairs"]) for org, r in found.items()}
    assert counts == {
        "north-council": (5, 1),   # P1 P2 P4 P5 P6
        "north-cvs": (4, 0),       # P2 P4 P5 P6 (not MH in Brook)
        "nhs-trust": (3, 2),       # P1 P4* P5* (not MH)
        "fire": (3, 1),            # P5 P6 P7* (not P8 in Southvale)
        "police": (3, 1),          # P1 P6* P7 (not P8)
        "north-homes": (2, 0),     # P2 P4
        "county-council": (1, 1),  # P1* (not P3 in Southvale)
    }
    assert sorted(found["police"]["partnerships"]) == [
        "Northdale Community Safety Partnership", "Northdale Road Safety Group", "Testshire Together",
    ]
    # nhs-trust: P1 4 + P4 6 + P5 4 = 14 meetings; attendance (1 + 0.9 + 1) / 3 = 0.9667 -> 0.97
    assert found["nhs-trust"]["meetings_per_year"] == 14
    assert found["nhs-trust"]["average_attendance"] == pytest.approx(0.97)
    # fire: P5 4 + P6 4 + P7 2 = 10
    assert found["fire"]["meetings_per_year"] == 10


def test_overload_in_a_district_counts_its_wards_and_county_not_the_other_district(register):
    found = by(run(register, "overload", as_of=AS_OF, territory=NORTHDALE), "organisation")
    # Northdale: P2 P4 P6 P7 (itself), P5 (Abbey, inside it), MH (Brook, inside it), P1 (county).
    assert found["north-cvs"]["memberships"] == 5       # P2 P4 P5 MH P6: MH now counts
    assert found["nhs-trust"]["memberships"] == 4       # P1 P4 P5 MH
    assert found["police"]["memberships"] == 3          # P1 P6 P7, not P8 (Southvale)
    assert found["county-council"]["memberships"] == 1  # P1, not P3 (Southvale)
    assert found["northdale-mind"]["memberships"] == 1  # MH in Brook
    assert not {"south-council", "south-homes", "south-cvs", "college", "probation"} & set(found)
    # The county: every group in it (all of them) counts, so police and fire have 4 again.
    found = by(run(register, "overload", as_of=AS_OF, territory=TESTSHIRE), "organisation")
    assert (found["police"]["memberships"], found["fire"]["memberships"], found["county-council"]["memberships"]) == (4, 4, 2)
    # Southvale: P1 (county) and P3 P8..P12; fire keeps only P8.
    found = by(run(register, "overload", as_of=AS_OF, territory=SOUTHVALE), "organisation")
    assert (found["fire"]["memberships"], found["fire"]["chairs"]) == (1, 1)
    assert found["county-council"]["memberships"] == 2  # P1 and P3
    assert "north-homes" not in found and "northdale-mind" not in found


def test_overload_counts_only_memberships_in_force_on_as_of(register):
    def count(as_of, org):
        return by(run(register, "overload", as_of=as_of), "organisation").get(org, {}).get("memberships")

    # fire on P1 (row 7) runs 2015-04-01..2019-03-31, both days included.
    assert count("2019-03-31", "fire") == 5   # P1 P5 P6 P7 P8
    assert count("2019-04-01", "fire") == 4   # P1 has ended
    assert count(AS_OF, "fire") == 4
    # college on P1 (row 8) starts 2021-01-01.
    assert count(AS_OF, "college") == 3       # P9 P11 P12
    assert count("2020-12-31", "college") == 3
    assert count("2021-01-01", "college") == 4
    # nhs-trust on P10 (row 39) ended 2019-12-31.
    assert count("2019-12-31", "nhs-trust") == 5
    assert count("2020-01-01", "nhs-trust") == 4
    # county-council on P3 (row 15) starts 2018-05-01.
    assert count("2018-04-30", "county-council") == 1
    # Before 2015-04-01 testshire-together had no one in force; northdale-lsp starts 2016.
    assert count("2015-01-01", "county-council") is None


def test_overload_evidence_cites_the_membership_rows(register):
    found = by(run(register, "overload", as_of=AS_OF), "organisation")
    assert sorted(found["county-council"]["source_rows"]) == sorted([m_row(2), m_row(3), m_row(15)])
    assert sorted(found["police"]["source_rows"]) == sorted([m_row(5), m_row(26), m_row(31), m_row(33)])
    # fire's row 7 (ended) is not evidence on 2020-06-01.
    assert sorted(found["fire"]["source_rows"]) == sorted([m_row(23), m_row(28), m_row(30), m_row(32)])


# --------------------------------------------------------------------------------------------
# overload-representatives
# --------------------------------------------------------------------------------------------

def test_overload_per_post_shows_the_post_that_chairs_three_groups(register):
    rows = run(register, "overload-representatives", as_of=AS_OF)
    # nhs-trust's Director of Commissioning chairs P4 (row 16), P5 (row 20) and MH (row 24):
    # 3 memberships, 3 chairs, 6 + 4 + 12 = 22 meetings. It has the most chairs of any post.
    first = rows[0]
    assert (first["organisation"], first["representative"], first["memberships"], first["chairs"]) == (
        "nhs-trust", "Director of Commissioning", 3, 3)
    assert first["meetings_per_year"] == 22
    assert sorted(first["chaired"]) == [
        "Abbey Older People's Board", "Brook Mental Health Task Group", "Northdale Health and Wellbeing Board",
    ]
    assert sorted(first["source_rows"]) == sorted([m_row(16), m_row(20), m_row(24)])
    # The Chief Executive of the same organisation is a row of its own: P1 (row 4), no chair.
    nhs = {r["representative"]: r for r in rows if r["organisation"] == "nhs-trust"}
    assert set(nhs) == {"Director of Commissioning", "Chief Executive"}
    assert (nhs["Chief Executive"]["memberships"], nhs["Chief Executive"]["chairs"]) == (1, 0)
    assert nhs["Chief Executive"]["partnerships"] == ["Testshire Together"]
    # county-council's two posts on P1 are two rows, and its Cabinet Member on P3 a third.
    county = {r["representative"]: (r["memberships"], r["chairs"]) for r in rows if r["organisation"] == "county-council"}
    assert county == {"Leader of the Council": (1, 1), "Partnership Manager": (1, 0), "Cabinet Member for Communities": (1, 0)}


def test_overload_per_post_min_and_territory(register):
    # Posts with >= 3 memberships: nhs Director of Commissioning (3, 3 chairs), south-cvs Chief
    # Officer (P3 P9* P11 P12*: 4, 2), north-cvs Chief Officer (5, 0), south-homes Director of
    # Housing (P3 P10 P12: 3, 0); ordered by chairs desc, memberships desc.
    rows = run(register, "overload-representatives", as_of=AS_OF, min=3)
    assert [(r["organisation"], r["representative"], r["memberships"], r["chairs"]) for r in rows] == [
        ("nhs-trust", "Director of Commissioning", 3, 3),
        ("south-cvs", "Chief Officer", 4, 2),
        ("north-cvs", "Chief Officer", 5, 0),
        ("south-homes", "Director of Housing", 3, 0),
    ]
    # In Northdale Abbey, MH (Brook) drops out: the Director of Commissioning has P4 and P5.
    rows = run(register, "overload-representatives", as_of=AS_OF, territory=ABBEY)
    doc = next(r for r in rows if r["representative"] == "Director of Commissioning")
    assert (doc["memberships"], doc["chairs"], doc["meetings_per_year"]) == (2, 2, 10)


# --------------------------------------------------------------------------------------------
# attendance
# --------------------------------------------------------------------------------------------

def _attendance(rows):
    return [(r["organisation"], r["partnership"], r["attendance"], r["source_row"]) for r in rows]


def test_attendance_lists_memberships_strictly_below_the_default_threshold(register):
    rows = run(register, "attendance", as_of=AS_OF)
    # Below 0.75 and in force: police on P1 0.5 (row 5), north-homes on P2 0.67 (row 10).
    # Not: north-cvs on P2 at exactly 0.75 (row 11), blank attendance (e.g. rows 3, 19),
    # fire 0.6 (row 7, ended 2019-03-31), nhs-trust 0.3 (row 39, ended 2019-12-31).
    assert _attendance(rows) == [
        ("police", "testshire-together", pytest.approx(0.5), m_row(5)),
        ("north-homes", "northdale-lsp", pytest.approx(0.67), m_row(10)),
    ]
    assert rows[1]["representative"] == "Chief Executive" and rows[1]["meetings_per_year"] == 6


def test_attendance_threshold_parameter(register):
    # 0.6: only 0.5 is below it.
    assert [r["source_row"] for r in run(register, "attendance", as_of=AS_OF, threshold="0.6")] == [m_row(5)]
    # 0.76: 0.5, 0.67 and now 0.75 (row 11); the 0.8s are not below it.
    assert [r["source_row"] for r in run(register, "attendance", as_of=AS_OF, threshold=0.76)] == [
        m_row(5), m_row(10), m_row(11),
    ]
    # 0.5: nothing is strictly below 0.5 in force.
    assert run(register, "attendance", as_of=AS_OF, threshold=0.5) == []


def test_attendance_counts_only_memberships_in_force(register):
    # 2019-06-01: row 39 (nhs-trust on P10, 0.3, until 2019-12-31) is in force; row 7 has ended.
    assert [r["source_row"] for r in run(register, "attendance", as_of="2019-06-01")] == [
        m_row(39), m_row(5), m_row(10),
    ]
    # 2018-06-01: row 7 (fire on P1, 0.6, until 2019-03-31) is in force too.
    assert [r["source_row"] for r in run(register, "attendance", as_of="2018-06-01")] == [
        m_row(39), m_row(5), m_row(7), m_row(10),
    ]


# --------------------------------------------------------------------------------------------
# partnership-density
# --------------------------------------------------------------------------------------------

def test_density_of_a_ward_counts_groups_of_its_district_and_county(register):
    rows = run(register, "partnership-density", territory=ABBEY)
    # Abbey <- P5 (Abbey: older people); Northdale <- P2 (Economy, Housing), P4 (Health, Older
    # People), P6 (Community Safety), P7 (Road Safety); Testshire <- P1 (Economy, Health).
    # Economy: P1 P2 = 2; Health: P1 P4 = 2; Older People: P4 P5 = 2 (one theme, two spellings);
    # Housing, Community Safety, Road Safety: 1 each, under the default min 2.
    assert [(r["theme"], r["partnerships"]) for r in rows] == [("Economy", 2), ("Health", 2), ("Older People", 2)]
    found = by(rows, "theme")
    assert sorted(found["Health"]["names"]) == ["Northdale Health and Wellbeing Board", "Testshire Together"]
    assert sorted(found["Health"]["through"]) == [NORTHDALE, TESTSHIRE]
    assert sorted(found["Older People"]["through"]) == [ABBEY, NORTHDALE]
    assert all(r["territory"] == ABBEY and r["level"] == "ward" for r in rows)
    everything = {r["theme"]: r["partnerships"] for r in run(register, "partnership-density", territory=ABBEY, min=1)}
    assert everything == {"Economy": 2, "Health": 2, "Older People": 2, "Housing": 1, "Community Safety": 1, "Road Safety": 1}


def test_density_of_a_ward_in_the_other_district(register):
    rows = run(register, "partnership-density", territory=CASTLE)
    # Castle <- Southvale: P3 (Environment, Communities), P8 (Road Safety), P9 (Health,
    # Communities), P10 (Health, Housing), P11 (Economy, Skills), P12 (Economy, Employment);
    # Testshire: P1 (Economy, Health). Economy: P1 P11 P12 = 3; Health: P1 P9 P10 = 3;
    # Communities: P3 P9 = 2. Nothing from Northdale.
    assert [(r["theme"], r["partnerships"]) for r in rows] == [("Economy", 3), ("Health", 3), ("Communities", 2)]
    assert sorted(by(rows, "theme")["Health"]["names"]) == [
        "Southvale Health Forum", "Southvale Wellbeing Board", "Testshire Together",
    ]


def test_density_level_min_and_direction(register):
    # Wards with >= 3 groups on a theme: only Castle (Economy 3, Health 3); Abbey and Brook top out at 2.
    rows = run(register, "partnership-density", level="ward", min=3)
    assert [(r["territory"], r["theme"], r["partnerships"]) for r in rows] == [(CASTLE, "Economy", 3), (CASTLE, "Health", 3)]
    # The county counts only groups covering it or a place it lies in, not those inside it: P1.
    county = run(register, "partnership-density", territory=TESTSHIRE, min=1)
    assert [(r["theme"], r["partnerships"]) for r in county] == [("Economy", 1), ("Health", 1)]


# --------------------------------------------------------------------------------------------
# duplicate-partnerships
# --------------------------------------------------------------------------------------------

def test_duplicate_partnerships_finds_the_overlapping_pair_with_its_evidence(register):
    rows = run(register, "duplicate-partnerships", as_of=AS_OF)
    # P5 north-older-people {nhs-trust, north-council, north-cvs, fire}
    # P4 north-wellbeing    {nhs-trust, north-council, north-homes, north-cvs}
    # shared 3, union 5 -> Jaccard 3/5 = 0.6; shared theme Older People; Abbey lies in Northdale.
    assert pairs(rows) == [("north-older-people", "north-wellbeing")]
    row = rows[0]
    assert row["jaccard"] == pytest.approx(0.6)
    assert sorted(row["shared_members"]) == ["Northdale District Council", "Northdale Voluntary Action", "Testshire NHS Trust"]
    assert (row["members_a"], row["members_b"]) == (4, 4)
    assert row["shared_themes"] == ["Older People"]
    assert row["overlapping_territories"] == ["Northdale Abbey / Northdale"]
    assert (row["a_source_row"], row["b_source_row"]) == (p_row(6), p_row(5))


def test_duplicate_partnerships_not_flagged(register):
    found = set(pairs(run(register, "duplicate-partnerships", as_of=AS_OF, min_jaccard=0.1)))
    # Same members {fire, police}: Jaccard 1.0, both Road Safety, but Northdale vs Southvale.
    assert ("north-road-safety", "south-road-safety") not in found
    # P5/P6 {nhs, nc, ncvs, fire} vs {police, nc, fire, ncvs}: 3/5 = 0.6 but no theme in common.
    assert ("north-older-people", "north-safety") not in found
    # P4/P2 {nhs, nc, nh, ncvs} vs {nc, nh, ncvs}: 3/4 = 0.75 but no theme in common.
    assert ("north-wellbeing", "northdale-lsp") not in found
    # P10/P3 {sc, sh} vs {sc, sh, scvs, cc}: 2/4 = 0.5 but no theme in common.
    assert ("south-wellbeing", "southvale-lsp") not in found


def test_duplicate_partnerships_threshold(register):
    # P12 south-jobs {college, south-cvs, probation, south-homes}, P11 south-skills {college,
    # south-council, south-cvs}: shared 2, union 5 -> 0.4 < 0.5; both Economy, both Southvale.
    assert ("south-jobs", "south-skills") not in pairs(run(register, "duplicate-partnerships", as_of=AS_OF))
    rows = run(register, "duplicate-partnerships", as_of=AS_OF, min_jaccard=0.4)
    # >= 0.4 now: the 0.6 pair, then this 0.4 pair (the boundary is included).
    assert pairs(rows) == [("north-older-people", "north-wellbeing"), ("south-jobs", "south-skills")]
    row = rows[1]
    assert row["jaccard"] == pytest.approx(0.4)
    assert sorted(row["shared_members"]) == ["Southvale Voluntary Action", "Testshire College"]
    assert (row["members_a"], row["members_b"]) == (4, 3)
    assert row["shared_themes"] == ["Economy"]
    assert (row["a_source_row"], row["b_source_row"]) == (p_row(14), p_row(13))


def test_duplicate_partnerships_each_pair_once(register):
    rows = run(register, "duplicate-partnerships", as_of=AS_OF, min_jaccard=0.1)
    found = pairs(rows)
    assert all(a < b for a, b in found)
    assert len(found) == len(set(found)) == len({frozenset(p) for p in found})
    # Every pair sharing a member and a theme in overlapping places, whatever its Jaccard.
    assert set(found) == {
        ("north-older-people", "north-wellbeing"),
        ("south-jobs", "south-skills"),
        ("north-wellbeing", "testshire-together"),
        ("northdale-lsp", "testshire-together"),
        ("south-health", "southvale-lsp"),
    }
    # P9 {scvs, probation, college} / P3 {sc, sh, scvs, cc}: 1 of 6, Communities, Southvale.
    assert by(rows, "a")["south-health"]["jaccard"] == pytest.approx(0.167)


def test_duplicate_partnerships_as_of(register):
    # On 2016-06-01 nhs-trust is not yet on P4 (row 16 starts 2017-04-01):
    # P5 {nhs, nc, ncvs, fire} / P4 {nc, nh, ncvs}: shared 2, union 5 -> 0.4, so not a duplicate at 0.5.
    assert run(register, "duplicate-partnerships", as_of="2016-06-01") == []
    rows = run(register, "duplicate-partnerships", as_of="2016-06-01", min_jaccard=0.4)
    north = by(rows, "a")["north-older-people"]
    assert (north["jaccard"], north["members_b"]) == (pytest.approx(0.4), 3)


def test_duplicate_partnerships_count_an_organisation_with_two_posts_once(register):
    # P1 testshire-together has 4 member organisations in force: county-council (twice: chair
    # row 2 and secretariat row 3), nhs-trust, police, north-council.
    # P4 north-wellbeing {nhs, nc, nh, ncvs}: shared {nhs, nc} = 2, union 6 -> 2/6 = 0.333 (>= 0.3).
    # (Counting rows gives 2 / (5 + 4 - 2) = 0.286 and drops the pair.)
    low = {(r["a"], r["b"]): r for r in run(register, "duplicate-partnerships", as_of=AS_OF, min_jaccard=0.1)}
    row = low[("north-wellbeing", "testshire-together")]
    assert (row["members_a"], row["members_b"]) == (4, 4)
    assert row["jaccard"] == pytest.approx(0.333)
    # northdale-lsp / testshire-together: shared {north-council}, union 6 -> 1/6 = 0.167.
    assert low[("northdale-lsp", "testshire-together")]["jaccard"] == pytest.approx(0.167)
    # So at min_jaccard 0.3 the pair is listed.
    found = pairs(run(register, "duplicate-partnerships", as_of=AS_OF, min_jaccard=0.3))
    assert ("north-wellbeing", "testshire-together") in found


# --------------------------------------------------------------------------------------------
# duplicate-services
# --------------------------------------------------------------------------------------------

def test_duplicate_services(register):
    rows = run(register, "duplicate-services")
    # fs-abbey (north-cvs, Abbey) / fs-north (north-homes, Northdale): floating support, Older
    # People, Abbey lies in Northdale -> "a inside b".
    # handy-south-a (south-cvs) / handy-south-b (south-homes): handyperson, Older People and
    # Carers, both Southvale -> "same territory", one row for the two shared client groups.
    # Strongest evidence first: two shared client groups before one.
    assert pairs(rows) == [("handy-south-a", "handy-south-b"), ("fs-abbey", "fs-north")]
    handy, fs = rows
    assert (fs["type"], fs["client_group"], fs["overlap"]) == ("floating support", ["Older People"], "a inside b")
    assert (fs["provider_a"], fs["provider_b"]) == ("Northdale Voluntary Action", "Northdale Homes")
    assert (fs["territory_a"], fs["territory_b"]) == ("Northdale Abbey", "Northdale")
    assert (fs["a_source_row"], fs["b_source_row"]) == ("services.csv row 3", "services.csv row 2")
    assert (handy["overlap"], sorted(handy["client_group"])) == ("same territory", ["Carers", "Older People"])
    assert (handy["a_source_row"], handy["b_source_row"]) == ("services.csv row 8", "services.csv row 9")
    # Not flagged: fs-brook/fs-north (same provider north-homes); safe-and-well (type home
    # safety check); fs-young (Young People only); fs-south (Southvale: no overlap with the
    # Northdale ones); fs-abbey/fs-brook (sibling wards).
    flagged = {s for pair in pairs(rows) for s in pair}
    assert not flagged & {"fs-brook", "safe-and-well", "fs-young", "fs-south"}


def test_duplicate_services_limit_keeps_the_strongest_pairs(register):
    assert pairs(run(register, "duplicate-services", limit=1)) == [("handy-south-a", "handy-south-b")]
    assert len(run(register, "duplicate-services", limit=0)) == 2  # 0: every pair


def test_duplicate_services_type_filter(register):
    assert pairs(run(register, "duplicate-services", type="handyperson")) == [("handy-south-a", "handy-south-b")]
    assert pairs(run(register, "duplicate-services", type="floating support")) == [("fs-abbey", "fs-north")]
    assert run(register, "duplicate-services", type="home safety check") == []


# --------------------------------------------------------------------------------------------
# missing-links
# --------------------------------------------------------------------------------------------

def test_missing_links(register):
    rows = run(register, "missing-links", as_of=AS_OF)
    # health -> nhs; community safety -> police, probation; housing -> housing; mental health -> nhs.
    #   P1 Health: nhs-trust (row 4) present                      -> not flagged
    #   P2 Housing: north-homes present                           -> not flagged
    #   P4 Health: nhs-trust (row 16) present                     -> not flagged
    #   MH Mental Health: nhs-trust (row 24) present              -> not flagged
    #   P6 Community Safety: police (row 26), no probation        -> probation, once; not police
    #   P9 Health (a forum): no nhs member                        -> nhs
    #   P10 Health: nhs-trust ended 2019-12-31 (row 39)           -> nhs; Housing: south-homes present
    assert [(r["partnership"], r["theme"], r["missing_sector"]) for r in rows] == [
        ("north-safety", "Community Safety", "probation"),
        ("south-health", "Health", "nhs"),
        ("south-wellbeing", "Health", "nhs"),
    ]
    found = by(rows, "partnership")
    assert sorted(found["north-safety"]["sectors_present"]) == ["fire", "local_authority", "police", "vcse"]
    assert found["north-safety"]["members"] == 4
    assert sorted(found["south-wellbeing"]["sectors_present"]) == ["housing", "local_authority"]
    assert found["south-wellbeing"]["members"] == 2
    assert sorted(found["south-health"]["sectors_present"]) == ["education", "probation", "vcse"]
    assert {r["source_row"] for r in rows} == {p_row(8), p_row(11), p_row(12)}
    assert found["north-safety"]["source_row"] == p_row(8)


def test_missing_links_counts_the_nhs_member_while_in_force(register):
    # On 2019-06-01 nhs-trust still sits on P10 (2015-04-01..2019-12-31): P10 is not flagged.
    rows = run(register, "missing-links", as_of="2019-06-01")
    assert [(r["partnership"], r["missing_sector"]) for r in rows] == [
        ("north-safety", "probation"), ("south-health", "nhs"),
    ]


# --------------------------------------------------------------------------------------------
# governance-gaps
# --------------------------------------------------------------------------------------------

def test_governance_gaps(register):
    rows = run(register, "governance-gaps")
    # P9 south-health (forum) reports to nobody.
    # P10 south-wellbeing -> P9, which reports nowhere: no line up to an LSP (related P9).
    # P11 south-skills <-> P12 south-jobs: a loop, each related to the other.
    # P3 southvale-lsp covers Southvale, inside Testshire (P1's area), with no REPORTS_TO to P1.
    # Not flagged: P5 -> P4 -> P2 (an LSP, two steps); P7 -> P6 -> P2; P4, P6, MH, P8 (one or two
    # steps); P2 (an LSP inside P1's area, but reports to it); P1.
    assert [(r["partnership"], r["reason"], r["related"]) for r in rows] == [
        ("south-health", "reports to nobody", None),
        ("south-jobs", "its reporting line loops back to itself", "south-skills"),
        ("south-skills", "its reporting line loops back to itself", "south-jobs"),
        ("south-wellbeing", "no reporting line up to an LSP", "south-health"),
        ("southvale-lsp", "an LSP inside the area of another LSP, with no reporting line to it", "testshire-together"),
    ]
    found = by(rows, "partnership")
    assert found["south-health"]["kind"] == "forum"
    assert found["south-health"]["source_row"] == p_row(11)
    assert found["south-wellbeing"]["source_row"] == p_row(12)
    assert (found["south-skills"]["source_row"], found["south-jobs"]["source_row"]) == (p_row(13), p_row(14))
    assert found["southvale-lsp"]["source_row"] == p_row(4)
    assert not {"north-older-people", "north-road-safety", "northdale-lsp", "testshire-together"} & set(found)


# --------------------------------------------------------------------------------------------
# strategy-gaps
# --------------------------------------------------------------------------------------------

def test_strategy_gaps(register):
    rows = run(register, "strategy-gaps", as_of=AS_OF)
    # In force on 2020-06-01 with a theme calling for nhs or probation:
    #   north-health-plan (Health) -> t-waits, owned by nhs-trust            -> not flagged
    #   north-older-plan (Health)  -> aligns with north-health-plan          -> not flagged
    #   safety-plan (Community Safety) -> t-reoffending, owned by probation  -> not flagged
    #   south-health-plan (Health) -> t-leisure, owned by south-council      -> flagged
    #   south-carers-plan (health) -> aligns only with south-health-plan     -> flagged
    # economy-plan: Economy calls for no such sector; old-health-plan ended 2015-03-31.
    assert [r["strategy"] for r in rows] == ["south-carers-plan", "south-health-plan"]
    found = by(rows, "strategy")
    assert (found["south-health-plan"]["owner"], found["south-health-plan"]["targets"]) == ("Southvale Wellbeing Board", ["t-leisure"])
    assert found["south-health-plan"]["themes"] == ["Health"]
    assert found["south-health-plan"]["source_row"] == "strategies.csv row 4"
    assert (found["south-carers-plan"]["owner"], found["south-carers-plan"]["targets"]) == ("Southvale Health Forum", [])
    assert found["south-carers-plan"]["source_row"] == "strategies.csv row 5"


def test_strategy_gaps_consider_only_strategies_in_force(register):
    # old-health-plan runs 2010-04-01..2015-03-31 with no target: flagged while in force only;
    # everything else starts in 2018 or later.
    assert [r["strategy"] for r in run(register, "strategy-gaps", as_of="2012-06-01")] == ["old-health-plan"]
    assert [r["strategy"] for r in run(register, "strategy-gaps", as_of="2015-03-31")] == ["old-health-plan"]
    assert run(register, "strategy-gaps", as_of="2015-04-01") == []


# --------------------------------------------------------------------------------------------
# brokers, clusters, suggested-links (networkx)
# --------------------------------------------------------------------------------------------

NORTH_ORGS = {"Northdale District Council", "Northdale Homes", "Northdale Voluntary Action", "Northdale Mind", "Testshire NHS Trust"}
SOUTH_ORGS = {"Southvale District Council", "Southvale Homes", "Southvale Voluntary Action", "Testshire College", "Testshire Probation Service"}
SOUTH_PARTNERSHIPS = {
    "Southvale Local Strategic Partnership", "Southvale Health Forum", "Southvale Wellbeing Board",
    "Southvale Skills Board", "Southvale Jobs Task Group",
}


def test_brokers_rank_the_only_link_between_two_groups_first(register):
    rows = run(register, "brokers", as_of=AS_OF)
    # The membership graph on 2020-06-01 has 13 organisations and 13 partnerships (26 nodes).
    # county-council's only neighbours are P1 (north side) and P3 (south side): every shortest
    # path between the 15 other north nodes (P1 P2 P4 P5 MH P6 P7 P8 + nhs police nc fire nh
    # ncvs mind) and the 10 south nodes (P3 P9..P12 + sc sh scvs college probation) runs
    # through it, and no other: 15 * 10 = 150 of C(25, 2) = 300 pairs -> betweenness 0.5.
    top = rows[0]
    assert top["organisation"] == "county-council"
    assert top["betweenness"] == pytest.approx(0.5)
    # co-members on 2020-06-01: testshire-together {nhs-trust, police, north-council} (fire ended
    # 2019-03-31, college starts 2021) + southvale-lsp {south-council, south-homes, south-cvs} = 6
    assert (top["memberships"], top["co_members"]) == (2, 6)
    assert top["partnerships"] == ["Southvale Local Strategic Partnership", "Testshire Together"]
    assert all(r["betweenness"] > 0 for r in rows)
    assert rows[1]["betweenness"] < top["betweenness"]
    # northdale-mind sits on MH only: betweenness 0, not listed.
    assert "northdale-mind" not in {r["organisation"] for r in rows}
    assert run(register, "brokers", as_of=AS_OF, limit=1) == [top]


def test_igraph_betweenness_is_networkx_betweenness(register):
    # The measure is defined by networkx; igraph only computes it faster.
    import networkx as nx

    from graph.analyses import betweenness, membership_network

    network = membership_network(register, AS_OF)
    expected = nx.betweenness_centrality(network.to_networkx())
    assert len(network) == 26 and network.graph.ecount() == network.to_networkx().number_of_edges()
    for node, value in zip(network.nodes, betweenness(network)):
        assert value == pytest.approx(expected[node], abs=1e-12), node


def test_clusters_separate_the_two_groups(register):
    rows = run(register, "clusters", as_of=AS_OF)
    assert len(rows) >= 2
    # A partition: no organisation or partnership in two clusters.
    orgs = [o for r in rows for o in r["organisation_names"]]
    parts = [p for r in rows for p in r["partnership_names"]]
    assert len(orgs) == len(set(orgs)) == 13 and len(parts) == len(set(parts)) == 13
    south = next(r for r in rows if "Southvale District Council" in r["organisation_names"])
    north = next(r for r in rows if "Northdale District Council" in r["organisation_names"])
    assert south is not north
    # The south side, joined to the rest only through county-council, is a cluster of its own.
    assert SOUTH_ORGS <= set(south["organisation_names"])
    assert set(south["partnership_names"]) == SOUTH_PARTNERSHIPS
    assert not NORTH_ORGS & set(south["organisation_names"])
    assert NORTH_ORGS <= set(north["organisation_names"])
    assert {"Northdale Local Strategic Partnership", "Northdale Health and Wellbeing Board",
            "Abbey Older People's Board", "Brook Mental Health Task Group"} <= set(north["partnership_names"])
    assert not SOUTH_ORGS & set(north["organisation_names"])
    assert (south["organisations"], south["partnerships"]) == (len(south["organisation_names"]), 5)


def test_suggested_links(register):
    rows = run(register, "suggested-links", as_of=AS_OF)
    # Pairs sharing >= 2 partnerships, themes both work on (partnerships in force, or services
    # they deliver or commission) minus the themes of the partnerships they share:
    #   fire/police share P6 P7 P8 (union P1 P5 P6 P7 P8: 3/5 = 0.6): police Health via P1, fire
    #     Health via safe-and-well; together only on Community Safety, Road Safety -> Health
    #   nhs-trust/north-cvs share P4 P5 MH (union 6: 0.5): both Economy (P1 / P2) -> Economy
    #   south-council/south-homes share P3 P10 (union 4: 0.5): Economy (P11 / P12) -> Economy
    #   north-council/north-homes share P2 P4 (union 5: 0.4): Homelessness via fs-north (one
    #     commissions, the other provides) -> Homelessness; Housing they share on P2 -> not
    #   south-council/south-cvs share P3 P11 (union 5: 0.4): Health (P10 / P9) -> Health
    #   south-cvs/south-homes share P3 P12 (union 5: 0.4): Health (P9 / P10) -> Health
    #   fire/north-council share P5 P6 (union 7: 2/7 = 0.286): Health -> Health
    #   fire/north-cvs share P5 P6 (union 7: 0.286): Health -> Health
    # Every other pair sharing >= 2 partnerships (nhs/nc, nc/ncvs, nh/ncvs, police/nc, scvs/college,
    # scvs/probation, college/probation) already shares a partnership on every theme in common.
    assert [(r["a"], r["b"], r["theme"], r["score"], r["shared_partnerships"]) for r in rows] == [
        ("fire", "police", "Health", pytest.approx(0.6), 3),
        ("nhs-trust", "north-cvs", "Economy", pytest.approx(0.5), 3),
        ("south-council", "south-homes", "Economy", pytest.approx(0.5), 2),
        ("north-council", "north-homes", "Homelessness", pytest.approx(0.4), 2),
        ("south-council", "south-cvs", "Health", pytest.approx(0.4), 2),
        ("south-cvs", "south-homes", "Health", pytest.approx(0.4), 2),
        ("fire", "north-council", "Health", pytest.approx(0.286), 2),
        ("fire", "north-cvs", "Health", pytest.approx(0.286), 2),
    ]
    homes = next(r for r in rows if (r["a"], r["b"]) == ("north-council", "north-homes"))
    assert homes["shared_names"] == ["Northdale Health and Wellbeing Board", "Northdale Local Strategic Partnership"]
    assert not [r for r in rows if (r["a"], r["b"]) == ("north-council", "north-homes") and r["theme"] == "Housing"]


def test_suggested_links_min_shared(register):
    # Only fire/police and nhs-trust/north-cvs share 3 partnerships with a suggestion.
    rows = run(register, "suggested-links", as_of=AS_OF, min_shared=3)
    assert [(r["a"], r["b"], r["theme"]) for r in rows] == [("fire", "police", "Health"), ("nhs-trust", "north-cvs", "Economy")]


# --------------------------------------------------------------------------------------------
# evidence
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "params", "field"), [
    ("overload", {"as_of": AS_OF}, "source_rows"),
    ("overload-representatives", {"as_of": AS_OF}, "source_rows"),
    ("attendance", {"as_of": AS_OF}, "source_row"),
    ("duplicate-partnerships", {"as_of": AS_OF, "min_jaccard": 0.1}, "a_source_row"),
    ("duplicate-services", {}, "a_source_row"),
    ("missing-links", {"as_of": AS_OF}, "source_row"),
    ("governance-gaps", {}, "source_row"),
    ("strategy-gaps", {"as_of": AS_OF}, "source_row"),
])
def test_every_finding_cites_a_register_row(register, name, params, field):
    rows = graph.run_query(register, name, params)
    assert rows
    for row in rows:
        cited = row[field] if isinstance(row[field], list) else [row[field]]
        assert cited and all(c and " row " in c and c.split(" row ")[1].isdigit() for c in cited), row
