"""The model's display hints: how each kind and sector is drawn, and the order of roles, checked at load."""

from __future__ import annotations

import copy
import tomllib

import pytest

from ontology.model import MODEL_FILE, ModelError, load_model, parse_model


def _data() -> dict:
    with MODEL_FILE.open("rb") as handle:
        return tomllib.load(handle)


def test_every_sector_has_its_own_colour_and_the_drawn_kinds_a_shape():
    display = load_model().display
    model = load_model()
    assert set(display.sectors) == set(model.vocabularies["sector"])
    assert len(set(display.sectors.values())) == len(display.sectors)
    assert set(model.labels) - set(display.labels) == {"Source"}  # a source is never drawn as a node
    assert display.role_order[0] == "chair" and set(display.role_order) == set(model.vocabularies["membership_role"])


@pytest.mark.parametrize("change, message", [
    (lambda d: d["display"]["labels"].update(Parish={"shape": "dot", "colour": "#000000"}), "display.labels.Parish: unknown label"),
    (lambda d: d["display"]["sectors"].update(pharmacy="#123456"), "display.sectors.pharmacy: unknown sector"),
    (lambda d: d["display"]["sectors"].update(nhs="green"), "display.sectors.nhs: colour 'green' is not #rrggbb"),
    (lambda d: d["display"].update(role_order=["chair", "king"]), "display.role_order: unknown roles ['king']"),
])
def test_a_display_hint_naming_what_the_model_lacks_is_refused_at_load(change, message):
    data = copy.deepcopy(_data())
    change(data)
    with pytest.raises(ModelError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_model(data)
