"""The register template: generated from the model, read back with openpyxl (and LibreOffice when installed)."""

from __future__ import annotations

import io
import shutil
import subprocess

import openpyxl
import pytest

import graph
import ingest
from ontology import load_model
from viz.register_workbook import workbook_bytes

MODEL = load_model()
# By hand from README "The register": the Leicestershire county and two of its districts.
PLACES = [{"code": "E10000018", "name": "Leicestershire", "level": "county", "parent": None},
          {"code": "E07000129", "name": "Blaby", "level": "district", "parent": "E10000018"},
          {"code": "E07000130", "name": "Charnwood", "level": "district", "parent": "E10000018"}]


@pytest.fixture(scope="module")
def template() -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(workbook_bytes(MODEL)))


@pytest.fixture(scope="module")
def area_template() -> bytes:
    return workbook_bytes(MODEL, places=PLACES)


def _checks(sheet) -> dict[str, object]:
    """The data validation on each column, by header, as openpyxl reads it back."""
    header = {cell.column_letter: cell.value for cell in sheet[1]}
    found = {}
    for check in sheet.data_validations.dataValidation:
        for ranges in check.sqref.ranges:
            found[header[ranges.coord.split(":")[0].rstrip("0123456789")]] = check
    return found


def _listed(book: openpyxl.Workbook, formula: str) -> list[str]:
    """The values of a list validation's range on the hidden lists sheet."""
    sheet_name, cells = formula.split("!")
    first, last = cells.replace("$", "").split(":")
    sheet = book[sheet_name.strip("'")]
    return [row[0].value for row in sheet[f"{first}:{last}"]]


def test_the_instructions_come_first_then_a_sheet_per_file_with_its_header(template):
    assert template.sheetnames == ["Instructions", "territories", "organisations", "partnerships", "memberships",
                                   "strategies", "targets", "services", "lists"]
    assert template["lists"].sheet_state == "hidden"
    assert [c.value for c in template["memberships"][1]] == ["partnership", "organisation", "role", "representative",
                                                              "attendance", "since", "until"]
    note = template["memberships"]["C1"].comment.text
    assert "Required." in note and "chair, vice_chair, member, observer, secretariat" in note
    instructions = [c.value for row in template["Instructions"].iter_rows() for c in row if c.value]
    assert "The partnership register" in instructions and "sector" in instructions


def test_every_controlled_column_offers_exactly_its_values(template):
    checks = _checks(template["organisations"])
    assert _listed(template, checks["sector"].formula1) == [
        "local_authority", "nhs", "police", "probation", "fire", "vcse", "housing", "education", "government",
        "business", "other"]
    assert _listed(template, _checks(template["partnerships"])["statutory"].formula1) == ["yes", "no"]
    for name, file in MODEL.register.items():
        checks = _checks(template[name])
        for column in file.columns.values():
            if column.vocabulary:
                assert checks[column.name].type == "list", (name, column.name)
                assert _listed(template, checks[column.name].formula1) == list(MODEL.vocabularies[column.vocabulary])


def test_every_reference_column_offers_the_ids_of_the_sheets_it_names(template):
    checks = _checks(template["memberships"])
    assert checks["partnership"].formula1 == "'partnerships'!$A$2:$A$5001"
    assert checks["organisation"].formula1 == "'organisations'!$A$2:$A$5001"
    owner = _checks(template["strategies"])["owner"]
    assert owner.type == "custom" and "'partnerships'!$A$2:$A$5001" in owner.formula1 \
        and "'organisations'!$A$2:$A$5001" in owner.formula1
    assert _checks(template["territories"])["parent"].formula1 == "'territories'!$A$2:$A$5001"
    for name, file in MODEL.register.items():
        checks = _checks(template[name])
        for column in file.columns.values():
            if column.refers:
                assert column.name in checks, (name, column.name)


def test_date_columns_are_dates_and_numbers_are_checked(template):
    sheet = template["memberships"]
    checks = _checks(sheet)
    assert checks["since"].type == "date" and checks["until"].type == "date"
    assert sheet.column_dimensions["F"].number_format == "yyyy-mm-dd"
    assert (checks["attendance"].type, checks["attendance"].formula1, checks["attendance"].formula2) == ("decimal", "0", "1")
    meetings = _checks(template["partnerships"])["meetings_per_year"]
    assert (meetings.type, meetings.formula1, meetings.formula2) == ("whole", "0", "365")


def test_an_area_fills_the_territories_sheet_and_the_territory_lists(area_template):
    book = openpyxl.load_workbook(io.BytesIO(area_template))
    rows = [[c.value for c in row] for row in book["territories"].iter_rows(min_row=2)]
    assert rows == [["E10000018", "Leicestershire", "county", None], ["E07000129", "Blaby", "district", "E10000018"],
                    ["E07000130", "Charnwood", "district", "E10000018"]]
    territory = _checks(book["organisations"])["territory"]
    assert _listed(book, territory.formula1) == ["E10000018", "E07000129", "E07000130"]


def test_the_area_template_ingests_as_it_is(area_template, tmp_path):
    (tmp_path / "register.xlsx").write_bytes(area_template)
    with graph.open_store(tmp_path / "db") as store:
        ingest.load(store, ingest.READERS["register"](tmp_path / "register.xlsx"))
        assert graph.stats(store)["nodes"]["Territory"] == 3 and graph.stats(store)["relationships"]["PART_OF"] == 2


def test_libreoffice_opens_the_template(area_template, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: the template is checked with openpyxl only")
    (tmp_path / "register.xlsx").write_bytes(area_template)
    # The first sheet as UTF-8 CSV (filter options 44,34,76: comma, double quote, UTF-8), and the
    # workbook saved again by LibreOffice as xlsx: every drop-down list survives its reading.
    subprocess.run([soffice, "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir",
                    str(tmp_path), str(tmp_path / "register.xlsx")], check=True, timeout=120, capture_output=True)
    assert (tmp_path / "register.csv").read_text(encoding="utf-8").startswith("The partnership register")
    saved = tmp_path / "saved"
    subprocess.run([soffice, "--headless", "--convert-to", "xlsx", "--outdir", str(saved), str(tmp_path / "register.xlsx")],
                   check=True, timeout=120, capture_output=True)

    def validations(path):
        book = openpyxl.load_workbook(path)
        return {sheet.title: len(sheet.data_validations.dataValidation) for sheet in book.worksheets}

    assert validations(saved / "register.xlsx") == validations(tmp_path / "register.xlsx")
