"""Small hand-built maps for the network tests: a partnership map and a governance tree.

Hostile strings set ``window.__pwned`` if a browser ever runs them, so the end-to-end test
can check nothing did.
"""

from __future__ import annotations

HOSTILE_SCRIPT_NAME = "<script>window.__pwned=1</script>"
HOSTILE_ATTRIBUTE_NAME = '" onerror="window.__pwned=1'
HOSTILE_IMAGE_NAME = "<img src=x onerror=window.__pwned=1>"
HOSTILE_LINK_TITLE = '<a href="javascript:window.__pwned=1">x</a>'
HOSTILE_PAGE_TITLE = "</title><script>window.__pwned=1</script> map"
HOSTILE_SECTOR = "'><svg onload=window.__pwned=1>"


def partnership_map() -> tuple[list[dict], list[dict]]:
    """Twelve nodes: an LSP and its boards, members from five sectors, a service, places, and marks."""
    nodes = [
        {"id": "lsp", "kind": "Partnership", "name": "Charnwood Together", "memberships": 9,
         "source_row": "register.csv:2", "partnership_kind": "lsp"},
        {"id": "hwb", "kind": "Partnership", "name": "Health & Wellbeing Board", "memberships": 6,
         "source_row": "register.csv:3"},
        {"id": "csf", "kind": "Forum", "name": "Community Safety Forum", "memberships": 4,
         "source_row": "register.csv:4"},
        {"id": "nhs-llr", "kind": "Organisation", "name": "NHS Leicester", "sector": "nhs", "memberships": 22,
         "highlight": "overloaded: 22 memberships, 15 chairs", "source_row": "members.csv:7"},
        {"id": "police", "kind": "Organisation", "name": "Leicestershire Police", "sector": "police",
         "memberships": 3, "source_row": "members.csv:8"},
        {"id": "council", "kind": "Organisation", "name": "Charnwood Borough Council", "sector": "local_authority",
         "memberships": 5, "source_row": "members.csv:9"},
        {"id": "evil-script", "kind": "Organisation", "name": HOSTILE_SCRIPT_NAME, "sector": "vcse",
         "memberships": 1, "source_row": "members.csv:10"},
        {"id": "evil-attr", "kind": "Organisation", "name": HOSTILE_ATTRIBUTE_NAME, "sector": HOSTILE_SECTOR,
         "title": HOSTILE_LINK_TITLE, "source_row": "members.csv:11"},
        {"id": "floating", "kind": "Service", "name": HOSTILE_IMAGE_NAME, "source_row": "services.csv:2"},
        {"id": "E07000130", "kind": "Territory", "name": "Charnwood"},
        {"id": "E10000018", "kind": "Territory", "name": "Leicestershire"},
        {"id": "missing:csf:probation", "kind": "Organisation", "name": "no probation member",
         "sector": "probation", "ghost": True},
    ]
    edges = [
        {"source": "hwb", "target": "lsp", "type": "REPORTS_TO", "source_row": "register.csv:3"},
        {"source": "csf", "target": "lsp", "type": "REPORTS_TO", "source_row": "register.csv:4"},
        {"source": "nhs-llr", "target": "hwb", "type": "MEMBER_OF", "role": "chair", "title": "Director of Public Health"},
        {"source": "council", "target": "lsp", "type": "MEMBER_OF", "role": "chair"},
        {"source": "police", "target": "csf", "type": "MEMBER_OF", "role": "member"},
        {"source": "evil-script", "target": "csf", "type": "MEMBER_OF", "role": "member", "title": HOSTILE_IMAGE_NAME},
        {"source": "evil-attr", "target": "hwb", "type": "MEMBER_OF", "role": "observer"},
        {"source": "council", "target": "floating", "type": "COMMISSIONS"},
        {"source": "floating", "target": "E07000130", "type": "COVERS"},
        {"source": "E07000130", "target": "E10000018", "type": "PART_OF"},
        {"source": "hwb", "target": "csf", "type": "DUPLICATE", "dashed": True,
         "reason": "members overlap (Jaccard 0.71); shared themes: health <b>&</b> wellbeing"},
        {"source": "missing:csf:probation", "target": "csf", "type": "MISSING", "dashed": True,
         "reason": "community safety calls for a probation member"},
    ]
    return nodes, edges


def governance_rows() -> tuple[list[dict], list[dict], list[dict]]:
    """Partnership rows, reporting lines and governance-gaps rows: an LSP, two boards, a loop, an orphan."""
    partnerships = [
        {"id": "lsp", "name": "Charnwood Together", "kind": "lsp", "source_row": "register.csv:2"},
        {"id": "hwb", "name": "Health & Wellbeing Board", "kind": "board", "source_row": "register.csv:3"},
        {"id": "csp", "name": "Community Safety Partnership", "kind": "board", "source_row": "register.csv:4"},
        {"id": "dv", "name": "Domestic Violence Forum", "kind": "forum", "source_row": "register.csv:5"},
        {"id": "tg-a", "name": "Task group A", "kind": "task_group", "source_row": "register.csv:6"},
        {"id": "tg-b", "name": "Task group B", "kind": "task_group", "source_row": "register.csv:7"},
        {"id": "orphan", "name": "Older People's Network", "kind": "network", "source_row": "register.csv:8"},
    ]
    reports_to = [
        {"partnership": "hwb", "reports_to": "lsp"},
        {"partnership": "csp", "reports_to": "lsp"},
        {"partnership": "dv", "reports_to": "csp"},
        {"partnership": "tg-a", "reports_to": "tg-b"},
        {"partnership": "tg-b", "reports_to": "tg-a"},
    ]
    gaps = [
        {"partnership": "tg-a", "reason": "its reporting line loops back to itself"},
        {"partnership": "tg-b", "reason": "its reporting line loops back to itself"},
        {"partnership": "orphan", "reason": "reports to nobody"},
    ]
    return partnerships, reports_to, gaps
