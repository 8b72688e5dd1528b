"""How Popolo's free-text ``classification`` of an organization maps to the model, kept as data.

``popolo.csv`` has one row per classification: the label it becomes and the value of that
label's controlled property (an Organisation's ``sector``, a Partnership's or Forum's ``kind``).
Reading, every row counts (several classifications may give one value: a publisher's
``party`` and ``council``); writing, the first row for a label's value is the one written, so a
partnermap export reads back to the same labels and values. Extend the file, not the code.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ontology.model import load_model

CLASSIFICATIONS = Path(__file__).with_name("popolo.csv")


@dataclass(frozen=True)
class Classification:
    """One Popolo classification: the label it maps to and the value of that label's property."""

    classification: str
    label: str
    property: str
    value: str


@cache
def classifications() -> tuple[Classification, ...]:
    """Every row of ``popolo.csv``, checked against the model (labels, properties and vocabularies)."""
    model = load_model()
    rows = []
    with CLASSIFICATIONS.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            found = Classification(row["classification"].strip().casefold(), row["label"].strip(),
                                   row["property"].strip(), row["value"].strip())
            prop = model.label(found.label).properties.get(found.property)
            if prop is None or prop.vocabulary is None or found.value not in model.vocabularies[prop.vocabulary]:
                raise ValueError(f"{CLASSIFICATIONS.name} line {line}: {found.label}.{found.property} = {found.value!r} "
                                 "is not a controlled value of the model")
            rows.append(found)
    return tuple(rows)


def classification_of(label: str, value: str | None) -> str | None:
    """The classification written for a node of ``label`` whose controlled property is ``value``."""
    for row in classifications():
        if row.label == label and row.value == value:
            return row.classification
    for row in classifications():  # a Forum of another kind is written as the partnership kind it has
        if row.property == "kind" and row.value == value and label in ("Partnership", "Forum"):
            return row.classification
    return None


def read_classification(classification: str | None) -> Classification | None:
    """What a classification read from a Popolo file maps to (case and spacing ignored), or None."""
    wanted = " ".join(str(classification or "").split()).casefold()
    return next((row for row in classifications() if row.classification == wanted), None)


__all__ = ["CLASSIFICATIONS", "Classification", "classification_of", "classifications", "read_classification"]
