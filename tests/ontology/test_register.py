"""The register's files and columns are data in the model, checked at load and kept in step with the README."""

from __future__ import annotations

import copy
import re
import tomllib
from pathlib import Path

import pytest

from ontology.model import MODEL_FILE, ModelError, load_model, parse_model

README = Path(__file__).resolve().parents[2] / "README.md"


def _data() -> dict:
    with MODEL_FILE.open("rb") as handle:
        return tomllib.load(handle)


def _readme_table() -> dict[str, list[tuple[str, bool]]]:
    """The README's table of register files: per file, its columns in order, each with whether it is bold (required)."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## The register"):]
    table = {}
    for line in section.splitlines():
        found = re.match(r"^\| `(\w+)\.csv` \| (.*) \|$", line)
        if not found:
            continue
        # Column names are the words before any parenthesis, separated by top-level commas.
        cells = re.sub(r"\([^)]*\)", "", found.group(2))
        table[found.group(1)] = [(cell.strip().strip("*").strip(), cell.strip().startswith("**"))
                                 for cell in cells.split(",")]
    return table


def test_the_readme_table_lists_the_models_files_and_columns_with_the_required_ones_in_bold():
    expected = {name: [(column, spec.required) for column, spec in file.columns.items()]
                for name, file in load_model().register.items()}
    assert _readme_table() == expected


def test_the_register_is_the_seven_files_a_manager_fills_in_three_of_them_required():
    register = load_model().register
    assert list(register) == ["territories", "organisations", "partnerships", "memberships", "strategies", "targets",
                              "services"]
    assert [name for name, file in register.items() if file.required] == ["territories", "organisations", "partnerships"]
    assert register["memberships"].key is None and register["memberships"].relationship == "MEMBER_OF"
    assert register["territories"].key == "code"
    # Every controlled column names the vocabulary the model's property has.
    model = load_model()
    for file in register.values():
        owners = [model.label(label) for label in file.labels] or [model.relationship(file.relationship)]
        for column in file.columns.values():
            if column.property:
                assert column.vocabulary == owners[0].properties[column.property].vocabulary, (file.name, column.name)


@pytest.mark.parametrize("change, message", [
    (lambda d: d["register"]["territories"]["columns"]["level"].update(vocabulary="tiers"),
     "register.territories.columns.level: unknown vocabulary 'tiers'"),
    (lambda d: d["register"]["organisations"]["columns"]["sector"].update(property="colour"),
     "register.organisations.columns.sector: property 'colour' is not one of the file's"),
    (lambda d: d["register"]["strategies"]["columns"]["owner"].update(refers=["boards"]),
     "register.strategies.columns.owner: refers to 'boards', not a file of nodes"),
    (lambda d: d["register"]["services"]["columns"]["type"].update(type="money"),
     "register.services.columns.type: type 'money' is not one of"),
    (lambda d: d["register"]["targets"]["columns"]["owner"].pop("note"),
     "register.targets.columns.owner: needs a note"),
    (lambda d: d["register"]["memberships"]["columns"]["partnership"].pop("end"),
     "register.memberships.columns.partnership: needs the relationship it makes"),
])
def test_a_register_column_naming_what_the_model_lacks_is_refused_at_load(change, message):
    data = copy.deepcopy(_data())
    change(data)
    with pytest.raises(ModelError, match=re.escape(message)):
        parse_model(data)
