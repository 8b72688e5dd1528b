"""The governance tree built from reporting lines: tops first, gaps kept, loops marked, an area's chain kept whole."""

from __future__ import annotations

from pages.governance import tree

LINES = [
    {"partnership": "lsp", "partnership_name": "Charnwood Together", "kind": "lsp", "reports_to": None},
    {"partnership": "hwb", "partnership_name": "Health Board", "kind": "board", "reports_to": "lsp"},
    {"partnership": "dv", "partnership_name": "DV Forum", "kind": "forum", "reports_to": "hwb"},
    {"partnership": "tg-a", "partnership_name": "Task group A", "kind": "task_group", "reports_to": "tg-b"},
    {"partnership": "tg-b", "partnership_name": "Task group B", "kind": "task_group", "reports_to": "tg-a"},
    {"partnership": "orphan", "partnership_name": "Older People's Network", "kind": "network", "reports_to": None},
]
GAPS = [{"partnership": "orphan", "reason": "reports to nobody"}]


def test_reporting_lines_become_nested_boxes_with_gaps_and_loops_marked():
    tops = tree(LINES, GAPS)
    by_name = {top.name: top for top in tops}
    assert [t.name for t in tops] == ["Charnwood Together", "Task group A", "Older People's Network"]
    lsp = by_name["Charnwood Together"]
    assert lsp.size == 2 and lsp.below[0].name == "Health Board" and lsp.below[0].below[0].name == "DV Forum"
    assert by_name["Older People's Network"].gaps == ["reports to nobody"]
    loop = by_name["Task group A"]
    assert loop.loop and loop.below[0].name == "Task group B" and loop.below[0].loop


def test_an_area_keeps_its_partnerships_and_everything_above_them():
    tops = tree(LINES, GAPS, keep={"dv"})
    assert [t.name for t in tops] == ["Charnwood Together"]
    assert tops[0].below[0].below[0].id == "dv"
