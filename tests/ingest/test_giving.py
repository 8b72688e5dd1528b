"""The 360giving reader on Trafford Council's real grants file, slices of it as JSON and XLSX, and broken copies.

Expected answers were worked out from the file with pandas (see tests/fixtures/giving/SOURCES.md):
555 grants, one funder (GB-LAE-TRF), 323 recipients, all for E08000009 Trafford, £1,291,436.54
in all; the first 20 rows hold 19 recipients and £58,450.28. St. John's Centre (GB-COH-07597525,
charity 1146058) has 13 grants worth £57,648.63, the latest (2024-05-21) under the name
"St. John's Centre (Old Trafford Hub)". Row numbers count the header as row 1.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from referencing.exceptions import Unretrievable
from typer.testing import CliRunner

import graph
import ingest
from ingest import giving, giving_format
from ingest.batches import ReadWarning
from cli import app
from partnermap.errors import InvalidRecords

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "giving"
CSV = FIXTURES / "trafford_council_voluntary_sector_grants.csv"
CSV_NAME = CSV.name
TOTAL = 1_291_436.54


def rows(count: int | None = None) -> pd.DataFrame:
    frame = pd.read_csv(CSV, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return frame if count is None else frame.head(count).copy()


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


def package(count: int) -> dict:
    """A JSON package of the first ``count`` grants, made from the CSV's rows as 360Giving's tools would."""
    grants = []
    for _, row in rows(count).iterrows():
        grant = {
            "id": row["Identifier"], "title": row["Title"], "description": row["Description"],
            "currency": row["Currency"], "amountAwarded": float(row["Amount Awarded"]), "awardDate": row["Award Date"],
            "recipientOrganization": [{"id": row["Recipient Org:Identifier"], "name": row["Recipient Org:Name"]}],
            "fundingOrganization": [{"id": row["Funding Org:Identifier"], "name": row["Funding Org:Name"]}],
            "beneficiaryLocation": [{"name": row["Beneficiary Location:Name"], "geoCode": row["Beneficiary Location:Geographic Code"],
                                     "geoCodeType": row["Beneficiary Location:Geographic Code Type"]}],
            "grantProgramme": [{"code": row["Grant Programme:Code"], "title": row["Grant Programme:Title"]}],
        }
        if row["Recipient Org:Charity Number"]:
            grant["recipientOrganization"][0]["charityNumber"] = row["Recipient Org:Charity Number"]
        grants.append(grant)
    return {"grants": grants}


def write_json(data: dict, path: Path) -> Path:
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def write_xlsx(frame: pd.DataFrame, path: Path) -> Path:
    """A workbook as a person saves one: amounts as numbers, dates as dates, on a sheet called grants."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "grants"
    sheet.append(list(frame.columns))
    for values in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, values):
            if column == "Amount Awarded" and value:
                cells.append(float(value))
            elif column == "Award Date" and value:
                cells.append(dt.datetime.fromisoformat(value))
            else:
                cells.append(value or None)
        sheet.append(cells)
    book.save(path)
    return path


def counts(store) -> dict:
    stats = graph.stats(store)
    return {k: v for kind in stats.values() for k, v in kind.items() if v}


def rejected(store, path: Path) -> list:
    """Load expecting rejection; the store must be left as it was (empty)."""
    with pytest.raises(InvalidRecords) as info:
        ingest.load(store, ingest.READERS["360giving"](path))
    assert counts(store) == {}, "something was written"
    return info.value.problems


def the_problem(problems, file, row, column):
    found = [p for p in problems if (p.file, p.row, p.column) == (file, row, column)]
    assert len(found) == 1, f"no single problem at {file} {row} {column}:\n" + "\n".join(map(str, problems))
    return found[0]


# ---------------------------------------------------------------------------------- the real file


def test_the_trafford_csv_gives_one_funder_323_recipients_and_555_grants(store):
    written = ingest.load(store, ingest.READERS["360giving"](CSV))
    assert written["nodes"] == {"Organisation": 324, "Territory": 1, "Source": 1}
    assert written["relationships"] == {"FUNDS": 555, "COVERS": 323}
    assert counts(store) == {"Organisation": 324, "Territory": 1, "Source": 1, "FUNDS": 555, "COVERS": 323}
    total = store.run("MATCH (:Organisation {id: 'GB-LAE-TRF'})-[g:FUNDS]->() RETURN sum(g.amount) AS total, count(g) AS n")
    assert total[0]["n"] == 555
    assert total[0]["total"] == pytest.approx(TOTAL)
    funder = store.run("MATCH (o:Organisation {id: 'GB-LAE-TRF'}) RETURN o.name AS name, o.sector AS sector, o.identifiers AS ids")
    assert funder == [{"name": "Trafford Metropolitan Borough Council", "sector": "local_authority",
                       "ids": ["orgid:GB-LAE-TRF", "gss:E08000009"]}]
    place = store.run("MATCH (t:Territory) RETURN t.id AS id, t.name AS name, t.level AS level, t.source AS source")
    assert place == [{"id": "E08000009", "name": "Trafford", "level": "metropolitan_district", "source": f"360giving:{CSV_NAME}"}]
    covered = store.run("MATCH (o:Organisation)-[:COVERS]->(:Territory {id: 'E08000009'}) RETURN count(DISTINCT o) AS n")
    assert covered[0]["n"] == 323  # every recipient; the council funds but is not a beneficiary


def test_a_grant_keeps_its_fields_and_the_row_it_came_from(store):
    ingest.load(store, ingest.READERS["360giving"](CSV))
    grant = store.run(
        "MATCH (f:Organisation)-[g:FUNDS {grant: '360G-traffordmbc-VSG1343'}]->(r:Organisation) "
        "RETURN f.id AS funder, r.id AS recipient, r.name AS name, g.amount AS amount, g.currency AS currency, "
        "g.award_date AS award_date, g.programme AS programme, g.title AS title, g.locations AS locations, "
        "g.source AS source, g.source_row AS source_row"
    )
    assert grant == [{
        "funder": "GB-LAE-TRF", "recipient": "360G-trafford-be_active", "name": "Be Active", "amount": 3028.63,
        "currency": "GBP", "award_date": dt.date(2013, 1, 18), "programme": "Voluntary Sector Grants",
        "title": "Voluntary Sector Grant to Be Active", "locations": ["E08000009"],
        "source": f"360giving:{CSV_NAME}", "source_row": f"{CSV_NAME} row 3",
    }]


def test_repeat_grants_to_one_recipient_stay_distinct_and_the_latest_name_wins(store):
    ingest.load(store, ingest.READERS["360giving"](CSV))
    grants = store.run(
        "MATCH (:Organisation {id: 'GB-LAE-TRF'})-[g:FUNDS]->(:Organisation {id: 'GB-COH-07597525'}) "
        "RETURN count(g) AS n, sum(g.amount) AS total"
    )
    assert grants[0]["n"] == 13
    assert grants[0]["total"] == pytest.approx(57_648.63)
    centre = store.run("MATCH (o:Organisation {id: 'GB-COH-07597525'}) RETURN o.name AS name, o.aliases AS aliases, "
                       "o.identifiers AS ids, o.sector AS sector, o.source_row AS source_row")[0]
    assert centre["name"] == "St. John's Centre (Old Trafford Hub)"
    assert sorted(centre["aliases"]) == ["ESOL group at St. John's Centre", "St John's Centre", "St Johns Centre", "St. John's Centre"]
    assert centre["ids"] == ["orgid:GB-COH-07597525", "charity:1146058", "company:07597525"]
    assert centre["sector"] == "vcse"  # a company with a charity number
    assert centre["source_row"] == f"{CSV_NAME} row 554"


@pytest.mark.parametrize(("org_id", "sector"), [
    ("GB-CHC-1110767", "vcse"),                      # G-Force: a registered charity, whatever its name
    ("GB-COH-07962245", "vcse"),                     # Cyril Flint Befrienders: company with a charity number
    ("360G-trafford-altrincham_childrens_choir", "vcse"),  # an unregistered group whose name says so
    ("360G-trafford-be_active", "other"),            # nothing in the id or the name to go on
])
def test_sectors_come_from_the_org_id_and_what_the_name_says(store, org_id, sector):
    ingest.load(store, ingest.READERS["360giving"](CSV))
    assert store.run("MATCH (o:Organisation {id: $id}) RETURN o.sector AS s", {"id": org_id}) == [{"s": sector}]


def test_ingesting_twice_changes_nothing_and_a_dropped_grant_is_removed(store, tmp_path):
    first = ingest.load(store, ingest.READERS["360giving"](CSV))
    before = counts(store)
    second = ingest.load(store, ingest.READERS["360giving"](CSV))
    assert counts(store) == before
    assert second["nodes"] == first["nodes"] and second["relationships"] == first["relationships"]
    assert second["removed"]["facts"] == 0
    # The same file (same name, so the same source) without its last grant (row 556, Age UK Trafford),
    # from another folder: it replaces the first only when asked to.
    fewer = write_csv(rows().iloc[:-1], tmp_path / CSV_NAME)
    with pytest.raises(InvalidRecords, match="--replace"):
        ingest.load(store, ingest.READERS["360giving"](fewer))
    third = ingest.load(store, ingest.READERS["360giving"](fewer), replace=True)
    assert third["removed"]["facts"] == 1
    assert counts(store)["FUNDS"] == 554


# ---------------------------------------------------------------------------------- JSON and XLSX


def test_a_json_package_slice_gives_the_same_grants_as_the_csv_rows(store, tmp_path):
    path = write_json(package(20), tmp_path / "trafford.json")
    written = ingest.load(store, ingest.READERS["360giving"](path))
    assert written["relationships"] == {"FUNDS": 20, "COVERS": 19}
    assert written["nodes"]["Organisation"] == 20  # 19 recipients and the council
    total = store.run("MATCH ()-[g:FUNDS]->() RETURN sum(g.amount) AS total")[0]["total"]
    assert total == pytest.approx(58_450.28)
    first = store.run("MATCH ()-[g:FUNDS {grant: '360G-traffordmbc-VSG1342'}]->() RETURN g.source_row AS row, g.amount AS amount")
    assert first == [{"row": "trafford.json#/grants/0", "amount": 2266.0}]


def test_the_real_json_package_reads_like_the_csv():
    items = list(giving.read(Path("/work/shared/data/trafford-vcs-grants-360giving/trafford_council_voluntary_sector_grants.json")))
    if not items or getattr(items[0], "reason", "") == "no such file":
        pytest.skip("the shared data folder is not here")
    sizes = {getattr(i, "label", getattr(i, "type", None)): len(i.frame) for i in items if hasattr(i, "frame")}
    assert sizes == {"Source": 1, "Organisation": 324, "Territory": 1, "FUNDS": 555, "COVERS": 323}


def test_an_xlsx_slice_reads_like_the_csv_rows(store, tmp_path):
    path = write_xlsx(rows(20), tmp_path / "trafford.xlsx")
    written = ingest.load(store, ingest.READERS["360giving"](path))
    assert written["relationships"] == {"FUNDS": 20, "COVERS": 19}
    grant = store.run("MATCH ()-[g:FUNDS {grant: '360G-traffordmbc-VSG1343'}]->() "
                      "RETURN g.amount AS amount, g.award_date AS award_date, g.source_row AS row")
    assert grant == [{"amount": 3028.63, "award_date": dt.date(2013, 1, 18), "row": "trafford.xlsx[grants] row 3"}]


def _grants(store) -> list[dict]:
    return store.run("MATCH (f)-[g:FUNDS]->(r) RETURN f.id AS funder, r.id AS recipient, g.id AS id, g.amount AS amount, "
                     "g.award_date AS award_date, g.currency AS currency, g.title AS title ORDER BY id")


def test_a_spreadsheets_midnight_date_cells_are_date_times_and_it_gives_the_json_s_grants(tmp_path):
    frame = rows(12)
    frame["Last modified"] = "2020-06-11"  # typed into Excel as a date: a date cell at midnight
    book = write_xlsx(frame, tmp_path / "funder.xlsx")
    workbook = openpyxl.load_workbook(book)
    sheet = workbook["grants"]
    column = list(frame.columns).index("Last modified") + 1
    for row in range(2, 14):
        sheet.cell(row, column).value = dt.datetime(2020, 6, 11)
    workbook.save(book)
    # As 360Giving's converter (flatten-tool) reads that cell: a date-time, which dateModified must be.
    assert giving_format.excel_date_time(dt.datetime(2020, 6, 11)) == "2020-06-11T00:00:00+00:00"
    data = package(12)
    for grant in data["grants"]:
        grant["dateModified"] = "2020-06-11T00:00:00+00:00"
    published = write_json(data, tmp_path / "funder.json")
    found = []
    for path in (book, published):
        with graph.open_store(tmp_path / f"db-{path.suffix[1:]}") as store:
            items = list(giving.read(path))
            assert not [i for i in items if isinstance(i, ReadWarning)], path
            ingest.load(store, items)
            found.append(_grants(store))
    assert found[0] == found[1] and len(found[0]) == 12


def test_flat_column_titles_map_to_grant_fields():
    assert giving_format.flat_path("Recipient Org:Identifier") == (("recipientOrganization", 0, "id"), "string")
    assert giving_format.flat_path("Amount Awarded") == (("amountAwarded",), "number")
    assert giving_format.flat_path("Beneficiary Location:1:Geographic Code") == (("beneficiaryLocation", 1, "geoCode"), "string")
    assert giving_format.flat_path("Last modified") == (("dateModified",), "string")  # titles match case-insensitively
    assert giving_format.flat_path("Related Activity") == (("relatedActivity",), "list")
    assert giving_format.flat_path("Our own notes") is None  # extra columns are allowed and ignored


# ---------------------------------------------------------------------------------- broken files


def test_a_missing_amount_a_non_number_and_a_bad_date_are_each_named(store, tmp_path):
    frame = rows(6)
    frame.loc[0, "Amount Awarded"] = ""              # row 2
    frame.loc[1, "Amount Awarded"] = "£3,028.63"     # row 3
    frame.loc[2, "Award Date"] = "January 2013"      # row 4
    frame.loc[3, "Award Date"] = "2013-02-30"        # row 5
    frame.loc[4, "Currency"] = "UKP"                 # row 6
    frame.loc[5, "Award Date"] = "18/01/2013"        # row 7: day first, as UK publishers write it
    path = write_csv(frame, tmp_path / "broken.csv")
    problems = rejected(store, path)
    assert "required" in the_problem(problems, "broken.csv", 2, "Amount Awarded").reason
    bad_number = the_problem(problems, "broken.csv", 3, "Amount Awarded")
    assert (bad_number.value, bad_number.reason) == ("£3,028.63", "not a number")
    assert "YYYY-MM-DD" in the_problem(problems, "broken.csv", 4, "Award Date").reason
    assert "calendar" in the_problem(problems, "broken.csv", 5, "Award Date").reason
    currency = the_problem(problems, "broken.csv", 6, "Currency")
    assert currency.value == "UKP" and "currency" in currency.reason
    assert len(problems) == 5  # row 7 is read: 2013-01-18


def test_a_day_first_date_is_read_as_such_with_a_warning(store, tmp_path):
    frame = rows(2)
    frame.loc[0, "Award Date"] = "18/01/2013"
    frame.loc[1, "Award Date"] = "05/06/2014"
    path = write_csv(frame, tmp_path / "uk-dates.csv")
    items = list(giving.read(path))
    warnings = [i.problem for i in items if isinstance(i, ReadWarning)]
    assert [(w.row, w.column, w.value) for w in warnings] == [(2, "Award Date", "18/01/2013"), (3, "Award Date", "05/06/2014")]
    ingest.load(store, items)
    dates = store.run("MATCH ()-[g:FUNDS]->() RETURN g.award_date AS d ORDER BY d")
    assert [str(row["d"]) for row in dates] == ["2013-01-18", "2014-06-05"]  # 5 June, not 6 May


def test_a_missing_column_is_reported_once_not_on_every_row(store, tmp_path):
    path = write_csv(rows(50).drop(columns=["Amount Awarded"]), tmp_path / "nocolumn.csv")
    problems = rejected(store, path)
    assert len(problems) == 1
    assert (problems[0].row, problems[0].column) == (1, "Amount Awarded")
    assert "missing" in problems[0].reason


def test_a_missing_recipient_id_is_named(store, tmp_path):
    frame = rows(3)
    frame.loc[1, "Recipient Org:Identifier"] = ""
    problems = rejected(store, write_csv(frame, tmp_path / "norecipient.csv"))
    assert "required" in the_problem(problems, "norecipient.csv", 3, "Recipient Org:Identifier").reason


def test_a_repeated_grant_identifier_is_named_with_the_first_row(store, tmp_path):
    frame = rows(4)
    frame.loc[3, "Identifier"] = frame.loc[1, "Identifier"]
    problems = rejected(store, write_csv(frame, tmp_path / "twice.csv"))
    problem = the_problem(problems, "twice.csv", 5, "Identifier")
    assert problem.value == "360G-traffordmbc-VSG1343"
    assert "twice.csv row 3" in problem.reason
    assert len(problems) == 1


def test_json_problems_name_the_pointer_and_field(store, tmp_path):
    data = package(4)
    data["grants"][1]["amountAwarded"] = "lots"
    del data["grants"][2]["awardDate"]
    data["grants"][3]["recipientOrganization"][0]["id"] = 42
    problems = rejected(store, write_json(data, tmp_path / "bad.json"))
    assert the_problem(problems, "bad.json", "/grants/1", "amountAwarded").value == "lots"
    assert "required" in the_problem(problems, "bad.json", "/grants/2", "awardDate").reason
    assert the_problem(problems, "bad.json", "/grants/3", "recipientOrganization/0/id").reason == "not text"


def test_a_grant_missing_several_fields_names_each_once(store, tmp_path):
    path = tmp_path / "thin.json"
    path.write_text('{"grants": [7, {"id": "360G-x-1", "currency": "GBP"}]}')
    problems = rejected(store, path)
    # description is required by 360Giving too, but partnermap does not read it: a warning, not a problem.
    assert [(p.row, p.column, p.reason) for p in problems] == [("/grants/0", None, "not an object")] + [
        ("/grants/1", field, "a value is required")
        for field in ("title", "amountAwarded", "awardDate", "recipientOrganization", "fundingOrganization")
    ]


def test_a_truncated_json_file_is_one_clear_problem(store, tmp_path):
    text = json.dumps(package(10), indent=2)
    path = tmp_path / "cut.json"
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    problems = rejected(store, path)
    assert len(problems) == 1 and problems[0].fatal
    assert "not valid JSON" in problems[0].reason and "truncated" in problems[0].reason


@pytest.mark.parametrize(("content", "words"), [
    ('[{"id": "x"}]', "not a 360Giving package"),
    ('{"grants": []}', "at least 1"),
])
def test_what_is_not_a_package_says_so(store, tmp_path, content, words):
    path = tmp_path / "odd.json"
    path.write_text(content)
    problems = rejected(store, path)
    assert any(words in p.reason for p in problems), problems


def test_a_broken_workbook_is_reported(store, tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    problems = rejected(store, path)
    assert "not a readable XLSX workbook" in problems[0].reason


# ---------------------------------------------------------------------------------- no network


def test_schema_refs_resolve_locally_with_the_network_cut(monkeypatch, tmp_path):
    def refuse(*args, **kwargs):
        raise AssertionError("the reader tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    giving_format.schemas.cache_clear()
    giving_format.validators.cache_clear()
    items = list(giving.read(write_json(package(3), tmp_path / "offline.json")))
    assert [i for i in items if not hasattr(i, "frame")] == []
    # A $ref to anywhere else is refused rather than fetched.
    registry = giving_format.schemas()[2]
    with pytest.raises(Unretrievable) as info:
        registry.get_or_retrieve("https://example.org/other-schema.json")
    assert "refusing to fetch" in str(info.value.__cause__)


# ---------------------------------------------------------------------------------- query and CLI


def test_the_funding_query_says_who_funds_whom_with_totals(store):
    ingest.load(store, ingest.READERS["360giving"](CSV))
    rows_ = graph.run_query(store, "funding", {"territory": "E08000009"})
    assert len(rows_) == 323
    centre = next(r for r in rows_ if r["recipient"] == "GB-COH-07597525")
    assert (centre["funder"], centre["grants"], centre["currencies"]) == ("GB-LAE-TRF", 13, ["GBP"])
    assert centre["total"] == pytest.approx(57_648.63)
    assert centre["funder_total"] == pytest.approx(TOTAL)
    assert (centre["first_award"], centre["last_award"]) == (dt.date(2013, 6, 29), dt.date(2024, 5, 21))
    assert len(centre["source_rows"]) == 13
    assert rows_[0]["recipient"] == "GB-COH-05384301"  # Age UK Trafford: the largest total, £66,797.40
    assert graph.run_query(store, "funding", {"territory": "E07000129"}) == []  # Blaby: no grants there
    everywhere = graph.run_query(store, "funding", {})
    unfunded = [r for r in everywhere if r["funder"] is None]
    assert [r["recipient"] for r in unfunded] == ["GB-LAE-TRF"]  # the council gives but receives nothing


def test_the_cli_ingests_and_reports_problems(tmp_path):
    runner = CliRunner()
    db = str(tmp_path / "graph")
    done = runner.invoke(app, ["--db", db, "ingest", "360giving", str(CSV)])
    assert done.exit_code == 0, done.output
    assert "FUNDS" in done.stdout and "555" in done.stdout
    frame = rows(3)
    frame.loc[0, "Amount Awarded"] = "lots"
    bad = runner.invoke(app, ["--db", str(tmp_path / "other"), "ingest", "360giving", str(write_csv(frame, tmp_path / "bad.csv"))])
    assert bad.exit_code == 2
    assert "bad.csv, row 2, column 'Amount Awarded': value 'lots': not a number" in bad.output
    assert "nothing was written" in bad.output
