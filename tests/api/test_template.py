"""GET /template.xlsx: the register template over HTTP, no key needed, bounded to areas the store holds."""

from __future__ import annotations

import io

import openpyxl

from api.template import XLSX


def test_the_template_is_an_xlsx_download_for_anyone(client):
    response = client.get("/template.xlsx")
    assert response.status_code == 200 and response.headers["content-type"] == XLSX
    assert response.headers["content-disposition"] == 'attachment; filename="register.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:2] == ["Instructions", "territories"]
    assert book["territories"].max_row == 1  # no area: an empty sheet under its header


def test_an_area_fills_the_territories_sheet_with_its_places(client):
    response = client.get("/template.xlsx", params={"area": "E07000129"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    # By hand from examples/leicestershire/territories.csv: Blaby (its parent, outside it, blank) and its wards.
    assert [[c.value for c in row] for row in book["territories"].iter_rows(min_row=2)] == [
        ["E07000129", "Blaby", "district", None], ["E05015261", "Braunstone Millfield", "ward", "E07000129"],
        ["E05015265", "Enderby", "ward", "E07000129"], ["E05015269", "Glen Parva", "ward", "E07000129"]]


def test_an_unknown_or_malformed_area_is_refused_in_the_one_error_shape(client):
    unknown = client.get("/template.xlsx", params={"area": "E99999999"})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    malformed = client.get("/template.xlsx", params={"area": "E07'000129"})
    assert malformed.status_code == 400 and "error" in malformed.json()
