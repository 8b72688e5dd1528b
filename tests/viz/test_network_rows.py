"""Rows from the named queries reshaped into nodes and edges (expected values worked out by hand)."""

from __future__ import annotations

from tests.viz.maps import governance_rows
from viz import (
    duplicate_links, governance_tree, membership_network, missing_link_overlay, overload_highlights, render_network,
)

MEMBERSHIPS = [
    {"organisation": "nhs", "organisation_name": "NHS Leicester", "sector": "nhs", "partnership": "hwb",
     "partnership_name": "Health & Wellbeing Board", "kind": "board", "role": "member",
     "representative": "Director of Nursing", "attendance": 0.5, "source_row": "members.csv:2"},
    {"organisation": "nhs", "organisation_name": "NHS Leicester", "sector": "nhs", "partnership": "hwb",
     "partnership_name": "Health & Wellbeing Board", "kind": "board", "role": "chair",
     "representative": "Chief Executive", "attendance": 0.9, "source_row": "members.csv:3"},
    {"organisation": "nhs", "organisation_name": "NHS Leicester", "sector": "nhs", "partnership": "dvf",
     "partnership_name": "Domestic Violence Forum", "kind": "forum", "role": "member", "source_row": "members.csv:4"},
    {"organisation": "police", "organisation_name": "Leicestershire Police", "sector": "police", "partnership": "dvf",
     "partnership_name": "Domestic Violence Forum", "kind": "forum", "role": "chair", "source_row": "members.csv:5"},
]


def test_membership_network_counts_groups_and_members_and_keeps_the_strongest_role():
    nodes, edges = membership_network(MEMBERSHIPS, highlights={"nhs": "overloaded: 2 memberships, 1 chair"})
    by_id = {n["id"]: n for n in nodes}
    assert {i: (n["kind"], n["memberships"]) for i, n in by_id.items()} == {
        "nhs": ("Organisation", 2), "police": ("Organisation", 1), "hwb": ("Partnership", 1), "dvf": ("Forum", 2),
    }
    assert by_id["nhs"]["highlight"] == "overloaded: 2 memberships, 1 chair" and "highlight" not in by_id["police"]
    nhs_on_hwb = [e for e in edges if (e["source"], e["target"]) == ("nhs", "hwb")]
    assert len(nhs_on_hwb) == 1
    assert nhs_on_hwb[0]["role"] == "chair"
    assert nhs_on_hwb[0]["title"] == "chair: Chief Executive (attendance 90%)\nmember: Director of Nursing (attendance 50%)"
    assert nhs_on_hwb[0]["source_row"] == "members.csv:3; members.csv:2"
    assert len(edges) == 3
    render_network(nodes, edges, "memberships")  # every edge end is a node


def test_overload_highlights_flag_only_the_busy():
    rows = [{"organisation": "nhs", "memberships": 22, "chairs": 15}, {"organisation": "vcs", "memberships": 3, "chairs": 0}]
    assert overload_highlights(rows, min_memberships=10) == {"nhs": "overloaded: 22 memberships, 15 chairs"}


def test_governance_tree_joins_reporting_lines_and_flags_gaps():
    nodes, edges = governance_tree(*governance_rows())
    by_id = {n["id"]: n for n in nodes}
    assert len(nodes) == 7 and len(edges) == 5
    assert by_id["dv"]["kind"] == "Forum" and by_id["lsp"]["kind"] == "Partnership"
    assert by_id["orphan"]["highlight"] == "reports to nobody"
    assert by_id["tg-a"]["highlight"] == "its reporting line loops back to itself"
    assert "highlight" not in by_id["lsp"]
    assert {(e["source"], e["target"]) for e in edges} >= {("hwb", "lsp"), ("dv", "csp"), ("tg-a", "tg-b")}
    assert all(e["type"] == "REPORTS_TO" for e in edges)


def test_duplicate_links_carry_their_reason():
    rows = [{"a": "p1", "a_name": "Safer Charnwood", "b": "p2", "b_name": "Charnwood CSP", "jaccard": 0.75,
             "shared_themes": ["community safety"], "overlapping_territories": ["Charnwood / Leicestershire"]}]
    nodes, edges = duplicate_links(rows)
    assert [n["name"] for n in nodes] == ["Safer Charnwood", "Charnwood CSP"]
    assert edges == [{"source": "p1", "target": "p2", "type": "DUPLICATE", "dashed": True,
                      "reason": "members overlap (Jaccard 0.75); shared themes: community safety; "
                                "overlapping places: Charnwood / Leicestershire"}]


def test_missing_link_overlay_makes_one_ghost_per_partnership_and_sector():
    rows = [
        {"partnership": "csp", "partnership_name": "CSP", "theme": "community safety", "missing_sector": "probation"},
        {"partnership": "csp", "partnership_name": "CSP", "theme": "offender management", "missing_sector": "probation"},
        {"partnership": "csp", "partnership_name": "CSP", "theme": "substance misuse", "missing_sector": "nhs"},
    ]
    nodes, edges = missing_link_overlay(rows)
    ghosts = [n for n in nodes if n.get("ghost")]
    assert [g["name"] for g in ghosts] == ["no probation member", "no nhs member"]
    assert [e["reason"] for e in edges] == [
        "on community safety, offender management: no member from the probation sector",
        "on substance misuse: no member from the nhs sector",
    ]
    assert all(e["type"] == "MISSING" and e["target"] == "csp" for e in edges)
