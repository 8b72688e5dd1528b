"""Registers as people save them: Excel's encodings and delimiters, UK dates, percentages, stray cells.

Each test saves a copy of the small register (tests/fixtures/registers/small) the way a person
or a spreadsheet program would, and checks what is read; expected values worked out by hand.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

import ingest
from ingest.batches import ReadWarning
from ingest.values import fraction, pounds, uk_date
from partnermap.errors import InvalidRecords
from tests.api.conftest import workbook_bytes

SMALL = Path(__file__).resolve().parents[1] / "fixtures" / "registers" / "small"


def _rewrite(register: Path, file: str, edit) -> None:
    path = register / file
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8", newline="")


def _save_all(register: Path, encoding: str, delimiter: str = ",") -> None:
    """Every file of the register saved again in ``encoding`` with ``delimiter`` between cells."""
    import csv

    for path in register.glob("*.csv"):
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        out = io.StringIO()
        csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
        path.write_bytes(out.getvalue().encode(encoding))


def _refused(store, source) -> list:
    with pytest.raises(InvalidRecords) as refused:
        ingest.load(store, ingest.READERS["register"](source))
    return refused.value.problems


@pytest.mark.parametrize(("written", "read"), [
    ("01/06/2001", "2001-06-01"), ("1/6/2001", "2001-06-01"), ("01-06-2001", "2001-06-01"), ("1.6.2001", "2001-06-01"),
    ("1 June 2001", "2001-06-01"), ("1st Jun 2001", "2001-06-01"), ("June 1, 2001", "2001-06-01"),
    ("30 Sept 2010", "2010-09-30"), ("31/02/2001", None), ("01/06/01", None), ("2001-06-01", None), ("soon", None),
])
def test_a_date_written_day_first_or_in_words(written, read):
    assert uk_date(written) == read


@pytest.mark.parametrize(("written", "read"), [("92%", "0.92"), ("92 %", "0.92"), ("33.3%", "0.333"), ("100%", "1"),
                                                ("0.92", None), ("92", None), ("%", None)])
def test_a_percentage_is_a_fraction(written, read):
    assert fraction(written) == read


@pytest.mark.parametrize(("written", "read"), [("£25,000", "25000"), ("£ 12500.50", "12500.50"),
                                                ("£12,500,000.5", "12500000.5"), ("£1,00", None), ("25000", None),
                                                ("£-5", None), ("£", None)])
def test_an_amount_in_pounds_is_its_number(written, read):
    assert pounds(written) == read


def test_windows_1252_with_pounds_and_accents_is_read(register_copy, store):
    _rewrite(register_copy, "organisations.csv", lambda t: t.replace("Helping Hands Trust", "Helping Hands Café £1 Club"))
    _save_all(register_copy, "cp1252")  # Excel's plain "CSV" choice on Windows
    items = list(ingest.READERS["register"](register_copy))
    warnings = [i.problem for i in items if isinstance(i, ReadWarning)]
    # The other files hold nothing but ASCII, which is UTF-8 too.
    assert [(w.file, w.reason.split(" (")[0]) for w in warnings] == [("organisations.csv", "not UTF-8: read as Windows-1252")]
    ingest.load(store, items)
    assert store.run("MATCH (o:Organisation {id: 'helping-hands'}) RETURN o.name AS name") == [
        {"name": "Helping Hands Café £1 Club"}]


@pytest.mark.parametrize(("encoding", "delimiter"), [("utf-16", "\t"), ("utf-8-sig", ";"), ("utf-8", "\t")],
                         ids=["excel-unicode-text", "semicolons", "tabs"])
def test_other_encodings_and_delimiters_are_read(register_copy, store, encoding, delimiter):
    _save_all(register_copy, encoding, delimiter)
    ingest.load(store, ingest.READERS["register"](register_copy))
    rows = store.run("MATCH (o:Organisation)-[m:MEMBER_OF]->(:Partnership {id: 'shire-together'}) "
                     "WHERE o.id = 'shire-police' RETURN m.attendance AS attendance, m.representative AS post")
    # "Leader of the Council; Chair" style cells keep their own semicolons: only the delimiter splits cells.
    assert rows == [{"attendance": 0.75, "post": "Chief Constable"}]


def test_uk_dates_and_percentages_are_read_as_the_model_holds_them(register_copy, store):
    _rewrite(register_copy, "memberships.csv", lambda t: t.replace(
        "shire-together,shire-cc,chair,Leader of the Council,0.9,2001-06-01,",
        "shire-together,shire-cc,chair,Leader of the Council,90%,01/06/2001,31 March 2011"))
    _rewrite(register_copy, "strategies.csv", lambda t: t.replace("2008-04-01,2011-03-31", "1 April 2008,31/03/2011"))
    ingest.load(store, ingest.READERS["register"](register_copy))
    member = store.run("MATCH (:Organisation {id: 'shire-cc'})-[m:MEMBER_OF {role: 'chair'}]->() "
                       "RETURN m.attendance AS a, m.since AS since, m.until AS until")
    assert member == [{"a": 0.9, "since": dt.date(2001, 6, 1), "until": dt.date(2011, 3, 31)}]
    plan = store.run("MATCH (s:Strategy {id: 'safer-plan'}) RETURN s.start AS start, s.`end` AS finish")
    assert plan == [{"start": dt.date(2008, 4, 1), "finish": dt.date(2011, 3, 31)}]


def test_empty_trailing_columns_and_rows_are_ignored(register_copy, store):
    # Excel writes ",," to the end of the range it thinks used, and empty rows under the data.
    for path in register_copy.glob("*.csv"):
        lines = path.read_text(encoding="utf-8").splitlines()
        path.write_text("\n".join(line + ",," for line in lines) + "\n,,,,\n\n,,\n", encoding="utf-8")
    written = ingest.load(store, ingest.READERS["register"](register_copy))
    assert written["relationships"]["MEMBER_OF"] == 8  # the eight rows of memberships.csv, no more


def test_a_row_longer_than_the_header_is_refused_naming_row_and_delimiter(register_copy, store):
    _rewrite(register_copy, "organisations.csv", lambda t: t.replace("Blaby Homes,housing", "Blaby Homes,housing,extra"))
    [problem] = _refused(store, register_copy)
    assert (problem.file, problem.row) == ("organisations.csv", 3)
    assert problem.reason.startswith("row has 7 cells, the header has 6 (cells separated by commas")


def test_a_value_under_no_header_is_refused_naming_the_column(register_copy, store):
    _rewrite(register_copy, "targets.csv", lambda t: re.sub(r"(?m)$", ",", t).replace("Health;Substance misuse,", "Health;Substance misuse,note"))
    [problem] = _refused(store, register_copy)
    assert (problem.file, problem.row, problem.column, problem.value) == ("targets.csv", 2, "column E", "note")


def test_a_control_character_is_refused_naming_row_and_column(register_copy, store):
    _rewrite(register_copy, "partnerships.csv", lambda t: t.replace("Shire Together", "Shire\x00Together"))
    [problem] = _refused(store, register_copy)
    assert (problem.file, problem.row, problem.column) == ("partnerships.csv", 2, "name")
    assert problem.reason.startswith("holds a control character (U+0000)")


def _workbook_with_formula(tmp_path: Path, cached: str | None) -> Path:
    """The small register as a workbook whose first attendance cell is a formula, with or without its saved value."""
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(SMALL)))
    sheet = book["memberships"]
    assert sheet["E1"].value == "attendance"
    sheet["E2"] = "=0.5+0.4"  # openpyxl stores formulas without a value, as some generators do
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    if cached is not None:  # what a spreadsheet program writes: the formula and the value it last calculated
        source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
            for item in source.infolist():
                content = source.read(item)
                if item.filename.startswith("xl/worksheets/") and b"<f>0.5+0.4</f>" in content:
                    content = content.replace(b"<f>0.5+0.4</f><v></v>", b"<f>0.5+0.4</f>").replace(
                        b"<f>0.5+0.4</f>", b"<f>0.5+0.4</f><v>" + cached.encode() + b"</v>")
                out.writestr(item, content)
        data = target.getvalue()
    path = tmp_path / "register.xlsx"
    path.write_bytes(data)
    return path


def test_a_formula_without_a_saved_value_is_refused_naming_the_cell(tmp_path, store):
    [problem] = _refused(store, _workbook_with_formula(tmp_path, None))
    assert (problem.file, problem.row, problem.column, problem.value) == ("register.xlsx[memberships]", 2, "attendance", "=0.5+0.4")
    assert problem.reason.startswith("cell E2 is a formula with no saved value")


def test_a_formula_with_its_saved_value_is_read_as_that_value(tmp_path, store):
    ingest.load(store, ingest.READERS["register"](_workbook_with_formula(tmp_path, "0.9")))
    rows = store.run("MATCH (:Organisation {id: 'shire-cc'})-[m:MEMBER_OF {role: 'chair'}]->() RETURN m.attendance AS a")
    assert rows == [{"a": 0.9}]
