"""The glossary of acronyms is data checked against the model, naming the entry at fault."""

import pytest

from ontology import ModelError, load_glossary, load_model
from ontology.glossary import parse_glossary


def test_the_glossary_holds_the_seeds_acronyms_with_what_they_denote():
    glossary = load_glossary()
    for term in ("LSP", "LAA", "PCT", "CSDG", "CB", "ALA", "VCSE", "YOT", "MAPPA", "SP"):
        assert term in glossary, term
    assert glossary["PCT"].expansion == "Primary Care Trust" and glossary["PCT"].sector == "nhs"
    assert glossary["LSP"].kind == "lsp"
    assert glossary["SP"].theme == "supported housing"


@pytest.mark.parametrize(("entry", "message"), [
    ({"expansion": "Primary Care Trust", "sector": "health"}, "terms.'PCT': sector 'health' is not one of"),
    ({"expansion": "Local Strategic Partnership", "kind": "partnership"}, "terms.'PCT': kind 'partnership' is not one of"),
    ({"expansion": "x", "label": "Territory"}, "terms.'PCT': label 'Territory' is not one of"),
    ({"expansion": "x", "label": "Strategy", "sector": "nhs"}, "only organisations have a sector"),
    ({"expansion": "x", "colour": "red"}, "unknown keys ['colour']"),
    ({"sector": "nhs"}, "a term and its expansion are required"),
])
def test_a_bad_entry_is_refused_naming_it(entry, message):
    with pytest.raises(ModelError) as raised:
        parse_glossary({"terms": {"PCT": entry}}, load_model())
    assert message in str(raised.value) and "glossary.toml" in str(raised.value)
