"""How the network map looks: a shape and colour per kind, a colour per sector, a line per link.

Kinds, sectors and relationship types are the ontology's, and so are the shapes and colours of
kinds and sectors (its display hints); this module adds how links are drawn and builds the legend.
Every string that came from the data is escaped before it reaches the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any, Iterable

from ontology import load_model


@dataclass(frozen=True)
class KindStyle:
    """How nodes of one kind (ontology label) are drawn."""

    shape: str  # a vis-network shape
    colour: str
    description: str


@dataclass(frozen=True)
class LinkStyle:
    """How edges of one relationship type (or a synthetic DUPLICATE / MISSING link) are drawn."""

    colour: str
    width: float
    arrows: str  # "to", "from" or "" (none)
    dashed: bool
    description: str


# Shapes and colours per kind and per sector are the model's display hints (``[display]`` in
# ontology/model.toml); label-outside shapes go to the kinds that matter most (their size then
# shows memberships), label-inside ones (box, ellipse) to kinds whose names are short.
_DISPLAY = load_model().display
KIND_STYLES: dict[str, KindStyle] = {
    label: KindStyle(hint.shape, hint.colour, hint.description) for label, hint in _DISPLAY.labels.items()
}
UNKNOWN_KIND = KindStyle("dot", "#a0aec0", "other")

SECTOR_COLOURS: dict[str, str] = dict(_DISPLAY.sectors)
UNKNOWN_SECTOR_COLOUR = "#d3d3d3"

LINK_STYLES: dict[str, LinkStyle] = {
    "MEMBER_OF": LinkStyle("#8a9bb0", 1.0, "to", False, "sits on (thicker: chair)"),
    "REPORTS_TO": LinkStyle("#1a365d", 2.5, "to", False, "reports to"),
    "COVERS": LinkStyle("#d5dbe3", 0.6, "", False, "covers a territory"),
    "PART_OF": LinkStyle("#b4bfcc", 1.0, "to", False, "lies inside"),
    "OWNS": LinkStyle("#553c9a", 1.5, "to", False, "owns a strategy"),
    "ALIGNS_WITH": LinkStyle("#9f7aea", 1.0, "to", False, "aligns with"),
    "CONTRIBUTES_TO": LinkStyle("#d69e2e", 1.2, "to", False, "contributes to a target"),
    "OWNS_TARGET": LinkStyle("#975a16", 1.2, "to", False, "accountable for a target"),
    "DELIVERS": LinkStyle("#dd6b20", 1.5, "to", False, "delivers a service"),
    "COMMISSIONS": LinkStyle("#9c4221", 1.5, "to", False, "commissions a service"),
    "SERVES": LinkStyle("#d53f8c", 1.0, "to", False, "serves a client group"),
    "HAS_THEME": LinkStyle("#ecc94b", 0.8, "", False, "has a theme"),
    "SUCCEEDED_BY": LinkStyle("#b4bfcc", 1.0, "to", True, "replaced by (a newer code)"),
    "SUB_ORGANISATION_OF": LinkStyle("#4a5568", 1.5, "to", False, "part of an organisation"),
    "MENTIONS": LinkStyle("#718096", 0.8, "to", True, "mentioned in a document"),
    "FUNDS": LinkStyle("#2f855a", 2.0, "to", False, "funds (grants)"),
    "DUPLICATE": LinkStyle("#e53e3e", 3.0, "", True, "possible duplicate"),
    "MISSING": LinkStyle("#a0aec0", 2.0, "", True, "missing member from a sector"),
}
UNKNOWN_LINK = LinkStyle("#a0aec0", 1.0, "to", False, "other link")

# A chair's line is the thickest, so who leads what stands out on a crowded map.
ROLE_WIDTHS = {"chair": 4.5, "vice_chair": 2.5, "member": 1.0, "observer": 0.7, "secretariat": 0.7}

HIGHLIGHT_BORDER = "#e53e3e"
GHOST_BORDER = "#8795a8"


def kind_style(kind: Any) -> KindStyle:
    """The style for a node kind, or a neutral one for a kind the map does not know."""
    return KIND_STYLES.get(str(kind), UNKNOWN_KIND)


def link_style(link_type: Any) -> LinkStyle:
    """The style for an edge type, or a neutral one for a type the map does not know."""
    return LINK_STYLES.get(str(link_type), UNKNOWN_LINK)


def node_colour(node: dict[str, Any]) -> str:
    """An organisation's colour is its sector's; every other node takes its kind's colour."""
    if node.get("kind") == "Organisation":
        return SECTOR_COLOURS.get(str(node.get("sector") or ""), UNKNOWN_SECTOR_COLOUR)
    return kind_style(node.get("kind")).colour


LEGEND_CSS = """
.pm-legend{display:flex;flex-wrap:wrap;gap:.3rem 1.4rem;font-size:13px;margin:.4rem 0 .6rem}
.pm-legend h2{font-size:13px;margin:0 .4rem 0 0;color:#555;font-weight:600}
.pm-legend ul{display:flex;flex-wrap:wrap;gap:.2rem .9rem;list-style:none;margin:0;padding:0;align-items:center}
.pm-legend li{display:flex;align-items:center;gap:.35rem;white-space:nowrap}
.pm-legend section{display:flex;align-items:center;flex-wrap:wrap}
.pm-swatch{display:inline-block;width:14px;height:14px;flex:none}
.pm-dot{border-radius:50%} .pm-square{} .pm-ellipse{width:20px;border-radius:50%} .pm-box{width:20px;border-radius:3px}
.pm-hexagon{clip-path:polygon(25% 5%,75% 5%,100% 50%,75% 95%,25% 95%,0 50%)}
.pm-triangle{clip-path:polygon(50% 0,100% 100%,0 100%)}
.pm-triangleDown{clip-path:polygon(0 0,100% 0,50% 100%)}
.pm-diamond{clip-path:polygon(50% 0,100% 50%,50% 100%,0 50%)}
.pm-star{clip-path:polygon(50% 0,61% 35%,98% 35%,68% 57%,79% 91%,50% 70%,21% 91%,32% 57%,2% 35%,39% 35%)}
.pm-line{display:inline-block;width:30px;height:0;flex:none}
.pm-marked{border:3px solid #e53e3e;border-radius:50%;background:#fff}
.pm-ghost{border:2px dashed #8795a8;border-radius:50%;background:#fff}
"""


def _swatch(shape: str, colour: str) -> str:
    return f"<span class='pm-swatch pm-{escape(shape)}' style='background:{escape(colour)}'></span>"


def _line(style: LinkStyle, width: float | None = None) -> str:
    border = "dashed" if style.dashed else "solid"
    thickness = max(1.0, width if width is not None else style.width)
    return f"<span class='pm-line' style='border-top:{thickness:g}px {border} {escape(style.colour)}'></span>"


def _group(heading: str, items: list[str]) -> str:
    if not items:
        return ""
    entries = "".join(f"<li>{item}</li>" for item in items)
    return f"<section><h2>{escape(heading)}</h2><ul>{entries}</ul></section>"


def _in_order(present: set[str], known: dict[str, Any]) -> list[str]:
    """The values present, known ones in the style table's order, then unknown ones sorted."""
    return [k for k in known if k in present] + sorted(present - set(known))


def legend_html(nodes: Iterable[dict[str, Any]], edges: Iterable[dict[str, Any]]) -> str:
    """An HTML legend for the kinds, sectors, link types and marks present on this map, all escaped."""
    nodes, edges = list(nodes), list(edges)
    kinds = _in_order({str(n.get("kind")) for n in nodes if not n.get("ghost")}, KIND_STYLES)
    sectors = _in_order(
        {str(n.get("sector") or "") for n in nodes if n.get("kind") == "Organisation" and not n.get("ghost")},
        SECTOR_COLOURS,
    )
    link_types = _in_order({str(e.get("type")) for e in edges}, LINK_STYLES)
    kind_items = []
    for kind in kinds:
        style = kind_style(kind)
        name = style.description if kind in KIND_STYLES else kind
        kind_items.append(f"{_swatch(style.shape, style.colour)}{escape(name)}")
    sector_items = [
        f"{_swatch('dot', SECTOR_COLOURS.get(s, UNKNOWN_SECTOR_COLOUR))}{escape(s.replace('_', ' ') or 'sector not given')}"
        for s in sectors
    ]
    link_items = []
    for link_type in link_types:
        style = link_style(link_type)
        name = style.description if link_type in LINK_STYLES else link_type
        link_items.append(f"{_line(style)}{escape(name)}")
        if link_type == "MEMBER_OF" and any(e.get("role") == "chair" for e in edges if e.get("type") == "MEMBER_OF"):
            link_items.append(f"{_line(style, ROLE_WIDTHS['chair'])}chair")
    marks = []
    if any(n.get("highlight") for n in nodes):
        marks.append("<span class='pm-swatch pm-marked'></span>flagged (hover for why)")
    if any(n.get("ghost") for n in nodes):
        marks.append("<span class='pm-swatch pm-ghost'></span>missing (placeholder)")
    groups = [_group("Kinds", kind_items), _group("Sectors", sector_items), _group("Links", link_items),
              _group("Marks", marks)]
    return f"<div class='pm-legend' id='pm-legend' aria-label='Legend'>{''.join(groups)}</div>"
