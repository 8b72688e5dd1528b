"""The model's [statutory] section: rules, posts and bodies as data, checked when the model loads."""

import copy
import datetime as dt
import tomllib

import pytest

from ontology import ModelError, load_model
from ontology.model import MODEL_FILE, parse_model
from ontology.statutory import words


def _data() -> dict:
    with MODEL_FILE.open("rb") as handle:
        return tomllib.load(handle)


def test_the_three_rules_cite_their_acts_and_dates():
    rules = load_model().statutory.rules
    board = rules["health_and_wellbeing_board"]
    assert (board.act, board.section, board.start) == ("Health and Social Care Act 2012", "s.194", dt.date(2013, 4, 1))
    assert [r.provision.split(",")[0] for r in board.requirements] == [
        "s.194(2)(a)", "s.194(2)(b)", "s.194(2)(c)", "s.194(2)(d)", "s.194(2)(e)", "s.194(2)(f)", "s.194(2)(f)"]
    ccg, icb = board.requirements[5:]
    assert (ccg.end, icb.start) == (dt.date(2022, 6, 30), dt.date(2022, 7, 1))
    assert not ccg.in_force(dt.date(2022, 7, 1)) and icb.in_force(dt.date(2022, 7, 1))
    assert rules["community_safety_partnership"].act == "Crime and Disorder Act 1998"
    assert rules["local_safeguarding_children_arrangements"].url == "https://www.legislation.gov.uk/ukpga/2004/31/section/16E"


@pytest.mark.parametrize("post, text, expected", [
    ("director_of_adult_social_services", "Director for Adult Social Care", True),  # the Leicester seed's wording
    ("director_of_adult_social_services", "Strategic Director of Adult Social Services", True),
    ("director_of_childrens_services", "Director of Childrens' Services", True),
    ("director_of_childrens_services", "DCS", True),
    ("director_of_public_health", "Consultant in Public Health", False),
    ("councillor", "Councillor Basil Curley", True),  # as ModernGov names attendees
    ("councillor", "Cllr. A. Jones", True),
    ("councillor", "Chief Executive", False),
    ("director_of_childrens_services", "Deputy Director", False),
])
def test_posts_are_matched_on_whole_words_whatever_the_spelling(post, text, expected):
    assert load_model().statutory.posts[post].matches(text) is expected


def test_words_fold_case_punctuation_ampersands_and_fillers():
    assert words("Director for Children's & Families' Services") == " director childrens and families services "
    assert "dass" not in words("Ambassador").split()


def test_a_partnership_matches_by_kind_statutory_name_or_theme_but_not_a_mappa_board():
    csp = load_model().statutory.rules["community_safety_partnership"]
    assert csp.matches("board", "Safer Leicester Partnership", ["community safety", "substance misuse"])
    assert csp.matches("board", "Charnwood CSP", [])
    assert not csp.matches("task_group", "Charnwood Community Safety Partnership", [])
    assert not csp.matches("board", "Leicestershire and Rutland MAPPA Strategic Management Board", ["community safety"])


@pytest.mark.parametrize("breakage, message", [
    (lambda d: d["statutory"]["rules"]["community_safety_partnership"]["requirements"][0].update({"sector": "army"}),
     r"community_safety_partnership.requirements\[1\]: unknown sector 'army'"),
    (lambda d: d["statutory"]["rules"]["health_and_wellbeing_board"]["requirements"][1].update({"posts": ["dass"]}),
     r"unknown posts \['dass'\]"),
    (lambda d: d["statutory"]["rules"]["health_and_wellbeing_board"].update({"kinds": ["committee"]}), "unknown kinds"),
    (lambda d: d["statutory"]["rules"]["health_and_wellbeing_board"].update({"from": "April 2013"}), "is not a date"),
    (lambda d: d["statutory"]["rules"]["health_and_wellbeing_board"].pop("act"), "needs act"),
    (lambda d: d["statutory"]["posts"]["councillor"].update({"variants": ["of the", "--"]}), "variants with words"),
    (lambda d: d["statutory"]["rules"]["community_safety_partnership"]["requirements"][0].pop("sector"),
     "needs a sector, posts or bodies"),
])
def test_a_broken_statutory_section_is_refused_naming_the_entry(breakage, message):
    data = copy.deepcopy(_data())
    breakage(data)
    with pytest.raises(ModelError, match=message):
        parse_model(data)
