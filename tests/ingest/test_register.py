"""The register reader and loader on a small, hand-made valid register.

Every expected value below was worked out by hand from the CSV files in
``tests/fixtures/registers/small``; none was copied from the program's output.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

import graph
import ingest
from partnermap.errors import InvalidRecords

# --------------------------------------------------------------------------
# Expected counts, by hand from tests/fixtures/registers/small
# --------------------------------------------------------------------------
# Theme keys are case-insensitive (concept_id), so in order of first mention:
#   partnerships: Health, Community Safety, Housing          -> 3 new
#                 health, housing                             -> 0 new (same keys)
#                 community safety, Substance Misuse          -> 1 new (substance-misuse)
#                 Communities                                 -> 1 new
#   strategies:   HEALTH, Communities, Economy                -> 1 new (economy)
#                 community safety, substance misuse          -> 0 new
#   targets:      Health, Substance misuse, Offender Management -> 1 new
#   services:     Housing, supported housing                  -> 1 new
#                 domestic violence, housing                  -> 1 new
#                 offender management, community safety       -> 0 new
#   Themes = 3 + 1 + 1 + 1 + 1 + 1 + 1 = 9
# Client groups (services only):
#   Older People, people with mental health problems          -> 2
#   women at risk of domestic violence, older people          -> 1 new
#   Offenders                                                 -> 1 new
#   ClientGroups = 4
EXPECTED_NODES = {
    "Territory": 4,  # England > East Midlands > Shire > Blaby
    "Organisation": 5,  # shire-cc, blaby-homes, shire-police, shire-pct, helping-hands
    "Partnership": 3,  # shire-together, blaby-lsp, safer-shire (kinds lsp, lsp, board)
    "Forum": 1,  # vcs-forum (kind forum)
    "Strategy": 2,
    "Target": 2,
    "Service": 3,
    "Theme": 9,  # see above
    "ClientGroup": 4,  # see above
    "Source": 7,  # one per file read: 7 CSV files
}  # total 40
EXPECTED_RELATIONSHIPS = {
    "PART_OF": 3,  # region->country, county->region, district->county (England has no parent)
    # COVERS: organisations 4 (shire-pct has no territory)
    #       + partnerships 4 + strategies 2 + services 2 (ppo-scheme has none) = 12
    "COVERS": 12,
    "REPORTS_TO": 2,  # blaby-lsp -> shire-together, safer-shire -> shire-together
    "MEMBER_OF": 8,  # 8 membership rows (shire-cc sits twice on shire-together, 2 representatives)
    "OWNS": 2,  # shire-together owns shire-plan, safer-shire owns safer-plan
    "ALIGNS_WITH": 1,  # shire-plan -> safer-plan
    "CONTRIBUTES_TO": 3,  # shire-plan -> ni-39, ni-30; safer-plan -> ni-30
    "OWNS_TARGET": 2,  # shire-pct -> ni-39, safer-shire -> ni-30
    "DELIVERS": 3,  # one provider per service
    "COMMISSIONS": 2,  # shire-cc -> floating-support, safer-shire -> dv-refuge (ppo-scheme none)
    "SERVES": 5,  # 2 + 2 + 1 client groups
    # HAS_THEME: partnerships 3+2+2+1 = 8, strategies 3+2 = 5, targets 2+1 = 3,
    #            services 2+2+2 = 6; 8 + 5 + 3 + 6 = 22
    "HAS_THEME": 22,
}  # total 65
EXPECTED_STATS = {"nodes": EXPECTED_NODES, "relationships": EXPECTED_RELATIONSHIPS}

FILES = ("territories", "organisations", "partnerships", "memberships", "strategies", "targets", "services")


def nonzero(stats: dict) -> dict:
    """Stats without the labels and types this register has none of (the model has more than it uses)."""
    return {part: {name: n for name, n in counts.items() if n} for part, counts in stats.items()}


def load(store, path):
    return ingest.load(store, ingest.READERS["register"](path))


def one(store, query, params=None):
    rows = store.run(query, params)
    assert len(rows) == 1, rows
    return rows[0]


def typed_cell(text: str):
    """What a person typing into Excel would get: numbers as numbers, ISO dates as dates."""
    if text == "":
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return dt.datetime.fromisoformat(text)
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d*\.\d+", text):
        return float(text)
    return text


def workbook_from_csvs(folder: Path, out: Path, typed: bool) -> Path:
    """One sheet per CSV file, header first, cells as text or as typed values."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name in FILES:
        sheet = book.create_sheet(name)
        with (folder / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
            for number, row in enumerate(csv.reader(handle)):
                sheet.append(row if number == 0 or not typed else [typed_cell(c) for c in row])
    book.save(out)
    return out


# --------------------------------------------------------------------------


def test_small_register_loads_with_exact_counts(store, small_register):
    written = load(store, small_register)

    assert nonzero(graph.stats(store)) == EXPECTED_STATS
    assert sum(EXPECTED_NODES.values()) == 40 and sum(EXPECTED_RELATIONSHIPS.values()) == 65
    assert written["nodes"] == Counter(EXPECTED_NODES)
    assert written["relationships"] == Counter(EXPECTED_RELATIONSHIPS)


def test_ingesting_twice_is_idempotent(store, small_register):
    load(store, small_register)
    first = graph.stats(store)
    load(store, small_register)

    assert nonzero(graph.stats(store)) == nonzero(first) == EXPECTED_STATS
    # A second pass does not rename shared nodes either.
    assert one(store, "MATCH (t:Theme {id: 'health'}) RETURN t.name AS name")["name"] == "Health"


@pytest.mark.parametrize("typed", [False, True], ids=["text-cells", "typed-cells"])
def test_xlsx_workbook_gives_same_stats(store, small_register, tmp_path, typed):
    book = workbook_from_csvs(small_register, tmp_path / "book.xlsx", typed)
    load(store, book)

    assert nonzero(graph.stats(store)) == EXPECTED_STATS
    org = one(store, "MATCH (o:Organisation {id: 'blaby-homes'}) RETURN o.source AS source, o.source_row AS row")
    assert org == {"source": "register:book/book.xlsx[organisations]", "row": "book.xlsx[organisations] row 3"}
    # Numbers and dates typed into cells come out as in the CSV register.
    member = one(
        store,
        "MATCH (:Organisation {id: 'shire-pct'})-[r:MEMBER_OF]->(:Partnership {id: 'shire-together'}) "
        "RETURN r.attendance AS attendance, r.since AS since, r.until AS until",
    )
    assert member == {"attendance": 0.5, "since": dt.date(2002, 4, 1), "until": dt.date(2006, 3, 31)}
    part = one(store, "MATCH (p:Partnership {id: 'safer-shire'}) RETURN p.meetings_per_year AS m, p.statutory AS s")
    assert part == {"m": 12, "s": True}


def test_every_node_and_relationship_has_provenance(store, small_register):
    load(store, small_register)

    for prop in ("source", "source_row"):
        assert one(store, f"MATCH (n) WHERE n.{prop} IS NULL RETURN count(n) AS n")["n"] == 0
        assert one(store, f"MATCH ()-[r]->() WHERE r.{prop} IS NULL RETURN count(r) AS n")["n"] == 0
    # ...and every source points at a Source node that was written.
    sources = {row["id"] for row in store.run("MATCH (s:Source) RETURN s.id AS id")}
    assert sources == {f"register:small/{name}.csv" for name in FILES}
    used = {row["s"] for row in store.run("MATCH (n) RETURN DISTINCT n.source AS s")}
    used |= {row["s"] for row in store.run("MATCH ()-[r]->() RETURN DISTINCT r.source AS s")}
    assert used == sources


def test_provenance_points_at_the_right_file_and_row(store, small_register):
    load(store, small_register)

    # organisations.csv: row 1 header, row 2 shire-cc, row 3 blaby-homes.
    org = one(store, "MATCH (o:Organisation {id: 'blaby-homes'}) RETURN o.source AS source, o.source_row AS row")
    assert org == {"source": "register:small/organisations.csv", "row": "organisations.csv row 3"}
    # memberships.csv row 7: blaby-lsp, shire-cc, observer.
    rel = one(
        store,
        "MATCH (:Organisation {id: 'shire-cc'})-[r:MEMBER_OF]->(:Partnership {id: 'blaby-lsp'}) "
        "RETURN r.source AS source, r.source_row AS row, r.role AS role",
    )
    assert rel == {"source": "register:small/memberships.csv", "row": "memberships.csv row 7", "role": "observer"}
    # A relationship is attributed to the file that states it, not to its endpoints' files.
    covers = one(store, "MATCH (:Service {id: 'dv-refuge'})-[r:COVERS]->(:Territory) RETURN r.source_row AS row")
    assert covers["row"] == "services.csv row 3"
    # A shared theme is attributed to where it is first written: Economy, strategies.csv row 2.
    theme = one(store, "MATCH (t:Theme {id: 'economy'}) RETURN t.source_row AS row, t.name AS name")
    assert theme == {"row": "strategies.csv row 2", "name": "Economy"}
    # The Source node describes the file it names.
    source = one(
        store,
        "MATCH (s:Source {id: 'register:small/organisations.csv'}) "
        "RETURN s.name AS name, s.reader AS reader, s.sha256 AS sha256",
    )
    digest = hashlib.sha256((small_register / "organisations.csv").read_bytes()).hexdigest()
    assert source == {"name": "organisations.csv", "reader": "register", "sha256": digest}
    # The profile query reports the same provenance.
    rows = graph.run_query(store, "profile", {"id": "blaby-homes"})
    assert {row["source_row"] for row in rows} == {"organisations.csv row 3"}
    member_rows = [r for r in rows if r["relationship"] == "MEMBER_OF"]
    assert [(r["neighbour_id"], r["relationship_source_row"]) for r in member_rows] == [
        ("blaby-lsp", "memberships.csv row 6")
    ]


def test_themes_differing_only_in_case_merge(store, small_register):
    load(store, small_register)

    themes = store.run("MATCH (t:Theme) WHERE lower(t.name) = 'health' RETURN t.id AS id, t.name AS name")
    # "Health" (partnerships row 2), "health" (row 3), "HEALTH" (strategies), "Health" (targets).
    assert themes == [{"id": "health", "name": "Health"}]
    about = store.run("MATCH (n)-[:HAS_THEME]->(:Theme {id: 'health'}) RETURN n.id AS id")
    assert sorted(r["id"] for r in about) == ["blaby-lsp", "ni-39", "shire-plan", "shire-together"]
    # "Substance Misuse" / "substance misuse" / "Substance misuse": one theme, three subjects.
    about = store.run("MATCH (n)-[:HAS_THEME]->(t:Theme {id: 'substance-misuse'}) RETURN n.id AS id, t.name AS name")
    assert sorted(r["id"] for r in about) == ["ni-39", "safer-plan", "safer-shire"]
    assert {r["name"] for r in about} == {"Substance Misuse"}
    # Client groups too: "Older People" and "older people".
    groups = store.run("MATCH (s:Service)-[:SERVES]->(g:ClientGroup {id: 'older-people'}) RETURN s.id AS s, g.name AS g")
    assert sorted(r["s"] for r in groups) == ["dv-refuge", "floating-support"]
    assert {r["g"] for r in groups} == {"Older People"}


def test_kind_forum_becomes_a_forum_node(store, small_register):
    load(store, small_register)

    node = one(store, "MATCH (n {id: 'vcs-forum'}) RETURN label(n) AS label, n.kind AS kind, n.name AS name")
    assert node == {"label": "Forum", "kind": "forum", "name": "Shire Voluntary Sector Forum"}
    assert store.run("MATCH (p:Partnership {id: 'vcs-forum'}) RETURN p.id AS id") == []
    members = store.run("MATCH (o:Organisation)-[:MEMBER_OF]->(:Forum {id: 'vcs-forum'}) RETURN o.id AS id")
    assert members == [{"id": "helping-hands"}]
    kinds = store.run("MATCH (p:Partnership) RETURN p.id AS id, p.kind AS kind")
    assert sorted((r["id"], r["kind"]) for r in kinds) == [
        ("blaby-lsp", "lsp"), ("safer-shire", "board"), ("shire-together", "lsp")
    ]


def test_attendance_is_stored_as_a_float(store, small_register):
    load(store, small_register)

    rows = store.run(
        "MATCH (o:Organisation)-[r:MEMBER_OF]->(p) RETURN o.id AS o, p.id AS p, r.representative AS rep, "
        "r.attendance AS attendance"
    )
    got = {(r["o"], r["p"], r["rep"]): r["attendance"] for r in rows}
    assert got == {
        ("shire-cc", "shire-together", "Leader of the Council"): 0.9,
        ("shire-cc", "shire-together", "Partnership Manager"): None,  # blank cell
        ("shire-police", "shire-together", "Chief Constable"): 0.75,
        ("shire-pct", "shire-together", "Chief Executive"): 0.5,
        ("blaby-homes", "blaby-lsp", "Director of Housing"): 1.0,  # written "1"
        ("shire-cc", "blaby-lsp", "Cabinet Member"): 0.0,  # written "0"
        ("shire-police", "safer-shire", "Chief Superintendent"): 0.8,
        ("helping-hands", "vcs-forum", "Chief Officer"): 0.25,
    }
    assert all(isinstance(v, float) for v in got.values() if v is not None)


def test_dates_are_stored_as_dates(store, small_register):
    load(store, small_register)

    member = one(
        store,
        "MATCH (:Organisation {id: 'shire-pct'})-[r:MEMBER_OF]->(:Partnership {id: 'shire-together'}) "
        "RETURN r.since AS since, r.until AS until",
    )
    assert member == {"since": dt.date(2002, 4, 1), "until": dt.date(2006, 3, 31)}
    assert all(type(v) is dt.date for v in member.values())
    open_ended = one(
        store,
        "MATCH (:Organisation {id: 'shire-police'})-[r:MEMBER_OF]->(:Partnership {id: 'safer-shire'}) "
        "RETURN r.since AS since, r.until AS until",
    )
    assert open_ended == {"since": dt.date(2004, 4, 1), "until": None}
    strategy = one(store, "MATCH (s:Strategy {id: 'shire-plan'}) RETURN s.start AS start, s.`end` AS finish")
    assert strategy == {"start": dt.date(2008, 4, 1), "finish": dt.date(2020, 3, 31)}
    assert type(strategy["start"]) is dt.date


def test_other_values_are_typed_per_the_model(store, small_register):
    load(store, small_register)

    org = one(
        store,
        "MATCH (o:Organisation {id: 'shire-cc'}) RETURN o.sector AS sector, o.aliases AS aliases, "
        "o.identifiers AS identifiers",
    )
    assert org == {
        "sector": "local_authority",
        "aliases": ["Shire CC", "County Council"],
        "identifiers": ["gss:E10000018", "orgid:GB-LAE-SHI"],
    }
    rows = store.run("MATCH (p:Partnership:Forum) RETURN p.id AS id, p.statutory AS s, p.meetings_per_year AS m")
    assert {r["id"]: (r["s"], r["m"]) for r in rows} == {
        "shire-together": (False, 4),
        "blaby-lsp": (False, 6),
        "safer-shire": (True, 12),
        "vcs-forum": (False, 6),
    }
    chain = store.run(
        "MATCH (a:Territory)-[:PART_OF]->(b:Territory) RETURN a.id AS a, a.level AS level, b.id AS b"
    )
    assert sorted((r["a"], r["level"], r["b"]) for r in chain) == [
        ("E07000129", "district", "E10000018"),
        ("E10000018", "county", "E12000004"),
        ("E12000004", "region", "E92000001"),
    ]


def test_hostile_strings_are_stored_as_plain_data(store, register_copy):
    hostile_name = "Robert'); MATCH (n) DETACH DELETE n; //"
    hostile_id = "o'}) DETACH DELETE n //{'"
    with (register_copy / "organisations.csv").open("a", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerow([hostile_id, hostile_name, "other", "", "E10000018", ""])
    with (register_copy / "memberships.csv").open("a", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerow(
            ["shire-together", hostile_id, "observer", 'Jo "Bobby" Tables\\', "", "", ""]
        )

    load(store, register_copy)

    expected = {
        "nodes": {**EXPECTED_NODES, "Organisation": 5 + 1},
        "relationships": {**EXPECTED_RELATIONSHIPS, "MEMBER_OF": 8 + 1, "COVERS": 12 + 1},
    }
    assert nonzero(graph.stats(store)) == expected  # nothing was deleted, exactly one of each added
    node = one(store, "MATCH (o:Organisation {id: $id}) RETURN o.name AS name, o.source_row AS row", {"id": hostile_id})
    assert node == {"name": hostile_name, "row": "organisations.csv row 7"}
    rel = one(
        store,
        "MATCH (:Organisation {id: $id})-[r:MEMBER_OF]->(p) RETURN p.id AS p, r.representative AS rep",
        {"id": hostile_id},
    )
    assert rel == {"p": "shire-together", "rep": 'Jo "Bobby" Tables\\'}
    profile = graph.run_query(store, "profile", {"id": hostile_id})
    assert {r["name"] for r in profile} == {hostile_name}


def test_reingesting_after_deleting_rows_removes_their_facts(register_copy, store):
    ingest.load(store, ingest.READERS["register"](register_copy))
    before = graph.stats(store)
    lines = (register_copy / "memberships.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (register_copy / "memberships.csv").write_text("".join(lines[:-2]), encoding="utf-8")  # drop the last two rows
    counts = ingest.load(store, ingest.READERS["register"](register_copy))
    after = graph.stats(store)
    assert counts["removed"]["facts"] == 2
    assert after["relationships"]["MEMBER_OF"] == before["relationships"]["MEMBER_OF"] - 2
    assert {k: v for k, v in after["nodes"].items()} == before["nodes"]


def test_reingesting_without_a_row_others_still_refer_to_is_refused(register_copy, store):
    # Found by the trust suite: organisations.csv row 4 (shire-police) deleted while
    # memberships.csv rows 4 and 8 and services.csv row 4 still name it. On a fresh store that
    # register is refused; re-ingested over its earlier self it must be refused too, not accepted
    # and then have the organisation and the memberships just written removed as stale.
    ingest.load(store, ingest.READERS["register"](register_copy))
    before = graph.stats(store)
    lines = (register_copy / "organisations.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[3].startswith("shire-police,")
    (register_copy / "organisations.csv").write_text("".join(lines[:3] + lines[4:]), encoding="utf-8")
    with pytest.raises(InvalidRecords) as refused:
        ingest.load(store, ingest.READERS["register"](register_copy))
    dangling = {(p.file, p.row, p.value) for p in refused.value.problems}
    assert {("memberships.csv", 4, "shire-police"), ("memberships.csv", 8, "shire-police"),
            ("services.csv", 4, "shire-police")} <= dangling
    assert all("refers to no organisation" in p.reason for p in refused.value.problems)
    assert graph.stats(store) == before  # nothing written, nothing removed
