"""Typing whole columns gives exactly what typing one value at a time gives: values and problems."""

from __future__ import annotations

import pandas as pd
import pytest

from ingest.batches import ROW
from ingest.validate import _COLUMNWISE, _typed
from ontology import load_model

MODEL = load_model()
CASES = {
    "date": (MODEL.relationship("MEMBER_OF").properties["since"],
             ["2020-01-01", " 2020-01-31 ", "", None, "2020-02-30", "2020-13-01", "1/2/2020", "2020-1-1", "x", "0000-01-01"]),
    "float": (MODEL.relationship("MEMBER_OF").properties["attendance"],
              ["0.5", "1", "0", "", None, "1.5", "-0.1", "x", "nan", "inf", " 0.25 ", "1e-1"]),
    "integer": (MODEL.label("Partnership").properties["meetings_per_year"],
                ["4", "4.0", "4.5", "", None, "366", "-1", "twelve", "1e2", " 12 "]),
    "boolean": (MODEL.label("Partnership").properties["statutory"],
                ["yes", "Y", "TRUE", "1", "no", "N", "false", "0", "", None, "maybe"]),
}


def test_text_columns_report_rows_as_plain_ints():
    from ingest.validate import _strings

    prop = MODEL.label("Organisation").properties["sector"]
    frame = pd.DataFrame({"value": ["nhs", "shire", ""], ROW: [2, 3, 4]})
    problems: list = []
    typed = _strings(frame, "value", prop, MODEL.vocabularies["sector"], "f.csv", problems)
    assert typed.tolist() == ["nhs", None, None]
    assert [(p.row, p.value) for p in problems] == [(3, "shire"), (4, None)]
    assert all(type(p.row) is int for p in problems)


@pytest.mark.parametrize("kind", CASES)
def test_columnwise_typing_matches_value_by_value(kind):
    prop, values = CASES[kind]
    frame = pd.DataFrame({"value": pd.Series(values, dtype=object), ROW: range(2, len(values) + 2)})
    problems: list = []
    typed = _COLUMNWISE[prop.type](frame, "value", prop, "f.csv", problems)
    expected_values, expected_problems = [], set()
    for row, value in zip(frame[ROW], values):
        result, reason = _typed(value, prop, None)
        expected_values.append(result)
        if reason:
            expected_problems.add((row, reason))
    assert typed.tolist() == expected_values
    assert all(v is None or not isinstance(v, float) or v == v for v in typed)  # a blank is None, never NaN
    assert {(p.row, p.reason) for p in problems} == expected_problems
    assert all(type(p.row) is int for p in problems)  # plain ints: problems go out as JSON from the API


def _register_with_blanks(tmp_path):
    """The sample register, with a required name blanked and spaces around a value, to give problems."""
    import shutil
    from pathlib import Path

    folder = tmp_path / "register"
    shutil.copytree(Path(__file__).resolve().parents[2] / "examples" / "leicestershire", folder)
    organisations = (folder / "organisations.csv").read_text(encoding="utf-8").splitlines()
    header, first, second = organisations[0], organisations[1].split(","), organisations[2].split(",")
    first[header.split(",").index("name")] = "   "
    second[header.split(",").index("name")] = "  Padded Name  "
    organisations[1], organisations[2] = ",".join(first), ",".join(second)
    (folder / "organisations.csv").write_text("\n".join(organisations) + "\n", encoding="utf-8")
    return folder


def test_the_registers_clean_columns_type_as_the_general_path_does(tmp_path, store):
    """The register vouches its cells are trimmed strings; skipping the trim must change nothing."""
    from dataclasses import replace

    import ingest
    from ingest.batches import EdgeBatch, NodeBatch
    from ingest.validate import validate

    items = list(ingest.READERS["register"](_register_with_blanks(tmp_path)))
    batches = [i for i in items if isinstance(i, (NodeBatch, EdgeBatch))]
    assert all(b.clean for b in batches if getattr(b, "label", None) != "Source")  # a Source row per file is not
    answers = []
    for clean in (True, False):
        chosen = [replace(b, clean=clean and b.clean) for b in batches]
        problems: list = []
        nodes, edges = validate([b for b in chosen if isinstance(b, NodeBatch)],
                                [b for b in chosen if isinstance(b, EdgeBatch)], store.model, problems)
        answers.append(([(b.label, b.frame.to_dict("list")) for b in nodes],
                        [(t, a, b, f.to_dict("list")) for t, a, b, f in edges],
                        [(p.file, p.row, p.column, p.value, p.reason) for p in problems]))
    assert answers[0] == answers[1]
    assert [p[2:] for p in answers[0][2]] == [("name", None, "a value is required")]
