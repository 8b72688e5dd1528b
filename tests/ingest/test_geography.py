"""The geography reader on the real LLR lookups in examples/leicestershire/geography and broken copies of them.

Expected values were read off the CSV rows by hand (quoted beside each assertion).
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

import ingest
from ingest import geography
from partnermap.errors import InvalidRecords

ROOT = Path(__file__).resolve().parents[2]
LOOKUPS = ROOT / "examples" / "leicestershire" / "geography"
MYSOCIETY = ROOT / "tests" / "fixtures" / "geo" / "uk_local_authorities_llr_and_renamed.csv"
WARDS19 = "ward19_to_lad19_to_cty19_to_rgn19_to_ctry19.csv"


def _parent(store, code: str) -> str | None:
    rows = store.run("MATCH (:Territory {id: $id})-[:PART_OF]->(p:Territory) RETURN p.id AS id", {"id": code})
    assert len(rows) <= 1, f"{code} has several parents: {rows}"
    return rows[0]["id"] if rows else None


def _territory(store, code: str) -> dict:
    rows = store.run("MATCH (t:Territory {id: $id}) RETURN t.name AS name, t.level AS level, t.year AS year, "
                     "t.source AS source, t.source_row AS source_row", {"id": code})
    assert rows, f"no territory {code}"
    return rows[0]


def _ward_codes() -> set[str]:
    codes = set()
    for path in LOOKUPS.glob("*.csv"):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                codes |= {row[c] for c in ("WD19CD", "WDCD") if row.get(c)}
    return codes


def test_the_llr_lookups_make_one_tree_from_ward_to_country(store):
    counts = ingest.load(store, geography.read(LOOKUPS))
    assert counts["nodes"]["Source"] == 9  # nine lookup files, each a Source
    # wards_all_since2015 row: E05015265,Enderby,E07000129,Blaby,2023,…,UTLACD E10000018,…,RGNCD E12000004,…,E92000001
    chain, code = [], "E05015265"
    while (code := _parent(store, code)) is not None:
        chain.append(code)
    assert chain == ["E07000129", "E10000018", "E12000004", "E92000001"]
    assert _parent(store, "E06000016") == "E12000004"  # a unitary lies in its region (CTY19CD blank)
    assert _territory(store, "E05015265") == {
        "name": "Enderby", "level": "ward", "year": 2023,
        "source": "geography:wards_all_since2015_to_lad_utla.csv", "source_row": "wards_all_since2015_to_lad_utla.csv row 253",
    }
    assert {k: _territory(store, "E07000129")[k] for k in ("name", "level")} == {"name": "Blaby", "level": "district"}
    assert _territory(store, "E10000018")["level"] == "county"
    # Aylestone: in drkane's file with SOURCEFILE 2016, in the ONS lookups as WD19CD: the earliest year counts
    assert _territory(store, "E05010459")["year"] == 2016
    # LSOA best-fit: 14149,E01025619,Blaby 011D,E05005410,Countesthorpe,E07000129,Blaby
    assert _parent(store, "E01025619") == "E05005410"
    # Barleythorpe parish lies in one ward; Enderby parish in two (rows 7110 and 7122): so in Blaby district
    assert _parent(store, "E04012675") == "E05012632"
    assert _parent(store, "E04005348") == "E07000129"
    # MSOAs of one census only: E02006964 (2021: in Leicester), E02002835 (2011: best fit Humberstone & Hamilton)
    assert (_territory(store, "E02006964")["year"], _parent(store, "E02006964")) == (2021, "E06000016")
    assert (_territory(store, "E02002835")["year"], _parent(store, "E02002835")) == (2011, "E05010467")
    # constituencies overlap wards and districts: territories of their own, outside the tree
    assert _territory(store, "E14000783")["level"] == "constituency" and _parent(store, "E14000783") is None
    wards = store.run("MATCH (t:Territory {level: 'ward'}) RETURN t.id AS id")
    assert {r["id"] for r in wards} == _ward_codes()
    unparented = store.run("MATCH (t:Territory) WHERE t.level IN ['ward', 'lsoa', 'district', 'county'] "
                           "AND NOT EXISTS { MATCH (t)-[:PART_OF]->() } RETURN t.id AS id")
    assert unparented == []


def test_ingesting_twice_changes_nothing(store):
    first = ingest.load(store, geography.read(LOOKUPS))
    before = store.run("MATCH (t:Territory) RETURN count(*) AS n")
    second = ingest.load(store, geography.read([LOOKUPS / WARDS19, LOOKUPS]))  # the same file twice is read once
    assert second["nodes"] == first["nodes"] and second["relationships"] == first["relationships"]
    assert store.run("MATCH (t:Territory) RETURN count(*) AS n") == before


def test_mysociety_list_gives_counties_and_former_codes(store):
    counts = ingest.load(store, geography.read(MYSOCIETY))
    # 22 rows, less the North East combined authority (not a place) = 21, plus 12 former codes
    assert counts["nodes"]["Territory"] == 33
    assert counts["relationships"]["PART_OF"] == 7  # the seven Leicestershire districts (county-la LEC)
    assert _parent(store, "E07000135") == "E10000018"
    # NBL E06000057 Northumberland, former-gss-codes E06000048
    rows = store.run("MATCH (a:Territory)-[:SUCCEEDED_BY]->(b:Territory) RETURN a.id AS old, b.id AS new")
    assert len(rows) == 12 and {"old": "E06000048", "new": "E06000057"} in rows
    assert {"old": "S12000046", "new": "S12000049"} in rows and {"old": "S12000043", "new": "S12000049"} in rows


def test_a_row_with_two_years_of_one_geography_links_old_to_new(store, tmp_path):
    # Invented after ONS's LSOA (2011) to LSOA (2021) lookup: unchanged, split (S) codes.
    (tmp_path / "lsoa11_lsoa21.csv").write_text(
        "LSOA11CD,LSOA11NM,LSOA21CD,LSOA21NM,CHGIND\n"
        "E01013600,Leicester 003A,E01013600,Leicester 003A,U\n"
        "E01013607,Leicester 008B,E01034012,Leicester 008H,S\n"
        "E01013607,Leicester 008B,E01034013,Leicester 008I,S\n"
    )
    ingest.load(store, geography.read(tmp_path))
    rows = store.run("MATCH (a:Territory)-[:SUCCEEDED_BY]->(b:Territory) RETURN a.id AS old, b.id AS new ORDER BY new")
    assert rows == [{"old": "E01013607", "new": "E01034012"}, {"old": "E01013607", "new": "E01034013"}]
    assert _territory(store, "E01034012")["year"] == 2021 and _territory(store, "E01013607")["year"] == 2011


def _broken(tmp_path: Path, edit) -> Path:
    lines = (LOOKUPS / WARDS19).read_text(encoding="utf-8").splitlines(keepends=True)
    target = tmp_path / WARDS19
    target.write_text("".join(edit(lines)), encoding="utf-8")
    return target


def _problems(store, source) -> list[str]:
    with pytest.raises(InvalidRecords) as caught:
        ingest.load(store, geography.read(source))
    assert store.run("MATCH (n) RETURN count(n) AS n") == [{"n": 0}]  # nothing written
    return [str(p) for p in caught.value.problems]


def test_a_truncated_file_names_the_short_row(store, tmp_path):
    path = _broken(tmp_path, lambda lines: lines[:-1] + [lines[-1][:30] + "\n"])
    problems = _problems(store, path)
    assert any(f"{WARDS19}, row 182" in p and "row has" in p for p in problems), problems


def test_a_malformed_code_is_named(store, tmp_path):
    # row 2: 204,E05010459,Aylestone,E06000016,Leicester,… ; the district code mistyped
    path = _broken(tmp_path, lambda lines: [lines[0], lines[1].replace(",E06000016,", ",E0600001X,"), *lines[2:]])
    problems = _problems(store, path)
    assert any("row 2, column 'LAD19CD': value 'E0600001X'" in p and "not a GSS code" in p for p in problems), problems


def test_one_code_with_two_names_or_two_parents_names_both_rows(store, tmp_path):
    def edit(lines):
        renamed = lines[1].replace("Aylestone", "Aylestone Park")  # row 2's ward, renamed on a new row 183
        moved = lines[2].replace(",E06000016,Leicester,", ",E06000017,Rutland,")  # row 3's ward (Abbey) in Rutland, row 184
        return [*lines, renamed, moved]
    problems = _problems(store, _broken(tmp_path, edit))
    assert any("row 183, column 'name'" in p and "named 'Aylestone' at " + WARDS19 + " row 2" in p for p in problems), problems
    assert any("row 184, column 'parent': value 'E06000017'" in p and "E05010458 lies in E06000016" in p for p in problems), problems


def test_a_ward_never_named_is_a_problem(store, tmp_path):
    path = _broken(tmp_path, lambda lines: [lines[0], lines[1].replace(",Aylestone,", ",,"), *lines[2:]])
    problems = _problems(store, path)
    assert any("row 2, column 'name'" in p and "required" in p for p in problems), problems


def test_files_that_cannot_be_read_are_fatal(store, tmp_path):
    (tmp_path / "centroids.csv").write_text("wdcd,longitude,latitude\nE05001806,-0.7578,52.622669\n")
    (tmp_path / "latin1.csv").write_bytes("WD19CD,WD19NM\nE05010459,Ayl\xe9stone\n".encode("latin-1"))
    for name, reason in (("centroids.csv", "no ONS code and name columns"), ("latin1.csv", "not UTF-8")):
        problems = _problems(store, tmp_path / name)
        assert len(problems) == 1 and name in problems[0] and reason in problems[0], problems
    assert "no such file" in _problems(store, tmp_path / "missing.csv")[0]
    # in a folder, a file with no territory columns (centroids) is skipped; the others still count
    shutil.copy(LOOKUPS / WARDS19, tmp_path / WARDS19)
    (tmp_path / "latin1.csv").unlink()
    counts = ingest.load(store, geography.read(tmp_path))
    assert counts["nodes"]["Source"] == 1
