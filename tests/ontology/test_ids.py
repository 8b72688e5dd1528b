"""Relationship ids: one rule, built from the model, that no name can make ambiguous."""

import pytest

from ontology.ids import parts, relationship_id, relationship_ids, repointed


def test_an_id_is_its_type_ends_and_key():
    assert relationship_id("MEMBER_OF", "lpt", "p-1", "Chief Executive") == "MEMBER_OF|lpt|p-1|Chief Executive"
    assert relationship_id("PART_OF", "E05000001", "E07000129") == "PART_OF|E05000001|E07000129"


def test_the_model_says_how_many_key_values_a_type_takes():
    with pytest.raises(ValueError, match="representative"):
        relationship_id("MEMBER_OF", "lpt", "p-1")
    with pytest.raises(ValueError, match="nothing else"):
        relationship_id("PART_OF", "a", "b", "extra")


def test_separators_in_names_cannot_make_two_facts_one():
    # Without escaping, both would be "MEMBER_OF|a|b|c|" and one fact would overwrite the other.
    first = relationship_id("MEMBER_OF", "a|b", "c", "")
    second = relationship_id("MEMBER_OF", "a", "b|c", "")
    assert first != second
    assert parts(first) == ["MEMBER_OF", "a|b", "c", ""] and parts(second) == ["MEMBER_OF", "a", "b|c", ""]
    assert parts(relationship_id("MEMBER_OF", "50%|x", "p", "%7C")) == ["MEMBER_OF", "50%|x", "p", "%7C"]


def test_columns_give_the_same_ids_as_one_at_a_time():
    froms, tos, posts = ["a", "a|b", "x%"], ["p", "q", "r"], ["Chair", "", "Lead|Deputy"]
    assert relationship_ids("MEMBER_OF", froms, tos, posts) == [
        relationship_id("MEMBER_OF", f, t, p) for f, t, p in zip(froms, tos, posts)]


def test_repointing_changes_one_end_only():
    edge = relationship_id("FUNDS", "lpt", "lpt", "360G-1")
    assert repointed(edge, "from", "lpt", "RT5") == "FUNDS|RT5|lpt|360G-1"
    assert repointed(edge, "to", "lpt", "RT5") == "FUNDS|lpt|RT5|360G-1"
    # A key value equal to the old id is not an end: it stays.
    assert repointed("MEMBER_OF|lpt|p-1|lpt", "from", "lpt", "RT5") == "MEMBER_OF|RT5|p-1|lpt"
    assert repointed("MEMBER_OF|lpt-2|p-1|x", "from", "lpt", "RT5") == "MEMBER_OF|lpt-2|p-1|x"
    assert repointed("360G-grant-42", "from", "lpt", "RT5") == "360G-grant-42"  # an id given by its source stays
    assert repointed(relationship_id("MEMBER_OF", "a|b", "p", ""), "from", "a|b", "new|id") == \
        relationship_id("MEMBER_OF", "new|id", "p", "")
